"""Tune the composer's sentence weights and its abstention threshold on the tune half of SQuAD.

    .venv/bin/python bench/tune_composer.py [--holdout-articles 2]

Builds an index over the tune articles (minus held-out ones), retrieves evidence for every
question once, then searches weights offline: how often the top-scored sentence holds a
gold answer, and which confidence weights and threshold abstain on off-corpus questions
while keeping answerable ones. Prints the best settings; copy them into rag/compose.py / rag/config.py
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


def top1_accuracy(rows, w: np.ndarray) -> float:
    """Share of answerable questions whose top-scored sentence holds a gold answer."""
    answerable = [r for r in rows if r[0]]
    return sum(bool(labels[int(np.argmax(feats @ w))]) for _, feats, labels, *_ in answerable) / len(answerable)


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
        top1 = top1_accuracy(rows, w)
        results.append((top1, combo))
    results.sort(reverse=True)
    print("best weights by top-1 sentence accuracy (no abstention):")
    for top1, combo in results[:5]:
        print(f"  {dict(zip(FEATURES, combo))}: {top1:.3f}")
    w = np.array(results[0][1])
    # Confidence: the best sentence's features plus the highest dense similarity among the
    # candidates, weighted to abstain on the most off-corpus questions while wrongly
    # abstaining on at most --max-wrong-abstain of the answerable ones.
    best = np.array([np.r_[f[int(np.argmax(f @ w))], f[:, 0].max()] for _, f, *_ in rows])
    answerable = np.array([r[0] for r in rows])
    names = FEATURES + ["best_dense"]
    found = []
    for combo in itertools.product(grid, repeat=len(names)):
        if abs(sum(combo) - 1.0) > 1e-6:
            continue
        conf = best @ np.array(combo)
        threshold = np.sort(conf[answerable])[int(args.max_wrong_abstain * answerable.sum())]
        found.append(((conf[~answerable] < threshold).mean(), combo, threshold))
    found.sort(key=lambda x: -x[0])
    print("\nbest confidence weights (off-corpus abstained at the threshold that wrongly abstains "
          f"on {args.max_wrong_abstain:.0%} of answerable questions):")
    for off, combo, threshold in found[:5]:
        print(f"  {dict(zip(names, combo))}: off-corpus abstained {off:.3f} at threshold {threshold:.3f}")


if __name__ == "__main__":
    main()
