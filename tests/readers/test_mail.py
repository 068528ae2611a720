"""E-mail (.eml, .mbox), read from real messages (tests/fixtures/mail, described in its README)."""

from __future__ import annotations

import pytest

from conftest import ROOT
from rag.readers import UnreadableDocument, read_document
from rag.text import is_message_header, sentence_spans

MAIL = ROOT / "tests" / "fixtures" / "mail"


def _read(name: str):
    return read_document(name, (MAIL / name).read_bytes())


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def test_a_message_opens_with_who_wrote_to_whom_when_and_its_quote_is_marked_as_quoted():
    # Bob Stayton's answer to Daniel Leidert (docbook-xsl-saxon), Outlook style: "That's ok with
    # me." above "----- Original Message -----" and Daniel's request, every line marked "> ".
    doc = _read("tdg_examples_permission.eml")
    assert doc.title == "Using examples from your book in a testdoc"  # what it is about: no "Re:"
    first = _sentences(doc.text)[0]
    assert first == ("From: Bob Stayton <bobs@sagehill.net>; To: Daniel Leidert <daniel.leidert@wgdd.de>; "
                     "Subject: Re: Using examples from your book in a testdoc; Date: Tue, 18 Sep 2007 09:31:22 -0700.")
    assert is_message_header(first)
    quote_start = doc.text.index("Am I allowed to use them")
    assert doc.section_at(quote_start) == "quoted: message from Daniel Leidert"
    assert doc.section_at(doc.text.index("That's ok with me")) == (
        "Re: Using examples from your book in a testdoc · Bob Stayton · Tue, 18 Sep 2007 09:31:22 -0700")
    # The quoted message's own header lines are one header line too; no "> " is left.
    assert "From: Daniel Leidert <daniel.leidert@wgdd.de>; To: Bob Stayton <bobs@sagehill.net>; Subject: Using examples" in doc.text
    assert not any(line.lstrip().startswith(">") for line in doc.text.splitlines())
    assert "Original Message" not in doc.text


def test_a_reply_below_a_quote_is_the_sender_s_again_and_the_line_introducing_the_quote_names_it():
    # John P. Looney's reply on the Irish Linux Users' Group: "On Thu, … Fergal Moran mentioned:",
    # one quoted line, then his own answer.
    doc = _read("ilug-solaris-0026.eml")
    quoted = doc.text.index("In a nutshell")
    assert doc.section_at(quoted) == "quoted: On Thu, Aug 22, 2002 at 05:13:01PM +0100, Fergal Moran mentioned:"
    assert doc.section_at(doc.text.index("Solaris is quite different to Linux")).startswith("Re: [ILUG] Sun Solaris.. · John P. Looney")
    assert "mentioned:" not in doc.text  # a section's name, not a sentence that says nothing


def test_a_mailbox_is_a_section_a_message_and_a_quote_of_an_earlier_one_is_read_once():
    # networkx's example mailbox: five messages; Bob's reply to Ted quotes Ted's question.
    doc = _read("unix_email.mbox")
    assert [name.split(" · ")[:2] for _, name in doc.sections] == [
        ["NetworkX", "Alice"], ["Re: NetworkX", "Bob"], ["Graph package in Python?", "Ted"],
        ["Re: Graph package in Python?", "Bob"], ["get together for lunch to discuss Networks?", "Ted"]]
    assert doc.text.count("Do you know of any?") == 1
    assert doc.title == "unix email"  # messages on several subjects: named after the file
    # A subject that asks ("…Networks?") neither ends the header line nor makes it a question.
    header = next(s for s in _sentences(doc.text) if "lunch" in s)
    assert header.startswith("From: Ted <ted@com>; To: Bob <bob@gov>, Carol <carol@gov>, Alice <alice@edu>;")
    assert header.endswith("Date: Thu, 28 Jul 2005 15:47:03 -0700.")


def test_an_attached_text_is_read_in_a_section_of_its_own_and_named_in_the_message():
    # A freshrpms list message with a patch attached as a file (alsa-driver.spec.patch).
    doc = _read("rpm-alsa-patch-1127.eml")
    assert "Attached: alsa-driver.spec.patch." in doc.text
    patch = doc.text.index("kernsrc", doc.text.index("Attached:"))
    assert doc.section_at(patch) == "attached: alsa-driver.spec.patch"
    assert not doc.notes


def test_an_attachment_that_cannot_be_read_is_named_and_reported():
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "Ann <ann@example.org>", "Bo <bo@example.org>", "Plans"
    message.set_content("The plans are attached.\n")
    message.add_attachment(b"\x89PNG\r\n\x1a\n", maintype="image", subtype="png", filename="site.png")
    message.add_attachment(b"%PDF-1.7 truncated", maintype="application", subtype="pdf", filename="plans.pdf")
    doc = read_document("plans.eml", message.as_bytes())
    assert "Attached: site.png, plans.pdf." in doc.text
    assert doc.notes and "2 attachment(s) not read (site.png, plans.pdf: corrupt or unreadable PDF" in doc.notes[0]


@pytest.mark.parametrize("name, raw, reason", [
    ("letter.eml", b"Dear Ann, just some words and no headers at all.\n", "no mail headers"),
    ("box.mbox", b"Dear Ann,\n\nFrom the start this was not a mailbox.\n", "not a mailbox"),
])
def test_a_file_that_is_not_mail_is_refused_saying_why(name, raw, reason):
    with pytest.raises(UnreadableDocument, match=reason):
        read_document(name, raw)


