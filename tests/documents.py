"""Small real documents of every supported format, written by the tests themselves.

PDFs come from fpdf2, Word files from python-docx: the same libraries people's tools use,
so the readers meet the structures real files have (pages, styles, zip packages).
"""

from __future__ import annotations

import io
from pathlib import Path

# One fact per page, so a citation's page can be checked against where the fact was written.
PDF_PAGES = [
    "Harbour report\n\nThe harbour authority met on Monday to review the winter schedule. "
    "Ferries will keep their summer timetable until the end of October.",
    "The new pier, designed by the engineer Marta Quillfeather, opens to cargo ships in March. "
    "It cost the city eleven million euros.",
    "Fishing boats moor at the northern basin. The lighthouse keeper, Tobias Renwick, "
    "reports fog on about forty mornings a year.",
]


def pdf_bytes(pages: list[str] = PDF_PAGES, password: str | None = None) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title("Harbour report")
    pdf.set_font("Helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    if password:
        pdf.set_encryption(owner_password=password + "-owner", user_password=password)
    return bytes(pdf.output())


def scanned_pdf_bytes(pages: int = 2) -> bytes:
    """A PDF whose pages hold only drawings, as a scan without OCR holds only images."""
    from fpdf import FPDF

    pdf = FPDF()
    for _ in range(pages):
        pdf.add_page()
        pdf.rect(20, 20, 100, 60, style="F")
    return bytes(pdf.output())


def docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = "Orchard cooperative minutes"
    document.add_heading("Orchard cooperative minutes", level=1)
    document.add_paragraph("The cooperative gathered in the barn on a rainy Thursday.")
    document.add_heading("Harvest", level=2)
    document.add_paragraph("This year the orchard produced nine tonnes of quinces, a record for the valley.")
    document.add_heading("Treasurer", level=2)
    document.add_paragraph("Ilse Marchbank was elected treasurer of the cooperative for two years.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Crop", "Tonnes"
    table.cell(1, 0).text, table.cell(1, 1).text = "Quinces", "9"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


HTML_PAGE = """<!DOCTYPE html>
<html><head><title>Glacier station notes</title>
<style>body { color: red; }</style><script>var tracking = "glacier cookie banner";</script></head>
<body>
<nav><a href="/">Home</a> | <a href="/about">About the snowmobile club</a></nav>
<header><p>Site header: subscribe to the newsletter</p></header>
<main>
<h1>Glacier station notes</h1>
<p>The research station sits at 2,900 metres on the eastern edge of the glacier.</p>
<h2>Measurements</h2>
<p>The glaciologist Odalys Ferncastle measured a retreat of
   forty-two metres over the last summer.</p>
<ul><li>Snow depth is read every morning.</li><li>Ice cores are stored at minus thirty degrees.</li></ul>
</main>
<footer><p>Copyright the snowmobile club. Cookie policy.</p></footer>
</body></html>
"""

MARKDOWN = """# Beekeeping handbook

Bees need water close to the hive.

## Winter care

In winter the colony clusters around the queen and eats the honey stored in autumn;
a strong colony needs about twenty kilograms of it to survive until spring.

## Swarming

A colony swarms in late spring when the hive becomes crowded.
"""


def write_formats(folder: Path) -> Path:
    """One document of each format in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "harbour.pdf").write_bytes(pdf_bytes())
    (folder / "orchard.docx").write_bytes(docx_bytes())
    (folder / "glacier.html").write_text(HTML_PAGE, encoding="utf-8")
    (folder / "bees.md").write_text(MARKDOWN, encoding="utf-8")
    return folder
