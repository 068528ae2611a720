"""Every format is read, answered and cited exactly; bad files are reported, never fatal."""

from __future__ import annotations

import io
import re

import pytest

from documents import (HTML_PAGE, PDF_PAGES, docx_bytes, odt_bytes, pdf_bytes, pptx_bytes, scan_image,
                       scanned_pdf_bytes, scanned_text_pdf_bytes, write_formats)
from conftest import ROOT, indexed_copies
from rag import RAG
from rag.readers import UnreadableDocument, read_document
from rag.text import sentence_spans

FORMATS = 9  # the documents write_formats makes


@pytest.fixture(scope="module")
def formats_engine(tmp_path_factory):
    base = tmp_path_factory.mktemp("formats")
    engine = RAG(docs_dir=write_formats(base / "docs"), index_dir=base / "index")
    report = engine.ingest(show_progress=False)
    assert report.files_indexed == FORMATS and not report.skipped
    return engine


def _cites_exactly(engine, answer):
    assert answer.citations, answer.text
    for c in answer.citations:
        assert engine.source_text(c.source)[c.start : c.end] == c.quote


@pytest.mark.parametrize(
    "question, source, expected, page",
    [
        ("Who designed the new pier?", "harbour.pdf", "Quillfeather", 2),
        ("Who is the lighthouse keeper?", "harbour.pdf", "Renwick", 3),
        ("Who was elected treasurer of the cooperative?", "orchard.docx", "Marchbank", None),
        ("How much did the glacier retreat last summer?", "glacier.html", "forty-two metres", None),
        ("How much honey does a colony need to survive the winter?", "bees.md", "twenty kilograms", None),
        ("Who is the new captain of the ferry?", "ferry.pptx", "Ines Abernathy", 2),
        ("Who keeps the Black Rock lighthouse?", "keepers.xlsx", "Tamsin Okonkwo", None),
        ("How many razorbill pairs were counted?", "seabirds.csv", "87", None),
        ("How long did the caravan take to reach the salt lake?", "salt-road.epub", "nineteen days", None),
        ("Where will the choir rehearse?", "choir.odt", "old library", None),
    ],
)
def test_each_format_is_answered_and_cited_exactly_with_its_page(formats_engine, question, source, expected, page):
    answer = formats_engine.ask(question)
    assert not answer.abstained
    first = answer.citations[0]
    assert (first.source, first.page) == (source, page)
    assert expected in " ".join(first.quote.split())
    _cites_exactly(formats_engine, answer)


def test_pdf_pages_and_title_come_from_the_file():
    doc = read_document("harbour.pdf", pdf_bytes())
    assert doc.title == "Harbour report"
    assert len(doc.page_starts) == len(PDF_PAGES)
    for number, page_text in enumerate(PDF_PAGES, 1):
        last_words = page_text.split()[-3:]
        offset = doc.text.index(" ".join(last_words))
        assert doc.page_at(offset) == number


def test_html_keeps_the_main_text_and_drops_navigation_scripts_and_footers():
    doc = read_document("glacier.html", HTML_PAGE.encode())
    assert doc.title == "Glacier station notes"
    assert "forty-two metres over the last summer" in doc.text  # source line breaks joined
    for boilerplate in ("snowmobile", "cookie", "newsletter", "tracking", "color: red"):
        assert boilerplate not in doc.text.lower()
    assert [heading for _, heading in doc.sections] == ["Glacier station notes", "Measurements"]


def test_a_documentation_generator_s_page_links_are_dropped_and_its_text_kept():
    # A real page of Debian's handbook (Publican): its "Prev / Up / Home / Next" links are a
    # <ul class="docnav"> whose last link holds the next page's title cut short; it was read as
    # text, and "How do I change the hostname?" was answered with "8.3. Setting the Hostname
    # and Configuring the Nam...".
    page = ROOT / "tests" / "fixtures" / "debian-handbook" / "sect.dist-upgrade.html"
    doc = read_document(page.name, page.read_bytes())
    lines = doc.text.splitlines()
    assert not {"Prev", "Up", "Home", "Next"} & set(lines)
    assert not any(line.startswith(("Prev", "Next")) and line.endswith("...") for line in lines)
    assert "you should read the release notes before upgrading" in doc.text
    assert doc.title.startswith("6.7. Upgrading from One Stable Distribution to the Next")


