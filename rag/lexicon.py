"""Other names for one thing, from WordNet: for the support check (rag/verify.py), and for
the reader's check that an answer's passage mentions what the question names
(``unstated_conditions``, rag/composers/extractive.py).

A claim that names a thing as its source does not ("the United States" where the source says
"America", "Gen Dunford" for "US Marine General Joseph Dunford", "Raila Odinga" for
"Odinga") states the same fact. The support-check model lets most such restatements
through but not all (docs/verification.md), so before it reads a claim, each name the source
spells another way is written as the source writes it (``as_the_source_says``), and so is a
word the source gives in another form or as a WordNet synonym. Names that differ are left as
they are: "Danford" is not "Dunford", "North Carolina" not "Carolina", "Jeb Bush" not
"George Bush".

The other way round, a claim that is one of its cited sentences word for word but for one
word, or a name, number or date, that says something else ("signed by France" where the
source says Spain) states another fact, whatever the model makes of it (``changed_words``):
the mistake a model makes that copies its source.

The tables come from WordNet 3.0 (train/lexicon.py builds ``embed/lexicon-wordnet.json.gz``;
WordNet 3.0 Copyright 2006 by Princeton University, WordNet licence).
"""

from __future__ import annotations

import gzip
import json
import re
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path
from typing import Optional

LEXICON_FILE = Path(__file__).resolve().parent / "embed" / "lexicon-wordnet.json.gz"

# A name: capitalised words, with the particles names keep inside ("Ludwig van Beethoven",
# "Bashar al Assad") and initials ("Lee A. Atwood").
_NAME = re.compile(r"\b[A-Z][\w.'’-]*(?:\s+(?:(?:al|el|de|da|del|van|von|der|bin|ibn|of)\s+)?[A-Z][\w.'’-]*)*")
_PARTICLES = {"al", "el", "de", "da", "del", "van", "von", "der", "bin", "ibn", "of"}
# Words (with the punctuation inside them: "650,000", "U.S.") and punctuation marks, as two
# sentences are aligned word by word.
_TOKEN = re.compile(r"[\w'’.,%$-]+|[^\w\s]")
# Words that carry grammar rather than a fact: one of them for another is left to the model
# (a quantity word, "not", "before" / "after" are not among them).
_FUNCTION_WORDS = frozenset(
    """a an the and but or so of to in on at by for from into with as unto upon onto within is are was were be been
    being am has have had do does did that which who whom whose this these those it its they them their he him his
    she her we us our you your i me my then there here so yet nor neither either because though although thus hence
    therefore ye thee thou thy thine""".split()
)
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
# Sentence openers are capitalised too; they are not part of a name ("The", "In", "Such").
_LEADING = {"the", "a", "an", "in", "on", "at", "by", "for", "from", "to", "with", "as", "and", "but", "such", "this", "that",
            "these", "those", "its", "his", "her", "their", "our", "after", "before", "when", "while", "under", "according",
            "it", "he", "she", "they", "we", "there", "if", "of", "all", "some", "most", "many"}


