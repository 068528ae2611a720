"""The file formats read as documents, by suffix, and the checks every file passes before its
reader parses it. E-mail (``rag.readers.mail``) reads its attachments through this module,
and ``rag.readers`` adds it to these formats."""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Callable, Mapping

from rag.readers.base import DAMAGED_PACKAGE, DEFAULT_LIMITS, OLE_MAGIC, ExtractedText, ReadLimits, UnreadableDocument, check_package
from rag.readers.docx import read_docx
from rag.readers.html import read_html
from rag.readers.notebook import read_ipynb
from rag.readers.ocr import read_image
from rag.readers.office import read_csv, read_epub, read_pptx, read_xlsx
from rag.readers.office97 import read_doc, read_ppt, read_xls
from rag.readers.opendocument import read_odp, read_ods, read_odt
from rag.readers.pdf import read_pdf
from rag.readers.rst import read_rst
from rag.readers.rtf import read_rtf
from rag.readers.markdown import read_markdown
from rag.readers.text import BINARY_CONTROLS, read_text

Reader = Callable[[bytes, ReadLimits], ExtractedText]

# Each reader: (file bytes, limits) -> ExtractedText, or UnreadableDocument saying why.
FILE_READERS: dict[str, Reader] = {
    ".txt": read_text,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".rst": read_rst,
    ".pdf": read_pdf,
    ".docx": read_docx,
    ".docm": read_docx,
    ".dotx": read_docx,
    ".dotm": read_docx,
    ".doc": read_doc,
    ".rtf": read_rtf,
    ".html": read_html,
    ".htm": read_html,
    ".pptx": read_pptx,
    ".pptm": read_pptx,
    ".ppsx": read_pptx,
    ".ppsm": read_pptx,
    ".potx": read_pptx,
    ".potm": read_pptx,
    ".xlsx": read_xlsx,
    ".xlsm": read_xlsx,
    ".xltx": read_xlsx,
    ".xltm": read_xlsx,
    ".xls": read_xls,
    ".ppt": read_ppt,
    ".csv": read_csv,
    ".ipynb": read_ipynb,
    ".epub": read_epub,
    ".odt": read_odt,
    ".ods": read_ods,
    ".odp": read_odp,
    ".png": read_image,
    ".jpg": read_image,
    ".jpeg": read_image,
    ".tif": read_image,
    ".tiff": read_image,
    ".webp": read_image,
    ".bmp": read_image,
    ".gif": read_image,
}
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".bmp", ".gif"})
# Formats read whole into memory as text: refused past four times the text a document may
# hold before they are decoded.
TEXT_SUFFIXES = (".txt", ".md", ".rst", ".eml", ".mbox", ".doc", ".rtf", ".ipynb")

# Office's packages by family: a document, its macro-enabled kind ("m") and its templates, and
# a deck's slide shows (.ppsx), are the same XML with another main part's type, read alike.
WORD_PACKAGES = (".docx", ".docm", ".dotx", ".dotm")
EXCEL_PACKAGES = (".xlsx", ".xlsm", ".xltx", ".xltm")
POWERPOINT_PACKAGES = (".pptx", ".pptm", ".ppsx", ".ppsm", ".potx", ".potm")
OFFICE_VARIANTS = (*WORD_PACKAGES[1:], *EXCEL_PACKAGES[1:], *POWERPOINT_PACKAGES[1:])
# Formats that are zip packages of XML parts, checked before parsing (what each is, for messages).
ZIP_PACKAGES = {
    **{suffix: f"a Word {suffix} file" for suffix in WORD_PACKAGES},
    **{suffix: f"a PowerPoint {suffix} file" for suffix in POWERPOINT_PACKAGES},
    **{suffix: f"an Excel {suffix} file" for suffix in EXCEL_PACKAGES},
    ".epub": "an EPUB e-book", ".odt": "an OpenDocument .odt file",
    ".ods": "an OpenDocument .ods spreadsheet", ".odp": "an OpenDocument .odp presentation"}
# An Office 97-2003 file saved under a newer name (old files renamed, or saved by a program that
# wrote the old format whatever the name said) is read by its own reader.
_OLD_OFFICE = {**dict.fromkeys(WORD_PACKAGES, ".doc"), **dict.fromkeys(EXCEL_PACKAGES, ".xls"),
               **dict.fromkeys(POWERPOINT_PACKAGES, ".ppt")}


# How much of a file's beginning tells its format when its name does not.
SNIFF_BYTES = 4096
# A header field's name: printable characters but the colon (RFC 5322), "Cr2_Outbound_MailScanner" too.
_HEADER_FIELD = re.compile(rb"([!-9;-~]{1,76}):")
# Fields a message's header block holds besides From: any one of them with From makes it mail.
_MAIL_FIELDS = {b"date", b"message-id", b"received", b"subject", b"to", b"return-path", b"delivered-to",
                b"mime-version", b"x-mailer", b"user-agent"}
_WEB_PAGE = re.compile(rb"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]", re.IGNORECASE | re.DOTALL)


def format_of(name: str, head: bytes, readers: Mapping[str, Reader]) -> str:
    """The suffix of the reader in ``readers`` that reads a file called ``name`` beginning with
    ``head`` (its first ``SNIFF_BYTES``): its own suffix's, else the one its first bytes name
    (``sniffed_suffix``), else ""."""
    suffix = PurePath(name).suffix.lower()
    if suffix in readers:
        return suffix
    sniffed = sniffed_suffix(name, head)
    return sniffed if sniffed in readers else ""