def test_an_xhtml_page_is_read_without_warnings():
    import warnings

    page = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><head>'
        b"<title>Tide tables</title></head><body><p>High water came at noon.</p></body></html>"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the ingest's console shows no parser advice
        doc = read_document("tides.xhtml.html", page)
    assert doc.title == "Tide tables" and doc.text == "High water came at noon."


def test_an_articles_own_header_is_kept_while_the_sites_is_dropped():
    page = (
        b"<html><body><header>Site menu and search</header><article><header><h1>Tide report</h1>"
        b"<p>By the harbour master</p></header><p>High water came at noon.</p><footer>Tags: sea</footer>"
        b"</article></body></html>"
    )
    doc = read_document("tide.html", page)
    assert doc.text == "Tide report\n\nBy the harbour master\n\nHigh water came at noon."
    assert doc.title == "Tide report"


def test_list_items_keep_the_bullet_or_number_a_browser_shows():
    # Each item is a line with its mark: "1. Download …" read as one item, not "Download …" then
    # "If necessary, unpack them." about nothing; a lead-in's list is known by its marks.
    page = (b"<html><body><p>To install:</p><ol start='2'><li>Download the files. If necessary, unpack them.</li>"
            b"<li><p>Run the installer.</p></li><li></li></ol><ul><li>Fast<ul><li>really fast</li></ul></li></ul>"
            b"<p>Done.</p></body></html>")
    doc = read_document("install.html", page)
    assert doc.text.split("\n\n") == ["To install:", "2. Download the files. If necessary, unpack them.",
                                        "3. Run the installer.", "\u2022 Fast", "\u2022 really fast", "Done."]


def test_markdown_headings_become_the_section_shown_with_a_citation(formats_engine):
    answer = formats_engine.ask("When does a colony swarm?")
    assert answer.citations[0].source == "bees.md"
    assert answer.citations[0].section == "Swarming"
    # The page the Markdown renders to, its "#" marks gone; its words as written.
    assert formats_engine.source_text("bees.md").split("\n\n")[:3] == [
        "Beekeeping handbook", "Bees need water close to the hive.", "Winter care"]


def test_word_headings_and_tables_are_read():
    doc = read_document("orchard.docx", docx_bytes())
    assert doc.title == "Orchard cooperative minutes"
    assert [h for _, h in doc.sections] == ["Orchard cooperative minutes", "Harvest", "Treasurer"]
    assert "Crop: Quinces; Tonnes: 9." in doc.text.splitlines()  # a table row with its labels


def test_the_tables_of_slides_and_opendocument_files_are_read_with_their_labels():
    slides = read_document("ferry.pptx", pptx_bytes()).text.splitlines()
    assert "Ticket: Return; Price: fourteen euros." in slides
    rows = read_document("choir.odt", odt_bytes()).text.splitlines()
    assert "Conductor | Bronwen Achterberg" in rows  # one row of labels: no header to read it with


