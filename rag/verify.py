"""Does a cited sentence support a sentence of a model's answer?

A claim is supported by the sentences it cites when every number it states is in them and,
taken together, they are close to it in meaning, share its content words and name what it
names:

    support = MEANING_WEIGHT * cosine(claim, best cited sentence) + (1 - MEANING_WEIGHT) * shared terms
              - NAME_PENALTY * share of the claim's names they do not hold      (0 if a number is missing)

Calibrated with bench/calibrate_support.py on the seed articles, whose second one is a
machine translation of the first: a translated sentence against its original (a faithful
restatement in other words) scores 0.38-0.95, median 0.70; against the next closest sentence
of the story or another one, at most 0.43, median -0.05. ``Settings.llm_support_threshold``
(0.45) keeps 88% of the restatements and lets none of the others through.

>>> sorted(numbers("Gerasimov sent it on July 19, 2018.") | names("Gerasimov sent it on July 19, 2018."))
['19', '2018', 'july']
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np

from rag.text import terms

MEANING_WEIGHT = 0.6
# A name the sources do not state lowers the support by this share of the claim's names: a
# restatement may spell a title differently ("Defense Ministry" / "defence ministry"), an
# invented person or place is usually the claim's point.
NAME_PENALTY = 0.5
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w'’-]+")


def numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in _NUMBER.findall(text)}


def names(text: str) -> set[str]:
    """Capitalised words (not the first of the sentence), lower-cased, without a possessive."""
    return {re.sub(r"['’]s$", "", n).lower() for n in _NAME.findall(text.strip())}


def support(claim: str, claim_vector: np.ndarray, cited: Sequence[str], cited_vectors: Sequence[np.ndarray]) -> float:
    """0 (unsupported) to 1: how well the cited sentences back the claim (module docstring)."""
    if not cited:
        return 0.0
    together = " ".join(cited)
    if not numbers(claim) <= numbers(together):
        return 0.0  # a number the sources do not state
    lowered = together.lower()
    claim_names = names(claim)
    missing_names = sum(1 for n in claim_names if n not in lowered) / len(claim_names) if claim_names else 0.0
    claim_terms = set(terms(claim))
    shared = len(claim_terms & set(terms(together))) / len(claim_terms) if claim_terms else 1.0
    meaning = max(float(np.dot(claim_vector, v)) for v in cited_vectors)
    return MEANING_WEIGHT * meaning + (1 - MEANING_WEIGHT) * shared - NAME_PENALTY * missing_names
