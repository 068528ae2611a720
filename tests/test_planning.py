"""Question planning (rag/planning.py): which whole documents a summary, a subject or a
comparison is about, on the seed articles."""

from __future__ import annotations

from rag.questions import read_question

TRANSLATED = "russia-us-syria-reconstruction-translated.txt"
ORIGINAL = "russia-seeks-us-help-rebuild-syria.txt"


def documents(engine, question: str, found=()) -> list[str]:
    return engine.planner.documents_in_question(read_question(question), question, found)


def test_a_summary_of_a_small_collection_reads_every_document(seeded_engine):
    assert sorted(documents(seeded_engine, "Summarize the documents")) == sorted([ORIGINAL, TRANSLATED])


def test_a_summary_that_names_a_file_reads_that_file(seeded_engine):
    assert documents(seeded_engine, f"Summarize {TRANSLATED}") == [TRANSLATED]


def test_a_subject_that_names_no_document_reads_none(seeded_engine):
    assert documents(seeded_engine, "What do the documents say about Valery Gerasimov?") == []


def test_a_comparison_in_a_conversation_compares_what_answered_the_turn_before(seeded_engine):
    history = [{"role": "user", "content": "Who sent the proposal?"}]
    found = seeded_engine.planner.conversation_sources(history)
    assert sorted(found) == sorted([ORIGINAL, TRANSLATED])
    assert sorted(documents(seeded_engine, "Do the sources disagree?", found)) == sorted(found)


def test_a_question_about_a_document_gets_its_sentences_as_evidence(seeded_engine):
    _, evidence = seeded_engine.evidence(f"Summarize {TRANSLATED}")
    assert evidence.documents and {s.source for s in evidence.documents} == {TRANSLATED}
