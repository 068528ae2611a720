"""Files -> passages and sentences with character offsets -> MiniLM embeddings -> Chroma.

llama-index's ``IngestionPipeline`` with a persisted docstore does the bookkeeping: a file
whose text is unchanged is skipped (nothing is embedded), a changed file's old nodes are
replaced, and a file that disappeared has its nodes deleted (``UPSERTS_AND_DELETE``).

Two kinds of node go into two Chroma collections: passages (what retrieval ranks and the
user reads) and the sentences inside them (what the composer cites). Embedding sentences
here means answering needs no model call beyond the question's own embedding.
"""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path
from typing import Any, Sequence

from rag.config import Settings
from rag.errors import NoDocumentsError
from rag.models import get_all
from rag.text import sentence_spans
from rag.types import IngestReport, SkippedFile

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md")
DOCSTORE_FILE = "docstore.json"


def decode_text(raw: bytes) -> tuple[str | None, str | None]:
    """(text, None) for usable bytes, else (None, the reason they cannot be indexed).

    Newlines are translated as Python's text mode does, because citation offsets are
    defined on the file read that way.
    """
    if b"\x00" in raw[:8192]:
        return None, "binary file"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return None, "empty"
    return text, None


def read_text_file(path: Path) -> tuple[str | None, str | None]:
    """(text, None) for a usable file, else (None, the reason it is skipped)."""
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        return None, f"unsupported type {path.suffix or '(none)'}: only {', '.join(SUPPORTED_SUFFIXES)}"
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, f"unreadable: {exc.strerror}"
    return decode_text(raw)


