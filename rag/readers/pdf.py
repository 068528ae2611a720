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
# A page with no text layer is sent to OCR when, rendered at OCR_PREVIEW_SCALE (36 dpi), it has
# OCR_MIN_TEXT_ROWS rows with OCR_MIN_ROW_INK pixels darker than OCR_INK_LEVEL or more, short of
# half the page's width (a rule): _prints_text.
OCR_PREVIEW_SCALE = 0.5
OCR_INK_LEVEL = 128
OCR_MIN_ROW_INK = 4
OCR_MIN_TEXT_ROWS = 2
# Margin notes (_without_margin_notes): the body is where lines of at least MARGIN_WIDE_LINE of
# the widest lie, on a page with MARGIN_MIN_WIDE_LINES such lines and one of MARGIN_MIN_BODY_WIDTH
# points or more (a page of prose); a note is narrower than MARGIN_NOTE_WIDTH of the body.
MARGIN_WIDE_LINE = 0.4
MARGIN_MIN_WIDE_LINES = 5
MARGIN_MIN_BODY_WIDTH = 200.0
MARGIN_NOTE_WIDTH = 0.25
MARGIN_TOLERANCE = 2.0
MARGIN_GAP = 8.0  # points between a note and the body line beside it, at least (a space is about 3)


def _page_text(page) -> str:
    textpage = page.get_textpage()
    text = _without_margin_notes(textpage, textpage.get_text_range())
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", _SOFT_HYPHEN_BREAK.sub("", text)).strip()


def _without_margin_notes(textpage, text: str) -> str:
    """The page's text without the notes in its margins ("New feature 2020/02/02" beside a
    LaTeX manual's paragraph, a code listing's line numbers): PDFium reads them into the lines
    they stand beside, cutting sentences in two ("… for displaying text that is New feature
    1996/12/01 … numbered as an equation.").

    PDFium gives the page as runs of text in one font; the runs of a line that follow each other
    closer than MARGIN_GAP are one piece of it. A note is a piece narrower than a quarter of the
    body and wholly left or right of it; the body is where the page's wide pieces (two fifths
    of the widest or more) lie. Pages without enough prose to tell where the body is are left
    as they are, and so is a bullet hanging left of its item."""
    import pypdfium2.raw as pdfium_raw

    pieces = [(piece[0][0], max(run[2] for run in piece), piece)
              for piece in _line_pieces([textpage.get_rect(i) for i in range(textpage.count_rects())])]
    widest = max((right - left for left, right, _ in pieces), default=0.0)
    wide = [(left, right) for left, right, _ in pieces if right - left >= MARGIN_WIDE_LINE * widest]
    if widest < MARGIN_MIN_BODY_WIDTH or len(wide) < MARGIN_MIN_WIDE_LINES:
        return text
    body_left, body_right = min(left for left, _ in wide), max(right for _, right in wide)
    notes = []
    for left, right, piece in pieces:
        if not (left > body_right + MARGIN_TOLERANCE or right < body_left - MARGIN_TOLERANCE):
            continue
        if right - left >= MARGIN_NOTE_WIDTH * (body_right - body_left):
            continue
        for run_left, bottom, run_right, top in piece:
            note = textpage.get_text_bounded(run_left, bottom, run_right, top).strip()
            char = textpage.get_index(run_left + 0.5, (bottom + top) / 2, 1.0, 1.0)
            at = pdfium_raw.FPDFText_GetTextIndexFromCharIndex(textpage, char) if char is not None else -1
            if any(c.isalnum() for c in note) and at >= 0 and text.startswith(note, at):  # where PDFium put it
                notes.append((at, at + len(note)))
    for start, end in sorted(notes, reverse=True):
        line_start = text.rfind("\n", 0, start) + 1
        if not text[line_start:start].strip() and text.startswith("\r\n", end):
            end += 2  # the note was a line of its own
        while start > line_start and text[start - 1] == " ":
            start -= 1
        # "nowa-" / "days": with the note beside it, PDFium did not see the word hyphenated
        # at the line's end (it marks those with U+FFFE, which _page_text joins).
        hyphenated = (text[start - 2 : start - 1].isalpha() and text[start - 1 : start] == "-"
                      and text.startswith("\r\n", end) and text[end + 2 : end + 3].islower())
        text = text[: start - 1] + "\ufffe" + text[end:] if hyphenated else text[:start] + text[end:]
    return text