class Lexicon:
    """WordNet's names for one thing and which lowercase words are titles or common words."""

    def __init__(self, table: dict):
        self.groups: dict[str, set[int]] = {}
        for number, group in enumerate(table["names"]):
            for name in group:
                self.groups.setdefault(name.lower(), set()).add(number)
        self.names = table["names"]
        self.synonyms: dict[str, frozenset[int]] = {w: frozenset(n) for w, n in table["synonyms"].items()}
        self.person = frozenset(table["person"])
        self.common = frozenset(table["common"])

    @classmethod
    @lru_cache(maxsize=1)
    def shipped(cls) -> Optional["Lexicon"]:
        if not LEXICON_FILE.exists():
            return None
        return cls(json.loads(gzip.decompress(LEXICON_FILE.read_bytes())))

    def other_names(self, name: str) -> list[str]:
        """WordNet's other names for the thing ``name`` names ("America" -> "United States", ...)."""
        numbers = self.groups.get(name.lower(), set())
        return [other for n in sorted(numbers) for other in self.names[n] if other.lower() != name.lower()]

    def senses(self, word: str) -> frozenset[int]:
        """The WordNet senses a word (or a stem it may be a form of) shares with another word."""
        return frozenset().union(*(self.synonyms.get(f, frozenset()) for f in _forms(word)))

    def same_meaning(self, a: str, b: str) -> bool:
        """Whether two words (or their stems: "includes", "rebuilding") share a WordNet sense."""
        return bool(self.senses(a) & self.senses(b))

    def same_person(self, a: str, b: str) -> bool:
        """Whether two names name one person (or thing) by the same last word, one of them with
        more given names or another title: "Gen Dunford" / "US Marine General Joseph Dunford",
        "President Assad" / "Mr Al Assad"; not "George Bush" / "Jeb Bush" (given names on both
        sides), "North Carolina" / "South Carolina" or "Lake Victoria" / "Victoria" (a common
        word makes another name)."""
        x, y = _words(a), _words(b)
        if not x or not y or x[-1].lower() != y[-1].lower() or x == y:
            return False
        extra_x, extra_y = self._unmatched(x[:-1], y[:-1]), self._unmatched(y[:-1], x[:-1])
        kinds = [self._kind(w) for w in extra_x], [self._kind(w) for w in extra_y]
        if "common" in kinds[0] + kinds[1]:
            return False
        # Given names may be added on one side only, to a name the other side gives in full or
        # by title; where both sides have words of their own, they are titles ("President Assad"
        # / "Mr Assad"), not another person's given names ("Mary Tamm Who" / "Doctor Who").
        return not (extra_x and extra_y and "given" in kinds[0] + kinds[1])

    def names_a_person(self, line: str) -> bool:
        """Whether a line is a person's name as a byline gives it ("Xavier Leroy", "by Susan G.
        Kleinmann", "Dr. Ann Smith"): two to five capitalised words, none a common word, one of
        them a given name or surname (a word WordNet has no lowercase sense of)."""
        words = line.split()
        if words and words[0].lower() == "by":
            words = words[1:]
        if not 2 <= len(words) <= 5 or any(not w[:1].isupper() and w.lower() not in _PARTICLES for w in words):
            return False
        if any(w.lower() in _FUNCTION_WORDS for w in words) or any(ch.isdigit() for ch in line):
            return False  # "The Debian FAQ", "Version 1.04"
        kinds = [self._kind(w.strip(",")) for w in words
                 if w.lower() not in _PARTICLES and not re.fullmatch(r"[A-Z]\.?", w)]  # initials: "Susan G. Kleinmann"
        return "common" not in kinds and "given" in kinds

    @staticmethod
    def _unmatched(words: list[str], others: list[str]) -> list[str]:
        """``words`` that are not in ``others``, nor an abbreviation of one ("Gen": "General")."""
        lower = [o.lower().rstrip(".") for o in others]
        return [w for w in words if not any(o == w.lower().rstrip(".") or (len(w.rstrip(".")) >= 2 and o.startswith(w.lower().rstrip(".")))
                                            for o in lower)]

    def _kind(self, word: str) -> str:
        """"title" (a kind of person: "General", "Mr"), "common" (another word: "North"), or
        "given" (a word WordNet has no lowercase sense of: "Joseph")."""
        w = word.lower().rstrip(".")
        return "title" if w in self.person else "common" if w in self.common else "given"


