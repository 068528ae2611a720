"""Shared fixtures: real Chroma in a temp dir, the real MiniLM model, the real seed articles.

The network is blocked for every test (only loopback is allowed, for the served app).
"""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"

_real_connect = socket.socket.connect


def _loopback_only(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and (host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")):
        return _real_connect(self, address)
    raise OSError(f"network access blocked in tests: {address!r}")


@pytest.fixture(autouse=True)
def _block_network(monkeypatch):
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)


def copy_seeds(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for path in SEEDS.glob("*.txt"):
        shutil.copy(path, target / path.name)
    return target


def indexed_copies(base: Path, files):
    """An engine over copies of the given files (real documents of tests/fixtures, described
    in its README), ingested."""
    from rag import RAG

    docs = base / "docs"
    docs.mkdir(parents=True)
    for file in files:
        shutil.copy(file, docs / file.name)
    engine = RAG(docs_dir=docs, index_dir=base / "index")
    engine.ingest(show_progress=False)
    return engine


@pytest.fixture(scope="session")
def seeded_engine(tmp_path_factory):
    """One engine over a copy of the seeds, ingested once for the whole session (read-only use)."""
    from rag import RAG

    base = tmp_path_factory.mktemp("seeded")
    engine = RAG(docs_dir=copy_seeds(base / "docs"), index_dir=base / "index")
    engine.ingest(show_progress=False)
    return engine


@pytest.fixture
def fresh_engine(tmp_path):
    """An engine over its own copy of the seeds, not yet ingested: free to change."""
    from rag import RAG

    return RAG(docs_dir=copy_seeds(tmp_path / "docs"), index_dir=tmp_path / "index")


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def source_text(engine, source: str) -> str:
    return (engine.settings.docs_dir / source).read_text(encoding="utf-8")


@pytest.fixture
def server():
    """A scripted OpenAI-compatible server on 127.0.0.1 (tests/llm_server.py)."""
    from llm_server import ScriptedServer

    s = ScriptedServer().start()
    yield s
    s.stop()


@pytest.fixture
def llm_engine(seeded_engine, server):
    """The seeded index, answered through the scripted model."""
    from rag import RAG

    return RAG(docs_dir=seeded_engine.settings.docs_dir, index_dir=seeded_engine.settings.index_dir,
               llm_base_url=server.base_url, llm_model="scripted", llm_timeout=5.0)
