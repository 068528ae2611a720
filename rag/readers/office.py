"""Slides (.pptx), spreadsheets (.xlsx, .csv) and e-books (.epub); OpenDocument files are
rag.readers.opendocument's.

- PowerPoint through python-pptx: a slide is a page (a citation says "p. 3" for slide 3);
  its title is the section; text frames (a run of bullet points one line: ``slide_lines``),
  tables and speaker notes in reading order.
- Excel through openpyxl (read-only, values not formulas) and CSV through the standard
  library: a sheet is a section; each row is one line read with its header ("Name: Ada;
  Year: 1843."), so a sentence carries what each value means.
- EPUB (a zip of XHTML chapters, in the order its package file's spine gives) through this
  package's web-page reader: a chapter's headings are sections.

The zip formats are checked against the size caps before they are parsed
(``rag.readers.base.check_package``, from ``read_document``).
"""

from __future__ import annotations

import csv
import io
import posixpath
import zipfile
from typing import Iterable, Sequence

from rag.readers.base import (DEFAULT_LIMITS, ExtractedText, ReadLimits, TextBuilder, UnreadableDocument, add_slide_box,
                              clean_line, first_line)
from rag.readers.tables import table_lines

# A spreadsheet's rows past this many (all sheets together) are not read: a sheet of a
# million rows is data, not prose, and would be a million sentences to embed.
MAX_ROWS = 50_000
# Nor its cells past this many (50,000 rows of 20 values): an OpenDocument sheet stores a row
# "repeated" to its edge, a million rows of 1,024 values, in a few bytes.
MAX_CELLS = 1_000_000


def add_sheets(out: TextBuilder, sheets: Iterable[tuple[str, Iterable[Sequence]]], cell_joiner: str = " ") -> list[str]:
    """Each sheet, (its name, its rows), a section of its rows' lines (``table_lines``; a
    note's cells joined by ``cell_joiner``), in order, until MAX_ROWS rows or MAX_CELLS filled
    cells of all the sheets are read. Returns the note saying where reading stopped, if it did
    ("read in part" in the ingest report).

    >>> out = TextBuilder(); add_sheets(out, [("Crops", [["Crop", "Tonnes"], ["Quinces", 9]])]), out.parts
    ([], ['Crop | Tonnes', 'Crop: Quinces; Tonnes: 9.'])
    """
    rows_left, cells_left = MAX_ROWS, MAX_CELLS
    for name, sheet_rows in sheets:
        rows, stopped = [], False
        for row in sheet_rows:
            filled = sum(value is not None and value != "" for value in row)
            if rows_left <= 0 or filled > cells_left:
                stopped = True
                break
            rows.append(row)
            rows_left, cells_left = rows_left - 1, cells_left - filled
        lines = table_lines(rows, cell_joiner)
        if lines and name:
            out.section(name)
        for line in lines:
            out.add(line)
        if stopped:
            where = f"; sheet “{name}” and any after it are cut short" if name else ""
            return [f"only the first {MAX_ROWS:,} rows (or {MAX_CELLS:,} cells) are read{where}"]
    return []


