"""OpenDocument, LibreOffice's own formats: text (.odt), spreadsheets (.ods), presentations
(.odp). Each is a zip whose ``content.xml`` holds the document, read here with lxml (entities
never expanded, no huge trees); ``meta.xml`` may hold its title.

- Text: headings are sections; paragraphs and table rows in document order.
- Spreadsheets: a sheet is a section, each row one line read with its header, as an Excel
  workbook's (``rag.readers.tables``): "Name: Ada; Born: 1815-12-10." Cells are read by their
  type (a date as a date, 3 not 3.0, yes/no), and the runs of empty rows and columns a sheet
  stores as "repeated a million times" stay empty.
- Presentations: a slide is a page (a citation says "p. 3" for slide 3) and its title the
  section; each text box's paragraphs a line each (a run of bullet points one line, as a
  PowerPoint slide's), tables read with their header, speaker notes.
"""

from __future__ import annotations

import datetime
import io
import itertools
import zipfile

from rag.readers.base import (DAMAGED_PACKAGE, DEFAULT_LIMITS, ExtractedText, ReadLimits, TextBuilder, UnreadableDocument,
                              add_slide_box, clean_line, first_line, slide_lines)
from rag.readers.office import add_sheets
from rag.readers.tables import table_lines

_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "presentation": "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
}


def _tag(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{_NS[prefix]}}}{local}"


HEADING, PARAGRAPH = _tag("text:h"), _tag("text:p")
TABLE, ROW, CELL, COVERED_CELL = _tag("table:table"), _tag("table:table-row"), _tag("table:table-cell"), _tag("table:covered-table-cell")
FRAME, PAGE, NOTES = _tag("draw:frame"), _tag("draw:page"), _tag("presentation:notes")
ANNOTATION = _tag("office:annotation")
# A slide's footer, date and number: the same on every slide, and no statement.
_SLIDE_FURNITURE = frozenset({"header", "footer", "date-time", "page-number"})
# A sheet stores its unused columns and rows as one cell or row "repeated" up to the sheet's
# edge (16,384 columns, a million rows): a row is read this wide at most.
MAX_COLUMNS = 1024


# A damaged package, or one without the part asked for.
_DAMAGED = DAMAGED_PACKAGE + (KeyError, ValueError)


