"""Does a cited sentence support a sentence of a model's answer?

Two checks. The default is the support check (``Verifier``, below): a model trained here
reads the claim with the sentences it cites and says supported, contradicted (one fact
changed) or not stated; figures in docs/verification.md. Without it (``RAG_VERIFIER=false``,
or the model file missing), a claim is supported by the sentences it cites when every number
it states is in them and, taken together, they are close to it in meaning, share its content
words and name what it names:

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
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from rag.lexicon import aligned, as_the_source_says, changed_words
from rag.reader import PairModel
from rag.text import terms

# The support check: a cross-encoder (claim, cited sentences) -> supported / contradicted /
# not stated, trained here (train/support_data.py, train/reader.py --task support; card:
# rag/embed/verifier-int8.md), shipped as int8 ONNX beside the reading model.
MODEL_FILE = Path(__file__).resolve().parent / "embed" / "verifier-int8.onnx"
MODEL_ENV = "RAG_VERIFIER_MODEL"
LABELS = ("supported", "contradicted", "not_stated")
# Claim, then the cited sentences, at most this many tokens together (two sentences fit).
MAX_TOKENS = 192
MAX_CLAIM_TOKENS = 64

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


# --- the support check (the shipped model) ---------------------------------------------------


@dataclass
class Verdict:
    """What the support check says of one claim against the sentences it cites."""

    label: str  # "supported", "contradicted" or "not_stated"
    probabilities: dict[str, float]
    unstated: str = ""  # the claim's words the source does not state ("France")
    source_says: str = ""  # what the source says there instead ("Spain")

    @property
    def supported(self) -> bool:
        return self.label == "supported"


class Verifier(PairModel):
    """Checks (claim, cited sentences) pairs with the shipped support-check model."""

    what, default_file, env = "support-check model", MODEL_FILE, MODEL_ENV
    without = "a model's sentences are checked by shared words and meaning only (reinstall the package)"
    max_tokens, max_first = MAX_TOKENS, MAX_CLAIM_TOKENS

    def __init__(self, path: Path = MODEL_FILE, threads: Optional[int] = None):
        super().__init__(path, threads)

    def check(self, claims: Sequence[str], cited: Sequence[Sequence[str]], lexicon: bool = True,
              changed_words_flagged: bool = True) -> list[Verdict]:
        """One verdict per claim, against its cited sentences (joined, in the order given).
        ``lexicon=False``: the model's verdicts alone (for benches); ``changed_words_flagged=False``:
        a cited sentence with a word changed is left to the model too (rag/conflicts.py asks
        the model whether a name swapped into a sentence is another name for the same thing)."""
        if not claims:
            return []
        sources = [" ".join(" ".join(s.split()) for s in c) for c in cited]
        claims = [" ".join(c.split()) for c in claims]
        if lexicon:
            # A name or word the source gives another way ("the United States" for "America",
            # "commenced" for "started") is read as the source writes it: the same fact, which
            # the model does not always see (rag/lexicon.py).
            claims = [as_the_source_says(c, source) for c, source in zip(claims, sources)]
        logits = self.pair_logits(claims, sources)
        z = np.exp(logits - logits.max(axis=1, keepdims=True))
        probabilities = z / z.sum(axis=1, keepdims=True)
        out = []
        for claim, sentences, p in zip(claims, cited, probabilities):
            label = LABELS[int(p.argmax())]
            # A cited sentence copied with a word or three changed states something else,
            # whatever the model makes of it (it lets about one in six changed nouns through).
            changed = next(filter(None, (changed_words(claim, " ".join(s.split())) for s in sentences)), None) \
                if lexicon and changed_words_flagged else None
            if changed:
                label = "contradicted"
            unstated, instead = changed or (differing_words(claim, sentences) if label != "supported" else ("", ""))
            out.append(Verdict(label, {k: round(float(v), 4) for k, v in zip(LABELS, p)}, unstated, instead))
        return out


def differing_words(claim: str, cited: Sequence[str]) -> tuple[str, str]:
    """(the claim's words its closest cited sentence does not state, what that sentence says
    in their place), from a word alignment of the two:

    >>> differing_words("The treaty was signed by France in 1990.", ["The treaty was signed by Spain in 1990."])
    ('France', 'Spain')
    >>> differing_words("He did not sign it.", ["He did sign it."])
    ('not', '')
    """
    if not cited or not claim.strip():
        return "", ""
    claim_words, source_words, best_matcher = max((aligned(claim, sentence) for sentence in cited), key=lambda x: x[2].ratio())
    unstated, instead = [], []
    for op, i1, i2, j1, j2 in best_matcher.get_opcodes():
        if op in ("replace", "delete"):
            unstated.append(" ".join(claim_words[i1:i2]))
            instead.append(" ".join(source_words[j1:j2]) if op == "replace" else "")
    if not unstated:
        return "", ""
    # The largest difference is the claim's point; an aligned run far longer than a few
    # words means the sentences differ throughout (a claim the source does not state at all).
    i = max(range(len(unstated)), key=lambda k: len(unstated[k].split()))
    return unstated[i].strip(" .,"), instead[i].strip(" .,")
