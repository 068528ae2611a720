"""Ingest throughput of the full pipeline against MiniLM encoding the same texts directly.

    .venv/bin/python bench/ingest_throughput.py [--dataset ../shared/bench/squad-dev-tune.json]

The pipeline reads the files, splits passages and sentences, embeds both, writes Chroma and
builds BM25; the raw run only encodes the same texts with sentence-transformers. The ratio
is the pipeline's overhead.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from common import DEFAULT_DATASET, write_articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    args = parser.parse_args()

    from rag import RAG
    from rag.models import EMBED_BATCH_SIZE, embedder, get_all

    embed_model = embedder()  # load the model outside both timings
    with tempfile.TemporaryDirectory() as tmp:
        write_articles(args.dataset, Path(tmp) / "docs")
        engine = RAG(docs_dir=Path(tmp) / "docs", index_dir=Path(tmp) / "index")
        started = time.perf_counter()
        report = engine.ingest(show_progress=False)
        pipeline_seconds = time.perf_counter() - started
        passages = get_all(engine.collection, ["documents"])["documents"]
        sentences = get_all(engine.sentence_collection, ["documents"])["documents"]
        texts = passages + sentences

    model = embed_model._model  # the SentenceTransformer inside llama-index's wrapper
    started = time.perf_counter()
    # One call, so sentence-transformers sorts all texts by length itself: the fastest it gets.
    model.encode(texts, batch_size=EMBED_BATCH_SIZE, normalize_embeddings=True)
    raw_seconds = time.perf_counter() - started

    print(f"texts embedded: {len(texts)} ({len(passages)} passages + {len(sentences)} sentences)")
    print(f"pipeline: {pipeline_seconds:.1f} s, {len(texts) / pipeline_seconds:.0f} texts/s, {report.passages_added / pipeline_seconds:.1f} passages/s")
    print(f"raw sentence-transformers encode: {raw_seconds:.1f} s, {len(texts) / raw_seconds:.0f} texts/s")
    print(f"pipeline / raw time: {pipeline_seconds / raw_seconds:.2f}x")


if __name__ == "__main__":
    main()
