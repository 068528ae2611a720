"""Question planning: what to search for, and which whole documents a question is about.

"What do the documents say about Jabari Square?" searches for Jabari Square; a follow-up that
points back searches with the conversation's last turn (``rag.followups``); a summary, a
subject or "Do the sources disagree?" also reads the documents it names (or, with none named,
a small collection whole, or the document just added).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Optional, Sequence

from rag.composers.base import Query
from rag.followups import turns, with_context
from rag.index import Index
from rag.questions import DISAGREEMENT, SUBJECT, SUMMARY, QuestionIntent, has_words
from rag.text import terms
from rag.types import Evidence

# A summary without a named document covers the whole collection up to this many documents.
MAX_SUMMARY_DOCUMENTS = 3
# A document modified this much later than every other one was added on its own.
JUST_ADDED_NS = 60 * 10**9
SUMMARY_SCAN_SENTENCES = 3000  # of each document: a summary of a book reads its first part
# Words a question may add to a document's title or name: "the apt handbook page".
_DOCUMENT_WORDS = frozenset(terms("page pages document documents doc file files article text chapter pdf web webpage html"))


class Planner:
    def __init__(self, index: Index, top_k: int):
        self.index, self.top_k = index, top_k

    def evidence(self, query: Query, context: bool = False) -> Evidence:
        """What retrieval finds for a query (with the conversation's last turn when
        ``context``), and the documents it is about."""
        if self.index.manifest().count() == 0:
            self.index.ingest(show_progress=False)  # first use: index the documents folder
        question, intent, history = query.text, query.intent, list(query.history)
        asked = intent.subject or question
        query = with_context(asked, history) if context else asked
        retriever = self.index.retriever()
        evidence = retriever.retrieve(query, top_k=self.top_k)
        if query != asked:  # a follow-up: the composer weighs what is asked now too
            import numpy as np

            evidence.asked_embedding = np.asarray(retriever.embed_query(question), dtype=np.float32)
        if intent.kind in (SUMMARY, SUBJECT, DISAGREEMENT):
            # Only a comparison looks back at the conversation (a retrieval of its own).
            found = self.conversation_sources(history) if intent.kind == DISAGREEMENT else []
            sources = self.documents_in_question(intent, question, found)
            if sources:  # a summary of these documents
                evidence.documents = retriever.document_sentences(sources, SUMMARY_SCAN_SENTENCES)
        return evidence

    def conversation_sources(self, history: Optional[list]) -> list[str]:
        """The documents that answer the conversation's last question ("Who sent the
        proposal?" before "Do the sources disagree?"), best first."""
        asked = [text for role, text in turns(history) if role == "user" and has_words(text)]
        if not asked:
            return []
        found = self.index.retriever().retrieve(asked[-1], top_k=self.top_k)
        return list(dict.fromkeys(p.source for p in found.passages))

    def documents_in_question(self, intent: QuestionIntent, question: str = "", found: Sequence[str] = ()) -> list[str]:
        """The documents a summary is of: those whose title or file name the question names;
        with none named, the whole collection when it is small, else the newest document
        ("summarize this" after adding one). A subject that names no document: none.

        "Do the sources disagree?" compares the files the question names, else, in a
        conversation, the documents retrieval ``found`` for it and the turns before ("Who sent
        the proposal? ... Do the sources disagree?"), else what a summary would read."""
        rows = self.index.manifest().documents()
        if intent.kind == DISAGREEMENT:
            asked = question.lower()
            named = [r.source for r in rows if r.source.lower() in asked or Path(r.source).name.lower() in asked]
            chosen = named if len(named) >= 2 else list(found) if len(found) >= 2 else []
            if chosen:
                return chosen[:MAX_SUMMARY_DOCUMENTS]
            # No topic, and too many documents to compare them all: the composer asks which.
            return [r.source for r in rows] if len(rows) <= MAX_SUMMARY_DOCUMENTS else []
        if intent.subject:
            wanted = set(terms(intent.subject))
            named = [r.source for r in rows if wanted and names_document(wanted, intent.kind, r, intent.subject)]
            return named[:MAX_SUMMARY_DOCUMENTS]
        if intent.kind not in (SUMMARY, DISAGREEMENT):
            return []
        newest = sorted(rows, key=lambda r: -r.mtime_ns)
        # "Summarize this" right after an upload means the upload, not the whole collection;
        # files that arrived together (a clone, a copied folder) have no "this" among them.
        just_added = len(newest) == 1 or (len(newest) > 1 and newest[0].mtime_ns - newest[1].mtime_ns > JUST_ADDED_NS)
        if intent.this and just_added:
            return [newest[0].source]
        if len(rows) <= MAX_SUMMARY_DOCUMENTS:
            return [r.source for r in rows]
        return [newest[0].source]


def names_document(wanted: set[str], kind: str, row: Any, said: str = "") -> bool:
    """Whether a question's subject names this document. "Summarize the Python tutorial" needs
    only its words in the title or file name ("summarize the apt handbook page": words that
    say "document" may be extra); "What is X about?" needs X to be most of the title, or "What
    do the documents say about Syria?" would summarize every Syria article. A file's own name
    ("summarize handbook-apt.html") names it, whatever the kind."""
    if said and said.strip().lower() in {row.source.lower(), Path(row.source).name.lower()}:
        return True
    own = set(terms(f"{row.title} {words_of_name(row.source)}"))
    title = set(terms(row.title)) or own
    return (
        bool(wanted & own) and (wanted - own) <= _DOCUMENT_WORDS
        and (kind == SUMMARY or len(wanted & title) >= len(title) / 2)
    )


def words_of_name(source: str) -> str:
    """A file's name as words, its type too: "russia-seeks-us-help.txt" -> "russia seeks us help txt"."""
    return re.sub(r"[\W_]+", " ", Path(source).name)