def _content(raw: bytes, kind: str):
    """The root of the file's content.xml, and its title from meta.xml ("" without one)."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, huge_tree=False)
    try:
        package = zipfile.ZipFile(io.BytesIO(raw))
        root = etree.fromstring(package.read("content.xml"), parser=parser)
    except _DAMAGED + (etree.XMLSyntaxError,) as exc:
        raise UnreadableDocument(f"not {kind}, or a damaged one ({exc})") from None
    title = ""
    try:
        meta = etree.fromstring(package.read("meta.xml"), parser=parser)
        found = meta.find(f".//{_tag('dc:title')}")
        title = clean_line("".join(found.itertext())) if found is not None else ""
    except _DAMAGED + (etree.XMLSyntaxError,):
        pass  # the title is optional; the text is what matters
    return root, title[:200]


def _inside(element, *tags: str) -> bool:
    return any(a.tag in tags for a in element.iterancestors())


def read_odt(raw: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> ExtractedText:
    root, title = _content(raw, "an OpenDocument .odt file")
    out = TextBuilder()
    for element in root.iter(HEADING, PARAGRAPH, TABLE):
        if element.tag == TABLE:
            if not _inside(element, TABLE):  # a nested table is read with its own
                rows = [[" ".join(cell.itertext()) for cell in row.iter(CELL)] for row in element.iter(ROW)]
                for line in table_lines(rows):
                    out.add(line)
            continue
        if _inside(element, TABLE, HEADING, PARAGRAPH):
            continue  # read with its row, or a note's paragraph read with the one it is in
        text = clean_line("".join(element.itertext()))
        if element.tag == HEADING:
            out.section(text)
        out.add(text)
    text = out.text("no text in this OpenDocument file")
    return ExtractedText(text, title or (out.sections[0][1] if out.sections else first_line(text))[:200], sections=out.sections)


def read_ods(raw: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> ExtractedText:
    root, title = _content(raw, "an OpenDocument .ods spreadsheet")
    body = root.find(f"{_tag('office:body')}/{_tag('office:spreadsheet')}")
    if body is None:
        raise UnreadableDocument("not an OpenDocument .ods spreadsheet (no spreadsheet in it)")
    sheets = ((sheet.get(_tag("table:name"), ""), _sheet_rows(sheet)) for sheet in body.iter(TABLE)
              if not _inside(sheet, TABLE))
    out = TextBuilder()
    notes = add_sheets(out, sheets)
    text = out.text("no values in this spreadsheet")
    # A sheet's name ("Sheet1") does not name the file: without a title of its own,
    # read_document names it after its file.
    return ExtractedText(text, title, sections=out.sections, notes=notes)


def _sheet_rows(sheet):
    """A sheet's rows as stored, a row "repeated" a thousand times given a thousand times (the
    same list: add_sheets stops taking them at its caps); a run of empty rows once."""
    for row in sheet.iter(ROW):
        if _inside(row, CELL):
            continue  # a table inside a cell
        cells = _row_values(row)
        yield from itertools.repeat(cells, _repeats(row, "table:number-rows-repeated") if cells else 1)


def _row_values(row) -> list:
    values: list = []
    for cell in row:
        if cell.tag not in (CELL, COVERED_CELL):
            continue
        value = _cell_value(cell)
        repeat = _repeats(cell, "table:number-columns-repeated")
        values.extend([value] * max(1, min(repeat, MAX_COLUMNS - len(values))))
        if len(values) >= MAX_COLUMNS:
            break
    while values and values[-1] is None:
        values.pop()
    return values


def _repeats(element, attribute: str) -> int:
    try:
        return max(1, int(element.get(_tag(attribute), "1")))
    except ValueError:  # not a count: the element stands once
        return 1


def _cell_value(cell):
    """A cell's value by its type: a number, a date, yes/no; else the text it shows."""
    kind = cell.get(_tag("office:value-type"))
    try:
        if kind == "float":
            return float(cell.get(_tag("office:value")))
        if kind == "date":
            return datetime.datetime.fromisoformat(cell.get(_tag("office:date-value")))
        if kind == "boolean":
            return cell.get(_tag("office:boolean-value")) == "true"
    except (TypeError, ValueError):
        pass  # a value the file misstates: the text it shows stands
    # Its paragraphs, in lists too, but not those of a table inside it nor of a comment on it
    # ("A bug or feature task ID." on the header "Feature/Bug").
    own = (p for p in cell.iter(PARAGRAPH) if not _inside(p, ANNOTATION)
           and next(a for a in p.iterancestors() if a.tag in (CELL, COVERED_CELL)) is cell)
    text = " ".join(clean_line("".join(p.itertext())) for p in own)
    return text.strip() or None


def read_odp(raw: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> ExtractedText:
    root, title = _content(raw, "an OpenDocument .odp presentation")
    out = TextBuilder()
    for slide in root.iter(PAGE):
        out.page()
        frames = [frame for frame in slide.iter(FRAME) if not _inside(frame, NOTES, FRAME)
                  and frame.get(_tag("presentation:class")) not in _SLIDE_FURNITURE]
        slide_title = next((" ".join(_frame_lines(f)) for f in frames if f.get(_tag("presentation:class")) == "title"), "")
        out.section(slide_title)
        for frame in frames:
            table = frame.find(f".//{TABLE}")
            if table is not None:
                rows = [[" ".join(cell.itertext()) for cell in row.iter(CELL)] for row in table.iter(ROW)]
                out.add("\n".join(table_lines(rows)))
            else:
                add_slide_box(out, _frame_lines(frame), slide_title)
        notes = slide.find(NOTES)
        if notes is not None:
            out.add("\n".join(slide_lines(_frame_lines(f)) for f in notes.iter(FRAME) if f.get(_tag("presentation:class")) == "notes"))
    if not out.page_starts:
        raise UnreadableDocument("no slides in this presentation")
    text = out.text("no text on its slides (pictures only?)")
    return ExtractedText(text, title or (out.sections[0][1] if out.sections else first_line(text))[:200],
                         page_starts=out.page_starts, sections=out.sections)


def _frame_lines(frame) -> list[str]:
    """A text box's paragraphs, a line each."""
    lines = (clean_line("".join(p.itertext())) for p in frame.iter(PARAGRAPH, HEADING) if not _inside(p, PARAGRAPH, HEADING))
    return [line for line in lines if line]
