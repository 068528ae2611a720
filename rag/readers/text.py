"""Plain text and Markdown: the file's own text (newlines as Python's text mode reads them).

Markdown headings (``# Title``, ``## Part``) become sections: a passage is shown with the
heading it falls under.
"""

from __future__ import annotations

import codecs
import re

from rag.readers.base import DEFAULT_LIMITS, ExtractedText, ReadLimits, UnreadableDocument, first_line

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_ATX_HEADING = re.compile(r" {0,3}(#{1,6})[ \t]+(.*\S)")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
MAX_HEADING_CHARS = 300  # a longer line is prose that happens to start with "#"


def decode_text(raw: bytes) -> str:
    """The bytes as text, or ``UnreadableDocument`` saying why they are not text.

    A byte-order mark decides the encoding (Windows tools save UTF-16 with one); otherwise
    the file must be UTF-8. Newlines become ``\\n``, as Python's text mode reads them.
    """
    encoding = next((name for bom, name in _BOMS if raw.startswith(bom)), None)
    if encoding is None and b"\x00" in raw[:8192]:
        raise UnreadableDocument("binary file, not text")
    try:
        text = raw.decode(encoding or "utf-8")
    except UnicodeDecodeError:
        raise UnreadableDocument(f"not {encoding or 'UTF-8'} text: save it as UTF-8") from None
    # NUL and other C0 controls (but tab and newline) are not text: a NUL past the first 8 KB
    # would otherwise reach passages and answers. Removed, not replaced, as a text editor shows them.
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise UnreadableDocument("empty")
    return text


def read_text(raw: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> ExtractedText:
    text = decode_text(raw)
    return ExtractedText(text, first_line(text))


def read_markdown(raw: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> ExtractedText:
    text = decode_text(raw)
    sections = headings(text)
    title = sections[0][1] if sections else first_line(text)
    return ExtractedText(text, title[:200], sections=sections)


def headings(text: str) -> list[tuple[int, str]]:
    r"""(offset, heading) of the Markdown's ATX headings, in one pass over its lines: linear in
    the text whatever it holds (a file of code fences that never close took minutes with a
    pattern that rescanned to the end from every fence). A "# comment" inside a fenced code
    block is not a heading; a fence left open runs to the end of the file, as CommonMark says.

    >>> headings("# A\n```\n# not\n```\n## B #\n")
    [(0, 'A'), (18, 'B')]
    """
    sections = []
    fence = ""  # the open fence's marker ("```", "~~~~", ...), "" outside code
    offset = 0
    for line in text.split("\n"):
        fenced = _FENCE.match(line)
        if fence:
            # Closed by a line of the same character, at least as long, and nothing else.
            if fenced and fenced.group(1)[0] == fence[0] and len(fenced.group(1)) >= len(fence) and not line[fenced.end():].strip():
                fence = ""
        elif fenced:
            fence = fenced.group(1)
        elif len(line) <= MAX_HEADING_CHARS and (m := _ATX_HEADING.match(line)):
            heading = m.group(2).rstrip("#").strip()
            if heading:
                sections.append((offset, heading))
        offset += len(line) + 1
    return sections
