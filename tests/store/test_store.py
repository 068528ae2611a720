"""The storage contract (rag/store/base.py), kept the same by both backends: the index folder
(SQLite, files, a file lock) and the servers (PostgreSQL, a Chroma server, an advisory lock)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from rag.config import Settings
from rag.errors import IndexBusyError
from rag.store import open_storage
from rag.store.manifest import DocumentRow
from rag.types import sentence_id
from servers import Servers, postgres_installed


@pytest.fixture(scope="module")
def servers():
    if not postgres_installed():
        pytest.skip("PostgreSQL is not installed: make postgres")
    s = Servers().start()
    yield s
    s.stop()


@pytest.fixture(params=["embedded", "server"])
def storage(request, tmp_path):
    settings = Settings(docs_dir=tmp_path / "docs", index_dir=tmp_path / "index")
    if request.param == "server":
        found = request.getfixturevalue("servers")
        settings = settings.replace(database_url=found.database_url, chroma_host="127.0.0.1", chroma_port=found.chroma_port,
                                    chroma_collection=request.node.originalname.replace("_", "-")[5:60])  # a schema a test
    store = open_storage(settings)
    yield store
    store.close()


def row(source: str, version: str) -> DocumentRow:
    return DocumentRow(source, version, "sha1", 10, 123_456_789_000_000_000, "Title", 2, 3)


def test_the_manifest_journals_a_version_until_it_is_committed_and_its_old_one_deleted(storage):
    manifest = storage.manifest()
    manifest.begin("a.txt@1", "a.txt")
    assert manifest.journal() == [("a.txt@1", "a.txt", "pending")] and manifest.count() == 0
    assert manifest.commit(row("a.txt", "a.txt@1")) is None
    assert manifest.journal() == [] and manifest.versions() == {"a.txt": "a.txt@1"}
    assert manifest.get("a.txt").mtime_ns == 123_456_789_000_000_000  # nanoseconds need 64 bits
    manifest.begin("a.txt@2", "a.txt")
    assert manifest.commit(row("a.txt", "a.txt@2")) == "a.txt@1"  # the old version, now garbage
    assert manifest.journal() == [("a.txt@1", "a.txt", "garbage")]
    manifest.forget("a.txt@1")
    assert manifest.remove("a.txt") == "a.txt@2" and manifest.count() == 0
    assert manifest.changes() == 3  # two commits and a removal


def test_sentences_are_found_by_passage_and_document_and_deleted_by_version(storage):
    vectors = np.eye(3, 384, dtype=np.float32)
    ids = [sentence_id("a.txt@1#p0", 0), sentence_id("a.txt@1#p0", 1), sentence_id("a.txt@1#p1", 2)]
    metas = [{"passage_id": pid.rsplit("#s", 1)[0], "document_id": "a.txt@1", "source": "a.txt", "title": "A",
              "start": 10 * i, "end": 10 * i + 9, "page": None, "section": "", "previous": ""}
             for i, pid in enumerate(ids)]
    storage.sentences.add(ids, vectors, ["One.", "Two.", "Three."], metas)
    keys, found = storage.sentences.vectors_of(["a.txt@1#p0"])
    assert sorted(keys) == [("a.txt@1#p0", 0), ("a.txt@1#p0", 1)]
    assert np.allclose(found[keys.index(("a.txt@1#p0", 1))], vectors[1], atol=0.01)
    got = storage.sentences.sentences([("a.txt@1#p1", 2)], np.zeros((1, 384)), [0.5])
    assert [(s.text, s.start, s.end, s.source) for s in got] == [("Three.", 20, 29, "a.txt")]
    [(version, first)] = storage.sentences.of_source("a.txt", 2)
    assert version == "a.txt@1" and [s.text for s in first] == ["One.", "Two."]
    storage.sentences.delete_version("a.txt@1")
    assert storage.sentences.count() == 0


def test_texts_are_kept_by_version(storage):
    storage.write_text("a.txt@1", "Première ligne.\nSecond line.")
    assert storage.read_text("a.txt@1") == "Première ligne.\nSecond line."
    storage.delete_text("a.txt@1")
    storage.delete_text("never-written")  # nothing to delete: no error
    with pytest.raises(KeyError):
        storage.read_text("never-written")


def test_the_generation_published_is_the_one_read(storage):
    assert storage.generation() == 0
    storage.publish(7)
    assert storage.generation() == 7


def test_the_lock_is_reentrant_and_keeps_other_threads_waiting(storage):
    with storage.lock():
        with storage.lock():  # an upload saves and ingests under one hold
            outcome = []

            def other() -> None:
                try:
                    with storage.lock(timeout=0.3):
                        outcome.append("got it")
                except IndexBusyError as exc:
                    outcome.append(str(exc))

            thread = threading.Thread(target=other)
            thread.start()
            thread.join()
            assert "another ingest" in outcome[0]
    with storage.lock(timeout=1):  # released
        pass


def test_conversations_are_kept_with_the_index(storage):
    conversations = storage.conversations()
    cid = conversations.start()
    conversations.add_turn(cid, "Who sent it?", "Gerasimov sent it. [1]", {"citations": []})
    assert [c.title for c in conversations.list()] == ["Who sent it?"]
    assert conversations.messages(cid)[1]["content"] == "Gerasimov sent it. [1]"
    conversations.delete(cid)
    assert not conversations.exists(cid)