def sniffed_suffix(name: str, head: bytes) -> str:
    r"""The format of a file whose suffix names none, from its first bytes: the messages of a
    Maildir ("1039434711.M12P99.host:2,S"), a mail program's mailbox ("Inbox"), a README. A
    PDF by its signature; a message by its header block (From and one more field a message
    has: Date, Message-ID, Received, Subject …); a mailbox by its "From " line before such a
    block; a web page by its doctype or <html>; and a name without any suffix that holds
    text (UTF-8, or Latin-1 and its kin), not a script ("#!"), as plain text. "" when it is none of them.

    >>> sniffed_suffix("1039434711.M12P99.host:2,S", b"From: Ann <ann@x.org>\nDate: Mon, 2 Dec 2002\n\nHi.")
    '.eml'
    >>> sniffed_suffix("Inbox", b"From ann@x.org Mon Dec  2 10:00:00 2002\nFrom: Ann <ann@x.org>\nSubject: Hi\n\nHi.")
    '.mbox'
    >>> sniffed_suffix("README", b"Aprx is an APRS digipeater."), sniffed_suffix("notes.cfg", b"a = 1")
    ('.txt', '')
    >>> sniffed_suffix("run", b"#!/bin/sh\nexit 0\n"), sniffed_suffix("vq", b"\x00\x01\x02")
    ('', '')
    """
    if head.startswith(b"%PDF-"):
        return ".pdf"
    text = head.removeprefix(b"\xef\xbb\xbf")  # UTF-8's byte-order mark
    if b"\x00" in text[:1024]:
        return ""  # binary, or UTF-16, which a file named without a suffix seldom is
    if text.startswith(b"From ") and _message_header(text.partition(b"\n")[2]):
        return ".mbox"
    if _message_header(text):
        return ".eml"
    if _WEB_PAGE.match(text):
        return ".html"
    if PurePath(name).suffix or text.startswith(b"#!") or not _text(text):
        return ""
    return ".txt"


def _message_header(text: bytes) -> bool:
    """Whether ``text`` opens with an e-mail's header block: field lines (and their folded
    continuations) up to an empty line, From among them and another field of mail."""
    fields = set()
    lines = text.replace(b"\r\n", b"\n").split(b"\n")
    for line in lines[:-1] if len(text) >= SNIFF_BYTES else lines:  # a line the head cuts is not judged
        if not line.strip():
            break
        if line[:1] in (b" ", b"\t") and fields:
            continue  # a field folded onto the next line
        field = _HEADER_FIELD.match(line)
        if field is None:
            return False
        fields.add(field.group(1).lower())
    return b"from" in fields and bool(fields & _MAIL_FIELDS)


def _text(head: bytes) -> bool:
    """Whether a file's first bytes are text: UTF-8, or an older encoding's text of a few letters
    past ASCII (a README in Latin-1, "Hellstr\\xf6m"), with no control characters of binary data."""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3 and len(head) >= SNIFF_BYTES:
            return True  # a character cut at the end
        return not BINARY_CONTROLS.search(head) and sum(byte > 127 for byte in head) <= 0.1 * len(head)
    return True



def read_file(name: str, raw: bytes, limits: ReadLimits = DEFAULT_LIMITS,
              readers: Mapping[str, Reader] = FILE_READERS) -> ExtractedText:
    """The extracted text of a file called ``name``, read by the reader its suffix picks from
    ``readers`` (or, when its suffix names none, its first bytes: ``format_of``), after the
    size and zip checks."""
    suffix = format_of(name, raw[:SNIFF_BYTES], readers) or PurePath(name).suffix.lower()
    if suffix in _OLD_OFFICE and raw.startswith(OLE_MAGIC):
        suffix = _OLD_OFFICE[suffix]
    reader = readers.get(suffix)
    if reader is None:
        raise UnreadableDocument(f"unsupported type {suffix or '(none)'}: only {', '.join(readers)}")
    if suffix in TEXT_SUFFIXES and len(raw) > 4 * limits.max_document_chars:  # refused before decoding it
        raise UnreadableDocument(_too_long(len(raw), "bytes", limits))
    if suffix in ZIP_PACKAGES:
        check_package(raw, ZIP_PACKAGES[suffix], limits)
    try:
        doc = reader(raw, limits)
    except DAMAGED_PACKAGE as exc:
        if suffix not in ZIP_PACKAGES:
            raise
        raise UnreadableDocument(f"a damaged {ZIP_PACKAGES[suffix].split(' ', 1)[1]} ({type(exc).__name__}: {exc})") from None
    if not doc.title:  # "deaths" for deaths.xlsx, whose first sheet is called "arts"
        doc.title = PurePath(name).stem.replace("_", " ")[:200]
    if len(doc.text) > limits.max_document_chars:
        raise UnreadableDocument(_too_long(len(doc.text), "characters of text", limits))
    return doc


def _too_long(size: int, unit: str, limits: ReadLimits) -> str:
    return (f"{size:,} {unit}: over the limit of {limits.max_document_chars:,} characters for one document "
            "(RAG_MAX_DOCUMENT_CHARS); split it into parts")
