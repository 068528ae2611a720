"""Real restatements for the support check: the same verse in two English translations.

The rule-made pairs of train/support_data.py restate a sentence by one small edit (a synonym,
an alias, a clause dropped). Real restatements differ in many words at once: the seed story's
machine translation says "received a cold reception" where the original says "has received an
icy reception". A model that has only seen one-edit restatements takes every such sentence
for a contradiction. Two translations of one text are restatements of that kind, aligned
sentence by sentence by their makers, and Debian packages two public-domain ones:

- ``sword-text-kjv``: the King James Version (1611, 2006 edition), public domain;
- ``sword-text-web``: the World English Bible (2015), public domain;

read with ``pysword`` (SWORD's zText format). The verse pairs whose wording shares too little
(where the two versifications number verses differently) are dropped.

    >>> pairs = verse_pairs()                                  # doctest: +SKIP
    >>> pairs[0]                                               # doctest: +SKIP
    ('Genesis 1', 'In the beginning, God created the heavens and the earth.',
     'In the beginning God created the heaven and the earth.')
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

from data import DATA, debian_packages

HOME = DATA / "bible"
PACKAGES = ("sword-text-kjv", "sword-text-web")
MODULES = ("engWEB2015eb", "engKJV2006eb")  # (modern, 1611) as the packages name them
MIN_SHARED = 0.35  # of the shorter verse's content words, for a pair to count as aligned

_NOTE = re.compile(r"<note\b.*?</note>", re.S)
_TAG = re.compile(r"<[^>]+>")
_CONTENT = re.compile(r"[a-z]{4,}")


def clean(markup: str) -> str:
    """The verse's words: footnotes dropped, Strong's tags stripped, spaces made single."""
    text = _TAG.sub("", _NOTE.sub(" ", markup)).replace("¶", " ")
    text = re.sub(r"\s+([,.;:!?])", r"\1", " ".join(text.split()))
    return text


def _stems(text: str) -> set[str]:
    return {w[:5] for w in _CONTENT.findall(text.lower())}


def aligned(a: str, b: str) -> bool:
    """Whether two renderings share enough content words to be the same verse."""
    sa, sb = _stems(a), _stems(b)
    return bool(sa and sb) and len(sa & sb) >= MIN_SHARED * min(len(sa), len(sb))


@lru_cache(maxsize=1)
def verse_pairs() -> list[tuple[str, str, str]]:
    """(chapter, modern verse, 1611 verse) for every verse both translations have, aligned.
    Read once (two minutes) and kept in bench-data/bible/verses.json."""
    cache = HOME / "verses.json"
    if cache.exists():
        return [tuple(row) for row in json.loads(cache.read_text())]
    pairs = _read_pairs()
    cache.write_text(json.dumps(pairs))
    return pairs


def _read_pairs() -> list[tuple[str, str, str]]:
    from pysword.modules import SwordModules

    root = debian_packages(PACKAGES, HOME) / "usr" / "share" / "sword"
    modules = SwordModules(str(root))
    modules.parse_modules()
    modern, old = (modules.get_bible_from_module(m) for m in MODULES)
    pairs = []
    for testament in modern.get_structure().get_books().values():
        for book in testament:
            for chapter in range(1, book.num_chapters + 1):
                for verse in range(1, book.chapter_lengths[chapter - 1] + 1):
                    try:
                        a, b = (clean(bible.get(books=[book.name], chapters=[chapter], verses=[verse], clean=False))
                                for bible in (modern, old))
                    except (ValueError, IndexError, KeyError):
                        continue  # a verse one versification has and the other lacks
                    if a and b and aligned(a, b):
                        pairs.append((f"{book.name} {chapter}", a, b))
    return pairs


if __name__ == "__main__":
    import sys

    pairs = verse_pairs()
    print(f"{len(pairs)} aligned verses", file=sys.stderr)
    for row in pairs[:: max(1, len(pairs) // 8)]:
        print(row)
