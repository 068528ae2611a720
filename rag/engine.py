"""The RAG class: wires ingest, retrieve and compose; what every front end calls.

>>> from rag import RAG
>>> r = RAG(docs_dir="seeds", index_dir="index")   # doctest: +SKIP
>>> r.ask("Who was the spokeswoman?").text          # doctest: +SKIP
'“In accordance with past practice, ...,” said spokeswoman Captain Paula Dunn. [1][2]'
"""

from __future__ import annotations

import re
import shutil
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence, Union

import rag.models  # noqa: F401  first: it sets the environment before Chroma loads
from rag.compose import Composer, ExtractiveComposer
from rag.config import Settings
from rag.errors import BadQuestionError, BadUploadError, RagError, UnknownDocumentError
from rag.questions import DISAGREEMENT, SUBJECT, SUMMARY, QuestionIntent, clean_question, has_words, read_question
from rag.text import terms
from rag.types import Answer, DocumentInfo, IndexStatus, IngestReport

History = Iterable[Any]  # [{"role": "user", "content": "..."}, ...] or [(user, assistant), ...]

# Words that point back at an earlier turn: "When did he send it?" A person pronoun or an
# ellipsis ("What about Jordan?") needs the conversation; "it", "this", "there" often do not
# ("How much money would it take to rebuild the country?"): such a question is answered as
# asked first, and with the conversation only when it is not answered on its own.
_NEEDS_CONTEXT = re.compile(
    r"\b(?:he|she|they|him|her|them|his|hers|its|their|theirs)\b|^\s*(?:and|what about|how about|what of|same for)\b", re.I)
_MAY_NEED_CONTEXT = re.compile(r"\b(?:it|this|that|these|those|there|then)\b", re.I)
NEEDS, MAY, STANDS_ALONE = "needs", "may", "stands alone"
MAX_ELLIPSIS_WORDS = 3  # "And Jordan?", "Why?": too short to stand alone
# Letters of any script stay in an upload's name ("日本語.txt"); anything else becomes "_".
_SAFE_NAME = re.compile(r"[^\w.-]+")
MAX_NAME_BYTES = 200  # file systems allow 255; room for the hidden staging name
_SURROGATE = re.compile("[\ud800-\udfff]")
# Two or three capitalised words in a row, not starting with "The": "Valery Gerasimov". An
# honorific is left out of an example question's subject ("Mr Al Assad" -> "Al Assad").
_HONORIFICS = frozenset("Mr Mrs Ms Dr Prof President General Gen Captain Secretary Minister Chief Sir".split())
EXAMPLE_PASSAGES = 2000
EXAMPLE_COUNT = 4  # example questions found (and kept per index generation)
# A summary without a named document covers the whole collection up to this many documents.
MAX_SUMMARY_DOCUMENTS = 3
# A document modified this much later than every other one was added on its own.
JUST_ADDED_NS = 60 * 10**9
SUMMARY_SCAN_SENTENCES = 3000  # of each document: a summary of a book reads its first part
_PROPER_NAME = re.compile(r"\b(?!The\b)[A-Z][a-z]+(?: [A-Z][a-z]+){1,2}\b")


