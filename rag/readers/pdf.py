"""PDF through pypdfium2 (PDFium, the engine inside Chrome): fast, exact and offline.

Pages are joined with a blank line; ``page_starts`` records where each begins, so a
citation knows its page. PDFium marks a word hyphenated at a line end with U+FFFE; the
hyphen and line break are removed so the word reads whole ("cur-\\nrently" -> "currently").

A page with no text layer (a scan) is read by OCR when Tesseract is installed
(``rag.readers.ocr``); its citations carry the page like any other.

Running headers and footers (a line at the top or bottom of many pages, numbers aside:
"10 3. DISPLAYED EQUATIONS", "Page 4 of 9") are dropped, and a sentence that runs on to the
next page (no full stop at the bottom, a lower-case word at the top) is joined with a
space, so it is cited whole rather than as two fragments with a header between them.
"""

from __future__ import annotations

import re
from collections import Counter

from rag.readers.base import DEFAULT_LIMITS, ExtractedText, ReadLimits, UnreadableDocument, first_line
import rag.readers.ocr as ocr
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


def read_pdf(raw: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> ExtractedText:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(raw)
    except pdfium.PdfiumError as exc:
        message = str(exc).lower()
        if "password" in message:
            raise UnreadableDocument("encrypted PDF: save a copy without a password") from None
        raise UnreadableDocument(f"corrupt or unreadable PDF ({exc})") from None
    try:
        pages = _without_running_lines(_ocr_blank_pages(pdf, [_page_text(page) for page in pdf], limits))
        text, page_starts = "", []
        for page_text in pages:
            if text:
                text += " " if _runs_on(text, page_text) else "\n\n"
            page_starts.append(len(text))
            text += page_text
        if not text.strip():
            raise UnreadableDocument(f"no text in its {len(pdf)} pages, by their text layer or by OCR")
        title = (pdf.get_metadata_dict().get("Title") or "").strip() or first_line(text)
        return ExtractedText(text, title[:200], page_starts=page_starts)
    finally:
        pdf.close()


def _ocr_blank_pages(pdf, pages: list[str], limits: ReadLimits) -> list[str]:
    """The pages' texts with those that have no text layer (scanned pages) read by OCR.

    Without Tesseract a PDF that is all scans is refused saying how to install it; a PDF
    with some text keeps it, its scanned pages left empty."""
    blank = [i for i, text in enumerate(pages) if not text]
    if not blank:
        return pages
    if not ocr.ocr_available():
        if len(blank) == len(pages):
            raise UnreadableDocument(ocr.ocr_missing_reason(f"no text layer in its {len(pages)} pages (a scanned PDF)"))
        return pages
    ocr.check_page_count(len(blank), limits)
    pages = list(pages)
    for i in blank:
        page = pdf[i]
        width, height = page.get_size()
        scale = min(ocr.DPI / 72, ocr.MAX_SIDE_PIXELS / max(width, height, 1))
        pages[i] = _CONTROL.sub("", ocr.ocr_png(ocr.png_of(page.render(scale=scale).to_pil())))
    return pages


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
