"""The RAG class: wires the index, question planning and the composer; what every front end calls.

>>> from rag import RAG
>>> r = RAG(docs_dir="seeds", index_dir="index")   # doctest: +SKIP
>>> r.ask("Who was the spokeswoman?").text          # doctest: +SKIP
'“In accordance with past practice, ...,” said spokeswoman Captain Paula Dunn. [1][2]'
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, Optional, Union

import rag.models  # noqa: F401  first: it sets the environment before Chroma loads
from rag.composers import Composer, Query, default_composer
from rag.config import Settings
from rag.errors import UnknownDocumentError
from rag.examples import Examples
from rag.followups import MAY, NEEDS, STANDS_ALONE, History, check_history, follow_up, messages
from rag.index import Index
from rag.library import Library
from rag.planning import Planner
from rag.questions import check_question
from rag.types import Answer, DocumentInfo, Evidence, IndexStatus, IngestReport, Progress



class RAG:
    """Question answering over a folder of documents, citing the sentences it answers with.

    Keyword arguments override settings; with none, ``Settings.from_env()`` decides
    (``RAG_DOCS_DIR``, ``RAG_INDEX_DIR``, ...).
    """

    def __init__(self, docs_dir: Union[str, Path, None] = None, index_dir: Union[str, Path, None] = None,
                 settings: Optional[Settings] = None, composer: Optional[Composer] = None, **overrides: Any):
        from rag.readers.isolated import IsolatedReader

        changes = {k: v for k, v in {"docs_dir": docs_dir, "index_dir": index_dir, **overrides}.items() if v is not None}
        for key in ("docs_dir", "index_dir"):
            if key in changes:
                changes[key] = Path(changes[key])
        self.settings = (settings or Settings.from_env()).replace(**changes)
        if self.settings.collection:  # a named collection's folder exists from the start, to put documents in
            self.settings.docs_dir.mkdir(parents=True, exist_ok=True)
        self.composer = composer or default_composer(self.settings)
        # Uploads and ingests read files through one reader process, started on first use.
        self.index = Index(self.settings, IsolatedReader(self.settings.read_limits))
        self.planner = Planner(self.index, self.settings.top_k)
        self.library = Library(self.settings, self.index)
        self._examples = Examples(self.planner, lambda: self.composer)

    @property
    def storage(self) -> Any:
        """Where the index lives (``rag.store.base.Storage``): the index folder, or servers."""
        return self.index.storage

    @property
    def passage_collection(self) -> Any:
        """The Chroma collection of passages."""
        return self.storage.passages

    @property
    def sentence_store(self) -> Any:
        """The sentences inside the passages, with their vectors (``rag.store.sentences.SentenceStore``)."""
        return self.storage.sentences

    @property
    def conversations(self) -> Any:
        """The kept conversations (``rag.conversations.Conversations``), where the index is."""
        return self.storage.conversations()

    def ingest(self, show_progress: bool = True, on_progress: Progress = None) -> IngestReport:
        """Bring the index in line with the documents folder; unchanged files cost nothing.

        Questions keep being answered while it runs (from what was indexed before); one
        ingest at a time writes an index, in this process or any other. ``on_progress(files
        done, files, file being read, texts embedded)`` follows it, file by file and passage
        group by passage group.
        """
        return self.index.ingest(show_progress, on_progress)

    def ask(self, question: str, history: Optional[History] = None, conversation: Optional[str] = None) -> Answer:
        """Answer from the documents, citing each sentence used; abstains when they do not say.

        ``history`` holds the earlier turns, so "When did he send it?" can follow
        "Who sent the proposal?". Or name a kept ``conversation`` (``self.conversations``):
        its turns are the history, and this question and its answer are added to it.
        """
        if conversation is None:
            return self._answer(question, history)
        answer = self._answer(question, self.conversations.messages(conversation))
        self.conversations.add_turn(conversation, question, answer.text, answer.to_dict())
        return answer

    def _answer(self, question: str, history: Optional[History]) -> Answer:
        query, mode = self._query(question, history)
        if self.composer.takes_history:
            return self.composer.compose(query, self.planner.evidence(query, mode != STANDS_ALONE))
        answer = self.composer.compose(query, self.planner.evidence(query, mode == NEEDS))
        if mode == MAY and answer.abstained:  # not answered on its own: perhaps it points back
            answer = self.composer.compose(query, self.planner.evidence(query, True))
        return answer

    def ask_stream(self, question: str, history: Optional[History] = None) -> Iterator[Answer]:
        """Like ``ask``, as snapshots whose ``text`` grows while a model writes; the last one
        is the final, verified answer (with the extractive composer: just that one)."""
        if not self.composer.takes_history:  # answered whole, with ask's second look at the conversation
            yield self.ask(question, history)
            return
        query, mode = self._query(question, history)
        yield from self.composer.compose_stream(query, self.planner.evidence(query, mode != STANDS_ALONE))

    def evidence(self, question: str, history: Optional[History] = None) -> tuple[Query, Evidence]:
        """The question as it is answered (a ``Query``: cleaned, its kind read) and what
        retrieval finds for it: what the composer reads (for benches, and LlamaIndex)."""
        query, mode = self._query(question, history)
        return query, self.planner.evidence(query, mode == NEEDS)

    def _query(self, question: Any, history: Any) -> tuple[Query, str]:
        """The question checked and read once, and whether it NEEDS, MAY need or STANDS_ALONE
        of the conversation (``rag.followups``)."""
        question = check_question(question, self.settings.max_question_chars)
        history = messages(check_history(history))  # read once, in whatever form it came
        return Query.of(question, history), follow_up(question, history)

    def as_retriever(self, top_k: Optional[int] = None) -> Any:
        """This engine's retrieval as a LlamaIndex ``BaseRetriever`` of cited-ready sentences
        (``rag.llamaindex.SentenceRetriever``)."""
        from rag.llamaindex import SentenceRetriever

        return SentenceRetriever(self, top_k)

    def as_query_engine(self) -> Any:
        """This engine as a LlamaIndex query engine: ``query(q)`` gives the cited answer, its
        citations as ``source_nodes`` (``rag.llamaindex.AnswerQueryEngine``)."""
        from rag.llamaindex import AnswerQueryEngine

        return AnswerQueryEngine(engine=self)

    def status(self) -> IndexStatus:
        """Which documents are indexed, with their titles, passage and page counts."""
        rows = self.index.manifest().documents()
        return IndexStatus([DocumentInfo(r.source, r.title, r.passages, r.pages) for r in rows])

    def source_text(self, source: str) -> str:
        """The indexed text of a document: what citation offsets index, for every format.

        >>> c = r.ask("Who sent the proposal?").citations[0]   # doctest: +SKIP
        >>> r.source_text(c.source)[c.start:c.end] == c.quote    # doctest: +SKIP
        True
        """
        row = self.index.manifest().get(source)
        if row is None:
            raise UnknownDocumentError(f"{source} is not an indexed document")
        return self.storage.read_text(row.version)

    def source_version(self, source: str) -> Optional[str]:
        """The indexed version of a document (``Citation.version`` names the one quoted), or
        None when it is no longer indexed."""
        row = self.index.manifest().get(source)
        return row.version if row is not None else None

    def original_path(self, source: str) -> Path:
        """The file in the documents folder that ``source`` was indexed from: an indexed
        document only (the folder may hold files that never were, a .env among them)."""
        return self.library.original_path(source)

    def example_questions(self, n: int = 3) -> list[str]:
        """A few questions to start from, each asked first and kept only when it is answered
        with at least two cited sentences (``rag.examples``)."""
        return self._examples.get(n)

    def add_document(self, filename: str, data: bytes, overwrite: bool = False, on_progress: Progress = None) -> IngestReport:
        """Save an uploaded file into the documents folder and index it. Refuses unsupported
        types, files over ``upload_max_bytes``, files that cannot be read (saying why), and
        (unless ``overwrite``) a name that an existing, different document already has."""
        return self.library.add(filename, data, overwrite, on_progress)

    def remove_document(self, source: str) -> IngestReport:
        """Take a document out of the documents folder and the index. The file is moved aside
        (``<index>/removed/``), not deleted: ``restore_document`` puts it back."""
        return self.library.remove(source)

    def restore_document(self, source: str) -> IngestReport:
        """Put back the latest removed copy of ``source`` and index it again; refuses when a
        document of that name has been added since."""
        return self.library.restore(source)


_default: Optional[RAG] = None


def ask(question: str, history: Optional[History] = None, conversation: Optional[str] = None) -> Answer:
    """Module-level shortcut over a default engine built from the settings."""
    global _default
    if _default is None:
        _default = RAG()
    return _default.ask(question, history=history, conversation=conversation)
