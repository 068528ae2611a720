"""Where a question's time goes, warm and cold, each against its floor measured in the same run.

    .venv/bin/python bench/latency.py [--rounds 20] [--index DIR --docs DIR]

Warm: p50 / p95 of `RAG.ask` over a few questions, the floor being one question's embedding
(the encoder the engine uses, and the fp32 one), and a profile of the stages of a warm ask
(question embedding, each Chroma call, BM25, composing; the rest is the engine's own work).
Cold: a fresh process from the shell to the first answer of `rag ask` against
`python -c "import chromadb, numpy"`, with the stages of that start; and `rag serve` from
the shell to its page. By default on a temporary index over a copy of seeds/; ``--index``
(and ``--docs``) measures an existing index instead, e.g. the real corpus of
bench/real_corpus.py.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
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

# A fresh process's first answer, stage by stage (run as a child; prints JSON).
COLD_STAGES = r"""
import json, sys, time
t0 = time.perf_counter(); marks = {}
def mark(name):
    marks[name] = round(time.perf_counter() - t0, 3)
from rag.engine import RAG
mark("import the engine")
engine = RAG()
from rag.models import embedder
embedder(); mark("load the encoder (ONNX Runtime session, tokenizer)")
engine.storage; mark("open Chroma")
engine.index.retriever(); mark("load BM25 and the manifest")
engine.ask(sys.argv[1]); mark("first ask")
print(json.dumps(marks))
"""


class Timed:
    """Forwards to ``target``, adding each call's time of the named methods to ``spent``."""

    def __init__(self, target, label: str, methods: tuple[str, ...], spent: dict):
        self._target, self._label, self._methods, self._spent = target, label, methods, spent

    def __getattr__(self, name):
        value = getattr(self._target, name)
        if name not in self._methods:
            return value

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return value(*args, **kwargs)
            finally:
                self._spent[f"{self._label}.{name}"].append(time.perf_counter() - started)

        return timed


