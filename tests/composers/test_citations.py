"""The law every answer keeps: a citation's quote is exactly its source text [start:end]."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SEEDS, source_text

SEED_WORDS = sorted({w.strip(".,“”\"'()") for p in SEEDS.glob("*.txt") for w in p.read_text().split() if len(w) > 3})
QUESTION_WORDS = ["Who", "What", "When", "How many", "Where", "Why", "Which"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(QUESTION_WORDS), st.lists(st.sampled_from(SEED_WORDS), min_size=1, max_size=6))
def test_every_citation_and_passage_points_at_its_exact_source_span(seeded_engine, wh, words):
    answer = seeded_engine.ask(f"{wh} {' '.join(words)}?")
    for c in answer.citations:
        assert source_text(seeded_engine, c.source)[c.start : c.end] == c.quote
        assert c.title == source_text(seeded_engine, c.source).splitlines()[0].strip()
    for p in answer.passages:
        assert source_text(seeded_engine, p.source)[p.start : p.end] == p.text
    assert [c.number for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    for c in answer.citations:
        assert f"[{c.number}]" in answer.text
