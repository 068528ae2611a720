"""What the index holds, file by file: a small journal beside the Chroma store (SQLite or
PostgreSQL, ``rag.store.sql``).

Chroma and this manifest cannot share a transaction, so every version of a document passes
through states that make a crash at any moment recoverable:

1. ``begin``: the new version is journalled as *pending* before any of its nodes is stored;
2. its passages and sentences are added to Chroma, in batches;
3. ``commit``: in one transaction the document's row points at the new version and the old
   version (if any) is journalled as *garbage*;
4. the garbage version's nodes and text are deleted, then ``forget`` clears the journal.

A run killed between any two steps leaves journal entries; the next ingest deletes their
nodes first (``journal``), so nothing is duplicated or orphaned, and the old version keeps
answering until the new one is stored. Commits are durable (SQLite: ``synchronous=FULL``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Optional

from rag.store.base import Database
from rag.store.sql import Schema

MANIFEST_FILE = "manifest.sqlite3"  # in the index folder, when the tables are SQLite's
_DOCUMENT_COLUMNS = ("source", "version", "sha1", "size", "mtime_ns", "title", "passages", "sentences", "pages", "indexed_at")

_TABLES = """
CREATE TABLE IF NOT EXISTS documents (
    source TEXT PRIMARY KEY,   -- path relative to the documents folder
    version TEXT NOT NULL,     -- node-id prefix of the indexed content: source@sha1
    sha1 TEXT NOT NULL,        -- of the file's bytes
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    title TEXT NOT NULL,
    passages INTEGER NOT NULL,
    sentences INTEGER NOT NULL,
    pages INTEGER,             -- NULL for unpaged formats
    indexed_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL     -- 'changes': bumped in the same transaction as every change
);
CREATE TABLE IF NOT EXISTS journal (
    version TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    state TEXT NOT NULL        -- 'pending' (being written) or 'garbage' (being deleted)
);
"""
# PostgreSQL's INTEGER is 32 bits and its REAL 4 bytes: sizes, nanoseconds and times need more.
SCHEMA = Schema(
    sqlite=_TABLES,
    postgresql=_TABLES.replace("INTEGER", "BIGINT").replace("REAL", "DOUBLE PRECISION"),
)


@dataclass(frozen=True)
class DocumentRow:
    source: str
    version: str
    sha1: str
    size: int
    mtime_ns: int
    title: str
    passages: int
    sentences: int
    pages: Optional[int] = None


class Manifest:
    """The documents the index holds, and the versions being written or deleted (in SQLite
    or PostgreSQL: ``rag.store.sql``)."""

    def __init__(self, db: Database, owns_db: bool = True):
        # Callers serialise writes with the ingest lock.
        self._db, self._owns_db = db, owns_db
        db.create(SCHEMA)

    def close(self) -> None:
        if self._owns_db:  # not a database its storage shares with the sentences
            self._db.close()

    # --- reading ------------------------------------------------------------------------

    def get(self, source: str) -> Optional[DocumentRow]:
        row = self._db.query(
            "SELECT source, version, sha1, size, mtime_ns, title, passages, sentences, pages "
            "FROM documents WHERE source = ?", (source,)
        )
        return DocumentRow(*row[0]) if row else None

    def documents(self) -> list[DocumentRow]:
        rows = self._db.query(
            "SELECT source, version, sha1, size, mtime_ns, title, passages, sentences, pages "
            "FROM documents ORDER BY source"
        )
        return [DocumentRow(*row) for row in rows]

    def changes(self) -> int:
        """How many documents were committed or removed, ever: the index's generation."""
        row = self._db.query("SELECT value FROM counters WHERE name = 'changes'")
        return row[0][0] if row else 0

    def versions(self) -> dict[str, str]:
        """{source: indexed version}: nodes of any other version are being written or deleted."""
        return dict(self._db.query("SELECT source, version FROM documents"))

    def count(self) -> int:
        return self._db.query("SELECT count(*) FROM documents")[0][0]

    def journal(self) -> list[tuple[str, str, str]]:
        """(version, source, state) of versions a run left half-written or half-deleted."""
        return self._db.query("SELECT version, source, state FROM journal")

    # --- writing (under the ingest lock) -------------------------------------------------

    def begin(self, version: str, source: str) -> None:
        with self._db.transaction():
            self._journal(version, source, "pending")

    def commit(self, row: DocumentRow) -> Optional[str]:
        """Make ``row`` the document's indexed version; returns the replaced version, now garbage."""
        with self._db.transaction():
            old = self.get(row.source)
            self._db.execute(
                "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source) DO UPDATE SET "
                + ", ".join(f"{c} = excluded.{c}" for c in _DOCUMENT_COLUMNS[1:]),
                (row.source, row.version, row.sha1, row.size, row.mtime_ns, row.title,
                 row.passages, row.sentences, row.pages, time.time()),
            )
            self._db.execute("DELETE FROM journal WHERE version = ?", (row.version,))
            self._count_change()
            if old and old.version != row.version:
                self._journal(old.version, old.source, "garbage")
                return old.version
        return None

    def touch(self, source: str, size: int, mtime_ns: int) -> None:
        """The file was rewritten with the same bytes: remember its new size and time only."""
        with self._db.transaction():
            self._db.execute("UPDATE documents SET size = ?, mtime_ns = ? WHERE source = ?", (size, mtime_ns, source))

    def remove(self, source: str) -> Optional[str]:
        """Drop a document that left the folder; returns its version, now garbage."""
        with self._db.transaction():
            old = self.get(source)
            if old is None:
                return None
            self._db.execute("DELETE FROM documents WHERE source = ?", (source,))
            self._journal(old.version, source, "garbage")
            self._count_change()
            return old.version

    def _count_change(self) -> None:
        self._db.execute(
            "INSERT INTO counters VALUES ('changes', 1) ON CONFLICT (name) DO UPDATE SET value = counters.value + 1"
        )

    def _journal(self, version: str, source: str, state: str) -> None:
        self._db.execute(
            "INSERT INTO journal VALUES (?, ?, ?) ON CONFLICT (version) DO UPDATE SET source = excluded.source, state = excluded.state",
            (version, source, state),
        )

    def clear(self) -> None:
        with self._db.transaction():
            self._db.execute("DELETE FROM documents")
            self._db.execute("DELETE FROM journal")
            self._count_change()

    def forget(self, version: str) -> None:
        """The version's nodes and text are gone: clear its journal entry."""
        with self._db.transaction():
            self._db.execute("DELETE FROM journal WHERE version = ?", (version,))
