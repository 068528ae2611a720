"""Scans: images and PDF pages without a text layer, read by Tesseract OCR (Debian's
``tesseract-ocr`` with ``tesseract-ocr-eng``; ``make ocr`` installs them).

Tesseract runs as its own program (``tesseract stdin stdout -l eng``), one page at a time:
no Python binding to build, and the reader process's budget covers it. A page is rendered
at 300 dpi (PDFium for PDFs; Pillow for images, a multi-page TIFF page by page). Without
Tesseract a scan is refused saying how to install it; nothing else needs it.

>>> ocr_missing_reason("a scanned PDF")[:40]
'a scanned PDF: reading it needs Tesserac'
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess

from rag.readers.base import DEFAULT_LIMITS, ExtractedText, ReadLimits, UnreadableDocument, first_line

DPI = 300
MAX_SIDE_PIXELS = 5000  # a poster-sized page is scaled down to this, not rendered at 300 dpi
PAGE_SECONDS = 60  # one page's OCR; the file's whole budget is ReadLimits.read_seconds


def ocr_available() -> bool:
    return shutil.which("tesseract") is not None


def ocr_missing_reason(what: str) -> str:
    return (f"{what}: reading it needs Tesseract OCR, which is not installed; run `make ocr` "
            "(Debian: apt-get install tesseract-ocr tesseract-ocr-eng) and ingest again")


def check_page_count(pages: int, limits: ReadLimits) -> None:
    if pages > limits.ocr_max_pages:
        raise UnreadableDocument(
            f"its {pages:,} scanned pages are over the OCR limit of {limits.ocr_max_pages:,} pages "
            "(RAG_OCR_MAX_PAGES): split it into parts"
        )


def ocr_png(png: bytes) -> str:
    """The text Tesseract reads in one page image (PNG bytes)."""
    try:
        # One OpenMP thread: with its default (a thread a core) Tesseract took 17-19 s a page
        # here instead of 2.9 s, its threads spinning against each other (bench/ocr.py).
        done = subprocess.run(["tesseract", "stdin", "stdout", "-l", "eng"], input=png, capture_output=True,
                              timeout=PAGE_SECONDS, check=False, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    except subprocess.TimeoutExpired:
        raise UnreadableDocument(f"OCR of one page took over {PAGE_SECONDS} s: is it a page of text?") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UnreadableDocument(f"OCR failed ({message[-1] if message else f'exit {done.returncode}'})")
    return _tidy(done.stdout.decode("utf-8", "replace"))


def _tidy(text: str) -> str:
    """Tesseract's lines, with the form feed it ends a page with and runs of blank lines removed."""
    lines = [line.rstrip() for line in text.replace("\f", "").split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def png_of(image) -> bytes:
    """A Pillow image as PNG bytes, scaled down if a side is over ``MAX_SIDE_PIXELS``."""
    scale = min(1.0, MAX_SIDE_PIXELS / max(image.size))
    if scale < 1.0:
        image = image.resize((max(1, int(image.width * scale)), max(1, int(image.height * scale))))
    if image.mode not in ("1", "L", "RGB"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def join_pages(pages: list[str]) -> tuple[str, list[int]]:
    """The pages' texts joined by a blank line, and where each begins."""
    text, starts = "", []
    for page in pages:
        if text:
            text += "\n\n"
        starts.append(len(text))
        text += page
    return text, starts


def read_image(raw: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> ExtractedText:
    """A scanned page or a screenshot (PNG, JPEG, TIFF, WebP, BMP, GIF; a multi-page TIFF is one
    page a frame, and so is an animated picture's) through OCR."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(raw))
        frames = getattr(image, "n_frames", 1)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise UnreadableDocument(f"not a readable image ({exc})") from None
    if not ocr_available():
        raise UnreadableDocument(ocr_missing_reason("an image"))
    check_page_count(frames, limits)
    pages = [ocr_png(png_of(frame.copy())) for frame in ImageSequence.Iterator(image)]
    text, starts = join_pages(pages)
    if not text.strip():
        raise UnreadableDocument("OCR found no text in this image")
    return ExtractedText(text, first_line(text), page_starts=starts)
