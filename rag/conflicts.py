"""When two sentences state the same fact, and when they state it with different values.

Two sentences from different documents state the same fact when they mean nearly the same
(their MiniLM embeddings are close) and share most of their content words; a translation of
a sentence qualifies, a sentence on the same topic does not.

They disagree when, aligned word by word, a short stretch between words they share holds a
different value of the same kind in each: a name (a person, organisation or place), a date or
a number. A value one sentence has and the other lacks is not a disagreement; nor is a word
that merely changes form (Russia / Russian).

>>> [(c.kind, c.first, c.second) for c in slot_conflicts("Facebook acquired WhatsApp in 2014.", "Apple acquired WhatsApp in 2014.")]
[('name', 'Facebook', 'Apple')]
>>> slot_conflicts("The war began in 2018 and 2 people died.", "The war began in 2018, killing 2.")
[]
>>> [(c.kind, c.first, c.second) for c in slot_conflicts("sent on July 19 by Gerasimov", "sent on July 16 by Gerasimov")]
[('date', 'July 19', 'July 16')]
>>> slot_conflicts("About 5.6 million people fled abroad.", "About 5,600,000 people fled abroad.")
[]
>>> [(c.kind, c.first, c.second) for c in slot_conflicts("Five soldiers were hurt in the blast.", "Nine soldiers were hurt in the blast.")]
[('number', 'Five', 'Nine')]
>>> [(c.first, c.second) for c in slot_conflicts("It holds a full-scale replica of Trajan's Column, cut in half to fit.",
...                                              "It holds a full-scale replica of Oriental Courts, cut in half to fit.")]
[("Trajan's Column", 'Oriental Courts')]
>>> [(c.first, c.second) for c in slot_conflicts("A food festival at Bellomy Field at Santa Clara University, and a pep rally downtown.",
...                                              "A food festival at Bellomy Field at Super Bowl XLV, and a pep rally downtown.")]
[('Santa Clara University', 'Super Bowl XLV')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, Optional

import numpy as np

from text_to_num import text2num

from rag.text import MONTHS, STOPWORDS, is_message_header, record_fields, term_set
from rag.types import Sentence
from rag.verify import differing_words

# Two ways to state one fact, chosen on the seed articles (the translation's sentences against
# the original's) and on bench/conflict-set.json's tune half (a sentence against its copy with
# one value changed): a translation scores 0.8-0.98 in meaning and shares 40-90% of its
# content terms with its original; a copy with another name or number in it shares at least
# 75% of its terms, but its meaning may drop to 0.6 (a long name replaced in a short sentence).
# Sentences on one topic that say different things stay below both.
SAME_FACT = ((0.80, 0.40), (0.60, 0.75))  # (cosine at least, share of content terms at least)
# Values are compared only between sentences this alike in wording: two sentences on one
# subject ("the offense scored 500 points" / "the defense gave up 308 points") share about
# half their terms, a sentence and its copy or close translation three quarters or more.
COMPARABLE_TERMS = 0.6
# Two statements of one fact are of like size: a translation's sentence holds 0.75 or more as
# many content terms as its original (the seed articles). A heading or a short line that holds
# a few of a long sentence's words is not a restatement of it ("Upgrading from One Stable
# Distribution to the Next" beside the paragraph on upgrading, "To each their own Debian!"
# beside a sentence on Debian and Ubuntu: Debian's handbook).
SAME_FACT_SIZE_RATIO = 0.5

# Numbers, words, and the punctuation that ends a run of names ("the US, Russia and Jordan").
_TOKEN = re.compile(r"\$?\d+(?:,\d{3})*(?:\.\d+)?%?|[^\W\d_][\w'’.-]*|[,;:()“”\"]", re.UNICODE)
_MONTH = re.compile(rf"^(?:{MONTHS})$", re.I)
_POSSESSIVE = re.compile(r"['’]s$")
_SCALE = frozenset("hundred thousand million billion trillion percent per cent".split())
_MULTIPLIER = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
               "trillion": 1_000_000_000_000}
# Words text2num reads as a number that are seldom a stated quantity ("one of them", "no one");
# a scale word is a number's unit.
_NOT_NUMBER_WORDS = frozenset({"one"}) | _SCALE


@dataclass(frozen=True)
class SlotConflict:
    kind: str  # "name", "date", "number", or "other" (found by the support check)
    first: str
    second: str


def same_fact(a: Sentence, b: Sentence) -> bool:
    """Whether b (from another document) states the fact a states."""
    if a.embedding is None or b.embedding is None:
        return False
    if is_message_header(a.text) or is_message_header(b.text):
        return False  # each message's header says who sent that message, when: no other's
    if _other_records(a.text, b.text) or refers_elsewhere(a.text) or refers_elsewhere(b.text):
        return False
    cosine = float(np.dot(a.embedding, b.embedding))
    if cosine < min(c for c, _ in SAME_FACT):
        return False
    sizes = len(term_set(a.text)), len(term_set(b.text))
    if min(sizes) < SAME_FACT_SIZE_RATIO * max(sizes):
        return False
    shared = shared_terms(a.text, b.text)
    return any(cosine >= c and shared >= t for c, t in SAME_FACT)


# A sentence that only sends the reader elsewhere: "See the QCoro documentation for more
# details.", "Read the documentation for QCoro::QmlTask for more details.", "Refer to chapter 4
# for details.", "See below."
_REFERS_ELSEWHERE = re.compile(
    r"(?:please )?(?:see|refer to|consult|check|read)\b(?: also)?\s+(?:\S+\s+){0,8}?"
    r"(?:for|to learn)\s+(?:(?:more|further|full|the|all)\s+)?(?:details|information|info|more|a list|an example|examples)\b.{0,20}|"
    r"(?:please )?see(?: also)?\s+(?:\S+\s*){1,6}",
    re.I)


def refers_elsewhere(text: str) -> bool:
    """Whether a sentence only points the reader to another text, stating no fact of its own:
    two of them that point to different places ("See the QCoro documentation for more
    details." / "See QCoroIODevice documentation for details.") do not disagree.

    >>> refers_elsewhere("See the QCoro documentation for more details."), refers_elsewhere("See below.")
    (True, True)
    >>> refers_elsewhere("Seeing the results, we stopped."), refers_elsewhere("See how the tide rose in 1953 when the dykes failed.")
    (False, False)
    """
    return _REFERS_ELSEWHERE.fullmatch(text.strip().rstrip(".!")) is not None


def _other_records(a: str, b: str) -> bool:
    """Whether a and b are records (rows of tables, pages' fields) of two different things: a
    label both hold has words for values that differ ("Book publisher: Cornerstone" against
    "Book publisher: simon and schuster ltd"). Their numbers then differ as two books' pages
    do, not as two sources of one fact; records of one thing (the same country, the same
    name) that differ in a number still disagree."""
    fields_a, fields_b = record_fields(a), record_fields(b)
    return any(any(ch.isalpha() for ch in fields_a[label]) and fields_a[label].lower() != fields_b[label].lower()
               for label in fields_a.keys() & fields_b.keys())


def shared_terms(a: str, b: str) -> float:
    """The share of the shorter sentence's content terms that the other one holds."""
    ta, tb = term_set(a), term_set(b)
    return len(ta & tb) / min(len(ta), len(tb)) if ta and tb else 0.0


def slot_conflicts(a: str, b: str) -> list[SlotConflict]:
    """Values that differ in the same place of two sentences stating one fact.

    The sentences may order their clauses differently (a translation often does), so each
    value is located by its neighbours: "Joseph Dunford" and "Joseph Danford" share "Joseph"
    before the value, "Facebook acquired" and "Apple acquired" share the verb after it.
    """
    if shared_terms(a, b) < COMPARABLE_TERMS:
        return []
    (ta, raw_a), (tb, raw_b) = _tokens(a), _tokens(b)
    ka, kb = [_key(t) for t in ta], [_key(t) for t in tb]
    lower_a, lower_b = set(ka), set(kb)
    content_a = [_is_content(t) for t in ta]
    found: dict[tuple[str, str], SlotConflict] = {}
    for i, token in enumerate(ta):
        if not _is_value(token) or ka[i] in lower_b:
            continue
        for j in _aligned(ka, i, kb, content_a):
            other = tb[j]
            if not _is_value(other) or _key(other) in lower_a or not _same_type(token, other):
                continue
            conflict = _conflict(ta, i, tb, j, raw_a, raw_b)
            if conflict and (conflict.first, conflict.second) not in found:
                found[(conflict.first, conflict.second)] = conflict
    return list(found.values())


# A contradiction the model finds where no single name, date or number differs (a changed
# quantity word, a negation) is reported only when it is this sure both ways (each sentence
# against the other) and the differing words are few on both sides: two wordings of one fact
# differ in many words, a changed fact in a few, and a clause one side lacks is not stated,
# not contradicted.
SURE_CONTRADICTION = 0.9
MAX_DIFFERING_WORDS = 4
# "Dunford" / "Danford": names whose last words differ in at most this many letters are
# reported whatever the model says of them. The model reads sub-words, and a respelled name
# reads to it as the same name; a reader would want to know the sources spell it differently,
# since it may be another person.
RESPELLED_LETTERS = 2
# The model reads a swapped name within this many words either side of it: the whole of most
# sentences, and in a longer one the stretch around the name that fits the model's 64-token
# claim (about 45 words).
SWAP_CONTEXT_WORDS = 20


def disagreement(a: str, b: str, verifier: Optional[Any] = None) -> list[SlotConflict]:
    """What two sentences stating one fact state differently, when they disagree.

    Without the support check (``rag.verify.Verifier``), every value that differs in one
    place (``slot_conflicts``). With it, a differing name is a disagreement only when the
    model, reading ``a`` with the name replaced by ``b``'s, finds it contradicted by ``a``
    (or when the two are respellings of one name): "the United States" / "America" or
    "UN-monitored" / "UN-sponsored" are two wordings, not a disagreement. A differing number
    or date always is. Where no value differs, a contradiction the model is sure of both ways
    (a changed quantity word, a negation) is reported with the few words that differ."""
    slots = slot_conflicts(a, b)
    if verifier is None:
        return slots
    names = [c for c in slots if c.kind == "name" and not _respelling(c.first, c.second)]
    around = [_around(a, c.first) for c in names]
    swapped = [_replace_once(text, c.first, c.second) for text, c in zip(around, names)]
    # The swapped sentence differs from its source in that name by construction: whether the
    # two name one thing is the model's (and WordNet's) call, not the changed-words rule's.
    verdicts = dict(zip(map(id, names), verifier.check(swapped, [[text] for text in around], changed_words_flagged=False)))
    kept = [c for c in slots if id(c) not in verdicts or verdicts[id(c)].label == "contradicted"]
    if slots:
        return kept
    # The words that differ come from the two texts alone (what the model's verdict on b
    # against a would report), so two sentences that differ in more than a few words are
    # let go before the model reads them both ways: the same answer, two model runs fewer.
    second, first = differing_words(b, [a])  # b's differing words, and what a says in their place
    if not first or not second or max(len(first.split()), len(second.split())) > MAX_DIFFERING_WORDS:
        return []
    both = verifier.check([b, a], [[a], [b]])
    if any(v.label != "contradicted" or v.probabilities["contradicted"] < SURE_CONTRADICTION for v in both):
        return []
    return [SlotConflict("other", first, second)]


def _respelling(x: str, y: str) -> bool:
    """Dunford / Danford, Gen Dunford / Danford: the last words differ in a letter or two
    (UN-monitored / UN-sponsored differ in more)."""
    last_x, last_y = x.split()[-1].lower(), y.split()[-1].lower()
    ops = SequenceMatcher(None, last_x, last_y, autojunk=False).get_opcodes()
    changed = sum(max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in ops if op != "equal")
    return 0 < changed <= RESPELLED_LETTERS


def _around(text: str, value: str, words: int = SWAP_CONTEXT_WORDS) -> str:
    """The words around ``value`` in ``text``: the model reads a claim's first 64 tokens
    only, and a name late in a long sentence would fall outside them."""
    at = text.find(value)
    if at < 0:
        return text
    before, after = text[:at].split(), text[at + len(value):].split()
    return " ".join(before[-words:] + [value] + after[:words])


def _replace_once(text: str, old: str, new: str) -> str:
    """``text`` with its first ``old`` replaced by ``new`` (unchanged without one)."""
    at = text.find(old)
    return text if at < 0 else text[:at] + new + text[at + len(old):]


def _aligned(ka: list[str], i: int, kb: list[str], content_a: list[bool]) -> list[int]:
    """Positions in kb (token keys) that hold what ka[i] holds: after the same neighbour on
    the left, or before the same neighbour on the right. A function word ("by", "of")
    anchors only together with the word beyond it."""
    out = []
    for j in range(len(kb)):
        left = i > 0 and j > 0 and ka[i - 1] == kb[j - 1] and (
            content_a[i - 1] or (i > 1 and j > 1 and ka[i - 2] == kb[j - 2])
        )
        right = i + 1 < len(ka) and j + 1 < len(kb) and ka[i + 1] == kb[j + 1] and (
            content_a[i + 1] or (i + 2 < len(ka) and j + 2 < len(kb) and ka[i + 2] == kb[j + 2])
        )
        if left or right:
            out.append(j)
    return out


def _conflict(ta: list[str], i: int, tb: list[str], j: int, raw_a: list[str], raw_b: list[str]) -> Optional[SlotConflict]:
    x, y = ta[i], tb[j]
    if _is_number(x) and _is_number(y):
        if _quantity(ta, i) == _quantity(tb, j):  # "5.6 million" / "5,600,000", "five" / "5"
            return None
        dated = _near_month(ta, i) or _near_month(tb, j)
        return SlotConflict("date" if dated else "number", _value(ta, i, dated), _value(tb, j, dated))
    run_a, run_b = _name_run(ta, i), _name_run(tb, j)
    if _same_word(x, y) or _acronym(run_a, run_b):
        return None
    return SlotConflict("name", _differing_part(ta, i, run_b, raw_a), _differing_part(tb, j, run_a, raw_b))


def _tokens(text: str) -> tuple[list[str], list[str]]:
    """Words and numbers, without a full stop or a possessive "'s" (Dunford’s -> Dunford),
    and the same tokens as written (a name is quoted as written: "Trajan's Column")."""
    raw = [t.rstrip(".") or t for t in _TOKEN.findall(text)]
    return [_POSSESSIVE.sub("", t) or t for t in raw], raw


def _name_run(tokens: list[str], i: int) -> list[str]:
    """The capitalised words around tokens[i]: "United States" for "States"."""
    start, end = i, i + 1
    while start > 0 and _is_name(tokens[start - 1]):
        start -= 1
    while end < len(tokens) and _is_name(tokens[end]):
        end += 1
    return tokens[start:end]


def _differing_part(tokens: list[str], i: int, other_run: list[str], raw: list[str]) -> str:
    """The whole name that differs: "Santa Clara University" against "Super Bowl XLV", but
    only "Dunford" in "Joseph Dunford" against "Joseph Danford". Quoted as written, but for
    a possessive at its end ("Dunford's office" -> "Dunford")."""
    other = {_key(t) for t in other_run}
    start, end = i, i + 1
    while start > 0 and _is_name(tokens[start - 1]) and _key(tokens[start - 1]) not in other:
        start -= 1
    while end < len(tokens) and _is_name(tokens[end]) and _key(tokens[end]) not in other:
        end += 1
    return " ".join(raw[start : end - 1] + tokens[end - 1 : end])


def _acronym(x: list[str], y: list[str]) -> bool:
    """US / United States: one side is a single upper-case word spelling the other's initials."""
    for short, long in ((x, y), (y, x)):
        if len(short) == 1 and short[0].isupper() and len(long) > 1 and short[0] == "".join(t[0] for t in long):
            return True
    return False


def _key(token: str) -> str:
    return _number(token) if _is_number(token) else token.lower().replace("’", "'")


def _is_value(token: str) -> bool:
    return _is_number(token) or _is_name(token)


def _same_type(x: str, y: str) -> bool:
    """Both numbers, or both names ("Three" in "the Three" against "the Doctor" is a name)."""
    return (_is_number(x) and _is_number(y)) or (_is_name(x) and _is_name(y) and not (_digits(x) or _digits(y)))


def _is_content(token: str) -> bool:
    return token.lower() not in STOPWORDS and token[:1].isalnum()


def _digits(token: str) -> bool:
    return any(ch.isdigit() for ch in token)


def _is_number(token: str) -> bool:
    """Written in digits ("5,600", "F-16") or in words ("five", "Twenty-three")."""
    return _digits(token) or _word_number(token) is not None


def _word_number(token: str) -> Optional[int]:
    """The number a word spells ("nine", "twenty-three"), read by text2num, else None."""
    word = token.lower()
    if not word[:1].isalpha() or word in _NOT_NUMBER_WORDS:
        return None
    try:
        return text2num(word, "en")
    except ValueError:
        return None


def _quantity(tokens: list[str], i: int) -> float | str:
    """What the number at tokens[i] says, with the scale word after it: "5.6 million",
    "5,600,000" and "five million" give one value; digits that are not one number ("F-16",
    "3-4") are compared as written."""
    token = tokens[i]
    value: Optional[float] = _word_number(token)
    if value is None:
        try:
            value = float(_number(token))
        except ValueError:
            return _number(token)
    after = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
    return value * _MULTIPLIER.get(after, 1)


def _number(token: str) -> str:
    return token.replace(",", "").replace("$", "").rstrip("%")


def _is_name(token: str) -> bool:
    return token[:1].isupper() and token.lower() not in STOPWORDS and not _MONTH.match(token)


def _same_word(x: str, y: str) -> bool:
    """Russia / Russian, Syria / Syria’s: one word in another form, not another value."""
    x, y = x.lower().replace("’", "'"), y.lower().replace("’", "'")
    shorter, longer = sorted((x, y), key=len)
    return longer.startswith(shorter) and len(longer) - len(shorter) <= 3


def _near_month(tokens: list[str], i: int) -> bool:
    return any(_MONTH.match(t) for t in tokens[max(0, i - 1) : i + 2])


def _value(tokens: list[str], i: int, dated: bool) -> str:
    """The differing number, with the month before a day ("July 19") or the scale after a
    number ("5.6 million") that makes it readable."""
    start, end = i, i + 1
    if dated and start > 0 and _MONTH.match(tokens[start - 1]):
        start -= 1
    if end < len(tokens) and tokens[end].lower() in _SCALE:
        end += 1
    return " ".join(tokens[start:end])
