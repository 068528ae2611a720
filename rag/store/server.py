"""Server mode: the whole index on servers, so app processes on several machines serve it.

Passages on a Chroma server (``RAG_CHROMA_HOST``); the manifest and journal, the sentences
with their vectors, the extracted texts, the conversations, the generation counter and the
ingest lock in PostgreSQL (``RAG_DATABASE_URL``), in a schema of the collection's own
("rag_documents" by default). An app process keeps only its BM25 index, which it rebuilds
from the passages when the generation moves (``Storage.shared``).

The lock is a session-level advisory lock held by a connection of its own: PostgreSQL
releases it when that connection ends, so an ingest killed with ``kill -9`` on any machine
never leaves the index locked. The generation is a row that every question reads (one
primary-key lookup), so another replica's ingest is seen by the next question.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import threading
import time
from typing import Any, Iterator, Optional

from rag.errors import IndexBusyError
from rag.store.base import Storage
from rag.store.chroma import chroma_name, open_passages
from rag.store.manifest import Manifest
from rag.store.sentences import SentenceStore
from rag.store.sql import PostgresDatabase, Schema, connect, schema_name

log = logging.getLogger(__name__)

_TEXTS = """
CREATE TABLE IF NOT EXISTS texts (
    version TEXT PRIMARY KEY,  -- the document version (rag.store.manifest)
    text TEXT NOT NULL
);
"""
TEXTS_SCHEMA = Schema(sqlite=_TEXTS, postgresql=_TEXTS)
LOCK_POLL_SECONDS = 0.25


class ServerStorage(Storage):
    shared = True

    def __init__(self, settings: Any):
        super().__init__(settings)
        self.schema = schema_name(chroma_name(settings))
        self.db = PostgresDatabase(settings.database_url, self.schema)
        self.db.create(TEXTS_SCHEMA)
        self._manifest = Manifest(self.db, owns_db=False)
        self._sentences = SentenceStore(self.db)
        self._conversations: Any = None
        self.client, self.passages, self.max_batch = open_passages(settings)
        self._lock = _advisory_lock(settings.database_url, self.schema)
        self._cached_text = functools.lru_cache(maxsize=8)(self._read_text)  # a version's text never changes

    @property
    def sentences(self) -> SentenceStore:
        return self._sentences

    def manifest(self) -> Manifest:
        return self._manifest

    def writer_manifest(self) -> Manifest:
        return self._manifest  # a pool: each transaction has a connection of its own

    def conversations(self) -> Any:
        if self._conversations is None:
            from rag.conversations import Conversations

            self._conversations = Conversations(self.db)
        return self._conversations

    def _read_text(self, version: str) -> str:
        rows = self.db.query("SELECT text FROM texts WHERE version = ?", (version,))
        if not rows:
            raise KeyError(version)
        return rows[0][0]

    def read_text(self, version: str) -> str:
        return self._cached_text(version)

    def write_text(self, version: str, text: str) -> None:
        self.db.execute(
            "INSERT INTO texts VALUES (?, ?) ON CONFLICT (version) DO UPDATE SET text = excluded.text", (version, text)
        )

    def delete_text(self, version: str) -> None:
        self.db.execute("DELETE FROM texts WHERE version = ?", (version,))

    def lock(self, timeout: Optional[float] = None) -> Any:
        return self._lock.hold(timeout)

    def generation(self) -> int:
        rows = self.db.query("SELECT value FROM counters WHERE name = 'published'")
        return rows[0][0] if rows else 0

    def publish(self, generation: int) -> None:
        self.db.execute(
            "INSERT INTO counters VALUES ('published', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (generation,),
        )

    def close(self) -> None:
        self.db.close()


class _AdvisoryLock:
    """The index's write lock across machines: ``pg_advisory_lock`` on a connection held
    while it is held. Reentrant in a process (an upload saves and ingests under one hold);
    threads of one process wait for each other before any asks PostgreSQL."""

    def __init__(self, url: str, schema: str):
        self.url, self.schema = url, schema
        # A signed 64-bit key of the schema: each index has its own lock.
        self.key = int.from_bytes(hashlib.sha1(f"rag ingest {schema}".encode()).digest()[:8], "big", signed=True)
        self._threads = threading.RLock()
        self._depth = 0
        self._connection: Any = None

    @contextlib.contextmanager
    def hold(self, timeout: Optional[float] = None) -> Iterator[None]:
        deadline = None if timeout is None else time.monotonic() + timeout
        if not self._threads.acquire(timeout=-1 if timeout is None else timeout):
            raise _busy(self.schema, timeout)
        try:
            if self._depth == 0:
                self._connection = self._take(deadline, timeout)
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._connection.close()  # releases the advisory lock
                    self._connection = None
        finally:
            self._threads.release()

    def _take(self, deadline: Optional[float], timeout: Optional[float]) -> Any:
        connection = connect(self.url, autocommit=True)
        try:
            warned = False
            while not connection.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()[0]:
                if not warned:
                    log.warning("another ingest is writing the index in PostgreSQL schema %s: waiting for it to finish", self.schema)
                    warned = True
                if deadline is not None and time.monotonic() >= deadline:
                    raise _busy(self.schema, timeout)
                time.sleep(LOCK_POLL_SECONDS)
        except BaseException:
            connection.close()
            raise
        return connection


def _busy(schema: str, timeout: Optional[float]) -> IndexBusyError:
    return IndexBusyError(
        f"another ingest is still writing the index (PostgreSQL schema {schema}) after {timeout or 0:.0f} s: "
        "try again when it has finished"
    )


_LOCKS: dict[tuple[str, str], _AdvisoryLock] = {}
_LOCKS_GUARD = threading.Lock()


def _advisory_lock(url: str, schema: str) -> _AdvisoryLock:
    """One lock object per index in a process, as the file lock is: reentrancy and the
    threads' waiting work across every engine the process opens on it."""
    with _LOCKS_GUARD:
        return _LOCKS.setdefault((url, schema), _AdvisoryLock(url, schema))
