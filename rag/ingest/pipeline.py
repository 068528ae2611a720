"""Files -> extracted text -> passages and sentences with character offsets -> MiniLM -> Chroma.

The folder is worked through one file at a time and each file in bounded groups of
passages, so memory does not grow with the folder or with a file's size:

- a file whose size and modification time (or, failing those, bytes) are unchanged costs
  nothing; a changed file's new version is stored before its old one is deleted, so it
  keeps answering meanwhile; a file that left the folder is deleted from the index;
- every file is durable on its own (``rag.store.manifest`` journals each step), so a run killed
  at any moment loses at most the file in flight, and the next run deletes what that file
  had half-written before it embeds only what is missing;
- one ingest at a time writes an index (the storage's lock; a second one waits);
- no call to Chroma carries more than the client's maximum batch.

Two kinds of node are stored: passages (what retrieval ranks and the user reads) go into
Chroma, the sentences inside them (what the composer cites) into a table beside it
(``rag.store.sentences``). Embedding sentences here means answering needs no model call beyond
the question's own embedding.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import time
from typing import Any, Callable, Optional, Sequence

from rag.config import Settings
from rag.errors import IndexWriteError, NoDocumentsError, is_storage_failure
from rag.store.base import Storage
from rag.store.manifest import DocumentRow, Manifest
from rag.store.migrations import clear_legacy_index
from rag.models import guard_llama_index
from rag.readers import SUPPORTED_SUFFIXES, UnreadableDocument
from rag.readers.isolated import IsolatedReader
from rag.ingest.sources import list_files, reading_name
from rag.ingest.split import Splitter
from rag.types import IngestReport, Progress, SkippedFile

log = logging.getLogger(__name__)

# During a long run, running engines are told about new files at most this often.
ANNOUNCE_SECONDS = 30.0


def make_embedding_step(embed_model: Any):
    """A pipeline step that embeds a group's nodes in one pass over their text.

    Only the sentences go through the model. A passage's vector is the mean of its
    sentences' vectors weighted by their token counts (mean pooling over the sentences'
    tokens, each read in its own sentence's context), so every token is embedded once,
    not once in its passage and again in its sentence. A passage that overlaps no sentence
    of its group (inside a sentence longer than a passage) is embedded from its own text.
    """
    import numpy as np
    from llama_index.core.schema import MetadataMode, TransformComponent

    class EmbedSentencesPoolPassages(TransformComponent):
        def __call__(self, nodes: Sequence[Any], **kwargs: Any) -> Sequence[Any]:
            sentences = [n for n in nodes if n.metadata["kind"] == "sentence"]
            passages = [n for n in nodes if n.metadata["kind"] != "sentence"]
            vectors, counts = embed_model.encode_counted([n.get_content(metadata_mode=MetadataMode.EMBED) for n in sentences])
            for node, vector in zip(sentences, vectors.tolist()):
                node.embedding = vector
            starts = np.array([n.metadata["start"] for n in sentences], dtype=np.int64)
            ends = np.array([n.metadata["end"] for n in sentences], dtype=np.int64)
            unpooled = []
            for passage in passages:
                inside = (starts < passage.metadata["end"]) & (ends > passage.metadata["start"])
                if not inside.any():
                    unpooled.append(passage)
                    continue
                pooled = counts[inside].astype(np.float32) @ vectors[inside]
                passage.embedding = (pooled / max(float(np.linalg.norm(pooled)), 1e-12)).tolist()
            if unpooled:
                for node, vector in zip(unpooled, embed_model.encode([n.get_content(metadata_mode=MetadataMode.EMBED) for n in unpooled]).tolist()):
                    node.embedding = vector
            return nodes

    return EmbedSentencesPoolPassages()


def make_vector_store(passages: Any, sentences: Any, max_batch: int) -> Any:
    """A llama-index vector store over the passages' Chroma collection and the sentence table
    (``rag.store.sentences``): each node goes to the one for its kind, in calls no larger than
    Chroma accepts, and deleting a version deletes its nodes from both.

    It writes to Chroma itself rather than through llama-index's ``ChromaVectorStore``,
    which stores a JSON copy of each node (its metadata again, its relationships) as one
    more metadata field: about 1 kB a sentence that every query then reads back, for a
    third of a warm question's time, and that the retriever never uses. A record holds the
    node's text, vector and metadata, and ``document_id`` (the version, as llama-index's
    ``ref_doc_id``), by which a version is deleted. Its ``query`` searches the passages, so
    the same store serves llama-index's ``VectorStoreIndex`` (tests/test_llamaindex.py); it
    does not know the manifest, so during an ingest it may also return a version being
    written or replaced (the engine's retriever filters those out).
    """
    from llama_index.core.bridge.pydantic import PrivateAttr
    from llama_index.core.schema import MetadataMode
    from llama_index.core.vector_stores.types import BasePydanticVectorStore

    class PassageAndSentenceStore(BasePydanticVectorStore):
        stores_text: bool = True
        _collections: dict = PrivateAttr()
        _max_batch: int = PrivateAttr()

        def __init__(self) -> None:
            super().__init__()
            self._collections = {"sentence": sentences, "passage": passages}
            self._max_batch = max_batch

        @property
        def client(self) -> Any:
            return None

        def add(self, nodes: list[Any], **kwargs: Any) -> list[str]:
            ids: list[str] = []
            # Sentences first: a passage is never found whose sentences are not stored.
            for kind, collection in self._collections.items():
                chosen = [n for n in nodes if n.metadata.get("kind") == kind]
                for i in range(0, len(chosen), self._max_batch):
                    batch = chosen[i : i + self._max_batch]
                    collection.add(
                        ids=[n.node_id for n in batch],
                        embeddings=[n.embedding for n in batch],
                        documents=[n.get_content(metadata_mode=MetadataMode.NONE) for n in batch],
                        metadatas=[{**n.metadata, "document_id": n.ref_doc_id} for n in batch],
                    )
                    ids += [n.node_id for n in batch]
            return ids

        def delete(self, ref_doc_id: str, **kwargs: Any) -> None:
            self._collections["passage"].delete(where={"document_id": ref_doc_id})
            self._collections["sentence"].delete_version(ref_doc_id)

        def query(self, query: Any, **kwargs: Any) -> Any:
            """The passages closest to ``query.query_embedding``: what llama-index's
            ``VectorStoreIndex.from_vector_store(store)`` retrieves. The engine's own
            retrieval (``rag.retrieve``) reads Chroma directly, with BM25 and the sentences."""
            from llama_index.core.schema import TextNode
            from llama_index.core.vector_stores.types import VectorStoreQueryResult

            where = {"document_id": {"$in": list(query.doc_ids)}} if query.doc_ids else None
            found = self._collections["passage"].query(
                query_embeddings=[query.query_embedding], n_results=max(1, query.similarity_top_k), where=where,
                include=["documents", "metadatas", "distances"],
            )
            ids, texts, metas, distances = (found[key][0] for key in ("ids", "documents", "metadatas", "distances"))
            nodes = [TextNode(id_=i, text=t or "", metadata=dict(m or {})) for i, t, m in zip(ids, texts, metas)]
            # Cosine space (rag.store.chroma): 1 - distance is the cosine similarity.
            return VectorStoreQueryResult(nodes=nodes, similarities=[1.0 - d for d in distances], ids=list(ids))

    return PassageAndSentenceStore()


class Ingestor:
    """Brings one index in line with one documents folder (see the module docstring)."""

    def __init__(self, settings: Settings, storage: Storage, embed_model: Any, reader: Optional[IsolatedReader] = None):
        self.settings = settings
        self.storage = storage
        self.embed_model = embed_model
        # Parsers run under the reading budget in a process of their own; one made here is
        # stopped when the run ends, one passed in (the engine's) outlives it.
        self._own_reader = reader is None
        self.reader = reader or IsolatedReader(settings.read_limits)

    @functools.cached_property
    def _tools(self) -> tuple[Any, Splitter]:
        """(pipeline, splitter), made when the first file needs them: a run that finds
        nothing changed does not import llama-index (most of a second)."""
        from llama_index.core.ingestion import IngestionPipeline

        guard_llama_index()
        store = make_vector_store(self.storage.passages, self.storage.sentences, self.storage.max_batch)
        pipeline = IngestionPipeline(transformations=[make_embedding_step(self.embed_model)], vector_store=store, disable_cache=True)
        return pipeline, Splitter(self.settings)

    def run(self, show_progress: bool = True, before_publish: Optional[Callable[[int, dict], None]] = None,
            on_progress: Progress = None) -> IngestReport:
        """One pass over the folder. The caller holds the storage's lock.

        ``before_publish(generation, versions)`` runs once everything is committed and
        before running engines are told: the place to rebuild what is derived from the
        store (the BM25 index), so they find it current when they reopen.
        """
        started = time.perf_counter()
        manifest = self.storage.writer_manifest()
        self._garbage: list[str] = []
        try:
            clear_legacy_index(self.settings.index_dir, manifest, self.storage)
            report = self._run(manifest, show_progress, before_publish, on_progress)
        finally:
            manifest.close()
            if self._own_reader:
                self.reader.close()
        report.seconds = time.perf_counter() - started
        return report

    def _run(self, manifest: Manifest, show_progress: bool, before_publish, on_progress=None) -> IngestReport:
        self._collect_garbage(manifest)  # what a killed run left half-written
        files, skipped = list_files(self.settings.docs_dir)
        report = IngestReport(skipped=skipped)
        if not files and not manifest.documents():
            found = f" ({len(skipped)} files skipped)" if skipped else ""
            raise NoDocumentsError(
                f"no documents found in {self.settings.docs_dir}{found}: add documents "
                f"({', '.join(SUPPORTED_SUFFIXES)}) or set RAG_DOCS_DIR"
            )
        if not files and self.storage.shared:
            # Server mode shares one index between machines: a replica without the documents
            # (or with its folder unmounted) must not empty it for all of them.
            raise NoDocumentsError(
                f"no documents found in {self.settings.docs_dir}, and the shared index holds "
                f"{len(manifest.documents())}: nothing was removed. Run `rag ingest` where the documents are"
            )
        progress = _Progress(len(files), show_progress, on_progress)
        last_announced = time.monotonic()
        try:
            for source, path in files:
                progress.reading(source)
                self._ingest_file(source, path, manifest, report, progress)
                if time.monotonic() - last_announced > ANNOUNCE_SECONDS:
                    self._publish(manifest)  # running engines pick up what is stored so far
                    last_announced = time.monotonic()
        finally:
            progress.close()
        present = {source for source, _ in files} | {s.source for s in skipped}
        for row in manifest.documents():
            if row.source not in present:
                self._garbage.append(manifest.remove(row.source))
                report.files_removed += 1
                report.passages_removed += row.passages
        if before_publish is not None:
            before_publish(manifest.changes(), manifest.versions())
        # Also after a run that changed nothing: a killed run may have committed files unannounced.
        self._publish(manifest)
        return report

    def _publish(self, manifest: Manifest) -> None:
        """Tell running engines what is committed, then delete the versions it replaced.

        In that order, an engine in another process never finds a document missing: until
        it reopens the store it uses the old version, which is still there; once it has
        reopened it uses the new one.
        """
        self.storage.publish(manifest.changes())
        for version in self._garbage:
            self._delete_version(version, manifest)
        self._garbage = []

    def _ingest_file(self, source, path, manifest, report, progress) -> None:
        row = manifest.get(source)
        try:
            stat = path.stat()
            if row and (row.size, row.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
                self._unchanged(row, report)
                return
            raw = path.read_bytes()
        except OSError as exc:
            reason = "disappeared while being read" if isinstance(exc, FileNotFoundError) else f"unreadable: {exc.strerror}"
            self._skip(source, reason, row, report)
            return
        report.bytes_read += len(raw)
        sha1 = hashlib.sha1(raw).hexdigest()
        if row and row.sha1 == sha1:  # rewritten with the same bytes
            manifest.touch(source, stat.st_size, stat.st_mtime_ns)
            self._unchanged(row, report)
            return
        try:
            # Any failure, a parser's own included, comes back in words a user can act on.
            doc = self.reader.read(reading_name(source, path), raw)
        except UnreadableDocument as exc:
            self._skip(source, str(exc), row, report)
            return
        version = f"{source}@{sha1[:16]}"
        manifest.begin(version, source)
        try:
            passages, sentences = self._store(doc, source, version, progress)
        except Exception as exc:  # Chroma or the model failing on one file must not stop the run
            if is_storage_failure(exc):  # but a full disk stops it: every file after would fail too
                raise IndexWriteError.from_storage(exc) from exc
            log.exception("indexing %s failed", source)
            self._delete_version(version, manifest)
            self._skip(source, f"could not be indexed ({type(exc).__name__}: {exc})", row, report)
            return
        garbage = manifest.commit(
            DocumentRow(source, version, sha1, stat.st_size, stat.st_mtime_ns, doc.title, passages, sentences,
                        len(doc.page_starts) if doc.page_starts else None)
        )
        if garbage:
            self._garbage.append(garbage)  # deleted once running engines know of the new version
            report.passages_removed += row.passages
        report.files_indexed += 1
        report.partly_read += [SkippedFile(source, note) for note in doc.notes]
        report.passages_added += passages
        report.embedded += passages + sentences

    def _store(self, doc, source, version, progress) -> tuple[int, int]:
        """Write the version's text, then embed and store its nodes a group at a time."""
        self.storage.write_text(version, doc.text)
        pipeline, splitter = self._tools
        passages = sentences = 0
        for group in splitter.groups(doc, source, version):
            pipeline.run(nodes=group.nodes)
            passages += group.passages
            sentences += group.sentences
            progress.embedded(len(group.nodes))
        return passages, sentences

    def _delete_version(self, version: Optional[str], manifest: Manifest) -> None:
        if version is None:
            return
        self._tools[0].vector_store.delete(version)
        self.storage.delete_text(version)
        manifest.forget(version)

    def _collect_garbage(self, manifest: Manifest) -> None:
        for version, source, state in manifest.journal():
            log.info("removing %s version of %s left by an interrupted ingest", state, source)
            self._delete_version(version, manifest)

    @staticmethod
    def _unchanged(row: DocumentRow, report: IngestReport) -> None:
        report.files_unchanged += 1
        report.passages_unchanged += row.passages

    @staticmethod
    def _skip(source: str, reason: str, row: Optional[DocumentRow], report: IngestReport) -> None:
        if row is not None:
            reason += "; the version indexed before is kept"
            report.passages_unchanged += row.passages
        log.warning("skipping %s: %s", source, reason)
        report.skipped.append(SkippedFile(source, reason))


class _Progress:
    """A progress bar over files that also counts the texts embedded and names the file being
    read; and, for a front end, ``on_progress(files done, files, file being read, texts
    embedded)`` at each file and each group of passages embedded."""

    def __init__(self, total: int, enabled: bool, on_progress: Progress = None):
        self.texts = 0
        self.total, self.done = total, -1
        self.on_progress = on_progress
        self.bar = None
        if enabled:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, unit="file", desc="Indexing", dynamic_ncols=True)
        self._current: Optional[str] = None

    def reading(self, source: str) -> None:
        self.done += 1
        self._current = source
        self._report()
        if self.bar is None:
            return
        if self.done:
            self.bar.update(1)
        self._show()

    def embedded(self, count: int) -> None:
        self.texts += count
        self._report()
        if self.bar is not None:
            self._show()

    def _report(self) -> None:
        if self.on_progress is not None:
            self.on_progress(max(0, self.done), self.total, self._current or "", self.texts)

    def _show(self) -> None:
        name = self._current or ""
        name = name if len(name) <= 40 else "…" + name[-39:]
        self.bar.set_postfix_str(f"{self.texts:,} texts embedded | {name}", refresh=True)

    def close(self) -> None:
        if self.bar is not None:
            if self._current is not None:
                self.bar.update(1)
            self.bar.close()

