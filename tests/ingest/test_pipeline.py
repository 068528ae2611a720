"""Ingesting: incremental updates, clear reports, bad files skipped without aborting."""

from __future__ import annotations

import re

import pytest

from rag import RAG
from rag.errors import NoDocumentsError


def test_ingesting_twice_embeds_nothing_and_changes_nothing(fresh_engine):
    first = fresh_engine.ingest(show_progress=False)
    assert first.files_indexed == 2
    assert first.passages_added > 0 and first.embedded > 0
    ids_before = sorted(fresh_engine.passage_collection.get(include=[])["ids"])

    second = fresh_engine.ingest(show_progress=False)
    assert (second.embedded, second.passages_added, second.passages_removed, second.bytes_read) == (0, 0, 0, 0)
    assert (second.files_indexed, second.files_unchanged) == (0, 2)
    assert second.passages_unchanged == first.passages_added
    assert sorted(fresh_engine.passage_collection.get(include=[])["ids"]) == ids_before


def test_an_edited_file_replaces_its_passages_and_a_deleted_file_is_removed(fresh_engine):
    fresh_engine.ingest(show_progress=False)
    docs = fresh_engine.settings.docs_dir
    edited = docs / "russia-seeks-us-help-rebuild-syria.txt"
    edited.write_text("Zebra sightings\n\nThe zebra herd crossed the Limpopo river on a Tuesday in March.\n", encoding="utf-8")

    report = fresh_engine.ingest(show_progress=False)
    assert report.passages_removed > 0 and report.passages_added == 1
    answer = fresh_engine.ask("Which river did the zebra herd cross?")
    assert "Limpopo" in answer.text
    assert "Gerasimov" not in " ".join(p.text for p in fresh_engine.ask("Who sent the proposal?").passages if p.source == edited.name)

    edited.unlink()
    report = fresh_engine.ingest(show_progress=False)
    assert (report.passages_removed, report.files_removed) == (1, 1)
    assert [d.source for d in fresh_engine.status().documents] == ["russia-us-syria-reconstruction-translated.txt"]
    after_delete = fresh_engine.ask("Which river did the zebra herd cross?")
    assert all(c.source != edited.name for c in after_delete.citations + after_delete.passages)


def test_an_empty_documents_folder_says_what_to_do(tmp_path):
    (tmp_path / "docs").mkdir()
    engine = RAG(docs_dir=tmp_path / "docs", index_dir=tmp_path / "index")
    from rag.readers import SUPPORTED_SUFFIXES

    listed = re.escape(", ".join(SUPPORTED_SUFFIXES))
    with pytest.raises(NoDocumentsError, match=rf"add documents \({listed}\) or set RAG_DOCS_DIR"):
        engine.ingest(show_progress=False)
    with pytest.raises(NoDocumentsError):
        engine.ask("Who sent the proposal?")


def test_a_missing_documents_folder_says_what_to_do(tmp_path):
    engine = RAG(docs_dir=tmp_path / "nowhere", index_dir=tmp_path / "index")
    with pytest.raises(NoDocumentsError, match="does not exist"):
        engine.ingest(show_progress=False)


def test_asking_before_ingesting_ingests_first(fresh_engine):
    answer = fresh_engine.ask("Who was the spokeswoman?")
    assert "Paula Dunn" in answer.text
    assert fresh_engine.status().passages > 0


def test_the_lexical_index_survives_a_restart_without_the_documents_folder(fresh_engine, tmp_path):
    fresh_engine.ingest(show_progress=False)
    restarted = RAG(docs_dir=tmp_path / "gone", index_dir=fresh_engine.settings.index_dir)
    assert "Paula Dunn" in restarted.ask("Who was the spokeswoman?").text