class RAG:
    """Question answering over a folder of documents, citing the sentences it answers with.

    Keyword arguments override settings; with none, ``Settings.from_env()`` decides
    (``RAG_DOCS_DIR``, ``RAG_INDEX_DIR``, ...).
    """

    def __init__(
        self,
        docs_dir: Union[str, Path, None] = None,
        index_dir: Union[str, Path, None] = None,
        settings: Optional[Settings] = None,
        composer: Optional[Composer] = None,
        **overrides: Any,
    ):
        base = settings or Settings.from_env()
        changes = {k: v for k, v in {"docs_dir": docs_dir, "index_dir": index_dir, **overrides}.items() if v is not None}
        for key in ("docs_dir", "index_dir"):
            if key in changes:
                changes[key] = Path(changes[key])
        self.settings = base.replace(**changes)
        if self.settings.collection:  # a named collection's folder exists from the start, to put documents in
            self.settings.docs_dir.mkdir(parents=True, exist_ok=True)
        self.composer = composer or _default_composer(self.settings)
        self._lock = threading.RLock()
        self._storage: Any = None  # rag.store.base.Storage, opened on first use
        self._retriever: Any = None
        self._generation: Optional[int] = None  # of the index the retriever was built on
        from rag.retrieve import LexicalKeeper

        self._lexical = LexicalKeeper(lambda: self.storage)
        self._lexical_builds = 0  # the keeper's background builds the retriever has seen
        self._ingesting = False
        self._examples: dict[int, list[str]] = {}  # index generation -> example questions
        from rag.readers.isolated import IsolatedReader

        # Uploads and ingests read files through one reader process, started on first use.
        self._file_reader = IsolatedReader(self.settings.read_limits)

    # --- set-up, lazily: `rag --help` and the UI's first paint need none of it ----------

    @property
    def storage(self) -> Any:
        """Where the index lives (``rag.store.base.Storage``): the index folder, or servers."""
        with self._lock:
            if self._storage is None:
                from rag.store import open_storage

                self._storage = open_storage(self.settings)
            return self._storage

    @property
    def passage_collection(self) -> Any:
        """The Chroma collection of passages."""
        return self.storage.passages

    @property
    def sentence_store(self) -> Any:
        """The sentences inside the passages, with their vectors (``rag.store.sentences.SentenceStore``)."""
        return self.storage.sentences

    def _manifest(self) -> Any:
        return self.storage.manifest()

    def _get_retriever(self) -> Any:
        """The retriever over the index as it is now. When another process (a separate
        ``rag ingest``, another replica) changed the index, the store is reopened to see it."""
        with self._lock:
            storage = self.storage
            generation = storage.generation()
            fresh_lexical = self._lexical.builds != self._lexical_builds  # rebuilt in the background
            if self._retriever is not None and generation == self._generation and not fresh_lexical:
                return self._retriever
            from rag.models import embedder
            from rag.retrieve import HybridRetriever, is_current

            # Another process wrote: reopen the store to see it. (This process's own ingest
            # writes through the open store, which sees its writes already.)
            if self._generation is not None and generation != self._generation and not self._ingesting:
                storage.refresh()
            # Nodes of a version being written or deleted by a running ingest are never used:
            # source_text() returns the committed version, which their offsets do not index.
            versions = self._manifest().versions()
            self._lexical_builds = self._lexical.builds
            lexical = self._lexical.current(generation, versions)
            self._retriever = HybridRetriever(
                storage.passages, storage.sentences, embedder(), lexical,
                # A lexical index older than the store (an ingest is running, or was killed)
                # may name passages that are gone: the retriever then checks its hits.
                lexical_current=lexical is not None and lexical.generation == generation,
                is_current=is_current(versions),
            )
            self._generation = generation
            return self._retriever

    # --- public API ---------------------------------------------------------------------

    def ingest(self, show_progress: bool = True,
               on_progress: Optional[Callable[[int, int, str, int], None]] = None) -> IngestReport:
        """Bring the index in line with the documents folder; unchanged files cost nothing.

        Questions keep being answered while it runs (from what was indexed before); one
        ingest at a time writes an index, in this process or any other. ``on_progress(files
        done, files, file being read, texts embedded)`` follows it, file by file and passage
        group by passage group.
        """
        from rag.ingest import Ingestor
        from rag.models import embedder

        storage = self.storage
        with storage.lock():
            with self._lock:
                if self._generation is not None and storage.generation() != self._generation:
                    storage.refresh()  # another process wrote since
                self._ingesting = True
            try:
                report = Ingestor(self.settings, storage, embedder(), reader=self._file_reader).run(
                    show_progress=show_progress, before_publish=self._lexical.rebuild, on_progress=on_progress
                )
            finally:
                self._ingesting = False
            generation = storage.generation()
            with self._lock:
                self._retriever = None
                self._generation = generation  # this process wrote it: its store already sees it
            return report

    def ask(self, question: str, history: Optional[History] = None, conversation: Optional[str] = None) -> Answer:
        """Answer from the documents, citing each sentence used; abstains when they do not say.

        ``history`` holds the earlier turns, so "When did he send it?" can follow
        "Who sent the proposal?". Or name a kept ``conversation`` (``self.conversations``):
        its turns are the history, and this question and its answer are added to it.
        """
        if conversation is not None:
            answer = self._answer(question, self.conversations.messages(conversation))
            self.conversations.add_turn(conversation, question, answer.text, answer.to_dict())
            return answer
        return self._answer(question, history)

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

    @property
    def conversations(self) -> Any:
        """The kept conversations (``rag.conversations.Conversations``), where the index is."""
        return self.storage.conversations()

    def _answer(self, question: str, history: Optional[History]) -> Answer:
        question, history = self._check_question(question), _check_history(history)
        mode = _follow_up(question, history)
        if getattr(self.composer, "takes_history", False):
            question, history, evidence = self._evidence(question, history, mode != STANDS_ALONE)
            return self.composer.compose(question, evidence, history=_messages(history))
        question, history, evidence = self._evidence(question, history, mode == NEEDS)
        answer = self.composer.compose(question, evidence)
        if mode == MAY and answer.abstained:  # not answered on its own: perhaps it points back
            question, history, evidence = self._evidence(question, history, True)
            answer = self.composer.compose(question, evidence)
        return answer

    def ask_stream(self, question: str, history: Optional[History] = None) -> Iterator[Answer]:
        """Like ``ask``, as snapshots whose ``text`` grows while a model writes; the last one
        is the final, verified answer (with the extractive composer: just that one)."""
        stream = getattr(self.composer, "compose_stream", None)
        if stream is None:
            yield self.ask(question, history)
            return
        question, history = self._check_question(question), _check_history(history)
        question, history, evidence = self._evidence(question, history, _follow_up(question, history) != STANDS_ALONE)
        yield from stream(question, evidence, history=_messages(history))

    def _evidence(
        self, question: str, history: Optional[History], with_context: bool = False
    ) -> tuple[str, Optional[list], Any]:
        """The cleaned question and history, and what retrieval found for them (for the
        question with the conversation's last turn when ``with_context``)."""
        question = self._check_question(question)
        history = _check_history(history)
        if self._manifest().count() == 0:
            self.ingest(show_progress=False)  # first use: index the documents folder
        intent = read_question(question)
        # "What do the documents say about Jabari Square?" searches for Jabari Square.
        query = _with_context(intent.subject or question, history) if with_context else (intent.subject or question)
        retriever = self._get_retriever()
        evidence = retriever.retrieve(query, top_k=self.settings.top_k)
        if query != (intent.subject or question):  # a follow-up: the composer weighs what is asked now too
            import numpy as np

            evidence.asked_embedding = np.asarray(retriever.embed_query(question), dtype=np.float32)
        if intent.kind in (SUMMARY, SUBJECT, DISAGREEMENT):
            # Only a comparison looks back at the conversation (a retrieval of its own).
            found = self._conversation_sources(history) if intent.kind == DISAGREEMENT else []
            sources = self._documents_in_question(intent, question, found)
            if sources:  # a summary of these documents
                evidence.documents = retriever.document_sentences(sources, SUMMARY_SCAN_SENTENCES)
        return question, history, evidence

    def _conversation_sources(self, history: Optional[list]) -> list[str]:
        """The documents that answer the conversation's last question ("Who sent the
        proposal?" before "Do the sources disagree?"), best first."""
        asked = [text for role, text in _turns(history) if role == "user" and has_words(text)]
        if not asked:
            return []
        found = self._get_retriever().retrieve(asked[-1], top_k=self.settings.top_k)
        return list(dict.fromkeys(p.source for p in found.passages))

    def _documents_in_question(self, intent: QuestionIntent, question: str = "", found: Sequence[str] = ()) -> list[str]:
        """The documents a summary is of: those whose title or file name the question names;
        with none named, the whole collection when it is small, else the newest document
        ("summarize this" after adding one). A subject that names no document: none.

        "Do the sources disagree?" compares the files the question names, else, in a
        conversation, the documents retrieval ``found`` for it and the turns before ("Who sent
        the proposal? ... Do the sources disagree?"), else what a summary would read."""
        rows = self._manifest().documents()
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
            named = [r.source for r in rows if wanted and _names_document(wanted, intent.kind, r, intent.subject)]
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

    def status(self) -> IndexStatus:
        """Which documents are indexed, with their titles, passage and page counts."""
        rows = self._manifest().documents()
        return IndexStatus([DocumentInfo(r.source, r.title, r.passages, r.pages) for r in rows])

    def source_text(self, source: str) -> str:
        """The indexed text of a document: what citation offsets index, for every format.

        >>> c = r.ask("Who sent the proposal?").citations[0]   # doctest: +SKIP
        >>> r.source_text(c.source)[c.start:c.end] == c.quote    # doctest: +SKIP
        True
        """
        row = self._manifest().get(source)
        if row is None:
            raise UnknownDocumentError(f"{source} is not an indexed document")
        return self.storage.read_text(row.version)

    def source_version(self, source: str) -> Optional[str]:
        """The indexed version of a document (``Citation.version`` names the one quoted), or
        None when it is no longer indexed."""
        row = self._manifest().get(source)
        return row.version if row is not None else None

    def original_path(self, source: str) -> Path:
        """The file in the documents folder that ``source`` was indexed from: an indexed
        document only (the folder may hold files that never were, a .env among them)."""
        if self._manifest().get(source) is None:
            raise UnknownDocumentError(f"{source} is not an indexed document")
        return self._document_path(source)

    def example_questions(self, n: int = 3) -> list[str]:
        """A few questions to start from, each asked first and kept only when it is answered
        with at least two cited sentences: a summary, whether the sources disagree (a few
        documents), then the names the documents mention most."""
        generation = self.storage.generation()
        cached = self._examples.get(generation)
        if cached is None:
            # Asked of the extractive composer: quick, and a model's answer would say no more.
            composer = getattr(self.composer, "fallback", self.composer)
            cached = []
            for candidate in self._example_candidates():
                if len(cached) == EXAMPLE_COUNT:
                    break  # asked on every page load of a new index: no more than needed
                question, _, evidence = self._evidence(candidate, None)
                if _answers_well(composer.compose(question, evidence)):
                    cached.append(candidate)
            self._examples = {generation: cached}
        return cached[:n]

    def _example_candidates(self) -> list[str]:
        documents = self.status().documents
        if not documents:
            return []
        if len(documents) <= MAX_SUMMARY_DOCUMENTS:
            summary = "Summarize the documents" if len(documents) > 1 else "Summarize the document"
        else:
            summary = f"What is {documents[0].title!r} about?"
        # The first few thousand passages are plenty to find the main names, at any size.
        got = self.passage_collection.get(include=["documents", "metadatas"], limit=EXAMPLE_PASSAGES)
        mentions: dict[str, list[str]] = {}
        for text, meta in zip(got["documents"], got["metadatas"]):
            for match in _PROPER_NAME.finditer(text):
                words = match.group().split()
                while words and words[0] in _HONORIFICS:  # "Captain Paula Dunn" is about Paula Dunn
                    words = words[1:]
                if len(words) >= 2 and not _starts_sentence(text, match.start()):
                    mentions.setdefault(" ".join(words), []).append(meta["source"])
        # Names that several documents mention, then the most mentioned, are the main subjects.
        names = sorted(
            (k for k in mentions if len(mentions[k]) > 1), key=lambda k: (-len(set(mentions[k])), -len(mentions[k]), k)
        )[: 2 * EXAMPLE_COUNT]
        corpus = "\n".join(got["documents"]).lower()
        # "the United States" when the documents say so.
        subjects = [f"the {n}" if corpus.count(f"the {n.lower()}") * 2 >= corpus.count(n.lower()) else n for n in names]
        # Offered only where it finds something: a "no disagreement" answer cites nothing.
        compare = ["Do the sources disagree?"] if 1 < len(documents) <= MAX_SUMMARY_DOCUMENTS else []
        return [summary] + compare + [f"What do the documents say about {subject}?" for subject in subjects]

    def add_document(self, filename: str, data: bytes, overwrite: bool = False,
                     on_progress: Optional[Callable[[int, int, str, int], None]] = None) -> IngestReport:
        """Save an uploaded file into the documents folder and index it.

        Refuses unsupported types, files over ``upload_max_bytes``, files that cannot be
        read (saying why), and (unless ``overwrite``) a name that an existing, different
        document already has.
        """
        from rag.readers import SUPPORTED_SUFFIXES, UnreadableDocument

        name = _upload_name(filename)
        suffix = Path(name).suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            raise BadUploadError(f"{_clean(Path(filename).name)}: only {', '.join(SUPPORTED_SUFFIXES)} files can be added")
        if len(data) > self.settings.upload_max_bytes:
            raise BadUploadError(
                f"{name} is {len(data):,} bytes; the limit is {self.settings.upload_max_bytes:,} (RAG_UPLOAD_MAX_BYTES)"
            )
        try:
            self._file_reader.read(name, data)
        except UnreadableDocument as exc:
            raise BadUploadError(f"{name} cannot be indexed: {exc}") from None
        target = self.settings.docs_dir / name
        if target.is_dir():
            raise BadUploadError(f"the documents folder has a folder named {name}; rename the file")
        if target.exists() and target.read_bytes() != data and not overwrite:
            raise BadUploadError(f"a different document named {name} already exists; rename the file or choose to replace it")
        # Saved and indexed under the index's write lock (taken again by ingest: reentrant),
        # waiting at most upload_wait_seconds for another ingest: IndexBusyError then says so,
        # and nothing was saved.
        with self.storage.lock(timeout=self.settings.upload_wait_seconds):
            self.settings.docs_dir.mkdir(parents=True, exist_ok=True)
            staging = target.with_name(f".{name}.upload")  # hidden, so a concurrent ingest ignores it
            staging.write_bytes(data)
            staging.replace(target)
            return self.ingest(show_progress=False, on_progress=on_progress)

    def remove_document(self, source: str) -> IngestReport:
        """Take a document out of the documents folder and the index. The file is moved aside
        (``<index>/removed/``), not deleted: ``restore_document`` puts it back."""
        path = self._document_path(source)
        aside = self._removed_dir / f"{time.time_ns()}" / source
        aside.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(path), str(aside))
        return self.ingest(show_progress=False)

    def restore_document(self, source: str) -> IngestReport:
        """Put back the latest removed copy of ``source`` and index it again; refuses when a
        document of that name has been added since."""
        if ".." in Path(source).parts or Path(source).is_absolute():
            raise UnknownDocumentError(f"{source} is not a removed document")
        copies = sorted((stamp for stamp in self._removed_dir.glob("[0-9]*") if (stamp / source).is_file()),
                        key=lambda stamp: int(stamp.name))
        if not copies:
            raise UnknownDocumentError(f"{source} is not a removed document")
        target = self.settings.docs_dir / source
        if target.exists():
            raise BadUploadError(f"a document named {source} has been added since; rename or remove it first")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(copies[-1] / source), str(target))
        return self.ingest(show_progress=False)

    @property
    def _removed_dir(self) -> Path:
        return self.settings.index_dir / "removed"

    # --- helpers ------------------------------------------------------------------------

    def _document_path(self, source: str) -> Path:
        """The file for ``source``, refusing anything outside the documents folder."""
        root = self.settings.docs_dir.resolve()
        path = (root / source).resolve()
        if root not in path.parents or not path.is_file():
            raise UnknownDocumentError(f"{source} is not a document in {self.settings.docs_dir}")
        return path

    def _check_question(self, question: Any) -> str:
        if not isinstance(question, str) or not question.strip():
            raise BadQuestionError("the question is empty: type a question about the documents")
        if len(question) > self.settings.max_question_chars:
            raise BadQuestionError(
                f"the question is {len(question):,} characters long: shorten it to "
                f"{self.settings.max_question_chars:,} or fewer"
            )
        question = clean_question(question)
        if not has_words(question):
            raise BadQuestionError("the question has no words in it: type a question about the documents")
        return question


