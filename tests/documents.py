"""Small real documents of every supported format, written by the tests themselves.

PDFs come from fpdf2, Word files from python-docx: the same libraries people's tools use,
so the readers meet the structures real files have (pages, styles, zip packages).
"""

from __future__ import annotations

import io
import zipfile
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


def scan_image(lines: list[str]):
    """A page as a scanner sees it: black text drawn on a white 200-dpi A4-sized image (Pillow's
    own font, so no system font is needed)."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (1650, 2340), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=44)
    for i, line in enumerate(lines):
        draw.text((140, 200 + 80 * i), line, fill=0, font=font)
    return image


SCAN_PAGES = [["Minutes of the harbour board, 3 May.", "The harbour master is Odile Fairweather."],
              ["She ordered two tugboats for four million euros."]]


def scanned_text_pdf_bytes(pages: list[list[str]] = SCAN_PAGES) -> bytes:
    """A PDF of page images with no text layer: what a scanner without OCR makes."""
    from fpdf import FPDF

    pdf = FPDF()
    for lines in pages:
        pdf.add_page()
        picture = io.BytesIO()
        scan_image(lines).save(picture, format="PNG")
        picture.seek(0)
        pdf.image(picture, x=0, y=0, w=210)
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


def pptx_bytes() -> bytes:
    """Three slides: a title slide, a bulleted slide with speaker notes, a table."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    deck.core_properties.title = "Ferry service review"
    slide = deck.slides.add_slide(deck.slide_layouts[0])
    slide.shapes.title.text = "Ferry service review"
    slide.placeholders[1].text = "Prepared for the island council."
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "Findings"
    slide.placeholders[1].text = "The morning ferry was late on eleven days in March.\nThe new captain is Ines Abernathy."
    slide.notes_slide.notes_text_frame.text = "Mention that the engine was repaired in April."
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = "Fares"
    table = slide.shapes.add_table(2, 2, Inches(1), Inches(2), Inches(6), Inches(1)).table
    for col, (head, value) in enumerate([("Ticket", "Return"), ("Price", "fourteen euros")]):
        table.cell(0, col).text, table.cell(1, col).text = head, value
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    """Two sheets, each with a header row."""
    import openpyxl

    book = openpyxl.Workbook()
    staff = book.active
    staff.title = "Keepers"
    staff.append(["Lighthouse", "Keeper", "Since"])
    staff.append(["Black Rock", "Tamsin Okonkwo", 2019])
    staff.append(["Gull Point", "Piers Halloran", 2008])
    ships = book.create_sheet("Boats")
    ships.append(["Boat", "Home port"])
    ships.append(["Marigold", "Dunmore"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


CSV_TEXT = "Species,Nesting site,Pairs counted\nPuffin,North cliffs,312\nRazorbill,Seal cove,87\n"


def epub_bytes() -> bytes:
    """A two-chapter EPUB 3: container, package file with its spine, two XHTML chapters."""
    chapter = ('<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>{t}</title>'
               "</head><body><h1>{t}</h1><p>{p}</p></body></html>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/epub+zip")
        z.writestr("META-INF/container.xml", '<?xml version="1.0"?><container version="1.0" '
                   'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile '
                   'full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>')
        z.writestr("OEBPS/content.opf", '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
                   '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>The Salt Road</dc:title></metadata>'
                   '<manifest><item id="c2" href="text/two.xhtml" media-type="application/xhtml+xml"/>'
                   '<item id="c1" href="text/one.xhtml" media-type="application/xhtml+xml"/></manifest>'
                   '<spine><itemref idref="c1"/><itemref idref="c2"/></spine></package>')
        z.writestr("OEBPS/text/one.xhtml", chapter.format(t="Departure", p="The caravan left Tessaly at dawn with forty camels."))
        z.writestr("OEBPS/text/two.xhtml", chapter.format(t="Arrival", p="The caravan reached the salt lake after nineteen days."))
    return out.getvalue()


def odt_bytes() -> bytes:
    """An OpenDocument text: a heading, a paragraph, a table."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" office:version="1.3"><office:body><office:text>'
        '<text:h text:outline-level="1">Choir rehearsals</text:h>'
        '<text:p>Rehearsals move to the old library on Thursday evenings.</text:p>'
        '<table:table><table:table-row><table:table-cell><text:p>Conductor</text:p></table:table-cell>'
        '<table:table-cell><text:p>Bronwen Achterberg</text:p></table:table-cell></table:table-row></table:table>'
        '</office:text></office:body></office:document-content>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", content)
    return out.getvalue()


def write_formats(folder: Path) -> Path:
    """One document of each format in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "harbour.pdf").write_bytes(pdf_bytes())
    (folder / "orchard.docx").write_bytes(docx_bytes())
    (folder / "glacier.html").write_text(HTML_PAGE, encoding="utf-8")
    (folder / "bees.md").write_text(MARKDOWN, encoding="utf-8")
    (folder / "ferry.pptx").write_bytes(pptx_bytes())
    (folder / "keepers.xlsx").write_bytes(xlsx_bytes())
    (folder / "seabirds.csv").write_text(CSV_TEXT, encoding="utf-8")
    (folder / "salt-road.epub").write_bytes(epub_bytes())
    (folder / "choir.odt").write_bytes(odt_bytes())
    return folder
