"""Readers: one per file format, each turning a file's bytes into ``ExtractedText``.

>>> from rag.readers import read_document
>>> read_document("note.md", b"# Plans\\n\\nWe sail at dawn.\\n").sections
[(0, 'Plans')]
"""

from __future__ import annotations

from typing import Callable

from rag.readers.base import DEFAULT_LIMITS, ExtractedText, ReadLimits, UnreadableDocument
from rag.readers.formats import FILE_READERS, read_file
from rag.readers.mail import read_eml, read_mbox
from rag.readers.outlook import read_msg

# Each reader: (file bytes, limits) -> ExtractedText, or UnreadableDocument saying why.
READERS: dict[str, Callable[[bytes, ReadLimits], ExtractedText]] = {
    **FILE_READERS, ".eml": read_eml, ".mbox": read_mbox, ".msg": read_msg}
SUPPORTED_SUFFIXES = tuple(READERS)

__all__ = ["ExtractedText", "ReadLimits", "UnreadableDocument", "READERS", "SUPPORTED_SUFFIXES", "read_document"]


def read_document(name: str, raw: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> ExtractedText:
    """The extracted text of a file called ``name`` (its suffix picks the reader), in this
    process; ``rag.readers.isolated.IsolatedReader`` adds the time and memory budget."""
    return read_file(name, raw, limits, READERS)
