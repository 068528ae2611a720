"""PDF through pypdfium2 (PDFium, the engine inside Chrome): fast, exact and offline.

Pages are joined with a blank line; ``page_starts`` records where each begins, so a
citation knows its page. PDFium marks a word hyphenated at a line end with U+FFFE; the
hyphen and line break are removed so the word reads whole ("cur-\\nrently" -> "currently").

Running headers and footers (a line at the top or bottom of many pages, numbers aside:
"10 3. DISPLAYED EQUATIONS", "Page 4 of 9") are dropped, and a sentence that runs on to the
next page (no full stop at the bottom, a lower-case word at the top) is joined with a
space, so it is cited whole rather than as two fragments with a header between them.
"""

from __future__ import annotations

import re
from collections import Counter

from rag.readers.base import ExtractedText, UnreadableDocument, first_line
from rag.text import ends_statement

_SOFT_HYPHEN_BREAK = re.compile("\ufffe[ \t]*\n?")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# A running header or footer: a short line (numbers aside) at the top or bottom of this
# many pages at least. Not a share of all pages: a book's header names its chapter, which
# spans a few pages of many.
RUNNING_MIN_PAGES = 3
RUNNING_MAX_WORDS = 12
_DIGITS = re.compile(r"\d+")


def _page_text(page) -> str:
    text = page.get_textpage().get_text_range()
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", _SOFT_HYPHEN_BREAK.sub("", text)).strip()


def read_pdf(raw: bytes) -> ExtractedText:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(raw)
    except pdfium.PdfiumError as exc:
        message = str(exc).lower()
        if "password" in message:
            raise UnreadableDocument("encrypted PDF: save a copy without a password") from None
        raise UnreadableDocument(f"corrupt or unreadable PDF ({exc})") from None
    try:
        pages = _without_running_lines([_page_text(page) for page in pdf])
        text, page_starts = "", []
        for page_text in pages:
            if text:
                text += " " if _runs_on(text, page_text) else "\n\n"
            page_starts.append(len(text))
            text += page_text
        if not text.strip():
            raise UnreadableDocument(
                f"no text layer in its {len(pdf)} pages (a scanned PDF?): OCR is not supported"
            )
        title = (pdf.get_metadata_dict().get("Title") or "").strip() or first_line(text)
        return ExtractedText(text, title[:200], page_starts=page_starts)
    finally:
        pdf.close()


def _shape(line: str) -> str:
    return _DIGITS.sub("#", " ".join(line.lower().split()))


def _without_running_lines(pages: list[str]) -> list[str]:
    """The pages without the lines repeated at their top or bottom (two at most each)."""
    if len(pages) < RUNNING_MIN_PAGES:
        return pages
    lines = [page.split("\n") if page else [] for page in pages]
    edges: Counter = Counter()
    for page in lines:
        edges.update({_shape(line) for line in page[:2] + page[-2:]})
    running = {
        shape for shape, count in edges.items()
        if count >= RUNNING_MIN_PAGES and shape and len(shape.split()) <= RUNNING_MAX_WORDS
    }
    out = []
    for page in lines:
        for _ in range(2):
            if page and _shape(page[0]) in running:
                page = page[1:]
            if page and _shape(page[-1]) in running:
                page = page[:-1]
        out.append("\n".join(page).strip())
    return out


def _runs_on(before: str, page_text: str) -> bool:
    """Whether the text before a page break stops mid-sentence and the page goes on with it."""
    return not ends_statement(before) and page_text[:1].islower()
