"""PDF through pypdfium2 (PDFium, the engine inside Chrome): fast, exact and offline.

Pages are joined with a blank line; ``page_starts`` records where each begins, so a
citation knows its page. PDFium marks a word hyphenated at a line end with U+FFFE; the
hyphen and line break are removed so the word reads whole ("cur-\\nrently" -> "currently").
"""

from __future__ import annotations

import re

from rag.readers.base import ExtractedText, UnreadableDocument, first_line

_SOFT_HYPHEN_BREAK = re.compile("\ufffe[ \t]*\n?")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


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
        parts, page_starts, offset = [], [], 0
        for page in pdf:
            page_starts.append(offset)
            text = _page_text(page)
            parts.append(text)
            offset += len(text) + 2  # the "\n\n" that joins pages
        text = "\n\n".join(parts)
        if not text.strip():
            raise UnreadableDocument(
                f"no text layer in its {len(pdf)} pages (a scanned PDF?): OCR is not supported"
            )
        title = (pdf.get_metadata_dict().get("Title") or "").strip() or first_line(text)
        return ExtractedText(text, title[:200], page_starts=page_starts)
    finally:
        pdf.close()
