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

from rag.readers.base import (DEFAULT_LIMITS, OLE_MAGIC, ExtractedText, ReadLimits, TextBuilder, UnreadableDocument,
                              add_slide_box, check_package, clean_line, compound_file, first_line)
from rag.readers.docx import read_docx
from rag.readers.office import add_sheets, read_pptx, read_xlsx
from rag.readers.tables import table_lines
from rag.readers.text import read_text

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


# PowerPoint 97-2003 (.ppt): the "PowerPoint Document" stream of an OLE compound file, a tree of
# records, each an 8-byte header (version and instance, type, length) before its body; a
# container's body is records. Record types from Microsoft's [MS-PPT] specification.
_CONTAINER_VERSION = 0xF
_SLIDE, _SLIDE_ATOM = 0x03EE, 0x03EF
_SLIDE_LIST, _SLIDE_PERSIST = 0x0FF0, 0x03F3
_TEXT_HEADER, _TEXT_CHARS, _TEXT_BYTES = 0x0F9F, 0x0FA0, 0x0FA8
_USER_EDIT, _PERSIST_DIRECTORY = 0x0FF5, 0x1772
_SLIDE_LIST_SLIDES, _SLIDE_LIST_NOTES = 0, 2  # a SlideListWithText's instance: which list it is
_TITLE_TEXT_TYPES = (0, 6)  # a text box's type: title, centred title (2 is notes, the others body)
_NOTES_TEXT_TYPE = 2
# How deep containers may nest before the file is taken for a damaged or hostile one (real
# files nest six or seven deep).
_MAX_RECORD_DEPTH = 64