def title_of(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")[:200]


def scan_documents(docs_dir: Path) -> tuple[list[Any], list[SkippedFile]]:
    """llama-index Documents for every usable file under ``docs_dir``, and the files skipped."""
    from llama_index.core import Document

    if not docs_dir.is_dir():
        raise NoDocumentsError(
            f"documents folder {docs_dir} does not exist: create it and add .txt or .md files, "
            "or set RAG_DOCS_DIR"
        )
    documents, skipped = [], []
    for path in sorted(p for p in docs_dir.rglob("*") if p.is_file()):
        source = path.relative_to(docs_dir).as_posix()
        if any(part.startswith(".") for part in Path(source).parts):
            continue  # hidden files and folders (.git, .DS_Store) are not documents
        text, reason = read_text_file(path)
        if reason:
            log.warning("skipping %s: %s", source, reason)
            skipped.append(SkippedFile(source, reason))
            continue
        metadata = {"source": source, "title": title_of(text)}
        documents.append(
            Document(
                id_=source,
                text=text,
                metadata=metadata,
                # Metadata is for citing, not for meaning: keep it out of the embedded text.
                excluded_embed_metadata_keys=list(metadata),
                excluded_llm_metadata_keys=list(metadata),
            )
        )
    return documents, skipped


def _content_id(doc: Any) -> str:
    """Stable node-id prefix: the source path plus a hash of the content."""
    digest = hashlib.sha1(doc.text.encode("utf-8")).hexdigest()[:16]
    return f"{doc.id_}@{digest}"


def _passage_id(i: int, doc: Any) -> str:
    return f"{_content_id(doc)}#p{i}"


def make_passages_and_sentences(splitter: Any):
    """A pipeline step: Documents -> passage nodes followed by the sentence nodes inside them."""
    from llama_index.core.schema import NodeRelationship, TextNode, TransformComponent

    class PassagesAndSentences(TransformComponent):
        def __call__(self, nodes: Sequence[Any], **kwargs: Any) -> list[Any]:
            out: list[Any] = []
            for doc in nodes:
                out.extend(self._split(doc))
            return out

        def _split(self, doc: Any) -> list[Any]:
            text, meta = doc.text, dict(doc.metadata)
            passages = [p for p in splitter.get_nodes_from_documents([doc]) if p.start_char_idx is not None]
            spans = sentence_spans(text)
            nodes: list[Any] = []
            next_sentence = 0
            for passage in passages:
                passage.metadata = {**meta, "kind": "passage", "start": passage.start_char_idx, "end": passage.end_char_idx}
                nodes.append(passage)
                # Each sentence belongs to the first passage its start falls in (passages
                # overlap); it keeps its full extent even if the passage cuts it short.
                while next_sentence < len(spans) and spans[next_sentence][0] < passage.end_char_idx:
                    start, end = spans[next_sentence]
                    # The sentence before gives context: "He was hired by ..." names no one.
                    before = text[spans[next_sentence - 1][0] : spans[next_sentence - 1][1]] if next_sentence else ""
                    sentence_meta = {
                        **meta, "kind": "sentence", "start": start, "end": end, "passage_id": passage.id_,
                        "previous": before[:1000],
                    }
                    nodes.append(
                        TextNode(
                            id_=f"{passage.id_}#s{next_sentence}",
                            text=text[start:end],
                            metadata=sentence_meta,
                            excluded_embed_metadata_keys=list(sentence_meta),
                            excluded_llm_metadata_keys=list(sentence_meta),
                            relationships={NodeRelationship.SOURCE: passage.relationships[NodeRelationship.SOURCE]},
                        )
                    )
                    next_sentence += 1
            for passage in passages:
                passage.excluded_embed_metadata_keys = list(passage.metadata)
                passage.excluded_llm_metadata_keys = list(passage.metadata)
            return nodes

    return PassagesAndSentences()


def make_embedding_step(embed_model: Any, show_progress: bool):
    """A pipeline step that embeds nodes with a progress bar over all of them (the model's own
    ``__call__`` draws none when the pipeline runs it)."""
    from llama_index.core.schema import MetadataMode, TransformComponent

    class EmbedWithProgress(TransformComponent):
        def __call__(self, nodes: Sequence[Any], **kwargs: Any) -> Sequence[Any]:
            texts = [node.get_content(metadata_mode=MetadataMode.EMBED) for node in nodes]
            # Batches of similar length pad less: short sentences are not padded to a
            # passage's length. This roughly halves embedding time on a mixed batch.
            order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
            vectors = embed_model.get_text_embedding_batch(
                [texts[i] for i in order], show_progress=show_progress and len(texts) > 0
            )
            for i, vector in zip(order, vectors):
                nodes[i].embedding = vector
            return nodes

    return EmbedWithProgress()


def make_vector_store(passages: Any, sentences: Any) -> Any:
    """A llama-index vector store over the two Chroma collections: each node goes to the one
    for its kind, and deleting a document deletes its nodes from both."""
    from llama_index.core.bridge.pydantic import PrivateAttr
    from llama_index.core.vector_stores.types import BasePydanticVectorStore
    from llama_index.vector_stores.chroma import ChromaVectorStore

    class PassageAndSentenceStore(BasePydanticVectorStore):
        stores_text: bool = True
        _stores: dict = PrivateAttr()

        def __init__(self) -> None:
            super().__init__()
            self._stores = {
                "passage": ChromaVectorStore(chroma_collection=passages),
                "sentence": ChromaVectorStore(chroma_collection=sentences),
            }

        @property
        def client(self) -> Any:
            return None

        def add(self, nodes: list[Any], **kwargs: Any) -> list[str]:
            ids: list[str] = []
            for kind, store in self._stores.items():
                chosen = [n for n in nodes if n.metadata.get("kind") == kind]
                if chosen:
                    ids += store.add(chosen)
            return ids

        def delete(self, ref_doc_id: str, **kwargs: Any) -> None:
            for store in self._stores.values():
                store.delete(ref_doc_id)

        def query(self, query: Any, **kwargs: Any) -> Any:
            return self._stores["passage"].query(query, **kwargs)

    return PassageAndSentenceStore()


class Ingestor:
    """Runs the pipeline for one documents folder into the passage and sentence collections."""

    def __init__(self, settings: Settings, passages: Any, sentences: Any, embed_model: Any):
        self.settings = settings
        self.passages = passages
        self.sentences = sentences
        self.embed_model = embed_model

    def _pipeline(self, show_progress: bool) -> Any:
        from llama_index.core.ingestion import DocstoreStrategy, IngestionPipeline
        from llama_index.core.node_parser import SentenceSplitter
        from llama_index.core.storage.docstore import SimpleDocumentStore

        docstore_path = self.settings.index_dir / DOCSTORE_FILE
        docstore = (
            SimpleDocumentStore.from_persist_path(str(docstore_path))
            if docstore_path.exists()
            else SimpleDocumentStore()
        )
        splitter = SentenceSplitter(
            chunk_size=self.settings.chunk_size,
            chunk_overlap=self.settings.chunk_overlap,
            include_metadata=False,
            id_func=_passage_id,
        )
        return IngestionPipeline(
            transformations=[make_passages_and_sentences(splitter), make_embedding_step(self.embed_model, show_progress)],
            vector_store=make_vector_store(self.passages, self.sentences),
            docstore=docstore,
            docstore_strategy=DocstoreStrategy.UPSERTS_AND_DELETE,
        )

    def passage_ids(self) -> dict[str, str]:
        """{passage id: source} for every passage in the collection."""
        got = get_all(self.passages, ["metadatas"])
        return {i: m.get("source", "") for i, m in zip(got["ids"], got["metadatas"])}

    def run(self, show_progress: bool = True) -> IngestReport:
        started = time.perf_counter()
        documents, skipped = scan_documents(self.settings.docs_dir)
        if not documents:
            found = f" ({len(skipped)} files skipped)" if skipped else ""
            raise NoDocumentsError(
                f"no documents found in {self.settings.docs_dir}{found}: add .txt or .md files "
                "or set RAG_DOCS_DIR"
            )
        before = self.passage_ids()
        pipeline = self._pipeline(show_progress)
        nodes = pipeline.run(documents=documents)
        pipeline.docstore.persist(str(self.settings.index_dir / DOCSTORE_FILE))
        after = self.passage_ids()
        return IngestReport(
            files_indexed=len(documents),
            passages_added=len(after.keys() - before.keys()),
            passages_removed=len(before.keys() - after.keys()),
            passages_unchanged=len(after.keys() & before.keys()),
            embedded=len(nodes),
            skipped=skipped,
            seconds=time.perf_counter() - started,
        )
