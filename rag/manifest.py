"""What the index holds, file by file: a small SQLite journal beside the Chroma store.

Chroma and this manifest cannot share a transaction, so every version of a document passes
through states that make a crash at any moment recoverable:

1. ``begin``: the new version is journalled as *pending* before any of its nodes is stored;
2. its passages and sentences are added to Chroma, in batches;
3. ``commit``: in one transaction the document's row points at the new version and the old
   version (if any) is journalled as *garbage*;
4. the garbage version's nodes and text are deleted, then ``forget`` clears the journal.

A run killed between any two steps leaves journal entries; the next ingest deletes their
nodes first (``journal``), so nothing is duplicated or orphaned, and the old version keeps
answering until the new one is stored. SQLite commits are durable (``synchronous=FULL``).
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

MANIFEST_FILE = "manifest.sqlite3"
GENERATION_FILE = "generation"  # the published Manifest.changes(); running engines watch it

_SCHEMA = """
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


def open_index_db(path: Path, schema: str) -> sqlite3.Connection:
    """A connection to one of the index's SQLite files, in WAL mode with its schema made.

    An index folder on a read-only file system (a read-only mount, a snapshot) is opened
    read-only and immutable, so questions are still answered from it: WAL needs to write its
    shared-memory file even to read, and would fail with "unable to open database file".
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and not os.access(path.parent, os.W_OK):
        return sqlite3.connect(f"file:{path}?immutable=1", uri=True, check_same_thread=False)
    db = sqlite3.connect(path, timeout=60, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")  # stored before anything says so
    db.executescript(schema)
    return db


class Manifest:
    """The documents the index holds, and the versions being written or deleted.

    Every query reads its rows to the end (``fetchall``): a half-read cursor keeps SQLite's
    read transaction open, and the connection would go on seeing that old snapshot.
    """

    def __init__(self, index_dir: Path):
        self.index_dir = index_dir
        # One connection per Manifest; callers serialise writes with the ingest lock.
        self._db = open_index_db(index_dir / MANIFEST_FILE, _SCHEMA)

    def close(self) -> None:
        self._db.close()

    # --- reading ------------------------------------------------------------------------

    def get(self, source: str) -> Optional[DocumentRow]:
        row = self._db.execute(
            "SELECT source, version, sha1, size, mtime_ns, title, passages, sentences, pages "
            "FROM documents WHERE source = ?", (source,)
        ).fetchall()
        return DocumentRow(*row[0]) if row else None

    def documents(self) -> list[DocumentRow]:
        rows = self._db.execute(
            "SELECT source, version, sha1, size, mtime_ns, title, passages, sentences, pages "
            "FROM documents ORDER BY source"
        ).fetchall()
        return [DocumentRow(*row) for row in rows]

    def changes(self) -> int:
        """How many documents were committed or removed, ever: the index's generation."""
        row = self._db.execute("SELECT value FROM counters WHERE name = 'changes'").fetchall()
        return row[0][0] if row else 0

    def versions(self) -> dict[str, str]:
        """{source: indexed version}: nodes of any other version are being written or deleted."""
        return dict(self._db.execute("SELECT source, version FROM documents"))

    def count(self) -> int:
        return self._db.execute("SELECT count(*) FROM documents").fetchall()[0][0]

    def journal(self) -> list[tuple[str, str, str]]:
        """(version, source, state) of versions a run left half-written or half-deleted."""
        return self._db.execute("SELECT version, source, state FROM journal").fetchall()

    # --- writing (under the ingest lock) -------------------------------------------------

    def begin(self, version: str, source: str) -> None:
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO journal VALUES (?, ?, 'pending')", (version, source))

    def commit(self, row: DocumentRow) -> Optional[str]:
        """Make ``row`` the document's indexed version; returns the replaced version, now garbage."""
        with self._db:
            old = self.get(row.source)
            self._db.execute(
                "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (row.source, row.version, row.sha1, row.size, row.mtime_ns, row.title,
                 row.passages, row.sentences, row.pages, time.time()),
            )
            self._db.execute("DELETE FROM journal WHERE version = ?", (row.version,))
            self._count_change()
            if old and old.version != row.version:
                self._db.execute("INSERT OR REPLACE INTO journal VALUES (?, ?, 'garbage')", (old.version, old.source))
                return old.version
        return None

    def touch(self, source: str, size: int, mtime_ns: int) -> None:
        """The file was rewritten with the same bytes: remember its new size and time only."""
        with self._db:
            self._db.execute("UPDATE documents SET size = ?, mtime_ns = ? WHERE source = ?", (size, mtime_ns, source))

    def remove(self, source: str) -> Optional[str]:
        """Drop a document that left the folder; returns its version, now garbage."""
        with self._db:
            old = self.get(source)
            if old is None:
                return None
            self._db.execute("DELETE FROM documents WHERE source = ?", (source,))
            self._db.execute("INSERT OR REPLACE INTO journal VALUES (?, ?, 'garbage')", (old.version, source))
            self._count_change()
            return old.version

    def _count_change(self) -> None:
        self._db.execute(
            "INSERT INTO counters VALUES ('changes', 1) ON CONFLICT(name) DO UPDATE SET value = value + 1"
        )

    def clear(self) -> None:
        with self._db:
            self._db.execute("DELETE FROM documents")
            self._db.execute("DELETE FROM journal")
            self._count_change()

    def forget(self, version: str) -> None:
        """The version's nodes and text are gone: clear its journal entry."""
        with self._db:
            self._db.execute("DELETE FROM journal WHERE version = ?", (version,))


def read_generation(index_dir: Path) -> int:
    """The generation an ingest last published (0 before the first); cheap enough to read
    before every question, which a SQLite query would not be under a busy ingest."""
    try:
        return int((index_dir / GENERATION_FILE).read_text() or 0)
    except (OSError, ValueError):
        return 0


def publish_generation(index_dir: Path, generation: int) -> None:
    """Tell running engines the index is now at ``generation`` (``Manifest.changes()``)."""
    if read_generation(index_dir) == generation:
        return
    staging = index_dir / f".{GENERATION_FILE}.tmp"
    staging.write_text(str(generation))
    staging.replace(index_dir / GENERATION_FILE)  # atomic: readers see the old or the new number
