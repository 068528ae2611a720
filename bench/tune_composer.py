"""Tune the composer's sentence weights and its abstention threshold on the tune half of SQuAD.

    .venv/bin/python bench/tune_composer.py [--holdout-articles 2]

Builds an index over the tune articles (minus held-out ones), retrieves evidence for every
question once, then searches weights offline: how often the top-scored sentence holds a
gold answer, and which confidence threshold abstains on off-corpus questions while keeping
answerable ones. Prints the best settings; copy them into rag/compose.py / rag/config.py
and confirm with `rag eval --split test`. Nothing here names a question or an article.
"""

from __future__ import annotations

import argparse
import itertools
import pickle
import random
from pathlib import Path

import numpy as np

from common import DEFAULT_DATASET

FEATURES = ["dense", "lexical", "context", "cue"]


def collect(dataset: Path, holdout: int, seed: int, cache: Path, work: Path):
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    from rag import RAG
    from rag.compose import sentence_features
    from rag.evaluate import Dataset, contains_answer, split_titles

    data = Dataset.load(dataset)
    titles = split_titles(list(data.articles), "tune")
    held = set(random.Random(seed).sample(titles, holdout))
    rows = []
    if True:
        docs = work / "docs"
        docs.mkdir(parents=True, exist_ok=True)
        for t in titles:
            if t not in held:
                (docs / f"{t}.txt").write_text(data.articles[t], encoding="utf-8")
        engine = RAG(docs_dir=docs, index_dir=work / "index")
        engine.ingest(show_progress=True)  # incremental: a second run reuses the index
        retriever = engine._get_retriever()
        for q in [q for q in data.questions if q.article in titles]:
            ev = retriever.retrieve(q.question, top_k=5)
            feats = np.array([[sentence_features(q.question, s, ev)[k] for k in FEATURES] for s in ev.sentences])
            labels = np.array([contains_answer(s.text, q.answers) for s in ev.sentences])
            words = np.array([len(s.text.split()) for s in ev.sentences])
            rows.append((q.article not in held, feats, labels, words, q.question, [s.text for s in ev.sentences]))
    cache.write_bytes(pickle.dumps(rows))
    return rows


def evaluate(rows, w: np.ndarray, threshold: float):
    answerable = [r for r in rows if r[0]]
    off = [r for r in rows if not r[0]]
    hits = abstained = 0
    for _, feats, labels, *_ in answerable:
        scores = feats @ w
        best = int(np.argmax(scores))
        if scores[best] < threshold:
            abstained += 1
        elif labels[best]:
            hits += 1
    off_abstained = sum(1 for _, feats, *_ in off if (feats @ w).max() < threshold)
    return hits / len(answerable), abstained / len(answerable), off_abstained / max(1, len(off))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--holdout-articles", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/rag-tune-features.pkl"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/rag-tune"), help="documents and index, kept between runs")
    parser.add_argument("--max-wrong-abstain", type=float, default=0.02)
    args = parser.parse_args()
    rows = collect(args.dataset, args.holdout_articles, args.seed, args.cache, args.work)
    grid = np.round(np.arange(0.0, 1.01, 0.1), 2)
    results = []
    for combo in itertools.product(grid, repeat=len(FEATURES)):
        if abs(sum(combo) - 1.0) > 1e-6:
            continue
        w = np.array(combo)
        top1, _, _ = evaluate(rows, w, -1.0)
        results.append((top1, combo))
    results.sort(reverse=True)
    print("best weights by top-1 sentence accuracy (no abstention):")
    for top1, combo in results[:5]:
        print(f"  {dict(zip(FEATURES, combo))}: {top1:.3f}")
    w = np.array(results[0][1])
    print(f"\nthresholds for {dict(zip(FEATURES, results[0][1]))}: accuracy, wrongly abstained, off-corpus abstained")
    best_t = None
    for t in np.arange(0.20, 0.80, 0.01):
        acc, wrong, off = evaluate(rows, w, t)
        if wrong <= args.max_wrong_abstain:
            best_t = (t, acc, wrong, off)
        print(f"  {t:.2f}: {acc:.3f} {wrong:.3f} {off:.3f}")
    if best_t:
        print(f"\nhighest threshold with at most {args.max_wrong_abstain} wrongly abstained: {best_t[0]:.2f} "
              f"(accuracy {best_t[1]:.3f}, wrongly abstained {best_t[2]:.3f}, off-corpus abstained {best_t[3]:.3f})")


if __name__ == "__main__":
    main()
