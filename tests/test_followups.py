"""A conversation's earlier turns (rag/followups.py): which questions need them, and the search they make."""

from __future__ import annotations

import pytest

from rag.errors import BadQuestionError
from rag.followups import MAY, NEEDS, STANDS_ALONE, check_history, follow_up, turns, with_context

HISTORY = [{"role": "user", "content": "Who sent the proposal?"},
           {"role": "assistant", "content": "It was sent by Valery Gerasimov in a letter. [1]"}]


@pytest.mark.parametrize("question, mode", [
    ("When did he send it?", NEEDS),              # a person pronoun points back
    ("What about Jordan?", NEEDS),                # an ellipsis
    ("Why?", NEEDS),                              # too short to stand alone
    ("How much would it cost to rebuild the country?", MAY),  # "it" often points nowhere
    ("How do I turn it on?", NEEDS),              # ... but the thing acted on points back
    ("Who wrote it?", NEEDS),
    ("Which one does Debian use by default?", NEEDS),  # one of the things named before
    ("Is it possible to rebuild the country?", MAY),
    ("Who was the spokeswoman for the Pentagon?", STANDS_ALONE),
])
def test_a_question_needs_the_conversation_only_when_it_points_back(question, mode):
    assert follow_up(question, HISTORY) == mode
    assert follow_up(question, None) == STANDS_ALONE  # nothing to point back to


def test_a_follow_up_is_searched_with_the_last_question_and_the_name_its_answer_gave():
    assert with_context("When did he send it?", HISTORY) == "Who sent the proposal? Valery Gerasimov When did he send it?"
    assert with_context("When did he send it?", None) == "When did he send it?"


def test_history_comes_as_messages_or_pairs_and_anything_else_is_refused():
    pairs = [("Who sent the proposal?", "Valery Gerasimov. [1]")]
    assert turns(pairs) == [("user", "Who sent the proposal?"), ("assistant", "Valery Gerasimov. [1]")]
    assert turns([{"role": "user", "content": [{"type": "text", "text": "spokes\udfffwoman?"}]}]) == [("user", "spokeswoman?")]
    with pytest.raises(BadQuestionError, match="list of earlier turns"):
        check_history("Who sent the proposal?")
