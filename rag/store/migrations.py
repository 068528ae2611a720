"""Every upgrade of an index written by an earlier version, in one place. Each runs once, by
the first process that opens (or ingests into) such an index, holding the ingest lock; none
embeds anything again except the oldest, which cannot say which files it holds.

- ``clear_legacy_index``: an index from before the manifest (a llama-index docstore.json) is
  emptied, and the folder indexed afresh;
- ``upgrade_sentences``: sentences kept in a second Chroma collection are moved into the
  sentence table, and a sentence table in the layout before (float16 vectors; version,
  source and title in every row) is converted into the present one.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np

from rag.store.base import Storage
from rag.store.chroma import chroma_name
from rag.store.chroma_rows import get_all, pages
from rag.store.lock import ingest_lock
from rag.store.manifest import Manifest
from rag.store.sentences import SentenceStore
from rag.types import sentence_id

log = logging.getLogger(__name__)

# The layout before (float16 vectors; version, source and title in every row): converted
# into SENTENCES_FILE by the first process that opens the index, then deleted.
LEGACY_FILE = "sentences.sqlite"


def clear_legacy_index(index_dir: Path, manifest: Manifest, storage: Storage) -> None:
    """An index written before the manifest existed (it kept a llama-index docstore.json)
    cannot say which files it holds: empty it, so this run indexes the folder afresh."""
    legacy = index_dir / "docstore.json"
    if not legacy.exists():
        return
    log.warning("the index in %s was written by an older version: indexing the folder again", index_dir)
    ids = get_all(storage.passages, [])["ids"]
    for i in range(0, len(ids), 5000):
        storage.passages.delete(ids=ids[i : i + 5000])
    storage.sentences.clear()
    manifest.clear()
    legacy.unlink()


def upgrade_sentences(client: Any, settings: Any, sentences: SentenceStore) -> None:
    """Bring an older index's sentences into the sentence table, once, holding the ingest
    lock so no ingest writes meanwhile; nothing is embedded again:

    - written before sentences left Chroma, they are in a second collection: moved, and the
      collection deleted;
    - written before the table's present layout (``rag.store.sentences.LEGACY_FILE``): converted,
      and the old file deleted.
    """

    legacy = f"{chroma_name(settings)}-sentences"
    in_chroma = legacy in {c.name for c in client.list_collections()}
    in_old_file = (settings.index_dir / LEGACY_FILE).exists()
    if not (in_chroma or in_old_file):
        return

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
        leftovers = [] if settings.chroma_host else segment_dirs(settings, str(collection.id))
        client.delete_collection(legacy)
        for folder in leftovers:
            # Chroma 1.x leaves a deleted collection's vector index on disk (chroma-core/chroma#5259).
            shutil.rmtree(folder, ignore_errors=True)
        log.warning("upgrading the index: %d sentences moved", moved)


def segment_dirs(settings: Any, collection_id: str) -> list[Path]:
    """The folders of an embedded store that hold this collection's segments. Read from
    the store's own SQLite catalogue, since Chroma has no API for it; empty if that fails."""
    folder = settings.index_dir / "chroma"
    try:
        with contextlib.closing(sqlite3.connect(f"file:{folder / 'chroma.sqlite3'}?mode=ro", uri=True)) as db:
            ids = [row[0] for row in db.execute("SELECT id FROM segments WHERE collection = ?", (collection_id,))]
    except sqlite3.Error:
        return []
    return [folder / segment for segment in ids if (folder / segment).is_dir()]


def move_out_of_chroma(collection: Any, store: SentenceStore, page: int = 5000) -> int:
    """Copy an older index's Chroma collection of sentences into ``store`` (vectors and
    all: nothing is embedded again); the caller then deletes the collection. Returns the
    number of sentences moved."""
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
