"""Example questions for a new index: a summary, whether the sources disagree, then the names
the documents mention most; each asked first and offered only when it is answered with at
least two cited sentences."""

from __future__ import annotations

from typing import Any, Callable

from rag.composers.base import Query
from rag.followups import PROPER_NAME
from rag.planning import MAX_SUMMARY_DOCUMENTS, Planner
from rag.questions import clean_question

# An honorific is left out of an example question's subject ("Mr Al Assad" -> "Al Assad").
_HONORIFICS = frozenset("Mr Mrs Ms Dr Prof President General Gen Captain Secretary Minister Chief Sir".split())
EXAMPLE_PASSAGES = 2000
EXAMPLE_COUNT = 4  # example questions found (and kept per index generation)


class Examples:
    def __init__(self, planner: Planner, composer: Callable[[], Any]):
        self.planner, self._composer = planner, composer
        self._cache: dict[int, list[str]] = {}  # index generation -> example questions

    def get(self, n: int = 3) -> list[str]:
        index = self.planner.index
        generation = index.storage.generation()
        cached = self._cache.get(generation)
        if cached is None:
            # Asked of the extractive composer: quick, and a model's answer would say no more.
            composer = self._composer().quick()
            cached = []
            for candidate in self.candidates():
                if len(cached) == EXAMPLE_COUNT:
                    break  # asked on every page load of a new index: no more than needed
                query = Query.of(clean_question(candidate))
                answer = composer.compose(query, self.planner.evidence(query))
                if not answer.abstained and len(answer.citations) >= 2:
                    cached.append(candidate)
            self._cache = {generation: cached}
        return cached[:n]

    def candidates(self) -> list[str]:
        index = self.planner.index
        documents = index.manifest().documents()
        if not documents:
            return []
        if len(documents) <= MAX_SUMMARY_DOCUMENTS:
            summary = "Summarize the documents" if len(documents) > 1 else "Summarize the document"
        else:
            summary = f"What is {documents[0].title!r} about?"
        # The first few thousand passages are plenty to find the main names, at any size.
        got = index.storage.passages.get(include=["documents", "metadatas"], limit=EXAMPLE_PASSAGES)
        mentions: dict[str, list[str]] = {}
        for text, meta in zip(got["documents"], got["metadatas"]):
            for match in PROPER_NAME.finditer(text):
                words = match.group().split()
                while words and words[0] in _HONORIFICS:  # "Captain Paula Dunn" is about Paula Dunn
                    words = words[1:]
                if len(words) >= 2 and not _starts_sentence(text, match.start()):
                    mentions.setdefault(" ".join(words), []).append(meta["source"])
        # Names that several documents mention, then the most mentioned, are the main subjects.
        names = sorted(
            (k for k in mentions if len(mentions[k]) > 1), key=lambda k: (-len(set(mentions[k])), -len(mentions[k]), k)
        )[: 2 * EXAMPLE_COUNT]
        corpus = "\n".join(got["documents"]).lower()
        # "the United States" when the documents say so.
        subjects = [f"the {n}" if corpus.count(f"the {n.lower()}") * 2 >= corpus.count(n.lower()) else n for n in names]
        # Offered only where it finds something: a "no disagreement" answer cites nothing.
        compare = ["Do the sources disagree?"] if 1 < len(documents) <= MAX_SUMMARY_DOCUMENTS else []
        return [summary] + compare + [f"What do the documents say about {subject}?" for subject in subjects]


def _starts_sentence(text: str, i: int) -> bool:
    """Whether text[i] begins a sentence or a line, where any word is capitalised."""
    before = text[:i].rstrip(" \t\"“‘'(")
    return not before or before[-1] in ".!?\n"
