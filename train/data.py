"""Training pairs for the reading model: (question, candidate sentence, the sentence before
it, the document's title) -> 1 when the sentence answers the question, else 0.

    git clone https://github.com/rajpurkar/SQuAD-explorer /path/to/SQuAD-explorer      # once
    .venv/bin/python train/squad_explorer.py /path/to/SQuAD-explorer                # once
    .venv/bin/python train/data.py [--out bench-data/reader/pairs.jsonl]

The defaults make the shipped model's first-stage data (86,454 pairs: every source below);
its second stage (more SQuAD questions, and a share of the first stage's replayed) is

    .venv/bin/python train/data.py --sources squad-train,squad2-unanswerable --seed 14 \
        --limit-explorer 8000 --limit-unanswerable 1200 \
        --replay bench-data/reader/pairs-all.jsonl --replay-share 0.45 --out bench-data/reader/pairs-more.jsonl

A third stage, tried and not shipped (docs/reading-model.md has its figures), asks SQuAD
train questions in other words as well (``reworded``; needs Apertium:
scripts/install-apertium.sh):

    .venv/bin/python train/data.py --sources squad-train,reworded,squad2-unanswerable --seed 15 \
        --limit-explorer 3500 --limit-unanswerable 800 \
        --replay bench-data/reader/pairs-more.jsonl --replay-share 0.25 --out bench-data/reader/pairs-reworded.jsonl

(the commands that train on each: rag/embed/reader-int8.md).

Every source installs offline, and none is a half anything is measured on:

- ``squad``: the *tune* articles of ``../shared/bench/squad-dev-tune.json`` (SQuAD v1.1 dev,
  CC BY-SA 4.0; ``rag.eval.squad.split_titles``). The positive is the sentence holding the gold
  answer; negatives are the paragraph's other sentences and the article's sentences closest
  to the question in meaning (what retrieval would hand the reader).
- ``lay``: the hand-written lay rewrites of those same tune questions (bench/lay-squad.json,
  tune split only), paired like their originals: the wording people use.
- ``cloze``: questions made from real sentences of Debian's manuals (the Python 3.11
  documentation, PSF licence): a name, number or date replaced by a question word (Lewis et
  al. 2019's cloze-to-question, identity mapping, with word dropout so the question is not the
  sentence verbatim). Negatives: the sentences around it and the document's closest ones.
- ``faq``: real questions with their answers, from the Debian FAQ (``debian-faq``, GPL-2+) and
  the Python FAQ (``python3.11-doc``, PSF): a section headed by a question; its first
  statement answers it.
- ``squad-train``: questions of SQuAD v1.1's *train* articles (one a paragraph, drawn at
  random; CC BY-SA 4.0), read from the public SQuAD explorer's pages by
  ``train/squad_explorer.py``: people's questions on 440 other articles, paired as ``squad``.
- ``squad2-unanswerable``: SQuAD 2.0 dev questions their paragraph does not answer, written
  by people to look answerable (CC BY-SA 4.0; the 35 SQuAD 2.0 dev articles, none of them in
  squad-dev-tune.json): every sentence of the paragraph and the article's closest ones are
  negatives.
- ``reworded``: the ``squad-train`` questions of the same run asked in other words, the way
  people ask who do not copy the text: each sent through Apertium into Catalan or Spanish and
  back (train/roundtrip.py; a trip that loses a number, a name or the question word is not
  used), then up to two of its words replaced by a WordNet synonym (train/wordnet.py),
  so that fewer of its words are the answer sentence's ("How many persons were murdered in
  the struggle?"). Paired like their originals.
- ``clapnq``: Natural Questions search queries, written without the passage in view, with
  the sentences that answer them marked by annotators (CLAPNQ, Rosenthal et al. 2024,
  Apache-2.0; its Wikipedia passages CC BY-SA; ``train/clapnq.py`` reads a clone of
  ``primeqa/clapnq``): the dev tune half with its passage (positives: the sentences every
  annotator selected; negatives: the ones none did; its on-topic unanswerable questions:
  every sentence), and the train questions, whose passages are too large a file to fetch:
  the sentences of their written answer as positives, the closest sentences of other
  pages' answers as negatives, and the unanswerable train questions against those too.
- ``swap``: unanswerable on-topic questions, as SQuAD 2.0 makes them: a name or number of a
  squad or cloze question replaced by another one of the same document, so its positive no
  longer answers it (label 0) although it shares nearly every word.

Each line of the output: {"q", "s", "prev", "title", "label", "source", "group"}; ``group``
names the question, so the trainer can keep a question's pairs in one half.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.eval.squad import split_titles  # noqa: E402
from rag.text import MONTHS, is_fragment, sentence_spans  # noqa: E402

SQUAD = ROOT.parent / "shared" / "bench" / "squad-dev-tune.json"
LAY = ROOT / "bench" / "lay-squad.json"
DATA = ROOT / "bench-data"
SQUAD_EXPLORER = DATA / "squad-explorer"
CLAPNQ = DATA / "clapnq"
PACKAGES = ("python3.11-doc", "debian-faq")
CLOSE_NEGATIVES = 3  # the document's sentences closest to the question, besides the neighbours
NEIGHBOUR_NEGATIVES = 3
SOURCES = ("squad", "lay", "cloze", "faq", "squad-train", "squad2-unanswerable", "reworded", "clapnq")  # swaps come with squad and cloze
FIRST_STAGE = SOURCES[:-2]  # the default: the first stage's sources (reworded needs Apertium, clapnq a clone)
SWAP_SHARE = 0.35  # of squad and cloze questions also asked with a name or number swapped

_NAME = re.compile(r"\b[A-Z][a-zA-Z]+(?:\s+(?:of\s+|de\s+|the\s+)?[A-Z][a-zA-Z]+){0,3}")
_YEAR = re.compile(r"\b(?:1[5-9]|20)\d\d\b")
_DATE = re.compile(rf"\b(?:(?:{MONTHS})\s+\d{{1,2}}(?:,\s*\d{{4}})?|\d{{1,2}}\s+(?:{MONTHS})(?:\s+\d{{4}})?|(?:{MONTHS})\s+\d{{4}})\b")
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)?(?:\s*(?:%|percent|million|billion|thousand))?\s+([a-z]{3,})\b")
_WORD = re.compile(r"\S+")


def sentences_of(text: str) -> list[tuple[int, int, str]]:
    return [(s, e, text[s:e]) for s, e in sentence_spans(text)]


def flat(text: str) -> str:
    return " ".join(text.split())


# --- squad and lay ---------------------------------------------------------------------


def squad_items(rng: random.Random, data: list[dict] | None = None, per_paragraph: int = 0,
                impossible: bool = False) -> Iterator[dict]:
    """{"q", "pos", "doc": [(sentence, prev)], "title", "neighbours", "id"}: by default the
    tune articles of squad-dev-tune.json, every question; or the articles given, at most
    ``per_paragraph`` questions a paragraph, and with ``impossible`` only the questions the
    paragraph does not answer (SQuAD 2.0), whose "pos" is None."""
    if data is None:
        data = json.loads(SQUAD.read_text())["data"]
        tune = set(split_titles([a["title"] for a in data], "tune"))
        data = [a for a in data if a["title"] in tune]
    for article in data:
        title = article["title"].replace("_", " ")
        doc: list[tuple[str, str]] = []
        paragraphs = []
        for para in article["paragraphs"]:
            spans = sentences_of(para["context"])
            first = len(doc)
            for i, (_, _, s) in enumerate(spans):
                doc.append((flat(s), flat(spans[i - 1][2]) if i else (doc[-1][0] if doc else "")))
            paragraphs.append((para, spans, first))
        for para, spans, first in paragraphs:
            qas = [qa for qa in para["qas"] if qa.get("is_impossible", False) == impossible]
            if per_paragraph:
                qas = rng.sample(qas, min(per_paragraph, len(qas)))
            for qa in qas:
                hit = None
                if not impossible:
                    start = qa["answers"][0]["answer_start"]
                    hit = next((i for i, (s, e, _) in enumerate(spans) if s <= start < e), None)
                    if hit is None:
                        continue
                yield {
                    "id": qa["id"], "q": qa["question"], "title": title, "pos": None if hit is None else first + hit,
                    "doc": doc, "neighbours": [first + i for i in range(len(spans)) if i != hit],
                    "answer": qa["answers"][0]["text"] if qa["answers"] else "",
                }


def explorer_items(rng: random.Random, split: str, limit: int, impossible: bool = False) -> list[dict]:
    """Up to ``limit`` questions of a SQuAD explorer split (train/squad_explorer.py), one a
    paragraph, drawn at random."""
    path = SQUAD_EXPLORER / f"{split}.json"
    if not path.exists():
        raise SystemExit(f"{path} is missing: run train/squad_explorer.py on a clone of SQuAD-explorer first")
    items = list(squad_items(rng, json.loads(path.read_text())["data"], per_paragraph=1, impossible=impossible))
    return rng.sample(items, min(limit, len(items)))


_QUESTION_WORD = re.compile(r"\b(who|whom|whose|what|which|when|where|why|how)\b", re.I)


def clapnq_items(folder: Path = CLAPNQ) -> list[dict]:
    """CLAPNQ's questions (train/clapnq.py): the dev tune half with its passage (positives: the
    sentences every annotator selected; negatives: the ones none did, and on-topic unanswerable
    questions' sentences), and the train questions, whose passages cannot be had here: their
    answer's sentences are the positives, and the negatives are the sentences of other pages'
    answers closest to the question (one pool for all, as retrieval would bring them)."""
    if not (folder / "dev.jsonl").exists():
        raise SystemExit(f"{folder} is missing: run train/clapnq.py on a clone of primeqa/clapnq first")
    load = lambda name: [json.loads(line) for line in (folder / name).open()]  # noqa: E731
    items = []
    for r in load("dev.jsonl"):
        if r["split"] != "tune" or (r["partly"] and not r["answer"]):
            continue  # the test half is bench/clapnq-dev.json's; no agreement: neither kind
        doc = [(s, r["sentences"][i - 1] if i else "") for i, s in enumerate(r["sentences"])]
        marked = set(r["answer"]) | set(r["partly"])
        items.append({"id": "clapnq:" + r["id"], "q": r["q"], "title": r["title"], "doc": doc,
                      "pos": r["answer"][0] if r["answer"] else None, "also": r["answer"][1:], "barred": r["partly"],
                      "neighbours": [i for i in range(len(doc)) if i not in marked]})
    pool: list[tuple[str, str]] = []
    page_of: list[str] = []
    answerable = load("train-answerable.jsonl")
    spans = []
    for r in answerable:
        spans.append(range(len(pool), len(pool) + len(r["sentences"])))
        pool += [(s, r["sentences"][i - 1] if i else "") for i, s in enumerate(r["sentences"])]
        page_of += [r["page"]] * len(r["sentences"])
    by_page: dict[str, list[int]] = {}
    for i, page in enumerate(page_of):
        by_page.setdefault(page, []).append(i)
    for r, own in zip(answerable, spans):
        items.append({"id": "clapnq:" + r["id"], "q": r["q"], "title": "", "doc": pool, "pos": own[0],
                      "also": list(own[1:]), "barred": by_page.get(r["page"], []), "neighbours": []})
    for r in load("train-unanswerable.jsonl"):
        items.append({"id": "clapnq:" + r["id"], "q": r["q"], "title": "", "doc": pool, "pos": None, "neighbours": []})
    return items


def reworded_items(items: list[dict], rng: random.Random) -> list[dict]:
    """The items asked in other words: a round trip through Apertium (Catalan or Spanish, at
    random), then WordNet synonyms for up to two words. Where the round trip loses a number, a
    name or the question word, the synonyms alone; an item neither changes is left out."""
    from roundtrip import faithful, round_trip
    from support_data import Rules

    rules = Rules(rng)
    languages = [rng.choice(("cat", "spa")) for _ in items]
    back: dict[int, str] = {}
    for language in ("cat", "spa"):
        chosen = [i for i, x in enumerate(languages) if x == language]
        back.update(zip(chosen, round_trip([items[i]["q"] for i in chosen], language)))
    out = []
    for i, item in enumerate(items):
        q, again = item["q"], back[i]
        kept = [w.lower() for w in _QUESTION_WORD.findall(q)][:1]
        if not faithful(q, again) or kept != [w.lower() for w in _QUESTION_WORD.findall(again)][:1]:
            again = q  # the trip broke the question: synonyms alone
        again = rules.synonym(again, []) or again
        if again != q:
            out.append({**item, "q": again, "id": item["id"] + ":reworded"})
    return out


def lay_rewrites() -> dict[str, str]:
    spec = json.loads(LAY.read_text())
    return {r["id"]: r["question"] for r in spec["rewrites"] if r["split"] == "tune"}


# --- Debian: FAQ and cloze ---------------------------------------------------------------


def debian_packages(packages: tuple[str, ...], home: Path) -> Path:
    """Debian's ``packages``, downloaded with ``apt-get download`` into home/debs and unpacked
    under ``home`` once (no root needed). Returns ``home``, the root of the unpacked tree."""
    import subprocess

    debs = home / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    for package in packages:
        if not list(debs.glob(f"{package}_*.deb")):
            subprocess.run(["apt-get", "download", package], cwd=debs, check=True, capture_output=True)
        marker = home / f".{package}.unpacked"
        if not marker.exists():
            for deb in debs.glob(f"{package}_*.deb"):
                subprocess.run(["dpkg-deb", "-x", str(deb), str(home)], check=True)
            marker.touch()
    return home


def unpacked() -> Path:
    """The manuals' packages, downloaded and unpacked once under bench-data/ (as the benches do)."""
    return debian_packages(PACKAGES, DATA / "extract-train")


