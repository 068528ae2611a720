"""The file formats read as documents, by suffix, and the checks every file passes before its
reader parses it. E-mail (``rag.readers.mail``) reads its attachments through this module,
and ``rag.readers`` adds it to these formats."""

from __future__ import annotations

from pathlib import PurePath
from typing import Callable, Mapping

from rag.readers.base import DAMAGED_PACKAGE, DEFAULT_LIMITS, ExtractedText, ReadLimits, UnreadableDocument, check_package
from rag.readers.docx import read_docx
from rag.readers.html import read_html
from rag.readers.ocr import read_image
from rag.readers.office import read_csv, read_epub, read_pptx, read_xlsx
from rag.readers.office97 import read_doc, read_xls
from rag.readers.opendocument import read_odp, read_ods, read_odt
from rag.readers.pdf import read_pdf
from rag.readers.rst import read_rst
from rag.readers.text import read_markdown, read_text

Reader = Callable[[bytes, ReadLimits], ExtractedText]

# Each reader: (file bytes, limits) -> ExtractedText, or UnreadableDocument saying why.
FILE_READERS: dict[str, Reader] = {
    ".txt": read_text,
    ".md": read_markdown,
    ".rst": read_rst,
    ".pdf": read_pdf,
    ".docx": read_docx,
    ".doc": read_doc,
    ".html": read_html,
    ".htm": read_html,
    ".pptx": read_pptx,
    ".xlsx": read_xlsx,
    ".xls": read_xls,
    ".csv": read_csv,
    ".epub": read_epub,
    ".odt": read_odt,
    ".ods": read_ods,
    ".odp": read_odp,
    ".png": read_image,
    ".jpg": read_image,
    ".jpeg": read_image,
    ".tif": read_image,
    ".tiff": read_image,
}
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff"})
# Formats read whole into memory as text: refused past four times the text a document may
# hold before they are decoded.
TEXT_SUFFIXES = (".txt", ".md", ".rst", ".eml", ".mbox", ".doc")

# Formats that are zip packages of XML parts, checked before parsing (what each is, for messages).
ZIP_PACKAGES = {".docx": "a Word .docx file", ".pptx": "a PowerPoint .pptx file", ".xlsx": "an Excel .xlsx file",
                ".epub": "an EPUB e-book", ".odt": "an OpenDocument .odt file",
                ".ods": "an OpenDocument .ods spreadsheet", ".odp": "an OpenDocument .odp presentation"}


def read_file(name: str, raw: bytes, limits: ReadLimits = DEFAULT_LIMITS,
              readers: Mapping[str, Reader] = FILE_READERS) -> ExtractedText:
    """The extracted text of a file called ``name``, read by the reader its suffix picks from
    ``readers``, after the size and zip checks."""
    suffix = PurePath(name).suffix.lower()
    reader = readers.get(suffix)
    if reader is None:
        raise UnreadableDocument(f"unsupported type {suffix or '(none)'}: only {', '.join(readers)}")
    if suffix in TEXT_SUFFIXES and len(raw) > 4 * limits.max_document_chars:  # refused before decoding it
        raise UnreadableDocument(_too_long(len(raw), "bytes", limits))
    if suffix in ZIP_PACKAGES:
        check_package(raw, ZIP_PACKAGES[suffix], limits)
    try:
        doc = reader(raw, limits)
    except DAMAGED_PACKAGE as exc:
        if suffix not in ZIP_PACKAGES:
            raise
        raise UnreadableDocument(f"a damaged {ZIP_PACKAGES[suffix].split(' ', 1)[1]} ({type(exc).__name__}: {exc})") from None
    if not doc.title:  # "deaths" for deaths.xlsx, whose first sheet is called "arts"
        doc.title = PurePath(name).stem.replace("_", " ")[:200]
    if len(doc.text) > limits.max_document_chars:
        raise UnreadableDocument(_too_long(len(doc.text), "characters of text", limits))
    return doc


def _too_long(size: int, unit: str, limits: ReadLimits) -> str:
    return (f"{size:,} {unit}: over the limit of {limits.max_document_chars:,} characters for one document "
            "(RAG_MAX_DOCUMENT_CHARS); split it into parts")
