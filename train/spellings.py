"""Builds the table of British and American spellings of one word ("licence" / "license",
"colour" / "color", "organise" / "organize") that rag/text.py's ``terms`` reads, so that a
question in one spelling shares its terms with a sentence in the other:

    .venv/bin/python train/spellings.py      # writes rag/embed/spelling-variants.json, a second

Two words are spellings of one when WordNet gives them as synonyms (they share a synset in
the lexicon train/lexicon.py builds from WordNet 3.0, rag/embed/lexicon-wordnet.json.gz)
*and* they are the same word once the regular British endings are written the American way
(-our/-or, -ise/-ize, -yse/-yze, -tre/-ter, -ence/-ense, -ogue/-og, ae/e, oe/e, -ll-/-l-,
ph/f). Either alone is not enough: "net" and "nett" are synonyms that differ in more than a
spelling rule would allow, "four" is not "for". The table maps stems, as the engine compares
them: a British spelling's Snowball stem to its American spelling's.

WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved (the WordNet
licence, as for the lexicon).
"""

from __future__ import annotations

import gzip
import json
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEXICON = ROOT / "rag" / "embed" / "lexicon-wordnet.json.gz"
OUT = ROOT / "rag" / "embed" / "spelling-variants.json"

# British -> American, applied in order to a whole word.
_REWRITES = [
    (r"isation", "ization"), (r"is(e|ed|es|er|ers|ing)$", r"iz\1"), (r"ys(e|ed|es|ing)$", r"yz\1"),
    (r"our(s|ed|ing|ite|ites|able|ably|er|ers|ful|less|ist|ists|ism|y|iz(e|ed|es|er|ing|ation))?$", r"or\1"),
    (r"tre(s|d)?$", r"ter\1"),
    (r"ence(s)?$", r"ense\1"), (r"ogue(s)?$", r"og\1"), (r"ae", "e"), (r"oe", "e"),
    (r"ll(ed|ing|er|ers|or|ors)$", r"l\1"), (r"ph", "f"),
]


def american(word: str) -> str:
    for pattern, replacement in _REWRITES:
        word = re.sub(pattern, replacement, word)
    return word


def build() -> dict[str, str]:
    """Each British spelling's Snowball stem -> its American spelling's ("licenc" -> "licens"),
    so that "licences" finds "license" as "licence" does: the engine compares stems."""
    import Stemmer

    stem = Stemmer.Stemmer("english").stemWord  # as rag/text.py's terms
    synonyms = json.loads(gzip.decompress(LEXICON.read_bytes()))["synonyms"]
    by_synset: dict[int, list[str]] = defaultdict(list)
    for word, synsets in synonyms.items():
        if word.isalpha():
            for synset in synsets:
                by_synset[synset].append(word)
    table: dict[str, str] = {}
    for words in by_synset.values():
        for word in words:
            target = american(word)
            if target != word and target in words and stem(word) != stem(target):
                table[stem(word)] = stem(target)
    def final(stem_: str) -> str:  # "colouris" -> "colour" -> "color": follow the chain to its end
        seen = {stem_}
        while stem_ in table and table[stem_] not in seen:
            stem_ = table[stem_]
            seen.add(stem_)
        return stem_

    return {b: final(b) for b in sorted(table) if final(b) != b}


def main() -> None:
    table = build()
    OUT.write_text(json.dumps({"licence": "WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved. "
                                          "(WordNet licence; built by train/spellings.py)", "spellings": table},
                              ensure_ascii=False, indent=0) + "\n")
    print(f"{len(table)} spellings -> {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
