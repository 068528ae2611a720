"""Ingest: a documents folder -> readers (``rag.readers``) -> passages and sentences with exact
offsets (``split.py``) -> MiniLM -> the storage (``rag.store``), file by file and resumable
(``pipeline.py``). ``Ingestor(settings, storage, embed_model).run()`` is the contract: it
brings the index in line with the folder and returns an ``IngestReport``."""

from rag.ingest.pipeline import Ingestor, list_files

__all__ = ["Ingestor", "list_files"]
