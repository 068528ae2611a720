"""WordNet 3.0 from Debian's ``wordnet-base`` package, read with NLTK: the lexical database
the verification data takes its synonyms, aliases, antonyms and same-kind substitutes from
(train/support_data.py), never a hand list.

The package is downloaded with ``apt-get download`` and unpacked under bench-data/wordnet/
once (no root needed, as train/data.py does for the manuals). Debian ships the database
files but not ``lexnames`` (the numbered list of lexicographer files NLTK reads first); it is
written from the package's own lexnames(5) manual page.

>>> wn = wordnet()                                   # doctest: +SKIP
>>> sorted(l.name() for l in wn.synsets("America")[0].lemmas())[:3]   # doctest: +SKIP
['America', 'U.S.', 'U.S.A.']
"""

from __future__ import annotations

import gzip
import os
import re
from functools import lru_cache
from pathlib import Path

from data import debian_packages

ROOT = Path(__file__).resolve().parent.parent
HOME = ROOT / "bench-data" / "wordnet"
CATEGORY = {"noun": 1, "verb": 2, "adj": 3, "adv": 4}


def _unpacked() -> Path:
    dict_dir = HOME / "usr" / "share" / "wordnet"
    debian_packages(("wordnet-base",), HOME)
    lexnames = dict_dir / "lexnames"
    if not lexnames.exists():
        page = next((HOME / "usr" / "share" / "man" / "man5").glob("lexnames.5*"))
        rows = re.findall(r"^(\d\d)\t\s*([a-z]+\.\w+)", gzip.decompress(page.read_bytes()).decode(), re.M)
        lexnames.write_text("".join(f"{n}\t{name}\t{CATEGORY[name.split('.')[0]]}\n" for n, name in rows))
    return dict_dir


@lru_cache(maxsize=1)
def wordnet():
    """NLTK's WordNetCorpusReader over the unpacked database."""
    dict_dir = _unpacked()
    # NLTK opens corpus files only under its data roots: this one is added to them.
    roots = os.environ.get("NLTK_DATA", "")
    if str(HOME) not in roots.split(os.pathsep):
        os.environ["NLTK_DATA"] = os.pathsep.join(filter(None, [roots, str(HOME)]))
    import warnings

    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    class _Reader(WordNetCorpusReader):
        def map_wn(self, version="wordnet"):
            return None  # this *is* WordNet 3.0: nothing to map (NLTK would look for its own copy)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "multilingual functions are not available": not needed
        return _Reader(str(dict_dir), None)
