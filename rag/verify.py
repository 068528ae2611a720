"""Does a cited sentence support a sentence of a model's answer?

A claim is supported by the sentences it cites when every number and name it states is in
them and, taken together, they are close to it in meaning and share its content words:

    support = MEANING_WEIGHT * cosine(claim, best cited sentence) + (1 - MEANING_WEIGHT) * shared terms

Calibrated with bench/calibrate_support.py on the seed articles: a sentence of the
translated article against its original (a faithful restatement) scores 0.55-0.95; against
another sentence of the same story it scores 0.15-0.45. ``Settings.llm_support_threshold``
(0.5) sits between the two.

>>> names_and_numbers("Gerasimov sent it on July 19, 2018.")
{'2018', '19', 'gerasimov', 'july'}
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np

from rag.text import terms

MEANING_WEIGHT = 0.6
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w'’-]+")


def names_and_numbers(text: str) -> set[str]:
    """What a claim states that a source must state too: its numbers and capitalised words
    (not the first word of the sentence), lower-cased, without a possessive."""
    numbers = {n.replace(",", "") for n in _NUMBER.findall(text)}
    names = {re.sub(r"['’]s$", "", n).lower() for n in _NAME.findall(text.strip())}
    return numbers | names


def support(claim: str, claim_vector: np.ndarray, cited: Sequence[str], cited_vectors: Sequence[np.ndarray]) -> float:
    """0 (unsupported) to 1: how well the cited sentences back the claim (module docstring)."""
    if not cited:
        return 0.0
    together = " ".join(cited)
    stated = names_and_numbers(together.replace(",", ""))
    lowered = together.lower()
    if any(v not in stated and v not in lowered for v in names_and_numbers(claim)):
        return 0.0  # a name or number the sources do not state
    claim_terms = set(terms(claim))
    shared = len(claim_terms & set(terms(together))) / len(claim_terms) if claim_terms else 1.0
    meaning = max(float(np.dot(claim_vector, v)) for v in cited_vectors)
    return MEANING_WEIGHT * meaning + (1 - MEANING_WEIGHT) * shared