def read_ppt(raw: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> ExtractedText:
    """A PowerPoint 97-2003 presentation read as a .pptx one is: a page a slide, in the order
    the presentation shows them, its title the section, each text box's paragraphs as
    ``add_slide_box`` joins them, the speaker's notes after the slide. Read with olefile
    (BSD-2, pure Python) by the records of Microsoft's published format."""
    if raw.startswith(b"PK"):  # a newer presentation saved under the old name
        check_package(raw, "a PowerPoint file", limits)
        return read_pptx(raw, limits)
    with compound_file(raw, "a PowerPoint 97-2003 .ppt file", "PowerPoint Document") as ole:
        if ole.exists("EncryptedSummary"):
            raise UnreadableDocument("an encrypted PowerPoint file: save it without a password, then ingest again")
        stream = ole.openstream("PowerPoint Document").read()
        current_user = ole.openstream("Current User").read() if ole.exists("Current User") else b""
        title = _summary_title(ole)
    slides = _ppt_slides(stream, current_user)
    out = TextBuilder()
    for slide_title, boxes, notes in slides:
        out.page()
        out.section(slide_title)
        for paragraphs in boxes:
            add_slide_box(out, paragraphs, slide_title)
        out.add("\n".join(notes))
    if not out.page_starts:
        raise UnreadableDocument("no slides in this presentation")
    text = out.text("no text on its slides (pictures only?)")
    # The first slide's title before the file's title property, which is often a template's
    # ("AT Basic System Example" in ten different SystemC decks).
    title = (out.sections[0][1] if out.sections else "") or title or first_line(text)
    return ExtractedText(text, title[:200], page_starts=out.page_starts, sections=out.sections)


def _summary_title(ole) -> str:
    try:
        title = ole.get_metadata().title or b""
    except (OSError, ValueError, IndexError, struct.error, TypeError):
        return ""
    return clean_line(title.decode("cp1252", "replace") if isinstance(title, bytes) else str(title))


def _records(stream: bytes, start: int, end: int):
    """(type, instance, body start, body end, depth) of every record from ``start`` to ``end``,
    containers' records after their own, in file order; lengths past the end are cut to it."""
    stack = [(start, min(end, len(stream)), 0)]
    while stack:
        pos, stop, depth = stack.pop()
        if pos + 8 > stop:
            continue
        version_instance, kind, length = struct.unpack_from("<HHI", stream, pos)
        body_end = min(pos + 8 + length, stop)
        yield kind, version_instance >> 4, pos + 8, body_end, depth
        stack.append((body_end, stop, depth))  # the next sibling, after this record's children
        if version_instance & 0xF == _CONTAINER_VERSION and depth < _MAX_RECORD_DEPTH:
            stack.append((pos + 8, body_end, depth + 1))


def _texts(stream: bytes, start: int, end: int) -> list[tuple[int, list[str]]]:
    """The text boxes between ``start`` and ``end``: (text type, paragraphs), in file order. A
    box's type comes from the TextHeaderAtom before its characters."""
    boxes: list[tuple[int, list[str]]] = []
    text_type = 4
    for kind, _, body, body_end, _ in _records(stream, start, end):
        if kind == _TEXT_HEADER and body + 4 <= body_end:
            text_type = struct.unpack_from("<I", stream, body)[0]
        elif kind in (_TEXT_CHARS, _TEXT_BYTES):
            chunk = stream[body:body_end]
            text = chunk.decode("utf-16-le", "replace") if kind == _TEXT_CHARS else chunk.decode("cp1252", "replace")
            # Paragraphs end in \r, a line break within one is \x0b; "*" alone is a slide-number field.
            paragraphs = [clean_line(p) for p in text.replace("\x0b", "\r").split("\r")]
            paragraphs = [p for p in paragraphs if p and p != "*"]
            if paragraphs:
                boxes.append((text_type, paragraphs))
    return boxes


def _persist_offsets(stream: bytes, current_user: bytes) -> dict[int, int]:
    """Where each persistent object (slide, notes, the document) begins in the stream: the
    persist directories of every save, oldest first so that later saves override, reached from
    the Current User stream's last edit. Empty when the chain cannot be followed."""
    offsets: dict[int, int] = {}
    try:
        edit = struct.unpack_from("<I", current_user, 16)[0]
        directories = []
        seen = set()
        while edit and edit not in seen and edit + 8 + 20 <= len(stream):
            seen.add(edit)
            if struct.unpack_from("<H", stream, edit + 2)[0] != _USER_EDIT:
                break
            last_edit, directory = struct.unpack_from("<II", stream, edit + 8 + 8)
            directories.append(directory)
            edit = last_edit
        for directory in reversed(directories):
            kind, length = struct.unpack_from("<HI", stream, directory + 2)
            if kind != _PERSIST_DIRECTORY:
                continue
            pos, end = directory + 8, min(directory + 8 + length, len(stream))
            while pos + 4 <= end:
                entry = struct.unpack_from("<I", stream, pos)[0]
                first, count = entry & 0xFFFFF, entry >> 20
                for i in range(min(count, (end - pos - 4) // 4)):
                    offsets[first + i] = struct.unpack_from("<I", stream, pos + 4 + 4 * i)[0]
                pos += 4 + 4 * count
    except struct.error:
        return offsets
    return offsets


def _ppt_slides(stream: bytes, current_user: bytes) -> list[tuple[str, list[list[str]], list[str]]]:
    """(title, text boxes, notes) of each slide in the order shown. The order and the notes come
    from the slide lists and the persist directory; where those cannot be followed (a damaged
    file), the slides are read in file order."""
    offsets = _persist_offsets(stream, current_user)
    slide_refs: list[tuple[int, list[tuple[int, list[str]]]]] = []  # (persist id, placeholder text kept in the list)
    notes_by_slide_id: dict[int, int] = {}
    for kind, instance, body, body_end, _ in _records(stream, 0, len(stream)):
        if kind != _SLIDE_LIST or instance not in (_SLIDE_LIST_SLIDES, _SLIDE_LIST_NOTES):
            continue
        persists = [(start, end) for k, _, start, end, _ in _records(stream, body, body_end) if k == _SLIDE_PERSIST]
        for i, (start, end) in enumerate(persists):
            if end - start < 16:
                continue
            persist_id, slide_id = (struct.unpack_from("<I", stream, offset)[0] for offset in (start, start + 12))
            if instance == _SLIDE_LIST_NOTES:
                notes_by_slide_id[slide_id] = persist_id
            else:  # PowerPoint 97 kept a slide's placeholder text here, after its persist atom
                following = persists[i + 1][0] - 8 if i + 1 < len(persists) else body_end
                slide_refs.append((persist_id, _texts(stream, end, following)))
    slides = []
    for persist_id, listed in slide_refs:
        start = offsets.get(persist_id)
        if start is None or start + 8 > len(stream) or struct.unpack_from("<H", stream, start + 2)[0] != _SLIDE:
            continue
        end = _record_end(stream, start)
        notes_start = offsets.get(notes_by_slide_id.get(_notes_ref(stream, start + 8, end), -1))
        notes = []
        if notes_start is not None and notes_start + 8 <= len(stream):
            notes = [p for t, box in _texts(stream, notes_start, _record_end(stream, notes_start))
                     if t == _NOTES_TEXT_TYPE for p in box]
        slides.append(_slide(listed + _texts(stream, start, end), notes))
    if not slides:  # no usable slide list: every slide container in file order
        slides = [_slide(_texts(stream, body - 8, body_end), [])
                  for kind, _, body, body_end, _ in _records(stream, 0, len(stream)) if kind == _SLIDE]
    return slides


def _record_end(stream: bytes, start: int) -> int:
    """Where the record starting at ``start`` ends (its length from its header), within the stream."""
    return min(start + 8 + struct.unpack_from("<I", stream, start + 4)[0], len(stream))


def _notes_ref(stream: bytes, start: int, end: int) -> int:
    """The slide id of a slide's notes, from its SlideAtom (0 when it has none)."""
    for kind, _, body, body_end, depth in _records(stream, start, end):
        if kind == _SLIDE_ATOM and depth == 0 and body + 20 <= body_end:
            return struct.unpack_from("<I", stream, body + 16)[0]
    return 0


def _slide(boxes: list[tuple[int, list[str]]], notes: list[str]) -> tuple[str, list[list[str]], list[str]]:
    """A slide's title (its first title box) and its boxes, each once (PowerPoint 97 may keep a
    placeholder's text both in the slide list and in the slide)."""
    title = next((" ".join(paragraphs) for text_type, paragraphs in boxes if text_type in _TITLE_TEXT_TYPES), "")
    seen: set[tuple[str, ...]] = set()
    kept = []
    for _, paragraphs in boxes:
        if tuple(paragraphs) not in seen:
            seen.add(tuple(paragraphs))
            kept.append(paragraphs)
    return title, kept, notes
