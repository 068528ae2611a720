"""The engine plugged into LlamaIndex: its retriever and query engine carry exact citations."""

from __future__ import annotations


def test_the_retriever_returns_sentences_with_their_passage_and_exact_offsets(seeded_engine):
    from llama_index.core.base.base_retriever import BaseRetriever

    retriever = seeded_engine.as_retriever(top_k=6)
    assert isinstance(retriever, BaseRetriever)
    nodes = retriever.retrieve("Who was the spokeswoman?")
    assert 0 < len(nodes) <= 6
    assert [n.score for n in nodes] == sorted((n.score for n in nodes), reverse=True)
    assert any("Paula Dunn" in n.node.text for n in nodes)
    for n in nodes:
        meta = n.node.metadata
        assert seeded_engine.source_text(meta["source"])[meta["start"]:meta["end"]] == n.node.text
        assert n.node.text in meta["passage"]
        # What a model reads of the node: the sentence and its document, not offsets.
        assert "start" not in n.node.get_content(metadata_mode="llm") and meta["title"] in n.node.get_content(metadata_mode="llm")


def test_the_query_engine_answers_with_its_citations_as_source_nodes(seeded_engine):
    response = seeded_engine.as_query_engine().query("Who was the spokeswoman?")
    assert "Paula Dunn" in str(response) and not response.metadata["abstained"]
    assert response.source_nodes and all(n.node.metadata["citation"] == i + 1 for i, n in enumerate(response.source_nodes))
    for n in response.source_nodes:
        meta = n.node.metadata
        assert seeded_engine.source_text(meta["source"])[meta["start"]:meta["end"]] == n.node.text
    unanswered = seeded_engine.as_query_engine().query("What is the boiling point of tungsten?")
    assert unanswered.metadata["abstained"] and not unanswered.source_nodes


def test_llama_indexs_own_query_engine_runs_on_the_retriever(seeded_engine):
    """A LlamaIndex pipeline takes the retriever as any other: its RetrieverQueryEngine,
    with a response synthesizer that only lists what it was handed (no model here)."""
    from llama_index.core.query_engine import RetrieverQueryEngine
    from llama_index.core.response_synthesizers import ResponseMode, get_response_synthesizer
    from llama_index.core.llms import MockLLM

    synthesizer = get_response_synthesizer(llm=MockLLM(), response_mode=ResponseMode.NO_TEXT)
    retriever = seeded_engine.as_retriever(top_k=4)
    response = RetrieverQueryEngine(retriever=retriever, response_synthesizer=synthesizer).query("Who was the spokeswoman?")
    assert 0 < len(response.source_nodes) <= 4
    assert [n.node.id_ for n in response.source_nodes] == [n.node.id_ for n in retriever.retrieve("Who was the spokeswoman?")]
    assert any("Paula Dunn" in n.node.text for n in response.source_nodes)


def test_the_ingested_store_is_a_llama_index_vector_store(seeded_engine):
    """What ingest writes through llama-index's IngestionPipeline can be read back through
    llama-index: the same vector store serves a VectorStoreIndex over the passages."""
    from llama_index.core import VectorStoreIndex

    from rag.llamaindex import MiniLMEmbedding, vector_store

    index = VectorStoreIndex.from_vector_store(vector_store(seeded_engine), embed_model=MiniLMEmbedding())
    question = "Who was the spokeswoman?"
    nodes = index.as_retriever(similarity_top_k=3).retrieve(question)
    assert len(nodes) == 3
    assert [n.score for n in nodes] == sorted((n.score for n in nodes), reverse=True)
    # The passages Chroma finds closest to the question's MiniLM vector, in its order.
    closest = seeded_engine.passage_collection.query(query_embeddings=[MiniLMEmbedding().get_query_embedding(question)], n_results=3)
    assert [n.node.id_ for n in nodes] == closest["ids"][0]
    for n in nodes:
        meta = n.node.metadata
        assert seeded_engine.source_text(meta["source"])[meta["start"]:meta["end"]] == n.node.text
