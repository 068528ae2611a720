"""Rich Text Format (``.rtf``): what WordPad and macOS's TextEdit save by default, and the help
files of Mac and GNUstep programs, read with striprtf (BSD-3, pure Python).

Each paragraph is a line, and paragraphs between empty ones a block (lines an author broke by
hand are joined again as a wrapped text file's are); a table's rows (striprtf ends each cell with "|") are read with
their header's labels, as a sheet's; pictures, fonts, colours and the document's properties
are left out but its title. RTF has no headings of its own (a heading is a paragraph in a
bigger font): a short paragraph alone between empty ones that does not end as a sentence is
taken for one, and is the section of what follows.
"""

from __future__ import annotations

import re

from rag.readers.base import DEFAULT_LIMITS, ExtractedText, ReadLimits, TextBuilder, UnreadableDocument, clean_line, first_line
from rag.readers.tables import table_lines
from rag.text import is_code_line, is_data_line

# The document's title, in its information group: {\info{\title Annual report}…}.
_TITLE = re.compile(r"\{\\title\s+((?:[^{}\\]|\\.)*)\}")
# A paragraph alone between empty ones, of at most this many words and not ending as a sentence,
# is a heading: RTF marks headings only by their font.
MAX_HEADING_WORDS = 10
# Pictures an .rtfd bundle shows, named where they stand: "Recycler.tiff RecyclerFull.tiff".
_PICTURES = re.compile(r"(?:[\w.-]+\.(?:tiff?|png|jpe?g|gif|eps|bmp)\s*)+", re.I)
_ROW = re.compile(r"^[^|\n]*\|(?:[^|\n]*\|)+$")  # "Name|Age|" as striprtf writes a table row


def _heading(line: str) -> bool:
    """A paragraph alone between empty ones, short and not a sentence: "The Recycler", "Using Run"."""
    return (len(line.split()) <= MAX_HEADING_WORDS and not line.endswith((".", ",", ";", ":", "?", "!", ")"))
            and not is_data_line(line) and not is_code_line(line))  # 's.sendMsg("/n_set", 3000) // change loop


def read_rtf(raw: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> ExtractedText:
    from striprtf.striprtf import rtf_to_text

    if raw.lstrip()[:5] != b"{\\rtf":
        raise UnreadableDocument("not an RTF file (it does not begin with {\\rtf)")
    try:
        source = raw.decode("utf-8")
    except UnicodeDecodeError:  # RTF is 7-bit text; a byte above 127 is most likely Latin-1
        source = raw.decode("latin-1")
    try:
        text = rtf_to_text(source, errors="replace")
    except (ValueError, TypeError, IndexError, LookupError, OverflowError) as exc:  # a \uc or \bin without its number …
        raise UnreadableDocument(f"a damaged RTF file ({type(exc).__name__}: {exc})") from None
    out = TextBuilder()
    rows: list[str] = []  # a table's lines, "cell|cell|"
    block: list[str] = []

    def end_block() -> None:  # lines broken by hand within a block are joined as wrapped (rag.text)
        if len(block) == 1 and _heading(block[0]):
            out.section(block[0])
        out.add("\n".join(block))
        block.clear()

    for line in [*text.replace("\r", "\n").split("\n"), ""]:
        line = clean_line(line.replace("\ufffc", ""))  # the mark a picture left
        if _PICTURES.fullmatch(line):
            line = ""  # a picture's file name where it stands ("Recycler.tiff"): not text
        if _ROW.match(line):
            rows.append(line)
            continue
        if len(rows) == 1:  # one line with bars is a line of text (of code: "x = { | f1=440 |")
            block.append(rows.pop())
        elif rows:
            end_block()  # what came before the table, in its place
            for row in table_lines([[clean_line(cell) for cell in row.split("|")[:-1]] for row in rows]):
                out.add(row)
            rows = []
        if line:
            block.append(line)
        else:  # an empty paragraph ends a block
            end_block()
    body = out.text("no text in this RTF file")
    title = _TITLE.search(source)
    name = clean_line(rtf_to_text("{\\rtf1 " + title.group(1) + "}", errors="replace")) if title else ""
    return ExtractedText(body, (name or first_line(body))[:200], sections=out.sections)
