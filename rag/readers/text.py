"""Plain text: the file's own text (newlines as Python's text mode reads them), in UTF-8 or an
older encoding; the headings its rules mark are sections. Markdown's ATX headings are found
here for the notebook reader (``headings``); a Markdown file is read by ``rag.readers.markdown``.
"""

from __future__ import annotations

import codecs
import re

from rag.readers.base import DEFAULT_LIMITS, ExtractedText, ReadLimits, UnreadableDocument, first_line
from rag.text import RULE

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_ATX_HEADING = re.compile(r" {0,3}(#{1,6})[ \t]+(.*\S)")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
MAX_HEADING_CHARS = 300  # a longer line is prose that happens to start with "#"


def decode_text(raw: bytes) -> str:
    """The bytes as text, or ``UnreadableDocument`` saying why they are not text.

    A byte-order mark decides the encoding (Windows tools save UTF-16 with one); otherwise
    UTF-8, and a file that is not UTF-8 is in an older encoding (``legacy_encoding``).
    Newlines become ``\\n``, as Python's text mode reads them.
    """
    encoding = next((name for bom, name in _BOMS if raw.startswith(bom)), None)
    if encoding is None and b"\x00" in raw[:8192]:
        raise UnreadableDocument("binary file, not text")
    try:
        text = raw.decode(encoding or "utf-8")
    except UnicodeDecodeError:
        if encoding:
            raise UnreadableDocument(f"not {encoding} text, though it starts as such: a damaged file") from None
        text = raw.decode(legacy_encoding(raw))
    # NUL and other C0 controls (but tab and newline) are not text: a NUL past the first 8 KB
    # would otherwise reach passages and answers. Removed, not replaced, as a text editor shows them.
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise UnreadableDocument("empty")
    return text


# Single-byte encodings of the Latin alphabet that a detector cannot tell apart in a file of a
# few accented letters: read as Windows-1252, which text files in them nearly always are.
_LATIN_SINGLE_BYTE = 0.1  # at most this share of bytes past ASCII
# Control characters text does not hold (tabs, line and page breaks and escape sequences aside).
BINARY_CONTROLS = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")
_LINE_END = re.compile(rb"[\n\r]")


def legacy_encoding(raw: bytes) -> str:
    """The encoding of text that is not UTF-8 (``UnreadableDocument`` when it is none).

    Mostly ASCII, a few letters past it ("Hellstr\\xf6m" in an English change log): Windows-1252,
    a superset of Latin-1's letters, as such files nearly always are; a detector (charset-normalizer)
    guesses wildly on them (Central European, Baltic, even Big5 for Debian's Latin-1 change logs).
    Mostly past ASCII (Cyrillic, Greek, Japanese, Chinese in their own older encodings): the
    detector's choice, which it makes well when it has many such characters to go on."""
    sample = raw[:1_000_000]
    # Binary data is no text in any encoding, though every byte means a letter in some code page
    # (the detector read 20 MB of random bytes as Thai): it holds control characters, or no line
    # ends at all where text of its size has them.
    if len(BINARY_CONTROLS.findall(sample)) > len(sample) // 1000 or (len(sample) > 10_000 and not _LINE_END.search(sample)):
        raise UnreadableDocument("binary data, not text")
    past_ascii = sum(1 for byte in raw[:65536] if byte > 127)
    if past_ascii <= _LATIN_SINGLE_BYTE * min(len(raw), 65536):
        return "cp1252" if _decodes(raw, "cp1252") else "latin-1"  # five bytes cp1252 leaves undefined
    import charset_normalizer

    best = charset_normalizer.from_bytes(sample).best()
    if best is None or not _decodes(raw, best.encoding):
        raise UnreadableDocument("not text in UTF-8 or any other encoding it could be read in: save it as UTF-8")
    return best.encoding


def _decodes(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def read_text(raw: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> ExtractedText:
    text = decode_text(raw)
    return ExtractedText(text, first_line(text), sections=ruled_headings(text))


# A heading a rule marks is a short line: a sentence's length or less.
MAX_RULED_HEADING_WORDS = 12


def ruled_headings(text: str) -> list[tuple[int, str]]:
    r"""(offset, heading) of the headings a plain text file marks with rules: a line alone,
    underlined ("PREAMBLE" / "========", Markdown's setext headings too) or between a rule and
    an empty line ("=====" / "Differences in amsart 2.20.5 (May 2020)" / "", as the AMS's notes
    have them). A paragraph's last line above a rule, or a sentence, is no heading.

    >>> ruled_headings("PREAMBLE\n========\n\nText.\n\n=====\nChanges in 2.0\n\n---Fixed.")
    [(0, 'PREAMBLE'), (32, 'Changes in 2.0')]
    """
    lines, offsets, at = text.split("\n"), [], 0
    for line in lines:
        offsets.append(at)
        at += len(line) + 1

    def blank(i: int) -> bool:  # before the first line or after the last counts as empty
        return i < 0 or i >= len(lines) or not lines[i].strip()

    def heading(i: int) -> bool:
        line = lines[i].strip()
        return (bool(line) and not RULE.fullmatch(line) and len(line.split()) <= MAX_RULED_HEADING_WORDS
                and not line.endswith((".", ",", ";", ":")) and any(ch.isalpha() for ch in line))

    found = []
    for i, line in enumerate(lines):
        if not RULE.fullmatch(line):
            continue
        if i > 0 and heading(i - 1) and (blank(i - 2) or RULE.fullmatch(lines[i - 2])):
            found.append(i - 1)  # underlined, perhaps overlined too
        elif i + 1 < len(lines) and heading(i + 1) and blank(i - 1) and (blank(i + 2) or RULE.fullmatch(lines[i + 2])):
            found.append(i + 1)  # overlined
    return [(offsets[i] + len(lines[i]) - len(lines[i].lstrip()), lines[i].strip()) for i in sorted(set(found))]


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
