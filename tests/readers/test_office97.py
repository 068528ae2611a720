"""Word, Excel and PowerPoint 97-2003 files (.doc, .xls, .ppt), read from real ones
(tests/fixtures, described in its README)."""

from __future__ import annotations

import pytest

from conftest import ROOT, indexed_copies
from rag.readers import UnreadableDocument, read_document

REPORT = ROOT / "tests" / "fixtures" / "office97" / "metastudent-report.doc"
READXL = ROOT / "tests" / "fixtures" / "readxl"
ENDIANNESS_DECK = ROOT / "tests" / "fixtures" / "office97" / "systemc-mixed-endian.ppt"
AUTOMATA_DECK = ROOT / "tests" / "fixtures" / "office97" / "nyquist-cellular-automata.ppt"


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
    from documents import docx_bytes, pptx_bytes

    assert "Orchard cooperative minutes" == read_document("minutes.doc", docx_bytes()).title
    assert read_document("slides.ppt", pptx_bytes()).text == read_document("slides.pptx", pptx_bytes()).text
    old = read_document("deaths.xls", (READXL / "deaths.xlsx").read_bytes())
    assert "Name: David Bowie; Profession: musician;" in old.text


def test_an_old_powerpoint_deck_is_read_a_slide_a_page_in_the_order_shown():
    # SystemC's example deck: its title slide, then ten slides, text boxes of diagrams included.
    doc = read_document("deck.ppt", ENDIANNESS_DECK.read_bytes())
    assert doc.title == "The TLM 2.0 Mixed Endianness Example"
    assert len(doc.page_starts) == 11
    assert doc.section_at(doc.page_starts[6]) == "The System Being Modelled"
    slide_7 = doc.text[doc.page_starts[6]:doc.page_starts[7]]
    assert "Both memories are simple arrays of 4-byte words; Neither the memories nor the interconnect is " \
           "aware of the endianness of the transactions." in slide_7.splitlines()
    assert "1024 Words / 4 kByte" in slide_7  # a box of the slide's diagram
    assert "Click to edit Master" not in doc.text  # the master slide's placeholders are not a slide
    # The speaker's notes, after their slide's text (the notes list follows the slides' list).
    notes = doc.text.index("Indicate which parts are TLM 2 vs. SystemC")
    assert doc.section_at(notes) == "Platform Structure" and doc.page_at(notes) == 3


def test_a_bullet_that_is_a_statement_is_not_run_into_the_next_line():
    # "… he calls this particular rule set Rule 30" has no full stop on its slide: read as it
    # was, it ran into the next bullet ("… Rule 30 Rule 30 is of special interest …").
    doc = read_document("talk.ppt", AUTOMATA_DECK.read_bytes())
    assert "Steven Wolfram enumerated all possible elementary cellular automata and he calls this particular " \
           "rule set Rule 30." in doc.text.splitlines()


def test_asked_about_an_old_deck_the_title_slide_says_who_gave_it(tmp_path):
    engine = indexed_copies(tmp_path, [AUTOMATA_DECK, ENDIANNESS_DECK])
    # The title slide is the deck's title block: its title, speaker and date, all names, were
    # read as a listing, never an answer.
    answer = engine.ask("Who gave the talk about cellular automata and Nyquist?")
    assert not answer.abstained and "Ann Lewis" in answer.citations[0].quote, answer.text
    assert answer.citations[0].page == 1
    answer = engine.ask("Why is rule 30 interesting?")
    assert not answer.abstained and "because it is chaotic" in answer.citations[0].quote, answer.text


def test_a_damaged_or_strange_powerpoint_file_is_refused_saying_why():
    raw = AUTOMATA_DECK.read_bytes()
    with pytest.raises(UnreadableDocument, match="not a PowerPoint 97-2003 .ppt file"):
        read_document("talk.ppt", b"Slides for Tuesday")
    with pytest.raises(UnreadableDocument, match="damaged"):
        read_document("talk.ppt", raw[: len(raw) // 3])