def test_a_quote_marked_with_the_writer_s_initials_is_a_quote():
    # Andrey Sergeev's reply on the DNS-swap list quotes Bob Musser Supercite-style: "BM> I'd like …".
    doc = _read("dns-swap-0096.eml")
    assert "BM>" not in doc.text
    assert doc.section_at(doc.text.index("I'd like to swap with someone")) == "quoted text"
    assert doc.section_at(doc.text.index("Are you speaking about")).startswith("Re: Tiny DNS Swap · Andrey G. Sergeev")


def test_a_message_nested_thousands_deep_is_refused_saying_why():
    # Real mail nests its parts a few levels; a hostile file nests them until the standard
    # parser's recursion runs out, which used to escape as a RecursionError.
    depth = 3000
    opening = b"".join(b'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' % (i, i) for i in range(depth))
    closing = b"".join(b"--b%d--\n" % i for i in reversed(range(depth)))
    raw = b"From: a@example.org\nSubject: deep\nMIME-Version: 1.0\n" + opening + b"Content-Type: text/plain\n\nhello\n" + closing
    with pytest.raises(UnreadableDocument, match="nest too deep"):
        read_document("deep.eml", raw)


def test_a_maildir_a_mailbox_named_inbox_and_a_readme_are_read_by_what_they_hold(tmp_path):
    import shutil

    from rag import RAG

    # As mail programs keep mail: a Maildir's messages are files named by time and flags, a
    # mailbox is a file called "Inbox"; neither has a suffix that names its format, and both
    # were skipped as "unsupported type". A README is plain text; a script and binary data
    # named without a suffix are still not documents.
    docs = tmp_path / "docs"
    (docs / "Mail" / "cur").mkdir(parents=True)
    shutil.copy(MAIL / "tdg_examples_permission.eml", docs / "Mail" / "cur" / "1190133082.M1P7.wgdd:2,S")
    shutil.copy(MAIL / "unix_email.mbox", docs / "Mail" / "Inbox")
    (docs / "README").write_text("Harbour notes\n\nThe ferry to the island leaves at nine every morning.\n")
    (docs / "run").write_text("#!/bin/sh\necho ferry\n")
    (docs / "vq").write_bytes(bytes(range(256)) * 4)
    engine = RAG(docs_dir=docs, index_dir=tmp_path / "index")
    report = engine.ingest(show_progress=False)
    assert report.files_indexed == 3, report
    assert sorted(s.source for s in report.skipped) == ["run", "vq"]
    answer = engine.ask("Who wrote to whom about using the book's examples?")
    assert not answer.abstained and answer.citations[0].source == "Mail/cur/1190133082.M1P7.wgdd:2,S", answer.text
    assert "Bob Stayton" in answer.citations[0].quote
    answer = engine.ask("Who asked about a graph package in Python?")
    assert not answer.abstained and answer.citations[0].source == "Mail/Inbox", answer.text
    assert answer.citations[0].quote.startswith("From: Ted <ted@com>; To: Bob <bob@gov>;")
    answer = engine.ask("When does the ferry leave?")
    assert not answer.abstained and answer.citations[0].source == "README", answer.text


def test_a_large_mailbox_is_read_in_parts_each_cited_by_its_name_and_new_mail_reads_one_part_again(tmp_path, monkeypatch):
    import shutil

    import rag.readers.mail as mail
    from rag import RAG

    # A year of mail is gigabytes, more than one document may hold: it is read in parts cut
    # between messages. Here the five messages of networkx's mailbox, parts of 300 bytes.
    monkeypatch.setattr(mail, "MAILBOX_PART_BYTES", 300)
    docs = tmp_path / "docs"
    docs.mkdir()
    inbox = docs / "Inbox"
    shutil.copy(MAIL / "unix_email.mbox", inbox)
    engine = RAG(docs_dir=docs, index_dir=tmp_path / "index")
    report = engine.ingest(show_progress=False)
    assert report.files_indexed == 4 and not report.skipped, report
    assert [d.source for d in engine.status().documents] == [f"Inbox · part {n}" for n in (1, 2, 3, 4)]
    answer = engine.ask("Who suggested lunch to discuss networks?")
    cited = answer.citations[0]
    assert not answer.abstained and cited.source == "Inbox · part 4", answer.text
    assert cited.quote.startswith("From: Ted <ted@com>; To: Bob <bob@gov>, Carol <carol@gov>")
    assert engine.source_text(cited.source)[cited.start:cited.end] == cited.quote
    assert engine.library.original_path(cited.source) == inbox.resolve()
    # A message arrives: appended at the end, it changes the last part only (the blank line
    # before it) and starts a part of its own; the first three are not read again.
    with inbox.open("ab") as box:
        box.write(b"\nFrom carol@gov Fri Jul 29 10:00:00 2005\nFrom: Carol <carol@gov>\nTo: Ted <ted@com>\n"
                  b"Subject: Re: lunch\nDate: Fri, 29 Jul 2005 10:00:00 -0700\n\nThe noodle bar on Main Street suits me.\n")
    report = engine.ingest(show_progress=False)
    assert report.files_indexed == 2 and report.files_unchanged == 3, report
    answer = engine.ask("Where does Carol want to have lunch?")
    assert answer.passages[0].source == "Inbox · part 5", answer.text  # the new message is found first
