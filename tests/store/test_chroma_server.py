"""Outgrowing one machine: the same engine pointed at a Chroma server instead of the embedded store."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import free_port

CHROMA = Path(sys.executable).parent / "chroma"

pytestmark = pytest.mark.skipif(not CHROMA.exists(), reason="the chroma command (from the chromadb package) is missing")


@pytest.fixture
def chroma_server(tmp_path):
    port = free_port()
    server = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        server.kill()
        pytest.fail("the Chroma server did not start")
    yield port
    server.terminate()
    server.wait(timeout=30)


def test_the_engine_ingests_into_and_answers_from_a_chroma_server(chroma_server, tmp_path):
    from conftest import copy_seeds
    from rag import RAG

    docs = copy_seeds(tmp_path / "docs")
    engine = RAG(docs_dir=docs, index_dir=tmp_path / "index", chroma_host="127.0.0.1", chroma_port=chroma_server)
    report = engine.ingest(show_progress=False)
    assert report.files_indexed == 2
    assert not (tmp_path / "index" / "chroma").exists(), "nothing went into an embedded store"

    # A second engine (another process, another machine) sees the same collection.
    shutil.rmtree(docs)
    other = RAG(docs_dir=docs, index_dir=tmp_path / "index", chroma_host="127.0.0.1", chroma_port=chroma_server)
    answer = other.ask("Who was the spokeswoman?")
    assert "Paula Dunn" in answer.text
    assert other.status().passages == report.passages_added
