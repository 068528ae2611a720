"""What in a documents folder is a document, and how its bytes are read.

Mostly a file is one document, named by its path in the folder (its source). Two kinds of
file hold several, each named after the file:

- a mailbox over ``MAILBOX_PART_BYTES`` (a year of mail is gigabytes; one document holds at
  most ``RAG_MAX_DOCUMENT_CHARS`` of text) is read in parts cut between messages, each a
  ``FilePart``: "Inbox · part 2";
- a zip archive (a folder sent as one file) is read as the documents in it, each an
  ``ArchiveMember``: "reports.zip › 2019/q3.pdf"; a member that would inflate like a zip bomb,
  is encrypted, or is of no format read here is skipped, saying why.

Both read as a file does (``stat``, ``read_bytes``): the ingest checks the whole file's size
and time, and when it changed, each part's or member's bytes by their hash, so mail appended to
a mailbox or a document added to an archive re-reads only what changed.
"""

from __future__ import annotations

import errno
import functools
import io
import os
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from rag.errors import NoDocumentsError
from rag.readers import READERS, SUPPORTED_SUFFIXES
from rag.readers.base import DEFAULT_LIMITS, MAX_PACKING_RATIO
from rag.readers.formats import SNIFF_BYTES, format_of
from rag.types import SkippedFile

# What names a part of a file read in parts ("Inbox · part 2"), and a document in an archive
# ("reports.zip › 2019/q3.pdf").
PART_MARK = " · part "
ARCHIVE_MARK = " › "
ARCHIVE_SUFFIXES = (".zip",)
# What can be added to the folder: a document, or an archive of them.
UPLOAD_SUFFIXES = (*SUPPORTED_SUFFIXES, *ARCHIVE_SUFFIXES)


def list_files(docs_dir: Path) -> tuple[list[tuple[str, Any]], list[SkippedFile]]:
    """(source, path) of every document under ``docs_dir``, and the files (or members of
    archives) skipped, saying why. A path is a ``Path``, or a ``FilePart`` or
    ``ArchiveMember`` for the documents a file holds several of.

    Hidden files and folders (.git, .DS_Store, uploads being written) are not documents.
    """
    if not docs_dir.is_dir():
        raise NoDocumentsError(
            f"documents folder {docs_dir} does not exist: create it and add documents "
            f"({', '.join(SUPPORTED_SUFFIXES)}), or set RAG_DOCS_DIR"
        )
    files: list[tuple[str, Any]] = []
    skipped: list[SkippedFile] = []
    real_root = docs_dir.resolve()
    for root, dirs, names in os.walk(docs_dir):  # links to folders are not followed
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith("."):
                continue
            path = Path(root) / name
            source = path.relative_to(docs_dir).as_posix()
            suffix = path.suffix.lower()
            if path.is_symlink() and real_root not in path.resolve().parents:
                # A link must not turn the folder into a window on the rest of the disk.
                skipped.append(SkippedFile(source, "a link to a file outside the documents folder: not indexed"))
            elif suffix in ARCHIVE_SUFFIXES:
                _add_members(source, path, files, skipped)
            elif (kind := suffix if suffix in SUPPORTED_SUFFIXES else _sniffed(path)):
                files.extend(_parts(source, path) if kind == ".mbox" else [(source, path)])
            else:
                skipped.append(_unsupported(source, suffix))
    return sorted(files, key=lambda entry: entry[0]), skipped


def _unsupported(source: str, suffix: str) -> SkippedFile:
    return SkippedFile(source, f"unsupported type {suffix or '(none)'}: only {', '.join(SUPPORTED_SUFFIXES)}")


def _sniffed(path: Path) -> str:
    """The format of a file whose suffix names none, by its first bytes (".eml" for a Maildir's
    message, ".mbox" for a mail program's "Inbox", ".txt" for a README), or ""
    (``rag.readers.formats.format_of``)."""
    try:
        with path.open("rb") as file:
            head = file.read(SNIFF_BYTES)
    except OSError:
        return ""  # unreadable here: left to be reported as unsupported
    return format_of(path.name, head, READERS)


@dataclass(frozen=True)
class FilePart:
    """Bytes ``start`` to ``end`` of a file too large to be one document (a mailbox of
    gigabytes), read as one."""

    path: Path
    source: str  # the whole file's
    start: int
    end: int

    def stat(self) -> os.stat_result:
        return self.path.stat()  # the whole file's: if it changed, each part is read again and compared

    def read_bytes(self) -> bytes:
        with self.path.open("rb") as file:
            file.seek(self.start)
            return file.read(self.end - self.start)