def test_a_folder_larger_than_one_chroma_call_is_ingested(tmp_path, monkeypatch):
    """6,000 one-line sentences in one file, stored as one group: more than Chroma takes in a call."""
    import rag.ingest.split

    docs = tmp_path / "docs"
    docs.mkdir()
    colours = "red green blue amber violet ochre".split()
    lines = [f"Crate {i} holds {colours[i % 6]} marbles." for i in range(6000)]
    lines[4321] = "Crate 4321 holds the lost brass telescope."
    (docs / "inventory.txt").write_text("\n".join(lines), encoding="utf-8")
    monkeypatch.setattr(rag.ingest.split, "GROUP_PASSAGES", 100_000)  # one group: only Chroma's limit splits it
    engine = RAG(docs_dir=docs, index_dir=tmp_path / "index")
    report = engine.ingest(show_progress=False)
    assert engine.sentence_store.count() == 6000 > engine.storage.max_batch
    assert report.embedded == 6000 + report.passages_added
    answer = engine.ask("Which crate holds the brass telescope?")
    assert "Crate 4321" in answer.citations[0].quote


def test_a_changed_file_keeps_answering_until_its_new_version_is_stored(fresh_engine, monkeypatch):
    """The old version is deleted only once the new one is stored; a failure keeps the old one."""
    import rag.ingest.pipeline

    fresh_engine.ingest(show_progress=False)
    docs = fresh_engine.settings.docs_dir
    path = docs / "russia-seeks-us-help-rebuild-syria.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nThe memo was written on grey paper.\n", encoding="utf-8")

    def fail(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(rag.ingest.pipeline.Ingestor, "_store", fail)
    report = fresh_engine.ingest(show_progress=False)
    assert "could not be indexed (RuntimeError: the disk is full); the version indexed before is kept" in report.summary()
    assert "Paula Dunn" in fresh_engine.ask("Who was the spokeswoman?").text
    monkeypatch.undo()
    report = fresh_engine.ingest(show_progress=False)
    assert report.files_indexed == 1
    assert "grey paper" in fresh_engine.ask("On what paper was the memo written?").citations[0].quote


def test_a_file_that_disappears_while_being_read_is_reported(fresh_engine, monkeypatch):
    import rag.ingest.pipeline

    listed = rag.ingest.pipeline.list_files

    def list_then_delete(docs_dir):
        files, skipped = listed(docs_dir)
        (docs_dir / "russia-seeks-us-help-rebuild-syria.txt").unlink()
        return files, skipped

    monkeypatch.setattr(rag.ingest.pipeline, "list_files", list_then_delete)
    report = fresh_engine.ingest(show_progress=False)
    assert [(s.source, s.reason) for s in report.skipped] == [
        ("russia-seeks-us-help-rebuild-syria.txt", "disappeared while being read")
    ]
    assert report.files_indexed == 1


def test_an_old_index_is_rebuilt_rather_than_trusted(fresh_engine):
    fresh_engine.ingest(show_progress=False)
    (fresh_engine.settings.index_dir / "docstore.json").write_text("{}")  # what versions before the manifest left
    report = RAG(docs_dir=fresh_engine.settings.docs_dir, index_dir=fresh_engine.settings.index_dir).ingest(show_progress=False)
    assert report.files_indexed == 2
    assert fresh_engine.passage_collection.count() == report.passages_added


def test_each_passage_records_the_sentences_stored_with_it(seeded_engine):
    """Retrieval reads a passage's sentences by its id: every stored sentence belongs to a
    stored passage, lies inside its document's text, and the counts agree."""
    passages = seeded_engine.passage_collection.get(include=["metadatas"])
    counts = {pid: meta["sentence_count"] for pid, meta in zip(passages["ids"], passages["metadatas"])}
    owned: dict[str, int] = {}
    for sentence in seeded_engine.sentence_store.all():
        owned[sentence.passage_id] = owned.get(sentence.passage_id, 0) + 1
        assert sentence.text == seeded_engine.source_text(sentence.source)[sentence.start : sentence.end]
    assert owned == {pid: n for pid, n in counts.items() if n}
    assert sum(counts.values()) == seeded_engine.sentence_store.count() > 0


def test_an_index_with_sentences_in_chroma_is_upgraded_without_embedding_again(fresh_engine):
    """Indexes written before sentences left Chroma kept them in a second collection: the
    first process to open one moves them into the sentence table, vectors and all, and
    deletes the collection; it then answers as before and nothing needs re-ingesting."""
    from rag.store.chroma import chroma_client
    from rag.store.migrations import segment_dirs
    from rag.types import sentence_number

    fresh_engine.ingest(show_progress=False)
    question = "What does Russia propose for Syria?"
    before = fresh_engine.ask(question)
    assert before.citations
    store = fresh_engine.sentence_store
    stored = store.all()
    keys = [(s.passage_id, sentence_number(s.id)) for s in stored]
    by_key = dict(zip(*store.vectors_of(list(dict.fromkeys(k[0] for k in keys)))))
    versions = fresh_engine.index.manifest().versions()
    # Write the index the way older versions did: sentences in their own collection.
    legacy = chroma_client(fresh_engine.settings).get_or_create_collection(
        f"{fresh_engine.settings.chroma_collection}-sentences", metadata={"hnsw:space": "cosine"}
    )
    legacy.add(
        ids=[s.id for s in stored],
        embeddings=[by_key[k].tolist() for k in keys],
        documents=[s.text for s in stored],
        metadatas=[
            {"source": s.source, "title": s.title, "kind": "sentence", "start": s.start, "end": s.end,
             "passage_id": s.passage_id, "previous": s.previous, "document_id": versions[s.source]}
            for s in stored
        ],
    )
    store.clear()
    legacy_folders = segment_dirs(fresh_engine.settings, str(legacy.id))

    reopened = RAG(settings=fresh_engine.settings)
    report = reopened.ingest(show_progress=False)  # an ingest opens it first, holding the lock the upgrade takes
    assert report.embedded == 0
    after = reopened.ask(question)
    assert reopened.sentence_store.count() == len(stored) > 0
    names = {c.name for c in chroma_client(fresh_engine.settings).list_collections()}
    assert f"{fresh_engine.settings.chroma_collection}-sentences" not in names
    assert after.text == before.text and after.citations == before.citations
    assert legacy_folders and not any(folder.exists() for folder in legacy_folders)  # the disk space is given back


# The sentence table's layout before the present one: float16 vectors, and the version,
# source and title in every row (what indexes written until then hold).
LEGACY_SENTENCE_TABLE = """
CREATE TABLE sentences (
    passage_id TEXT NOT NULL, number INTEGER NOT NULL, version TEXT NOT NULL, source TEXT NOT NULL,
    title TEXT NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL, page INTEGER, section TEXT NOT NULL,
    previous TEXT NOT NULL, text TEXT NOT NULL, vector BLOB NOT NULL
);
CREATE UNIQUE INDEX sentences_by_passage ON sentences (passage_id, number);
"""


def test_an_index_with_the_older_sentence_table_is_converted_once_and_answers_as_before(fresh_engine):
    """The first process to open an index written with the older sentence table converts it
    (nothing is embedded again), deletes the old file and answers as before."""
    import sqlite3

    import numpy as np

    from rag.store.migrations import LEGACY_FILE
    from rag.store.sentences import SENTENCES_FILE
    from rag.types import sentence_number

    fresh_engine.ingest(show_progress=False)
    question = "What does Russia propose for Syria?"
    before = fresh_engine.ask(question)
    summary = fresh_engine.ask("Summarize the story")
    store = fresh_engine.sentence_store
    stored = store.all()
    keys = [(s.passage_id, sentence_number(s.id)) for s in stored]
    by_key = dict(zip(*store.vectors_of(list(dict.fromkeys(k[0] for k in keys)))))
    versions = fresh_engine.index.manifest().versions()
    index = fresh_engine.settings.index_dir
    with sqlite3.connect(index / LEGACY_FILE) as old:
        old.executescript(LEGACY_SENTENCE_TABLE)
        old.executemany(
            "INSERT INTO sentences VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(s.passage_id, sentence_number(s.id), versions[s.source], s.source, s.title, s.start, s.end, s.page,
              s.section, s.previous, s.text, by_key[k].astype(np.float16).tobytes()) for s, k in zip(stored, keys)],
        )
    old.close()
    store.clear()
    (index / SENTENCES_FILE).unlink()  # as an index of that time: no file of the present layout

    reopened = RAG(settings=fresh_engine.settings)
    report = reopened.ingest(show_progress=False)  # an ingest opens it first, holding the lock the upgrade takes
    assert report.embedded == 0
    assert reopened.sentence_store.count() == len(stored) > 0
    assert not (index / LEGACY_FILE).exists()
    def spans(answer):  # scores may move in the third decimal: the vectors were rounded once more
        return [(c.source, c.start, c.end) for c in answer.citations]

    after = reopened.ask(question)
    assert after.text == before.text and spans(after) == spans(before)
    assert spans(reopened.ask("Summarize the story")) == spans(summary)


