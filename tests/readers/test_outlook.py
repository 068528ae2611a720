"""Outlook's .msg files, read from real ones (tests/fixtures/outlook: Apache POI's test messages,
described in tests/fixtures/README.md)."""

from __future__ import annotations

import pytest

from conftest import ROOT, indexed_copies
from rag.readers import UnreadableDocument, read_document
from rag.text import is_message_header, sentence_spans

OUTLOOK = ROOT / "tests" / "fixtures" / "outlook"
ANSWER = OUTLOOK / "state-department-historian.msg"
DRAFT = OUTLOOK / "state-department-draft.msg"
ATTACHED = OUTLOOK / "attached-message-and-pdf.msg"


def _read(path):
    return read_document(path.name, path.read_bytes())


def test_an_outlook_message_opens_with_who_wrote_to_whom_when_as_an_eml_file_does():
    doc = _read(ANSWER)
    assert doc.title == "HAC Annual Report"
    first = doc.text[slice(*sentence_spans(doc.text)[0])]
    assert first == ("From: Ashley, Carl E (PACE); To: saftergood@fas.org; Cc: PA History Mailbox <History@state.gov>; "
                     "Subject: HAC Annual Report; Date: Fri, 22 Jun 2012 18:32:54 +0000.")
    assert is_message_header(first)
    assert "I understand the Annual Report of the State Department Historical Advisory Committee has been recently " \
           "released on H-Net Online" in doc.text


def test_a_signature_under_a_name_outlook_writes_last_name_first_is_one_line():
    # The sender is "Ashley, Carl E (PACE)", the signature "Carl E. Ashley", its lines apart
    # by empty ones; in the other message the sender is a shared mailbox and the signature
    # follows the "-- " separator.
    assert "Carl E. Ashley; Chief, Declassification and Publishing Division; Office of the Historian; " \
           "U.S. Department of State; Washington, DC; (202) 663-1149." in _read(ANSWER).text.splitlines()
    assert "Aaron W. Marrs, Ph.D.; Historian, Policy Studies Division; Office of the Historian;" in _read(DRAFT).text


def test_an_attached_outlook_message_is_read_as_a_forwarded_one_and_an_attached_pdf_as_a_pdf():
    doc = _read(ATTACHED)
    sections = [name for _, name in doc.sections]
    assert sections == ["test email · Nick Booth · Thu, 17 Jun 2010 23:54:19 +0000",
                        "Test Attachment · Nick Booth · Thu, 17 Jun 2010 23:52:19 +0000",
                        "attached: smbprn.00009008.KdcPjl.pdf"]
    assert "Attached: smbprn.00009008.KdcPjl.pdf." in doc.text
    assert "Subject: Test Attachment" in doc.text and not doc.notes


def test_asked_about_outlook_messages_the_answers_cite_them(tmp_path):
    engine = indexed_copies(tmp_path, [ANSWER, DRAFT, ATTACHED])
    answer = engine.ask("What is Carl Ashley's job?")
    assert not answer.abstained and "Chief, Declassification and Publishing Division" in answer.citations[0].quote, answer.text
    answer = engine.ask("Which website should La Tetra use to check the names?")
    assert not answer.abstained and answer.citations[0].source == DRAFT.name, answer.text
    assert "history.state.gov/departmenthistory/people/by-name" in answer.citations[0].quote


@pytest.mark.parametrize("raw, reason", [
    (b"Dear Ann, the ferry leaves at nine.", "not an Outlook .msg file"),
    (ANSWER.read_bytes()[:20_000], "damaged"),
])
def test_a_file_that_is_not_an_outlook_message_is_refused_saying_why(raw, reason):
    with pytest.raises(UnreadableDocument, match=reason):
        read_document("note.msg", raw)
