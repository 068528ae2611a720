"""Markdown read as the page it renders to: real posts with front matter (tests/fixtures/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.readers import read_document
from rag.readers.markdown import front_matter

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "markdown"
BOOK = "when-breath-becomes-air.md"
OTHER_BOOK = "born-to-run.md"
THIRD_BOOK = "not-dead-yet.md"
CAR = "2016-10-25-rolls-royce-silver-ghost.md"
RELEASE = "2021-08-16-qcoro-0.1.0-announcement.md"


def read(name: str):
    return read_document(name, (FIXTURES / name).read_bytes())


def test_front_matter_is_one_record_of_the_title_author_date_and_fields_not_text():
    doc = read(BOOK)
    assert doc.title == "When Breath Becomes Air"
    record = doc.text.split("\n\n")[0]
    assert record.startswith("Title: When Breath Becomes Air; Author: Paul Kalanithi; Date: 27 October 2016; ")
    assert "layout" not in doc.text and "cloudfront" not in doc.text  # the site's machinery, the cover's link
    # The book's nested fields, labelled by their path.
    assert "Book publisher: Vintage Publishing; Book ISBN10: 1847923674" in record
    assert "Book pages: 256" in record and "Price eur: 15.98" in record and record.endswith("Tags: Memoirs,Neurosurgery,Doctors.")


def test_markup_comments_and_link_targets_are_not_text():
    doc = read(RELEASE)
    assert doc.title == "QCoro 0.1.0 Release Announcement"
    assert "SPDX" not in doc.text and "<!--" not in doc.text  # an HTML comment the page does not show
    assert "You can download QCoro 0.1.0 here or check the latest sources on QCoro GitHub." in doc.text
    assert "[qcoro-release]" not in doc.text and "github.com" not in doc.text
    # A quoted date ("2021-08-16") is a date; the description, which the post's first paragraph
    # repeats, is read once.
    assert doc.text.startswith("Title: QCoro 0.1.0 Release Announcement; Date: 16 August 2021.\n\n")
    assert doc.text.count("a library that provides C++ coroutine support for Qt.") == 1
    assert "QCoro 0.1.0 Release Announcement" in [heading for _, heading in doc.sections]


def test_a_table_is_read_row_by_row_with_its_labels_and_headings_are_sections():
    note = (b"Ports\n=====\n\nWhich port each service listens on:\n\n| Service | Port | Notes |\n|---|---|---|\n"
            b"| web | 8080 | behind the proxy |\n| mail | 25 |  |\n\n```\n# not a heading\n=====\n```\n")
    doc = read_document("ports.md", note)
    assert "Service: web; Port: 8080; Notes: behind the proxy." in doc.text.splitlines()
    assert "Service: mail; Port: 25." in doc.text.splitlines()
    assert [heading for _, heading in doc.sections] == ["Ports"]  # a setext heading; none inside the fence
    assert "# not a heading" in doc.text  # the code block's lines, as written


@pytest.mark.parametrize("text, kept", [
    ("---\n\nA rule, then prose: not front matter.\n\n---\n", "A rule, then prose: not front matter."),  # a mapping of prose, not fields
    ("---\ntitle: [unclosed\n---\nBody.\n", "title: [unclosed"),  # not YAML at all
])
def test_a_block_that_is_not_front_matter_stays_text(text, kept):
    assert front_matter(text) == ({}, text)
    assert kept in read_document("note.md", text.encode()).text  # nothing lost


def test_toml_front_matter_and_an_author_list():
    note = b'+++\ntitle = "Harbour log"\ndate = 2023-05-04\nauthors = ["Orla Brennan", "Tom Hale"]\ndraft = false\n+++\n\nThe pier lamp failed twice.\n'
    doc = read_document("log.md", note)
    assert doc.title == "Harbour log"
    assert doc.text.startswith("Title: Harbour log; Authors: Orla Brennan, Tom Hale; Date: 4 May 2023.\n\n")
    assert "draft" not in doc.text.lower()


def test_who_wrote_a_post_and_what_its_front_matter_says_are_answered(tmp_path):
    from rag import RAG

    docs = tmp_path / "docs"
    docs.mkdir()
    for name in (BOOK, OTHER_BOOK, CAR, RELEASE):
        (docs / name).write_bytes((FIXTURES / name).read_bytes())
    engine = RAG(docs_dir=docs, index_dir=tmp_path / "index")
    engine.ingest(show_progress=False)
    author = engine.ask("Who wrote When Breath Becomes Air?")
    assert not author.abstained and "Paul Kalanithi" in author.citations[0].quote
    assert author.citations[0].source == BOOK
    publisher = engine.ask("Who publishes When Breath Becomes Air?")
    assert "Vintage Publishing" in publisher.text


def test_a_numbered_step_is_cited_whole_with_its_number(tmp_path):
    # hyperref's README (gzipped, as Debian ships it): " 1. Download the hyperref files from CTAN or
    # the TUG server. If necessary, unpack them." Read without the item's mark, the step was cut
    # at its full stop and "If necessary, unpack them." stood alone.
    from conftest import indexed_copies

    engine = indexed_copies(tmp_path, [FIXTURES / "hyperref-README.md.gz"])
    answer = engine.ask("Where can I download hyperref?")
    assert not answer.abstained, answer.text
    assert answer.citations[0].quote == "1. Download the hyperref files from CTAN or the TUG server. If necessary, unpack them."


def test_two_pages_fields_are_not_one_fact_stated_twice(tmp_path):
    # Books' front matter: "Book pages: 528" and "Book pages: 464" are two books, not two
    # sources that disagree (records of two things: tests/test_real_questions.py's tide tables
    # are the case that failed; here each record opens with its own title and author).
    from conftest import indexed_copies

    engine = indexed_copies(tmp_path, [FIXTURES / BOOK, FIXTURES / OTHER_BOOK, FIXTURES / THIRD_BOOK])
    answer = engine.ask("How many pages does the hardback of Born to Run have?")
    assert not answer.abstained and "Book pages: 528" in answer.citations[0].quote, answer.text
    assert answer.conflicts == [] and "disagree" not in answer.text
    assert {c.source for c in answer.citations} == {OTHER_BOOK}


def test_two_sentences_sending_the_reader_elsewhere_do_not_disagree(tmp_path):
    # QCoro's pages: "See the QCoro documentation for more details." and "See QCoroIODevice
    # documentation for details." were one fact in disagreement ("QCoro" vs "See QCoroIODevice").
    from conftest import indexed_copies

    engine = indexed_copies(tmp_path, [FIXTURES / "2022-11-17-qcoro-0.7.0-announcement.md", FIXTURES / "qprocess.md"])
    answer = engine.ask("What is QCoro for?")
    assert not answer.abstained, answer.text
    assert answer.conflicts == [] and "disagree" not in answer.text, answer.text
