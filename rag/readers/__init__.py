"""Readers: one per file format, each turning a file's bytes into ``ExtractedText``.

>>> from rag.readers import read_document
>>> read_document("note.md", b"# Plans\\n\\nWe sail at dawn.\\n").sections
[(0, 'Plans')]
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Callable

from rag.readers.base import ExtractedText, UnreadableDocument
from rag.readers.docx import read_docx
from rag.readers.html import read_html
from rag.readers.pdf import read_pdf
from rag.readers.text import read_markdown, read_text

READERS: dict[str, Callable[[bytes], ExtractedText]] = {
    ".txt": read_text,
    ".md": read_markdown,
    ".pdf": read_pdf,
    ".docx": read_docx,
    ".html": read_html,
    ".htm": read_html,
}
SUPPORTED_SUFFIXES = tuple(READERS)

__all__ = ["ExtractedText", "UnreadableDocument", "READERS", "SUPPORTED_SUFFIXES", "read_document"]


# The most text one document may hold (about 10,000 pages): past it, splitting and embedding
# one file would hold the ingest for hours and its memory for the whole file.
MAX_TEXT_CHARS = 30_000_000


def read_document(name: str, raw: bytes) -> ExtractedText:
    """The extracted text of a file called ``name`` (its suffix picks the reader)."""
    suffix = PurePath(name).suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        raise UnreadableDocument(f"unsupported type {suffix or '(none)'}: only {', '.join(SUPPORTED_SUFFIXES)}")
    if suffix in (".txt", ".md") and len(raw) > 4 * MAX_TEXT_CHARS:  # refused before decoding it
        raise UnreadableDocument(_too_long(len(raw), "bytes"))
    doc = reader(raw)
    if len(doc.text) > MAX_TEXT_CHARS:
        raise UnreadableDocument(_too_long(len(doc.text), "characters of text"))
    return doc


def _too_long(size: int, unit: str) -> str:
    return f"{size:,} {unit}: over the limit of {MAX_TEXT_CHARS:,} characters for one document; split it into parts"
