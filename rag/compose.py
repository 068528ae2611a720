"""Question + evidence -> Answer: the source's own sentences, each cited, or an abstention.

The default composer is extractive (no generative model is available offline). Each
candidate sentence is scored by

- dense: cosine similarity of its MiniLM embedding to the question's;
- lexical: the share of the question's terms, weighted by rarity (IDF), that it contains;
- context: the same share over the sentence and the one before it ("He was hired by ..."
  names its subject in the sentence before);
- cue: whether it holds what the question asks for (a name for "who", a date for "when",
  a number for "how many") that the question itself does not already contain.

The answer's confidence weighs the best sentence's features and the highest dense
similarity among the candidates; below ``abstain_threshold`` the answer says the
documents do not answer the question. A sentence that states the same
fact as an already chosen one from another document is merged into it (cited ``[1][2]``),
and differing names or numbers between such sentences are reported as conflicts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Protocol

import numpy as np

from rag.text import terms
from rag.types import Answer, Citation, Conflict, ConflictVersion, Evidence, Sentence

# Chosen by bench/tune_composer.py on the tune half of the SQuAD articles (see README).
WEIGHTS = {"dense": 0.4, "lexical": 0.3, "context": 0.2, "cue": 0.1}
SAME_FACT_COSINE = 0.72  # two sentences from different documents this close state one fact
# The answer's confidence, from the best sentence's features and the closest any candidate
# comes to the question in meaning. Dense similarity separates "the documents say" from "the
# documents only share words with the question" better than the ranking score does: chosen
# with bench/tune_composer.py, it abstains on 98% of off-corpus questions of the tune half
# (93% with the ranking score) at the same 2% of answerable ones.
CONFIDENCE_WEIGHTS = {"dense": 0.3, "lexical": 0.1, "context": 0.2, "best_dense": 0.4}
# A further answer sentence must score at least this share of the best. With it the answer is
# one sentence when the best clearly leads and several when candidates run close, which is
# when the best most often misses. Chosen with bench/tune_composer.py on the tune half
# (with max_sentences 4, max_words 120): the most answers holding the gold answer at a
# median of at most 38 words.
KEEP_WITHIN = 0.88
ABSTAIN_TEXT = "The documents do not answer this question. The nearest passages are listed below."

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_CUES = {
    "date": re.compile(rf"\b(?:{_MONTHS}|\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|century|decade)\b"),
    "number": re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|billion|dozen)\b", re.I),
    "name": re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z]+"),
}
_QUESTION_CUE = [
    (re.compile(r"\b(?:when|what (?:year|date|day|month|time|century|decade))\b", re.I), "date"),
    (re.compile(r"\b(?:how (?:many|much|long|old|far|large|big)|what (?:percentage|number|amount|size))\b", re.I), "number"),
    (re.compile(r"\b(?:who|whom|whose|where|which (?:person|city|country|company))\b", re.I), "name"),
]
_NAME = re.compile(r"\b[A-Z][a-z]{2,}\b")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


class Composer(Protocol):
    def compose(self, question: str, evidence: Evidence) -> Answer: ...


@dataclass
class _Pick:
    """One answer sentence and the sentences from other documents that state the same fact."""

    main: Sentence
    score: float
    same: list[Sentence] = field(default_factory=list)


@dataclass
class ExtractiveComposer:
    abstain_threshold: float = 0.475
    max_sentences: int = 4
    max_words: int = 120  # further sentences join the answer only while it stays this short
    weights: dict[str, float] = field(default_factory=lambda: dict(WEIGHTS))

    def compose(self, question: str, evidence: Evidence) -> Answer:
        scored = sorted(
            ((self.score(question, s, evidence), s) for s in evidence.sentences),
            key=lambda x: -x[0],
        )
        confidence = self.confidence(question, scored, evidence)
        if confidence < self.abstain_threshold:
            return Answer(question, ABSTAIN_TEXT, True, passages=evidence.passages, confidence=round(confidence, 4))
        picks = self._pick(scored)
        citations, parts, conflicts = [], [], []
        for pick in picks:
            numbers = []
            for s in [pick.main, *pick.same]:
                citations.append(
                    Citation(len(citations) + 1, s.source, s.title, s.text, s.start, s.end, round(pick.score, 4),
                             page=s.page, section=s.section)
                )
                numbers.append(citations[-1].number)
            # A sentence wrapped across lines (PDF, hard-wrapped text) reads as one line; the
            # citation's quote keeps the source's exact characters.
            parts.append(" ".join(pick.main.text.split()) + " " + "".join(f"[{n}]" for n in numbers))
            conflicts += _conflicts(pick.main, pick.same, numbers)
        text = " ".join(parts)
        if conflicts:
            text += "\n\nThe sources disagree: " + "; ".join(_describe(c) for c in conflicts) + "."
        return Answer(
            question, text, False, citations=citations, passages=evidence.passages,
            conflicts=conflicts, confidence=round(confidence, 4),
        )

    @staticmethod
    def confidence(question: str, scored: list[tuple[float, Sentence]], evidence: Evidence) -> float:
        """How sure the documents answer the question at all (compared with abstain_threshold)."""
        if not scored:
            return 0.0
        f = sentence_features(question, scored[0][1], evidence)
        f["best_dense"] = max(s.dense for _, s in scored)
        return sum(w * f[k] for k, w in CONFIDENCE_WEIGHTS.items())

    def score(self, question: str, s: Sentence, evidence: Evidence) -> float:
        f = sentence_features(question, s, evidence)
        return sum(self.weights[k] * f[k] for k in self.weights)

    def _pick(self, scored: list[tuple[float, Sentence]]) -> list[_Pick]:
        best = scored[0][0]
        picks: list[_Pick] = []
        words = 0
        for score, s in scored:
            twin = next((p for p in picks if _same_fact(p.main, s)), None)
            if twin is not None:
                if s.source != twin.main.source and all(s.source != o.source for o in twin.same):
                    twin.same.append(s)
                continue
            if picks and (
                score < best * KEEP_WITHIN
                or len(picks) >= self.max_sentences
                or words + len(s.text.split()) > self.max_words
            ):
                continue
            picks.append(_Pick(s, score))
            words += len(s.text.split())
        return picks


def weighted_coverage(query_terms: set[str], text_terms: set[str], evidence: Evidence) -> float:
    """Share of the question's terms, weighted by rarity, that the text contains.

    A term the corpus never uses gets the highest weight: a question about something the
    documents never mention should find its key word missing.
    """
    weight = {t: evidence.idf.get(t, evidence.unseen_idf) for t in query_terms}
    total = sum(weight.values())
    return sum(w for t, w in weight.items() if t in text_terms) / total if total else 0.0


def sentence_features(question: str, s: Sentence, evidence: Evidence) -> dict[str, float]:
    """What the composer scores a candidate sentence by (see the module docstring).

    For a follow-up, the retrieval query also carries the earlier turn ("How much will the
    reconstruction cost? ... Who would it strengthen?"): the lexical score then counts what
    is asked now as much as the whole query, or the earlier turn's terms would drown it.
    """
    own_terms = set(terms(s.text))
    query_terms = set(evidence.query_terms)
    lexical = weighted_coverage(query_terms, own_terms, evidence)
    if _question_terms(question) != query_terms:  # a follow-up: half for what is asked now
        lexical = (lexical + weighted_coverage(_question_terms(question), own_terms, evidence)) / 2
    return {
        "dense": s.dense,
        "lexical": lexical,
        "context": weighted_coverage(query_terms, own_terms | set(terms(s.previous)), evidence),
        "cue": _cue(question, s.text),
    }


@lru_cache(maxsize=64)
def _question_terms(question: str) -> frozenset[str]:
    return frozenset(terms(question))


def _cue(question: str, sentence: str) -> float:
    for pattern, kind in _QUESTION_CUE:
        if pattern.search(question):
            found = set(_CUES[kind].findall(sentence)) - set(_CUES[kind].findall(question))
            return 1.0 if found else 0.0
    return 0.0


def _same_fact(a: Sentence, b: Sentence) -> bool:
    if a.embedding is None or b.embedding is None:
        return False
    return float(np.dot(a.embedding, b.embedding)) >= SAME_FACT_COSINE


def _conflicts(main: Sentence, others: list[Sentence], numbers: list[int]) -> list[Conflict]:
    """Names spelled differently and numbers that differ between sentences stating one fact."""
    found = []
    for other, number in zip(others, numbers[1:]):
        for kind, a, b in _differences(main.text, other.text):
            found.append(Conflict(kind, [ConflictVersion(a, numbers[0], main.source), ConflictVersion(b, number, other.source)]))
    return found


def _differences(a: str, b: str) -> list[tuple[str, str, str]]:
    out = []
    names_a, names_b = set(_NAME.findall(a)), set(_NAME.findall(b))
    for x in sorted(names_a - names_b):
        for y in sorted(names_b - names_a):
            # A near-identical spelling (Dunford / Danford), not a different form of one
            # word (Russia / Russian) nor a different word altogether.
            if abs(len(x) - len(y)) <= 1 and not (x.startswith(y) or y.startswith(x)) and SequenceMatcher(None, x, y).ratio() >= 0.8:
                out.append(("name", x, y))
    nums_a = {n.replace(",", "") for n in _NUMBER.findall(a)}
    nums_b = {n.replace(",", "") for n in _NUMBER.findall(b)}
    only_a, only_b = sorted(nums_a - nums_b), sorted(nums_b - nums_a)
    if only_a and only_b:
        out.append(("number", only_a[0], only_b[0]))
    return out


def _describe(c: Conflict) -> str:
    return " vs ".join(f'"{v.value}" [{v.citation}]' for v in c.versions)
