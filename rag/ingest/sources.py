"""What in a documents folder is a document, and how its bytes are read.

Mostly a file is one document, named by its path in the folder (its source). Two kinds of
file hold several, each named after the file:

- a mailbox over ``MAILBOX_PART_BYTES`` (a year of mail is gigabytes; one document holds at
  most ``RAG_MAX_DOCUMENT_CHARS`` of text) is read in parts cut between messages, each a
  ``FilePart``: "Inbox · part 2";
- an archive (a folder sent as one file: zip, or tar, compressed or not) is read as the
  documents in it, each an ``ArchiveMember`` or a ``TarMember``: "reports.zip › 2019/q3.pdf";
  a member that would inflate like a zip bomb, is encrypted, or is of no format read here is
  skipped, saying why.

A file compressed on its own (``faq.txt.gz``, as Debian ships its documentation; ``.bz2``,
``.xz``) is one document, a ``CompressedFile`` read as the file it holds.

Each reads as a file does (``stat``, ``read_bytes``): the ingest checks the whole file's size
and time, and when it changed, each part's or member's bytes by their hash, so mail appended to
a mailbox or a document added to an archive re-reads only what changed.
"""

from __future__ import annotations

import bz2
import errno
import functools
import gzip
import io
import lzma
import os
import tarfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Callable

from rag.errors import NoDocumentsError
from rag.readers import READERS, SUPPORTED_SUFFIXES
from rag.readers.base import DEFAULT_LIMITS, MAX_PACKING_RATIO
from rag.readers.formats import SNIFF_BYTES, format_of
from rag.types import UNSUPPORTED, SkippedFile

# What names a part of a file read in parts ("Inbox · part 2"), and a document in an archive
# ("reports.zip › 2019/q3.pdf").
PART_MARK = " · part "
ARCHIVE_MARK = " › "
ARCHIVE_SUFFIXES = (".zip", ".tar", ".tgz", ".tbz2", ".txz")  # and ".tar.gz" …: COMPRESSED_SUFFIXES after ".tar"
# A file compressed on its own, by its suffix: how to open it.
COMPRESSED_SUFFIXES = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}  # each takes a path or a file object
# What can be added to the folder: a document, an archive of them, or one compressed.
UPLOAD_SUFFIXES = (*SUPPORTED_SUFFIXES, *ARCHIVE_SUFFIXES, *COMPRESSED_SUFFIXES)
# What fails when a compressed stream is damaged (gzip's BadGzipFile and bz2's are OSErrors).
_DAMAGED_STREAM = (OSError, EOFError, lzma.LZMAError, zlib.error, tarfile.TarError, ValueError)


def packing_of(name: str) -> str:
    """How a file called ``name`` packs documents: "zip", "tar" (a tar archive, compressed or
    not: "docs.tar.gz", "docs.tgz"), "compressed" (one file: "faq.txt.gz"), or ""."""
    lower = name.lower()
    suffix = PurePosixPath(lower).suffix
    if suffix == ".zip":
        return "zip"
    if suffix in ARCHIVE_SUFFIXES or (suffix in COMPRESSED_SUFFIXES and lower[: -len(suffix)].endswith(".tar")):
        return "tar"
    return "compressed" if suffix in COMPRESSED_SUFFIXES else ""


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
            elif (packing := packing_of(name)) == "zip":
                _add_members(source, path, files, skipped)
            elif packing == "tar":
                _add_tar_members(source, path, files, skipped)
            elif packing == "compressed":
                _add_compressed(source, path, files, skipped)
            elif (kind := suffix if suffix in SUPPORTED_SUFFIXES else _sniffed(path)):
                files.extend(_parts(source, path) if kind == ".mbox" else [(source, path)])
            else:
                skipped.append(_unsupported(source, suffix))
    # By name, but a tar archive's documents in the order the archive holds them: a compressed
    # one is read from its start, and a document behind the one read before is a read from it
    # again.
    return sorted(files, key=lambda entry: (file_of(entry[0]), getattr(entry[1], "order", 0), entry[0])), skipped


def _unsupported(source: str, suffix: str) -> SkippedFile:
    return SkippedFile(source, f"{UNSUPPORTED} {suffix or '(none)'}")  # `rag ingest` names the formats read, once


def _sniffed(path: Path, name: str = "") -> str:
    """The format of a file whose suffix names none, by its first bytes (".eml" for a Maildir's
    message, ".mbox" for a mail program's "Inbox", ".txt" for a README), or ""
    (``rag.readers.formats.format_of``). ``name``: the file's inside a compressed one."""
    try:
        if name:
            with COMPRESSED_SUFFIXES[path.suffix.lower()](path) as file:
                head = file.read(SNIFF_BYTES)
        else:
            with path.open("rb") as file:
                head = file.read(SNIFF_BYTES)
    except _DAMAGED_STREAM:
        return ""  # unreadable here: left to be reported as unsupported
    return format_of(name or path.name, head, READERS)