def test_a_word_table_of_contents_is_not_read_and_a_part_s_heading_is_not_the_title():
    # PreviSat's English manual (Debian's previsat) opens with Word's table of contents ("I.
    # Overview 3", "TOC 1" paragraphs) and has no title of its own: its title was "Overview".
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    document = docx.Document()
    document.styles.add_style("toc 1", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("I.\tOverview\t3", style="toc 1")
    document.add_paragraph("II.\tGraphical interface\t4", style="toc 1")
    document.add_heading("Overview", level=1)
    document.add_paragraph("PreviSat is free open source software to track artificial satellites on a world map.")
    buffer = io.BytesIO()
    document.save(buffer)
    doc = read_document("PreviSat_en.docx", buffer.getvalue())
    assert doc.text == "Overview\n\nPreviSat is free open source software to track artificial satellites on a world map."
    assert doc.title == "PreviSat en"


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("locked.pdf", lambda: pdf_bytes(password="secret"), "encrypted PDF"),
        ("broken.pdf", lambda: b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ntruncated", "corrupt or unreadable PDF"),
        # Drawings only: OCR (or, without Tesseract, the reason to install it) finds no text.
        ("scan.pdf", lambda: scanned_pdf_bytes(), "no text in its 2 pages|needs Tesseract OCR"),
        ("notes.docx", lambda: b"this is plain text saved with a .docx name", "not a Word .docx file"),
        ("slides.pptx", lambda: b"not a zip", "not a PowerPoint .pptx file"),
        ("book.epub", lambda: b"not a zip", "not an EPUB e-book"),
        ("blank.html", lambda: b"<html><head><script>x=1</script></head><body><nav>Home</nav></body></html>", "no text"),
        ("empty.txt", lambda: b"  \n", "empty"),
        ("image.txt", lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary file"),
        ("cut16.txt", lambda: b"\xff\xfe" + "Notes".encode("utf-16-le") + b"\x00\xd8", "not utf-16 text, though it starts as such"),
        # Random bytes past ASCII: every one is a letter of Thai's code page, as the detector
        # decided for 20 MB of them, which were then indexed as text.
        ("noise.txt", lambda: bytes(b | 0x80 for b in __import__("random").Random(7).randbytes(200_000)), "binary data, not text"),
    ],
)
def test_a_bad_file_is_reported_with_its_reason_and_the_rest_is_indexed(tmp_path, name, data, reason):
    docs = write_formats(tmp_path / "docs")
    (docs / name).write_bytes(data())
    with pytest.raises(UnreadableDocument, match=reason):
        read_document(name, data())
    engine = RAG(docs_dir=docs, index_dir=tmp_path / "index")
    report = engine.ingest(show_progress=False)
    assert report.files_indexed == FORMATS
    assert [(s.source, bool(re.search(reason, s.reason))) for s in report.skipped] == [(name, True)]
    assert f"skipped {name}" in report.summary()


def test_text_in_an_older_encoding_is_read_as_its_author_wrote_it(tmp_path):
    # A real README in Latin-1, named without a suffix: it was skipped as "unsupported type (none)",
    # and a .txt in Latin-1 refused as "not UTF-8 text".
    readme = ROOT / "tests" / "fixtures" / "ae-fonts" / "README"
    docs = tmp_path / "docs"
    (docs / "ae").mkdir(parents=True)
    (docs / "ae" / "README").write_bytes(readme.read_bytes())
    (docs / "russian.txt").write_bytes(
        ("Министерство обороны России предложило Соединённым Штатам сотрудничество в восстановлении Сирии. " * 3).encode("cp1251"))
    engine = RAG(docs_dir=docs, index_dir=tmp_path / "index")
    report = engine.ingest(show_progress=False)
    assert report.files_indexed == 2 and not report.skipped, report.summary()
    answer = engine.ask("Who improved the placement of umlauts?")
    assert not answer.abstained and "Matthias Köppe contributed" in answer.citations[0].quote, answer.text
    assert "Министерство обороны России" in engine.source_text("russian.txt")


def test_a_text_files_headings_marked_by_rules_are_its_sections_and_the_rules_no_sentences():
    readme = read_document("README", (ROOT / "tests" / "fixtures" / "ae-fonts" / "README").read_bytes())
    # "Version 1.4 of the AE fonts" / "~~~~~~~~~~~~~~~~~~~~~~~~~~~" and "Licensing terms" / "~~~~~~~~~~~~~~~"
    assert [heading for _, heading in readme.sections] == ["Version 1.4 of the AE fonts", "Licensing terms"]
    sentences = [readme.text[s:e] for s, e in sentence_spans(readme.text)]
    assert "Version 1.4 of the AE fonts" in sentences and not any(set(s) <= set("~ \n") for s in sentences)
    # A rule above a heading is not joined into it (the AMS's change notes: "=====…" / "Differences in …").
    notes = "Copyright.\n\n" + "=" * 72 + "\nDifferences in amsart 2.20.5 (May 2020)\n\n---Added support for MSC 2020.\n"
    assert [notes[s:e] for s, e in sentence_spans(notes)][1] == "Differences in amsart 2.20.5 (May 2020)"
    assert read_document("diffs.txt", notes.encode()).sections == [(85, "Differences in amsart 2.20.5 (May 2020)")]


def test_utf16_text_with_a_byte_order_mark_is_read():
    text = "Notes\n\nThe kiln reached 1,200 degrees.\n"
    assert read_document("kiln.txt", text.encode("utf-16")).text == text


def test_pdf_running_headers_and_footers_are_dropped_and_a_sentence_across_pages_is_whole():
    """A manual's pages carry a running header and a page number; a sentence that runs on
    to the next page must read (and be cited) whole, without the header in its middle."""
    pages = [
        f"Harbour manual, chapter 2\n\n{body}\n\nPage {n} of 4"
        for n, body in enumerate([
            "The harbour opens at dawn. Pilots board ships at the outer buoy.",
            "Tugs wait in the inner basin. In winter the keeper lights the lamp when",
            "the fog rolls in from the western headland. Ships then sound their horns.",
            "The customs office closes at six in the evening.",
        ], 1)
    ]
    doc = read_document("manual.pdf", pdf_bytes(pages))
    assert "chapter 2" not in doc.text and "of 4" not in doc.text
    assert "the keeper lights the lamp when the fog rolls in from the western headland." in doc.text
    assert doc.page_at(doc.text.index("The customs office")) == 4
    assert doc.page_at(doc.text.index("Tugs wait")) == 2
    whole = [doc.text[s:e] for s, e in sentence_spans(doc.text)]
    assert "In winter the keeper lights the lamp when the fog rolls in from the western headland." in whole


needs_tesseract = pytest.mark.skipif(not __import__("shutil").which("tesseract"), reason="Tesseract is not installed: make ocr")


@needs_tesseract
def test_a_scanned_pdf_is_read_by_ocr_and_cited_with_its_page(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "board-minutes.pdf").write_bytes(scanned_text_pdf_bytes())
    engine = RAG(docs_dir=docs, index_dir=tmp_path / "index")
    assert engine.ingest(show_progress=False).files_indexed == 1
    answer = engine.ask("How much did the tugboats cost?")
    assert not answer.abstained
    cost = [c for c in answer.citations if "four million euros" in c.quote]
    assert cost and (cost[0].source, cost[0].page) == ("board-minutes.pdf", 2)
    _cites_exactly(engine, answer)


@needs_tesseract
def test_a_scanned_image_is_read_by_ocr():
    import io

    picture = io.BytesIO()
    scan_image(["The ferry timetable changes on 1 June."]).save(picture, format="PNG")
    doc = read_document("timetable.png", picture.getvalue())
    assert "The ferry timetable changes on 1 June." in doc.text and doc.page_starts == [0]


@needs_tesseract
@pytest.mark.parametrize("suffix, kind", [(".webp", "WEBP"), (".bmp", "BMP"), (".gif", "GIF")])
def test_a_screenshot_or_a_scan_in_another_picture_format_is_read_by_ocr(suffix, kind):
    # A phone's screenshot (WebP), an old scanner's bitmap: skipped as "unsupported type" before.
    import io

    picture = io.BytesIO()
    scan_image(["The ferry timetable changes on 1 June."]).save(picture, format=kind, **({"lossless": True} if kind == "WEBP" else {}))
    assert "The ferry timetable changes on 1 June." in read_document("timetable" + suffix, picture.getvalue()).text


def test_without_tesseract_a_scan_says_how_to_install_it_and_a_text_pdf_is_unaffected(monkeypatch):
    import rag.readers.ocr

    monkeypatch.setattr(rag.readers.ocr, "ocr_available", lambda: False)
    with pytest.raises(UnreadableDocument, match=r"needs Tesseract OCR.*make ocr"):
        read_document("board-minutes.pdf", scanned_text_pdf_bytes())
    assert "Quillfeather" in read_document("harbour.pdf", pdf_bytes()).text
    # A PDF with some text keeps it, and says what it could not read and how to read it.
    import pypdfium2 as pdfium

    mixed = pdfium.PdfDocument(pdf_bytes())
    mixed.import_pages(pdfium.PdfDocument(scanned_text_pdf_bytes()), [0])
    out = io.BytesIO()
    mixed.save(out)
    doc = read_document("mixed.pdf", out.getvalue())
    assert "Quillfeather" in doc.text
    assert len(doc.notes) == 1 and re.search(r"1 of \d+ pages is a scan.*make ocr", doc.notes[0]), doc.notes


def test_a_scan_over_the_ocr_page_limit_is_refused_before_any_ocr():
    from rag.readers.base import ReadLimits

    with pytest.raises(UnreadableDocument, match=r"over the OCR limit of 1 pages \(RAG_OCR_MAX_PAGES\)|needs Tesseract"):
        read_document("board-minutes.pdf", scanned_text_pdf_bytes(), ReadLimits(ocr_max_pages=1))


def test_a_pdf_sentence_broken_after_a_footnote_mark_is_read_whole():
    # Page 1 of Debian's camlidl manual: "... of the Objective Caml reference manual¹" ends a
    # short line and ") from an IDL description ..." starts the next; the overview sentence
    # used to be cut in two there (issue 21: "What is camlidl actually for?").
    pdf = ROOT / "tests" / "fixtures" / "camlidl-1.04.doc.pdf"
    doc = read_document(pdf.name, pdf.read_bytes())
    sentences = [" ".join(doc.text[s:e].split()) for s, e in sentence_spans(doc.text)]
    overview = next(s for s in sentences if s.startswith("Camlidl generates stub code"))
    assert overview.endswith("from an IDL description of the C functions to be made available in Caml."), overview


def test_a_pdf_contents_page_is_read_a_line_at_a_time():
    # Page 1 of LaTeX's guide for class writers (tests/fixtures/latex): "1.1 Writing classes
    # and packages for LATEX 2ε . . . . . 2" and the lines under it. The dot leaders ended a
    # "sentence" at every dot, and each page number began the next line's entry ("14 / 4
    # Commands for class and package writers 15"), which the reading model took for an answer.
    pdf = ROOT / "tests" / "fixtures" / "latex" / "clsguide-page1.pdf"
    doc = read_document(pdf.name, pdf.read_bytes())
    sentences = [doc.text[s:e] for s, e in sentence_spans(doc.text)]
    entries = [line for line in doc.text.splitlines() if ". . . ." in line]
    assert len(entries) >= 10
    assert all(entry.strip() in sentences for entry in entries), [s for s in sentences if ". ." in s][:3]
    assert not [s for s in sentences if "." in s and not any(c.isalpha() for c in s)]  # ". . . 14"


def test_notes_in_a_pdf_s_margin_do_not_cut_its_sentences():
    # Pages 17 and 27 of LaTeX's guide for class writers (tests/fixtures/latex): "New feature
    # 1996/12/01" and "New description 2003/12/01" stand in the right margin beside "Suppose
    # that you want to define an environment for displaying text that is / numbered as an
    # equation."; PDFium read them into the paragraph, and "numbered as an equation." was
    # cited alone as an answer. Beside "… with ex-" / "actly those options" it also kept
    # PDFium from seeing the hyphenation.
    pdf = ROOT / "tests" / "fixtures" / "latex" / "clsguide-pages17-27.pdf"
    doc = read_document(pdf.name, pdf.read_bytes())
    sentences = [" ".join(doc.text[s:e].split()) for s, e in sentence_spans(doc.text)]
    assert "Suppose that you want to define an environment for displaying text that is numbered as an equation." in sentences
    assert "New feature" not in doc.text and "1996/12/01" not in doc.text
    assert "\\newenvironment{texteqn}" in doc.text and "However, if you have tried this" in doc.text
    assert "file with exactly those options" in " ".join(doc.text.split())


def test_a_page_that_prints_nothing_is_not_sent_to_ocr(monkeypatch):
    # Debian's live-manual PDF draws 42 of its 64 pages with fonts PDFium cannot read, and they
    # render blank; each took Tesseract most of a second to find nothing (28 s for the file).
    # A page with no text layer goes to OCR only when something is printed on it.
    import pypdfium2 as pdfium

    import rag.readers.ocr

    monkeypatch.setattr(rag.readers.ocr, "ocr_available", lambda: True)
    sent = []
    monkeypatch.setattr(rag.readers.ocr, "ocr_png", lambda png: sent.append(png) or "The ferry timetable changes in June.")
    text_pages = pdfium.PdfDocument(pdf_bytes())
    scans = pdfium.PdfDocument(scanned_text_pdf_bytes())
    mixed = pdfium.PdfDocument.new()
    mixed.import_pages(text_pages, [0])
    mixed.new_page(595, 842)  # a blank page
    mixed.import_pages(scans, [0])
    out = io.BytesIO()
    mixed.save(out)
    doc = read_document("mixed.pdf", out.getvalue())
    assert len(sent) == 1 and "The ferry timetable changes in June." in doc.text
    assert len(doc.page_starts) == 3
    assert doc.notes == []  # a blank page among others is no news


READXL = ROOT / "tests" / "fixtures" / "readxl"


def _read_fixture(path):
    return read_document(path.name, path.read_bytes())


def test_notes_written_around_a_sheets_table_are_kept_as_notes_and_the_rows_get_their_labels():
    # readxl's deaths.xlsx, a real workbook made to show how people write spreadsheets: notes
    # in the first rows and below the table. The first row was taken for the header, and
    # every row read "Lots of people: David Bowie; musician; 69; True; 1947-01-08 00:00:00; …".
    doc = _read_fixture(READXL / "deaths.xlsx")
    assert ("Name: David Bowie; Profession: musician; Age: 69; Has kids: yes; Date of birth: 1947-01-08; "
            "Date of death: 2016-01-10.") in doc.text.splitlines()
    assert "Name: Vera Rubin; Profession: scientist;" in doc.text  # the second sheet too
    assert doc.title == "deaths"  # not its first sheet's name, "arts"
    assert "Lots of people:" not in doc.text and "00:00:00" not in doc.text
    notes = " ".join(doc.text.split())
    assert "Lots of people simply cannot resist writing some notes at the top of their spreadsheets" in notes
    assert "we're signing off now!" in notes and "Age: off" not in doc.text  # the notes below the table


def test_every_row_is_read_when_a_workbook_misstates_the_size_of_its_sheets():
    # readxl's datasets.xlsx declares each sheet one cell big ("A1"); read-only openpyxl trusted
    # that, and the 150 iris flowers, 32 cars, 71 chicks and 1,000 earthquakes were lost.
    doc = _read_fixture(READXL / "datasets.xlsx")
    lines = doc.text.splitlines()
    assert [heading for _, heading in doc.sections] == ["iris", "mtcars", "chickwts", "quakes"]
    assert sum(line.startswith("Sepal.Length:") for line in lines) == 150
    assert sum(line.startswith("lat:") for line in lines) == 1000
    assert "Sepal.Length: 5.1; Sepal.Width: 3.5; Petal.Length: 1.4; Petal.Width: 0.2; Species: setosa." in lines
    assert doc.notes == []


def test_a_second_header_row_of_units_joins_the_labels():
    doc = _read_fixture(READXL / "clippy.xlsx")
    assert ("name (at birth): Clippy; species (office supply type): paperclip; death (date is approximate): "
            "2007-01-01; weight (in grams): 0.9.") in doc.text.splitlines()


def test_rows_past_the_cap_are_reported_not_dropped_silently(monkeypatch):
    import rag.readers.office

    monkeypatch.setattr(rag.readers.office, "MAX_ROWS", 100)
    doc = _read_fixture(READXL / "datasets.xlsx")
    assert doc.notes and "100" in doc.notes[0] and "iris" in doc.notes[0]
    csv = "town,pairs\n" + "".join(f"Town {i},{i}\n" for i in range(150))
    doc = read_document("counts.csv", csv.encode())
    assert doc.notes == ["only the first 100 rows (or 1,000,000 cells) are read"]
    assert "Town 98" in doc.text and "Town 120" not in doc.text


def test_a_csv_with_a_note_above_its_header_is_read_with_the_right_labels():
    csv = "Seabird count, spring 2024\n\nspecies,pairs,change\nrazorbill,87,+3\npuffin,412,-12\n"
    lines = read_document("count.csv", csv.encode()).text.splitlines()
    assert "species: razorbill; pairs: 87; change: +3." in lines and "Seabird count, spring 2024" in lines


def test_a_date_in_a_spreadsheet_answers_when(tmp_path):
    engine = indexed_copies(tmp_path, [READXL / "deaths.xlsx"])
    answer = engine.ask("When did David Bowie die?")
    assert not answer.abstained
    assert "Date of death: 2016-01-10" in answer.citations[0].quote


def test_years_across_a_sheet_s_first_row_label_its_columns():
    # A report's sheet: a title, then "Item | 2023 | 2024". Read as a row of values, the years
    # left every later row without labels ("Berth per night | 30 | 32.5").
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["Harbour fees, in euros"], [], ["Item", 2023, 2024], ["Berth per night", 30, 32.5]):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    lines = read_document("fees.xlsx", out.getvalue()).text.splitlines()
    assert "Item: Berth per night; 2023: 30; 2024: 32.5." in lines and "Harbour fees, in euros" in lines


@pytest.mark.parametrize("name, part", [("deaths.xlsx", "xl/worksheets/sheet1.xml"), ("ToDo.ods", "content.xml")])
def test_a_damaged_office_package_is_refused_as_damaged(name, part):
    # A workbook whose sheet's compressed bytes were damaged (a bad sector, a cut download):
    # zlib's error, or the zip's checksum error, escaped the reader.
    import zipfile

    path = READXL / name if name.endswith(".xlsx") else ROOT / "tests" / "fixtures" / "opendocument" / name
    raw = bytearray(path.read_bytes())
    info = zipfile.ZipFile(io.BytesIO(bytes(raw))).getinfo(part)
    data = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 40
    raw[data : data + 64] = bytes(64)
    with pytest.raises(UnreadableDocument, match="damaged"):
        read_document(name, bytes(raw))
