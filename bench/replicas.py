"""App replicas on one PostgreSQL and one Chroma server, under concurrent clients.

    .venv/bin/python bench/replicas.py [--max-pdfs 20] [--large 1800] [--clients 25] [--seconds 60] [--replicas 1 2]

Starts the servers with the project's scripts (scripts/postgres-server.sh,
scripts/chroma-server.sh; data under bench-data/servers/, kept between runs), ingests the real
corpus of bench/real_corpus.py (``--large``: its 100,000-passage one) in server mode (once: a later run finds it unchanged), then for
each replica count N starts N ``rag serve`` processes on the same servers and lets
``--clients`` client threads ask the corpus's questions over ``POST /api/ask`` for
``--seconds``, client i always asking replica i mod N (a load balancer's stand-in). Reports
per N: p50 / p95 latency and answers a second; and the floor, measured in the same run: one
client asking one replica, one question at a time. Everything shares this machine's cores:
the clients, the replicas and both servers.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from common import ROOT, percentile
from debian_corpus import DATA, prepare, prepare_large
from real_corpus import QUESTIONS

SERVERS = DATA / "servers"
PG_PORT, CHROMA_PORT, FIRST_APP_PORT = 55433, 58001, 57860


def script(name: str, *args: object) -> str:
    done = subprocess.run(["bash", str(ROOT / "scripts" / name), *map(str, args)], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"scripts/{name} failed: {done.stderr}")
    return done.stdout


def server_env(corpus: Path, index: Path) -> dict[str, str]:
    return {
        **os.environ, "RAG_DATABASE_URL": f"postgresql://postgres@127.0.0.1:{PG_PORT}/rag",
        "RAG_CHROMA_HOST": "127.0.0.1", "RAG_CHROMA_PORT": str(CHROMA_PORT), "RAG_CHROMA_COLLECTION": corpus.name.replace(".", "-"),
        "RAG_DOCS_DIR": str(corpus), "RAG_INDEX_DIR": str(index),
    }


def post(port: int, question: str) -> float:
    """Seconds to answer one question over HTTP."""
    body = json.dumps({"question": question}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/ask", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        json.loads(response.read())
    return time.perf_counter() - started


def wait_ready(port: int, process: subprocess.Popen, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"the replica on port {port} stopped")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                if not json.loads(response.read())["indexing"]:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit(f"the replica on port {port} did not start")


def load(ports: list[int], clients: int, seconds: float) -> dict:
    """``clients`` threads asking for ``seconds``; client i asks ports[i % len(ports)]."""
    times: list[float] = []
    errors: list[str] = []
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def client(i: int) -> None:
        n = i
        while time.monotonic() < stop:
            try:
                took = post(ports[i % len(ports)], QUESTIONS[n % len(QUESTIONS)])
                with lock:
                    times.append(took)
            except OSError as exc:
                with lock:
                    errors.append(str(exc))
            n += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {
        "answers": len(times), "errors": len(errors),
        "p50_ms": round(statistics.median(times) * 1000, 1), "p95_ms": round(percentile(times, 0.95) * 1000, 1),
        "answers_per_second": round(len(times) / elapsed, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-pdfs", type=int, default=20, help="PDF manuals in the corpus (bench/real_corpus.py)")
    parser.add_argument("--large", type=int, metavar="PDFS", help="the large corpus (bench/real_corpus.py --large)")
    parser.add_argument("--clients", type=int, default=25)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--ingest-only", action="store_true", help="bring the shared index up to date and stop")
    args = parser.parse_args()

    corpus = corpus_folder(args.max_pdfs, args.large)
    start_servers()
    replicas: list[subprocess.Popen] = []
    try:
        ingest_seconds = ingest(corpus)
        if args.ingest_only:
            return
        results: dict = {"corpus": corpus.name, "ingest_seconds": round(ingest_seconds, 1), "clients": args.clients,
                         "seconds": args.seconds, "cores": os.cpu_count()}
        for n in args.replicas:
            ports = [FIRST_APP_PORT + i for i in range(n)]
            replicas = [
                subprocess.Popen([sys.executable, "-m", "rag", "serve", "--port", str(port)], cwd=ROOT,
                                 env=server_env(corpus, DATA / f"replica-{i}"),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                for i, port in enumerate(ports)
            ]
            for port, process in zip(ports, replicas):
                wait_ready(port, process)
            for port in ports:  # warm: every replica has loaded its models and BM25 index
                for q in QUESTIONS:
                    post(port, q)
            if n == args.replicas[0]:
                floor = [post(ports[0], q) for q in QUESTIONS * 3]
                results["floor_p50_ms"] = round(statistics.median(floor) * 1000, 1)
            figures = load(ports, args.clients, args.seconds)
            figures["p50_over_floor"] = round(figures["p50_ms"] / results["floor_p50_ms"], 1)
            results[f"{n} replicas"] = figures
            print(n, "replicas:", figures, flush=True)
            for process in replicas:
                process.terminate()
                process.wait(timeout=60)
            replicas = []
        out = ROOT / "bench-out" / "replicas.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(results, indent=2))
        print(json.dumps(results, indent=2))
    finally:
        for process in replicas:
            process.kill()
        stop_servers()


def corpus_folder(max_pdfs: int, large: int | None) -> Path:
    if large:
        return prepare_large(DATA / f"corpus-{max_pdfs}pdf-large{large}", max_pdfs, large)
    return prepare(DATA / f"corpus-{max_pdfs}pdf", max_pdfs)


def start_servers() -> None:
    SERVERS.mkdir(parents=True, exist_ok=True)
    SERVERS.chmod(0o755)
    DATA.chmod(0o755)  # PostgreSQL runs as Debian's postgres user when this runs as root
    print(script("postgres-server.sh", "start", SERVERS / "postgres", PG_PORT).strip())
    print(script("chroma-server.sh", "start", SERVERS / "chroma", CHROMA_PORT).strip())


def stop_servers() -> None:
    script("chroma-server.sh", "stop", SERVERS / "chroma")
    script("postgres-server.sh", "stop", SERVERS / "postgres")


def ingest(corpus: Path) -> float:
    """Seconds to bring the corpus's shared index up to date (all of it the first time)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "rag", "ingest"], env=server_env(corpus, DATA / "replica-ingest"), cwd=ROOT, check=True)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
