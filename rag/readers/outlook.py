"""Outlook's own message files (``.msg``): an OLE compound file of MAPI properties
(Microsoft's [MS-OXMSG]), read with olefile (BSD-2, pure Python).

Each message is made into the standard library's ``EmailMessage`` (its sender, recipients,
subject, date, text or HTML body, attachments, and attached Outlook messages as forwarded
ones) and read by the e-mail reader, so an ``.msg`` file reads as the same message saved as
``.eml`` would: one header line that says who wrote to whom and when, quotes cited as quoted,
attached documents read. The one reader of ``.msg`` files on PyPI, extract-msg, is GPL-3.
"""

from __future__ import annotations

import codecs
import email
import email.policy
import struct
from datetime import datetime, timedelta, timezone
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from rag.readers.base import DEFAULT_LIMITS, ExtractedText, ReadLimits, clean_line, compound_file
from rag.readers.mail import read_message

# MAPI property ids ([MS-OXPROPS]) and types, as the stream names spell them.
SUBJECT, SENDER_NAME, SENDER_EMAIL, SENDER_SMTP = 0x0037, 0x0C1A, 0x0C1F, 0x5D01
DISPLAY_TO, DISPLAY_CC, BODY, HTML = 0x0E04, 0x0E03, 0x1000, 0x1013
TRANSPORT_HEADERS, SUBMIT_TIME, DELIVERY_TIME = 0x007D, 0x0039, 0x0E06
MESSAGE_CODEPAGE, INTERNET_CODEPAGE = 0x3FFD, 0x3FDE
RECIPIENT_NAME, RECIPIENT_EMAIL, RECIPIENT_SMTP, RECIPIENT_TYPE = 0x3001, 0x3003, 0x39FE, 0x0C15
ATTACH_LONG_NAME, ATTACH_NAME, ATTACH_DATA, ATTACH_MIME = 0x3707, 0x3704, 0x3701, 0x370E
UNICODE, STRING8, BINARY, EMBEDDED = "001F", "001E", "0102", "000D"
_RECIPIENT_HEADERS = {1: "To", 2: "Cc"}  # 3, Bcc, is not shown to the other recipients
# The fixed-size properties stream opens with a header this long, before its 16-byte entries.
_PROPERTIES_HEADER = {"message": 32, "embedded": 24, "other": 8}
# Attached Outlook messages inside attached messages are read this deep (as mail's MAX_DEPTH).
MAX_EMBEDDED = 3
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=timezone.utc)


