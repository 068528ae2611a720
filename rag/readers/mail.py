"""E-mail: one message (``.eml``) or a mailbox of them (``.mbox``), through the standard
library's ``email`` package.

Each message is a section named after its subject, sender and date, and opens with one line
of its headers, "From: Bob Stayton <bobs@sagehill.net>; To: Daniel Leidert <…>; Subject: …;
Date: …", so "who wrote to whom, and when?" has a sentence that answers it. Then its text
(the plain part, or the HTML part read as a web page), with quoted lines ("> …") unmarked
and set in a section of their own, named after the line that introduces them ("On Tue, Bob
wrote:"), so a quoted sentence is cited as quoted, not as the sender's. In a mailbox, a
quote of an earlier message of the same mailbox is left out: it is read where it was
written. Attachments are named in the message and read as the folder's files are, each a
section; a forwarded message (``message/rfc822``) is read as a message; images and unknown
kinds are only named, and the ingest report says so.
"""

from __future__ import annotations

import email
import email.policy
import functools
import re
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path, PurePath

from rag.readers.base import DEFAULT_LIMITS, ExtractedText, ReadLimits, TextBuilder, UnreadableDocument, clean_line
from rag.readers.formats import FILE_READERS, IMAGE_SUFFIXES, read_file

# In this order, the line ending on the date: a subject that asks ("Lunch?") does not make the
# line a question, and rag.text.is_message_header knows the line by its start.
HEADER_FIELDS = ("From", "To", "Cc", "Subject", "Date")
# The line a mailbox opens each message with (mboxo/mboxrd): "From sender date", at the
# start of the file or after a blank line.
_MBOX_SEPARATOR = re.compile(rb"(?:\A|(?<=\n\n)|(?<=\r\n\r\n))From [^\n]*\n")
# A mailbox larger than this is read in parts of about this size, each a document of its own
# ("Inbox · part 2"): a year of someone's mail is gigabytes, and one document holds at most
# RAG_MAX_DOCUMENT_CHARS of text. Cut between messages; appended mail changes the last part only.
MAILBOX_PART_BYTES = 32_000_000
_SCAN_CHUNK = 1_000_000  # read at a time looking for the next message's start
# A quoted line's marks: "> ", "> > ", "|> ", and Supercite's initials, "BM> ", "Ted> ".
_QUOTE_MARK = re.compile(r"^(?:[ \t]*(?:[A-Za-z]{1,8}>(?= |$)|\|?>))+ ?")
# Outlook's line above the message replied to, and the sender's line below it.
_OUTLOOK = re.compile(r"^-{2,}\s*(?:Original|Forwarded) Message\s*-{2,}$", re.I)
_OUTLOOK_FIELD = re.compile(r"^(From|To|Cc|Sent|Date|Subject):\s*(.*)$", re.I)
_OUTLOOK_FROM = re.compile(r"^From:\s*\"?([^\"<\[]+?)\"?\s*(?:[<\[].*)?$")
_REPLY_PREFIX = re.compile(r"^(?:\s*(?:re|fwd?|aw|sv|tr)\s*(?:\[\d+\])?\s*:\s*)+", re.I)
# A signed message's armour: the lines OpenPGP adds around the text, and a line of the text
# that began with a dash, escaped as "- -".
_PGP_SIGNED = re.compile(r"^-----BEGIN PGP SIGNED MESSAGE-----\n(?:Hash:[^\n]*\n)*\n?", re.M)
_PGP_SIGNATURE = re.compile(r"^-----BEGIN PGP SIGNATURE-----\n.*?^-----END PGP SIGNATURE-----[ \t]*\n?", re.M | re.S)
_DASH_ESCAPE = re.compile(r"^- (?=-)", re.M)
# Parts that sign a message rather than say anything.
_SIGNATURE_TYPES = {"application/pgp-signature", "application/pkcs7-signature", "application/x-pkcs7-signature"}
# Attachments inside attachments (a forwarded message's) are read this deep.
MAX_DEPTH = 3
# A message's "Attached:" line names this many of its attachments.
MAX_NAMED = 20
# A signature block is at most this many short lines, the sender's name first (a name, a
# company, what it makes, an address, a telephone number).
MAX_SIGNATURE_LINES = 12
# What a mailing list's footer says, below the same "-- " a signature comes under.
_LIST_FOOTER = re.compile(r"unsubscri|subscription|listinfo|mailing list|list maintainer|list-?master", re.I)
# A quote is taken for one of an earlier message of the mailbox when this share of its lines
# were written there.
QUOTED_ELSEWHERE = 0.8


