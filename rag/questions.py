"""What a question asks for: its kind, its subject, what its answer must hold.

People do not ask the way the documents are written. "Summarize the story" and "What do
the documents say about Valery Gerasimov?" want the central sentences of a document or
every sentence about a subject, not the one sentence that shares the most words with the
question; "Why did Washington reject the plan?" wants a sentence that states a reason.

>>> read_question("Summarize the story").kind
'summary'
>>> read_question("What do the documents say about Valery Gerasimov?").subject
'Valery Gerasimov'
>>> read_question("What did Putin say about the refugees?").kind
'fact'
>>> read_question("Why did Washington reject the plan?").kind
'why'
>>> read_question("Which three countries would form the committee?").count
3
>>> read_question("Is there any disagreement between the two articles?").kind
'disagreement'
>>> read_question("Did Russia and the US disagree about the plan?").kind
'fact'
>>> read_question("What are the differences between mitosis and meiosis?").kind
'fact'

>>> clean_question("Who\\x00 sent\\ud800 it?")
'Who sent it?'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rag.text import MONTHS, SURROGATE

# The kinds, each answered its own way by the composer (rag/composers/extractive.py).
SUMMARY, SUBJECT, WHY, HOW, LIST, FACT = "summary", "subject", "why", "how", "list", "fact"
DISAGREEMENT = "disagreement"  # "Do the sources disagree?": facts the documents state differently

_DOCS = r"(?:the |these |this |those |your |my |our )?(?:documents?|articles?|sources?|texts?|files?|stor(?:y|ies)|news|reports?|pieces?|papers?|collection)"
_SUMMARY = [
    re.compile(r"^(?:please |can you |could you )?(?:summari[sz]e|sum up|recap|outline)(?: for me)?(?: (?P<s>.+?))?$", re.I),
    re.compile(r"^(?:please |can you |could you )?(?:give|write|provide|make)(?: me| us)? (?:a |an )?(?:short |brief |quick )?(?:summary|overview|gist|rundown|synopsis|recap|tl;?dr)(?: of| for| on)?(?: (?P<s>.+?))?$", re.I),
    re.compile(r"^(?:a |an )?(?:short |brief |quick )?(?:summary|overview|gist|synopsis|recap|tl;?dr)(?: of| for| on)?(?: (?P<s>.+?))?$", re.I),
    re.compile(r"^what(?:'s| is| are) (?:the )?(?:main|key|central) (?:points?|ideas?|message|facts?)(?: of| in)?(?: (?P<s>.+?))?$", re.I),
    re.compile(rf"^what(?:'s| is| are| was| were) (?P<s>{_DOCS}) (?:all )?about$", re.I),
    re.compile(r"^what (?:happened|happens)(?: in (?P<s>.+?))?$", re.I),
    re.compile(rf"^what (?:do|does|did) (?P<s>{_DOCS}) (?:say|tell|report|cover|describe|discuss)$", re.I),
]
_SUBJECT = [
    re.compile(r"^what (?:do|does|did|can) (?P<by>[\w'’ -]{1,60}?) (?:say|tell(?: me| us)?|mention|report|write|state|know) (?:about|on|of|regarding|concerning) (?P<s>.+?)$", re.I),
    re.compile(r"^(?:please |can you |could you )?tell (?:me|us) (?:more |something |all )?(?:about|of) (?P<s>.+?)$", re.I),
    re.compile(r"^what(?:'s| is| are| was| were) (?:said |written |known |there )?(?:about|on) (?P<s>.+?)$", re.I),
    re.compile(r"^what(?:'s| is| are| was| were) (?P<s>.+?) about$", re.I),
    re.compile(r"^(?:and |so )?what about (?P<s>.+?)$", re.I),
    re.compile(r"^(?:information|info|anything|everything) (?:about|on) (?P<s>.+?)$", re.I),
]
# "Do the articles disagree?", "Any contradictions between them?", "Where do the two versions
# differ?": about the documents themselves. Not "Did Russia and the US disagree about the
# plan?" or "What are the differences between mitosis and meiosis?": those ask what the
# documents say, so whatever is compared must be documents.
_AT_ODDS = r"(?:disagree\w*|contradict\w*|differ\w*|discrepanc\w*|inconsisten\w*|conflict\w*|at odds|agree\w*)"
_DOC_NOUN = r"(?:documents?|articles?|sources?|texts?|files?|stor(?:y|ies)|reports?|pieces?|papers?|versions?|translations?|accounts?|pages?|pdfs?)"
_COMPARED = rf"(?:(?:the |these |those |all |both |my |our )?(?:two |three |both )?{_DOC_NOUN}|the two|these two|both|them|each other|one another)"
_DISAGREEMENT = [
    re.compile(rf"^(?:are there |is there |were there |any |what are the |which are the |show (?:me )?(?:the )?|list (?:the )?|find (?:the )?)"
               rf"(?:any )?(?:{_AT_ODDS})(?: (?:between|among|in|across|of) (?P<s>.+?))?$", re.I),
    re.compile(rf"^(?:where |how |what |on what |about what |in what ways? |on which points? )?(?:do|does|did) (?P<s>{_COMPARED})"
               rf" (?:{_AT_ODDS})\b(?: (?:on|about|with each other|with one another|anywhere|at all))?(?: .*)?$", re.I),
    re.compile(rf"^(?:do|does|did|is|are) (?P<s>.+?) (?:{_AT_ODDS}|consistent|inconsistent)\b.*$", re.I),
]
_WHY = re.compile(r"\bwhy\b|\bhow come\b|\bfor what (?:reason|purpose)\b|\bwhat (?:was|is|were|are) the (?:reasons?|causes?|motives?|grounds?|purpose)\b|\bwhat (?:made|caused|led|prompted|drove|motivated)\b|\bthe reason\b", re.I)
_HOW = re.compile(r"^\s*(?:and |so )?how\b(?!\s+(?:many|much|long|old|far|large|big|often|soon|tall|high|deep|wide|few|small|important|likely))", re.I)
_COUNT_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "both": 2}
_LIST_COUNT = re.compile(r"\b(?:which|what|name|list|the)\s+(?:the\s+)?(two|three|four|five|six|seven|eight|nine|ten|both)\b", re.I)
# "Which countries ...", "What groups ...": a plural noun right after the question word.
_LIST_PLURAL = re.compile(r"^\s*(?:which|what|name|list)(?: all| the| of the)?\s+([a-z]{3,}(?:ies|[^suie]s|es))\b(?!\s+(?:is|was|has|does|did)\b)", re.I)
_LIST_VERB = re.compile(r"^\s*(?:list|name|enumerate)\b", re.I)
# Words that point at the document collection, not at a subject ("Summarize the story").
_COLLECTION = re.compile(rf"^(?:it|this|that|them|these|all|everything|what happened|what(?:'s| is) (?:going on|happening)|{_DOCS})(?: (?:all|together|so far|for me|please|briefly|in short))*$", re.I)
# "this", "it", "this document": one document, the one the user has in mind.
_THIS = re.compile(r"^(?:it|this|that)(?: (?:document|file|article|pdf|page|text|report|paper|one))?\b", re.I)
_NAMED = re.compile(r"\b[A-Z][a-z]|\b[A-Z]{2,}\b")  # Putin, the UN: a speaker the documents name
_WANTED = re.compile(r"\b(?:wants?|wanted|needs?|needed|likes?|liked|asks?|asked|hopes?|hoped) to$", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_TRAILING = re.compile(r"[\s?.!:;,\"'“”‘’]+$")
_LEADING = re.compile(r"^[\s\"'“”‘’]+")


@dataclass(frozen=True)
class QuestionIntent:
    kind: str  # SUMMARY, SUBJECT, DISAGREEMENT, WHY, HOW, LIST or FACT
    subject: str = ""  # what a summary or "what about X" question names ("" for the whole collection)
    count: int = 0  # how many items a list question asks for (0: not said)
    this: bool = False  # a summary of "this" or "it": the document just added, if there is one

    @property
    def wants_document(self) -> bool:
        """Whether the answer is drawn from whole documents (their central sentences, or the
        facts they state differently)."""
        return self.kind in (SUMMARY, DISAGREEMENT)


def clean_question(text: str) -> str:
    """The question with lone UTF-16 surrogates, control and invisible characters removed,
    white space collapsed, in Unicode's composed form (what the tokenizer can encode)."""
    text = SURROGATE.sub("", text)
    text = _CONTROL.sub(" ", text)
    return " ".join(unicodedata.normalize("NFC", text).split())


