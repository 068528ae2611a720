"""Ingest a real corpus through the real pipeline, then time questions on it.

    .venv/bin/python bench/real_corpus.py [--max-pdfs 40] [--max-files N] [--fresh]

The corpus is Debian's Python 3.11 HTML documentation and LaTeX PDF manuals (see
bench/debian_corpus.py), fetched with apt on first use. Prints and writes to
bench-out/real-corpus-<files>.json:

- ingest: files, bytes, passages, sentences, texts embedded, seconds, texts per second,
  peak RSS of the ingesting process;
- questions, in a fresh process: first answer after start, warm p50 / p95 over the
  questions below, peak RSS; and the floor, one question's embedding, measured in the
  same process.

Run it again without ``--fresh`` and nothing is embedded: the run then measures the
unchanged-folder check.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import ROOT, peak_rss_mb, percentile
from debian_corpus import DATA, prepare, prepare_large

# Questions a user of these manuals might ask, in their own words (written for this bench).
QUESTIONS = [
    "How do I read a file line by line?",
    "What is a list comprehension?",
    "How can I sort a dictionary by its values?",
    "What does the with statement do?",
    "How do I start a new process and wait for it to finish?",
    "What is the difference between a tuple and a list?",
    "How do I parse command line arguments?",
    "What is the global interpreter lock?",
    "How do I make an HTTP request from the standard library?",
    "What does the hyperref package do?",
    "How do I put a URL in a LaTeX document?",
    "How can I change the page margins?",
    "What is a virtual environment and how do I create one?",
    "Why does my float comparison give a surprising result?",
    "How do I format a date as a string?",
    "What happens when an exception is not caught?",
    "How do I write a unit test?",
    "What are decorators used for?",
    "How do I include a bibliography with natbib?",
    "What encoding does open() use by default?",
]


def ingest(corpus: Path, index: Path) -> dict:
    from rag import RAG

    engine = RAG(docs_dir=corpus, index_dir=index)
    started = time.perf_counter()
    report = engine.ingest(show_progress=True)
    seconds = time.perf_counter() - started
    status = engine.status()
    return {
        "files": len(status.documents),
        "skipped": [(s.source, s.reason) for s in report.skipped],
        "bytes_read": report.bytes_read,
        "text_chars": sum(len(engine.source_text(d.source)) for d in status.documents),
        "passages": engine.passage_collection.count(),
        "sentences": engine.sentence_store.count(),
        "embedded": report.embedded,
        "seconds": round(seconds, 1),
        "texts_per_second": round(report.embedded / seconds, 1) if seconds else 0.0,
        "peak_rss_mb": round(peak_rss_mb()),
        "summary": report.summary(),
    }


def ask(corpus: Path, index: Path, rounds: int, show: int) -> dict:
    """Runs in a fresh process: the first answer after start, then warm latencies."""
    started = time.perf_counter()
    from rag import RAG

    engine = RAG(docs_dir=corpus, index_dir=index)
    engine.index.retriever()
    engine.ask(QUESTIONS[0])
    first_seconds = time.perf_counter() - started
    times, examples = [], []
    for _ in range(rounds):
        for q in QUESTIONS:
            t = time.perf_counter()
            answer = engine.ask(q)
            times.append((time.perf_counter() - t) * 1000)
            if len(examples) < show:
                cited = [f"{c.source}" + (f" p. {c.page}" if c.page else "") for c in answer.citations[:2]]
                examples.append({"question": q, "answer": answer.text[:300], "cited": cited, "abstained": answer.abstained})
    retriever = engine.index.retriever()
    embeds = []
    for q in QUESTIONS * rounds:
        t = time.perf_counter()
        retriever.embed_query(q)
        embeds.append((time.perf_counter() - t) * 1000)
    p50 = statistics.median(times)
    return {
        "first_answer_seconds": round(first_seconds, 2),
        "warm_p50_ms": round(p50, 1),
        "warm_p95_ms": round(percentile(times, 0.95), 1),
        "question_embedding_p50_ms": round(statistics.median(embeds), 1),
        "p50_over_embedding": round(p50 / statistics.median(embeds), 2),
        "peak_rss_mb": round(peak_rss_mb()),
        "examples": examples,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-pdfs", type=int, default=40, help="PDF manuals to include (269 in all)")
    parser.add_argument("--large", type=int, metavar="PDFS",
                        help="add PostgreSQL's HTML manual and this many texlive-latex-extra PDF manuals (113,261 passages at 1800)")
    parser.add_argument("--max-files", type=int, help="use only the first N files of the corpus (a smaller index)")
    parser.add_argument("--fresh", action="store_true", help="delete the index first")
    parser.add_argument("--rounds", type=int, default=5, help="times each question is asked")
    parser.add_argument("--ask-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--index", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.ask_only:
        print(json.dumps(ask(args.corpus, args.index, args.rounds, show=6)))
        return
    if args.large:
        corpus = prepare_large(DATA / f"corpus-{args.max_pdfs}pdf-large{args.large}", args.max_pdfs, args.large)
    else:
        corpus = prepare(DATA / f"corpus-{args.max_pdfs}pdf", args.max_pdfs)
    if args.max_files:
        subset = DATA / f"corpus-{args.max_pdfs}pdf-first{args.max_files}"
        if not subset.exists():
            files = sorted(p for p in corpus.rglob("*") if p.is_file())[: args.max_files]
            for path in files:
                target = subset / path.relative_to(corpus)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
        corpus = subset
    index = DATA / f"index-{corpus.name}"
    if args.fresh:
        shutil.rmtree(index, ignore_errors=True)

    result = {"corpus": corpus.name, "ingest": ingest(corpus, index)}
    print(json.dumps(result["ingest"], indent=1))
    out = subprocess.run(
        [sys.executable, __file__, "--ask-only", "--corpus", str(corpus), "--index", str(index), "--rounds", str(args.rounds)],
        check=True, capture_output=True, text=True,
    )
    result["questions"] = json.loads(out.stdout.strip().splitlines()[-1])
    print(json.dumps(result["questions"], indent=1))
    (ROOT / "bench-out").mkdir(exist_ok=True)
    target = ROOT / "bench-out" / f"real-{corpus.name}.json"
    target.write_text(json.dumps(result, indent=1))
    print(f"written to {target}")


if __name__ == "__main__":
    main()
