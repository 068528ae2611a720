"""Warm `ask` latency (p50, p95) on the seed corpus, and the cold start of `rag ask` from a shell.

    .venv/bin/python bench/latency.py [--rounds 20]

Uses a temporary index over a copy of seeds/, so the working index is untouched.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, percentile

QUESTIONS = [
    "Who sent the proposal?",
    "On what date was the proposal sent?",
    "What is the UN estimate of the cost of rebuilding Syria?",
    "How many refugees does Jordan host?",
    "Who was the spokeswoman?",
    "What did the memo say about elections?",
    "What is the capital of France?",
    "Why did the proposal get a cold reception in Washington?",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20, help="times each question is asked")
    args = parser.parse_args()

    from rag import RAG

    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "docs"
        shutil.copytree(ROOT / "seeds", docs)
        engine = RAG(docs_dir=docs, index_dir=Path(tmp) / "index")
        engine.ingest(show_progress=False)
        engine.ask(QUESTIONS[0])  # warm up: model, collection, lexical index
        times = []
        for _ in range(args.rounds):
            for q in QUESTIONS:
                t = time.perf_counter()
                engine.ask(q)
                times.append((time.perf_counter() - t) * 1000)
        print(f"warm ask latency over {len(times)} questions: p50 {statistics.median(times):.1f} ms, "
              f"p95 {percentile(times, 0.95):.1f} ms")

        env = {**os.environ, "RAG_DOCS_DIR": str(docs), "RAG_INDEX_DIR": str(Path(tmp) / "index")}
        colds = []
        for _ in range(3):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "rag", "ask", QUESTIONS[0]], env=env, check=True, capture_output=True)
            colds.append(time.perf_counter() - t)
        print(f"cold start, shell to first answer of `rag ask`: median {statistics.median(colds):.2f} s over 3 runs")


if __name__ == "__main__":
    main()
