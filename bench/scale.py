"""Warm query latency (p50, p95) and peak memory at about 1,000, 10,000 and 100,000 passages.

    .venv/bin/python bench/scale.py [--sizes 1000 10000 100000] [--work /tmp/rag-scale]

The 1,000-passage corpus is the SQuAD tuning articles ingested by the normal pipeline.
Larger corpora are made from it synthetically: each copy of every passage and sentence
gets its own id and source and a slightly perturbed embedding (Gaussian noise, then
re-normalised), so Chroma's HNSW index and BM25 hold that many distinct rows without
hours of embedding. Each size is then measured in a fresh process, asking real questions.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from common import DEFAULT_DATASET, peak_rss_mb, percentile, write_articles

NOISE = 0.03  # per-dimension noise before re-normalising; copies stay near their original
BATCH = 4000


def build_base(dataset: Path, work: Path) -> Path:
    from rag import RAG

    base = work / "base"
    if not (base / "index" / "docstore.json").exists():
        write_articles(dataset, base / "docs")
        RAG(docs_dir=base / "docs", index_dir=base / "index").ingest(show_progress=True)
    return base


def build_scaled(base: Path, target: int, work: Path) -> Path:
    """An index with about ``target`` passages made of perturbed copies of the base corpus."""
    from rag.config import Settings
    from rag.models import chroma_collections, get_all
    from rag.retrieve import LexicalIndex

    index = work / f"index-{target}"
    if (index / "bm25" / "meta.json").exists():
        return index
    sources = chroma_collections(Settings(index_dir=base / "index"))
    targets = chroma_collections(Settings(index_dir=index))
    copies = max(1, math.ceil(target / sources[0].count()))
    rng = np.random.default_rng(0)
    started = time.perf_counter()
    for source, collection in zip(sources, targets):  # passages, then sentences
        if collection.count() == copies * source.count():
            continue  # built by an earlier run that stopped before BM25
        rows = get_all(source, ["embeddings", "documents", "metadatas"])
        vectors = np.asarray(rows["embeddings"], dtype=np.float32)
        for copy in range(copies):
            moved = vectors if copy == 0 else vectors + rng.normal(0, NOISE, vectors.shape).astype(np.float32)
            moved /= np.linalg.norm(moved, axis=1, keepdims=True)
            ids = [f"{i}~{copy}" for i in rows["ids"]]
            metas = []
            for m in rows["metadatas"]:
                m = {k: v for k, v in m.items() if not k.startswith("_")}
                m["source"] = f"{m['source']}~{copy}"
                if "passage_id" in m:
                    m["passage_id"] = f"{m['passage_id']}~{copy}"
                metas.append(m)
            for lo in range(0, len(ids), BATCH):
                collection.add(ids=ids[lo:lo + BATCH], embeddings=moved[lo:lo + BATCH],
                               documents=rows["documents"][lo:lo + BATCH], metadatas=metas[lo:lo + BATCH])
        print(f"  {target}: {collection.count():,} rows in {collection.name} ({time.perf_counter() - started:.0f}s)", flush=True)
    LexicalIndex.build(targets[0], index / "bm25")
    return index


def measure(index: Path, questions: list[str]) -> dict:
    """Runs in a fresh process: open the index, warm up, time every question, report peak RSS."""
    from rag import RAG

    engine = RAG(docs_dir=index / "no-docs", index_dir=index)
    started = time.perf_counter()
    engine.ask(questions[0])
    first = time.perf_counter() - started
    times = []
    for q in questions:
        t = time.perf_counter()
        engine.ask(q)
        times.append((time.perf_counter() - t) * 1000)
    return {"passages": engine.status().passages, "first_ask_s": round(first, 2),
            "p50_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 0.95), 1),
            "peak_rss_mb": round(peak_rss_mb())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--work", type=Path, default=Path("/tmp/rag-scale"))
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # internal: the child process
    args = parser.parse_args()

    if args.measure:
        print(json.dumps(measure(args.measure, json.loads(sys.stdin.read()))))
        return
    base = build_base(args.dataset, args.work)
    questions = [q.question for q in write_articles(args.dataset, args.work / "base" / "docs")][:: 37][: args.questions]
    print(f"| passages | first ask | warm p50 | warm p95 | peak RSS |\n|---|---|---|---|---|")
    for size in args.sizes:
        index = build_scaled(base, size, args.work)
        child = subprocess.run(
            [sys.executable, __file__, "--measure", str(index)], input=json.dumps(questions),
            capture_output=True, text=True, check=True,
        )
        r = json.loads(child.stdout.strip().splitlines()[-1])
        print(f"| {r['passages']:,} | {r['first_ask_s']} s | {r['p50_ms']} ms | {r['p95_ms']} ms | {r['peak_rss_mb']} MB |", flush=True)


if __name__ == "__main__":
    main()
