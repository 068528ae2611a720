"""The documents folder as a library: uploads saved and indexed, documents removed (moved
aside, so they can be put back) and restored, originals handed out; and the named
collections under the data folder."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

from rag.config import Settings
from rag.errors import BadUploadError, RagError, UnknownDocumentError
from rag.text import SURROGATE
from rag.index import Index
from rag.ingest.sources import UPLOAD_SUFFIXES, archive_documents, file_of, packing_of, unpacked
from rag.types import IngestReport, Progress

# Letters of any script stay in an upload's name ("日本語.txt"); anything else becomes "_".
_SAFE_NAME = re.compile(r"[^\w.-]+")
MAX_NAME_BYTES = 200  # file systems allow 255; room for the hidden staging name


class Library:
    def __init__(self, settings: Settings, index: Index):
        self.settings, self.index = settings, index
        self.removed_dir = settings.index_dir / "removed"

    def add(self, filename: str, data: bytes, overwrite: bool = False, on_progress: Progress = None) -> IngestReport:
        from rag.readers import SUPPORTED_SUFFIXES, UnreadableDocument

        name = upload_name(filename)
        suffix = Path(name).suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            raise BadUploadError(f"{_clean(Path(filename).name)}: only {', '.join(UPLOAD_SUFFIXES)} files can be added")
        if len(data) > self.settings.upload_max_bytes:
            raise BadUploadError(
                f"{name} is {len(data):,} bytes; the limit is {self.settings.upload_max_bytes:,} (RAG_UPLOAD_MAX_BYTES)"
            )
        try:
            packing = packing_of(name)
            if packing in ("zip", "tar"):  # its documents are read when it is indexed; it must hold some
                documents, _ = archive_documents(name, data)
                if not documents:
                    raise UnreadableDocument(f"no documents inside that can be read (only {', '.join(SUPPORTED_SUFFIXES)})")
            elif packing == "compressed":  # "faq.txt.gz": read as the file it holds
                self.index.file_reader.read(*unpacked(name, data))
            else:
                self.index.file_reader.read(name, data)
        except OSError as exc:
            raise BadUploadError(f"{name} cannot be indexed: {exc.strerror or exc}") from None
        except (UnreadableDocument, ValueError) as exc:
            raise BadUploadError(f"{name} cannot be indexed: {exc}") from None
        target = self.settings.docs_dir / name
        if target.is_dir():
            raise BadUploadError(f"the documents folder has a folder named {name}; rename the file")
        if target.exists() and target.read_bytes() != data and not overwrite:
            raise BadUploadError(f"a different document named {name} already exists; rename the file or choose to replace it")
        # Saved and indexed under the index's write lock (taken again by ingest: reentrant),
        # waiting at most upload_wait_seconds for another ingest: IndexBusyError then says so,
        # and nothing was saved.
        with self.index.storage.lock(timeout=self.settings.upload_wait_seconds):
            self.settings.docs_dir.mkdir(parents=True, exist_ok=True)
            staging = target.with_name(f".{name}.upload")  # hidden, so a concurrent ingest ignores it
            staging.write_bytes(data)
            staging.replace(target)
            return self.index.ingest(show_progress=False, on_progress=on_progress)

    def remove(self, source: str) -> IngestReport:
        """Set the file aside and ingest. A large mailbox's part is its mailbox, an archive's
        document its archive: every part goes, as Undo brings every part back."""
        path = self.document_path(source)
        aside = self.removed_dir / f"{time.time_ns()}" / file_of(source)
        aside.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(path), str(aside))
        return self.index.ingest(show_progress=False)

    def restore(self, source: str) -> IngestReport:
        source = file_of(source)
        if ".." in Path(source).parts or Path(source).is_absolute():
            raise UnknownDocumentError(f"{source} is not a removed document")
        copies = sorted((stamp for stamp in self.removed_dir.glob("[0-9]*") if (stamp / source).is_file()),
                        key=lambda stamp: int(stamp.name))
        if not copies:
            raise UnknownDocumentError(f"{source} is not a removed document")
        target = self.settings.docs_dir / source
        if target.exists():
            raise BadUploadError(f"a document named {source} has been added since; rename or remove it first")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(copies[-1] / source), str(target))
        return self.index.ingest(show_progress=False)

    def original_path(self, source: str) -> Path:
        if self.index.manifest().get(source) is None:
            raise UnknownDocumentError(f"{source} is not an indexed document")
        return self.document_path(source)

    def document_path(self, source: str) -> Path:
        """The file for ``source``, refusing anything outside the documents folder."""
        root = self.settings.docs_dir.resolve()
        path = (root / file_of(source)).resolve()  # a mailbox's part, an archive's document: the file
        if root not in path.parents or not path.is_file():
            raise UnknownDocumentError(f"{source} is not a document in {self.settings.docs_dir}")
        return path


def upload_name(filename: str) -> str:
    """A safe file name for an upload: no folders, letters of any script kept, short enough
    for any file system ("x" * 300 + ".txt" keeps its suffix)."""
    name = _SAFE_NAME.sub("_", _clean(Path(str(filename)).name)).strip("._") or "document"
    stem, suffix = Path(name).stem, Path(name).suffix[:16]
    while len((stem + suffix).encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return (stem or "document") + suffix


def _clean(text: str) -> str:
    """Text without lone UTF-16 surrogates (valid in JSON, so they reach the HTTP API, but
    not encodable: the tokenizer would fail on them)."""
    return SURROGATE.sub("\ufffd", text)


def collections(settings: Settings) -> list[tuple[str, Path, int]]:
    """The named collections under ``settings.data_dir``: (name, documents folder, documents
    indexed), by name."""
    from rag.store.manifest import MANIFEST_FILE, Manifest
    from rag.store.sql import SQLiteDatabase

    found = []
    for home in sorted((Path(settings.data_dir) / "collections").glob("*/")):
        try:
            named = settings.replace(collection=home.name)
        except RagError:  # a folder that is no collection's name
            continue
        count = 0
        if (named.index_dir / MANIFEST_FILE).exists():
            manifest = Manifest(SQLiteDatabase(named.index_dir / MANIFEST_FILE))
            count = manifest.count()
            manifest.close()
        found.append((home.name, named.docs_dir, count))
    return found
