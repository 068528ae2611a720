"""The contract every reader keeps: file bytes -> ``ExtractedText``, or ``UnreadableDocument``.

The extracted text is what citation offsets index: ingest stores it beside the index and
``RAG.source_text`` returns it, so ``source_text(source)[start:end] == quote`` holds for
every format, whatever the file looked like.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Optional


class UnreadableDocument(Exception):
    """The file cannot be indexed; ``str(exc)`` says why, in words a user can act on."""


@dataclass
class ExtractedText:
    """A document's text and where its pages and sections begin.

    >>> doc = ExtractedText("One.\\nTwo.", "T", page_starts=[0, 5], sections=[(5, "Part 2")])
    >>> doc.page_at(6), doc.section_at(6), doc.section_at(0)
    (2, 'Part 2', '')
    """

    text: str
    title: str
    # Offset at which each page begins (page 1 at index 0); None for documents without pages.
    page_starts: Optional[list[int]] = None
    # (offset, heading) in document order: the heading a passage starting at offset falls under.
    sections: list[tuple[int, str]] = field(default_factory=list)

    def page_at(self, offset: int) -> Optional[int]:
        """The 1-based page on which ``offset`` lies, or None for an unpaged document."""
        if not self.page_starts:
            return None
        return max(1, bisect.bisect_right(self.page_starts, offset))

    def section_at(self, offset: int) -> str:
        """The heading of the section ``offset`` lies in ("" before the first heading)."""
        i = bisect.bisect_right(self.sections, offset, key=lambda section: section[0])
        return self.sections[i - 1][1] if i else ""


def clean_line(text: str) -> str:
    """One line of visible text: runs of white space collapsed, ends trimmed."""
    return " ".join(text.split())


def first_line(text: str, limit: int = 200) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")[:limit]


def require_text(text: str, what: str) -> str:
    if not text.strip():
        raise UnreadableDocument(what)
    return text
