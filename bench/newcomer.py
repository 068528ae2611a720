"""A newcomer's uploads, timed: a real 30-page PDF and a 20-page scan of it, added as the chat
adds them (``RAG.add_document``: read, OCR for the scan, embed, store) to an engine over the
seed articles.

    .venv/bin/python bench/newcomer.py

The PDF is the first 30 pages of a LaTeX manual from Debian's texlive-latex-base-doc
(bench/debian_corpus.py fetches it); the scan is its first 20 pages rendered at 300 dpi into
an image-only PDF (bench/ocr.py's ``scan_of``). Time from a fresh clone to a first answer is
measured by hand (docs/measured.md, "A newcomer's pass").
"""

from __future__ import annotations

import io
import shutil
import sys
import tempfile
import time

from common import ROOT
from debian_corpus import fetch
from ocr import scan_of

sys.path.insert(0, str(ROOT))

from rag import RAG  # noqa: E402


def main() -> None:
    import pypdfium2 as pdfium

    extract = fetch(("texlive-latex-base-doc",))
    manual = next(p for p in sorted(extract.rglob("*.pdf")) if 30 <= len(pdfium.PdfDocument(p)) <= 60)
    source = pdfium.PdfDocument(manual)
    thirty = pdfium.PdfDocument.new()
    thirty.import_pages(source, list(range(30)))
    scan = pdfium.PdfDocument.new()
    for i in range(20):
        scan.import_pages(pdfium.PdfDocument(scan_of(source[i])), [0])
    files = {}
    for name, pdf in (("manual-30-pages.pdf", thirty), ("scan-20-pages.pdf", scan)):
        out = io.BytesIO()
        pdf.save(out)
        files[name] = out.getvalue()
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(ROOT / "seeds", f"{tmp}/docs", ignore=shutil.ignore_patterns(".*"))
        engine = RAG(docs_dir=f"{tmp}/docs", index_dir=f"{tmp}/index")
        engine.ingest(show_progress=False)
        engine.ask("Who sent the proposal?")  # warm: models loaded, as in a running chat
        for name, data in files.items():
            started = time.perf_counter()
            report = engine.add_document(name, data)
            print(f"{name} ({manual.name}, {len(data) // 1024:,} KB): {time.perf_counter() - started:.1f} s to upload "
                  f"and index, {report.passages_added} passages")


if __name__ == "__main__":
    main()