def read_msg(raw: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> ExtractedText:
    with compound_file(raw, "an Outlook .msg file", "__properties_version1.0") as ole:
        message = _Message(ole, "", "message").email(0)
    return read_message(message, limits)


class _Message:
    """The properties of one storage of the file: the message, an attachment, a recipient, or
    an attached message, under ``prefix``."""

    def __init__(self, ole, prefix: str, kind: str, encodings: tuple[str, ...] = ("cp1252",)):
        self.ole, self.prefix = ole, prefix
        self.fixed = _fixed_properties(ole, prefix + "__properties_version1.0", _PROPERTIES_HEADER[kind])
        # Strings stored in a code page: the storage's own, else its internet one, else the
        # message's (a recipient's name is stored in its message's), else Windows-1252. Tried
        # in turn: test files of Apache POI declare one code page and store another.
        own = tuple(_encoding(int.from_bytes(self.fixed[prop][:4], "little"))
                    for prop in (MESSAGE_CODEPAGE, INTERNET_CODEPAGE) if prop in self.fixed)
        self.encodings = own + tuple(e for e in encodings if e not in own)

    def child(self, prefix: str, kind: str) -> "_Message":
        return _Message(self.ole, prefix, kind, self.encodings)

    def stream(self, prop: int, kind: str) -> bytes | None:
        name = f"{self.prefix}__substg1.0_{prop:04X}{kind}"
        return self.ole.openstream(name).read() if self.ole.exists(name) else None

    def text(self, prop: int) -> str:
        """A string property, stored in UTF-16 or in the message's code page."""
        value = self.stream(prop, UNICODE)
        if value is not None:
            return value.decode("utf-16-le", "replace").rstrip("\x00")
        value = self.stream(prop, STRING8)
        return self.decode(value).rstrip("\x00") if value is not None else ""

    def decode(self, value: bytes) -> str:
        for encoding in self.encodings:
            try:
                return value.decode(encoding)
            except UnicodeDecodeError:
                continue
        return value.decode("cp1252", "replace")

    def storages(self, kind: str) -> list[str]:
        """The sub-storages of this one named ``kind`` ("__recip_version1.0_", "__attach_version1.0_")."""
        depth = self.prefix.count("/")
        found = {entry[depth] for entry in self.ole.listdir(streams=True, storages=True)
                 if len(entry) > depth and "/".join(entry[:depth]) + ("/" if depth else "") == self.prefix
                 and entry[depth].startswith(kind)}
        return [f"{self.prefix}{name}/" for name in sorted(found)]

    def email(self, depth: int) -> EmailMessage:
        message = EmailMessage()
        headers = _transport_headers(self.text(TRANSPORT_HEADERS))
        sender = self._sender()
        for name, value in (("From", [sender] if sender else headers.get("from", "")), *self._recipients(headers),
                            ("Subject", clean_line(self.text(SUBJECT))), ("Date", self._date() or headers.get("date", ""))):
            if value:
                _set_header(message, name, value)
        body, html = self.text(BODY), self._html()
        if not body.strip() and html:
            message.set_content(html, subtype="html")
        else:  # a message without text still has a body, however empty: the mail reader reads one
            message.set_content(body.replace("\r\n", "\n"))
        for prefix in self.storages("__attach_version1.0_"):
            self._attach(message, self.child(prefix, "other"), depth)
        return message

    def _sender(self) -> Address | None:
        name = clean_line(self.text(SENDER_NAME))
        address = next((a for a in (self.text(SENDER_SMTP), self.text(SENDER_EMAIL)) if "@" in a), "")
        return _address(name, address)

    def _recipients(self, headers: dict[str, str]) -> list[tuple[str, list[Address] | str]]:
        """To and Cc from the recipient storages (names and SMTP addresses), else from the
        display lines ("'Ashutosh Dandavate'; 'Paul Holmes-Higgin'") or the transport headers."""
        listed: dict[str, list[Address | None]] = {"To": [], "Cc": []}
        for prefix in self.storages("__recip_version1.0_"):
            recipient = self.child(prefix, "other")
            kind = recipient.fixed.get(RECIPIENT_TYPE)
            header = _RECIPIENT_HEADERS.get(int.from_bytes(kind[:4], "little") if kind else 1)
            if header:
                address = next((a for a in (recipient.text(RECIPIENT_SMTP), recipient.text(RECIPIENT_EMAIL)) if "@" in a), "")
                listed[header].append(_address(clean_line(recipient.text(RECIPIENT_NAME)), address))
        out: list[tuple[str, list[Address] | str]] = []
        for header, prop in (("To", DISPLAY_TO), ("Cc", DISPLAY_CC)):
            addresses = [a for a in listed[header] if a is not None]
            if not addresses:
                addresses = [a for a in (_address(n.strip(" '\""), "") for n in self.text(prop).split(";")) if a is not None]
            out.append((header, addresses or headers.get(header.lower(), "")))
        return out

    def _date(self) -> str:
        for prop in (SUBMIT_TIME, DELIVERY_TIME):
            value = self.fixed.get(prop)
            if value:
                ticks = int.from_bytes(value, "little")  # FILETIME: 100 ns since 1601
                try:
                    return format_datetime(_FILETIME_EPOCH + timedelta(microseconds=ticks // 10))
                except (OverflowError, ValueError):
                    continue
        return ""

    def _html(self) -> str:
        value = self.stream(HTML, BINARY)
        if value is not None:
            return value.decode("utf-8") if value[:3] == b"\xef\xbb\xbf" else self.decode(value)
        return self.text(HTML)

    def _attach(self, message: EmailMessage, attachment: "_Message", depth: int) -> None:
        name = clean_line(attachment.text(ATTACH_LONG_NAME) or attachment.text(ATTACH_NAME)) or "attachment"
        embedded = f"{attachment.prefix}__substg1.0_{ATTACH_DATA:04X}{EMBEDDED}/"
        if self.ole.exists(embedded.rstrip("/")):
            if depth < MAX_EMBEDDED:  # an Outlook message attached: read as a forwarded one
                message.add_attachment(self.child(embedded, "embedded").email(depth + 1))
            return
        data = attachment.stream(ATTACH_DATA, BINARY)
        if data is not None and name.lower().endswith(".eml"):  # a message saved as a file, attached
            message.add_attachment(email.message_from_bytes(data, policy=email.policy.default))
        elif data is not None:
            maintype, _, subtype = (clean_line(attachment.text(ATTACH_MIME)) or "application/octet-stream").partition("/")
            message.add_attachment(data, maintype=maintype or "application", subtype=subtype or "octet-stream", filename=name)


def _fixed_properties(ole, stream: str, header: int) -> dict[int, bytes]:
    """The fixed-size properties (numbers, times) of a storage: id -> their 8 value bytes."""
    if not ole.exists(stream):
        return {}
    data = ole.openstream(stream).read()
    found = {}
    for offset in range(header, len(data) - 15, 16):
        _, prop, _, value = struct.unpack_from("<HHI8s", data, offset)
        found[prop] = value
    return found


def _transport_headers(text: str) -> dict[str, str]:
    """The internet headers a received message kept (From, To, Cc, Date), lower-cased names."""
    if not text.strip():
        return {}
    from email.parser import HeaderParser

    parsed = HeaderParser().parsestr(text)
    return {name.lower(): clean_line(str(parsed[name])) for name in ("From", "To", "Cc", "Date") if parsed[name]}


def _address(name: str, address: str) -> Address | None:
    """A sender or recipient: a name and an SMTP address, or a name alone (Exchange's own
    addresses, "/O=ORG/OU=…", say nothing to a reader)."""
    name = name.strip(" '\"")
    if address:
        try:  # "bubba@bubbasmith.com <bubba@bubbasmith.com>" says it once
            return Address(display_name="" if name.lower() == address.lower() else name, addr_spec=address)
        except (ValueError, IndexError, HeaderParseError):
            name = name or address
    return Address(display_name=name) if name else None


def _set_header(message: EmailMessage, name: str, value: list[Address] | str) -> None:
    try:
        message[name] = value
    except (ValueError, TypeError, IndexError, HeaderParseError):  # a value the parser cannot take: kept as words
        message[name] = clean_line(str(value).replace(",", " ").replace(";", " "))


def _encoding(codepage: int) -> str:
    """Python's codec for a Windows code page (1252, 1251, 65001 …), else Windows-1252."""
    for name in ({65001: "utf-8", 20127: "ascii", 28591: "latin-1"}.get(codepage, f"cp{codepage}"),
                 f"iso8859-{codepage - 28590}"):
        try:
            return codecs.lookup(name).name
        except LookupError:
            continue
    return "cp1252"
