"""The contract every reader keeps: (file bytes, ``ReadLimits``) -> ``ExtractedText``, or ``UnreadableDocument``.

The extracted text is what citation offsets index: ingest stores it beside the index and
``RAG.source_text`` returns it, so ``source_text(source)[start:end] == quote`` holds for
every format, whatever the file looked like.
"""

from __future__ import annotations

import bisect
import io
import re
import struct
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator, Optional

from rag.text import is_data_line


class UnreadableDocument(Exception):
    """The file cannot be indexed; ``str(exc)`` says why, in words a user can act on."""


@dataclass(frozen=True)
class ReadLimits:
    """What reading one file may cost (the Settings of the same names): past any of them the
    file is refused, saying which."""

    # The most text one document may hold (about 10,000 pages): past it, splitting and
    # embedding one file would hold the ingest for hours and its memory for the whole file.
    max_document_chars: int = 30_000_000
    # A zip package (.docx) whose parts would inflate past this, together or any one of them,
    # is refused before it is parsed: a small file can inflate to gigabytes (a zip bomb).
    max_unpacked_bytes: int = 256_000_000
    # One file's reading (parsing and OCR, not embedding) in the reader process: past these
    # it is stopped (rag/readers/isolated.py). 0 turns the budget off. Ten minutes: a scan
    # of 200 pages is read by OCR at about 2 s a page on two cores (bench/ocr.py).
    read_seconds: float = 600.0
    read_memory_mb: int = 2048
    # A scan is read by OCR (a few seconds a page here); one with more pages is refused.
    ocr_max_pages: int = 200


DEFAULT_LIMITS = ReadLimits()


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
    # What was read only in part, and what would read the rest ("2 of 9 pages are scans …"):
    # the ingest report passes it on.
    notes: list[str] = field(default_factory=list)

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


# A run of bullet points joined into one line is cut into lines of about this many characters:
# a whole slide of bullets as one sentence is no answer anyone can read.
MAX_JOINED_BULLETS_CHARS = 300
# A run of this many data lines or fewer is steps to type ("cd …/build-unix", "make", "make run"),
# joined as bullets are; a longer one is a log or listing shown on a slide.
MAX_JOINED_STEPS = 6
# How a paragraph that is a sentence ends: "… its “turned off.”", "(see below.)", "Features:".
_SENTENCE_END = re.compile(r"[.!?:]['\"’”)\]]*$")


def slide_lines(paragraphs: list[str]) -> str:
    r"""A slide's text box, its paragraphs a line each, but a run of bullet points (paragraphs
    that do not end as a sentence does) made one line, "; " between them and a full stop after:
    "Very small code size; No external dependencies; Permissive license (ISC)." Alone, each
    bullet reads as a heading and is never an answer; together they state what the slide says.
    A run after a lead-in ending on a colon is its list, joined to it however short:
    "Possible Applications: Architectural exploration; Early software development." A bullet of
    four words or more alone is a statement and ends with a full stop. A run of names alone (a
    title slide's "DPF", "DISTRHO Plugin Framework", "github.com / falkTX / DPF"; "Demo",
    "Questions"), none of four words, stays lines, and so does a run of data lines (a log, a
    listing: "Info: report.cpp: 80 ns - print"; three in four of its lines, more lines than
    steps to type), which joined would read as statements; a few steps to type ("Set
    SYSTEMC_HOME; cd …/build-unix; make; make run.") are joined.

    >>> slide_lines(["Very small code size", "Permissive license (ISC)", "It builds anywhere.", "Demo"])
    'Very small code size; Permissive license (ISC).\nIt builds anywhere.\nDemo'
    >>> slide_lines(["Uses:", "Exploration", "Early software"])
    'Uses: Exploration; Early software.'
    >>> slide_lines(["Demo", "Questions"])
    'Demo\nQuestions'
    """
    lines: list[str] = []
    run: list[str] = []
    for paragraph in [*paragraphs, None]:
        if paragraph is not None and not _SENTENCE_END.search(paragraph):
            run.append(paragraph)
            continue
        lead = lines.pop() if run and lines and lines[-1].endswith(":") else ""
        if len(run) > MAX_JOINED_STEPS and sum(map(is_data_line, run)) * 4 >= len(run) * 3:  # a log or listing
            # Apart by an empty line: lines of a like length would otherwise read as one
            # paragraph wrapped (rag.text), a "sentence" of twenty log lines.
            lines.append("\n\n".join([lead, *run] if lead else run))
        elif lead or any(len([w for w in line.split() if any(c.isalpha() for c in w)]) >= 4 for line in run):
            lines.extend(_joined(run, lead))
        else:
            lines.extend(run)
        run = []
        if paragraph is not None:
            lines.append(paragraph)
    return "\n".join(lines)


