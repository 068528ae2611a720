"""The composers' contract: question + evidence -> Answer, every sentence cited or an abstention.

Two composers keep it: ``extractive.ExtractiveComposer`` (the default: the documents' own
sentences, read by the reading model) and ``llm.LLMComposer`` (a model behind an
OpenAI-compatible endpoint writes the answer, cited by number and checked sentence by
sentence, with the extractive answer as its fallback). A composer of your own subclasses
``Composer`` and is passed to ``RAG(composer=...)``.
"""

from __future__ import annotations

import abc
from typing import Iterator, Optional

from rag.types import Answer, Evidence


class Composer(abc.ABC):
    #: A composer that reads the conversation (a model's) is passed ``history``: earlier
    #: turns as {"role", "content"} messages; the others answer the question as retrieved.
    takes_history: bool = False

    @abc.abstractmethod
    def compose(self, question: str, evidence: Evidence, history: Optional[list] = None) -> Answer:
        """The answer to ``question`` from ``evidence`` (``rag.planning`` gathered it)."""

    def compose_stream(self, question: str, evidence: Evidence, history: Optional[list] = None) -> Iterator[Answer]:
        """Snapshots of the answer while it is written; the last is the final one. A composer
        that does not write word by word gives the final answer at once."""
        yield self.compose(question, evidence, history)

    def quick(self) -> "Composer":
        """The composer to use where speed matters more than wording (the example questions
        a new index offers): this one, or the extractive one behind a model."""
        return self
