"""Question answering over a folder of documents, with answers that cite exact source spans.

>>> from rag import RAG, ask                       # doctest: +SKIP
>>> ask("Who sent the proposal?").citations[0].quote   # doctest: +SKIP

The heavy parts (llama-index, Chroma, torch) load on first use, so importing ``rag`` and
running ``rag --help`` stay fast.
"""

from typing import Any

from rag.config import Settings
from rag.errors import RagError
from rag.types import Answer, Citation, Conflict, IngestReport, Passage

__all__ = ["RAG", "ask", "Settings", "RagError", "Answer", "Citation", "Conflict", "IngestReport", "Passage"]


def __getattr__(name: str) -> Any:
    if name in ("RAG", "ask"):
        from rag import engine

        return getattr(engine, name)
    raise AttributeError(f"module 'rag' has no attribute {name!r}")
