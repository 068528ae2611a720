"""The errors the engine raises. Front ends (CLI, UI) turn them into messages; messages say what to do."""

import errno


class RagError(Exception):
    """Base class: every error a user can cause or fix."""


class ConfigError(RagError):
    """A setting has a value the engine cannot use."""


class NoDocumentsError(RagError):
    """The documents folder is missing or holds nothing that can be indexed."""


class BadQuestionError(RagError):
    """The question is empty or too long."""


class BadUploadError(RagError):
    """An uploaded file cannot be added (type, size or name)."""


class UnknownDocumentError(RagError):
    """A document named by the caller is not in the collection."""


class UnknownConversationError(RagError):
    """No kept conversation has that id (deleted, or kept with another index)."""


class PortInUseError(RagError):
    """The chat's address is taken, most often by a chat already running."""


class IndexBusyError(RagError):
    """Another ingest holds the index's write lock for longer than the caller would wait."""


class IndexWriteError(RagError):
    """The index could not be written: the disk is full or the index folder read-only."""

    @classmethod
    def from_storage(cls, exc: BaseException) -> "IndexWriteError":
        return cls(f"the index could not be written ({type(exc).__name__}: {str(exc)[:160]}): is the disk full "
                   "or the index folder read-only? Free space or fix its permissions, then run the command again")


def is_storage_failure(exc: BaseException) -> bool:
    """Whether an error is the storage failing under the index (disk full, read-only, I/O)."""
    import sqlite3

    text = str(exc).lower()
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EIO, errno.EDQUOT):
        return True
    if isinstance(exc, sqlite3.OperationalError) and any(w in text for w in ("disk", "readonly", "read-only", "i/o")):
        return True
    # Chroma wraps its Rust store's failures (a full disk while compacting) in its own errors.
    return type(exc).__module__.startswith("chromadb") and any(
        w in text for w in ("disk", "space", "read-only", "readonly", "failed to apply logs", "i/o", "no space"))