@dataclass(frozen=True)
class ArchiveMember:
    """A document inside a zip archive, read as a file of its name."""

    path: Path
    source: str  # the archive's
    member: str
    size: int  # what the archive says it inflates to: no more is read

    def stat(self) -> os.stat_result:
        return self.path.stat()

    def read_bytes(self) -> bytes:
        try:
            stat = self.path.stat()
            with _open_archive(self.path, stat.st_size, stat.st_mtime_ns).open(self.member) as file:
                data = file.read(self.size + 1)
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError, KeyError) as exc:
            raise OSError(errno.EIO, f"a damaged member of its archive ({type(exc).__name__}: {exc})") from None
        if len(data) > self.size:  # its header lied about its size: read no further
            raise OSError(errno.EIO, "inflates past the size its archive gives it")
        return data


@functools.lru_cache(maxsize=4)
def _open_archive(path: Path, size: int, mtime_ns: int) -> zipfile.ZipFile:
    """An archive kept open while its members are read (keyed by its size and time, so a
    rewritten one is opened again): opening it reads its whole directory, a second of an
    archive of 20,000 documents, which every member would otherwise pay."""
    return zipfile.ZipFile(path)


def reading_name(source: str, path: Any) -> str:
    """The name a document's reader goes by (its suffix picks the reader): the file's own for
    a part of it, the member's for a document in an archive."""
    if isinstance(path, ArchiveMember):
        return path.member
    return path.source if isinstance(path, FilePart) else source


def file_of(source: str) -> str:
    """The file of the folder a document is or comes from: itself, the mailbox a part is of
    ("Inbox · part 2"), the archive a member is in ("reports.zip › q3.pdf")."""
    archive, mark, _ = source.partition(ARCHIVE_MARK)
    if mark:
        return archive
    whole, mark, n = source.rpartition(PART_MARK)
    return whole if mark and n.isdigit() else source


def part_source(source: str, n: int) -> str:
    return f"{source}{PART_MARK}{n}"


def _parts(source: str, path: Path) -> list[tuple[str, Any]]:
    """A mailbox as documents: itself when small, else its parts ("Inbox · part 2")."""
    from rag.readers import mail

    try:
        if path.stat().st_size <= mail.MAILBOX_PART_BYTES:
            return [(source, path)]
        spans = mail.mailbox_spans(path, mail.MAILBOX_PART_BYTES)
    except OSError:
        return [(source, path)]  # reported as unreadable when it is read
    return [(part_source(source, n), FilePart(path, source, start, end)) for n, (start, end) in enumerate(spans, 1)]


def _add_members(source: str, path: Path, files: list, skipped: list[SkippedFile]) -> None:
    """The documents of a zip archive, each "archive.zip › member", or the archive skipped."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        skipped.append(SkippedFile(source, f"not a zip archive, or a damaged one ({type(exc).__name__}: {exc})"))
        return
    members, refused = _members(source, infos)
    files.extend((member_source, ArchiveMember(path, source, info.filename, info.file_size)) for member_source, info in members)
    skipped.extend(refused)


def archive_documents(source: str, data: bytes) -> tuple[list[str], list[SkippedFile]]:
    """What an archive about to be added (its bytes) would be read as: the sources of its
    documents, and its members skipped, saying why; ``ValueError`` if it is no zip archive."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise ValueError(f"not a zip archive, or a damaged one ({type(exc).__name__}: {exc})") from None
    members, refused = _members(source, infos)
    return [member_source for member_source, _ in members], refused


def _members(source: str, infos: list[zipfile.ZipInfo]) -> tuple[list[tuple[str, zipfile.ZipInfo]], list[SkippedFile]]:
    """An archive's members read as documents, and those skipped, saying why: of no format read
    here, encrypted, or inflating like a zip bomb. Folders, hidden files, macOS's resource forks
    and names that climb out of the archive are neither."""
    members, skipped = [], []
    limit = DEFAULT_LIMITS.max_unpacked_bytes
    for info in infos:
        parts = PurePosixPath(info.filename).parts
        if info.is_dir() or not parts or any(p.startswith(".") or p == "__MACOSX" for p in parts) or ".." in parts:
            continue
        member_source = f"{source}{ARCHIVE_MARK}{info.filename}"
        suffix = PurePosixPath(info.filename).suffix.lower()
        ratio = info.file_size / max(1, info.compress_size)
        if suffix not in SUPPORTED_SUFFIXES:
            skipped.append(_unsupported(member_source, suffix))
        elif info.flag_bits & 0x1:
            skipped.append(SkippedFile(member_source, "encrypted in its archive: unpack it with its password"))
        elif info.file_size > limit or (info.file_size > 1_000_000 and ratio > MAX_PACKING_RATIO):
            skipped.append(SkippedFile(member_source, f"would inflate to {info.file_size:,} bytes ({ratio:,.0f} times "
                                                      "its packed size): refused as a possible zip bomb"))
        else:
            members.append((member_source, info))
    return members, skipped
