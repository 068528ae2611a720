"""Retrieval's BM25 index (rag/retrieve.py) when each app process keeps its own, as in
server mode: a large index is rebuilt in the background while questions are answered."""

from __future__ import annotations

import time

from rag import RAG
from rag.retrieve import LexicalKeeper


def test_a_shared_index_rebuilds_its_own_bm25_in_the_background_and_then_uses_it(fresh_engine, tmp_path, monkeypatch):
    fresh_engine.ingest(show_progress=False)
    storage = fresh_engine.storage
    # As in server mode: this process keeps its BM25 apart and rebuilds it itself ...
    monkeypatch.setattr(storage, "shared", True)
    monkeypatch.setattr(storage, "lexical_dir", tmp_path / "own-bm25")
    monkeypatch.setattr(LexicalKeeper, "SYNC_PASSAGES", 0)  # ... in the background, as for a large index
    assert "Paula Dunn" in fresh_engine.ask("Who was the spokeswoman?").text
    built = fresh_engine.index.retriever().lexical.generation

    # Another process adds a document.
    docs = fresh_engine.settings.docs_dir
    (docs / "lighthouse.txt").write_text(
        "Lighthouse log\n\nThe lighthouse keeper Tobias Renwick repainted the lamp room in cobalt blue.\n", encoding="utf-8")
    RAG(docs_dir=docs, index_dir=fresh_engine.settings.index_dir).ingest(show_progress=False)

    # Answered at once, from the store (dense retrieval) while the old BM25 index is in use ...
    answer = fresh_engine.ask("What colour did the lighthouse keeper paint the lamp room?")
    assert "cobalt blue" in answer.text
    # ... and once the background build is done, the next retriever uses the new one.
    deadline = time.monotonic() + 60
    while fresh_engine.index.retriever().lexical.generation == built and time.monotonic() < deadline:
        time.sleep(0.1)
    assert fresh_engine.index.retriever().lexical.generation == storage.generation() != built
    assert fresh_engine.index.retriever().lexical_current
