"""Where an index lives (``base.py`` has the contract): on this machine, or on servers."""

from __future__ import annotations

from typing import Any

from rag.store.base import Storage


def open_storage(settings: Any) -> Storage:
    """The index's storage: PostgreSQL and a Chroma server when ``RAG_DATABASE_URL`` is set
    (``rag.store.server``), else the index folder (``rag.store.embedded``)."""
    if settings.database_url:
        from rag.store.server import ServerStorage

        return ServerStorage(settings)
    from rag.store.embedded import EmbeddedStorage

    return EmbeddedStorage(settings)


__all__ = ["Storage", "open_storage"]
