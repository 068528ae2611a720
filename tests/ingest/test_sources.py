"""What in a documents folder is a document: a zip archive's documents, each cited by its name
in the archive (the documents zipped are real ones of tests/fixtures, described in its README)."""

from __future__ import annotations

import zipfile

from conftest import ROOT
from rag import RAG

FIXTURES = ROOT / "tests" / "fixtures"


def _bundle(path):
    """A folder sent as one file: a talk, a manual and a letter, with what a zip made on a Mac
    or by hand also holds (resource forks, a program, a member that inflates like a bomb)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(FIXTURES / "office97" / "nyquist-cellular-automata.ppt", "talks/cellular-automata.ppt")
        archive.write(FIXTURES / "camlidl-1.04.doc.pdf", "manuals/camlidl.pdf")
        archive.write(FIXTURES / "mail" / "tdg_examples_permission.eml", "permission.eml")
        archive.writestr("__MACOSX/talks/._cellular-automata.ppt", b"\x00\x05\x16\x07")
        archive.writestr("setup.exe", b"MZ\x90\x00")
        archive.writestr("bomb.txt", b" " * 20_000_000)
    return path


def test_a_zip_archive_is_read_as_the_documents_in_it_each_cited_by_its_name(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    bundle = _bundle(docs / "bundle.zip")
    engine = RAG(docs_dir=docs, index_dir=tmp_path / "index")
    report = engine.ingest(show_progress=False)
    assert sorted(d.source for d in engine.status().documents) == [
        "bundle.zip › manuals/camlidl.pdf", "bundle.zip › permission.eml", "bundle.zip › talks/cellular-automata.ppt"]
    reasons = {s.source: s.reason for s in report.skipped}
    assert reasons["bundle.zip › setup.exe"].startswith("unsupported type .exe")
    assert "refused as a possible zip bomb" in reasons["bundle.zip › bomb.txt"]
    assert not any("__MACOSX" in source for source in reasons)
    answer = engine.ask("Who gave the talk about cellular automata and Nyquist?")
    cited = answer.citations[0]
    assert not answer.abstained and cited.source == "bundle.zip › talks/cellular-automata.ppt", answer.text
    assert cited.page == 1 and engine.source_text(cited.source)[cited.start:cited.end] == cited.quote
    assert engine.library.original_path(cited.source) == bundle.resolve()
    # The archive rewritten with one document more: the others are not read again.
    with zipfile.ZipFile(bundle, "a") as archive:
        archive.write(FIXTURES / "outlook" / "state-department-historian.msg", "historian.msg")
    report = engine.ingest(show_progress=False)
    assert report.files_indexed == 1 and report.files_unchanged == 3, report
    answer = engine.ask("What is Carl Ashley's job?")
    assert not answer.abstained and answer.citations[0].source == "bundle.zip › historian.msg", answer.text


def test_a_damaged_archive_is_skipped_saying_so(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "broken.zip").write_bytes(b"PK\x03\x04 not really")
    (docs / "note.txt").write_text("The ferry leaves at nine.\n")
    report = RAG(docs_dir=docs, index_dir=tmp_path / "index").ingest(show_progress=False)
    assert report.files_indexed == 1
    assert [(s.source, s.reason.split(" (")[0]) for s in report.skipped] == [("broken.zip", "not a zip archive, or a damaged one")]
