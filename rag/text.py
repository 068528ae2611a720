"""Text helpers shared by ingestion, retrieval and composition: sentences with offsets, terms.

>>> text = "Title line\\n\\nFirst one. Second one."
>>> [text[s:e] for s, e in sentence_spans(text)]
['Title line', 'First one.', 'Second one.']
>>> terms("The proposals were sent")
['propos', 'sent']
"""

from __future__ import annotations

import functools
import os
import re

import Stemmer

# Lines are split first because headlines and captions end without punctuation; Punkt
# (the sentence model llama-index itself ships) then splits each line into sentences.
_LINE = re.compile(r"[^\n]+")
_WORD = re.compile(r"(?u)\b\w\w+\b")

# Function words carry no evidence; question words are handled by the composer's type cues.
STOPWORDS = frozenset(
    """a an and are as at be been being but by can could did do does done for from had has have
    he her hers him his how i if in into is it its me my not of on or our she so such than that
    the their them then there these they this those to was we were what when where which who
    whom whose why will with would you your about after also any because before between both
    during each few more most much many other over same some than through under until very
    while up down out off again further once here all only own too just should now per
    """.split()
)


@functools.lru_cache(maxsize=1)
def _punkt():
    import llama_index.core
    import nltk
    from nltk.tokenize import PunktTokenizer

    # llama-index ships Punkt's tables; point NLTK there so nothing is downloaded.
    cache = os.path.join(os.path.dirname(llama_index.core.__file__), "_static", "nltk_cache")
    if cache not in nltk.data.path:
        nltk.data.path.insert(0, cache)
    return PunktTokenizer("english")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences in ``text[start:end]``, trimmed of white space."""
    end = len(text) if end is None else end
    spans = []
    tokenizer = _punkt()
    for line in _LINE.finditer(text, start, end):
        line_text = line.group()
        line_spans: list[tuple[int, int]] = []
        for s, e in tokenizer.span_tokenize(line_text):
            chunk = line_text[s:e]
            lead = len(chunk) - len(chunk.lstrip())
            trail = len(chunk) - len(chunk.rstrip())
            if e - s - lead - trail <= 0:
                continue
            s, e = s + lead, e - trail
            # Punkt splits after abbreviations it does not know ("Howser, M.D. and the ...");
            # a "sentence" that starts in lower case continues the previous one.
            if line_spans and line_text[s].islower():
                line_spans[-1] = (line_spans[-1][0], e)
            else:
                line_spans.append((s, e))
        spans += [(line.start() + s, line.start() + e) for s, e in line_spans]
    return spans


_stemmer = Stemmer.Stemmer("english")


@functools.lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return _stemmer.stemWord(word)


def terms(text: str) -> list[str]:
    """Lower-cased, stemmed content words, in order (duplicates kept)."""
    return [_stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS]