@dataclass(frozen=True)
class _InFile:
    """A document that is not a whole file of the folder, but in one (``path``, named ``source``
    in the folder). It reads as a file does: ``stat`` is the whole file's (if it changed, each
    document in it is read again and compared by its bytes' hash), ``read_bytes`` its own."""

    path: Path
    source: str

    def stat(self) -> os.stat_result:
        return self.path.stat()


@dataclass(frozen=True)
class FilePart(_InFile):
    """Bytes ``start`` to ``end`` of a file too large to be one document (a mailbox of
    gigabytes), read as one."""

    start: int
    end: int

    def read_bytes(self) -> bytes:
        with self.path.open("rb") as file:
            file.seek(self.start)
            return file.read(self.end - self.start)


@dataclass(frozen=True)
class ArchiveMember(_InFile):
    """A document inside a zip archive, read as a file of its name."""

    member: str
    size: int  # what the archive says it inflates to: no more is read

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


@dataclass(frozen=True)
class TarMember(_InFile):
    """A document inside a tar archive (compressed or not), read as a file of its name: its
    ``size`` bytes at ``offset`` of the archive's (uncompressed) stream. ``order``: its place in
    the archive, the order documents are read in (``list_files``)."""

    member: str
    offset: int
    size: int
    order: int

    def read_bytes(self) -> bytes:
        try:
            stat = self.path.stat()
            stream = _open_tar(self.path, stat.st_size, stat.st_mtime_ns)
            stream.seek(self.offset)
            data = stream.read(self.size)
        except _DAMAGED_STREAM as exc:
            raise OSError(errno.EIO, f"a damaged archive ({type(exc).__name__}: {exc})") from None
        if len(data) < self.size:
            raise OSError(errno.EIO, "a damaged archive: it ends inside this document")
        return data


@dataclass(frozen=True)
class CompressedFile(_InFile):
    """A file compressed on its own (``faq.txt.gz``), read as the file it holds (``name``)."""

    name: str

    def read_bytes(self) -> bytes:
        with self.path.open("rb") as packed:
            return _inflate(packed, self.path.suffix, self.path.stat().st_size)


def unpacked(name: str, data: bytes) -> tuple[str, bytes]:
    """The name and bytes of the file a compressed one (``name``, ``data``) holds: ("faq.txt",
    …) for "faq.txt.gz"; ``OSError`` if it is damaged or inflates as a bomb does."""
    suffix = PurePosixPath(name).suffix
    return name[: -len(suffix)], _inflate(io.BytesIO(data), suffix, len(data))


def _inflate(packed: Any, suffix: str, packed_size: int) -> bytes:
    """The bytes of the compressed file object ``packed`` (``suffix`` says how: ".gz"), refused
    past the unpacked-bytes limit or at a bomb's packing."""
    data = bytearray()
    try:
        with COMPRESSED_SUFFIXES[suffix.lower()](packed) as file:
            while chunk := file.read(1 << 20):
                data += chunk
                if _bomb(len(data), packed_size):
                    break
    except _DAMAGED_STREAM as exc:
        raise OSError(errno.EIO, f"damaged ({type(exc).__name__}: {exc})") from None
    if _bomb(len(data), packed_size):
        raise OSError(errno.EFBIG, f"inflates past {len(data):,} bytes ({len(data) / max(1, packed_size):,.0f} times "
                                   "its packed size): refused as a possible bomb")
    return bytes(data)


def _bomb(unpacked: int, packed: int) -> bool:
    """Whether ``unpacked`` bytes from ``packed`` are past the unpacked-bytes limit, or pack as
    a bomb does (past a megabyte, over ``MAX_PACKING_RATIO`` times)."""
    return unpacked > DEFAULT_LIMITS.max_unpacked_bytes or (unpacked > 1_000_000 and unpacked > MAX_PACKING_RATIO * packed)


@functools.lru_cache(maxsize=4)
def _open_tar(path: Path, size: int, mtime_ns: int) -> Any:
    """A tar archive's uncompressed stream kept open while its documents are read in order (a
    compressed one reads forward cheaply; keyed by its size and time, as ``_open_archive``)."""
    return _tar_stream(path)


# A tar archive's short suffixes, each its compressed stream: ".tgz" is ".tar.gz".
_TAR_STREAMS = {".tgz": gzip.open, ".tbz2": bz2.open, ".txz": lzma.open}


