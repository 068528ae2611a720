"""Tune the composer on the tune halves: sentence weights and answer length.

    .venv/bin/python bench/tune_composer.py [--holdout-articles 2]

Builds an index over the SQuAD tune articles (minus held-out ones), retrieves evidence for
every question once (SQuAD's own wording, the lay rewrites of bench/lay-squad.json and the
seed set's reader questions, tune halves only), then searches offline:

- sentence weights: how often the top-scored sentence holds a gold answer, averaged over
  the three groups so that questions in a reader's own words count as much as SQuAD's;
- answer length: which KEEP_WITHIN / max sentences / max words put a gold answer in the most
  answers while the median answer stays at most --max-median-words.

Since stop 20 the sentence weights in rag/composers/extractive.py are chosen by bench/tune_weights.py,
which judges whole answers (abstention included) rather than the top-scored sentence; this
script still chooses the answer length. The abstention model is fitted by bench/tune_confidence.py. Prints the best settings; copy
them into rag/composers/extractive.py and confirm with `rag eval --split test`. Nothing here names a
question or an article.
"""

from __future__ import annotations

import argparse
import itertools
import json
import pickle
import random
from pathlib import Path

import numpy as np

from common import DEFAULT_DATASET, ROOT

FEATURES = ["dense", "lexical", "context", "cue"]


def collect(dataset: Path, holdout: int, seed: int, cache: Path, work: Path):
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    from rag import RAG
    from rag.composers import Query
    from rag.composers.extractive import sentence_features
    from rag.eval.squad import Dataset, contains_answer, document_name, split_titles

    data = Dataset.load(dataset)
    titles = split_titles(list(data.articles), "tune")
    held = set(random.Random(seed).sample(titles, holdout))
    rows = []
    docs = work / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    for t in titles:
        if t not in held:
            (docs / document_name(t)).write_text(data.articles[t], encoding="utf-8")
    engine = RAG(docs_dir=docs, index_dir=work / "index")
    engine.ingest(show_progress=True)  # incremental: a second run reuses the index
    retriever = engine.index.retriever()
    def add(group, retriever, question, answers, answerable=True):
        ev = retriever.retrieve(question, top_k=5)
        query = Query.of(question)
        feats = np.array([[sentence_features(query, s, ev)[k] for k in FEATURES] for s in ev.sentences])
        labels = np.array([contains_answer(s.text, answers) for s in ev.sentences])
        words = np.array([len(s.text.split()) for s in ev.sentences])
        rows.append((answerable, feats, labels, words, question, [s.text for s in ev.sentences], group))

    for q in [q for q in data.questions if q.article in titles]:
        add("squad", retriever, q.question, q.answers, q.article not in held)
    # Questions in a reader's own words: the lay rewrites' and the seed set's tune halves.
    by_id = {q.id: q for q in data.questions}
    for r in json.loads((ROOT / "bench" / "lay-squad.json").read_text())["rewrites"]:
        if r["split"] == "tune" and by_id[r["id"]].article not in held:
            add("lay", retriever, r["question"], by_id[r["id"]].answers)
    seed_engine = RAG(docs_dir=ROOT / "seeds", index_dir=work / "seed-index")
    seed_engine.ingest(show_progress=False)
    for q in json.loads((ROOT / "bench" / "seed-questions.json").read_text())["questions"]:
        if q["split"] == "tune" and q["kind"] in ("fact", "why", "how", "list"):
            add("seed", seed_engine.index.retriever(), q["question"], q["answers"])
    cache.write_bytes(pickle.dumps(rows))
    return rows


def top1_accuracy(rows, w: np.ndarray) -> float:
    """Share of answerable questions whose top-scored sentence holds a gold answer, averaged
    over the groups (SQuAD wording, lay rewrites, seed questions), so each counts the same."""
    shares = []
    for group in sorted({r[6] for r in rows}):
        answerable = [r for r in rows if r[0] and r[6] == group and len(r[1])]
        shares.append(sum(bool(labels[int(np.argmax(feats @ w))]) for _, feats, labels, *_ in answerable) / len(answerable))
    return float(np.mean(shares))


def answer_hits(rows, w: np.ndarray, keep_within: float, max_sentences: int, max_words: int):
    """(share of answerable questions whose answer holds a gold answer, median answer words),
    picking sentences as ExtractiveComposer does (same-fact merging aside)."""
    hits, lengths = [], []
    for answerable, feats, labels, words, *_ in rows:
        if not answerable or not len(feats):
            continue
        scores = feats @ w
        order = np.argsort(-scores)
        picked, total = [order[0]], words[order[0]]
        for j in order[1:]:
            if len(picked) >= max_sentences or scores[j] < keep_within * scores[order[0]]:
                break
            if total + words[j] <= max_words:
                picked.append(j)
                total += words[j]
        hits.append(bool(labels[picked].any()))
        lengths.append(total)
    return float(np.mean(hits)), float(np.median(lengths))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--holdout-articles", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/rag-tune-features.pkl"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/rag-tune"), help="documents and index, kept between runs")
    parser.add_argument("--max-median-words", type=float, default=38)
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
    shapes = []
    for keep_within in np.round(np.arange(0.80, 0.96, 0.01), 2):
        for max_sentences in (2, 3, 4, 5):
            for max_words in (60, 80, 100, 120, 150):
                hit, median = answer_hits(rows, w, keep_within, max_sentences, max_words)
                if median <= args.max_median_words:
                    shapes.append((hit, median, keep_within, max_sentences, max_words))
    shapes.sort(reverse=True)
    print(f"\nbest answer length settings (median at most {args.max_median_words:g} words):")
    for hit, median, keep_within, max_sentences, max_words in shapes[:5]:
        print(f"  KEEP_WITHIN {keep_within}, max_sentences {max_sentences}, max_words {max_words}: "
              f"gold answer in {hit:.3f} of answers, median {median:g} words")
    for group in sorted({r[6] for r in rows}):
        print(f"  top-1 on {group}: {top1_accuracy([r for r in rows if r[6] == group], w):.3f}")

if __name__ == "__main__":
    main()