def has_words(text: str) -> bool:
    """Whether the text holds anything to search for: a letter or digit of any script."""
    return any(ch.isalnum() for ch in text)


def check_question(question: object, max_chars: int) -> str:
    """The question, cleaned, or ``BadQuestionError`` saying what to change."""
    from rag.errors import BadQuestionError

    if not isinstance(question, str) or not question.strip():
        raise BadQuestionError("the question is empty: type a question about the documents")
    if len(question) > max_chars:
        raise BadQuestionError(f"the question is {len(question):,} characters long: shorten it to {max_chars:,} or fewer")
    question = clean_question(question)
    if not has_words(question):
        raise BadQuestionError("the question has no words in it: type a question about the documents")
    return question


def _points_at_one(said: str | None) -> bool:
    return bool(said) and _THIS.match(said.strip()) is not None


@lru_cache(maxsize=256)
def read_question(question: str) -> QuestionIntent:
    """What kind of answer a question asks for (a summary, what the documents say on a subject,
    whether they disagree, why, a list, how, or a fact).

    >>> read_question("What does the memo say about the budget?").kind
    'subject'
    >>> read_question("What did the historian want to know about the draft?").kind
    'fact'
    """
    body = _TRAILING.sub("", _LEADING.sub("", question.strip()))
    for pattern in _SUMMARY:
        m = pattern.match(body)
        if m:
            said = m.groupdict().get("s")
            return QuestionIntent(SUMMARY, _subject(said), this=_points_at_one(said))
    for pattern in _SUBJECT:
        m = pattern.match(body)
        # "What did Putin say about the refugees?" asks what someone in the documents said:
        # a fact, not every sentence on the refugees ("What does the memo say ..." is a subject).
        # Nor does "What did the historian want to know about the document?": what someone asked.
        if m and not _NAMED.search(m.groupdict().get("by") or "") and not _WANTED.search(m.groupdict().get("by") or ""):
            subject = _subject(m.group("s"))
            # "What is this story about?" is a summary; "What is Jabari Square about?" a subject.
            return QuestionIntent(SUBJECT if subject else SUMMARY, subject, this=not subject and _points_at_one(m.group("s")))
    for pattern in _DISAGREEMENT:
        m = pattern.match(body)
        if m and _names_documents(m.group("s")):
            # Which documents are compared the engine reads from the whole question.
            return QuestionIntent(DISAGREEMENT)
    if _WHY.search(body):
        return QuestionIntent(WHY)
    m = _LIST_COUNT.search(body)
    if m:
        return QuestionIntent(LIST, count=_COUNT_WORDS[m.group(1).lower()])
    if _LIST_PLURAL.match(body) or _LIST_VERB.match(body):
        return QuestionIntent(LIST)
    if _HOW.match(body):
        return QuestionIntent(HOW)
    return QuestionIntent(FACT)


