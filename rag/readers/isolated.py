"""Reading a file with a time and memory budget: parsers run in a child process.

A parser can hang on one hostile file (a pattern that backtracks, a C library looping on a
broken PDF) or inflate it into gigabytes, and a thread cannot be stopped; a process can.
``IsolatedReader`` keeps one reader process (``python -m rag.readers.isolated``, started on the
first file that needs it: a fresh interpreter, so it holds none of the parent's threads or
models and a user's script without a ``__main__`` guard is never re-run), sends it each file
over a socket, and waits at most
``read_seconds``; past that, or if the process dies or runs out of its ``read_memory_mb``
(an address-space limit), it is killed, the file is refused saying which budget it broke, and
the next file gets a fresh process.

Plain text is read here, in this process: its reader is a single linear pass over at most
``4 × max_document_chars`` bytes, and sending it across would only cost time (a folder of
notes is the common case). Markdown is parsed as the page it renders to, so it crosses.

Every failure comes back as ``UnreadableDocument`` with a reason a user can act on; a
parser's own exception is logged, not shown.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import subprocess
import sys
import threading
from multiprocessing.connection import Connection
from pathlib import Path, PurePath
from typing import Any, Optional

from rag.readers import read_document
from rag.readers.base import DEFAULT_LIMITS, ExtractedText, ReadLimits, UnreadableDocument

log = logging.getLogger(__name__)

IN_PROCESS_SUFFIXES = (".txt",)


def malformed(exc_name: str) -> str:
    return (f"could not be read: the file looks damaged or malformed ({exc_name}); "
            "open it in its program and save it again")


class IsolatedReader:
    """``read(name, raw)``: ``read_document`` under ``limits``' time and memory budget."""

    def __init__(self, limits: ReadLimits = DEFAULT_LIMITS):
        self.limits = limits
        self._process: Optional[Any] = None
        self._conn: Optional[Any] = None
        self._lock = threading.Lock()  # one file at a time through the one process
        self._last: Optional[tuple[tuple[str, str], ExtractedText]] = None

    def read(self, name: str, raw: bytes) -> ExtractedText:
        # An upload is read to check it, then again by the ingest that indexes it: the same
        # bytes are not parsed (or OCR'd) twice.
        key = (PurePath(name).suffix.lower(), hashlib.sha1(raw).hexdigest())
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        doc = self._read(name, raw)
        self._last = (key, doc)
        return doc

    def _read(self, name: str, raw: bytes) -> ExtractedText:
        here = PurePath(name).suffix.lower() in IN_PROCESS_SUFFIXES or not self.limits.read_seconds
        if here or os.name != "posix":  # the socket hand-over is POSIX's; elsewhere, no budget
            return _outcome(name, _attempt(name, raw, self.limits))
        return _outcome(name, self._read_in_child(name, raw))

    def _read_in_child(self, name: str, raw: bytes) -> tuple:
        with self._lock:
            conn = self._start()
            try:
                conn.send((name, raw, self.limits))
                if not conn.poll(self.limits.read_seconds):
                    self.close()
                    raise UnreadableDocument(
                        f"reading it took over {self.limits.read_seconds:g} s (RAG_READ_SECONDS): "
                        "stopped; the file may be malformed, or split it into parts"
                    )
                return conn.recv()
            except (EOFError, OSError):  # the process died: out of memory, or its parser crashed
                code = self._process.poll() if self._process is not None else None
                self.close()
                log.warning("the reader process died reading %s (exit code %s)", name, code)
                raise UnreadableDocument(
                    f"reading it needed more than {self.limits.read_memory_mb:,} MB of memory (RAG_READ_MEMORY_MB) "
                    "or crashed the reader: the file may be malformed, or split it into parts"
                ) from None

    def _start(self) -> Any:
        if self._process is None or self._process.poll() is not None:
            self.close()
            ours, theirs = socket.socketpair()
            # The child imports this package from where the parent found it, installed or not.
            root = str(Path(__file__).resolve().parents[2])
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
            self._process = subprocess.Popen(
                [sys.executable, "-m", "rag.readers.isolated", str(theirs.fileno()), str(self.limits.read_memory_mb)],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, env=env,
            )
            theirs.close()
            self._conn = Connection(ours.detach())
        return self._conn

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # at interpreter exit, modules may be gone: the child ends on EOF anyway
            pass

    def close(self) -> None:
        """Stop the reader process (a new one starts with the next file)."""
        if self._process is not None:
            self._process.kill()
            self._process.wait(timeout=10)
            self._conn.close()
        self._process = self._conn = None


def _attempt(name: str, raw: bytes, limits: ReadLimits) -> tuple:
    """("ok", text), ("unreadable", reason) or ("failed", (exception name, traceback))."""
    import traceback

    try:
        return "ok", read_document(name, raw, limits)
    except UnreadableDocument as exc:
        return "unreadable", str(exc)
    except MemoryError:
        return "unreadable", (f"reading it needed more than {limits.read_memory_mb:,} MB of memory "
                              "(RAG_READ_MEMORY_MB): split it into parts")
    except Exception as exc:  # RecursionError too: a parser failing on a malformed file
        return "failed", (type(exc).__name__, traceback.format_exc())


def _outcome(name: str, reply: tuple) -> ExtractedText:
    status, payload = reply
    if status == "ok":
        return payload
    if status == "failed":
        log.warning("reading %s failed:\n%s", name, payload[1])
        raise UnreadableDocument(malformed(payload[0]))
    raise UnreadableDocument(payload)


def _serve(conn: Any, memory_mb: int) -> None:
    """The reader process: (name, bytes, limits) in, ``_attempt``'s reply out."""
    if memory_mb:
        try:
            import resource  # POSIX only

            cap = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        except (ImportError, ValueError, OSError):
            pass
    while True:
        try:
            name, raw, limits = conn.recv()
        except (EOFError, OSError):
            return  # the parent went away
        reply = _attempt(name, raw, limits)
        try:
            conn.send(reply)
        except MemoryError:
            conn.send(("unreadable", f"its text needed more than {memory_mb:,} MB of memory to hand over"))


if __name__ == "__main__":
    _serve(Connection(int(sys.argv[1])), int(sys.argv[2]))