def _clean(text: str) -> str:
    """Text without lone UTF-16 surrogates (valid in JSON, so they reach the HTTP API, but
    not encodable: the tokenizer would fail on them)."""
    return _SURROGATE.sub("\ufffd", text)


def _starts_sentence(text: str, i: int) -> bool:
    """Whether text[i] begins a sentence or a line, where any word is capitalised."""
    before = text[:i].rstrip(" \t\"“‘'(")
    return not before or before[-1] in ".!?\n"


def _default_composer(settings: Settings) -> Composer:
    """Extractive answers; a model's, checked, when RAG_LLM_BASE_URL names a server."""
    reader = None
    if settings.reader:
        from rag.reader import Reader

        reader = Reader.shipped()  # None, with a warning, if the model file is missing
    verifier = None
    if settings.verifier:
        from rag.verify import Verifier

        verifier = Verifier.shipped()  # None, with a warning, if the model file is missing
    extractive = ExtractiveComposer(
        abstain_threshold=settings.abstain_threshold,
        max_sentences=settings.max_answer_sentences,
        max_words=settings.max_answer_words,
        reader=reader, reader_threshold=settings.reader_threshold, reader_candidates=settings.reader_candidates,
        reader_keep_within=settings.reader_keep_within, reader_feature_weight=settings.reader_feature_weight,
        reader_confidence_share=settings.reader_confidence_share, verifier=verifier,
    )
    if not settings.llm_base_url:
        return extractive
    from rag.llm import LLMComposer
    from rag.models import embedder

    return LLMComposer(settings, extractive, lambda texts: embedder().encode(texts))


