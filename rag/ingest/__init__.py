"""Ingest: a documents folder -> readers (``rag.readers``) -> passages and sentences with exact
offsets (``split.py``) -> MiniLM -> the storage (``rag.store``), file by file and resumable
(``pipeline.py``); what in the folder is a document (``sources.py``: a file, a large mailbox's
parts, a zip archive's documents). ``Ingestor(settings, storage, embed_model).run()`` is the contract: it
brings the index in line with the folder and returns an ``IngestReport``."""

from rag.ingest.pipeline import Ingestor
from rag.ingest.sources import list_files

__all__ = ["Ingestor", "list_files"]
