"""Calibrate the abstention threshold on questions of both kinds (Settings.abstain_threshold).

    .venv/bin/python bench/tune_confidence.py [--fresh]

Abstention must tell "the documents do not say this" from "they say it in other words", so
the composer's confidence (rag/composers/extractive.py) is measured on questions of every kind, all from
the tune halves only:

- SQuAD tune articles: answerable questions in their own wording and in the lay rewrites
  of bench/lay-squad.json; off-corpus questions (2 articles left out); on-topic
  unanswerable questions (15% of the remaining paragraphs left out, keeping only questions
  whose gold answer appears nowhere else in the corpus);
- bench/seed-questions.json, tune split: reader questions and on-topic unanswerable ones.

Prints, for a range of thresholds, the share of each group abstained: answerable groups
should stay low, the others high.
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
from pathlib import Path

import numpy as np

from common import DEFAULT_DATASET, ROOT

HELD_PARAGRAPHS = 0.15


def _confidence(engine, question: str) -> float:
    retriever = engine.index.retriever()
    evidence = retriever.retrieve(question, top_k=engine.settings.top_k)
    from rag.composers import Query

    composer, query = engine.composer, Query.of(question)
    scored = sorted(((composer.score(query, s, evidence), s) for s in evidence.sentences), key=lambda x: -x[0])
    return composer.confidence(query, scored, evidence)


def collect(work: Path, seed: int) -> list[tuple[str, int, float]]:
    from rag import RAG
    from rag.eval.squad import document_name, normalize, split_titles

    rows: list[tuple[str, int, float]] = []
    data = json.loads(DEFAULT_DATASET.read_text())["data"]
    titles = split_titles([a["title"] for a in data], "tune")
    rng = random.Random(seed)
    held_articles = set(rng.sample(titles, 2))
    docs = work / "squad-docs"
    docs.mkdir(parents=True, exist_ok=True)
    kept_text, held_questions, kept_questions, off_questions = [], [], [], []
    for article in data:
        if article["title"] not in titles:
            continue
        if article["title"] in held_articles:
            off_questions += [qa for p in article["paragraphs"] for qa in p["qas"]]
            continue
        paragraphs = []
        for p in article["paragraphs"]:
            if rng.random() < HELD_PARAGRAPHS:
                held_questions += p["qas"]
            else:
                paragraphs.append(p["context"].strip())
                kept_questions += p["qas"]
        text = article["title"].replace("_", " ") + "\n\n" + "\n\n".join(paragraphs) + "\n"
        kept_text.append(normalize(text))
        (docs / document_name(article["title"])).write_text(text, encoding="utf-8")
    corpus = " " + " ".join(kept_text) + " "
    # On the subject but unanswered: the gold answer is nowhere in what was kept.
    on_topic = [qa for qa in held_questions if not any(f" {normalize(a['text'])} " in corpus for a in qa["answers"])]
    engine = RAG(docs_dir=docs, index_dir=work / "squad-index")
    engine.ingest(show_progress=True)
    kept_ids = {qa["id"] for qa in kept_questions}
    on_topic_ids = {qa["id"] for qa in on_topic}
    for group, label, qas in (
        ("squad answerable", 1, rng.sample(kept_questions, min(700, len(kept_questions)))),
        ("squad off-corpus", 0, rng.sample(off_questions, min(300, len(off_questions)))),
        ("squad on-topic unanswerable", 0, on_topic),
    ):
        for qa in qas:
            rows.append((group, label, _confidence(engine, qa["question"])))
    rewrites = json.loads((ROOT / "bench" / "lay-squad.json").read_text())["rewrites"]
    for r in rewrites:
        if r["split"] != "tune":
            continue
        if r["id"] in kept_ids:
            group, label = "lay answerable", 1
        elif r["id"] in on_topic_ids:
            group, label = "lay on-topic unanswerable", 0
        else:
            continue
        rows.append((group, label, _confidence(engine, r["question"])))
    seed_engine = RAG(docs_dir=ROOT / "seeds", index_dir=work / "seed-index")
    seed_engine.ingest(show_progress=False)
    from rag.questions import FACT, HOW, LIST, WHY, read_question

    for q in json.loads((ROOT / "bench" / "seed-questions.json").read_text())["questions"]:
        if q["split"] != "tune" or read_question(q["question"]).kind not in (FACT, WHY, HOW, LIST):
            continue  # summaries and subjects do not abstain by this confidence
        label = 0 if q["kind"] == "unanswerable" else 1
        rows.append(("seed " + ("answerable" if label else "on-topic unanswerable"), label,
                     _confidence(seed_engine, q["question"])))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", type=Path, default=Path("/tmp/rag-tune-confidence"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fresh", action="store_true", help="ask the questions again")
    args = parser.parse_args()
    cache = args.work / "confidences.pkl"
    if cache.exists() and not args.fresh:
        rows = pickle.loads(cache.read_bytes())
    else:
        args.work.mkdir(parents=True, exist_ok=True)
        rows = collect(args.work, args.seed)
        cache.write_bytes(pickle.dumps(rows))
    groups = sorted({g for g, _, _ in rows})
    print(f"{'threshold':>9}  " + "  ".join(f"{g[:22]:>22}" for g in groups))
    for threshold in np.round(np.arange(0.35, 0.56, 0.025), 3):
        shares = [np.mean([c < threshold for gg, _, c in rows if gg == g]) for g in groups]
        print(f"{threshold:>9}  " + "  ".join(f"{s:>22.3f}" for s in shares))
    print("\n(the share of each group abstained; answerable groups should stay low)")

if __name__ == "__main__":
    main()
