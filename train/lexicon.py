"""Builds the WordNet lexicon the support check ships with (rag/lexicon.py reads it):

    .venv/bin/python train/lexicon.py      # writes rag/embed/lexicon-wordnet.json.gz, a few seconds

Three tables from WordNet 3.0 (Debian's ``wordnet-base``, read as train/wordnet.py does), so
that nothing at run time needs WordNet or NLTK:

- ``names``: the proper names WordNet gives one thing ("United States", "America", "US";
  "London", "British capital"), one list per synset with two names or more;
- ``synonyms``: each lowercase one-word lemma with the synsets it shares with another
  one-word lemma (an index into ``all_synsets()``): "offensive" and "attack" share one;
- ``person``: the words (lowercased) that name a kind of person or a title ("general",
  "president", "marine", "mr"): a title before a name; ``common``: the other lowercase one-word lemmas ("north",
  "lake"), which before a name make another name ("North Carolina").

WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved (licence: the
WordNet licence, https://wordnet.princeton.edu/license-and-commercial-use, which allows use,
copying and distribution with this notice).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from wordnet import wordnet  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "rag" / "embed" / "lexicon-wordnet.json.gz"
NOTICE = "WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved. (WordNet licence)"


def build() -> dict:
    wn = wordnet()
    person = wn.synset("person.n.01")
    people = {s for s in person.closure(lambda s: s.hyponyms() + s.instance_hyponyms())} | {person}
    title = wn.synset("title.n.06")  # "an identifying appellation signifying status or function": Mr, Dr
    people |= set(title.closure(lambda s: s.hyponyms())) | {title}
    names, synonyms, person_words, common = [], {}, set(), set()
    for number, synset in enumerate(wn.all_synsets()):
        lemmas = [lemma.name().replace("_", " ") for lemma in synset.lemmas()]
        proper = [x for x in lemmas if x[:1].isupper()]
        if len(proper) >= 2:
            names.append(proper)
        words = [x for x in lemmas if " " not in x and x.islower()]
        if len(words) >= 2:
            for word in words:
                synonyms.setdefault(word, []).append(number)
        for word in words:
            (person_words if synset in people else common).add(word)
        if synset in people and not synset.instance_hypernyms():  # a kind of person, not one person
            person_words.update(x.lower() for x in proper if " " not in x)  # "Mr", "Marine", "Kenyan"

    return {"about": __doc__.split("\n\n")[2].replace("\n", " "), "licence": NOTICE, "names": names,
            "synonyms": synonyms, "person": sorted(person_words), "common": sorted(common - person_words)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    out = parser.parse_args().out
    table = build()
    out.write_bytes(gzip.compress(json.dumps(table, ensure_ascii=False, sort_keys=True).encode(), mtime=0))
    print(f"wrote {out} ({out.stat().st_size / 1e3:.0f} kB): {len(table['names'])} name groups, "
          f"{len(table['synonyms'])} words with synonyms, {len(table['person'])} person words, {len(table['common'])} other words")


if __name__ == "__main__":
    main()
