"""Ingesting: incremental updates, clear reports, bad files skipped without aborting."""

from __future__ import annotations

import pytest

from rag import RAG
from rag.errors import NoDocumentsError


def test_ingesting_twice_embeds_nothing_and_changes_nothing(fresh_engine):
    first = fresh_engine.ingest(show_progress=False)
    assert first.files_indexed == 2
    assert first.passages_added > 0 and first.embedded > 0
    ids_before = sorted(fresh_engine.collection.get(include=[])["ids"])

    second = fresh_engine.ingest(show_progress=False)
    assert (second.embedded, second.passages_added, second.passages_removed) == (0, 0, 0)
    assert second.passages_unchanged == first.passages_added
    assert sorted(fresh_engine.collection.get(include=[])["ids"]) == ids_before


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
    assert report.passages_removed == 1
    assert [d.source for d in fresh_engine.status().documents] == ["russia-us-syria-reconstruction-translated.txt"]
    after_delete = fresh_engine.ask("Which river did the zebra herd cross?")
    assert all(c.source != edited.name for c in after_delete.citations + after_delete.passages)


def test_bad_files_are_skipped_with_reasons_and_the_rest_is_indexed(fresh_engine):
    docs = fresh_engine.settings.docs_dir
    (docs / "empty.txt").write_text("   \n")
    (docs / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR")
    (docs / "latin1.md").write_bytes("Caf\xe9 cr\xe8me".encode("latin-1"))
    (docs / "report.pdf").write_bytes(b"%PDF-1.4")

    report = fresh_engine.ingest(show_progress=False)
    reasons = {s.source: s.reason for s in report.skipped}
    assert reasons["empty.txt"] == "empty"
    assert reasons["image.txt"] == "binary file"
    assert reasons["latin1.md"] == "not UTF-8 text"
    assert "unsupported type .pdf" in reasons["report.pdf"]
    assert report.files_indexed == 2
    assert "skipped latin1.md: not UTF-8 text" in report.summary()


def test_an_empty_documents_folder_says_what_to_do(tmp_path):
    (tmp_path / "docs").mkdir()
    engine = RAG(docs_dir=tmp_path / "docs", index_dir=tmp_path / "index")
    with pytest.raises(NoDocumentsError, match=r"add \.txt or \.md files or set RAG_DOCS_DIR"):
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
