"""The sentences inside the passages, with their vectors: a SQLite table beside Chroma.

Retrieval searches passages (Chroma's HNSW index); sentences are only ever read by the
passage they belong to (the candidates of the passages retrieval found) or by document (a
summary). So they need no nearest-neighbour index of their own, and keeping them out of
one is what keeps memory flat: Chroma loads a collection's whole HNSW index into the
memory of every process that queries or writes it, and a million sentence vectors there
were 1.7 GB (the large real corpus, docs/measured.md, "Real documents at real size"). Here a process
holds only the pages SQLite reads.

A row holds what is particular to a sentence (its passage's number, its own number, offsets,
text, the line before it, its vector) and points at its document version in a small table
of their own, so the version, source and title are stored once a document, not once a
sentence. Rows are found by (document, passage, number); a passage's sentences are written
together, so they also sit together on disk. Vectors are stored as int8 with a scale each
(388 bytes; on the seed articles the cosines they give differ from float32's by 0.0013 at
most). On the large real corpus this layout is 36% of the size of the one before it
(docs/measured.md, "Real documents at real size"), which kept float16 vectors and repeated the
version, source and title in every row and in two indexes; an index written that way is
converted once, by the first process that opens it (``upgrade_legacy_file``).

Writes come from one ingest at a time (the ingest lock) and are durable before the
manifest commits the version they belong to; deleting a version deletes its rows. Readers
in other processes see each committed write (WAL mode).
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from pathlib import Path
from typing import Any, Iterable, Optional

import numpy as np

from rag.types import Sentence, sentence_id, sentence_number

log = logging.getLogger(__name__)

SENTENCES_FILE = "sentences-v2.sqlite"
# The layout before (float16 vectors; version, source and title in every row): converted
# into SENTENCES_FILE by the first process that opens the index, then deleted.
LEGACY_FILE = "sentences.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc INTEGER PRIMARY KEY,
    version TEXT NOT NULL UNIQUE,  -- the document version (rag.manifest)
    source TEXT NOT NULL,
    title TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_by_source ON documents (source);
CREATE TABLE IF NOT EXISTS sentences (
    doc INTEGER NOT NULL REFERENCES documents (doc),
    passage INTEGER NOT NULL, -- the passage's number in its version (the "N" of its id "version#pN")
    number INTEGER NOT NULL,  -- the sentence's number in its document (rag.types.sentence_id)
    start INTEGER NOT NULL,   -- character offsets in the version's extracted text
    end INTEGER NOT NULL,
    page INTEGER,
    section TEXT NOT NULL,
    previous TEXT NOT NULL,   -- the line before it, for context ("He was hired by ...")
    text TEXT NOT NULL,
    vector BLOB NOT NULL      -- a float32 scale, then 384 int8 (see pack_vectors)
);
CREATE UNIQUE INDEX IF NOT EXISTS sentences_by_passage ON sentences (doc, passage, number);
"""

# Columns of a row as ``_sentence`` reads them (the join of a sentence and its document).
_COLUMNS = "d.version, s.passage, s.number, d.source, d.title, s.start, s.end, s.page, s.section, s.previous, s.text"
_JOIN = "sentences s JOIN documents d ON d.doc = s.doc"
_CHUNK = 300  # keys a query at most (SQLite's limit on bound variables is 32,766; 999 before 3.32)


def pack_vectors(vectors: Any) -> list[bytes]:
    """Each vector as a float32 scale and int8 values: value = int8 * scale.

    >>> v = np.array([[0.6, -0.8, 0.0]], dtype=np.float32)
    >>> [len(packed) for packed in pack_vectors(v)]  # 4 bytes of scale, 1 a value
    [7]
    >>> bool(np.abs(unpack_vectors(pack_vectors(v)) - v).max() <= 0.8 / 254)  # half a step at most
    True
    """
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors.reshape(1, -1)
    scale = np.abs(vectors).max(axis=1, keepdims=True) / 127
    scale[scale == 0] = 1.0
    values = np.round(vectors / scale).astype(np.int8)
    return [sc.astype(np.float32).tobytes() + row.tobytes() for sc, row in zip(scale, values)]


def unpack_vectors(blobs: list[bytes]) -> np.ndarray:
    """float32 rows from ``pack_vectors``' bytes."""
    raw = np.frombuffer(b"".join(blobs), dtype=np.uint8).reshape(len(blobs), -1)
    scale = raw[:, :4].copy().view(np.float32)
    return raw[:, 4:].view(np.int8).astype(np.float32) * scale


