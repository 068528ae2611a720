"""Where an index lives: the contract both storage backends keep.

An index is made of these parts, and a backend says where each is kept:

====================  ===================================  =====================================
                      embedded (the default)               server (``RAG_DATABASE_URL``)
====================  ===================================  =====================================
passages              Chroma, persisted in the index       a Chroma server (``RAG_CHROMA_HOST``)
                      folder (or ``RAG_CHROMA_HOST``)
manifest, journal,    SQLite files in the index folder     tables in PostgreSQL
sentences, texts,     (texts as files)
conversations
ingest lock           an OS file lock                      a PostgreSQL advisory lock
generation            a file, replaced atomically          a row, read before each question
BM25                  a folder in the index folder         the same, in each app process's own
                      (rebuilt by the ingest)              index folder, rebuilt from Chroma
                                                           when the generation moves
====================  ===================================  =====================================

In server mode an app process keeps nothing the servers cannot give back: its index folder
holds only the BM25 cache, rebuilt from the passages when missing. Both backends hand out
the same objects (``rag.store.manifest.Manifest``, ``rag.store.sentences.SentenceStore``,
``rag.conversations.Conversations``), which speak SQL through ``Database``.
"""

from __future__ import annotations

import abc
from pathlib import Path
from typing import Any, ContextManager, Optional, Sequence


class Database(abc.ABC):
    """SQL in the dialect both SQLite and PostgreSQL accept (``?`` placeholders)."""

    dialect: str  # "sqlite" or "postgresql"

    @abc.abstractmethod
    def create(self, schema: Any) -> None:
        """Make the tables of a ``rag.store.sql.Schema`` where they are missing."""

    @abc.abstractmethod
    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """Every row of a SELECT."""

    @abc.abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """A statement; returns the rows it changed."""

    @abc.abstractmethod
    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """One statement for each row."""

    @abc.abstractmethod
    def transaction(self) -> ContextManager[None]:
        """Statements run inside commit together or not at all."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the connection(s)."""


class Storage(abc.ABC):
    """An index's storage: what the engine and the ingest read and write (module docstring)."""

    #: True when other app processes may share this index from other machines: each then
    #: rebuilds its own BM25 index when the generation moves.
    shared: bool = False

    def __init__(self, settings: Any):
        self.settings = settings
        self.lexical_dir: Path = settings.index_dir / "bm25"  # derived: rebuilt when missing
        self.passages: Any = None  # the Chroma collection of passages
        self.max_batch: int = 0  # the most records Chroma takes in one call

    @property
    @abc.abstractmethod
    def sentences(self) -> Any:
        """The sentence table (``rag.store.sentences.SentenceStore``)."""

    @abc.abstractmethod
    def manifest(self) -> Any:
        """The manifest (``rag.store.manifest.Manifest``) that answering reads."""

    @abc.abstractmethod
    def writer_manifest(self) -> Any:
        """A manifest for an ingest to write through (closed by it when done)."""

    @abc.abstractmethod
    def conversations(self) -> Any:
        """The kept conversations (``rag.conversations.Conversations``)."""

    # --- the extracted texts, by document version (what citation offsets index) ---------

    @abc.abstractmethod
    def read_text(self, version: str) -> str:
        """The text of a stored version (``KeyError`` when there is none)."""

    @abc.abstractmethod
    def write_text(self, version: str, text: str) -> None:
        """Store a version's text, durably, before its nodes are written."""

    @abc.abstractmethod
    def delete_text(self, version: str) -> None:
        """Forget a version's text (nothing happens when there is none)."""

    # --- coordination between processes ------------------------------------------------

    @abc.abstractmethod
    def lock(self, timeout: Optional[float] = None) -> ContextManager[None]:
        """Hold the index's write lock (one ingest at a time, in any process on any machine);
        reentrant in a process; released when the process dies, even by ``kill -9``.
        ``IndexBusyError`` after ``timeout`` seconds of waiting."""

    @abc.abstractmethod
    def generation(self) -> int:
        """The generation an ingest last published (0 before the first): cheap, read before
        every question."""

    @abc.abstractmethod
    def publish(self, generation: int) -> None:
        """Tell every engine on this index that it is now at ``generation``."""

    def refresh(self) -> None:
        """See what another process wrote (an embedded Chroma caches its vector index)."""

    def close(self) -> None:
        """Release connections."""
