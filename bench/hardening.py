"""The hardening probes at scale: ingests racing a running engine, long files, fuzzed input.

    .venv/bin/python bench/hardening.py [--ingests 20] [--questions 1000] [--fuzz 10000]
                                        [--split-mb 1 2 4 8 50]

1. Race: one process asks questions without pause while this one changes a file and runs
   ``rag ingest`` (a separate process) ``--ingests`` times. Reported: failed questions, and
   how many questions after each ingest ended the running engine answered with the new text.
2. Split: a text file of each size (real text: the seed articles repeated) is split into
   passages and sentences without embedding; time and peak memory, to show linear growth.
   Then one file of ``--index-mb`` is indexed end to end (embedded and stored) and asked about.
3. Fuzz: ``--fuzz`` random questions and histories (lone surrogates, control characters,
   huge and empty strings, wrong types) against one engine: every exception other than a
   RagError, and the slowest call.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, peak_rss_mb

TICKER = "Ticker\n\nThe harbour signal flag today is {}.\n"
QUESTION = "What is the harbour signal flag today?"
FLAGS = ["crimson", "saffron", "cobalt", "emerald", "violet", "amber", "ivory", "scarlet", "teal", "indigo",
         "ochre", "magenta", "olive", "azure", "coral", "jade", "maroon", "silver", "copper", "lilac",
         "cyan", "umber"]


def asker(docs: Path, index: Path, minimum: int, stop: Path) -> None:
    """Runs in its own process: ask until told to stop (and at least ``minimum`` times)."""
    from rag import RAG

    engine = RAG(docs_dir=docs, index_dir=index)
    asked = 0
    while asked < minimum or not stop.exists():
        started = time.time()
        try:
            answer = engine.ask(QUESTION)
            flag = next((f for f in FLAGS if f in answer.text), None)
            print(json.dumps({"t": started, "done": time.time(), "flag": flag}), flush=True)
        except Exception as exc:  # noqa: BLE001 - every failure is the measurement
            print(json.dumps({"t": started, "done": time.time(), "error": repr(exc)}), flush=True)
        asked += 1


def race(ingests: int, questions: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix="rag-race-"))
    docs, index = work / "docs", work / "index"
    shutil.copytree(ROOT / "seeds", docs)
    (docs / "ticker.txt").write_text(TICKER.format(FLAGS[0]))
    rag = [sys.executable, "-m", "rag", "--docs-dir", str(docs), "--index-dir", str(index), "ingest", "-q"]
    subprocess.run(rag, cwd=ROOT, check=True, capture_output=True)
    stop, log = work / "stop", work / "asked.jsonl"
    # The asker writes to a file: a pipe nobody reads until the end fills up and blocks it.
    process = subprocess.Popen(
        [sys.executable, __file__, "--asker", str(docs), str(index), str(questions), str(stop)],
        cwd=ROOT, stdout=log.open("w"), text=True,
    )
    time.sleep(15)  # let it start and answer a few
    ends = []
    for n in range(1, ingests + 1):
        (docs / "ticker.txt").write_text(TICKER.format(FLAGS[n]))
        subprocess.run(rag, cwd=ROOT, check=True, capture_output=True)
        ends.append((time.time(), FLAGS[n]))
        time.sleep(1.0)
    stop.touch()
    process.wait(timeout=600)
    rows = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    lags = []
    for end, flag in ends:
        after = [r for r in rows if r["t"] >= end]
        lag = next((i for i, r in enumerate(after) if r.get("flag") == flag), None)
        lags.append(lag)
        if lag is None:
            print(json.dumps({"flag": flag, "seen_after": [r.get("flag") for r in after[:8]]}), file=sys.stderr)
    shutil.rmtree(work, ignore_errors=True)
    return {
        "questions": len(rows),
        "failed": sum(1 for r in rows if "error" in r),
        "errors": sorted({r["error"] for r in rows if "error" in r})[:5],
        "ingests": ingests,
        "questions_until_new_text": lags,
        "worst": max((lag for lag in lags if lag is not None), default=None),
        "never_seen": sum(1 for lag in lags if lag is None),
    }


def split(sizes_mb: list[float]) -> list[dict]:
    from rag.config import Settings
    from rag.ingest.split import Splitter
    from rag.readers import read_document

    out = []
    list(Splitter(Settings()).groups(read_document("warm.txt", b"Warm up. Load Punkt."), "warm.txt", "w"))
    for mb in sizes_mb:
        text = seed_text_of_size(mb)
        started = time.perf_counter()
        doc = read_document("long.txt", text.encode("utf-8"))
        passages = sentences = 0
        for group in Splitter(Settings()).groups(doc, "long.txt", "long.txt@x"):
            passages += group.passages
            sentences += group.sentences
        seconds = time.perf_counter() - started
        out.append({"mb": mb, "seconds": round(seconds, 2), "passages": passages, "sentences": sentences,
                    "seconds_per_mb": round(seconds / mb, 2), "peak_rss_mb": round(peak_rss_mb())})
        print(json.dumps(out[-1]), flush=True)
    return out


def seed_text_of_size(mb: float) -> str:
    seed_text = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt")))
    return (seed_text * (int(mb * 1e6 / len(seed_text)) + 1))[: int(mb * 1e6)]


def index_long_file(mb: float) -> dict:
    """Index one file of ``mb`` megabytes end to end, then ask about it."""
    from rag import RAG

    work = Path(tempfile.mkdtemp(prefix="rag-long-"))
    (work / "docs").mkdir()
    (work / "docs" / "long.txt").write_text(seed_text_of_size(mb), encoding="utf-8")
    engine = RAG(docs_dir=work / "docs", index_dir=work / "index")
    started = time.perf_counter()
    report = engine.ingest(show_progress=True)
    seconds = time.perf_counter() - started
    answer = engine.ask("Who sent the proposal?")
    quote_ok = all(engine.source_text(c.source)[c.start : c.end] == c.quote for c in answer.citations)
    shutil.rmtree(work, ignore_errors=True)
    return {"mb": mb, "seconds": round(seconds), "embedded": report.embedded,
            "texts_per_second": round(report.embedded / seconds, 1), "peak_rss_mb": round(peak_rss_mb()),
            "answered": not answer.abstained, "citations_exact": quote_ok}


def fuzz(count: int, seed: int = 0) -> dict:
    from rag import RAG
    from rag.errors import RagError

    rng = random.Random(seed)
    work = Path(tempfile.mkdtemp(prefix="rag-fuzz-"))
    shutil.copytree(ROOT / "seeds", work / "docs")
    engine = RAG(docs_dir=work / "docs", index_dir=work / "index")
    engine.ingest(show_progress=False)
    engine.ask("Who sent the proposal?")  # load the retriever: what follows is steady state
    pieces = ["Who sent the proposal?", "\ud800", "\udfff", "\x00", "\u202e", "é", "日本", " ", "\n", "?", "[1]",
              "Gerasimov", "🙂", "\ufeff", "a" * 50, "SELECT * FROM", "<script>", "%s", "{}"]

    def text() -> str:
        return "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))

    def history():
        kind = rng.randint(0, 6)
        if kind == 0:
            return None
        if kind == 1:
            return rng.choice([42, "text", b"bytes", {"role": "user"}, 3.5])
        turns = []
        for _ in range(rng.randint(0, 4)):
            turns.append(rng.choice([
                {"role": "user", "content": text()}, {"role": "assistant", "content": text()},
                (text(), text()), [text()], {"content": [{"type": "text", "text": text()}]}, 42, None,
            ]))
        return turns

    failures, slowest, refused = [], 0.0, 0
    for _ in range(count):
        question = text() if rng.random() < 0.9 else rng.choice([None, 42, "x" * 5000, ""])
        started = time.perf_counter()
        try:
            engine.ask(question, history=history())
        except RagError:
            refused += 1
        except Exception as exc:  # noqa: BLE001
            failures.append(repr(exc)[:200])
        slowest = max(slowest, time.perf_counter() - started)
    shutil.rmtree(work, ignore_errors=True)
    return {"calls": count, "refused_with_rag_error": refused, "other_exceptions": len(failures),
            "examples": failures[:5], "slowest_seconds": round(slowest, 3)}


def main() -> None:
    if sys.argv[1:2] == ["--asker"]:
        docs, index, minimum, stop = sys.argv[2:6]
        asker(Path(docs), Path(index), int(minimum), Path(stop))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ingests", type=int, default=20)
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--fuzz", type=int, default=10000)
    parser.add_argument("--split-mb", type=float, nargs="*", default=[1, 2, 4, 8, 50])
    parser.add_argument("--index-mb", type=float, default=50, help="index one file this large end to end")
    parser.add_argument("--only", choices=["race", "split", "fuzz", "index"])
    args = parser.parse_args()
    results = {}
    if args.only in (None, "split"):
        results["split"] = split(args.split_mb)
    if args.only in (None, "race"):
        results["race"] = race(args.ingests, args.questions)
        print(json.dumps(results["race"]), flush=True)
    if args.only in (None, "index"):
        results["index"] = index_long_file(args.index_mb)
        print(json.dumps(results["index"]), flush=True)
    if args.only in (None, "fuzz"):
        results["fuzz"] = fuzz(args.fuzz)
        print(json.dumps(results["fuzz"]), flush=True)
    (ROOT / "bench-out").mkdir(exist_ok=True)
    (ROOT / "bench-out" / f"hardening-{args.only or 'all'}.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
