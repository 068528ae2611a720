"""Word files (.docx, and the macro-enabled .docm and templates .dotx/.dotm, the same package
with another main part's type) through python-docx: paragraphs and table cells in document order.

Each paragraph is one line with a blank line after it; paragraphs in a "Heading" or "Title"
style become sections. ``read_document`` checks the zip package against the size caps
before this reader sees it (``rag.readers.base.check_package``): python-docx parses parts whole.
"""

from __future__ import annotations

import io
import zipfile

from rag.readers.base import DEFAULT_LIMITS, ExtractedText, ReadLimits, UnreadableDocument, clean_line, require_text
from rag.readers.tables import table_lines


# The main part's type of Word's other packages: python-docx's ``Document`` refuses all but a
# .docx's, though their XML is the same (a macro-enabled file's macros are a part of their own,
# never read).
_WORD_MAIN_TYPES = (
    "application/vnd.ms-word.document.macroEnabled.main+xml",  # .docm
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",  # .dotx
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",  # .dotm
)

# Headings that name a part of any document, not the document.
GENERIC_HEADINGS = {"overview", "introduction", "contents", "table of contents", "summary", "abstract", "preface",
                    "foreword", "background", "executive summary", "purpose", "scope"}


def _blocks(document):
    """(style name, text) for paragraphs and table rows, in the order they appear; a table's
    rows read with its header's labels (rag.readers.tables: "Crop: Quinces; Tonnes: 9.").

    A table row is read from its cells' XML directly: python-docx's ``row.cells`` resolves
    merged cells by walking the grid again for each one, which took 28 s on a 4 KB table of
    vertically merged cells and recursed past Python's limit at 3,000 rows. A merged cell's
    continuation holds no text in the XML, so nothing repeats."""
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    text_tag, paragraph_tag = qn("w:t"), qn("w:p")

    def cell_text(tc) -> str:  # a cell's paragraphs one after another ("Period" / "h": "Period h")
        return " ".join("".join(t.text or "" for t in p.iter(text_tag)) for p in tc.iter(paragraph_tag))

    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            yield (item.style.name if item.style is not None else ""), item.text
        elif isinstance(item, Table):
            rows = [[cell_text(tc) for tc in row.tc_lst] for row in item._tbl.tr_lst]
            for line in table_lines(rows):
                yield "", line


def _open_word(raw: bytes):
    """The document of a Word package: a .docx, .docm, .dotx or .dotm file (``ValueError`` for
    any other package, an Excel workbook named .docx)."""
    from docx.opc.part import PartFactory
    from docx.package import Package
    from docx.parts.document import DocumentPart

    for content_type in _WORD_MAIN_TYPES:  # python-docx's own registry of part types
        PartFactory.part_type_for.setdefault(content_type, DocumentPart)
    part = Package.open(io.BytesIO(raw)).main_document_part
    if not isinstance(part, DocumentPart):
        raise ValueError(f"its main part is {part.content_type}")
    return part.document


def read_docx(raw: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> ExtractedText:
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = _open_word(raw)
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableDocument(f"not a Word file ({exc})") from None
    parts, sections, offset, titles = [], [], 0, []
    for style, raw_text in _blocks(document):
        text = clean_line(raw_text)
        if not text or style.lower().startswith("toc "):
            # Word's own table of contents ("TOC 1" paragraphs: "I. Overview 3") repeats the
            # headings with page numbers: navigation, not text (as a web page's menu is).
            continue
        if style.startswith(("Heading", "Title")):
            sections.append((offset, text))
        if style == "Title":
            titles.append(text)
        parts.append(text)
        offset += len(text) + 2
    text = require_text("\n\n".join(parts), "no text in this Word file")
    # Its title: the file's own, a paragraph styled as one, its first heading unless that
    # names a part of any document ("Overview" in PreviSat's manual), or else (read_document)
    # its file's name.
    first_heading = sections[0][1] if sections and sections[0][1].lower() not in GENERIC_HEADINGS else ""
    title = (document.core_properties.title or "").strip() or (titles[0] if titles else first_heading)
    return ExtractedText(text, title[:200], sections=sections)