def _nesting_refused(read):
    """A message whose MIME parts nest thousands deep (a hostile file; real mail nests a few)
    exhausts the standard parser's recursion: refused, saying so."""

    @functools.wraps(read)
    def reading(raw: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> ExtractedText:
        try:
            return read(raw, limits)
        except RecursionError:
            raise UnreadableDocument("its parts nest too deep to read (thousands of levels)") from None

    return reading


@_nesting_refused
def read_eml(raw: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> ExtractedText:
    return read_message(_parse(raw), limits)


def read_message(message: EmailMessage, limits: ReadLimits = DEFAULT_LIMITS) -> ExtractedText:
    """One parsed message read as an ``.eml`` file is (Outlook's ``.msg`` files are made one:
    rag.readers.outlook)."""
    if not _has_headers(message):
        raise UnreadableDocument("no mail headers (From, To, Subject or Date): not an e-mail message")
    reader = _MailReader(limits)
    reader.message(message)
    # Named after what it is about: "Tiny DNS Swap", not "Re: Tiny DNS Swap".
    return reader.extracted("this message holds no text", title=_REPLY_PREFIX.sub("", _subject(message)).strip())


@_nesting_refused
def read_mbox(raw: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> ExtractedText:
    if not _MBOX_SEPARATOR.match(raw):
        raise UnreadableDocument('not a mailbox: an .mbox file starts with a "From " line')
    messages = [_parse(_unescape_from(chunk)) for chunk in _MBOX_SEPARATOR.split(raw)[1:]]
    reader = _MailReader(limits)
    for message in messages:
        reader.message(message)
    subjects = {_REPLY_PREFIX.sub("", _subject(m)).strip().lower() for m in messages}
    # One thread is named after its subject; a mailbox of many after its file.
    title = _REPLY_PREFIX.sub("", _subject(messages[0])).strip() if len(subjects) == 1 else ""
    return reader.extracted("this mailbox holds no messages with text", title=title)


def mailbox_spans(path: Path, part_bytes: int) -> list[tuple[int, int]]:
    """Where a mailbox file is cut into parts of about ``part_bytes`` each, between messages:
    (start, end) byte offsets, each part but the first starting at a "From " line after a blank
    one. Only the bytes around each cut are read (a mailbox of gigabytes is listed in
    milliseconds); a message longer than a part ends its part."""
    size = path.stat().st_size
    spans, start = [], 0
    with path.open("rb") as file:
        while start + part_bytes < size and (cut := _separator_from(file, start + part_bytes)) is not None:
            spans.append((start, cut))
            start = cut
    spans.append((start, size))
    return spans


def _separator_from(file, offset: int) -> int | None:
    """The offset of the first message separator ("From " after a blank line) at or after
    ``offset``, or None."""
    position = max(0, offset - 4)  # the blank line before it may lie just before the offset
    while True:
        file.seek(position)
        data = file.read(_SCAN_CHUNK)
        if not data:
            return None
        lowest = offset - position  # where in ``data`` a message may start
        found = [i + len(mark) - 5 for mark in (b"\n\nFrom ", b"\r\n\r\nFrom ")
                 if (i := data.find(mark, max(0, lowest - len(mark) + 5))) >= 0]
        if found:
            return position + min(found)
        if len(data) < _SCAN_CHUNK:
            return None
        position += len(data) - 8  # a separator the chunk's end cuts is found whole in the next


def _parse(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def _unescape_from(chunk: bytes) -> bytes:
    """A body line that began "From " is stored as ">From " (mboxrd: one ">" more each time)."""
    return re.sub(rb"(?m)^>(>*From )", rb"\1", chunk)


def _has_headers(message: EmailMessage) -> bool:
    return any(message.get(name) for name in ("From", "To", "Subject", "Date"))


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # a malformed header the parser cannot fold into its type: read it raw
        value = next((raw for key, raw in message.raw_items() if key.lower() == name.lower()), "")
    if value is None:
        return ""
    addresses = getattr(value, "addresses", None)
    if addresses:
        return ", ".join(_address(a) for a in addresses)
    return clean_line(str(value))


def _address(address) -> str:
    return _address_text(address.display_name or "", address.addr_spec)


def _address_text(name: str, spec: str) -> str:
    name = clean_line(name)
    if name and spec and spec != "<>":
        return f"{name} <{spec}>"
    return name or spec


def _subject(message: EmailMessage) -> str:
    return _header(message, "Subject")[:200]


def _header_line(message: EmailMessage) -> str:
    return _joined([(name, _header(message, name)) for name in HEADER_FIELDS])


def _joined(fields: list[tuple[str, str]]) -> str:
    line = "; ".join(f"{name}: {value}" for name, value in fields if value)
    return line if not line or line.endswith(".") else line + "."


def _section_name(message: EmailMessage) -> str:
    who = _sender_name(message) or _header(message, "From")
    return " · ".join(p for p in (_subject(message) or "(no subject)", who, _header(message, "Date")) if p)


def _attachment_name(part: EmailMessage) -> str:
    return clean_line(part.get_filename() or "") or part.get_content_type()


def _body_text(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):  # an unknown charset, a broken encoding
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", errors="replace")
    if isinstance(content, bytes):
        content = content.decode("utf-8", errors="replace")
    if part.get_content_subtype() == "html":
        from rag.readers.html import read_html

        try:
            return read_html(content.encode("utf-8")).text
        except UnreadableDocument:
            return ""
    content = content.replace("\r\n", "\n")
    if "-----BEGIN PGP SIGNED MESSAGE-----" in content:
        content = _DASH_ESCAPE.sub("", _PGP_SIGNATURE.sub("", _PGP_SIGNED.sub("", content)))
    return content


class _MailReader:
    """Messages into one text: a section per message, and one per quote in it."""

    def __init__(self, limits: ReadLimits) -> None:
        self.limits = limits
        self.builder = TextBuilder()
        self.notes: list[str] = []
        self.unread: list[str] = []
        # Lines earlier messages wrote themselves (not quoted), whitespace and case folded.
        self.written: set[str] = set()

    def message(self, message: EmailMessage, depth: int = 0) -> None:
        section = _section_name(message)
        self.builder.section(section)
        self._parts(message, section, _header_line(message), depth)

    def _parts(self, message: EmailMessage, section: str, header: str, depth: int) -> None:
        """The message's text, then what is attached: documents read (each a section), a
        forwarded message as a message, a nested part's text as more of the message."""
        own: list[str] = []
        attachments = [part for part in (message.iter_attachments() if message.is_multipart() else ())
                       if part.get_content_type() not in _SIGNATURE_TYPES]
        body = self._body(message)
        names = [_attachment_name(part) for part in attachments if not part.is_multipart()
                 and part.get_content_type() != "message/rfc822"]
        if names:  # "what did she attach?" has an answer
            listed = names[:MAX_NAMED] + ([f"and {len(names) - MAX_NAMED:,} more"] if len(names) > MAX_NAMED else [])
            body = body.rstrip() + "\n\nAttached: " + ", ".join(listed) + "."
        self._text(section, header, body, own, _sender_name(message))
        self.written.update(own)
        for part in attachments:
            if depth >= MAX_DEPTH:
                self.unread.append(_attachment_name(part))
            elif part.get_content_type() == "message/rfc822" and isinstance(forwarded := part.get_content(), EmailMessage):
                self.message(forwarded, depth + 1)
            elif part.is_multipart():
                self.builder.section(section)
                self._parts(part, section, "", depth + 1)
            else:
                self._attachment(part)

    def _attachment(self, part: EmailMessage) -> None:
        """An attached document read as the folder's would be; a text part as text. Images
        (OCR takes seconds a page: a logo is not worth it) and unknown kinds are only named."""
        name = _attachment_name(part)
        suffix = PurePath(name).suffix.lower()
        if part.get_content_type() == "text/html":
            raw, as_name = part.get_payload(decode=True) or b"", name + ".html"
        elif part.get_content_maintype() == "text":  # decoded by its charset, whatever its name
            raw, as_name = _body_text(part).encode("utf-8"), name if suffix == ".md" else name + ".txt"
        elif suffix in FILE_READERS and suffix not in IMAGE_SUFFIXES:
            raw, as_name = part.get_payload(decode=True) or b"", name
        else:
            self.unread.append(name)
            return
        try:
            doc = read_file(as_name, raw, self.limits)
        except UnreadableDocument as exc:
            self.unread.append(f"{name}: {exc}")
            return
        self.builder.section(f"attached: {name}")
        self.builder.add(doc.text)
        self.notes.extend(f"{name}: {note}" for note in doc.notes)

    def _body(self, message: EmailMessage) -> str:
        try:
            part = message.get_body(preferencelist=("plain", "html"))
        except Exception:
            part = None
        return _body_text(part) if part is not None else ""

    def _text(self, section: str, header: str, body: str, own: list[str], sender: str = "") -> None:
        if header:
            self.builder.add(header)
        in_quote = False
        for quoted, attribution, lines in _blocks(body):
            if quoted:
                folded = [_fold(line) for line in lines if line.strip() and not _introduces(line.strip())]
                if sum(f in self.written for f in folded) >= QUOTED_ELSEWHERE * len(folded):
                    continue  # read where it was written, earlier in this mailbox
                self.builder.section(f"quoted: {attribution}" if attribution else "quoted text")
            else:
                if in_quote:  # the sender's own words again, below a quote
                    self.builder.section(section)
                own.extend(_fold(line) for line in lines if line.strip())
                lines = _signed(lines, sender)
            in_quote = quoted
            self.builder.add("\n".join(lines))

    def extracted(self, empty: str, title: str) -> ExtractedText:
        if self.unread:
            names = ", ".join(self.unread[:5]) + (", …" if len(self.unread) > 5 else "")
            self.notes.append(f"{len(self.unread):,} attachment(s) not read ({names}): "
                              "save them beside it to have them read")
        return ExtractedText(self.builder.text(empty), title, sections=self.builder.sections, notes=self.notes)


def _sender_name(message: EmailMessage) -> str:
    """The sender's name as written ("Bob Stayton"), or "" when the From line holds an address alone."""
    try:
        addresses = getattr(message.get("From"), "addresses", None) or ()
    except Exception:  # a From line the parser cannot read: _header reads it raw
        return ""
    return next((clean_line(a.display_name) for a in addresses if a.display_name), "")


def _signed(lines: list[str], sender: str) -> list[str]:
    """The sender's signature block, short lines under their name ("Bob Stayton", "Sagehill
    Enterprises", "DocBook Consulting"), made one line: "Bob Stayton; Sagehill Enterprises;
    DocBook Consulting; bobs@sagehill.net." A line each, every one reads as a heading, which
    is never an answer, and "Which company does Bob work for?" had none.

    >>> _signed(["Thanks.", "", "Bob Stayton", "Sagehill Enterprises", "bobs@sagehill.net"], "Bob Stayton")
    ['Thanks.', '', 'Bob Stayton; Sagehill Enterprises; bobs@sagehill.net.']
    >>> _signed(["Bob Stayton", "wrote the book"], "Ann Other")
    ['Bob Stayton', 'wrote the book']

    Outlook writes the sender "Ashley, Carl E (PACE)" and the signature "Carl E. Ashley", and
    sets an empty line between the signature's lines:

    >>> _signed(["Best,", "Carl E. Ashley", " ", "Office of the Historian", "", "(202) 663-1149"], "Ashley, Carl E (PACE)")
    ['Best,', 'Carl E. Ashley; Office of the Historian; (202) 663-1149.']

    Below the separator "-- ", the block is the signature whoever sent the message:

    >>> _signed(["Aaron", "-- ", "Aaron W. Marrs, Ph.D.", "Historian"], "PA History Mailbox")
    ['Aaron', '-- ', 'Aaron W. Marrs, Ph.D.; Historian.']

    But not a mailing list's footer, and a signature ends at one:

    >>> _signed(["Hi.", "-- ", "Irish Linux Users' Group: ilug@linux.ie", "List maintainer: listmaster@linux.ie"], "")
    ['Hi.', '-- ', "Irish Linux Users' Group: ilug@linux.ie", 'List maintainer: listmaster@linux.ie']
    >>> _signed(["Bob Musser", "Database Services, Inc.", "", "--", "To Unsubscribe: <off@lists.au>"], "Bob Musser")
    ['Bob Musser; Database Services, Inc.', '', '--', 'To Unsubscribe: <off@lists.au>']
    """
    name = _name_words(sender)
    start = next((i for i, line in enumerate(lines)
                  if sender and (line.strip() == sender or (name and _name_words(line) == name))), None)
    if start is None:  # the signature's own separator, "-- " (a shared mailbox's sender names no one)
        separator = next((i for i in range(len(lines) - 1, -1, -1) if lines[i].rstrip() == "--"), -1)
        start = next((i for i in range(separator + 1, len(lines)) if lines[i].strip()), None) if separator >= 0 else None
        if start is not None and any(_LIST_FOOTER.search(line) for line in lines[start:start + MAX_SIGNATURE_LINES]):
            return lines  # a mailing list's footer ("To unsubscribe: …"), not anyone's signature
    if start is None:
        return lines
    end, kept = start, []
    while end < len(lines) and len(kept) < MAX_SIGNATURE_LINES:
        if _in_signature(lines[end]):
            kept.append(lines[end].strip())
        elif lines[end].strip() or end + 1 >= len(lines) or not _in_signature(lines[end + 1]):
            break  # an empty line goes on only to another line of the signature
        end += 1
    if len(kept) < 2:
        return lines
    signature = "; ".join(kept)
    return lines[:start] + [signature if signature.endswith(".") else signature + "."] + lines[end:]


def _name_words(name: str) -> frozenset[str]:
    """A person's name as a set of words, in whatever order and with whatever marks ("Ashley,
    Carl E (PACE)" and "Carl E. Ashley"), without what the brackets add (a department)."""
    return frozenset(re.findall(r"\w+", re.sub(r"\([^)]*\)", "", name).lower()))


def _in_signature(line: str) -> bool:
    """A line that goes on a signature: a signature's line, not the "--" a footer follows."""
    return _signature_line(line) and line.rstrip() != "--"


def _signature_line(line: str) -> bool:
    """A short line that is no sentence: a name, a title, a company ("Database Services,
    Inc.": a line of four words or fewer may end with a full stop; "Makers of:"), an address."""
    words = line.split()
    return 0 < len(words) <= 6 and not line.rstrip().endswith(("!", "?", ",")) and (
        not line.rstrip().endswith(".") or len(words) <= 4)


def _fold(line: str) -> str:
    return " ".join(line.split()).lower()


def _blocks(body: str) -> list[tuple[bool, str, list[str]]]:
    """The body cut into runs of own and quoted lines: (quoted, what introduces the quote,
    its lines with their "> " marks taken off). Everything below an Outlook "Original
    Message" line is the message replied to, marked or not. The line that introduces a quote
    ("On Tue, Bob wrote:") names its section, and is not a sentence of its own.
    """
    runs: list[tuple[bool, list[str]]] = []
    outlook = False
    for line in body.split("\n"):
        marked = bool(_QUOTE_MARK.match(line))
        text = _QUOTE_MARK.sub("", line) if marked else line
        outlook = outlook or bool(_OUTLOOK.match(text.strip()))
        quoted = outlook or marked
        if runs and (runs[-1][0] == quoted or not line.strip()):
            runs[-1][1].append(text)
        else:
            runs.append((quoted, [text]))
    blocks: list[tuple[bool, str, list[str]]] = []
    for quoted, lines in runs:
        if not any(line.strip() for line in lines):
            continue
        attribution = ""
        if quoted:
            # The line that introduces the quote ("On Tue, Bob wrote:"), above it or its first:
            # it names the quote's section, where a citation shows it; as a sentence it would be
            # read as one and say nothing.
            own = blocks[-1][2] if blocks and not blocks[-1][0] else []
            if _introduces(_last_text(own)):
                while not own[-1].strip():
                    own.pop()
                attribution = own.pop().strip()
                if not any(line.strip() for line in own):
                    blocks.pop()
            first = next(i for i, line in enumerate(lines) if line.strip())
            if _introduces(lines[first].strip()):  # the quote's own first line, or a quote's quote's
                attribution = f"{attribution} {lines[first].strip()}".strip()
                lines = lines[first + 1:]
            if _OUTLOOK.match(attribution):
                sender = next((m.group(1) for line in lines[:8] if (m := _OUTLOOK_FROM.match(line.strip()))), "")
                attribution = f"message from {sender}" if sender else "original message"
                lines = _outlook_headers(lines)
        blocks.append((quoted, attribution[:120], lines))
    return blocks


def _outlook_headers(lines: list[str]) -> list[str]:
    """An Outlook quote's marker line dropped and its header lines ("From: …", "Sent: …", one a
    line) made one header line, as a message's own: "From: Daniel Leidert <…>; To: …; Subject:
    …; Sent: Tuesday, September 18, 2007 3:44 AM."."""
    start = next(i for i, line in enumerate(lines) if line.strip())
    if _OUTLOOK.match(lines[start].strip()):
        start += 1
    fields: dict[str, str] = {}
    end = start
    for end in range(start, len(lines) + 1):
        m = _OUTLOOK_FIELD.match(lines[end].strip()) if end < len(lines) else None
        if m is None:
            if end < len(lines) and not lines[end].strip() and not fields:
                continue  # blank lines before the fields
            break
        name, value = m.group(1).capitalize(), clean_line(m.group(2))
        if name in ("From", "To", "Cc"):
            value = ", ".join(_address_text(n, a) for n, a in getaddresses([value.replace("[mailto:", "<").replace("]", ">")]))
        fields.setdefault(name, value)
    if "From" not in fields:
        return lines[start:]
    order = [name for name in (*HEADER_FIELDS, "Sent") if name in fields]
    return [_joined([(name, fields[name]) for name in order])] + lines[end:]


def _introduces(line: str) -> bool:
    """ "On Tue, Bob wrote:", "bob@gov scrawled:", "-----Original Message-----"."""
    return bool(_OUTLOOK.match(line)) or (line.endswith(":") and len(line) <= 200 and len(line.split()) >= 2)


def _last_text(lines: list[str]) -> str:
    return next((line.strip() for line in reversed(lines) if line.strip()), "")
