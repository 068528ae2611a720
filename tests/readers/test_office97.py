"""Word and Excel 97-2003 files (.doc, .xls), read from real ones (tests/fixtures, described in
its README)."""

from __future__ import annotations

import pytest

from conftest import ROOT, indexed_copies
from rag.readers import UnreadableDocument, read_document

REPORT = ROOT / "tests" / "fixtures" / "office97" / "metastudent-report.doc"
READXL = ROOT / "tests" / "fixtures" / "readxl"


def test_an_old_excel_workbook_reads_as_its_xlsx_twin():
    # readxl ships its example workbooks in both formats: the same text, row for row.
    old = read_document("deaths.xls", (READXL / "deaths.xls").read_bytes())
    new = read_document("deaths.xlsx", (READXL / "deaths.xlsx").read_bytes())
    assert old.text == new.text and old.sections == new.sections
    assert "Name: David Bowie; Profession: musician; Age: 69; Has kids: yes; Date of birth: 1947-01-08; " \
           "Date of death: 2016-01-10." in old.text.splitlines()


def test_an_old_word_document_is_read_by_antiword_a_paragraph_a_line():
    # A student report in Word 97 format, shipped with Debian's metastudent.
    doc = read_document("report.doc", REPORT.read_bytes())
    assert doc.title == "Predicting Gene Ontology"
    assert "In order to get results just in time we decided to divide and conquer: The Database was divided " \
           "into 100 small sets." in doc.text
    assert "\t" not in doc.text


def test_asked_about_an_old_word_report_the_answer_cites_its_sentence_and_its_authors(tmp_path):
    engine = indexed_copies(tmp_path, [REPORT])
    # Three lines of title and six authors' names, a line each: one title block of nine lines
    # (eight at most before, and "who?" found only lone names, which are never answers).
    answer = engine.ask("Who are the authors of the GO prediction report?")
    assert not answer.abstained and "Dominik Achten" in answer.citations[0].quote, answer.text
    # "Method 3:" heads a paragraph; alone it says nothing, and was the first sentence cited.
    answer = engine.ask("How is the confidence of method 3 calculated?")
    assert not answer.abstained, answer.text
    assert not any(c.quote.strip().endswith(":") and len(c.quote.split()) <= 4 for c in answer.citations), answer.text
    assert "use all BLAST hits" in answer.citations[0].quote


def test_without_antiword_an_old_word_file_says_how_to_install_it_and_a_text_one_is_read(monkeypatch):
    import rag.readers.office97 as office97

    monkeypatch.setattr(office97.shutil, "which", lambda name: None)
    with pytest.raises(UnreadableDocument, match="make legacy-office"):
        read_document("report.doc", REPORT.read_bytes())
    # Old manuals and notes are often plain text named .doc: read as text, antiword or not.
    note = read_document("notes.doc", b"Ferry notes\n\nThe ferry leaves at nine.\n")
    assert "The ferry leaves at nine." in note.text


def test_a_file_that_is_not_an_old_workbook_is_refused_saying_why():
    with pytest.raises(UnreadableDocument, match="not an Excel 97-2003 .xls file"):
        read_document("sheet.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 truncated")


def test_newer_office_files_saved_under_the_old_names_are_read_as_what_they_are():
    from documents import docx_bytes

    assert "Orchard cooperative minutes" == read_document("minutes.doc", docx_bytes()).title
    old = read_document("deaths.xls", (READXL / "deaths.xlsx").read_bytes())
    assert "Name: David Bowie; Profession: musician;" in old.text
