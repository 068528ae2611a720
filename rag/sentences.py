"""The sentences inside the passages, with their vectors: a SQLite table beside Chroma.

Retrieval searches passages (Chroma's HNSW index); sentences are only ever read by the
passage they belong to (the candidates of the passages retrieval found) or by document (a
summary). So they need no nearest-neighbour index of their own, and keeping them out of
one is what keeps memory flat: Chroma loads a collection's whole HNSW index into the
memory of every process that queries or writes it, and a million sentence vectors there
were 1.7 GB (the large real corpus, README "Real documents at real size"). Here a process
holds only the pages SQLite reads.

Rows are found by (passage id, sentence number); a passage's sentences are written
together, so they also sit together on disk. (A table clustered on that key, WITHOUT
ROWID, was three times the size: its rows, about 1.4 kB, are too large for it.) Vectors
are stored as float16 (384 x 2 bytes): the cosines they give differ from float32's by
under 0.001.

Writes come from one ingest at a time (the ingest lock) and are durable before the
manifest commits the version they belong to; deleting a version deletes its rows. Readers
in other processes see each committed write (WAL mode).
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any, Iterable, Optional

import numpy as np

from rag.types import Sentence, sentence_id, sentence_number

log = logging.getLogger(__name__)

SENTENCES_FILE = "sentences.sqlite"
VECTOR_TYPE = np.float16

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sentences (
    passage_id TEXT NOT NULL,
    number INTEGER NOT NULL,  -- the sentence's number in its document (rag.types.sentence_id)
    version TEXT NOT NULL,    -- the document version it belongs to (rag.manifest)
    source TEXT NOT NULL,
    title TEXT NOT NULL,
    start INTEGER NOT NULL,   -- character offsets in the version's extracted text
    end INTEGER NOT NULL,
    page INTEGER,
    section TEXT NOT NULL,
    previous TEXT NOT NULL,   -- the line before it, for context ("He was hired by ...")
    text TEXT NOT NULL,
    vector BLOB NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS sentences_by_passage ON sentences (passage_id, number);
CREATE INDEX IF NOT EXISTS sentences_by_version ON sentences (version);
CREATE INDEX IF NOT EXISTS sentences_by_source ON sentences (source, version, start);
"""

_COLUMNS = "passage_id, number, version, source, title, start, end, page, section, previous, text"


