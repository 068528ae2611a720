"""Conversations kept: each question and its answer, so a chat can be reopened and continued.

One SQLite file beside the index (``<index>/conversations.sqlite3``). A conversation is its
turns in order; an answer turn keeps the answer's JSON (citations, passages) so a reopened
chat can show its sources again. Text is stored as the engine gave it, never as markup: a
front end escapes it as it does any answer.

>>> import tempfile, pathlib
>>> store = Conversations(pathlib.Path(tempfile.mkdtemp()) / "c.sqlite3")
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
from pathlib import Path
from typing import Any, Optional

from rag.errors import UnknownConversationError

TITLE_CHARS = 80  # a new conversation is titled by its first question, cut to this

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS turns (
    conversation TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    position INTEGER NOT NULL, role TEXT NOT NULL, content TEXT NOT NULL, answer TEXT,
    PRIMARY KEY (conversation, position)
);
"""


@dataclass
class ConversationInfo:
    id: str
    title: str
    updated: float  # seconds since the epoch, of the last turn
    turns: int  # questions asked


class Conversations:
    """The kept conversations of one index: start, add turns, list, reopen, rename, delete."""

    def __init__(self, path: Path):
        from rag.manifest import open_index_db

        self.path = path
        self._db = open_index_db(path, _SCHEMA)
        self._db.execute("PRAGMA foreign_keys=ON")
        self._lock = threading.Lock()  # one connection shared by the chat's worker threads

    def start(self, title: str = "") -> str:
        cid = uuid.uuid4().hex[:16]
        now = time.time()
        with self._lock, self._db:
            self._db.execute("INSERT INTO conversations VALUES (?, ?, ?, ?)", (cid, title.strip(), now, now))
        return cid

    def add_turn(self, cid: str, question: str, answer_text: str, answer: Optional[dict[str, Any]] = None) -> None:
        """The question and its answer, at the end of the conversation (untitled: titled by it)."""
        with self._lock, self._db:
            row = self._db.execute("SELECT title FROM conversations WHERE id = ?", (cid,)).fetchall()
            if not row:
                raise _unknown(cid)
            position = self._db.execute("SELECT COUNT(*) FROM turns WHERE conversation = ?", (cid,)).fetchall()[0][0]
            self._db.executemany("INSERT INTO turns VALUES (?, ?, ?, ?, ?)", [
                (cid, position, "user", question, None),
                (cid, position + 1, "assistant", answer_text, json.dumps(answer) if answer is not None else None),
            ])
            title = row[0][0] or " ".join(question.split())[:TITLE_CHARS]
            self._db.execute("UPDATE conversations SET title = ?, updated = ? WHERE id = ?", (title, time.time(), cid))

    def list(self) -> list[ConversationInfo]:
        """Every conversation, the latest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT c.id, c.title, c.updated, COUNT(t.position) / 2 FROM conversations c "
                "LEFT JOIN turns t ON t.conversation = c.id GROUP BY c.id ORDER BY c.updated DESC"
            ).fetchall()
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
            return bool(self._db.execute("SELECT 1 FROM conversations WHERE id = ?", (cid,)).fetchall())

    def _turns(self, cid: str) -> list[tuple[str, str, Optional[str]]]:
        if not self.exists(cid):
            raise _unknown(cid)
        with self._lock:
            return self._db.execute(
                "SELECT role, content, answer FROM turns WHERE conversation = ? ORDER BY position", (cid,)
            ).fetchall()

    def _change(self, sql: str, args: tuple, cid: str) -> None:
        with self._lock, self._db:
            if not self._db.execute(sql, args).rowcount:
                raise _unknown(cid)

    def close(self) -> None:
        self._db.close()


def _unknown(cid: Optional[str]) -> UnknownConversationError:
    return UnknownConversationError(f"no conversation {cid}: it was deleted, or belongs to another index")