def _answers_well(answer: Answer) -> bool:
    return not answer.abstained and len(answer.citations) >= 2


def _names_document(wanted: set[str], kind: str, row: Any, said: str = "") -> bool:
    """Whether a question's subject names this document. "Summarize the Python tutorial" needs
    only its words in the title or file name ("summarize the apt handbook page": words that
    say "document" may be extra); "What is X about?" needs X to be most of the title, or "What
    do the documents say about Syria?" would summarize every Syria article. A file's own name
    ("summarize handbook-apt.html") names it, whatever the kind."""
    if said and said.strip().lower() in {row.source.lower(), Path(row.source).name.lower()}:
        return True
    own = set(terms(f"{row.title} {_words_of_name(row.source)}"))
    title = set(terms(row.title)) or own
    return (
        bool(wanted & own) and (wanted - own) <= _DOCUMENT_WORDS
        and (kind == SUMMARY or len(wanted & title) >= len(title) / 2)
    )


# Words a question may add to a document's title or name: "the apt handbook page".
_DOCUMENT_WORDS = frozenset(terms("page pages document documents doc file files article text chapter pdf web webpage html"))


def _words_of_name(source: str) -> str:
    """A file's name as words, its type too: "russia-seeks-us-help.txt" -> "russia seeks us help txt"."""
    return re.sub(r"[\W_]+", " ", Path(source).name)


