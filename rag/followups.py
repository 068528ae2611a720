"""A conversation's earlier turns: reading them, and deciding whether a question needs them.

A question that stands on its own is answered as if asked fresh; one that points back ("When
did he send it?", "What about Jordan?") is searched with the last question and the name its
answer gave. History comes as {"role", "content"} messages or (question, answer) pairs.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Optional

from rag.errors import BadQuestionError
from rag.text import SURROGATE

History = Iterable[Any]  # [{"role": "user", "content": "..."}, ...] or [(user, assistant), ...]

# Words that point back at an earlier turn: "When did he send it?" A person pronoun or an
# ellipsis ("What about Jordan?") needs the conversation; "it", "this", "there" often do not
# ("How much money would it take to rebuild the country?"): such a question is answered as
# asked first, and with the conversation only when it is not answered on its own.
_NEEDS_CONTEXT = re.compile(
    r"\b(?:he|she|they|him|her|them|his|hers|its|their|theirs)\b|^\s*(?:and|what about|how about|what of|same for)\b", re.I)
_MAY_NEED_CONTEXT = re.compile(r"\b(?:it|this|that|these|those|there|then)\b", re.I)
# ... but "it" or "this" as what the question ends on, the thing acted on ("How do I turn it
# on?", "Who wrote it?", "Is Debian using this?"), and "which one" among things named before,
# point back: asked on its own, "How do I turn it on?" after a question on SELinux was answered
# with a sentence on the TURN protocol (Debian's handbook).
_POINTS_BACK_AT_END = re.compile(
    r"\b(?:it|this|that|these|those|them|one)(?:\s+(?:on|off|up|down|out|in|back|away|again|instead|too))?\s*[?.!]*\s*$"
    r"|\bwhich (?:one|ones|of them|of the two)\b", re.I)
NEEDS, MAY, STANDS_ALONE = "needs", "may", "stands alone"
MAX_ELLIPSIS_WORDS = 3  # "And Jordan?", "Why?": too short to stand alone
# ... unless it asks what or who something is: "What is PreviSat?" after a question on a
# spreadsheet of deaths was searched with that question, and answered with other sentences.
_ASKS_WHAT_IT_IS = re.compile(r"^\s*(?:what|who)(?:'s|’s| is| are| was| were) \S", re.I)
# Two or three capitalised words in a row, not starting with "The": "Valery Gerasimov".
PROPER_NAME = re.compile(r"\b(?!The\b)[A-Z][a-z]+(?: [A-Z][a-z]+){1,2}\b")


def check_history(history: Any) -> Optional[list]:
    if history is None:
        return None
    if isinstance(history, (str, bytes)) or not isinstance(history, (list, tuple)):
        raise BadQuestionError(
            "history must be a list of earlier turns: {'role': 'user' or 'assistant', 'content': text} "
            "or (question, answer) pairs"
        )
    return list(history)


def turns(history: Optional[History]) -> list[tuple[str, str]]:
    """(role, text) for each earlier turn, from message dicts or (user, assistant) pairs."""
    found = []
    for turn in history or []:
        if isinstance(turn, dict):
            found.append((turn.get("role", "user"), content_text(turn.get("content"))))
        elif isinstance(turn, (list, tuple)) and turn:
            found.append(("user", content_text(turn[0])))
            if len(turn) > 1 and turn[1]:
                found.append(("assistant", content_text(turn[1])))
    return found


def messages(history: Optional[History]) -> list[dict[str, str]]:
    """Earlier turns as {"role", "content"} messages, whichever form they came in."""
    return [{"role": role, "content": text} for role, text in turns(history)]


def content_text(content: Any) -> str:
    """Message content as text: a string, or a list of parts such as {"type": "text", "text": ...}.
    Lone surrogates are removed, as from the question ("spokes\\udfffwoman" is "spokeswoman"):
    the earlier turn is part of a follow-up's search."""
    if isinstance(content, str):
        return SURROGATE.sub("", content)
    if isinstance(content, (list, tuple)):
        return " ".join(content_text(p.get("text", "") if isinstance(p, dict) else p) for p in content)
    return ""


def with_context(question: str, history: Optional[History]) -> str:
    """The retrieval query. A follow-up that points back ("When did he send it?") carries the
    last question and the names its answer gave ("Valery Gerasimov"), which is what the
    pronouns most likely stand for."""
    said = turns(history)
    users = [text for role, text in said if role == "user"]
    if not users:
        return question
    last_user = max(i for i, (role, _) in enumerate(said) if role == "user")
    answer = next((text for role, text in said[last_user + 1 :] if role == "assistant"), "")
    # The answer's first name is usually who or what it is about; more names drift the query.
    names = [n for n in PROPER_NAME.findall(answer) if n not in users[-1]][:1]
    return " ".join([users[-1], *names, question])


def follow_up(question: str, history: Optional[list]) -> str:
    """Whether a question NEEDS the conversation, MAY need it, or STANDS_ALONE.

    >>> earlier = [("When did David Bowie die?", "On 10 January 2016. [1]")]
    >>> follow_up("And Prince?", earlier), follow_up("What is PreviSat?", earlier), follow_up("What is it?", earlier)
    ('needs', 'may', 'needs')
    """
    if not any(role == "user" for role, _ in turns(history)):
        return STANDS_ALONE
    short = len(question.split()) <= MAX_ELLIPSIS_WORDS
    if (_NEEDS_CONTEXT.search(question) or _POINTS_BACK_AT_END.search(question)
            or (short and not _ASKS_WHAT_IT_IS.search(question))):
        return NEEDS
    # A short "What is X?" is answered as asked, with the conversation only if that finds nothing.
    return MAY if short or _MAY_NEED_CONTEXT.search(question) else STANDS_ALONE
