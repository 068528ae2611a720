"""Word and Excel 97-2003 files (.doc, .xls): the binary formats older folders are full of.

- Word through Debian's ``antiword`` (GPL-2, run as its own program, as Tesseract is for
  scans; ``make legacy-office`` installs it): each paragraph one line, tables read with their
  header as a sheet's are. Without it a .doc file is refused saying how to install it. Many
  files named .doc are plain text (old manuals and notes): those are read as text, and a newer
  Word file saved under the old name as one.
- Excel through xlrd (BSD-3, pure Python): as an .xlsx workbook's sheets (rag.readers.tables),
  dates as dates; an .xlsx workbook saved under an .xls name is read as one.
"""

from __future__ import annotations

import io
import re
import shutil
import struct
import subprocess
import tempfile

from rag.readers.base import (DEFAULT_LIMITS, ExtractedText, ReadLimits, TextBuilder, UnreadableDocument, check_package,
                              clean_line, first_line)
from rag.readers.docx import read_docx
from rag.readers.office import add_sheets, read_xlsx
from rag.readers.tables import table_lines
from rag.readers.text import read_text

# The compound-file signature every Word and Excel 97-2003 file opens with.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TABLE_ROW = re.compile(r"^\|.*\|$")


def read_doc(raw: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> ExtractedText:
    if raw.startswith(b"PK"):  # a newer Word file saved under the old name
        check_package(raw, "a Word file", limits)
        return read_docx(raw, limits)
    if not raw.startswith(OLE_MAGIC):
        return read_text(raw, limits)  # a text file named .doc, as old manuals are
    if shutil.which("antiword") is None:
        raise UnreadableDocument(
            "a Word 97-2003 .doc file needs antiword to be read: `make legacy-office` installs it "
            "(Debian: apt-get install antiword), then ingest again")
    with tempfile.NamedTemporaryFile(suffix=".doc") as file:
        file.write(raw)
        file.flush()
        try:
            done = subprocess.run(["antiword", "-w", "0", "-m", "UTF-8.txt", file.name], capture_output=True,
                                  timeout=limits.read_seconds or None)
        except subprocess.TimeoutExpired:
            raise UnreadableDocument(f"antiword took over {limits.read_seconds:.0f} s (RAG_READ_SECONDS)") from None
    if done.returncode != 0:
        reason = first_line(done.stderr.decode("utf-8", "replace")) or f"exit status {done.returncode}"
        raise UnreadableDocument(f"not a Word 97-2003 document antiword can read ({reason})")
    out = TextBuilder()
    for block in _blocks(done.stdout.decode("utf-8", "replace")):
        if _TABLE_ROW.match(block[0]):
            rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in block]
            for line in table_lines(rows):
                out.add(line)
        else:
            out.add("\n".join(block))
    text = out.text("no text in this Word document")
    return ExtractedText(text, first_line(text))


def _blocks(text: str) -> list[list[str]]:
    """antiword's output as runs of lines: a paragraph is a line (white space inside it, tabs
    of its layout, collapsed); a table is a run of "|cell|cell|" lines. An empty line ends a
    run, and so does the change between table and text."""
    blocks: list[list[str]] = []
    table = False
    for raw_line in text.split("\n"):
        line = clean_line(raw_line)
        if not line:
            if blocks and blocks[-1]:
                blocks.append([])
            continue
        row = bool(_TABLE_ROW.match(line))
        if not blocks or not blocks[-1] or row != table:
            blocks.append([])
        blocks[-1].append(line)
        table = row
    return [block for block in blocks if block]


def read_xls(raw: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> ExtractedText:
    import xlrd
    from xlrd.compdoc import CompDocError

    if raw.startswith(b"PK"):  # a newer workbook saved under the old name
        check_package(raw, "an Excel workbook", limits)
        return read_xlsx(raw, limits)
    # xlrd reports what it repairs on a log, stdout by default: not for the user's console.
    log = io.StringIO()
    try:
        book = xlrd.open_workbook(file_contents=raw, on_demand=True, logfile=log)
        try:
            return _workbook(book)
        finally:
            book.release_resources()
    except (xlrd.XLRDError, CompDocError, ValueError, AssertionError, IndexError, KeyError, struct.error) as exc:
        # A damaged file fails wherever xlrd meets the damage, opening it or reading a sheet.
        raise UnreadableDocument(f"not an Excel 97-2003 .xls file, or a damaged one ({type(exc).__name__}: {exc})") from None


def _workbook(book) -> ExtractedText:
    def sheets():
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            yield sheet.name, ([_value(cell, book.datemode) for cell in sheet.row(r)] for r in range(sheet.nrows))
            book.unload_sheet(index)

    out = TextBuilder()
    notes = add_sheets(out, sheets())
    return ExtractedText(out.text("no values in this workbook"), "", sections=out.sections, notes=notes)


def _value(cell, datemode: int):
    """A cell as openpyxl would give it: a number, a date, True/False, text, or None."""
    import xlrd

    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return None
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(cell.value, datemode)
        except (xlrd.xldate.XLDateError, ValueError, OverflowError):
            return cell.value
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    return cell.value if cell.ctype == xlrd.XL_CELL_NUMBER else (str(cell.value).strip() or None)
