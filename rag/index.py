"""An engine's handle on its index: the storage, the retriever over the index as it is now,
and the ingest that changes it.

Opened lazily: ``rag --help`` and the chat's first paint need none of it. Another process
(a separate ``rag ingest``, another replica) may change the index at any time; before each
question the handle compares the storage's generation with the one its retriever was built
on, and builds a new retriever when it moved.
"""

from __future__ import annotations

import threading
from typing import Any, Optional

from rag.config import Settings
from rag.types import IngestReport, Progress


class Index:
    def __init__(self, settings: Settings, file_reader: Any):
        from rag.retrieve import LexicalKeeper

        self.settings = settings
        self.file_reader = file_reader  # rag.readers.isolated.IsolatedReader, shared with uploads
        self._lock = threading.RLock()
        self._storage: Any = None
        self._retriever: Any = None
        self._generation: Optional[int] = None  # of the index the retriever was built on
        self._lexical = LexicalKeeper(lambda: self.storage)
        self._lexical_builds = 0  # the keeper's background builds the retriever has seen
        self._ingesting = False

    @property
    def storage(self) -> Any:
        """Where the index lives (``rag.store.base.Storage``): the index folder, or servers."""
        with self._lock:
            if self._storage is None:
                from rag.store import open_storage

                self._storage = open_storage(self.settings)
            return self._storage

    def manifest(self) -> Any:
        return self.storage.manifest()

    def retriever(self) -> Any:
        """The retriever (``rag.retrieve.HybridRetriever``) over the index as it is now."""
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
            versions = self.manifest().versions()
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

    def ingest(self, show_progress: bool = True,
               on_progress: Progress = None) -> IngestReport:
        """Bring the index in line with the documents folder (``rag.ingest``), holding the
        storage's lock; questions keep being answered meanwhile."""
        from rag.ingest import Ingestor
        from rag.models import embedder

        storage = self.storage
        with storage.lock():
            with self._lock:
                if self._generation is not None and storage.generation() != self._generation:
                    storage.refresh()  # another process wrote since
                self._ingesting = True
            try:
                report = Ingestor(self.settings, storage, embedder(), reader=self.file_reader).run(
                    show_progress=show_progress, before_publish=self._lexical.rebuild, on_progress=on_progress
                )
            finally:
                self._ingesting = False
            generation = storage.generation()
            with self._lock:
                self._retriever = None
                self._generation = generation  # this process wrote it: its store already sees it
            return report