_FILE_NAME = re.compile(r"\b[\w.-]+\.(?:txt|md|markdown|pdf|docx|html?|xhtml)\b", re.I)


def _names_documents(text: str | None) -> bool:
    """Whether what is compared is documents: nothing named ("Any contradictions?"), files,
    or words for documents ("between the two articles", "them")."""
    if not text or _FILE_NAME.search(text):
        return True
    if re.fullmatch(rf"{_COMPARED}(?: (?:and|with) {_COMPARED})?", text.strip(), re.I):
        return True
    # "the two reports": documents; "the museum and the city reports": things they report on.
    return bool(re.search(rf"\b{_DOC_NOUN}\b", text, re.I)) and not re.search(r"\b(?:and|with)\b", text)


def _subject(text: str | None) -> str:
    """The named subject, without quotes and filler; "" when it names the collection itself."""
    if not text:
        return ""
    text = _TRAILING.sub("", _LEADING.sub("", text.strip()))
    text = re.sub(r"^(?:for me|please)\s+|\s+(?:for me|please|briefly|in short)$", "", text, flags=re.I)
    return "" if _COLLECTION.match(text) else text


# What the answer must hold. A question that asks "how many" is not answered by a sentence
# with no quantity in it, nor "when" by one that names no time: the classic expected-answer-type
# check of question answering (Moldovan et al. 2000), kept to the two kinds a sentence shows
# plainly. Stricter than the composer's ranking cue (rag/composers/extractive.py, _CUES):
# there a year counts as a number; here "2017" does not answer "how many". A question about
# a degree ("How much did the war change them?") asks for no quantity.
QUANTITY, TIME = "quantity", "time"
_ASKS_QUANTITY = re.compile(
    r"\bhow many\b"
    r"|\bhow much\b(?!\s+(?:do|does|did|is|was|are|were|has|have|had|will|would|can|could|should|more|longer|further|earlier|later)\b)"
    r"|\bhow much\b.*\b(?:cost|costs|pay|paid|spend|spent|earn|earned|raise|raised|owe|owed|weigh|weighs|worth|charge|charged|price)\b"
    r"|\bwhat (?:is |was |are |were )?(?:the )?(?:number|amount|percentage|proportion|share|population|price|cost|sum|total|toll|death toll|figure|count) of\b"
    r"|\bwhat (?:percentage|proportion|share|fraction|number|amount|sum)\b",
    re.I)
