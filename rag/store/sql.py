"""The two SQL databases an index's tables can live in, behind one small interface.

The manifest, the sentence table and the kept conversations are written once, in the SQL both
speak (``?`` placeholders, ``INSERT ... ON CONFLICT``), and run on either:

- ``SQLiteDatabase``: a file in the index folder (the default; one machine);
- ``PostgresDatabase``: a schema of a PostgreSQL database (``RAG_DATABASE_URL``), shared by
  every app process that names it, through a pool of connections (psycopg 3).

Only the table definitions differ (``Schema``: SQLite's and PostgreSQL's column types).
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

from rag.store.base import Database


@dataclass(frozen=True)
class Schema:
    """A set of tables in each dialect (statements separated by ``;``)."""

    sqlite: str
    postgresql: str


class SQLiteDatabase(Database):
    """One SQLite file, in WAL mode; one connection shared by the process's threads.

    An index folder on a read-only file system (a read-only mount, a snapshot) is opened
    read-only and immutable, so questions are still answered from it: WAL needs to write its
    shared-memory file even to read, and would fail with "unable to open database file".
    """

    dialect = "sqlite"

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.read_only = path.exists() and not os.access(path.parent, os.W_OK)
        if self.read_only:
            self.connection = sqlite3.connect(f"file:{path}?immutable=1", uri=True, check_same_thread=False)
            return
        self.connection = sqlite3.connect(path, timeout=60, check_same_thread=False)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=FULL")  # stored before anything says so

    def create(self, schema: Schema) -> None:
        if not self.read_only:
            self.connection.executescript(schema.sqlite)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        # Read to the end: a half-read cursor keeps SQLite's read transaction open, and the
        # connection would go on seeing that old snapshot.
        return self.connection.execute(sql, params).fetchall()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self.connection.execute(sql, params).rowcount

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.connection.executemany(sql, rows)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with self.connection:
            yield

    def close(self) -> None:
        self.connection.close()


class PostgresDatabase(Database):
    """A schema of a PostgreSQL database, through a pool of connections (one per thread at
    a time); a transaction keeps its connection for the thread that opened it."""

    dialect = "postgresql"

    def __init__(self, url: str, schema_name: str, pool_size: int = 8):
        from psycopg_pool import ConnectionPool

        if not re.fullmatch(r"[a-z_][a-z0-9_]*", schema_name):
            raise ValueError(f"not a schema name: {schema_name!r}")
        self.url, self.schema_name = url, schema_name
        self._local = threading.local()
        self.pool = ConnectionPool(
            url, min_size=1, max_size=pool_size, open=True, name=f"rag-{schema_name}",
            kwargs={"autocommit": True, "options": f"-c search_path={schema_name}"},
        )

    def create(self, schema: Schema) -> None:
        """The schema's tables, made by whichever process comes first (one at a time: two
        replicas starting together would otherwise both try)."""
        with connect(self.url) as connection:
            connection.execute("SELECT pg_advisory_xact_lock(hashtext('rag: creating tables'))")
            connection.execute(f"CREATE SCHEMA IF NOT EXISTS {self.schema_name}")
            connection.execute(f"SET LOCAL search_path TO {self.schema_name}")
            for statement in filter(str.strip, schema.postgresql.split(";")):
                connection.execute(statement)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self._connection() as connection:
            return connection.execute(_placeholders(sql), params).fetchall()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        with self._connection() as connection:
            return connection.execute(_placeholders(sql), params).rowcount

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self._connection() as connection:
            connection.cursor().executemany(_placeholders(sql), rows)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        held = getattr(self._local, "connection", None)
        if held is not None:  # nested: a savepoint in the thread's transaction
            with held.transaction():
                yield
            return
        with self.pool.connection() as connection:
            self._local.connection = connection
            try:
                with connection.transaction():
                    yield
            finally:
                self._local.connection = None

    @contextlib.contextmanager
    def _connection(self) -> Iterator[Any]:
        held = getattr(self._local, "connection", None)
        if held is not None:
            yield held
        else:
            with self.pool.connection() as connection:
                yield connection

    def close(self) -> None:
        self.pool.close()


def connect(url: str, **kwargs: Any) -> Any:
    """A connection of its own, outside any pool (the ingest lock holds one while it is held)."""
    import psycopg

    return psycopg.connect(url, **kwargs)


def _placeholders(sql: str) -> str:
    """SQLite's ``?`` placeholders as psycopg's ``%s`` (no statement here has a literal ? or %)."""
    return sql.replace("?", "%s")


def schema_name(collection: str) -> str:
    """The PostgreSQL schema of a Chroma collection's tables: "documents-notes" -> "rag_documents_notes"."""
    return "rag_" + re.sub(r"[^a-z0-9_]", "_", collection.lower())
