"""The index's write lock: one ingest at a time writes an index, in any process."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Optional

from rag.errors import IndexBusyError, IndexWriteError, is_storage_failure

log = logging.getLogger(__name__)

LOCK_FILE = "ingest.lock"


@contextlib.contextmanager
def ingest_lock(index_dir: Path, timeout: Optional[float] = None):
    """Hold the index's write lock; a second ingest of the same index waits for the first.

    The lock is an OS file lock, released by the kernel when its process dies, even by
    ``kill -9``: a killed ingest never leaves the index locked.
    """
    from filelock import FileLock, Timeout

    index_dir.mkdir(parents=True, exist_ok=True)
    # One instance per path and reentrant in this process: opening an older index upgrades
    # it under this same lock, and an ingest may be what opens it.
    lock = FileLock(str(index_dir / LOCK_FILE), is_singleton=True)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        log.warning("another ingest is writing %s: waiting for it to finish", index_dir)
        try:
            lock.acquire(timeout=-1 if timeout is None else timeout)
        except Timeout:
            raise IndexBusyError(
                f"another ingest is still writing {index_dir} after {timeout:.0f} s: try again when it has finished"
            ) from None
    except OSError as exc:  # a read-only index folder cannot take the lock file
        if not is_storage_failure(exc):
            raise
        raise IndexWriteError.from_storage(exc) from None
    try:
        yield
    finally:
        lock.release()