_ASKS_TIME = re.compile(
    # "When did …", not "When a plant is injured, what …" (a clause, then the question)
    r"^(?:and |so |but )?(?:since |until |till |by )?when(?:'s|\s+(?:did|do|does|was|were|is|are|will|would|could|can|has|have|had|should|might|must)\b)"
    r"|\b(?:what|which|in what|in which) (?:year|years|date|day|month|time of year|century|decade|era|season)\b"
    r"|\bhow long ago\b",
    re.I)
_MONTH_NAMES = MONTHS + "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec"
# Dates and years are removed before quantities are looked for: "July 19" and "2017" count no one.
_DATE_OR_YEAR = re.compile(
    rf"\b(?:{_MONTH_NAMES})\.? \d{{1,2}}(?:st|nd|rd|th)?\b|\b\d{{1,2}}(?:st|nd|rd|th)? (?:of )?(?:{_MONTH_NAMES})\b"
    r"|(?<![$€£¥\d.,])\b(?:1[0-9]|20)\d\d(?:s|'s)?\b(?![.,]?\d|\s*(?:%|per ?cent))")
_QUANTITY_WORDS = (
    r"zero|one(?! of| another)|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|"
    r"nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundreds?|thousands?|millions?|billions?|trillions?|"
    r"dozens?|half|halves|thirds?|quarters?|percent|several|numerous|handful|none|nobody|single|twice|double|triple|"
    r"score of|scores of|majority|minority|most|few|fewer|no one")
_QUANTITY = re.compile(rf"\d(?:[\d,.]*\d)?|\b(?:{_QUANTITY_WORDS})\b", re.I)
_TIME = re.compile(
    # a month by its capitalised name (the modal "may" and "mar", "dec" are not months); a year,
    # also "c1750" and "c. 1180" (circa), "AD 79", "300 BC"
    rf"\b(?-i:{_MONTH_NAMES})\b|(?:\b|(?<=\bc)|(?<=\bca))(?:1[0-9]|20)\d\d(?:s|'s)?\b|'\d0s\b|\b\d{{1,2}}(?:st|nd|rd|th)\b"
    r"|\b\d{1,4} ?(?:AD|BC|BCE|CE|A\.D\.|B\.C\.)(?!\w)|\b(?:AD|A\.D\.) ?\d{1,4}\b"
    r"|\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|today|yesterday|tomorrow|tonight|weekend)\b"
    r"|\b(?:ago|century|centuries|decades?|era|eras|reign|dynasty|period|age of|times of|days of|years? (?:old|later|earlier|before|after)|"
    r"spring|summer|autumn|fall of|winter|morning|afternoon|evening|night|noon|midnight|dawn|o'clock|[ap]\.?m\.?)\b"
    r"|\b(?:this|last|next|that|the following|the previous|the same|a|one|each|every|the) (?:year|week|month|day|season)\b"
    r"|\b(?:before|after|during|until|till|since|when|while|once|following|prior to|in the wake of|at the (?:end|start|beginning|time|height|outbreak) of|"
    r"as soon as|by the time|shortly|soon|recently|currently|nowadays|later|earlier|eventually|immediately)\b",
    re.I)


def asked_kind(question: str) -> str:
    """QUANTITY for "how many …", "how much money …", "what share of …"; TIME for "when …",
    "in what year …"; "" for anything else.

    >>> asked_kind("How many people have died in the war?"), asked_kind("When did they meet?")
    ('quantity', 'time')
    >>> asked_kind("How much did the war change Syria?"), asked_kind("When a plant is injured, what can it become?")
    ('', '')
    """
    if _ASKS_QUANTITY.search(question):
        return QUANTITY
    if _ASKS_TIME.search(question.strip()):
        return TIME
    return ""


