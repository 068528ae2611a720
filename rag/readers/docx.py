"""Word files (.docx) through python-docx: paragraphs and table cells in document order.

Each paragraph is one line with a blank line after it; paragraphs in a "Heading" or "Title"
style become sections.
"""

from __future__ import annotations

import io
import zipfile

from rag.readers.base import ExtractedText, UnreadableDocument, clean_line, first_line, require_text


# A Word file is a zip of XML parts, parsed whole by python-docx: a small file can inflate to
# gigabytes (a zip bomb). Parts are checked against these before anything is parsed.
MAX_PART_BYTES = 64_000_000  # uncompressed, any one part
MAX_TOTAL_BYTES = 256_000_000  # uncompressed, all parts
MAX_RATIO = 200  # uncompressed / compressed, for parts over a megabyte


def check_package(raw: bytes, kind: str = "Word .docx") -> None:
    """Refuse a zip package whose parts would inflate past the caps, before parsing it."""
    try:
        infos = zipfile.ZipFile(io.BytesIO(raw)).infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise UnreadableDocument(f"not a {kind} file (not a valid zip package: {exc})") from None
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size > MAX_PART_BYTES or (info.file_size > 1_000_000 and ratio > MAX_RATIO):
            raise UnreadableDocument(
                f"its part {info.filename} would inflate to {info.file_size:,} bytes "
                f"({ratio:,.0f} times its packed size): refused as a possible zip bomb"
            )
    if total > MAX_TOTAL_BYTES:
        raise UnreadableDocument(f"its parts would inflate to {total:,} bytes: over the limit of {MAX_TOTAL_BYTES:,}")


def _blocks(document):
    """(style name, text) for paragraphs and table rows, in the order they appear.

    A table row is read from its cells' XML directly: python-docx's ``row.cells`` resolves
    merged cells by walking the grid again for each one, which took 28 s on a 4 KB table of
    vertically merged cells and recursed past Python's limit at 3,000 rows. A merged cell's
    continuation holds no text in the XML, so nothing repeats."""
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    text_tag = qn("w:t")
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            yield (item.style.name if item.style is not None else ""), item.text
        elif isinstance(item, Table):
            for row in item._tbl.tr_lst:
                cells = ["".join(t.text or "" for t in tc.iter(text_tag)) for tc in row.tc_lst]
                cells = list(dict.fromkeys(clean_line(c) for c in cells))
                yield "", " | ".join(c for c in cells if c)


def read_docx(raw: bytes) -> ExtractedText:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    check_package(raw)
    try:
        document = docx.Document(io.BytesIO(raw))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableDocument(f"not a Word .docx file (not a valid zip package: {exc})") from None
    parts, sections, offset = [], [], 0
    for style, raw_text in _blocks(document):
        text = clean_line(raw_text)
        if not text:
            continue
        if style.startswith(("Heading", "Title")):
            sections.append((offset, text))
        parts.append(text)
        offset += len(text) + 2
    text = require_text("\n\n".join(parts), "no text in this Word file")
    title = (document.core_properties.title or "").strip() or (sections[0][1] if sections else first_line(text))
    return ExtractedText(text, title[:200], sections=sections)