def seconds(command: list[str], env: dict, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def per_question_ms(call, rounds: int) -> list[float]:
    """Milliseconds of ``call(question)`` for each question, ``rounds`` times, after one warm-up."""
    call(QUESTIONS[0])  # warm up: model, collections, lexical index
    times = []
    for _ in range(rounds):
        for q in QUESTIONS:
            started = time.perf_counter()
            call(q)
            times.append((time.perf_counter() - started) * 1000)
    return times


def warm(engine, rounds: int) -> None:
    from rag.embed.encoder import Encoder
    from rag.models import embedder

    times = per_question_ms(engine.ask, rounds)
    floors = {
        name: statistics.median(per_question_ms(encoder.encode_one, rounds))
        for name, encoder in (("engine's encoder (int8)", embedder()), ("fp32 encoder", Encoder("fp32")))
    }
    p50 = statistics.median(times)
    print(f"warm ask over {len(times)} questions: p50 {p50:.1f} ms, p95 {percentile(times, 0.95):.1f} ms")
    for name, floor in floors.items():
        print(f"  one question's embedding, {name}: p50 {floor:.2f} ms; ask p50 / that = {p50 / floor:.1f}")
    # The least any answer can cost with Chroma as the vector store: the embedding plus one
    # Chroma query that returns nothing (no ids, texts or distances). Chroma's per-call cost
    # does not depend on the collection's size much, so on a small collection this alone
    # decides whether "1.5 times one embedding" is reachable.
    embedding = floors["engine's encoder (int8)"]
    collection = engine.index.retriever().passages
    vector = embedder().encode_one(QUESTIONS[0])
    bare = statistics.median(per_question_ms(
        lambda _q: collection.query(query_embeddings=[vector], n_results=20, include=[]), rounds))
    print(f"  one Chroma query returning nothing: p50 {bare:.2f} ms; embedding + that = "
          f"{(embedding + bare) / embedding:.2f}x one embedding, before any retrieval or composing")

    # The profile: the same questions again with the stages timed.
    retriever = engine.index.retriever()
    spent: dict[str, list[float]] = defaultdict(list)
    retriever.passages = Timed(retriever.passages, "Chroma passages", ("query", "get"), spent)
    retriever.sentences = Timed(retriever.sentences, "sentence table", ("vectors_of", "sentences"), spent)
    retriever.embed_model = Timed(retriever.embed_model, "embedding", ("encode_one",), spent)
    if retriever.lexical is not None:
        retriever.lexical = Timed(retriever.lexical, "BM25", ("search",), spent)
    if getattr(engine.composer, "reader", None) is not None:  # counted inside composing too
        engine.composer.reader = Timed(engine.composer.reader, "reading model (in composing)", ("score",), spent)
    engine.composer = Timed(engine.composer, "composing", ("compose",), spent)
    total = 0.0
    asked = 0
    for _ in range(max(1, rounds // 4)):
        for q in QUESTIONS:
            started = time.perf_counter()
            engine.ask(q)
            total += time.perf_counter() - started
            asked += 1
    print(f"  profile of a warm ask (mean over {asked} questions, {total / asked * 1000:.1f} ms in all):")
    accounted = 0.0
    for stage, calls in sorted(spent.items(), key=lambda item: -sum(item[1])):
        accounted += 0 if "(in " in stage else sum(calls)
        print(f"    {stage:<28} {sum(calls) / asked * 1000:6.2f} ms  ({len(calls) / asked:.1f} calls)")
    print(f"    {'the engine (the rest)':<28} {(total - accounted) / asked * 1000:6.2f} ms")


def cold(env: dict) -> None:
    floor = seconds([sys.executable, "-c", "import chromadb, numpy"], env)
    ask = seconds([sys.executable, "-m", "rag", "ask", QUESTIONS[0]], env)
    print(f"cold `rag ask`: median {ask:.2f} s; `import chromadb, numpy`: {floor:.2f} s; ratio {ask / floor:.1f}")
    done = subprocess.run([sys.executable, "-c", COLD_STAGES, QUESTIONS[0]], env=env, check=True, capture_output=True, text=True)
    previous = 0.0
    print("  stages of a cold start (one run):")
    for stage, at in json.loads(done.stdout.strip().splitlines()[-1]).items():
        print(f"    {stage:<52} {at - previous:5.2f} s")
        previous = at


def serve(env: dict) -> None:
    floor = seconds([sys.executable, "-c", "import gradio"], env, runs=3)
    port = 7899
    times = []
    for _ in range(3):
        started = time.perf_counter()
        server = subprocess.Popen([sys.executable, "-m", "rag", "serve", "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1):
                        break
                except OSError:
                    time.sleep(0.02)
            times.append(time.perf_counter() - started)
        finally:
            server.terminate()
            server.wait()
    print(f"`rag serve` to its page: median {statistics.median(times):.2f} s; `import gradio`: {floor:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20, help="times each question is asked")
    parser.add_argument("--index", type=Path, help="an existing index to measure (default: seeds/ in a temp dir)")
    parser.add_argument("--docs", type=Path, help="its documents folder")
    parser.add_argument("--skip-serve", action="store_true")
    parser.add_argument("--real-questions", action="store_true", help="bench/real_corpus.py's questions (for its index)")
    args = parser.parse_args()
    if args.real_questions:
        from real_corpus import QUESTIONS as REAL_QUESTIONS

        QUESTIONS[:] = REAL_QUESTIONS

    from rag import RAG

    with tempfile.TemporaryDirectory() as tmp:
        docs, index = args.docs, args.index
        if index is None:
            docs, index = Path(tmp) / "docs", Path(tmp) / "index"
            shutil.copytree(ROOT / "seeds", docs)
        engine = RAG(docs_dir=docs or Path(tmp) / "none", index_dir=index)
        if args.index is None:
            engine.ingest(show_progress=False)
        warm(engine, args.rounds)
        env = {**os.environ, "RAG_DOCS_DIR": str(docs or Path(tmp) / "none"), "RAG_INDEX_DIR": str(index)}
        cold(env)
        if not args.skip_serve:
            serve(env)


if __name__ == "__main__":
    main()