def read_pptx(raw: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> ExtractedText:
    from pptx.exc import PackageNotFoundError
    from pptx.package import Package
    from pptx.parts.presentation import PresentationPart

    try:
        # Not ``pptx.Presentation``, which refuses a slide show (.ppsx) and a template (.potx),
        # decks of the same XML whose main parts python-pptx reads as presentations.
        main = Package.open(io.BytesIO(raw)).main_document_part
        if not isinstance(main, PresentationPart):
            raise ValueError(f"its main part is {main.content_type}")
        deck = main.presentation
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableDocument(f"not a PowerPoint file ({exc})") from None
    out = TextBuilder()
    for slide in deck.slides:
        out.page()
        title_shape = slide.shapes.title
        title = clean_line(title_shape.text_frame.text) if title_shape is not None and title_shape.has_text_frame else ""
        out.section(title)
        for shape in slide.shapes:
            if shape.has_text_frame:
                add_slide_box(out, [clean_line(p.text) for p in shape.text_frame.paragraphs if clean_line(p.text)], title)
            elif getattr(shape, "has_table", False) and shape.has_table:
                for line in table_lines([[cell.text for cell in row.cells] for row in shape.table.rows]):
                    out.add(line)
        if slide.has_notes_slide:
            out.add(slide.notes_slide.notes_text_frame.text)
    if not out.page_starts:
        raise UnreadableDocument("no slides in this presentation")
    text = out.text("no text on its slides (pictures only?)")
    # The first slide's title before the file's title property, which is often a template's.
    title = (out.sections[0][1] if out.sections else "") or (deck.core_properties.title or "").strip() or first_line(text)
    return ExtractedText(text, title[:200], page_starts=out.page_starts, sections=out.sections)


def read_xlsx(raw: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> ExtractedText:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UnreadableDocument(f"not an Excel workbook ({exc})") from None
    out = TextBuilder()
    try:
        notes = add_sheets(out, ((sheet.title, _stored_rows(sheet)) for sheet in book.worksheets))
    finally:
        book.close()
    text = out.text("no values in this workbook")
    # A sheet's name ("Sheet1", "arts") does not name the workbook; without a title of its
    # own, read_document names it after its file.
    return ExtractedText(text, (book.properties.title or "").strip()[:200], sections=out.sections, notes=notes)


def _stored_rows(sheet):
    # Read-only mode trusts the size a sheet declares, and writers get it wrong: readxl's
    # datasets.xlsx declares "A1" on sheets of 150 to 1,000 rows, and all but the header were
    # lost. Without it the rows are read as they are stored.
    sheet.reset_dimensions()
    return sheet.iter_rows(values_only=True)


def read_csv(raw: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> ExtractedText:
    from rag.readers.text import decode_text

    text = decode_text(raw)
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    out = TextBuilder()
    notes = add_sheets(out, [("", csv.reader(io.StringIO(text), dialect))], ", " if dialect.delimiter == "," else " ")
    body = out.text("no values in this file")
    return ExtractedText(body, "", notes=notes)  # named after its file (read_document): its first line is labels


def read_epub(raw: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> ExtractedText:
    from rag.readers.html import read_html

    try:
        book = zipfile.ZipFile(io.BytesIO(raw))
        chapters = _spine(book)
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableDocument(f"not an EPUB e-book ({exc})") from None
    out, title = TextBuilder(), ""
    for name in chapters:
        try:
            chapter = read_html(book.read(name), limits)
        except (UnreadableDocument, KeyError):
            continue  # a chapter with no text (a cover picture), or listed but missing
        start = out.offset
        for offset, heading in chapter.sections:
            out.sections.append((start + offset, heading))
        out.parts.append(chapter.text)
        out.offset += len(chapter.text) + 2
        title = title or chapter.title
    text = out.text("no text in this e-book")
    return ExtractedText(text, (_book_title(book) or title or first_line(text))[:200], sections=out.sections)


def _opf_path(book: zipfile.ZipFile) -> str:
    from bs4 import BeautifulSoup

    container = BeautifulSoup(book.read("META-INF/container.xml"), "xml")
    rootfile = container.find("rootfile")
    if rootfile is None or not rootfile.get("full-path"):
        raise ValueError("its container names no package file")
    return rootfile["full-path"]


def _spine(book: zipfile.ZipFile) -> list[str]:
    """The chapters' paths in reading order."""
    from bs4 import BeautifulSoup

    opf_path = _opf_path(book)
    opf = BeautifulSoup(book.read(opf_path), "xml")
    base = posixpath.dirname(opf_path)
    items = {item.get("id"): item.get("href") for item in opf.find_all("item")}
    order = [items.get(ref.get("idref")) for ref in opf.find_all("itemref")]
    return [posixpath.normpath(posixpath.join(base, href)) for href in order if href]


def _book_title(book: zipfile.ZipFile) -> str:
    from bs4 import BeautifulSoup

    opf = BeautifulSoup(book.read(_opf_path(book)), "xml")
    title = opf.find("dc:title") or opf.find("title")
    return clean_line(title.get_text()) if title else ""
