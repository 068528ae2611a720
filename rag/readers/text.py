"""Plain text and Markdown: the file's own text (newlines as Python's text mode reads them).

Markdown headings (``# Title``, ``## Part``) become sections: a passage is shown with the
heading it falls under.
"""

from __future__ import annotations

import codecs
import re

from rag.readers.base import ExtractedText, UnreadableDocument, first_line

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_ATX_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", re.M)
_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.M | re.S)


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
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise UnreadableDocument("empty")
    return text


def read_text(raw: bytes) -> ExtractedText:
    text = decode_text(raw)
    return ExtractedText(text, first_line(text))


def read_markdown(raw: bytes) -> ExtractedText:
    text = decode_text(raw)
    # A "# comment" inside a fenced code block is not a heading.
    fenced = [(m.start(), m.end()) for m in _FENCE.finditer(text)]
    sections = []
    for m in _ATX_HEADING.finditer(text):
        if not any(a <= m.start() < b for a, b in fenced):
            sections.append((m.start(), m.group(2).strip()))
    title = sections[0][1] if sections else first_line(text)
    return ExtractedText(text, title[:200], sections=sections)