def test_a_users_nltk_data_folder_without_nltks_data_changes_nothing(tmp_path):
    # NLTK_DATA is often set by people who use NLTK, to a folder with other data in it.
    # llama-index then looked for its stopwords there and, without them, every document
    # failed to index; it reads the variable when imported, hence a process of its own.
    import json
    import os
    import subprocess
    import sys

    from conftest import ROOT

    script = (
        "import json, shutil, sys\n"
        "from pathlib import Path\n"
        "from rag import RAG\n"
        "docs = Path(sys.argv[1]) / 'docs'\n"
        "shutil.copytree(sys.argv[2], docs)\n"
        "engine = RAG(docs_dir=docs, index_dir=Path(sys.argv[1]) / 'index')\n"
        "report = engine.ingest(show_progress=False)\n"
        "answer = engine.ask('Who was the spokeswoman?')\n"
        "print(json.dumps({'indexed': report.files_indexed, 'skipped': [s.reason for s in report.skipped], 'text': answer.text}))\n"
    )
    answers = []
    for nltk_data in ("", str(tmp_path / "nltk_data")):
        env = {k: v for k, v in os.environ.items() if k != "NLTK_DATA"}
        if nltk_data:
            os.makedirs(nltk_data)
            env["NLTK_DATA"] = nltk_data
        work = tmp_path / f"run{len(answers)}"
        work.mkdir()
        done = subprocess.run([sys.executable, "-c", script, str(work), str(ROOT / "seeds")], capture_output=True,
                              text=True, cwd=ROOT, env=env, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        answers.append(json.loads(done.stdout.strip().splitlines()[-1]))
    assert answers[1]["indexed"] == 2 and not answers[1]["skipped"] and answers[1] == answers[0]


def test_a_pdf_read_in_part_says_which_pages_were_not_read_and_what_reads_them(tmp_path, monkeypatch):
    # A report with a scanned page in it, on a machine without Tesseract: the text pages are
    # indexed, and the report says the scan was not read rather than leaving it out unsaid.
    import io

    import pypdfium2 as pdfium
    from documents import pdf_bytes, scanned_text_pdf_bytes

    mixed = pdfium.PdfDocument(pdf_bytes())
    mixed.import_pages(pdfium.PdfDocument(scanned_text_pdf_bytes()), [0])
    out = io.BytesIO()
    mixed.save(out)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "harbour-report.pdf").write_bytes(out.getvalue())
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract on it, in the reader process either
    report = RAG(docs_dir=docs, index_dir=tmp_path / "index").ingest(show_progress=False)
    assert report.files_indexed == 1
    assert [p.source for p in report.partly_read] == ["harbour-report.pdf"]
    assert "read in part harbour-report.pdf: 1 of 4 pages is a scan" in report.summary() and "make ocr" in report.summary()
