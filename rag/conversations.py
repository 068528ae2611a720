"""Conversations kept: each question and its answer, so a chat can be reopened and continued.

One SQLite file beside the index (``<index>/conversations.sqlite3``), or tables in PostgreSQL
in server mode (``rag.store``), so any app replica can reopen any. A conversation is its
turns in order; an answer turn keeps the answer's JSON (citations, passages) so a reopened
chat can show its sources again. Text is stored as the engine gave it, never as markup: a
front end escapes it as it does any answer.

>>> import tempfile, pathlib
>>> from rag.store.sql import SQLiteDatabase
>>> store = Conversations(SQLiteDatabase(pathlib.Path(tempfile.mkdtemp()) / "c.sqlite3"))
>>> cid = store.start()
>>> store.add_turn(cid, "Who sent it?", "Gerasimov sent it. [1]")
>>> [m["role"] for m in store.messages(cid)], store.list()[0].title
(['user', 'assistant'], 'Who sent it?')
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any, Optional

from rag.errors import UnknownConversationError
from rag.store.base import Database
from rag.store.sql import Schema

TITLE_CHARS = 80  # a new conversation is titled by its first question, cut to this

_TABLES = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS turns (
    conversation TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    position INTEGER NOT NULL, role TEXT NOT NULL, content TEXT NOT NULL, answer TEXT,
    PRIMARY KEY (conversation, position)
);
"""
SCHEMA = Schema(sqlite=_TABLES, postgresql=_TABLES.replace("REAL", "DOUBLE PRECISION"))


@dataclass
class ConversationInfo:
    id: str
    title: str
    updated: float  # seconds since the epoch, of the last turn
    turns: int  # questions asked


class Conversations:
    """The kept conversations of one index: start, add turns, list, reopen, rename, delete."""

    def __init__(self, db: Database):
        self._db = db
        db.create(SCHEMA)
        if db.dialect == "sqlite":
            db.execute("PRAGMA foreign_keys=ON")  # PostgreSQL's are always on
        # One SQLite connection is shared by the chat's worker threads, and a new
        # conversation's turns are numbered by counting the ones before.
        self._lock = threading.Lock()

    def start(self, title: str = "") -> str:
        cid = uuid.uuid4().hex[:16]
        now = time.time()
        with self._lock, self._db.transaction():
            self._db.execute("INSERT INTO conversations VALUES (?, ?, ?, ?)", (cid, title.strip(), now, now))
        return cid

    def add_turn(self, cid: str, question: str, answer_text: str, answer: Optional[dict[str, Any]] = None) -> None:
        """The question and its answer, at the end of the conversation (untitled: titled by it)."""
        with self._lock, self._db.transaction():
            row = self._db.query("SELECT title FROM conversations WHERE id = ?", (cid,))
            if not row:
                raise _unknown(cid)
            position = self._db.query("SELECT COUNT(*) FROM turns WHERE conversation = ?", (cid,))[0][0]
            self._db.executemany("INSERT INTO turns VALUES (?, ?, ?, ?, ?)", [
                (cid, position, "user", question, None),
                (cid, position + 1, "assistant", answer_text, json.dumps(answer) if answer is not None else None),
            ])
            title = row[0][0] or " ".join(question.split())[:TITLE_CHARS]
            self._db.execute("UPDATE conversations SET title = ?, updated = ? WHERE id = ?", (title, time.time(), cid))

    def list(self) -> list[ConversationInfo]:
        """Every conversation, the latest first."""
        with self._lock:
            rows = self._db.query(
                "SELECT c.id, c.title, c.updated, COUNT(t.position) / 2 FROM conversations c "
                "LEFT JOIN turns t ON t.conversation = c.id GROUP BY c.id ORDER BY c.updated DESC"
            )
        return [ConversationInfo(cid, title or "New conversation", updated, turns) for cid, title, updated, turns in rows]

    def messages(self, cid: str) -> list[dict[str, str]]:
        """The turns as {"role", "content"} messages: the history ``RAG.ask`` takes."""
        return [{"role": role, "content": content} for role, content, _ in self._turns(cid)]

    def answers(self, cid: str) -> list[Optional[dict[str, Any]]]:
        """Each answer's JSON (``Answer.to_dict()``: citations, passages), in order; None for
        an answer kept without it."""
        return [json.loads(answer) if answer else None for role, _, answer in self._turns(cid) if role == "assistant"]

    def rename(self, cid: str, title: str) -> None:
        self._change("UPDATE conversations SET title = ? WHERE id = ?", (" ".join(title.split())[:TITLE_CHARS], cid), cid)

    def delete(self, cid: str) -> None:
        self._change("DELETE FROM conversations WHERE id = ?", (cid,), cid)

    def exists(self, cid: Optional[str]) -> bool:
        if not cid:
            return False
        with self._lock:
            return bool(self._db.query("SELECT 1 FROM conversations WHERE id = ?", (cid,)))

    def _turns(self, cid: str) -> list[tuple[str, str, Optional[str]]]:
        if not self.exists(cid):
            raise _unknown(cid)
        with self._lock:
            return self._db.query(
                "SELECT role, content, answer FROM turns WHERE conversation = ? ORDER BY position", (cid,)
            )

    def _change(self, sql: str, args: tuple, cid: str) -> None:
        with self._lock, self._db.transaction():
            if not self._db.execute(sql, args):
                raise _unknown(cid)

def _unknown(cid: Optional[str]) -> UnknownConversationError:
    return UnknownConversationError(f"no conversation {cid}: it was deleted, or belongs to another index")