def _joined(bullets: list[str], lead: str) -> list[str]:
    """Bullets joined by "; " after ``lead``, a full stop after each line of at most
    ``MAX_JOINED_BULLETS_CHARS`` (a longer bullet is a line of its own)."""
    lines: list[str] = []
    current, items = lead, 0  # the line so far, and how many bullets it holds
    for bullet in bullets:
        if items and len(current) + len(bullet) > MAX_JOINED_BULLETS_CHARS:
            lines.append(current + ".")
            current, items = "", 0
        current = f"{current}; {bullet}" if items else f"{current} {bullet}".strip()
        items += 1
    lines.append(current + ".")
    return lines


def add_slide_box(out: TextBuilder, paragraphs: list[str], slide_title: str) -> None:
    """A slide's text box added to ``out`` (``slide_lines``). A box that opens with a heading of
    its own, a short line that asks or announces ("WHAT CAN IT *NOT* DO?", "Features:"), is a
    section of its own while it lasts: its bullets are cited under it, not under the slide's
    title alone ("MIDI output (so no MIDI filters, yet)" under "WHAT CAN IT *NOT* DO?")."""
    if " ".join(paragraphs) == slide_title:  # the title's own box: a heading, never a statement
        out.add("\n".join(paragraphs))
        return
    heading = paragraphs[0] if len(paragraphs) > 1 and paragraphs[0].endswith(("?", ":")) \
        and len(paragraphs[0].split()) <= 8 else ""
    if heading:
        out.section(f"{slide_title} · {heading}" if slide_title and slide_title != heading else heading)
    out.add(slide_lines(paragraphs))
    if heading:
        out.section(slide_title)


def require_text(text: str, what: str) -> str:
    if not text.strip():
        raise UnreadableDocument(what)
    return text


class TextBuilder:
    """Text assembled block by block, recording where pages and sections begin."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.offset = 0
        self.sections: list[tuple[int, str]] = []
        self.page_starts: list[int] = []

    def page(self) -> None:
        self.page_starts.append(self.offset)

    def section(self, heading: str) -> None:
        if heading:
            self.sections.append((self.offset, heading))

    def add(self, text: str) -> None:
        text = text.strip()
        if text:
            self.parts.append(text)
            self.offset += len(text) + 2  # joined by a blank line

    def text(self, empty: str) -> str:
        return require_text("\n\n".join(self.parts), empty)


# What a damaged zip package raises while its parts are read: a part that does not inflate
# (zlib.error) or fails its checksum (BadZipFile), an index that names an unknown zip version
# (NotImplementedError), a part cut short (EOFError), a name that is not text (UnicodeDecodeError).
DAMAGED_PACKAGE = (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, UnicodeDecodeError)

# Uncompressed / compressed size past which a part over a megabyte is taken for a zip bomb.
# Real XML packs 5 to 20 times; a bomb thousands of times.
MAX_PACKING_RATIO = 200


def check_package(raw: bytes, kind: str, limits: ReadLimits) -> None:
    """Refuse a zip package (Word, and other Office formats) whose parts would inflate past
    ``limits.max_unpacked_bytes``, or pack like a zip bomb, before anything parses it."""
    try:
        infos = zipfile.ZipFile(io.BytesIO(raw)).infolist()
    except DAMAGED_PACKAGE + (ValueError,) as exc:
        raise UnreadableDocument(f"not {kind} (not a valid zip package: {exc})") from None
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(1, info.compress_size)
        if info.file_size > limits.max_unpacked_bytes or (info.file_size > 1_000_000 and ratio > MAX_PACKING_RATIO):
            raise UnreadableDocument(
                f"its part {info.filename} would inflate to {info.file_size:,} bytes "
                f"({ratio:,.0f} times its packed size): refused as a possible zip bomb"
            )
    if total > limits.max_unpacked_bytes:
        raise UnreadableDocument(
            f"its parts would inflate to {total:,} bytes: over the limit of {limits.max_unpacked_bytes:,} "
            "(RAG_MAX_UNPACKED_BYTES)"
        )


# The signature every OLE compound file opens with: Word, Excel and PowerPoint 97-2003, Outlook's .msg.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@contextmanager
def compound_file(raw: bytes, kind: str, stream: str) -> Iterator:
    """An OLE compound file opened with olefile (BSD-2), refused unless it holds ``stream``;
    damage met while it is read, opening it or in the caller's reading, refused as such:
    "a damaged Outlook .msg file (…)". ``kind`` names the format: "an Outlook .msg file"."""
    import olefile

    if not raw.startswith(OLE_MAGIC):
        raise UnreadableDocument(f"not {kind} (no compound-file signature)")
    try:
        with olefile.OleFileIO(io.BytesIO(raw)) as ole:
            if not ole.exists(stream):
                raise UnreadableDocument(f"nothing inside to read: not {kind}, or a damaged one")
            yield ole
    except (OSError, ValueError, IndexError, struct.error, RecursionError) as exc:  # olefile's errors are OSErrors
        raise UnreadableDocument(f"a damaged {kind.split(' ', 1)[1]} ({type(exc).__name__}: {exc})") from None