def split_passage_id(passage_id: str) -> tuple[str, int]:
    """(version, passage number) of a passage id made by ``rag.split`` ("version#pN")."""
    version, mark, number = passage_id.rpartition("#p")
    if not mark or not number.isdigit():
        raise ValueError(f"not a passage id: {passage_id!r}")
    return version, int(number)


def passage_id_of(version: str, passage: int) -> str:
    return f"{version}#p{passage}"


class SentenceStore:
    """Sentences by passage and by document, with their vectors (see the module docstring).

    Every query reads its rows to the end: a half-read cursor keeps SQLite's read
    transaction open, and the connection would go on seeing that old snapshot.
    """

    def __init__(self, index_dir: Path):
        from rag.manifest import open_index_db

        self.path = index_dir / SENTENCES_FILE
        self._db = open_index_db(self.path, _SCHEMA)  # written before the manifest says so

    # --- writing (the ingest, holding the index's lock) ---------------------------------

    def add(self, ids: list[str], embeddings: Iterable[Any], documents: list[str], metadatas: list[dict]) -> None:
        """Store sentences given as Chroma records are: id, vector, text, metadata (which
        names the ``passage_id``, the version as ``document_id``, ``source``, offsets)."""
        if not ids:
            return
        vectors = pack_vectors(np.asarray(list(embeddings), dtype=np.float32))
        with self._db:
            docs: dict[str, int] = {}
            rows = []
            for sid, vector, text, meta in zip(ids, vectors, documents, metadatas):
                version = meta["document_id"]
                if version not in docs:
                    docs[version] = self._document(version, meta["source"], meta.get("title", ""))
                rows.append((
                    docs[version], split_passage_id(meta["passage_id"])[1], sentence_number(sid),
                    int(meta["start"]), int(meta["end"]), meta.get("page"), meta.get("section", ""),
                    meta.get("previous", ""), text, vector,
                ))
            self._db.executemany(
                "INSERT OR REPLACE INTO sentences (doc, passage, number, start, end, page, section, previous, text, vector)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows,
            )

    def _document(self, version: str, source: str, title: str) -> int:
        """The key of a document version's row, added if new (inside the caller's transaction)."""
        self._db.execute("INSERT OR IGNORE INTO documents (version, source, title) VALUES (?, ?, ?)", (version, source, title))
        return self._db.execute("SELECT doc FROM documents WHERE version = ?", (version,)).fetchone()[0]

    def delete_version(self, version: str) -> None:
        with self._db:
            self._db.execute("DELETE FROM sentences WHERE doc IN (SELECT doc FROM documents WHERE version = ?)", (version,))
            self._db.execute("DELETE FROM documents WHERE version = ?", (version,))

    def clear(self) -> None:
        with self._db:
            self._db.execute("DELETE FROM sentences")
            self._db.execute("DELETE FROM documents")

    # --- reading ------------------------------------------------------------------------

    def count(self) -> int:
        return self._db.execute("SELECT count(*) FROM sentences").fetchone()[0]

    def all(self) -> list[Sentence]:
        """Every stored sentence (without vectors), by document and position: for checks."""
        rows = self._db.execute(f"SELECT {_COLUMNS} FROM {_JOIN} ORDER BY d.source, s.start").fetchall()
        return [_sentence(row, None, 0.0) for row in rows]

    def vectors_of(self, passage_ids: list[str]) -> tuple[list[tuple[str, int]], np.ndarray]:
        """((passage id, number) of every sentence of these passages, their vectors as
        float32 rows). Only the keys and vectors: most of them are scored and dropped."""
        wanted = [split_passage_id(pid) for pid in passage_ids]
        docs = self._documents({version for version, _ in wanted})
        keys: list[tuple[str, int]] = []
        blobs: list[bytes] = []
        pairs = [(docs[version], passage) for version, passage in wanted if version in docs]
        versions = {doc: version for version, doc in docs.items()}
        for i in range(0, len(pairs), _CHUNK):
            chunk = pairs[i : i + _CHUNK]
            where = " OR ".join("(doc = ? AND passage = ?)" for _ in chunk)
            for doc, passage, number, vector in self._db.execute(
                f"SELECT doc, passage, number, vector FROM sentences WHERE {where}", [v for pair in chunk for v in pair]
            ).fetchall():
                keys.append((passage_id_of(versions[doc], passage), number))
                blobs.append(vector)
        if not keys:
            return [], np.zeros((0, 0), dtype=np.float32)
        return keys, unpack_vectors(blobs)

    def _documents(self, versions: set[str]) -> dict[str, int]:
        """{version: its key} of the versions stored."""
        out: dict[str, int] = {}
        listed = sorted(versions)
        for i in range(0, len(listed), _CHUNK):
            chunk = listed[i : i + _CHUNK]
            out.update(self._db.execute(
                f"SELECT version, doc FROM documents WHERE version IN ({', '.join('?' * len(chunk))})", chunk
            ).fetchall())
        return out

    def sentences(self, keys: list[tuple[str, int]], vectors: np.ndarray, dense: list[float]) -> list[Sentence]:
        """The sentences with these (passage id, number) keys, in the order given (those
        no longer stored are left out), with their ``vectors`` and ``dense`` scores."""
        if not keys:
            return []
        wanted = [(*split_passage_id(pid), number) for pid, number in keys]
        docs = self._documents({version for version, _, _ in wanted})
        triples = [(docs[version], passage, number) for version, passage, number in wanted if version in docs]
        found: dict[tuple[str, int], tuple] = {}
        for i in range(0, len(triples), _CHUNK):
            chunk = triples[i : i + _CHUNK]
            where = " OR ".join("(s.doc = ? AND s.passage = ? AND s.number = ?)" for _ in chunk)
            for row in self._db.execute(f"SELECT {_COLUMNS} FROM {_JOIN} WHERE {where}", [v for t in chunk for v in t]).fetchall():
                found[(passage_id_of(row[0], row[1]), row[2])] = row
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
        for doc, version in self._db.execute("SELECT doc, version FROM documents WHERE source = ?", (source,)).fetchall():
            # A sentence is stored with the passage it starts in, and both are numbered in
            # reading order: the index's order is the document's.
            rows = self._db.execute(
                f"SELECT {_COLUMNS}, s.vector FROM {_JOIN} WHERE s.doc = ? ORDER BY s.passage, s.number LIMIT ?",
                (doc, limit),
            ).fetchall()
            vectors = unpack_vectors([row[11] for row in rows]) if rows else []
            versions[version] = [_sentence(row, vector, 0.0) for row, vector in zip(rows, vectors)]
        return list(versions.items())