def _upload_name(filename: str) -> str:
    """A safe file name for an upload: no folders, letters of any script kept, short enough
    for any file system ("x" * 300 + ".txt" keeps its suffix)."""
    name = _SAFE_NAME.sub("_", _clean(Path(str(filename)).name)).strip("._") or "document"
    stem, suffix = Path(name).stem, Path(name).suffix[:16]
    while len((stem + suffix).encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return (stem or "document") + suffix


def _check_history(history: Any) -> Optional[list]:
    if history is None:
        return None
    if isinstance(history, (str, bytes)) or not isinstance(history, (list, tuple)):
        raise BadQuestionError(
            "history must be a list of earlier turns: {'role': 'user' or 'assistant', 'content': text} "
            "or (question, answer) pairs"
        )
    return list(history)


def _turns(history: Optional[History]) -> list[tuple[str, str]]:
    """(role, text) for each earlier turn, from message dicts or (user, assistant) pairs."""
    turns = []
    for turn in history or []:
        if isinstance(turn, dict):
            turns.append((turn.get("role", "user"), _content_text(turn.get("content"))))
        elif isinstance(turn, (list, tuple)) and turn:
            turns.append(("user", _content_text(turn[0])))
            if len(turn) > 1 and turn[1]:
                turns.append(("assistant", _content_text(turn[1])))
    return turns


def _messages(history: Optional[History]) -> list[dict[str, str]]:
    """Earlier turns as {"role", "content"} messages, whichever form they came in."""
    return [{"role": role, "content": text} for role, text in _turns(history)]


def _content_text(content: Any) -> str:
    """Message content as text: a string, or a list of parts such as {"type": "text", "text": ...}.
    Lone surrogates are removed, as from the question ("spokes\\udfffwoman" is "spokeswoman"):
    the earlier turn is part of a follow-up's search."""
    if isinstance(content, str):
        return _SURROGATE.sub("", content)
    if isinstance(content, (list, tuple)):
        return " ".join(_content_text(p.get("text", "") if isinstance(p, dict) else p) for p in content)
    return ""


def _with_context(question: str, history: Optional[History]) -> str:
    """The retrieval query. A follow-up that points back ("When did he send it?") carries the
    last question and the names its answer gave ("Valery Gerasimov"), which is what the
    pronouns most likely stand for."""
    turns = _turns(history)
    users = [text for role, text in turns if role == "user"]
    if not users:
        return question
    last_user = max(i for i, (role, _) in enumerate(turns) if role == "user")
    answer = next((text for role, text in turns[last_user + 1 :] if role == "assistant"), "")
    # The answer's first name is usually who or what it is about; more names drift the query.
    names = [n for n in _PROPER_NAME.findall(answer) if n not in users[-1]][:1]
    return " ".join([users[-1], *names, question])


def _follow_up(question: str, history: Optional[list]) -> str:
    """Whether a question NEEDS the conversation, MAY need it, or STANDS_ALONE."""
    if not any(role == "user" for role, _ in _turns(history)):
        return STANDS_ALONE
    if _NEEDS_CONTEXT.search(question) or len(question.split()) <= MAX_ELLIPSIS_WORDS:
        return NEEDS
    return MAY if _MAY_NEED_CONTEXT.search(question) else STANDS_ALONE


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


_default: Optional[RAG] = None


def ask(question: str, history: Optional[History] = None, conversation: Optional[str] = None) -> Answer:
    """Module-level shortcut over a default engine built from the settings."""
    global _default
    if _default is None:
        _default = RAG()
    return _default.ask(question, history=history, conversation=conversation)