def _forms(word: str) -> set[str]:
    """A word and the stems it may be an inflection of ("studies": "study", "rebuilt" stays)."""
    w = word.lower()
    forms = {w}
    for suffix, stem in (("ies", "y"), ("es", ""), ("s", ""), ("ied", "y"), ("ed", ""), ("ed", "e"), ("d", ""), ("ing", ""), ("ing", "e"), ("ly", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            forms.add(w[: -len(suffix)] + stem)
    return forms


def _words(name: str) -> list[str]:
    words = [w for w in name.split() if w.lower() not in _PARTICLES]
    if words:
        words[-1] = _POSSESSIVE.sub("", words[-1])
    return [w for w in words if w]


def name_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` names something: runs of capitalised words, without a capitalised
    sentence opener ("The", "In") or a possessive ending."""
    spans = []
    for m in _NAME.finditer(text):
        start, end = m.start(), m.end()
        first = m.group().split()[0]
        if first.lower() in _LEADING:
            rest = m.group()[len(first):]
            start += len(first) + len(rest) - len(rest.lstrip())
            if start >= end:
                continue
        if text[end - 1] == "." and not re.search(r"\b[A-Z]\.$|\b(?:[A-Z]\.)+$", text[start:end]):
            end -= 1  # the sentence's full stop, not an initial's ("Lee A.", "U.S.")
        tail = _POSSESSIVE.search(text[start:end])
        if tail:
            end -= len(tail.group())
        if end > start:
            spans.append((start, end))
    return spans


def as_the_source_says(claim: str, source: str, lexicon: Optional[Lexicon] = None) -> str:
    """``claim`` with each name or word the source gives in another form written as the source
    writes it: WordNet's other names for one thing, a person named with more or fewer given
    names or another title, and a word's other forms, spellings and WordNet synonyms.

    >>> as_the_source_says("the United States and Russia form a group", "America and Russia form a group")
    'America and Russia form a group'
    >>> as_the_source_says("Gen Dunford replied.", "US Marine General Joseph Dunford did not reply.")
    'US Marine General Joseph Dunford replied.'
    >>> as_the_source_says("It was set in British capital.", "It was set in London.")
    'It was set in London.'
    >>> as_the_source_says("Danford replied.", "Dunford replied.")
    'Danford replied.'
    """
    lexicon = lexicon or Lexicon.shipped()
    if lexicon is None:
        return claim
    source_names = {source[s:e] for s, e in name_spans(source)}
    changes: list[tuple[int, int, str]] = []
    for start, end in name_spans(claim):  # the claim's names the source writes another way
        name = claim[start:end]
        if name in source_names:
            continue
        written = next((other for other in lexicon.other_names(name) if other in source_names), None)
        if written is None:
            matches = [n for n in source_names if lexicon.same_person(name, n)]
            written = max(matches, key=len) if matches else None
        if written is not None:
            changes.append((start, end, written))
    for name in sorted(source_names):  # WordNet names that are not capitalised words throughout ("British capital")
        for other in lexicon.other_names(name):
            if not _has(source, other):
                changes += [(m.start(), m.end(), name) for m in re.finditer(_bounded(other), claim)]
    out, last = [], 0
    for start, end, written in sorted(changes):
        if start < last:
            continue  # overlaps a name already written
        before = claim[last:start]
        if re.search(r"\bthe\s+$", before, re.I) and not _has(source, "the " + written) and not _has(source, "The " + written):
            before = re.sub(r"\bthe\s+$", "", before, flags=re.I)  # "the United States" -> "America"
        out += [before, written]
        last = end
    if out:
        text = "".join(out) + claim[last:]
        claim = text[:1].upper() + text[1:] if claim[:1].isupper() else text
    return _as_the_source_words(claim, source, lexicon)


def _as_the_source_words(claim: str, source: str, lexicon: Lexicon) -> str:
    """``claim`` with each word that stands where the source has another form, spelling or
    WordNet synonym of it written as the source writes it ("commenced" -> "started")."""
    a, b, matcher = aligned(claim, source)
    words = list(a)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "replace" and i2 - i1 == j2 - j1 and all(_variants(x, y, lexicon) or _function_word(x) and _function_word(y)
                                                          for x, y in zip(a[i1:i2], b[j1:j2])):  # "a frosty" / "an icy"
            # the source's word in the claim's punctuation ("material" in "materials and")
            words[i1:i2] = [x.replace(x.strip(".,"), y.strip(".,"), 1) for x, y in zip(a[i1:i2], b[j1:j2])]
    if words == a:
        return claim
    out, position = [], 0  # the claim's own spacing kept around each word
    for old, new in zip(a, words):
        start = claim.index(old, position)
        out += [claim[position:start], new]
        position = start + len(old)
    return "".join(out) + claim[position:]


def _bounded(phrase: str) -> str:
    return r"(?<!\w)" + re.escape(phrase) + r"(?!\w)"


def _has(text: str, phrase: str) -> bool:
    return re.search(_bounded(phrase), text) is not None


def changed_words(claim: str, sentence: str, lexicon: Optional[Lexicon] = None) -> Optional[tuple[str, str]]:
    """(the claim's words, the sentence's) where the claim is the sentence word for word but
    for one word, or a name, number or date of up to three words, that says something else:
    "signed by France" / "signed by Spain", "a week-long event" / "a year-long event". None
    when the claim says it otherwise too, or where the words differ only as other forms,
    spellings or WordNet synonyms of one another ("includes" / "include", "favour" / "favor",
    "commenced" / "started").

    >>> changed_words("It embraces liturgical and evangelical atmosphere.", "It embraces liturgical and evangelical elements.")
    ('atmosphere', 'elements')
    >>> changed_words("The city commenced the work in 1990.", "The city started the work in 1990.") is None
    True
    """
    a, b, matcher = aligned(claim, sentence)
    ops = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    if len(ops) != 1 or ops[0][0] != "replace":
        return None
    _, i1, i2, j1, j2 = ops[0]
    # "a warm" / "an icy", "“ You" / "Ye": the words that differ are "warm" / "icy", "You" / "Ye".
    i1, i2 = _trimmed(a, i1, i2)
    j1, j2 = _trimmed(b, j1, j2)
    if i1 == i2 or j1 == j2:
        return None  # only grammar or punctuation differs on a side ("by" / "of", ":" / ";"): the model's to read
    if i2 - i1 > 3 or j2 - j1 > 3 or len(a) < 6:
        return None
    said, instead = " ".join(a[i1:i2]).strip(" .,"), " ".join(b[j1:j2]).strip(" .,")
    if i2 - i1 > 1 and j2 - j1 > 1 and not re.search(r"[A-Z0-9]", said + instead):
        return None  # words rephrased ("probably strengthen" / "likely further cement"): the model reads them
    lexicon = lexicon or Lexicon.shipped()
    if i2 - i1 == j2 - j1 and all(_variants(x, y, lexicon) for x, y in zip(a[i1:i2], b[j1:j2])):
        return None  # word for word, each another form or synonym of the other
    return said, instead


def _trimmed(words: list[str], start: int, end: int) -> tuple[int, int]:
    """``words[start:end]`` without the punctuation and function words at either end."""
    grammar = lambda w: _function_word(w) or not re.search(r"\w", w)  # noqa: E731
    while start < end and grammar(words[start]):
        start += 1
    while end > start and grammar(words[end - 1]):
        end -= 1
    return start, end


def aligned(x: str, y: str) -> tuple[list[str], list[str], SequenceMatcher]:
    """The words of two texts and their alignment (case and a trailing full stop or comma
    aside): ``matcher.get_opcodes()`` says which words of ``x`` stand where ``y`` has others."""
    a, b = _TOKEN.findall(x), _TOKEN.findall(y)
    key = lambda w: w.lower().strip(".,")  # noqa: E731
    return a, b, SequenceMatcher(None, [key(w) for w in a], [key(w) for w in b], autojunk=False)


def _function_word(word: str) -> bool:
    return word.lower().strip(".,") in _FUNCTION_WORDS


def _variants(a: str, b: str, lexicon: Optional[Lexicon]) -> bool:
    """Two words for one thing: the same stem, a spelling ("favour"/"favor"; not for names,
    where one letter is another person: "Dunford"/"Danford"), or WordNet synonyms."""
    x, y = a.lower().strip(".,"), b.lower().strip(".,")
    if _forms(x) & _forms(y):
        return True
    if x.isalpha() and y.isalpha() and not a[:1].isupper() and not b[:1].isupper():
        prefixed = x.endswith(y) or y.endswith(x)  # "legal" / "illegal", "magnetic" / "antimagnetic"
        if not prefixed and min(len(x), len(y)) >= 5 and SequenceMatcher(None, x, y).ratio() >= 0.8:
            return True
    return lexicon is not None and lexicon.same_meaning(x, y)


# Capitalised words that open a question without naming anything ("Who", "Approximately").
_QUESTION_OPENERS = frozenset("who what when where which why how whose whom is was are were did does do can could would "
                              "should will according other approximately roughly about".split())
_CONDITION_NUMBER = re.compile(r"(?<![\w.-])\d(?:[\d,]*\d)?(?:\.\d+)?(?![\w-])")  # "1,000", not "1990,"
# A currency the question names in words and the text by its sign ("in Euros": "€27,814").
_CURRENCY_SIGNS = {"euro": "€", "dollar": "$", "pound": "£", "yen": "¥", "rupee": "₹"}


def unstated_conditions(question: str, text: str, lexicon: Optional[Lexicon] = None) -> list[str]:
    """The names and numbers ``question`` asks about that ``text`` (an answer's passage and
    title) does not state, under any of WordNet's names for them: "Who succeeded Thomas Murphy
    as president in 1964?" asked of a passage that says 1990. A question about something the
    passage does not name is not answered by it, however alike the two read.

    >>> unstated_conditions("What block debuted in 1989 for NBC?", "TGIF debuted in 1989 on ABC.")
    ['NBC']
    >>> unstated_conditions("In what year did America decide that Assad must go?", "In 2011, the US adopted a policy that Mr Al Assad must leave.")
    []
    >>> unstated_conditions("Why did the Americans say no?", "The memo said the US policy was to support it only then.")
    []
    >>> unstated_conditions("What is the basic pay, in Euros, since 1990?", "The basic pay is €27,814 since 1990.")
    []
    """
    lexicon = lexicon or Lexicon.shipped()
    if lexicon is None:
        return []
    low = text.lower()
    text_words = set(re.findall(r"[a-z]{3,}", low))
    unstated = []
    for start, end in name_spans(question):
        words = question[start:end].split()
        first = words[0].lower()
        if not question[:start].strip() and (first in _QUESTION_OPENERS or first in lexicon.common or first in lexicon.person):
            words = words[1:]  # the question's capitalised first word
        for name in re.split(r"['’]s\s+", " ".join(words)):  # "ABC's GMA": two names
            if name and not _names_it(name, low, text_words, lexicon):
                unstated.append(name)
    digits = text.replace(",", "")
    unstated += [n for n in _CONDITION_NUMBER.findall(question)
                 if not re.search(r"(?<!\d)" + re.escape(n.replace(",", "")) + r"(?!\d)", digits)]
    return unstated


def _demonym_places(name: str, lexicon: Lexicon) -> list[str]:
    """The places a people's name may come from, those WordNet knows by other names:
    "Americans" -> ["America"], "Germans" -> ["Germany"], "Italians" -> ["Italy"].

    >>> _demonym_places("Americans", Lexicon.shipped())
    ['America']
    """
    if " " in name or not re.fullmatch(r"[A-Z][a-z]+(?:ans?|ians?)", name):
        return []
    singular = name[:-1] if name.endswith("s") else name  # Americans -> American
    # America, Germany, Italy, Iran, Mexico
    bases = [singular[:-1], singular + "y", singular[:-3] + "y", singular[:-3], singular[:-2] + "o"]
    return [b for b in dict.fromkeys(bases) if len(b) > 3 and lexicon.other_names(b)]


def _names_it(name: str, low: str, text_words: set[str], lexicon: Lexicon) -> bool:
    """Whether lowercased text names ``name``: as it is, as another of WordNet's names for it,
    as a word of one meaning with it ("TV": "television"), by its initials ("VP": "vice
    president"), by its last word's stem ("Murphy" for "Thomas Murphy", "Syria" for
    "Syrians"), or by the words of it that are names ("Mongol" for "Mongol Empire")."""
    named = lambda x: any(_has(low, y.lower()) for y in (x, *lexicon.other_names(x)))  # noqa: E731
    if named(name) or any(named(country) for country in _demonym_places(name, lexicon)):
        return True  # "Americans": America, the US, the United States
    sign = _CURRENCY_SIGNS.get(name.lower().removesuffix("s"))
    if sign and sign in low:
        return True
    senses = lexicon.senses(name) if " " not in name else frozenset()
    if senses and any(senses & lexicon.senses(w) for w in text_words):
        return True
    if re.fullmatch(r"[A-Z]{2,5}", name) and re.search(r"\b" + r"\w*[\s-]+".join(name.lower()), low):
        return True  # initials: "GMA" for "Good Morning America", "VP" for "vice president"
    stem = lambda w: re.search(r"(?<!\w)" + re.escape(w[: max(4, len(w) - 3)]), low) is not None  # noqa: E731
    words = name.lower().split()
    if stem(words[-1]):
        return True
    # "Mongol Empire" where the text says "Mongol": the name's own words, not its common ones
    own = [w for w in words if w not in lexicon.common and w not in lexicon.person]
    return len(words) > 1 and bool(own) and all(stem(w) for w in own)
