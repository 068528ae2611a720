"""The optional generative composer against a scripted OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations


import pytest

from llm_server import Reply, number_of
from rag import RAG
from rag.config import Settings
from rag.errors import ConfigError

QUESTION = "Who was the spokeswoman?"


def test_a_grounded_answer_is_cited_exactly_from_the_numbers_the_model_gives(llm_engine, server):
    server.replies.append(Reply(lambda p: f"The spokeswoman was Captain Paula Dunn. [{number_of(p, 'Paula Dunn')}]"))
    answer = llm_engine.ask(QUESTION)
    assert answer.composer == "llm" and not answer.abstained
    assert answer.text.startswith("The spokeswoman was Captain Paula Dunn. [1]")
    assert answer.unsupported == []
    (citation,) = answer.citations
    assert "Paula Dunn" in citation.quote
    assert llm_engine.source_text(citation.source)[citation.start : citation.end] == citation.quote
    request = server.requests[0]
    assert request["model"] == "scripted" and request["stream"] is False
    assert "only the numbered evidence" in request["messages"][0]["content"]
    assert QUESTION in request["messages"][-1]["content"]


def test_a_citation_number_that_names_no_evidence_is_dropped(llm_engine, server):
    server.replies.append(Reply(lambda p: f"Captain Paula Dunn spoke for the generals. [{number_of(p, 'Paula Dunn')}][99]"))
    answer = llm_engine.ask(QUESTION)
    assert [c.number for c in answer.citations] == [1]
    assert "[99]" not in answer.text and "[2]" not in answer.text


def test_a_sentence_its_citation_does_not_support_is_listed_and_left_uncited(llm_engine, server):
    server.replies.append(Reply(lambda p: (
        f"The spokeswoman was Captain Paula Dunn. [{number_of(p, 'Paula Dunn')}] "
        f"She was born in Texas in 1970. [{number_of(p, 'Paula Dunn')}]"
    )))
    answer = llm_engine.ask(QUESTION)
    assert answer.unsupported == ["She was born in Texas in 1970."]
    assert answer.text.rstrip().endswith("She was born in Texas in 1970.")
    assert len(answer.citations) == 1
    assert answer.to_dict()["unsupported"] == ["She was born in Texas in 1970."]


def test_streaming_yields_growing_snapshots_and_ends_verified(llm_engine, server):
    server.replies.append(Reply(lambda p: f"The spokeswoman was Captain Paula Dunn. [{number_of(p, 'Paula Dunn')}]", pieces=5))
    snapshots = list(llm_engine.ask_stream(QUESTION))
    assert len(snapshots) >= 4
    lengths = [len(s.text) for s in snapshots[:-1]]
    assert lengths == sorted(lengths) and lengths[0] < lengths[-1]
    assert all(s.citations == [] for s in snapshots[:-1])  # only the final one is checked and cited
    assert snapshots[-1].citations and "Paula Dunn" in snapshots[-1].citations[0].quote
    assert server.requests[0]["stream"] is True


def test_disagreeing_cited_sentences_are_reported(llm_engine, server):
    server.replies.append(Reply(lambda p: (
        "Gerasimov sent the proposal to General Joseph Dunford, chairman of the Joint Chiefs of Staff. "
        f"[{number_of(p, 'Joseph Dunford')}][{number_of(p, 'Joseph Danford')}]"
    )))
    answer = llm_engine.ask("To which US general did Gerasimov send the proposal?")
    values = {v.value for c in answer.conflicts for v in c.versions}
    assert {"Dunford", "Danford"} <= values
    assert "disagree" in answer.text


def test_a_model_that_finds_no_answer_is_an_abstention(llm_engine, server):
    server.replies.append(Reply("NOT IN THE DOCUMENTS"))
    answer = llm_engine.ask(QUESTION)
    assert answer.abstained and answer.passages and answer.citations == []


def test_the_model_is_not_asked_when_the_evidence_is_too_weak(llm_engine, server):
    answer = llm_engine.ask("What is the capital of France?")
    assert answer.abstained
    assert server.requests == []


@pytest.mark.parametrize("reply", [Reply(status=500), Reply("", pieces=1), Reply("too late", delay=2.5)])
def test_a_failing_or_slow_model_falls_back_to_the_extractive_answer(seeded_engine, server, reply):
    server.replies.append(reply)
    engine = RAG(docs_dir=seeded_engine.settings.docs_dir, index_dir=seeded_engine.settings.index_dir,
                 llm_base_url=server.base_url, llm_model="scripted", llm_timeout=1.0)
    answer = engine.ask(QUESTION)
    assert answer.composer == "extractive" and not answer.abstained
    assert "Paula Dunn" in answer.text
    assert "extractive answer" in answer.note


def test_a_server_that_is_down_falls_back_without_raising(seeded_engine):
    from conftest import free_port

    engine = RAG(docs_dir=seeded_engine.settings.docs_dir, index_dir=seeded_engine.settings.index_dir,
                 llm_base_url=f"http://127.0.0.1:{free_port()}/v1", llm_model="any")
    snapshots = list(engine.ask_stream(QUESTION))
    assert snapshots[-1].composer == "extractive" and "could not be reached" in snapshots[-1].note
    assert "Paula Dunn" in snapshots[-1].text


@pytest.mark.parametrize("values, message", [
    ({"RAG_LLM_BASE_URL": "localhost:11434", "RAG_LLM_MODEL": "m"}, "not an http"),
    ({"RAG_LLM_BASE_URL": "http://127.0.0.1:11434/v1"}, "RAG_LLM_MODEL"),
])
def test_a_bad_model_setting_says_what_to_set(values, message):
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(values)