def _sentence(row: tuple, vector: Optional[np.ndarray], dense: float) -> Sentence:
    version, passage, number, source, title, start, end, page, section, previous, text = row[:11]
    passage_id = passage_id_of(version, passage)
    return Sentence(
        id=sentence_id(passage_id, number), source=source, title=title, text=text, start=start, end=end,
        passage_id=passage_id, dense=dense, embedding=vector, previous=previous, page=page, section=section,
    )


def move_out_of_chroma(collection: Any, store: SentenceStore, page: int = 5000) -> int:
    """Copy an older index's Chroma collection of sentences into ``store`` (vectors and
    all: nothing is embedded again); the caller then deletes the collection. Returns the
    number of sentences moved."""
    from rag.chroma_rows import pages

    moved = 0
    for got in pages(collection, ["documents", "metadatas", "embeddings"], page):
        store.add(list(got["ids"]), got["embeddings"], list(got["documents"]), list(got["metadatas"]))
        moved += len(got["ids"])
        _progress(moved, len(got["ids"]))
    return moved


def upgrade_legacy_file(index_dir: Path, store: SentenceStore, page: int = 5000) -> int:
    """Convert an older index's sentence table (``LEGACY_FILE``) into ``store`` and delete
    it (vectors and all: nothing is embedded again). The caller holds the ingest lock.
    Returns the number of sentences converted."""
    legacy = index_dir / LEGACY_FILE
    moved = 0
    with contextlib.closing(sqlite3.connect(legacy, timeout=60)) as db:
        last = -1
        while True:
            rows = db.execute(
                "SELECT rowid, passage_id, number, version, source, title, start, end, page, section, previous, text, vector"
                " FROM sentences WHERE rowid > ? ORDER BY rowid LIMIT ?", (last, page),
            ).fetchall()
            if not rows:
                break
            last = rows[-1][0]
            store.add(
                [sentence_id(r[1], r[2]) for r in rows],
                np.frombuffer(b"".join(r[12] for r in rows), dtype=np.float16).reshape(len(rows), -1),
                [r[11] for r in rows],
                [{"passage_id": r[1], "document_id": r[3], "source": r[4], "title": r[5], "start": r[6], "end": r[7],
                  "page": r[8], "section": r[9], "previous": r[10]} for r in rows],
            )
            moved += len(rows)
            _progress(moved, len(rows))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{legacy}{suffix}").unlink(missing_ok=True)
    return moved


def _progress(moved: int, just: int) -> None:
    if moved // 100_000 > (moved - just) // 100_000:  # another hundred thousand
        log.warning("upgrading the index: %d sentences moved so far", moved)