@functools.lru_cache(maxsize=4)
def _open_archive(path: Path, size: int, mtime_ns: int) -> zipfile.ZipFile:
    """An archive kept open while its members are read (keyed by its size and time, so a
    rewritten one is opened again): opening it reads its whole directory, a second of an
    archive of 20,000 documents, which every member would otherwise pay."""
    return zipfile.ZipFile(path)


def reading_name(source: str, path: Any) -> str:
    """The name a document's reader goes by (its suffix picks the reader): the file's own for
    a part of it, the member's for a document in an archive."""
    if isinstance(path, (ArchiveMember, TarMember)):
        return path.member
    if isinstance(path, CompressedFile):
        return path.name
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
            members, refused = _members(source, archive)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        skipped.append(SkippedFile(source, f"not a zip archive, or a damaged one ({type(exc).__name__}: {exc})"))
        return
    files.extend((member_source, ArchiveMember(path, source, info.filename, info.file_size)) for member_source, info in members)
    skipped.extend(refused)


def _add_tar_members(source: str, path: Path, files: list, skipped: list[SkippedFile]) -> None:
    """The documents of a tar archive, each "archive.tar.gz › member", or the archive skipped."""
    try:
        packed = path.stat().st_size
        with _tar_stream(path) as stream:
            members, refused = _tar_members(source, stream, packed)
    except _Bomb as exc:
        skipped.append(SkippedFile(source, str(exc)))
        return
    except _DAMAGED_STREAM as exc:
        skipped.append(SkippedFile(source, f"not a tar archive, or a damaged one ({type(exc).__name__}: {exc})"))
        return
    files.extend((member_source, TarMember(path, source, member_source.partition(ARCHIVE_MARK)[2], info.offset_data, info.size, order))
                 for order, (member_source, info) in enumerate(members))
    skipped.extend(refused)


def _tar_stream(path: Path, packed: Any = None) -> Any:
    """A tar archive's uncompressed stream ("docs.tar.gz", "docs.tgz", "docs.tar"): of the file
    at ``path``, or of its bytes in the file object ``packed``."""
    opener = COMPRESSED_SUFFIXES.get(path.suffix.lower()) or _TAR_STREAMS.get(path.suffix.lower())
    if opener:
        return opener(path if packed is None else packed)
    return path.open("rb") if packed is None else packed


def _tar_members(source: str, stream: Any, packed: int) -> tuple[list[tuple[str, tarfile.TarInfo]], list[SkippedFile]]:
    """A tar archive's documents (from its uncompressed ``stream``, ``packed`` bytes compressed)
    and those skipped, saying why, as ``_members`` does a zip's. Its headers are found by reading
    the whole stream: a compressed archive that would inflate as a bomb does is refused before
    it gets there (``tarfile.TarError``); one damaged part way keeps the documents before the
    damage, and says so."""
    members, skipped = [], []
    limit = DEFAULT_LIMITS.max_unpacked_bytes
    # Not the unpacked-bytes limit, which holds for each document (an archive of many may be
    # larger): the packing of a bomb holds for the whole.
    bounded = _BoundedStream(stream, max(1_000_000, MAX_PACKING_RATIO * packed))
    with tarfile.open(fileobj=bounded, mode="r:") as archive:
        while True:
            try:
                info = archive.next()
            except (OSError, EOFError, lzma.LZMAError, zlib.error, tarfile.ReadError) as exc:
                if not members:
                    raise
                skipped.append(SkippedFile(source, f"damaged after its first {len(members)} documents, which are read "
                                                   f"({type(exc).__name__}: {exc})"))
                break
            if info is None:
                break
            parts = PurePosixPath(info.name).parts
            if not info.isreg() or info.issparse() or not parts or _hidden(parts) or info.name.startswith("/"):
                continue
            name = PurePosixPath(info.name).as_posix()  # "faq/index.html" of "./faq/index.html"
            member_source = f"{source}{ARCHIVE_MARK}{name}"
            suffix = PurePosixPath(name).suffix.lower()
            if not _readable(name, lambda: archive.extractfile(info).read(SNIFF_BYTES)):  # type: ignore[union-attr]
                skipped.append(_unsupported(member_source, suffix))
            elif info.size > limit:
                skipped.append(SkippedFile(member_source, f"{info.size:,} bytes: over the limit of {limit:,} (RAG_MAX_UNPACKED_BYTES)"))
            else:
                members.append((member_source, info))
            archive.members = []  # its list of every header read, not needed: memory flat over a large archive
    return members, skipped


class _Bomb(tarfile.TarError):
    pass


