"""Plain data that crosses stage boundaries. No llama-index or Chroma types leave the engine.

Offsets (``start``, ``end``) are character offsets into the document's extracted text, the
text ``RAG.source_text(source)`` returns (for ``.txt`` and ``.md`` the file's own text):
``source_text[start:end] == quote``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Optional, Sequence


# Follows an ingest: (files done, files, file being read, texts embedded so far).
Progress = Optional[Callable[[int, int, str, int], None]]

@dataclass
class Citation:
    """One cited sentence: ``number`` is the ``[n]`` marker in the answer text."""

    number: int
    source: str  # path relative to the documents folder
    title: str  # the document's first line
    quote: str  # exactly source_text[start:end]
    start: int
    end: int
    score: float
    page: Optional[int] = None  # 1-based page the quote starts on, for paged documents (PDF)
    section: str = ""  # the heading the quote falls under (Markdown, HTML, Word)
    # The document version quoted (rag.store.manifest): after the file is replaced, the offsets
    # index the old text, and RAG.source_version(source) tells that it changed.
    version: str = ""


@dataclass
class Passage:
    """A retrieved chunk of a document, shown as context and offered when the answer abstains."""

    source: str
    title: str
    text: str
    start: int
    end: int
    score: float
    page: Optional[int] = None
    section: str = ""
    # For an abstention: the passage's sentence most likely to answer, as document offsets
    # (the chat highlights it); None when no sentence of the passage was read.
    likely_start: Optional[int] = None
    likely_end: Optional[int] = None


@dataclass
class ConflictVersion:
    value: str  # e.g. "Dunford"
    citation: int  # the [n] that states this version
    source: str


@dataclass
class Conflict:
    """Cited sources state the same fact with a different value in the same place."""

    kind: str  # "name" (a person, organisation or place), "date", "number" or "other"
    versions: list[ConflictVersion]


@dataclass
class Flag:
    """A sentence of a model's answer that its cited sources do not back, and why."""

    sentence: str
    verdict: str  # "contradicted" or "not_stated" (by the support check), or "unsupported"
    unstated: str = ""  # the words of the sentence the source does not state ("France")
    source_says: str = ""  # what the cited source says in their place ("Spain")
    cited: str = ""  # the cited sentence compared


@dataclass
class Answer:
    question: str
    text: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    confidence: float = 0.0
    composer: str = "extractive"  # "extractive" or "llm": what wrote the text
    # Sentences of the answer that the cited evidence does not support (a model's answer may
    # hold some); they carry no citation and the chat marks them.
    unsupported: list[str] = field(default_factory=list)
    # For each unsupported sentence the support check read: what the source says instead.
    flags: list["Flag"] = field(default_factory=list)
    note: str = ""  # e.g. why a model's answer was replaced by the extractive one

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: ``json.dumps(answer.to_dict())`` works."""
        return asdict(self)


# What a file of no format read here is skipped as ("unsupported type .exe"; rag.ingest.sources):
# the ingest's report names the formats read once below such lines.
UNSUPPORTED = "unsupported type"


@dataclass
class SkippedFile:
    source: str
    reason: str  # "empty", "encrypted PDF: ...", "unsupported type .xls: ...", ...


@dataclass
class IngestReport:
    files_indexed: int = 0  # new or changed files indexed by this run
    files_unchanged: int = 0
    files_removed: int = 0  # indexed before, no longer in the folder
    passages_added: int = 0
    passages_removed: int = 0
    passages_unchanged: int = 0
    embedded: int = 0  # texts given a vector: sentences by the model, passages pooled from theirs
    bytes_read: int = 0  # of files read (unchanged files are recognised without reading)
    skipped: list[SkippedFile] = field(default_factory=list)
    # Files indexed in part, and why ("3 of 12 pages are scans …"): the reason says what reads the rest.
    partly_read: list[SkippedFile] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self, formats_read: Sequence[str] = ()) -> str:
        """What the ingest did, a line each file skipped or read in part; ``formats_read`` named
        once when a file was skipped as of no format read."""
        lines = [
            f"{self.files_indexed} files indexed, {self.files_unchanged} unchanged, {self.files_removed} removed: "
            f"{self.passages_added:,} passages added, {self.passages_removed:,} removed, "
            f"{self.passages_unchanged:,} unchanged; {self.embedded:,} texts embedded; "
            f"{_size(self.bytes_read)} read in {self.seconds:.1f} s"
        ]
        lines += [f"skipped {s.source}: {s.reason}" for s in self.skipped]
        if formats_read and any(s.reason.startswith(UNSUPPORTED) for s in self.skipped):
            lines.append(f"the formats read: {', '.join(formats_read)}")  # once, not on each such line
        lines += [f"read in part {s.source}: {s.reason}" for s in self.partly_read]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.1f} kB"


@dataclass
class DocumentInfo:
    source: str
    title: str
    passages: int
    pages: Optional[int] = None


@dataclass
class IndexStatus:
    documents: list[DocumentInfo]

    @property
    def passages(self) -> int:
        return sum(d.passages for d in self.documents)


# --- internal: retrieval -> composition -------------------------------------------------


@dataclass
class Sentence:
    """A candidate evidence sentence with the features the composer scores it by."""

    id: str
    source: str
    title: str
    text: str
    start: int
    end: int
    passage_id: str
    dense: float  # cosine similarity to the question
    embedding: Any = None  # numpy vector, for merging duplicates across documents
    previous: str = ""  # the sentence before it in the document, for context
    page: Optional[int] = None
    section: str = ""


def sentence_id(passage_id: str, number: int) -> str:
    """The id of a document's ``number``-th sentence, stored with the passage it starts in
    (``rag.store.sentences`` keys it by the two). Passages record the numbers of their sentences
    (``first_sentence``, ``sentence_count``)."""
    return f"{passage_id}#s{number}"


def sentence_number(sid: str) -> int:
    """The number in an id made by ``sentence_id``."""
    return int(sid.rsplit("#s", 1)[1])


@dataclass
class Evidence:
    """What retrieval hands the composer: ranked passages and candidate sentences."""

    passages: list[Passage]
    sentences: list[Sentence]
    query_terms: list[str]
    idf: dict[str, float]
    unseen_idf: float = 1.0  # weight of a term no passage contains
    # For a summary: every sentence of the documents in question, in reading order.
    documents: list[Sentence] = field(default_factory=list)
    # Every passage retrieval read, the ranked ones among them: the text around any candidate
    # sentence (what a lead-in introduces is quoted from it), not shown as evidence.
    context: list[Passage] = field(default_factory=list)
    # A follow-up's own embedding, when the retrieval query also carried the earlier turn
    # ("How much will it cost? ... Who would it strengthen?"): what is asked now.
    asked_embedding: Any = None
