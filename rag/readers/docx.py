"""Word files (.docx) through python-docx: paragraphs and table cells in document order.

Each paragraph is one line with a blank line after it; paragraphs in a "Heading" or "Title"
style become sections.
"""

from __future__ import annotations

import io
import zipfile

from rag.readers.base import ExtractedText, UnreadableDocument, clean_line, first_line, require_text


def _blocks(document):
    """(style name, text) for paragraphs and table cells, in the order they appear."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            yield (item.style.name if item.style is not None else ""), item.text
        elif isinstance(item, Table):
            for row in item.rows:
                cells = list(dict.fromkeys(clean_line(c.text) for c in row.cells))  # merged cells repeat
                yield "", " | ".join(c for c in cells if c)


def read_docx(raw: bytes) -> ExtractedText:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

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