def read_pages(paths: list[Path]) -> Iterator[tuple[Path, object]]:
    from rag.readers import UnreadableDocument, read_document

    for path in paths:
        if path.is_symlink():
            continue
        try:
            yield path, read_document(path.name, path.read_bytes())
        except UnreadableDocument:
            continue


def faq_items(extract: Path) -> Iterator[dict]:
    """Sections headed by a question; the section's first statement is the answer."""
    root = extract / "usr/share/doc"
    paths = sorted((root / "debian/FAQ").glob("*.html")) + sorted((root / "python3.11/html/faq").glob("*.html"))
    seen_pages = set()
    for path, doc in read_pages(paths):
        name = path.name.replace(".en.html", ".html")
        if name in seen_pages and "debian" in str(path):
            continue  # the .en.html pages repeat the .html ones
        seen_pages.add(name)
        spans = sentences_of(doc.text)
        items = []
        for k, (offset, heading) in enumerate(doc.sections):
            question = re.sub(r"^[\d.]+\s*", "", heading).strip()
            if not question.endswith("?") or len(question.split()) < 4:
                continue
            end = doc.sections[k + 1][0] if k + 1 < len(doc.sections) else len(doc.text)
            # The answer's first statement: not the heading repeated, not a question.
            body = [i for i, (s, e, t) in enumerate(spans) if offset <= s < end and question not in flat(t)
                    and not flat(t).endswith("?") and not is_fragment(t) and len(t.split()) >= 4]
            if body:
                items.append((question, body[0]))
        doc_sentences = [(flat(t), flat(spans[i - 1][2]) if i else "") for i, (_, _, t) in enumerate(spans)]
        for question, answer in items:
            yield {
                "id": f"faq:{path.name}:{answer}", "q": question, "title": doc.title, "pos": answer,
                "doc": doc_sentences, "neighbours": [j for _, j in items if j != answer][:NEIGHBOUR_NEGATIVES * 2],
            }