class SentenceStore:
    """Sentences by passage and by document, with their vectors (see the module docstring).

    Every query reads its rows to the end: a half-read cursor keeps SQLite's read
    transaction open, and the connection would go on seeing that old snapshot.
    """

    def __init__(self, index_dir: Path):
        index_dir.mkdir(parents=True, exist_ok=True)
        self.path = index_dir / SENTENCES_FILE
        self._db = sqlite3.connect(self.path, timeout=60, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # stored before the manifest says so
        self._db.executescript(_SCHEMA)

    # --- writing (the ingest, holding the index's lock) ---------------------------------

    def add(self, ids: list[str], embeddings: Iterable[Any], documents: list[str], metadatas: list[dict]) -> None:
        """Store sentences given as Chroma records are: id, vector, text, metadata (which
        names the ``passage_id``, the version as ``document_id``, ``source``, offsets)."""
        rows = [
            (
                meta["passage_id"], sentence_number(sid), meta["document_id"], meta["source"],
                meta.get("title", ""), int(meta["start"]), int(meta["end"]), meta.get("page"),
                meta.get("section", ""), meta.get("previous", ""), text,
                np.asarray(vector, dtype=VECTOR_TYPE).tobytes(),
            )
            for sid, vector, text, meta in zip(ids, embeddings, documents, metadatas)
        ]
        with self._db:
            self._db.executemany(f"INSERT OR REPLACE INTO sentences ({_COLUMNS}, vector) VALUES ({', '.join('?' * 12)})", rows)

    def delete_version(self, version: str) -> None:
        with self._db:
            self._db.execute("DELETE FROM sentences WHERE version = ?", (version,))

    def clear(self) -> None:
        with self._db:
            self._db.execute("DELETE FROM sentences")

    # --- reading ------------------------------------------------------------------------

    def count(self) -> int:
        return self._db.execute("SELECT count(*) FROM sentences").fetchone()[0]

    def all(self) -> list[Sentence]:
        """Every stored sentence (without vectors), by document and position: for checks."""
        rows = self._db.execute(f"SELECT {_COLUMNS} FROM sentences ORDER BY source, start").fetchall()
        return [_sentence(row, None, 0.0) for row in rows]

    def vectors_of(self, passage_ids: list[str]) -> tuple[list[tuple[str, int]], np.ndarray]:
        """((passage id, number) of every sentence of these passages, their vectors as
        float32 rows). Only the keys and vectors: most of them are scored and dropped."""
        if not passage_ids:
            return [], np.zeros((0, 0), dtype=np.float32)
        rows = self._db.execute(
            f"SELECT passage_id, number, vector FROM sentences WHERE passage_id IN ({', '.join('?' * len(passage_ids))})",
            passage_ids,
        ).fetchall()
        if not rows:
            return [], np.zeros((0, 0), dtype=np.float32)
        vectors = np.frombuffer(b"".join(r[2] for r in rows), dtype=VECTOR_TYPE).reshape(len(rows), -1)
        return [(r[0], r[1]) for r in rows], vectors.astype(np.float32)

    def sentences(self, keys: list[tuple[str, int]], vectors: np.ndarray, dense: list[float]) -> list[Sentence]:
        """The sentences with these (passage id, number) keys, in the order given (those
        no longer stored are left out), with their ``vectors`` and ``dense`` scores."""
        if not keys:
            return []
        found: dict[tuple[str, int], tuple] = {}
        for i in range(0, len(keys), 400):  # SQLite's limit on bound variables
            chunk = keys[i : i + 400]
            where = " OR ".join("(passage_id = ? AND number = ?)" for _ in chunk)
            for row in self._db.execute(f"SELECT {_COLUMNS} FROM sentences WHERE {where}", [v for k in chunk for v in k]).fetchall():
                found[(row[0], row[1])] = row
        out = []
        for i, key in enumerate(keys):
            row = found.get(key)
            if row is not None:
                out.append(_sentence(row, vectors[i], dense[i]))
        return out

    def of_source(self, source: str, limit: int) -> list[tuple[str, list[Sentence]]]:
        """(version, its first ``limit`` sentences in reading order) for each version of
        a document stored (during an ingest, the committed one and the one being written)."""
        versions: dict[str, list[Sentence]] = {}
        for (version,) in self._db.execute("SELECT DISTINCT version FROM sentences WHERE source = ?", (source,)).fetchall():
            rows = self._db.execute(
                f"SELECT {_COLUMNS}, vector FROM sentences WHERE source = ? AND version = ? ORDER BY start LIMIT ?",
                (source, version, limit),
            ).fetchall()
            versions[version] = [_sentence(row, np.frombuffer(row[11], dtype=VECTOR_TYPE).astype(np.float32), 0.0) for row in rows]
        return list(versions.items())


def _sentence(row: tuple, vector: Optional[np.ndarray], dense: float) -> Sentence:
    passage_id, number, _version, source, title, start, end, page, section, previous, text = row[:11]
    return Sentence(
        id=sentence_id(passage_id, number), source=source, title=title, text=text, start=start, end=end,
        passage_id=passage_id, dense=dense, embedding=vector, previous=previous, page=page, section=section,
    )


def move_out_of_chroma(collection: Any, store: SentenceStore, page: int = 5000) -> int:
    """Copy an older index's Chroma collection of sentences into ``store`` (vectors and
    all: nothing is embedded again); the caller then deletes the collection. Returns the
    number of sentences moved."""
    from rag.models import pages

    moved = 0
    for got in pages(collection, ["documents", "metadatas", "embeddings"]):
        store.add(list(got["ids"]), got["embeddings"], list(got["documents"]), list(got["metadatas"]))
        if (moved + len(got["ids"])) // 100_000 > moved // 100_000:  # another hundred thousand
            log.warning("upgrading the index: %d sentences moved so far", moved + len(got["ids"]))
        moved += len(got["ids"])
    return moved
