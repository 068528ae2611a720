"""Office's other packages: macro-enabled files (.docm, .xlsm, .pptm), templates (.dotx) and
slide shows (.ppsx) read as the .docx, .xlsx and .pptx files they are made like, and an old
97-2003 file under a new name read as what it is. Real files of Apache POI's test data
(tests/fixtures/README.md)."""

from __future__ import annotations

from conftest import ROOT, indexed_copies
from rag.readers import read_document

PACKAGES = ROOT / "tests" / "fixtures" / "office-packages"
REPORT = ROOT / "tests" / "fixtures" / "office97" / "metastudent-report.doc"
DECK = ROOT / "tests" / "fixtures" / "office97" / "nyquist-cellular-automata.ppt"


def test_a_macro_enabled_word_file_and_a_template_read_as_word_documents():
    # python-docx's Document() refuses both ("is not a Word file, content type is …").
    macro = read_document("poi-60158.docm", (PACKAGES / "poi-60158.docm").read_bytes())
    assert "Now is the time for all good men to come to the aid of their country." in macro.text.splitlines()
    resume = read_document("ChronologicalResume.dotx", (PACKAGES / "ChronologicalResume.dotx").read_bytes())
    assert "References are available upon request." in resume.text.splitlines()


def test_a_slide_show_reads_as_its_deck():
    show = read_document("testPPT.ppsx", (PACKAGES / "testPPT.ppsx").read_bytes())
    assert show.title == "Attachment Test" and len(show.page_starts) == 3  # three slides, a page each
    assert "This has been developed by Rajiv Kumar Nistala." in show.text


def test_a_macro_enabled_workbook_reads_its_sheet():
    book = read_document("SimpleMacro.xlsm", (PACKAGES / "SimpleMacro.xlsm").read_bytes())
    assert book.sections == [(0, "Sheet1")] and book.text == "This is a macro workbook"


def test_an_old_office_file_under_a_new_name_is_read_as_what_it_is():
    # A Word 97 report saved as .docx, a PowerPoint 97 deck as .pptx: refused before as
    # "not a valid zip package".
    assert read_document("report.docx", REPORT.read_bytes()).text == read_document("report.doc", REPORT.read_bytes()).text
    assert read_document("talk.pptx", DECK.read_bytes()).text == read_document("talk.ppt", DECK.read_bytes()).text


def test_a_slide_show_in_the_folder_answers_with_its_slide(tmp_path):
    engine = indexed_copies(tmp_path, [PACKAGES / "testPPT.ppsx"])
    answer = engine.ask("Who developed the test file?")
    assert not answer.abstained, answer.text
    cited = [c for c in answer.citations if "Rajiv Kumar Nistala" in c.quote]
    assert cited and cited[0].page == 2 and cited[0].source == "testPPT.ppsx", answer.text
