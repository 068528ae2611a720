"""One Settings object: defaults in code, ``RAG_*`` environment variables override them.

>>> Settings(top_k=3).top_k
3
>>> Settings.from_env({"RAG_TOP_K": "7"}).top_k
7
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Mapping, Optional


@dataclass(frozen=True)
class Settings:
    """Every knob of the engine and its front ends. Each field is documented in the README."""

    # Where documents are read from and where the index lives.
    docs_dir: Path = Path("seeds")
    index_dir: Path = Path("index")
    # Chroma: embedded (persisted under index_dir) unless chroma_host names a server.
    chroma_host: Optional[str] = None
    chroma_port: int = 8000
    chroma_collection: str = "documents"  # the passages' Chroma collection ("<name>-<collection>" for a named one)
    # Server mode (rag/store/server.py): everything else of the index in PostgreSQL too, so
    # app processes on several machines serve one index. Needs chroma_host.
    database_url: str = ""  # e.g. postgresql://rag@db.internal/rag
    # A named collection: its own documents and index folders under data_dir/collections/<name>
    # (RAG_DOCS_DIR and RAG_INDEX_DIR then do not apply). Empty: the folders above (the demo).
    collection: str = ""
    data_dir: Path = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "rag"
    # Chunking: passages of about this many tokens, overlapping by this many.
    chunk_size: int = 256
    chunk_overlap: int = 32
    # Retrieval and answer shape.
    top_k: int = 5
    max_answer_sentences: int = 4
    max_answer_words: int = 120  # a further sentence is added only within this length
    # Below this confidence (see rag/composers/extractive.py) the answer abstains. Chosen on SQuAD's tune
    # half: the highest value that wrongly abstains on at most 3.5% of answerable questions
    # (0.475 with the earlier sentence weights; the same rule moved it by 0.0024 with the
    # current ones). bench/tune_confidence.py shows what it costs on questions in a reader's
    # own words and gains on questions the documents do not answer (docs/measured.md).
    abstain_threshold: float = 0.477
    # The reading model (rag/reader.py) reads the best candidates: it orders them with the
    # features and its probability weighs in the answer's confidence. The four values below
    # were chosen together by bench/tune_reader.py on the tune halves (docs/reading-model.md).
    # RAG_READER=false answers by the features alone (abstain_threshold above).
    reader: bool = True
    reader_threshold: float = 0.4  # abstain below this confidence
    reader_candidates: int = 16  # the best sentences by the features, read by the model
    # ... in two rounds: the best 8, and the other 8 only when none of the first answers with
    # probability 0.5 or more: about half the reading time where the answer is plain, the same
    # answers within what the int8 batches' rounding moves (bench/tune_reader.py --first).
    reader_first: int = 8  # 0: all candidates in one round
    reader_sure: float = 0.5
    reader_keep_within: float = 0.9  # a further answer sentence ranks at least this share of the best
    reader_feature_weight: float = 1.5  # the features' score beside the probability, ranking what was read
    reader_confidence_share: float = 0.25  # of the confidence that is the best probability (the rest: the features')
    # Taken off the confidence when the best sentence's passage does not state a name or number
    # the question asks about ("... president in 1964?" of a passage that says 1990): rag/lexicon.py.
    # Chosen by the same rule on the tune halves (bench/tune_reader.py --penalties): higher
    # values abstain on more such questions but cost SQuAD answers past the rule's guard.
    reader_unstated_penalty: float = 0.05
    # Taken off the confidence when the question asks for a quantity ("how many", "how much
    # money") or a time ("when", "in what year") and the best sentence holds none
    # (rag/questions.py, holds_asked_kind). Chosen by the same rule (--kind-penalties).
    reader_missing_kind_penalty: float = 0.3
    # The support check (rag/verify.py): a model's answer sentences against what they cite,
    # and which facts two documents state differently. RAG_VERIFIER=false checks by shared
    # words and meaning only (llm_support_threshold) and reports every differing value.
    verifier: bool = True
    # Input limits.
    max_question_chars: int = 2000
    upload_max_bytes: int = 5_000_000
    # What reading one file may cost (rag/readers/base.py's ReadLimits says why each exists):
    # past any of them the file is refused, saying which. read_seconds 0: no reader process.
    max_document_chars: int = 30_000_000
    max_unpacked_bytes: int = 256_000_000
    read_seconds: float = 600.0
    read_memory_mb: int = 2048
    ocr_max_pages: int = 200
    # An upload while another ingest writes the index waits this long, then says so.
    upload_wait_seconds: float = 60.0
    # Chat server.
    host: str = "127.0.0.1"
    port: int = 7860
    # Optional login for the chat, "user:password"; empty means no login.
    auth: str = ""
    # Optional generative answers from an OpenAI-compatible server (Ollama, llama.cpp's server,
    # vLLM, LM Studio, a hosted API). Empty base URL: extractive answers only (the default).
    llm_base_url: str = ""  # e.g. http://127.0.0.1:11434/v1 (Ollama)
    llm_model: str = ""  # e.g. llama3.2:3b; required when llm_base_url is set
    llm_api_key: str = ""  # sent as a bearer token; most local servers need none
    llm_timeout: float = 60.0  # seconds for one answer, streamed or not; then the extractive answer
    llm_temperature: float = 0.1
    llm_max_tokens: int = 400
    # An answer sentence counts as supported by what it cites at this support score or above
    # (rag/verify.py; calibrated with bench/calibrate_support.py).
    llm_support_threshold: float = 0.45

    def __post_init__(self) -> None:
        if self.collection:
            from rag.errors import ConfigError

            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", self.collection):
                raise ConfigError(f"{self.collection!r} is not a collection name: letters, digits, '-', '_' and '.', "
                                  "up to 64, starting with a letter or digit")
            home = Path(self.data_dir) / "collections" / self.collection
            object.__setattr__(self, "docs_dir", home / "documents")
            object.__setattr__(self, "index_dir", home / "index")
        if self.database_url:
            from rag.errors import ConfigError

            if not self.database_url.startswith(("postgresql://", "postgres://")):
                raise ConfigError(f"RAG_DATABASE_URL must be a postgresql:// URL, not {self.database_url.split(':')[0]!r}")
            if not self.chroma_host:
                # Passages in this machine's folder could not be shared by the other replicas.
                raise ConfigError("RAG_DATABASE_URL needs RAG_CHROMA_HOST: in server mode the passages live on a Chroma server")
        if self.auth:
            user, colon, password = self.auth.partition(":")
            if not (colon and user and password):
                from rag.errors import ConfigError

                # A login that no one can pass would lock everyone out without a word.
                raise ConfigError("RAG_AUTH must be user:password (both non-empty), or empty for no login")
        if self.llm_base_url:
            from urllib.parse import urlparse

            from rag.errors import ConfigError

            url = urlparse(self.llm_base_url)
            if url.scheme not in ("http", "https") or not url.netloc:
                raise ConfigError(
                    f"RAG_LLM_BASE_URL={self.llm_base_url!r} is not an http(s) URL: "
                    "set it like http://127.0.0.1:11434/v1, or empty for extractive answers"
                )
            if not self.llm_model.strip():
                raise ConfigError("RAG_LLM_BASE_URL is set but RAG_LLM_MODEL is empty: set the model's name, e.g. llama3.2:3b")
            if self.llm_timeout <= 0 or self.llm_max_tokens <= 0:
                raise ConfigError("RAG_LLM_TIMEOUT and RAG_LLM_MAX_TOKENS must be positive")
        if min(self.max_document_chars, self.max_unpacked_bytes, self.ocr_max_pages) <= 0 or min(self.read_seconds, self.read_memory_mb) < 0:
            from rag.errors import ConfigError

            raise ConfigError("RAG_MAX_DOCUMENT_CHARS, RAG_MAX_UNPACKED_BYTES and RAG_OCR_MAX_PAGES must be positive, "
                              "RAG_READ_SECONDS and RAG_READ_MEMORY_MB positive or 0 (no budget)")
        if self.reader_candidates <= 0 or self.reader_first < 0 or not 0 <= self.reader_sure <= 1:
            from rag.errors import ConfigError

            raise ConfigError("RAG_READER_CANDIDATES must be positive, RAG_READER_FIRST 0 or more and RAG_READER_SURE between 0 and 1")

    @property
    def read_limits(self) -> Any:
        """The reading limits above as the readers take them (``rag.readers.ReadLimits``)."""
        from rag.readers.base import ReadLimits

        return ReadLimits(self.max_document_chars, self.max_unpacked_bytes, self.read_seconds, self.read_memory_mb,
                          self.ocr_max_pages)

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None, **overrides: Any) -> "Settings":
        """Defaults, then ``RAG_<FIELD>`` variables, then explicit keyword overrides (not None)."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(f"RAG_{f.name.upper()}")
            if raw is not None and raw != "":
                values[f.name] = _coerce(f, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        for key in ("docs_dir", "index_dir", "data_dir"):
            if key in values:
                values[key] = Path(values[key]).expanduser()
        return cls(**values)

    def replace(self, **changes: Any) -> "Settings":
        return dataclasses.replace(self, **changes)


_BOOLEANS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


def _coerce(f: dataclasses.Field, raw: str) -> Any:
    kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
    try:
        if kind == "bool":
            if raw.strip().lower() not in _BOOLEANS:
                raise ValueError(raw)
            return _BOOLEANS[raw.strip().lower()]
        if "int" in kind:
            return int(raw)
        if "float" in kind:
            return float(raw)
        if "Path" in kind:
            return Path(raw)
    except ValueError:
        from rag.errors import ConfigError

        raise ConfigError(f"RAG_{f.name.upper()}={raw!r} is not a valid {kind}") from None
    return raw


SETTINGS_FIELDS = [f.name for f in fields(Settings)]
