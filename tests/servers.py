"""Real servers for the server-mode tests, started by the project's own scripts (scripts/):
a PostgreSQL cluster from Debian's package and a Chroma server, both on 127.0.0.1; and app
replicas, each an engine in a process of its own driven over stdin (tests/replica.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Optional

from conftest import ROOT, free_port


class Servers:
    """One PostgreSQL and one Chroma server for a test module; each test names a collection
    of its own (its own Chroma collection and PostgreSQL schema), so tests share nothing."""

    def __init__(self) -> None:
        # Not under pytest's tmp_path: as root, PostgreSQL runs as Debian's postgres user,
        # who must be able to reach the folder (pytest's are private to root).
        self.home = Path(tempfile.mkdtemp(prefix="rag-servers-"))
        self.home.chmod(0o755)
        self.pg_dir = self.home / "postgres"
        self.chroma_dir = self.home / "chroma"
        self.pg_port, self.chroma_port = free_port(), free_port()

    def start(self) -> "Servers":
        _script("postgres-server.sh", "start", self.pg_dir, self.pg_port)
        _script("chroma-server.sh", "start", self.chroma_dir, self.chroma_port)
        return self

    def stop(self) -> None:
        _script("chroma-server.sh", "stop", self.chroma_dir, check=False)
        _script("postgres-server.sh", "stop", self.pg_dir, check=False)
        shutil.rmtree(self.home, ignore_errors=True)

    @property
    def database_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.pg_port}/rag"

    def env(self, collection: str, docs: Path, index: Path) -> dict[str, str]:
        """The environment of an app process on these servers."""
        return {
            **os.environ, "RAG_DATABASE_URL": self.database_url, "RAG_CHROMA_HOST": "127.0.0.1",
            "RAG_CHROMA_PORT": str(self.chroma_port), "RAG_CHROMA_COLLECTION": collection,
            "RAG_DOCS_DIR": str(docs), "RAG_INDEX_DIR": str(index), "PYTHONPATH": str(ROOT),
        }

    def settings(self, collection: str, docs: Path, index: Path) -> dict[str, Any]:
        """The same, as keyword arguments of ``RAG``."""
        return {"database_url": self.database_url, "chroma_host": "127.0.0.1", "chroma_port": self.chroma_port,
                "chroma_collection": collection, "docs_dir": docs, "index_dir": index}


def _script(name: str, *args: Any, check: bool = True) -> None:
    done = subprocess.run(["bash", str(ROOT / "scripts" / name), *map(str, args)], capture_output=True, text=True, timeout=120)
    if check and done.returncode != 0:
        raise RuntimeError(f"scripts/{name} {' '.join(map(str, args))} failed: {done.stderr or done.stdout}")


class Replica:
    """An app process: one engine, answering the commands sent to it (tests/replica.py)."""

    def __init__(self, env: dict[str, str]):
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "replica.py")], env=env, cwd=ROOT,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )

    def send(self, **command: Any) -> Any:
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the replica stopped (exit {self.process.wait()})")
        reply = json.loads(line)
        if isinstance(reply, dict) and "error" in reply:
            raise RuntimeError(reply["error"])
        return reply

    def ask(self, question: str) -> dict[str, Any]:
        return self.send(ask=question)

    def ingest(self) -> dict[str, int]:
        return self.send(ingest=True)

    def close(self, timeout: Optional[float] = 30) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(timeout=timeout)


def postgres_installed() -> bool:
    return any(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
