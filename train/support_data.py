"""Training pairs for the support check (rag/verify.py): (claim, source) -> supported,
contradicted or not stated, made by rule from real sentences as FactCC does (Kryściński et al.
2020).

    .venv/bin/python train/support_data.py [--out bench-data/support/pairs.jsonl]

Each source sentence of a real document becomes claims about it:

- **contradicted**, one fact changed: a person's or organisation's *name* replaced by another
  name of the same document; a *place* by another place of the same kind (WordNet: Kenya ->
  another African country); a *number*; a *date* (month, day or year); an *antonym* (a word
  replaced by its WordNet antonym: more/less, increase/decrease, first/last); another *noun*
  (a WordNet sibling: "module" -> "package"); a *negation* added or taken away.
- **supported**, the fact restated: the sentence itself; *shortened* (a parenthesis, an
  aside between commas or a trailing clause dropped); *synonyms* (a word replaced by another
  lemma of its WordNet synset); an *alias* (a name given another way: WordNet's other lemmas,
  "United States" -> "America"; a person by the surname, or by the document's longer form).
- **not stated**: another sentence of the same document, close in topic, as the claim.
- **restated** in other words (supported), and restated *with* one fact changed
  (contradicted): a Bible verse in the World English Bible against the King James Version
  (train/bible.py, both public domain, Debian's ``sword-text-web`` and ``sword-text-kjv``).
- **translated** (supported): a sentence of the documents below machine-translated into
  Catalan or Spanish and back by Apertium (train/roundtrip.py), the kind of restatement the
  seed story's translation is, against the original, both ways; and the translated sentence
  with one fact changed (contradicted) against the original.

The source the claim is checked against is the sentence, sometimes with its neighbour, as
an answer cites two sentences. Documents: the *tune* SQuAD articles (CC BY-SA 4.0), the
Python 3.11 manual and FAQ and the Debian FAQ (PSF licence, GPL-2+), unpacked by
train/data.py. The SQuAD *test* articles are never used here: bench/substitutions.py makes the
held-out set from them with the same rules (``transformations``).

Each line: {"claim", "source", "label" (0 supported, 1 contradicted, 2 not stated), "kind",
"group"}; ``group`` names the source sentence, so a sentence's claims stay in one half.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Callable, Iterator, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "train"))

from data import DATA, SQUAD, flat, read_pages, sentences_of, unpacked  # noqa: E402
from wordnet import wordnet  # noqa: E402

from rag.eval.squad import split_titles  # noqa: E402

LABELS = ("supported", "contradicted", "not_stated")
CONTRADICTIONS = ("name", "place", "number", "date", "antonym", "noun", "negation")
RESTATEMENTS = ("same", "shortened", "synonym", "alias")

NOT_STATED_SHARE = 0.35  # of source sentences that also get a not-stated claim
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]
_MONTH = re.compile(r"\b(" + "|".join(_MONTHS) + r")\b")
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_DAY = re.compile(r"\b(" + "|".join(_MONTHS) + r")\s+(\d{1,2})\b")
_NUMBER = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?![\w,])|(?<![\w.])\d+(?:\.\d+)?(?![\w.])")
_UPPER, _LOWER = "A-ZÀ-ÖØ-Þ", "a-zß-öø-ÿ"
_NAME = re.compile(rf"(?<!^)(?<![.!?]\s)(?<![\w-])[{_UPPER}][{_LOWER}]+(?:\s+(?:of\s+|de\s+|von\s+)?[{_UPPER}][{_LOWER}]+){{0,3}}(?![\w-])")
_AUXILIARY = re.compile(r"\b(is|are|was|were|can|could|will|would|should|must|may|might|has|have|had)\b(?=\s+(?!to\b|so\b|not\b)[a-z])")
_TRAILING = r"(?:which|who|where|while|and|but|although|though|including|making|as well)\b"
_WORD = re.compile(r"\b[a-z]{4,}\b")


class Rules:
    """The transformations, each (sentence, document) -> claim or None."""

    def __init__(self, rng: random.Random):
        self.rng, self.wn = rng, wordnet()

    # --- helpers ----------------------------------------------------------------------

    def _synsets(self, phrase: str, pos: Optional[str] = None) -> list:
        try:
            return self.wn.synsets(phrase.replace(" ", "_"), pos=pos)
        except Exception:  # noqa: BLE001 - an odd token; WordNet has nothing for it
            return []

    def given_name(self, word: str) -> bool:
        """A word WordNet knows only as a name, if at all ("Joseph"; not "Golden", "Central")."""
        return not any(lemma.name().islower() for synset in self._synsets(word.lower()) for lemma in synset.lemmas())

    def is_place(self, phrase: str) -> bool:
        found = self._synsets(phrase, "n")
        return bool(found) and found[0].lexname() == "noun.location" and bool(found[0].instance_hypernyms())

    def _replace(self, sentence: str, m: re.Match, new: str) -> str:
        return sentence[: m.start()] + new + sentence[m.end():]

    def names(self, text: str) -> list[re.Match]:
        return [m for m in _NAME.finditer(text) if m.group() not in _MONTHS and not _MONTH.fullmatch(m.group().split()[0])]

    # --- contradicted -----------------------------------------------------------------

    def name(self, s: str, doc: list[str]) -> Optional[str]:
        spans = [m for m in self.names(s) if not self.is_place(m.group())]
        if not spans:
            return None
        m = self.rng.choice(spans)
        pool = {x.group() for d in self.rng.sample(doc, min(60, len(doc))) for x in self.names(d)}
        pool = [x for x in pool if x.split()[0] not in ("The", "A", "An") and x not in s and m.group() not in x and x.split()[-1] not in m.group() and not self.is_place(x)]
        return self._replace(s, m, self.rng.choice(sorted(pool))) if pool else None

    def place(self, s: str, doc: list[str]) -> Optional[str]:
        spans = [m for m in self.names(s) if self.is_place(m.group())]
        if not spans:
            return None
        m = self.rng.choice(spans)
        own = self._synsets(m.group(), "n")
        kind = own[0].instance_hypernyms()[0]
        # Another place of the same kind, not this one's other name ("United States" for "America").
        siblings = sorted({lemma.name().replace("_", " ") for inst in kind.instance_hyponyms() if inst not in own
                           for lemma in inst.lemmas()[:1]} - {m.group()})
        siblings = [x for x in siblings if x not in s and x[0].isupper()]
        return self._replace(s, m, self.rng.choice(siblings)) if siblings else None

    def number(self, s: str, doc: list[str]) -> Optional[str]:
        spans = [m for m in _NUMBER.finditer(s) if not _YEAR.fullmatch(m.group()) and not _DAY.search(s[max(0, m.start() - 12): m.end()])]
        if not spans:
            return None
        m = self.rng.choice(spans)
        raw = m.group().replace(",", "")
        value = float(raw)
        for _ in range(5):
            factor = self.rng.choice([0.5, 0.7, 1.3, 1.5, 2, 3, 10, 0.1])
            new = value * factor if value > 3 else value + self.rng.choice([1, 2, 3, 5])
            text = f"{new:.{len(raw.split('.')[1])}f}" if "." in raw else f"{int(round(new)):,}" if "," in m.group() else str(int(round(new)))
            if text != m.group():
                return self._replace(s, m, text)
        return None

    def date(self, s: str, doc: list[str]) -> Optional[str]:
        options = [("year", m) for m in _YEAR.finditer(s)] + [("month", m) for m in _MONTH.finditer(s)] + \
                  [("day", m) for m in _DAY.finditer(s)]
        if not options:
            return None
        what, m = self.rng.choice(options)
        if what == "year":
            return self._replace(s, m, str(int(m.group()) + self.rng.choice([-20, -10, -3, -2, -1, 1, 2, 5, 10])))
        if what == "month":
            return self._replace(s, m, self.rng.choice([x for x in _MONTHS if x != m.group()]))
        day = int(m.group(2))
        return self._replace(s, m, f"{m.group(1)} {self.rng.choice([d for d in range(1, 29) if d != day])}")

    def antonym(self, s: str, doc: list[str]) -> Optional[str]:
        options = []
        for m in re.finditer(r"\b[a-z]{3,}\b", s):
            for synset in self._synsets(m.group())[:2]:
                for lemma in synset.lemmas():
                    if lemma.name() == m.group() and lemma.antonyms():
                        options.append((m, lemma.antonyms()[0].name().replace("_", " ")))
        if not options:
            return None
        m, new = self.rng.choice(options)
        return self._replace(s, m, new)

    def noun(self, s: str, doc: list[str]) -> Optional[str]:
        options = []
        for m in _WORD.finditer(s):
            found = self._synsets(m.group(), "n")
            if not found or found[0].lexname() in ("noun.person", "noun.location") or self._synsets(m.group(), "v"):
                continue
            if m.group() not in {lemma.name() for lemma in found[0].lemmas()}:
                continue  # an inflected form ("modules"): its sibling would not agree
            siblings = sorted({lemma.name() for h in found[0].hypernyms() for sib in h.hyponyms() if sib != found[0]
                               for lemma in sib.lemmas()[:1] if "_" not in lemma.name() and lemma.name().islower()})
            if siblings:
                options.append((m, siblings))
        if not options:
            return None
        m, siblings = self.rng.choice(options)
        return self._replace(s, m, self.rng.choice(siblings))

    def negation(self, s: str, doc: list[str]) -> Optional[str]:
        m = re.search(r"\b(?:can't|won't|cannot|\w+n't)|\s+(?:not|never)\b", s)
        if m:  # taken away: "did not sign" -> "did sign", "can't" -> "can"
            word = m.group()
            kept = "" if word.strip() in ("not", "never") else {"can't": "can", "won't": "will", "cannot": "can"}.get(word.lower(), word[:-3])
            return s[: m.start()] + kept + s[m.end():]
        auxiliaries = list(_AUXILIARY.finditer(s))
        if not auxiliaries:
            return None
        m = self.rng.choice(auxiliaries)
        return self._replace(s, m, m.group() + " not")

    # --- supported --------------------------------------------------------------------

    def same(self, s: str, doc: list[str]) -> Optional[str]:
        return s

    def shortened(self, s: str, doc: list[str]) -> Optional[str]:
        options = []
        for m in re.finditer(r"\s*\([^()]{3,80}\)", s):
            options.append(s[: m.start()] + s[m.end():])
        parts = s.rstrip(".").split(", ")
        if len(parts) >= 3:
            i = self.rng.randrange(1, len(parts) - 1)  # an aside between commas
            # "The master, Orla Brennan, did not ..." -> "The master did not ..."; in a list
            # ("pears, plums, figs") the commas stay.
            joint = " " if i == len(parts) - 2 and parts[i + 1][:1].islower() and not parts[i + 1].startswith(("and ", "or ")) else ", "
            options.append(", ".join(parts[:i]) + joint + ", ".join(parts[i + 1:]) + ".")
        if len(parts) >= 2 and len(parts[0].split()) >= 6 and re.match(_TRAILING, parts[-1]):
            options.append(", ".join(parts[:-1]) + ".")  # a trailing clause dropped
        return self.rng.choice(options) if options else None

    def synonym(self, s: str, doc: list[str]) -> Optional[str]:
        options = []
        for m in _WORD.finditer(s):
            found = self._synsets(m.group())
            if not found or m.group().endswith(("ing", "ed", "s")):
                continue  # an inflected form: its synonym would not agree
            if s[m.start() - 1 : m.start()] == "-" or s[m.end() : m.end() + 1] == "-":
                continue  # part of a compound ("vice-president", "week-long")
            own = [lemma for lemma in found[0].lemmas() if lemma.name() == m.group()]
            if not own or own[0].count() < 2:
                continue  # the word's common sense only ("have" is not "rich person")
            # One word for one word: WordNet's phrases ("round" -> "unit of ammunition") are
            # mostly another sense's.
            others = [lemma.name() for lemma in found[0].lemmas() if lemma.name() != m.group() and "_" not in lemma.name()]
            if others:
                options.append((m, others))
        if not options:
            return None
        out = s
        for m, others in sorted(self.rng.sample(options, min(2, len(options))), key=lambda x: -x[0].start()):
            out = out[: m.start()] + self.rng.choice(others) + out[m.end():]
        return out

    def alias(self, s: str, doc: list[str]) -> Optional[str]:
        options = []
        for m in self.names(s):
            before = s[:m.start()].split()[-1:]
            if before and (before[0][:1].isupper() or before[0] in ("the", "of")):
                continue  # the tail of a longer name ("Genghis Khan" at a sentence's start)
            found = self._synsets(m.group(), "n")
            # WordNet's other names for a place or an organisation, or for a name of two words
            # or more; a one-word person's name is too often another person (Apollo: Phoebus).
            if found and found[0].instance_hypernyms() and (" " in m.group() or found[0].lexname() != "noun.person"):
                # Not a longer form ending with the name: WordNet's "Jacob" is Francois Jacob.
                others = [lemma.name().replace("_", " ") for lemma in found[0].lemmas()
                          if lemma.name()[0].isupper() and not lemma.name().replace("_", " ").endswith(m.group())]
                options += [(m, x) for x in others]
            words = m.group().split()
            if 2 <= len(words) <= 3 and not self.is_place(m.group()) and not self._synsets(words[-1].lower()):
                options.append((m, words[-1]))  # "Joseph Dunford" -> "Dunford" (not "Blue Network" -> "Network")
            # "Dunford" -> "Joseph Dunford", where the document names him so
            # (one more word, a given name: not "Siege of Kaifeng", "Golden Gate" or "Central Park")
            longer = {x.group() for d in doc for x in self.names(d)
                      if x.group().endswith(" " + m.group()) and len(x.group().split()) == len(m.group().split()) + 1
                      and self.given_name(x.group().split()[0])}
            options += [(m, x) for x in sorted(longer)]
        if not options:
            return None
        m, new = self.rng.choice(options)
        return self._replace(s, m, new)


def transformations(rules: Rules) -> dict[str, tuple[int, Callable]]:
    """kind -> (label, rule)"""
    out = {k: (1, getattr(rules, k)) for k in CONTRADICTIONS}
    out.update({k: (0, getattr(rules, k)) for k in RESTATEMENTS})
    return out


def claims_for(rules: Rules, doc: list[str], i: int, kinds: list[str], not_stated: float = 1.0) -> Iterator[tuple[str, int, str]]:
    """(claim, label, kind) for the document's sentence ``i``, one per kind that applies, and
    with probability ``not_stated`` a not-stated claim (a nearby sentence of the same document)."""
    table = transformations(rules)
    s = doc[i]
    for kind in kinds:
        label, rule = table[kind]
        claim = rule(s, doc)
        if claim and (claim != s or kind == "same") and len(claim.split()) >= 4:
            yield " ".join(claim.split()), label, kind
    near = [j for j in range(max(0, i - 4), min(len(doc), i + 5)) if j != i and doc[j] != s and len(doc[j].split()) >= 5]
    if near and rules.rng.random() < not_stated:
        yield doc[rules.rng.choice(near)], 2, "other"


def source_for(doc: list[str], i: int, rng: random.Random) -> str:
    """The sentence, and a third of the time its neighbour beside it (an answer citing two)."""
    if rng.random() < 0.33 and len(doc) > 1:
        j = i + 1 if i + 1 < len(doc) and (i == 0 or rng.random() < 0.5) else i - 1
        return " ".join([doc[min(i, j)], doc[max(i, j)]])
    return doc[i]


def squad_documents(split: str) -> Iterator[tuple[str, list[str]]]:
    data = json.loads(SQUAD.read_text())["data"]
    keep = set(split_titles([a["title"] for a in data], split))
    for article in data:
        if article["title"] in keep:
            yield article["title"], [flat(t) for p in article["paragraphs"] for _, _, t in sentences_of(p["context"])]


def debian_documents(rng: random.Random, limit: int) -> Iterator[tuple[str, list[str]]]:
    extract = unpacked()
    root = extract / "usr/share/doc"
    paths = sorted((root / "python3.11/html").rglob("*.html")) + sorted((root / "debian/FAQ").glob("*.en.html"))
    paths = [p for p in paths if not {"_sources", "_static"} & set(p.parts) and not p.name.startswith(("genindex", "search"))]
    rng.shuffle(paths)
    for path, doc in read_pages(paths[:limit]):
        yield path.name, [flat(t) for _, _, t in sentences_of(doc.text)]


def usable(sentence: str) -> bool:
    return 6 <= len(sentence.split()) <= 45 and sentence[-1:] in ".!" and not sentence.startswith(("$", ">>>"))


def bible_chapters() -> Iterator[tuple[str, list[str], list[str]]]:
    """(chapter, its modern verses, the same verses in 1611 English), from train/bible.py."""
    from itertools import groupby

    from bible import verse_pairs

    for chapter, rows in groupby(verse_pairs(), key=lambda row: row[0]):
        rows = list(rows)
        yield chapter, [r[1] for r in rows], [r[2] for r in rows]


def translated_rows(rules: Rules, documents: list[tuple[str, list[str]]], count: int, always: list[str], some: list[str]) -> Iterator[dict]:
    """Rows for ``count`` sentences of ``documents`` round-tripped by Apertium (module
    docstring, "translated"): the translation against the original both ways (supported), and
    ``claims_for``'s changes made on the translation (the kinds ``always`` and two of ``some``),
    against the original."""
    from roundtrip import LANGUAGES, faithful, round_trip

    rng = rules.rng
    chosen = [(d, i) for d, (_, doc) in enumerate(documents) for i, s in enumerate(doc) if usable(s)]
    chosen = sorted(rng.sample(chosen, min(count, len(chosen))))
    languages = [rng.choice(LANGUAGES) for _ in chosen]
    back: dict[tuple[int, int], str] = {}
    for language in LANGUAGES:  # one Apertium call per language for every sentence
        mine = [key for key, lang in zip(chosen, languages) if lang == language]
        back.update(zip(mine, round_trip([documents[d][1][i] for d, i in mine], language)))
    for d, i in chosen:
        name, doc = documents[d]
        original, translated = doc[i], back[(d, i)]
        if not faithful(original, translated) or not usable(translated):
            continue
        moved = doc[:i] + [translated] + doc[i + 1:]
        for claim, sources in ((translated, doc), (original, moved)):
            yield {"claim": claim, "source": source_for(sources, i, rng), "label": 0, "kind": "translated", "group": f"{name}:{i}"}
        for claim, label, kind in claims_for(rules, moved, i, always + rng.sample(some, 2), NOT_STATED_SHARE):
            yield {"claim": claim, "source": source_for(doc, i, rng), "label": label, "kind": kind, "group": f"{name}:{i}"}


def build(out: Path, squad_rounds: int, debian_pages: int, debian_per_page: int, verses: int = 0, seed: int = 11,
          translated: int = 0) -> Counter:
    rng = random.Random(seed)
    rules = Rules(rng)
    # The kinds few sentences allow are tried on every sentence, two others at random.
    rare = ["place", "number", "date", "alias", "name"]
    common = [k for k in CONTRADICTIONS + RESTATEMENTS if k not in rare]
    counts: Counter = Counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    documents = [("squad", t, d, squad_rounds) for t, d in squad_documents("tune")]
    with out.open("w") as f:
        def emit(row: dict) -> None:
            counts[(row["kind"], row["label"])] += 1
            f.write(json.dumps(row) + "\n")

        def write(name: str, doc: list[str], i: int, picked: list[str]) -> None:
            for claim, label, kind in claims_for(rules, doc, i, picked, NOT_STATED_SHARE):
                emit({"claim": claim, "source": source_for(doc, i, rng), "label": label, "kind": kind, "group": f"{name}:{i}"})

        seen: list[tuple[str, list[str]]] = []  # every document, for the translated restatements
        for _, title, doc, rounds in documents:
            seen.append((title, doc))
            chosen = [i for i, s in enumerate(doc) if usable(s)]
            for _ in range(rounds):
                for i in chosen:
                    write(title, doc, i, rare + rng.sample(common, 2))
            print(f"squad {title}: {len(chosen)} sentences, {sum(counts.values())} pairs so far", file=sys.stderr)
        for name, doc in debian_documents(rng, debian_pages):
            seen.append((name, doc))
            chosen = [i for i, s in enumerate(doc) if usable(s)]
            for i in rng.sample(chosen, min(debian_per_page, len(chosen))):
                write(name, doc, i, rare + rng.sample(common, 2))
        print(f"debian: {sum(counts.values())} pairs so far", file=sys.stderr)
        # Real restatements: a verse in one translation against the other (both ways), and
        # the verse with one fact changed against the other translation, so that "contradicted"
        # is learnt as a changed fact, not as a different wording.
        chapters = list(bible_chapters())
        verse_ids = [(c, i) for c, (_, modern, _) in enumerate(chapters) for i, v in enumerate(modern) if usable(v)]
        contradictions = [k for k in CONTRADICTIONS if k not in rare]
        for c, i in sorted(rng.sample(verse_ids, min(verses, len(verse_ids)))):
            chapter, modern, old = chapters[c]
            for claims, sources in ((modern, old), (old, modern)):
                emit({"claim": claims[i], "source": source_for(sources, i, rng), "label": 0, "kind": "restated", "group": f"{chapter}:{i}"})
            claims, sources = (modern, old) if rng.random() < 0.7 else (old, modern)
            for claim, label, kind in claims_for(rules, claims, i, rare + rng.sample(contradictions, 2), NOT_STATED_SHARE):
                emit({"claim": claim, "source": source_for(sources, i, rng), "label": label, "kind": kind, "group": f"{chapter}:{i}"})
        print(f"bible: {sum(counts.values())} pairs so far", file=sys.stderr)
        for row in translated_rows(rules, seen, translated, rare, contradictions):
            emit(row)
        print(f"translated: {sum(counts.values())} pairs so far", file=sys.stderr)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(DATA / "support" / "pairs.jsonl"))
    parser.add_argument("--squad-rounds", type=int, default=2, help="rounds of claims per tune SQuAD sentence")
    parser.add_argument("--debian-pages", type=int, default=700)
    parser.add_argument("--debian-per-page", type=int, default=6)
    parser.add_argument("--verses", type=int, default=4000, help="Bible verses in two translations (train/bible.py)")
    parser.add_argument("--translated", type=int, default=0,
                        help="sentences machine-translated and back by Apertium (train/roundtrip.py; scripts/install-apertium.sh)")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    counts = build(Path(args.out), args.squad_rounds, args.debian_pages, args.debian_per_page, args.verses, args.seed, args.translated)
    for (kind, label), n in sorted(counts.items(), key=lambda x: (x[0][1], x[0][0])):
        print(f"{LABELS[label]}\t{kind}\t{n}")
    print(f"total\t{sum(counts.values())}")


if __name__ == "__main__":
    main()