def _line_pieces(runs: list[tuple[float, float, float, float]]) -> list[list[tuple[float, float, float, float]]]:
    """Runs of text (left, bottom, right, top) grouped into lines (their middles within half a
    line's height), and each line cut where a gap of MARGIN_GAP or more separates its runs."""
    pieces: list[list] = []
    line: list = []
    for run in sorted(runs, key=lambda r: -(r[1] + r[3]) / 2):
        middle, height = (run[1] + run[3]) / 2, run[3] - run[1]
        if line and abs(middle - (line[0][1] + line[0][3]) / 2) > 0.5 * max(height, line[0][3] - line[0][1]):
            pieces += _cut_at_gaps(line)
            line = []
        line.append(run)
    return pieces + _cut_at_gaps(line) if line else pieces


def _cut_at_gaps(line: list) -> list[list]:
    pieces: list[list] = []
    for run in sorted(line):
        if pieces and run[0] - max(r[2] for r in pieces[-1]) < MARGIN_GAP:
            pieces[-1].append(run)
        else:
            pieces.append([run])
    return pieces


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
        notes: list[str] = []
        pages = _without_running_lines(_ocr_blank_pages(pdf, [_page_text(page) for page in pdf], limits, notes))
        text, page_starts = "", []
        for page_text in pages:
            if text:
                text += " " if _runs_on(text, page_text) else "\n\n"
            page_starts.append(len(text))
            text += page_text
        if not text.strip():
            raise UnreadableDocument(f"no text in its {len(pdf)} pages, by their text layer or by OCR")
        title = (pdf.get_metadata_dict().get("Title") or "").strip() or first_line(text)
        return ExtractedText(text, title[:200], page_starts=page_starts, notes=notes)
    finally:
        pdf.close()


def _ocr_blank_pages(pdf, pages: list[str], limits: ReadLimits, notes: list[str]) -> list[str]:
    """The pages' texts with those that have no text layer (scanned pages) read by OCR.

    Without Tesseract a PDF that is all scans is refused saying how to install it; a PDF
    with some text keeps it, its scanned pages left empty, and ``notes`` says so."""
    blank = [i for i, text in enumerate(pages) if not text]
    printed = [i for i in blank if _prints_text(pdf[i])]
    if not printed:
        return pages
    if not ocr.ocr_available():
        if len(blank) == len(pages):
            raise UnreadableDocument(ocr.ocr_missing_reason(f"no text layer in its {len(pages)} pages (a scanned PDF)"))
        notes.append(f"{len(printed)} of {len(pages)} pages {'is a scan' if len(printed) == 1 else 'are scans'} "
                     "without a text layer, not read: `make ocr` installs Tesseract to read them")
        return pages
    ocr.check_page_count(len(printed), limits)
    pages = list(pages)
    for i in printed:
        page = pdf[i]
        width, height = page.get_size()
        scale = min(ocr.DPI / 72, ocr.MAX_SIDE_PIXELS / max(width, height, 1))
        pages[i] = _CONTROL.sub("", ocr.ocr_png(ocr.png_of(page.render(scale=scale).to_pil())))
    return pages


def _prints_text(page) -> bool:
    """Whether a page without a text layer shows anything OCR could read: at 36 dpi, rows of
    dark pixels that are not a rule across the page. A blank page, or one that prints only a
    rule or a box's border (Debian's live-manual PDF draws 42 of its 64 pages in fonts that
    neither PDFium nor its renderer can read), is not sent to OCR, which took most of a second
    a page to find nothing. A few milliseconds a page."""
    import numpy as np

    dark = np.asarray(page.render(scale=OCR_PREVIEW_SCALE, grayscale=True).to_pil().convert("L")) < OCR_INK_LEVEL
    per_row = dark.sum(axis=1)
    text_rows = (per_row >= OCR_MIN_ROW_INK) & (per_row < 0.5 * dark.shape[1])
    return int(text_rows.sum()) >= OCR_MIN_TEXT_ROWS


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
