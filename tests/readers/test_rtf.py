"""Rich Text Format (.rtf), read from real files (tests/fixtures/rtf, described in
tests/fixtures/README.md)."""

from __future__ import annotations

import pytest

from conftest import ROOT, indexed_copies
from rag.readers import UnreadableDocument, read_document

RTF = ROOT / "tests" / "fixtures" / "rtf"
RECYCLER = RTF / "gworkspace-recycler.rtf"
CREDITS = RTF / "lynkeos-credits.rtf"


def test_an_rtf_help_page_reads_as_its_paragraphs_without_its_pictures():
    # GWorkspace's help on the Recycler, a GNUstep .rtfd bundle's text with its pictures named in it.
    doc = read_document(RECYCLER.name, RECYCLER.read_bytes())
    assert doc.title == "The Recycler" and doc.sections == [(0, "The Recycler")]
    assert "The Recycler is part of the Dock. The bottom icon on the Dock is always the Recycler." in doc.text
    assert ".tiff" not in doc.text and "\ufffc" not in doc.text and "\\" not in doc.text


def test_an_rtf_table_is_read_row_by_row_with_its_labels():
    # A table as WordPad writes one: cells ended by \cell, rows by \row.
    raw = (b"{\\rtf1\\ansi{\\fonttbl\\f0 Arial;}\\f0 Ferry times\\par\n"
           b"\\trowd\\cellx2000\\cellx4000 Boat\\cell Leaves\\cell\\row\n"
           b"\\trowd\\cellx2000\\cellx4000 Morning ferry\\cell 09:00\\cell\\row\n"
           b"\\trowd\\cellx2000\\cellx4000 Evening ferry\\cell 18:30\\cell\\row}")
    doc = read_document("ferries.rtf", raw)
    lines = doc.text.splitlines()
    assert "Boat: Morning ferry; Leaves: 09:00." in lines
    assert lines.index("Ferry times") < lines.index("Boat: Morning ferry; Leaves: 09:00.")  # in its place


def test_asked_about_rtf_files_the_answers_cite_their_sentences(tmp_path):
    engine = indexed_copies(tmp_path, [RECYCLER, CREDITS])
    answer = engine.ask("How do I empty the Recycler?")
    assert not answer.abstained and answer.citations[0].source == RECYCLER.name, answer.text
    assert any("Empty Recycler command" in c.quote for c in answer.citations)
    answer = engine.ask("Does putting files in the Recycler free disk space?")
    assert not answer.abstained and any("does not create more disk space" in c.quote for c in answer.citations), answer.text


@pytest.mark.parametrize("raw, reason", [
    (b"Ferry notes: the boat leaves at nine.", "not an RTF file"),
    (b"{\\rtf1 {\\pict\\bin99999999999 x}}", "no text"),
    (b"{\\rtf1 \\uc", "damaged"),
])
def test_a_file_that_is_not_rtf_or_is_damaged_is_refused_saying_why(raw, reason):
    with pytest.raises(UnreadableDocument, match=reason):
        read_document("notes.rtf", raw)