class _BoundedStream:
    """A file object over an archive's uncompressed ``stream`` that refuses to read or seek
    past ``limit`` bytes (``_Bomb``), so a bomb is refused before it is inflated, not after."""

    def __init__(self, stream: Any, limit: int):
        self.stream, self.limit = stream, limit

    def _check(self, end: int) -> None:
        if end > self.limit:
            raise _Bomb(f"it inflates past {self.limit:,} bytes, {MAX_PACKING_RATIO} times its packed size: "
                        "refused as a possible bomb")

    def read(self, size: int = -1) -> bytes:
        self._check(self.stream.tell() + max(size, 0))
        data = self.stream.read(size)
        self._check(self.stream.tell())
        return data

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        self._check(offset if whence == os.SEEK_SET else self.stream.tell() + offset if whence == os.SEEK_CUR else 0)
        return self.stream.seek(offset, whence)

    def tell(self) -> int:
        return self.stream.tell()


def _hidden(parts: tuple[str, ...]) -> bool:
    """Whether a member's path is no document: in or of a hidden folder or file, macOS's resource
    forks, or climbing out of its archive."""
    return any(p.startswith(".") or p == "__MACOSX" for p in parts) or ".." in parts


def _add_compressed(source: str, path: Path, files: list, skipped: list[SkippedFile]) -> None:
    """A file compressed on its own: the document it holds, "faq.txt.gz" read as "faq.txt"."""
    name = path.name[: -len(path.suffix)]
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in SUPPORTED_SUFFIXES or _sniffed(path, name):
        files.append((source, CompressedFile(path, source, name)))
    else:
        skipped.append(SkippedFile(source, f"{UNSUPPORTED} {suffix or '(none)'} (compressed {path.suffix})"))


def archive_documents(source: str, data: bytes) -> tuple[list[str], list[SkippedFile]]:
    """What an archive about to be added (its bytes) would be read as: the sources of its
    documents, and its members skipped, saying why; ``ValueError`` if it is no archive of its
    kind (zip, or tar by ``packing_of``)."""
    if packing_of(source) == "tar":
        try:
            with _tar_stream(PurePosixPath(source), io.BytesIO(data)) as stream:
                members, refused = _tar_members(source, stream, len(data))
        except _Bomb as exc:
            raise ValueError(str(exc)) from None
        except _DAMAGED_STREAM as exc:
            raise ValueError(f"not a tar archive, or a damaged one ({type(exc).__name__}: {exc})") from None
        return [member_source for member_source, _ in members], refused
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members, refused = _members(source, archive)
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise ValueError(f"not a zip archive, or a damaged one ({type(exc).__name__}: {exc})") from None
    return [member_source for member_source, _ in members], refused


def _members(source: str, archive: zipfile.ZipFile) -> tuple[list[tuple[str, zipfile.ZipInfo]], list[SkippedFile]]:
    """A zip archive's members read as documents, and those skipped, saying why: of no format
    read here, encrypted, or inflating like a zip bomb. Folders, hidden files, macOS's resource
    forks and names that climb out of the archive are neither."""
    members, skipped = [], []
    limit = DEFAULT_LIMITS.max_unpacked_bytes
    for info in archive.infolist():
        parts = PurePosixPath(info.filename).parts
        if info.is_dir() or not parts or _hidden(parts):
            continue
        member_source = f"{source}{ARCHIVE_MARK}{info.filename}"
        suffix = PurePosixPath(info.filename).suffix.lower()
        ratio = info.file_size / max(1, info.compress_size)
        if info.flag_bits & 0x1:
            skipped.append(SkippedFile(member_source, "encrypted in its archive: unpack it with its password"))
        elif info.file_size > limit or (info.file_size > 1_000_000 and ratio > MAX_PACKING_RATIO):
            skipped.append(SkippedFile(member_source, f"would inflate to {info.file_size:,} bytes ({ratio:,.0f} times "
                                                      "its packed size): refused as a possible zip bomb"))
        elif not _readable(info.filename, lambda: _zip_head(archive, info)):
            skipped.append(_unsupported(member_source, suffix))
        else:
            members.append((member_source, info))
    return members, skipped


def _readable(name: str, head: Callable[[], bytes]) -> bool:
    """Whether an archive's member called ``name`` is of a format read here: by its suffix, else
    by its first bytes (``head()``), as a file of the folder named without a suffix is ("README")."""
    if PurePosixPath(name).suffix.lower() in SUPPORTED_SUFFIXES:
        return True
    try:
        return bool(format_of(PurePosixPath(name).name, head(), READERS))
    except (*_DAMAGED_STREAM, zipfile.BadZipFile, NotImplementedError, RuntimeError):
        return False  # read when listed is no worse than read later: skipped as unsupported


def _zip_head(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    with archive.open(info) as member:
        return member.read(SNIFF_BYTES)
