"""Ingest time of the full pipeline against the raw fp32 encoder embedding each passage once.

    .venv/bin/python bench/ingest_throughput.py [--dataset ../shared/bench/squad-dev-tune.json]

The pipeline reads the files, splits passages and sentences, embeds the sentences (a
passage's vector is pooled from its sentences'), writes Chroma and builds BM25. The floors
only encode the same passages, once each, in fp32: with sentence-transformers on torch (the
model's reference implementation; needs the `reference` extra, which `make test` installs)
and with the engine's ONNX graph. Model loading is outside every timing.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from common import DEFAULT_DATASET, write_articles


def timed(encode, texts: list[str]) -> float:
    encode(texts[:64])  # warm up: first-call allocations
    started = time.perf_counter()
    encode(texts)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    args = parser.parse_args()

    from rag import RAG
    from rag.embed.encoder import BATCH_SIZE, Encoder, model_dir
    from rag.store.chroma_rows import get_all
    from rag.models import embedder

    embedder()  # load the engine's model outside the timing
    with tempfile.TemporaryDirectory() as tmp:
        write_articles(args.dataset, Path(tmp) / "docs")
        engine = RAG(docs_dir=Path(tmp) / "docs", index_dir=Path(tmp) / "index")
        started = time.perf_counter()
        report = engine.ingest(show_progress=False)
        pipeline = time.perf_counter() - started
        passages = get_all(engine.passage_collection, ["documents"])["documents"]
        sentences = [s.text for s in engine.sentence_store.all()]

    floors = {"ONNX fp32": timed(Encoder("fp32").encode, passages)}
    try:
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(model_dir()), device="cpu")
        # One call: sentence-transformers sorts the texts by length itself, its fastest.
        floors["sentence-transformers fp32"] = timed(
            lambda texts: model.encode(texts, batch_size=BATCH_SIZE, normalize_embeddings=True), passages
        )
    except ImportError:
        print("(sentence-transformers is not installed: `make test-install` adds it)")

    print(f"{report.passages_added} passages and {len(sentences)} sentences stored; pipeline {pipeline:.1f} s "
          f"({report.passages_added / pipeline:.1f} passages/s)")
    for name, seconds in floors.items():
        print(f"raw {name} encoder on the {len(passages)} passages once: {seconds:.1f} s; "
              f"pipeline / that = {pipeline / seconds:.2f}x")


if __name__ == "__main__":
    main()