def cloze_items(extract: Path, rng: random.Random, limit: int) -> Iterator[dict]:
    """A statement's name, number or date replaced by a question word."""
    root = extract / "usr/share/doc/python3.11/html"
    paths = [p for p in sorted(root.rglob("*.html")) if not {"_sources", "_static", "faq"} & set(p.parts)
             and not p.name.startswith(("genindex", "search", "py-modindex"))]
    rng.shuffle(paths)
    made = 0
    for path, doc in read_pages(paths):
        spans = sentences_of(doc.text)
        doc_sentences = [(flat(t), flat(spans[i - 1][2]) if i else "") for i, (_, _, t) in enumerate(spans)]
        chosen = [i for i, (s, _) in enumerate(doc_sentences) if 8 <= len(s.split()) <= 45 and s.endswith(".")]
        rng.shuffle(chosen)
        for i in chosen[: max(2, len(chosen) // 8)]:
            q = cloze_question(doc_sentences[i][0], rng)
            if q is None:
                continue
            yield {
                "id": f"cloze:{path.name}:{i}", "q": q, "title": doc.title, "pos": i, "doc": doc_sentences,
                "neighbours": [j for j in range(i - NEIGHBOUR_NEGATIVES, i + NEIGHBOUR_NEGATIVES + 1)
                               if j != i and 0 <= j < len(doc_sentences)],
            }
            made += 1
            if made >= limit:
                return


def cloze_question(sentence: str, rng: random.Random) -> str | None:
    """"Python 3.11 was released in 2022." -> "python 3.11 was released in when?" (with a
    few words dropped), or None when the sentence has no span to ask for."""
    options = []
    for m in _DATE.finditer(sentence):
        options.append((m.start(), m.end(), "when"))
    for m in _YEAR.finditer(sentence):
        options.append((m.start(), m.end(), "what year"))
    for m in _NUMBER.finditer(sentence):
        options.append((m.start(), m.start(1), "how many"))
    for m in _NAME.finditer(sentence):
        if m.start() > 0 and len(m.group().split()) <= 4:
            options.append((m.start(), m.end(), rng.choice(["what", "which", "who"])))
    if not options:
        return None
    start, end, wh = rng.choice(options)
    words = (sentence[:start] + " " + wh.upper() + " " + sentence[end:]).rstrip(" .").split()
    # Word dropout: a question is seldom the sentence word for word.
    kept = [w for w in words if w.isupper() and w.lower() in wh.split() or rng.random() > 0.15]
    text = " ".join(kept)
    for w in wh.split():
        text = text.replace(w.upper(), w, 1)
    return (text[:1].upper() + text[1:] + "?") if len(kept) >= 5 else None


# --- swaps and pairs -----------------------------------------------------------------------


def swapped(question: str, doc: list[tuple[str, str]], positive: str, rng: random.Random) -> str | None:
    """The question with one of its names or numbers replaced by another the document uses
    but the positive sentence (and the one before it) does not."""
    names = [m for m in _NAME.finditer(question) if m.start() > 0]
    numbers = list(re.finditer(r"\b\d[\d,.]*\b", question))
    targets = names + numbers
    if not targets:
        return None
    m = rng.choice(targets)
    is_number = m.group()[0].isdigit()
    pool = Counter()
    for s, _ in rng.sample(doc, min(len(doc), 200)):
        found = re.findall(r"\b\d[\d,.]*\d\b|\b\d\b", s) if is_number else [x.group() for x in _NAME.finditer(s) if x.start() > 0]
        pool.update(found)
    lowered = positive.lower()
    choices = [x for x in pool if x.lower() not in lowered and x.lower() not in question.lower() and x != m.group()]
    if not choices:
        return None
    return question[: m.start()] + rng.choice(choices) + question[m.end():]


def pairs_of(item: dict, closest: list[int], source: str, rng: random.Random) -> Iterator[dict]:
    doc, pos = item["doc"], item["pos"]
    group = re.sub(r":(?:lay|reworded)$", "", item["id"])  # a rewording in the same half as its original

    def pair(q: str, i: int, label: int, kind: str) -> dict:
        return {"q": q, "s": doc[i][0], "prev": doc[i][1], "title": item["title"], "label": label,
                "source": kind, "group": group}

    # an unanswerable question has no positive; a CLAPNQ one may have several ("also"), and
    # sentences that may answer it without being marked ("barred") are never its negatives
    positives = [] if pos is None else [pos, *item.get("also", ())]
    answers = {doc[i][0] for i in positives}
    barred = set(positives) | set(item.get("barred", ()))
    for i in positives:
        yield pair(item["q"], i, 1, source)
    negatives = rng.sample(item["neighbours"], min(NEIGHBOUR_NEGATIVES, len(item["neighbours"])))
    negatives += [i for i in closest if i not in barred and i not in negatives and doc[i][0] not in answers][:CLOSE_NEGATIVES]
    for i in negatives:
        if doc[i][0] not in answers:
            yield pair(item["q"], i, 0, source)
    if source in ("squad", "squad-train", "reworded", "cloze") and rng.random() < SWAP_SHARE:
        q = swapped(item["q"], doc, doc[pos][0] + " " + doc[pos][1], rng)
        if q:
            yield pair(q, pos, 0, "swap")
            for i in negatives[:2]:
                yield pair(q, i, 0, "swap")


def closest_sentences(encoder, items: list[dict], k: int) -> list[list[int]]:
    """For each item, the ``k`` + 1 sentences of its document closest to its question."""
    import numpy as np

    vectors: dict[int, "np.ndarray"] = {}
    out = []
    questions = encoder.encode([it["q"] for it in items])
    for it, qv in zip(items, questions):
        key = id(it["doc"])
        if key not in vectors:
            vectors[key] = encoder.encode([s for s, _ in it["doc"]])
        scores = vectors[key] @ qv
        out.append([int(i) for i in np.argsort(-scores)[: k + 1]])
    return out


def build(out: Path, limit_cloze: int, seed: int = 13, sources: tuple[str, ...] = FIRST_STAGE,
          limit_explorer: int = 5000, limit_unanswerable: int = 1000) -> Counter:
    from rag.embed.encoder import Encoder

    rng = random.Random(seed)
    encoder = Encoder("int8")
    counts: Counter = Counter()
    batches: list[tuple[str, list[dict]]] = []
    if "squad" in sources or "lay" in sources:
        squad = list(squad_items(rng))
        if "squad" in sources:
            batches.append(("squad", squad))
        if "lay" in sources:
            lay = lay_rewrites()
            batches.append(("lay", [{**it, "q": lay[it["id"]], "id": it["id"] + ":lay"} for it in squad if it["id"] in lay]))
    if "squad-train" in sources or "reworded" in sources:
        train_items = explorer_items(rng, "train-v1.0", limit_explorer)
        if "squad-train" in sources:
            batches.append(("squad-train", train_items))
        if "reworded" in sources:
            batches.append(("reworded", reworded_items(train_items, rng)))
    if "squad2-unanswerable" in sources:
        batches.append(("squad2-unanswerable", explorer_items(rng, "dev-v2.0", limit_unanswerable, impossible=True)))
    if "faq" in sources or "cloze" in sources:
        extract = unpacked()
        if "faq" in sources:
            batches.append(("faq", list(faq_items(extract))))
        if "cloze" in sources:
            batches.append(("cloze", list(cloze_items(extract, rng, limit_cloze))))
    if "clapnq" in sources:  # last, so that adding it leaves the other sources' pairs as they were
        batches.append(("clapnq", clapnq_items()))
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w") as f:
        for source, items in batches:
            print(f"{source}: {len(items)} questions", file=sys.stderr)
            for item, closest in zip(items, closest_sentences(encoder, items, CLOSE_NEGATIVES * 2)):
                for p in pairs_of(item, closest, source, rng):
                    counts[(p["source"], p["label"])] += 1
                    f.write(json.dumps(p) + "\n")
    return counts


def replay(earlier: Path, out: Path, share: float, seed: int) -> Counter:
    """Append ``share`` of ``earlier``'s questions (all pairs of each, every source) to ``out``."""
    rows = [json.loads(line) for line in earlier.open()]
    groups = sorted({r["group"] for r in rows})
    kept = set(random.Random(seed).sample(groups, int(len(groups) * share)))
    counts: Counter = Counter()
    with out.open("a") as f:
        for r in rows:
            if r["group"] in kept:
                counts[("replay-" + r["source"], r["label"])] += 1
                f.write(json.dumps(r) + "\n")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(DATA / "reader" / "pairs.jsonl"))
    parser.add_argument("--limit-cloze", type=int, default=5000)
    parser.add_argument("--limit-explorer", type=int, default=5000,
                        help="SQuAD train questions drawn (one a paragraph)")
    parser.add_argument("--limit-unanswerable", type=int, default=1000,
                        help="SQuAD 2.0 unanswerable questions drawn (one a paragraph)")
    parser.add_argument("--sources", default=",".join(FIRST_STAGE),
                        help=f"comma-separated, or all: {', '.join(SOURCES)}")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--replay", default="",
                        help="an earlier pairs file: a share of its questions is copied in, so a model trained "
                             "further on this data (train/reader.py --init) does not forget them")
    parser.add_argument("--replay-share", type=float, default=0.45)
    args = parser.parse_args()
    sources = SOURCES if args.sources == "all" else tuple(args.sources.split(","))
    unknown = set(sources) - set(SOURCES)
    if unknown:
        parser.error(f"unknown sources {', '.join(sorted(unknown))}: choose from {', '.join(SOURCES)}")
    counts = build(Path(args.out), args.limit_cloze, args.seed, sources, args.limit_explorer, args.limit_unanswerable)
    if args.replay:
        counts += replay(Path(args.replay), Path(args.out), args.replay_share, args.seed)
    for (source, label), n in sorted(counts.items()):
        print(f"{source}\tlabel {label}\t{n}")
    print(f"total\t{sum(counts.values())}")


if __name__ == "__main__":
    main()
