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
