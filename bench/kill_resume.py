"""kill -9 at random moments of ingests, each followed by a completing ingest, checked
against a clean ingest: no duplicates, nothing missing, less embedded than a full run.

    .venv/bin/python bench/kill_resume.py [--rounds 20] [--min-mb 1.0] [--seed 0]

The folder is the first pages of Debian's Python HTML documentation (bench/debian_corpus.py)
holding at least ``--min-mb`` of extracted text. A clean ingest of all of it is the
reference. Each round then sets the working folder to a random subset of the pages (so
every round has files to add and to remove), starts ``rag ingest`` and kills it with
SIGKILL at a random moment while it works, runs a completing ``rag ingest``, and compares
the index with the reference restricted to that subset: every (source, kind, start, end)
of every passage and sentence must be there exactly once, with nothing else, no journal
entry left and one extracted text per document.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from common import ROOT
from debian_corpus import DATA, prepare


def contents(index: Path) -> Counter:
    """(source, kind, start, end) of every node, passage or sentence, counted."""
    from rag import RAG
    from rag.store.chroma_rows import get_all

    engine = RAG(docs_dir=index, index_dir=index)
    rows: Counter = Counter()
    for meta in get_all(engine.passage_collection, ["metadatas"])["metadatas"]:
        rows[(meta["source"], meta["kind"], meta["start"], meta["end"])] += 1
    for sentence in engine.sentence_store.all():
        rows[(sentence.source, "sentence", sentence.start, sentence.end)] += 1
    return rows


def rag_ingest(docs: Path, index: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "rag", "--docs-dir", str(docs), "--index-dir", str(index), "ingest", "-q"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )


def embedded(summary: str) -> int:
    return int(summary.split(" texts embedded")[0].rsplit(";", 1)[-1].strip().replace(",", ""))


def journal_and_texts(index: Path) -> tuple[int, int, int]:
    with sqlite3.connect(index / "manifest.sqlite3") as db:
        journal = db.execute("SELECT count(*) FROM journal").fetchone()[0]
        documents = db.execute("SELECT count(*) FROM documents").fetchone()[0]
    return journal, documents, len(list((index / "texts").glob("*.txt")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--min-mb", type=float, default=1.0, help="extracted text in the folder, at least")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    from rag.readers import read_document

    corpus = prepare(DATA / "corpus-0pdf", max_pdfs=0)
    work = DATA / "kill"
    shutil.rmtree(work, ignore_errors=True)
    pages, chars = [], 0
    for path in sorted((corpus / "python3.11" / "html" / "library").glob("*.html")):
        pages.append(path)
        chars += len(read_document(path.name, path.read_bytes()).text)
        if chars >= args.min_mb * 1e6:
            break
    full = work / "full"
    full.mkdir(parents=True)
    for path in pages:
        shutil.copy2(path, full / path.name)
    print(f"folder: {len(pages)} pages, {chars / 1e6:.2f} MB of extracted text")

    started = time.perf_counter()
    clean = rag_ingest(full, work / "clean-index")
    out, _ = clean.communicate()
    full_seconds = time.perf_counter() - started
    full_embedded = embedded(out)
    reference = contents(work / "clean-index")
    per_file: Counter = Counter()
    for source, *_ in reference.elements():
        per_file[source] += 1
    print(f"clean ingest: {full_embedded:,} texts embedded in {full_seconds:.0f} s")

    docs, index = work / "docs", work / "index"
    docs.mkdir()
    rounds = []
    for round_number in range(1, args.rounds + 1):
        chosen = {p.name for p in pages if rng.random() < 0.7}
        for path in docs.iterdir():
            if path.name not in chosen:
                path.unlink()
        for name in chosen:
            if not (docs / name).exists():
                shutil.copy2(full / name, docs / name)
        before = {source for source, *_ in contents(index).elements()} if index.exists() else set()
        to_embed = sum(per_file[name] for name in chosen - before)
        # Kill somewhere between start-up and the time this round's work would take.
        budget = 6.0 + full_seconds * to_embed / max(1, full_embedded)
        kill_at = rng.uniform(1.0, budget)
        process = rag_ingest(docs, index)
        try:
            process.wait(timeout=kill_at)
            killed = False
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait()
            killed = True
        completing = rag_ingest(docs, index)
        out, _ = completing.communicate()
        resumed_embedded = embedded(out)
        found = contents(index)
        expected = Counter({key: n for key, n in reference.items() if key[0] in chosen})
        journal, documents, texts = journal_and_texts(index)
        result = {
            "round": round_number,
            "files": len(chosen),
            "killed_after_s": round(kill_at, 1) if killed else None,
            "to_embed": to_embed,
            "completing_run_embedded": resumed_embedded,
            "duplicates": sum(n - 1 for n in found.values() if n > 1),
            "missing": sum((expected - found).values()),
            "unexpected": sum((found - expected).values()),
            "journal_left": journal,
            "texts_vs_documents": texts - documents,
        }
        rounds.append(result)
        print(json.dumps(result))

    killed = [r for r in rounds if r["killed_after_s"] is not None]
    totals = {
        "rounds": len(rounds),
        "killed_mid_run": len(killed),
        "duplicates": sum(r["duplicates"] for r in rounds),
        "missing": sum(r["missing"] for r in rounds),
        "unexpected": sum(r["unexpected"] for r in rounds),
        "journal_left": sum(r["journal_left"] for r in rounds),
        "orphan_texts": sum(abs(r["texts_vs_documents"]) for r in rounds),
        "full_run_embedded": full_embedded,
        "completing_runs_embedded_mean": round(sum(r["completing_run_embedded"] for r in killed) / max(1, len(killed))),
        "completing_runs_embedded_max": max((r["completing_run_embedded"] for r in killed), default=0),
        "work_of_killed_rounds_mean": round(sum(r["to_embed"] for r in killed) / max(1, len(killed))),
    }
    print(json.dumps(totals, indent=1))
    (ROOT / "bench-out").mkdir(exist_ok=True)
    (ROOT / "bench-out" / "kill-resume.json").write_text(json.dumps({"totals": totals, "rounds": rounds}, indent=1))


if __name__ == "__main__":
    main()
