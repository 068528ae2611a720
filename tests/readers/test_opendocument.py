"""OpenDocument spreadsheets (.ods) and presentations (.odp), read from real files
(tests/fixtures/opendocument, described in its README)."""

from __future__ import annotations

import pytest

from conftest import ROOT, indexed_copies
from rag.readers import UnreadableDocument, read_document

ODF = ROOT / "tests" / "fixtures" / "opendocument"


def _read(name: str):
    return read_document(name, (ODF / name).read_bytes())


def test_a_sheet_holding_two_tables_reads_each_row_with_its_own_table_s_labels():
    # LibreOffice's to-do example: a small "From | To" table of holidays, a note, then the
    # tasks under "Feature/Bug | Description/Comments | Needed Days | … | Due Date | Status".
    # The tasks were read under the holidays' labels ("From: Due Date; To: Status …").
    lines = _read("ToDo.ods").text.splitlines()
    assert "From: 2004-07-08; To: 2004-07-16." in lines
    assert ("Feature/Bug: 29234; Description/Comments: Feature XY; Needed Days: 3; Due Date: 2004-11-04; "
            "Status ( open, in progress, done): In progress.") in lines
    assert not any(line.startswith("From: Due Date") for line in lines)


def test_a_presentation_is_read_a_slide_a_page_and_a_run_of_bullet_points_is_one_statement():
    # DPF's talk at the Linux Audio Conference 2014 (Debian's dpf-source): eleven slides.
    doc = _read("2014-small-talk.odp")
    assert doc.title == "DPF · DISTRHO Plugin Framework" and len(doc.page_starts) == 11
    bullets = ("C++ “mini” framework for building audio plugins (cross-platform); Very small code size; "
               "No external dependencies [*]; Permissive license (ISC).")
    assert bullets in doc.text.splitlines()
    assert doc.page_at(doc.text.index(bullets)) == 2


def test_spreadsheets_and_slides_of_libreoffice_answer_questions_cited_with_their_place(tmp_path):
    engine = indexed_copies(tmp_path, sorted(ODF.iterdir()))
    answer = engine.ask("When is Feature XY due?")
    assert not answer.abstained and "Due Date: 2004-11-04" in answer.citations[0].quote, answer.text
    answer = engine.ask("What are the future plans for DPF?")
    assert not answer.abstained, answer.text
    cited = answer.citations[0]
    assert "Stabilize API" in cited.quote and cited.page == 7, answer.text
    assert engine.source_text(cited.source)[cited.start : cited.end] == cited.quote


@pytest.mark.parametrize("name, kind", [("sheet.ods", "spreadsheet"), ("talk.odp", "presentation")])
def test_a_file_that_is_not_opendocument_is_refused_saying_why(name, kind):
    with pytest.raises(UnreadableDocument, match=f"not an OpenDocument .* {kind}"):
        read_document(name, b"plain text saved under the wrong name")


def test_a_row_repeated_to_the_sheet_s_edges_is_read_as_far_as_a_sheet_may_hold_and_said_so():
    # A sheet stores a row "repeated" a million times, each cell 16,384 times across, in a few
    # bytes: read as such, one file would be 17 billion cells.
    import io
    import zipfile

    row = ('<table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="16384" '
           'office:value-type="float" office:value="9"><text:p>9</text:p></table:table-cell></table:table-row>')
    content = ('<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
               '<office:body><office:spreadsheet><table:table table:name="Ferries"><table:table-row>'
               '<table:table-cell><text:p>Port</text:p></table:table-cell><table:table-cell><text:p>Sailings</text:p></table:table-cell>'
               f'</table:table-row>{row}</table:table></office:spreadsheet></office:body></office:document-content>')
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("content.xml", content)
    doc = read_document("edges.ods", packed.getvalue())
    assert doc.text.splitlines()[0] == "Port | Sailings" and "Port: 9; Sailings: 9; 9;" in doc.text
    assert len(doc.text) < 5_000_000
    assert doc.notes and "cut short" in doc.notes[0]


def test_a_text_box_headed_by_its_own_question_cites_its_bullets_under_it():
    # DPF's sixth slide: its title is the talk's ("DPF · DISTRHO Plugin Framework"), its box
    # opens "WHAT CAN IT *NOT* DO?" over "MIDI output (so no MIDI filters, yet)", …: cited under
    # the title alone, the bullets read as what DPF can do.
    doc = _read("2014-small-talk.odp")
    assert doc.section_at(doc.text.index("MIDI output")) == "DPF · DISTRHO Plugin Framework · WHAT CAN IT *NOT* DO?"
    assert doc.section_at(doc.text.index("Stabilize API")) == "DPF · DISTRHO Plugin Framework"
