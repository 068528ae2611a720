"""The passages' Chroma collection: embedded under the index folder, or on a Chroma server."""

from __future__ import annotations

from typing import Any

import rag.models  # noqa: F401  first: it sets the environment before Chroma loads


def chroma_client(settings: Any) -> Any:
    """An embedded persistent client under ``index_dir``, or an HTTP client for a Chroma server."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.index_dir / "chroma"), settings=chroma_settings)


def open_passages(settings: Any) -> tuple[Any, Any, int]:
    """(client, the passages' collection, the most records the client takes in one call)."""
    client = chroma_client(settings)
    # Cosine space: MiniLM vectors are normalised, and 1 - distance is then the cosine.
    passages = client.get_or_create_collection(name=chroma_name(settings), metadata={"hnsw:space": "cosine"})
    return client, passages, client.get_max_batch_size()


def chroma_name(settings: Any) -> str:
    """The passages' Chroma collection: a named collection's own, so that several can share
    one Chroma server."""
    return f"{settings.chroma_collection}-{settings.collection}" if settings.collection else settings.chroma_collection
