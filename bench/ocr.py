"""OCR on real pages: Debian's LaTeX manuals rendered to images, read back by Tesseract.

    .venv/bin/python bench/ocr.py [--pdfs 4] [--pages 3]

Each page of a real PDF (texlive-latex-base-doc, fetched with apt by bench/debian_corpus.py)
is rendered at 300 dpi and put in a PDF of images only, as a scanner makes it; the engine's
reader OCRs it (rag/readers/ocr.py). Figures: word recall (the share of the text layer's
words, as a multiset of lower-cased words, that the OCR text holds), seconds per page, and
reading the original's text layer as the floor, in the same run.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import statistics
import sys
import time
from collections import Counter

from common import ROOT
from debian_corpus import fetch

sys.path.insert(0, str(ROOT))

from rag.readers import read_document  # noqa: E402

WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> Counter:
    return Counter(WORD.findall(text.lower()))


def scan_of(page) -> bytes:
    """A one-page PDF holding the page as a 300-dpi image and no text."""
    from fpdf import FPDF

    width, height = page.get_size()
    picture = io.BytesIO()
    page.render(scale=300 / 72).to_pil().convert("L").save(picture, format="PNG")
    picture.seek(0)
    pdf = FPDF(unit="pt", format=(width, height))
    pdf.add_page()
    pdf.image(picture, x=0, y=0, w=width, h=height)
    return bytes(pdf.output())


def main() -> None:
    import pypdfium2 as pdfium

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pdfs", type=int, default=4)
    parser.add_argument("--pages", type=int, default=3, help="from each PDF, its first pages with text")
    args = parser.parse_args()
    extract = fetch(("texlive-latex-base-doc",))
    pdfs = sorted(p for p in extract.rglob("*.pdf") if p.stat().st_size > 50_000)[: args.pdfs]
    rows = []
    for path in pdfs:
        original = pdfium.PdfDocument(path.read_bytes())
        done = 0
        for number in range(len(original)):
            if done == args.pages:
                break
            page = original[number]
            started = time.perf_counter()
            layer = read_document("page.pdf", _single_page(original, number)).text
            floor = time.perf_counter() - started
            if len(WORD.findall(layer)) < 50:
                continue  # a title page or a blank one
            scan = scan_of(page)
            started = time.perf_counter()
            ocr = read_document("scan.pdf", scan).text
            seconds = time.perf_counter() - started
            truth, found = words(layer), words(ocr)
            recall = sum((truth & found).values()) / sum(truth.values())
            rows.append({"pdf": path.name, "page": number + 1, "words": sum(truth.values()), "recall": round(recall, 3),
                         "ocr_s": round(seconds, 2), "text_layer_s": round(floor, 3)})
            print(json.dumps(rows[-1]), flush=True)
            done += 1
    print(f"pages {len(rows)}; word recall median {statistics.median(r['recall'] for r in rows):.3f}, "
          f"min {min(r['recall'] for r in rows):.3f}; OCR {statistics.median(r['ocr_s'] for r in rows):.2f} s a page "
          f"(median), the text layer {statistics.median(r['text_layer_s'] for r in rows):.3f} s: "
          f"{statistics.median(r['ocr_s'] for r in rows) / statistics.median(r['text_layer_s'] for r in rows):.0f}x")


def _single_page(pdf, number: int) -> bytes:
    import pypdfium2 as pdfium

    one = pdfium.PdfDocument.new()
    one.import_pages(pdf, [number])
    out = io.BytesIO()
    one.save(out)
    return out.getvalue()


if __name__ == "__main__":
    main()
