"""The default storage: everything in the index folder on this machine (``rag.store.base``).

Passages in Chroma's persistent client under ``<index>/chroma`` (or a Chroma server when
``RAG_CHROMA_HOST`` names one), the manifest, sentences and conversations in SQLite files,
the extracted texts as files, the lock an OS file lock, the generation a file replaced
atomically.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any, Optional

from rag.store.base import Storage
from rag.store.chroma import open_passages
from rag.store.lock import ingest_lock
from rag.store.manifest import MANIFEST_FILE, Manifest
from rag.store.migrations import upgrade_sentences
from rag.store.sentences import SENTENCES_FILE, SentenceStore
from rag.store.sql import SQLiteDatabase

TEXTS_DIR = "texts"
GENERATION_FILE = "generation"  # the published Manifest.changes(); running engines watch it
CONVERSATIONS_FILE = "conversations.sqlite3"


class EmbeddedStorage(Storage):
    def __init__(self, settings: Any):
        super().__init__(settings)
        self.index_dir: Path = settings.index_dir
        self.index_dir.mkdir(parents=True, exist_ok=True)
        self._manifest: Optional[Manifest] = None
        self._conversations: Any = None
        self.client, self.passages, self.max_batch = open_passages(settings)
        self._sentences = SentenceStore(SQLiteDatabase(self.index_dir / SENTENCES_FILE))
        upgrade_sentences(self.client, settings, self._sentences)

    @property
    def sentences(self) -> SentenceStore:
        return self._sentences

    def manifest(self) -> Manifest:
        if self._manifest is None:
            self._manifest = Manifest(SQLiteDatabase(self.index_dir / MANIFEST_FILE))
        return self._manifest

    def writer_manifest(self) -> Manifest:
        # A connection of its own: the ingest's transactions stay apart from the questions'.
        return Manifest(SQLiteDatabase(self.index_dir / MANIFEST_FILE))

    def conversations(self) -> Any:
        if self._conversations is None:
            from rag.conversations import Conversations

            self._conversations = Conversations(SQLiteDatabase(self.index_dir / CONVERSATIONS_FILE))
        return self._conversations

    def read_text(self, version: str) -> str:
        try:
            return _read_text(str(text_path(self.index_dir, version)))
        except FileNotFoundError:
            raise KeyError(version) from None

    def write_text(self, version: str, text: str) -> None:
        path = text_path(self.index_dir, version)
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = path.with_suffix(".tmp")
        staging.write_text(text, encoding="utf-8")
        staging.replace(path)

    def delete_text(self, version: str) -> None:
        text_path(self.index_dir, version).unlink(missing_ok=True)

    def lock(self, timeout: Optional[float] = None) -> Any:
        return ingest_lock(self.index_dir, timeout)

    def generation(self) -> int:
        # A file, not a SQLite query: cheap before every question, even under a busy ingest.
        try:
            return int((self.index_dir / GENERATION_FILE).read_text() or 0)
        except (OSError, ValueError):
            return 0

    def publish(self, generation: int) -> None:
        if self.generation() == generation:
            return
        staging = self.index_dir / f".{GENERATION_FILE}.tmp"
        staging.write_text(str(generation))
        staging.replace(self.index_dir / GENERATION_FILE)  # atomic: readers see the old or the new number

    def refresh(self) -> None:
        """Reopen the embedded Chroma: its vector index is loaded once per process and does
        not see what another process (a separate ``rag ingest``) wrote since. The old
        collection is not closed: a question on another thread may still be reading it."""
        if self.settings.chroma_host:
            return
        from chromadb.api.shared_system_client import SharedSystemClient

        # Only this path's cached system: other stores open in the process are left alone.
        # Clients still holding the old one resolve to the new one by the same key.
        SharedSystemClient._identifier_to_system.pop(str(self.index_dir / "chroma"), None)
        self.client, self.passages, self.max_batch = open_passages(self.settings)


def text_path(index_dir: Path, version: str) -> Path:
    """Where the extracted text of one indexed version lives (what citation offsets index)."""
    return index_dir / TEXTS_DIR / f"{hashlib.sha1(version.encode('utf-8')).hexdigest()[:24]}.txt"


@functools.lru_cache(maxsize=8)
def _read_text(path: str) -> str:
    # Keyed by the version's file, which never changes once written: a cache cannot go stale.
    return Path(path).read_text(encoding="utf-8")
