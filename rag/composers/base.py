"""The composers' contract: question + evidence -> Answer, every sentence cited or an abstention.

Two composers keep it: ``extractive.ExtractiveComposer`` (the default: the documents' own
sentences, read by the reading model) and ``llm.LLMComposer`` (a model behind an
OpenAI-compatible endpoint writes the answer, cited by number and checked sentence by
sentence, with the extractive answer as its fallback). A composer of your own subclasses
``Composer`` and is passed to ``RAG(composer=...)``.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import Iterator, Optional

from rag.questions import QuestionIntent, read_question
from rag.types import Answer, Evidence


@dataclass(frozen=True)
class Query:
    """A question as it is answered, worked out once (by the engine, before retrieval): the
    cleaned text, what it asks for (``intent``: its kind, subject, count), and the
    conversation before it as {"role", "content"} messages."""

    text: str
    intent: QuestionIntent
    history: tuple = ()

    @classmethod
    def of(cls, question: str, history: Optional[list] = None) -> "Query":
        return cls(question, read_question(question), tuple(history or ()))


class Composer(abc.ABC):
    #: A composer that reads the conversation (a model's) gets the question with the
    #: conversation's last turn retrieved for it whenever it may point back; the others only
    #: when it must (a pronoun, an ellipsis), and answer the question as retrieved.
    takes_history: bool = False

    @abc.abstractmethod
    def compose(self, query: Query, evidence: Evidence) -> Answer:
        """The answer to ``query`` from ``evidence`` (``rag.planning`` gathered it)."""

    def compose_stream(self, query: Query, evidence: Evidence) -> Iterator[Answer]:
        """Snapshots of the answer while it is written; the last is the final one. A composer
        that does not write word by word gives the final answer at once."""
        yield self.compose(query, evidence)

    def quick(self) -> "Composer":
        """The composer to use where speed matters more than wording (the example questions
        a new index offers): this one, or the extractive one behind a model."""
        return self