def holds_asked_kind(kind: str, sentence: str, question: str = "") -> bool:
    """Whether ``sentence`` holds a quantity (for QUANTITY) or a time (for TIME) that the
    question does not already name; True for any other kind.

    >>> holds_asked_kind(QUANTITY, "The war has killed half a million people.")
    True
    >>> holds_asked_kind(QUANTITY, "A hub set up in 2017 to monitor a ceasefire, in a July 19 letter.")
    False
    >>> holds_asked_kind(TIME, "They met in Helsinki.", "When did they meet in 2018?")
    False
    >>> holds_asked_kind(TIME, "The Becket Casket, dated c1180, holds relics.")
    True
    >>> holds_asked_kind(TIME, "They may meet again."), holds_asked_kind(TIME, "They met in May.")
    (False, True)
    """
    if kind == QUANTITY:
        found = {m.lower() for m in _QUANTITY.findall(_DATE_OR_YEAR.sub(" ", sentence))}
        return bool(found - {m.lower() for m in _QUANTITY.findall(_DATE_OR_YEAR.sub(" ", question))})
    if kind == TIME:
        found = {m.lower() for m in _TIME.findall(sentence)}
        return bool(found - {m.lower() for m in _TIME.findall(question)})
    return True


# "Who wrote to whom?", "To whom …", "When did Bob answer?": what a message's header line
# (who sent it, to whom, when) can answer; "Why did Daniel write?" it cannot.
_ASKS_WHO = re.compile(r"^(?:and |so |but )?(?:(?:to|from|by|with) )?(?:who|whom|whose)\b", re.I)


def asks_who_or_when(question: str) -> bool:
    """
    >>> asks_who_or_when("Who wrote to whom?"), asks_who_or_when("To whom did Bob write?")
    (True, True)
    >>> asks_who_or_when("When did Bob answer?"), asks_who_or_when("Why did Daniel write to Bob?")
    (True, False)
    """
    return bool(_ASKS_WHO.match(question.strip())) or asked_kind(question) == TIME


# "What is PreviSat?", "What's a backport?", "What are TLE files?", "What is camlidl actually
# for?": the thing to define. Not "What is the name of …" (a fact about it, its sentence does
# not start with it) nor anything longer than a short noun phrase.
_DEFINED = re.compile(
    r"^(?:so |and |ok,? )?what(?:'s| is| are| was| were) (?:an? |the )?(?P<x>[\w.+#/'’-]+(?: [\w.+#/'’-]+){0,3}?)"
    r"(?: (?:actually|exactly|really|basically|even))?(?: (?:used )?for)?\s*\??$", re.I)
_DEFINITION_VERB = r"(?:is|are|was|were|refers to|means|stands for|denotes)"
# "PreviSat is able to …", "live-build is developed using Git", "… is not …": what it does or
# how it came about, not what it is.
_NOT_WHAT_IT_IS = (r"(?:\w+ed|\w+en|able|unable|not|also|still|now|then|in|on|at|to|by|for|from|with|being|"
                   r"available|used|made|run|set|put|built|kept|shown|done)\b")


@lru_cache(maxsize=256)  # asked for every candidate sentence of a question
def defined_term(question: str) -> str:
    """The thing a "What is X?" question asks to be defined, "" for any other question.

    >>> defined_term("What is PreviSat?"), defined_term("what's a backport")
    ('PreviSat', 'backport')
    >>> defined_term("What is camlidl actually for?"), defined_term("What is the name of the stadium?")
    ('camlidl', '')
    """
    found = _DEFINED.match(" ".join(question.split()))
    if not found or found.group("x").lower().split()[0] in ("the", "your", "their", "his", "her", "its", "this", "that"):
        return ""
    term = found.group("x")
    return "" if re.search(r"\b(?:of|in|on|at|between|with|from|to|by)\b", term, re.I) else term


def defines(term: str, sentence: str) -> bool:
    """Whether ``sentence`` defines ``term``: it opens with it and says what it is.

    >>> defines("PreviSat", "PreviSat is free open source software to track artificial satellites.")
    True
    >>> defines("backport", "A backport (from the next release) is a package rebuilt for stable.")
    True
    >>> defines("PreviSat", "The standard magnitude is issued from an internal file in PreviSat.")
    False
    >>> defines("PreviSat", "PreviSat is able to determine flares."), defines("live-build", "live-build is developed using Git.")
    (False, False)
    >>> defines("live-build", "live-build: A collection of scripts used to build customized live systems.")
    True
    """
    pattern = rf"^(?:the |an? )?{re.escape(term)}s?(?: \([^)]{{0,80}}\))*(?:,? {_DEFINITION_VERB} (?!{_NOT_WHAT_IT_IS})|: (?:an? |the )?[A-Za-z])"
    return bool(re.match(pattern, sentence.strip(), re.I))
