"""The engine inside LlamaIndex pipelines: a retriever and a query engine.

    retriever = RAG().as_retriever(top_k=8)       # llama_index BaseRetriever
    nodes = retriever.retrieve("Who sent the proposal?")
    nodes[0].node.text, nodes[0].node.metadata     # the sentence; source, title, page, section,
                                                   # start, end (its offsets), passage (around it)
    response = RAG().as_query_engine().query("Who sent the proposal?")
    str(response), response.source_nodes          # the cited answer; each citation a node

    index = VectorStoreIndex.from_vector_store(vector_store(engine), embed_model=MiniLMEmbedding())

The last: the passages the engine's ingest wrote, read back through LlamaIndex's own
``VectorStoreIndex`` (the store the ingestion pipeline writes to), embedded by the engine's
MiniLM. The nodes are sentences, the engine's unit of evidence: ``source_text(source)[start:end]``
is the node's text, as for every citation. Imported only when asked for, so the chat and
``rag ask`` never pay llama-index's import.
"""

from __future__ import annotations

from typing import Any, Optional

from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.base.response.schema import Response
from llama_index.core.query_engine import CustomQueryEngine
from llama_index.core.schema import NodeRelationship, NodeWithScore, QueryBundle, RelatedNodeInfo, TextNode

# Offsets and ids say where a node stands; they mean nothing to a model reading it.
_NOT_FOR_MODELS = ["start", "end", "passage_id", "passage"]


def _node(id_: str, text: str, score: float, passage_id: str = "", passage: str = "", **where: Any) -> NodeWithScore:
    metadata = {k: v for k, v in {**where, "passage": passage, "passage_id": passage_id}.items() if v not in (None, "")}
    node = TextNode(id_=id_, text=text, metadata=metadata,
                    excluded_llm_metadata_keys=[k for k in _NOT_FOR_MODELS if k in metadata],
                    excluded_embed_metadata_keys=list(metadata))
    if passage_id:
        node.relationships[NodeRelationship.PARENT] = RelatedNodeInfo(node_id=passage_id)
    return NodeWithScore(node=node, score=score)


class SentenceRetriever(BaseRetriever):
    """The engine's retrieval (dense and BM25 over passages, then their sentences): the
    candidate sentences for a question, the most similar first, each with its passage."""

    def __init__(self, engine: Any, top_k: Optional[int] = None):
        super().__init__()
        self.engine = engine
        self.top_k = top_k or engine.settings.top_k

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        _, evidence = self.engine.evidence(query_bundle.query_str)
        ranked = sorted(evidence.sentences, key=lambda s: -s.dense)[: self.top_k]
        # Each sentence's passage, as stored: a candidate sentence may come from a passage
        # ranked below the evidence's own top_k.
        ids = sorted({s.passage_id for s in ranked if s.passage_id})
        found = self.engine.storage.passages.get(ids=ids, include=["documents"]) if ids else {"ids": [], "documents": []}
        passages = dict(zip(found["ids"], found["documents"]))
        nodes = []
        for s in ranked:
            nodes.append(_node(s.id, s.text, float(s.dense), passage_id=s.passage_id,
                               passage=passages.get(s.passage_id) or "", source=s.source, title=s.title,
                               page=s.page, section=s.section, start=s.start, end=s.end))
        return nodes


class MiniLMEmbedding(BaseEmbedding):
    """The engine's embedding model (int8 ONNX MiniLM, ``rag.models.embedder``) as a LlamaIndex
    embedding: what the stored vectors were made with, so queries land in the same space."""

    model_name: str = "all-MiniLM-L6-v2 (int8 ONNX)"

    def _get_query_embedding(self, query: str) -> list[float]:
        from rag.models import embedder

        return embedder().encode_one(query).tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_query_embedding(text)

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        from rag.models import embedder

        return embedder().encode(texts).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


def vector_store(engine: Any) -> Any:
    """The llama-index vector store ingest writes through, over this engine's index: its
    ``query`` returns the closest passages (``rag.ingest.pipeline.make_vector_store``)."""
    from rag.ingest.pipeline import make_vector_store

    storage = engine.storage
    return make_vector_store(storage.passages, storage.sentences, storage.max_batch)


class AnswerQueryEngine(CustomQueryEngine):
    """``RAG.ask`` as a LlamaIndex query engine: the answer's text (with its ``[n]`` markers)
    as the response, each citation a source node in ``[n]`` order; ``metadata`` holds
    ``abstained``, ``confidence`` and the ``conflicts``."""

    engine: Any

    def custom_query(self, query_str: str) -> Response:
        answer = self.engine.ask(query_str)
        nodes = [
            _node(f"{c.version or c.source}#{c.start}-{c.end}", c.quote, float(c.score), source=c.source, title=c.title,
                  page=c.page, section=c.section, start=c.start, end=c.end, citation=c.number)
            for c in answer.citations
        ]
        data = answer.to_dict()
        return Response(response=answer.text, source_nodes=nodes, metadata={
            "abstained": answer.abstained, "confidence": answer.confidence, "conflicts": data["conflicts"],
        })
