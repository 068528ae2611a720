"""Question + evidence -> Answer: the source's own sentences, each cited, or an abstention.

The default composer is extractive (no generative model is available offline). How it
answers depends on what the question asks for (rag/questions.py):

- a summary ("Summarize the story"): the engine hands it the documents in question; it
  cites their most central sentences (closest to the documents' mean embedding), taking
  from each document in turn, in reading order;
- a subject ("What do the documents say about Jabari Square?"): the sentences that mention
  the subject, most relevant first, shown in reading order;
- whether the sources disagree ("Do the sources disagree?"): the engine hands it the
  documents to compare; every statement of one that states a fact of another with a
  different name, date or number is cited beside it as a disagreement (``disagreements``);
- anything else (a fact, "why", "how", a list): each candidate sentence is scored by
  - dense: cosine similarity of its MiniLM embedding to the question's;
  - lexical: the share of the question's terms, weighted by rarity (IDF), that it contains;
  - context: the same share over the sentence and the one before it ("He was hired by ..."
    names its subject in the sentence before);
  - cue: whether it holds what the question asks for (a name for "who", a date for "when",
    a number for "how many", a reason for "why", a means for "how", an enumeration for a
    list) that the question itself does not already contain;
  - defines: for "What is X?", whether it opens by saying what X is ("X is …", "X stands
    for …", "X: a …"), which MiniLM ranks below longer sentences that mention X.

The answer's confidence weighs the best sentence's features and the highest dense
similarity among the candidates; below ``abstain_threshold`` the answer says the documents
do not answer the question (bench/tune_confidence.py measures it on questions the documents
answer, in their own words and in other words, and on questions they do not: off the
subject, and on it). A sentence from another document
that states the same fact as a chosen one is merged into it (cited ``[1][2]``); a value that
differs in the same place of the two is reported as a disagreement (rag/conflicts.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Optional, Sequence

import numpy as np

from rag.composers.base import Composer, Query
from rag.conflicts import SAME_FACT, disagreement, same_fact, slot_conflicts
from rag.lexicon import unstated_conditions
from rag.questions import (DISAGREEMENT, HOW, LIST, QUANTITY, SUMMARY, WHY, asked_kind, asks_who_or_when, defined_term,
                           defines, holds_asked_kind)
from rag.text import (MONTHS, addresses_model, ends_statement, holds_function_word, is_code_line, is_data_line,
                      is_fragment, is_heading, is_listing, is_message_header, is_section_number, is_title_block,
                      points_back, record_fields, term_set, terms)
from rag.types import Answer, Citation, Conflict, ConflictVersion, Evidence, Passage, Sentence

# Chosen by bench/tune_weights.py on the tune halves, judging whole answers as `rag eval`
# does (SQuAD's tune articles, the lay rewrites' and the seed set's tune questions): meaning
# counts most, a sentence read with the one before it next; the rare words it shares with
# the question alone count little, which is what a question in other words lacks (docs/measured.md).
# "defines" came later, set by hand; the tune halves' figures are the same with or without it.
WEIGHTS = {"dense": 0.6, "lexical": 0.2, "context": 0.3, "cue": 0.05, "defines": 0.3}
# The answer's confidence, from the best sentence's features and the closest any candidate
# comes to the question in meaning. Dense similarity separates "the documents say" from "the
# documents only share words with the question" better than the ranking score does: chosen
# with bench/tune_composer.py on SQuAD's tune half. A logistic model over more features
# (how far the best leads, names the best sentence lacks, words the collection never uses),
# fitted on lay and on-topic unanswerable questions too, abstained on about 6 points fewer
# of the full run's off-corpus SQuAD questions at the same rate of wrong abstentions, and no
# better on the seed set's on-topic questions; see docs/measured.md.
CONFIDENCE_WEIGHTS = {"dense": 0.3, "lexical": 0.1, "context": 0.2, "best_dense": 0.4}
# A further answer sentence must score at least this share of the best. With it the answer is
# one sentence when the best clearly leads and several when candidates run close, which is
# when the best most often misses. Chosen with bench/tune_composer.py on the tune half
# (with max_sentences 4, max_words 120): the most answers holding the gold answer at a
# median of at most 38 words.
KEEP_WITHIN = 0.88
# Summaries: this many sentences at most, within this many words; a sentence shorter than
# MIN_SUMMARY_WORDS (a headline, a caption credit, "Read more") is not summary material.
SUMMARY_SENTENCES = 5
SUMMARY_WORDS = 160
MIN_SUMMARY_WORDS = 8
LEAD_WEIGHT = 0.1  # earlier sentences state the gist (news, abstracts, a manual's intro)
REDUNDANT_COSINE = 0.75  # a candidate this close to a chosen sentence adds nothing
# A sentence mentions a subject when it holds this share of the subject's terms (by rarity).
SUBJECT_MENTION = 0.5  # "Mr Gerasimov" mentions "Valery Gerasimov" (the rarer word counts more)
# Abstentions are often questions the documents answer in other words (docs/measured.md), so
# the answer says what the engine knows: no sentence clearly answers; the passages may.
NO_ANSWER = "No sentence in the documents clearly answers this question."
ABSTAIN_TEXT = f"{NO_ANSWER} The nearest passages are listed below."

_CUES = {
    "date": re.compile(rf"\b(?:{MONTHS}|\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|century|decade)\b"),
    "number": re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|billion|dozen)\b", re.I),
    "name": re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z]+"),
}
_QUESTION_CUE = [
    (re.compile(r"\b(?:when|what (?:year|date|day|month|time|century|decade))\b", re.I), "date"),
    (re.compile(r"\b(?:how (?:many|much|long|old|far|large|big)|what (?:percentage|number|amount|size))\b", re.I), "number"),
    (re.compile(r"\b(?:who|whom|whose|where|which (?:person|city|country|company))\b", re.I), "name"),
]
# What a sentence that answers "why" or "how" says: a reason or condition, a means or manner.
_REASON = re.compile(
    r"\b(?:because|since|so that|in order to|due to|owing to|as a result|result of|reasons?|therefore|thus|hence|"
    r"if|unless|only when|provided|lacks?|lacking|needs?|needed|requires?|tied to|linked to|blames?|argues?|"
    r"aims?|intended|to avoid|to prevent|for fear|so as to|caused|led to|leads to|why)\b", re.I)
_MEANS = re.compile(r"\b(?:by|through|via|using|used|with the help of|channel|means|method|way|steps?|process)\b", re.I)
_ENUMERATION = re.compile(r"[^,;]+(?:[,;] [^,;]+)+,? (?:and|or) ")
_SENTENCE_END = re.compile(r"[.!]['\"’”)\]]*$")
# A table of contents' line, as a PDF's text layer gives it: "23 9.2 Recommended use of
# math font commands ." (page and section numbers, a dot leader collapsed to " .").
_CONTENTS_LINE = re.compile(r"^\d+(?:\.\d+)*\s+\d+(?:\.\d+)+\s|(?:\.\s?){4,}")
_COLLAPSED_LEADER = re.compile(r"\s\.$")
MAX_CONTENTS_WORDS = 12


def contents_line(text: str) -> bool:
    """A contents line of a PDF's text layer. Tokenized text (corpora, some converters) ends
    its sentences with " ." too, but a sentence is longer and has its commas (" , ").

    >>> [contents_line(t) for t in ("23 9.2 Recommended use of math font commands .",
    ...     "Recommended use of math font commands .", "Introduction . . . . . 3",
    ...     "The role was originated by Casey Jon Deidrick on June 19 , 2009 .")]
    [True, True, True, False]
    """
    if _CONTENTS_LINE.search(text):
        return True
    return bool(_COLLAPSED_LEADER.search(text)) and (len(text.split()) <= MAX_CONTENTS_WORDS or " , " not in text)


MIN_FACT_WORDS = 5  # a disagreement is between statements, not headings
MAX_PAIRS = 20_000  # sentence pairs of two documents checked for one fact, closest first
WHICH_DOCUMENTS = (
    "Which documents should be compared? Name two files (\"Does a.pdf contradict b.pdf?\"), "
    "or ask right after a question on the subject, and the documents that answer it are compared."
)
# Below this similarity two sentences cannot state one fact (rag/conflicts.py).
SAME_FACT_FLOOR = min(cosine for cosine, _ in SAME_FACT)
# Sentences of other documents stating an answer sentence's fact cited beside it, at most
# (more when they disagree with it).
MAX_TWINS_CITED = 3
MAX_POINTED_AT = 2  # a chosen sentence comes with at most this many sentences before it
# A sentence that leads in to a command or a configuration line ("Simply call the following
# command on another machine:" then "$ nmap mirwiz") is quoted with at most this many of the
# lines it introduces: the lines are what it says.
MAX_INTRODUCED_LINES = 3
MAX_INTRODUCED_WORDS = 40
# A sentence ending on a colon before a list ("… there are various possible approaches,
# including:" then "(a) Change …", "(b) Put a copy …") is quoted with the items it introduces,
# prose as they are, whole items of at most this many lines and words in all.
MAX_LISTED_LINES = 10
MAX_LISTED_WORDS = 90
# A list item's marker: "(a)", "b)", "1.", "2)", "-", "*", "•".
_LIST_ITEM = re.compile(r"\s*(?:\(?[a-z]\)|\(?\d{1,2}[.)]|[-*•])\s+\S")


@dataclass
class _Pick:
    """One answer sentence and the sentences from other documents that state the same fact."""

    main: Sentence
    score: float
    same: list[Sentence] = field(default_factory=list)


@dataclass
class ExtractiveComposer(Composer):
    abstain_threshold: float = 0.477
    max_sentences: int = 4
    max_words: int = 120  # further sentences join the answer only while it stays this short
    weights: dict[str, float] = field(default_factory=lambda: dict(WEIGHTS))
    # The reading model (rag.reader.Reader): when set, it reads the best ``reader_candidates``
    # sentences (by the features above) with the question; they are ranked by probability +
    # ``reader_feature_weight`` x the features' score, and the answer's confidence is
    # ``reader_confidence_share`` x the best probability + the rest x the features' confidence,
    # abstaining below ``reader_threshold``. Defaults as rag/config.py's (bench/tune_reader.py).
    reader: Optional[Any] = None
    reader_threshold: float = 0.4
    reader_candidates: int = 16
    reader_keep_within: float = 0.9  # a further sentence ranks at least this share of the best
    reader_feature_weight: float = 1.5
    reader_confidence_share: float = 0.25
    # Taken off the confidence when the best read sentence's passage (with its title and the
    # sentence before) does not name a name or number the question asks about.
    reader_unstated_penalty: float = 0.05
    # Taken off the confidence when the question asks for a quantity ("how many") or a time
    # ("when") and the best read sentence holds none (rag/questions.py, holds_asked_kind).
    reader_missing_kind_penalty: float = 0.3
    # Reading in two rounds, for speed: the best ``reader_first`` candidates, and the rest (up
    # to ``reader_candidates``) only when none of those answers with at least ``reader_sure``
    # probability (0 for ``reader_first``: all at once).
    reader_first: int = 0
    reader_sure: float = 1.0
    # The support check (rag.verify.Verifier): when set, two sentences disagree only when one
    # contradicts the other (rag.conflicts.disagreement).
    verifier: Optional[Any] = None

    def compose(self, query: Query, evidence: Evidence) -> Answer:
        question, intent = query.text, query.intent
        if intent.kind == DISAGREEMENT:
            return disagreements(question, evidence, self.verifier)
        if evidence.documents:  # the engine found the question asks for a summary
            return self._summary(question, evidence)
        if intent.subject:  # a subject, or a summary of something that is not a document
            return self._about(question, intent.subject, evidence)
        if intent.kind == SUMMARY:  # of a collection with no documents
            return _abstain(question, evidence, 0.0)
        scored = sorted(
            ((self.score(query, s, evidence), s) for s in evidence.sentences),
            key=lambda x: -x[0],
        )
        if self.reader is not None:
            return self._read(query, scored, evidence)
        confidence = self.confidence(query, scored, evidence)
        if confidence < self.abstain_threshold:
            return _abstain(question, evidence, confidence)
        # A heading ("List Comprehensions", "The with statement") names a topic and states
        # nothing: it is not an answer while a sentence that states something is a candidate.
        # (Indexes written since such fragments stopped being stored as sentences hold none.)
        picks = self._pick([(score, s) for score, s in scored if not is_fragment(s.text)] or scored)
        if intent.kind == WHY:
            picks = _with_stated_reasons(picks, evidence)
        return _answer(question, evidence, picks, confidence, self.verifier)

    def read(self, question: str, scored: list[tuple[float, Sentence]]) -> list[tuple[float, float, Sentence]]:
        """The best candidates by the features, read by the model: (ranking score, probability,
        sentence), best first. The ranking score is the probability plus
        ``reader_feature_weight`` times the features' score. Headings, captions and contents
        lines are not read: never answers; nor an e-mail's header line unless the question asks
        who or when (it names the sender and the subject, and otherwise wins on those words),
        nor a page's own fields (a Markdown post's front matter: title, author, date, a book's
        publisher) unless it asks who or when or names one of the fields ("how many pages").
        A document's title block (title, authors, date), all names, reads as a listing: it is
        read when the question asks who or when."""
        headers_answer = asks_who_or_when(question)
        candidates = [(f, s) for f, s in scored
                      if (answer_material(s) and (headers_answer or not is_message_header(s.text))
                          and (headers_answer or not _page_fields(s) or _asks_about_a_field(question, s)))
                      or (headers_answer and is_title_block(s.text))][: self.reader_candidates]
        if not candidates:
            return []
        from rag.reader import Candidate

        def probabilities_of(part: list) -> list[float]:
            return self.reader.score(question, [Candidate(s.text, s.previous, s.title) for _, s in part]).tolist()

        first = self.reader_first or len(candidates)
        probabilities = probabilities_of(candidates[:first])
        if len(candidates) > first and max(probabilities) < self.reader_sure:
            probabilities += probabilities_of(candidates[first:])
        else:
            candidates = candidates[:first]
        rows = [(p + self.reader_feature_weight * f, p, s) for p, (f, s) in zip(probabilities, candidates)]
        return sorted(rows, key=lambda row: -row[0])  # stable: the features' order among ties

    def reading_confidence(self, query: Query, probability: float, scored: list, evidence: Evidence) -> float:
        """How sure the documents answer: a read sentence's probability, blended with the
        features' confidence (``reader_confidence_share`` of the first)."""
        share = self.reader_confidence_share
        return share * probability + (1 - share) * self.confidence(query, scored, evidence) if share < 1 else probability

    def _judged(self, query: Query, probability: float, s: Sentence, scored: list,
                evidence: Evidence) -> tuple[float, list[str], str]:
        """The confidence that ``s`` (read with ``probability``) answers, less the checks of what
        the model does not read; with the names its passage does not mention and the kind of
        answer ("number", "time") it lacks, for an abstention to say."""
        question = query.text
        confidence = self.reading_confidence(query, probability, scored, evidence)
        unstated = unstated_conditions(question, _surroundings(s, evidence)) if self.reader_unstated_penalty else []
        if unstated:
            confidence -= self.reader_unstated_penalty  # the sentence is about something else
        kind = asked_kind(question) if self.reader_missing_kind_penalty else ""
        missing = kind if kind and not holds_asked_kind(kind, s.text, question) else ""
        if missing:
            confidence -= self.reader_missing_kind_penalty  # "how many" answered with no number
        return confidence, unstated, missing

    def _read(self, query: Query, scored: list[tuple[float, Sentence]], evidence: Evidence) -> Answer:
        question, intent = query.text, query.intent
        # A lead-in is read with what it introduces: "The camlidl stub generator is invoked as
        # follows:" says how to run it only with "camlidl options file1.idl file2.idl ...".
        scored = [(f, _with_what_it_introduces(s, evidence)) for f, s in scored]
        read = self.read(question, scored)
        likely = [(p, s) for _, p, s in read]
        if not read:
            return _abstain(question, evidence, self.reading_confidence(query, 0.0, scored, evidence), likely)
        best = max(p for _, p, _ in read)
        confidence, unstated, missing = self._judged(query, best, read[0][2], scored, evidence)
        if confidence < self.reader_threshold:
            return _abstain(question, evidence, confidence, likely, unstated, missing)
        # Further sentences join the first one chosen when they rank close to it. The first
        # chosen is not always the best read: a sentence that points back at one retrieval did
        # not find is passed over ("This option can also be enabled on boot …" for "How do I
        # enable IP forwarding?", before the sentence that says how).
        floor = None
        picks: list[_Pick] = []
        words = 0
        for rank, p, s in read:
            # A sentence of another document stating a chosen fact is cited beside it, however
            # it ranks (checked before the rank, as _pick does).
            if _merge_twin(picks, s) or (floor is not None and rank < floor) or len(picks) >= self.max_sentences:
                continue
            # "It blames ..." comes with the sentence it points at, or is not chosen; and so
            # does that one when it points back in turn ("There are two ways to draw images." /
            # "The preferred one is the drawImage method." / "This implements a caching system").
            chosen = _with_what_it_points_at(s, evidence)
            if chosen is None:
                continue
            size = sum(len(x.text.split()) for x in chosen)
            if picks and words + size > self.max_words:
                continue
            for x in chosen:
                if not _merge_twin(picks, x):
                    picks.append(_Pick(x, p))
            words += size
            if floor is None:
                floor = rank * self.reader_keep_within
                if s is not read[0][2]:  # what is shown is judged, not what was passed over
                    confidence, unstated, missing = self._judged(query, p, s, scored, evidence)
                    if confidence < self.reader_threshold:
                        return _abstain(question, evidence, confidence, likely, unstated, missing)
        if not picks:
            return _abstain(question, evidence, confidence, likely)
        read_ids = {id(s) for _, _, s in read}
        for _, s in scored:  # the candidates not read may state a chosen fact too
            if id(s) not in read_ids and not any(s is x for pick in picks for x in [pick.main, *pick.same]):
                _merge_twin(picks, s)
        if intent.kind == WHY:
            picks = _with_stated_reasons(picks, evidence)
        return _answer(question, evidence, _reading_order(picks), confidence, self.verifier)

    @staticmethod
    def confidence(query: Query, scored: list[tuple[float, Sentence]], evidence: Evidence) -> float:
        """How sure the documents answer the question at all (compared with abstain_threshold)."""
        if not scored:
            return 0.0
        f = sentence_features(query, scored[0][1], evidence)
        f["best_dense"] = max(s.dense for _, s in scored)
        return sum(w * f[k] for k, w in CONFIDENCE_WEIGHTS.items())

    def score(self, query: Query, s: Sentence, evidence: Evidence) -> float:
        f = sentence_features(query, s, evidence, ranking=True)
        return sum(self.weights[k] * f[k] for k in self.weights)

    def _pick(self, scored: list[tuple[float, Sentence]], keep_within: float = KEEP_WITHIN) -> list[_Pick]:
        best = scored[0][0]
        picks: list[_Pick] = []
        words = 0
        for score, s in scored:
            if _merge_twin(picks, s):
                continue
            if picks and (
                score < best * keep_within
                or len(picks) >= self.max_sentences
                or words + len(s.text.split()) > self.max_words
            ):
                continue
            picks.append(_Pick(s, score))
            words += len(s.text.split())
        return picks

    def _about(self, question: str, subject: str, evidence: Evidence) -> Answer:
        """The sentences that mention the subject, the most relevant first, in reading order."""
        subject_terms = set(terms(subject))
        # A name is mentioned by its last word too: "Mr Gerasimov" for "Valery Gerasimov".
        surname = next((terms(w) for w in reversed(subject.split()) if w[:1].isupper()), [])
        mentions = []
        for s in evidence.sentences:
            own = set(terms(s.text))
            mention = weighted_coverage(subject_terms, own, evidence)
            mentions.append((max(mention, SUBJECT_MENTION) if surname and surname[0] in own else mention, s))
        best = max((m for m, _ in mentions), default=0.0)
        if not subject_terms or best < SUBJECT_MENTION:
            return _abstain(question, evidence, best)
        mentioning = [(m, s) for m, s in mentions if m >= SUBJECT_MENTION]
        # Prose first: a headline or a "Read more" link names the subject but says little.
        mentioning = [(m, s) for m, s in mentioning if _summary_material(s)] or mentioning
        scored = sorted(((m + s.dense, s) for m, s in mentioning), key=lambda x: -x[0])
        # Every mention is worth showing, not only those close to the best one.
        return _answer(question, evidence, _reading_order(self._pick(scored, keep_within=0.0)), best, self.verifier)

    def _summary(self, question: str, evidence: Evidence) -> Answer:
        """The documents' most central sentences, a document at a time, in reading order."""
        candidates = [s for s in evidence.documents if _summary_material(s)] or list(evidence.documents)
        if not candidates:
            return _abstain(question, evidence, 0.0)
        vectors = np.stack([s.embedding for s in candidates])
        centroid = vectors.mean(axis=0)
        centroid /= np.linalg.norm(centroid) or 1.0
        position = _positions(candidates)
        score = {id(s): float(v @ centroid) + LEAD_WEIGHT * (1 - position[id(s)]) for s, v in zip(candidates, vectors)}
        by_document: dict[str, list[Sentence]] = {}
        for s in sorted(candidates, key=lambda s: -score[id(s)]):
            by_document.setdefault(s.source, []).append(s)
        picks: list[_Pick] = []
        words = 0
        queues = list(by_document.values())
        while queues and len(picks) < SUMMARY_SENTENCES:
            # The document with the fewest chosen sentences (its own or merged) goes next.
            queue = min(queues, key=lambda q: sum(1 for p in picks for x in [p.main, *p.same] if x.source == q[0].source))
            s = queue.pop(0)
            if not queue:
                queues.remove(queue)
            if _merge_twin(picks, s) or _merge_near_repeat(picks, s):
                continue
            if picks and words + len(s.text.split()) > SUMMARY_WORDS:
                continue
            picks.append(_Pick(s, score[id(s)]))
            words += len(s.text.split())
        # Merge the remaining sentences of the other documents that state a chosen fact.
        for s in candidates:
            if not any(s is x for p in picks for x in [p.main, *p.same]):
                _merge_twin(picks, s)
        return _answer(question, evidence, _reading_order(picks), 1.0, self.verifier)


def disagreements(question: str, evidence: Evidence, verifier: Optional[Any] = None) -> Answer:
    """"Do the sources disagree?": every fact two of the documents in question both state,
    with a different value in one of them, each side cited; or, when they agree, how many
    shared facts were compared."""
    by_source: dict[str, list[Sentence]] = {}
    for s in evidence.documents:
        # Statements only: "Chapter 1." against "Chapter 6." is no disagreement.
        if s.embedding is not None and len(s.text.split()) >= MIN_FACT_WORDS and ends_statement(s.text):
            by_source.setdefault(s.source, []).append(s)
    if len(by_source) < 2:
        return Answer(question, WHICH_DOCUMENTS, True)  # the passages found for "disagree" say nothing
    picks: list[_Pick] = []
    shared = 0
    groups = list(by_source.values())
    for i, first in enumerate(groups):
        for second in groups[i + 1:]:
            found, compared = _differing_facts(first, second, verifier)
            picks += found
            shared += compared
    if not picks:
        sources = list(by_source)
        names = f"{', '.join(sources[:-1])} and {sources[-1]}"
        common = f"{shared} fact{'s' * (shared != 1)} in common, each with the same names, dates and numbers" if shared else "no fact in common"
        return Answer(question, f"No disagreement found: {names} state {common}.", False, confidence=1.0)
    return _answer(question, evidence, _reading_order(picks), 1.0, verifier)


def _differing_facts(first: list[Sentence], second: list[Sentence], verifier: Optional[Any] = None) -> tuple[list[_Pick], int]:
    """(the facts both lists state with a different value, how many facts they share)."""
    similarity = np.stack([s.embedding for s in first]) @ np.stack([s.embedding for s in second]).T
    # The closest pairs first, and no more than MAX_PAIRS of them: two long manuals hold
    # many loosely similar sentences, and a fact both state is among the closest pairs.
    rows, columns = np.nonzero(similarity >= SAME_FACT_FLOOR)
    closest = np.argsort(-similarity[rows, columns], kind="stable")[:MAX_PAIRS]
    used_a, used_b, picks, shared = set(), set(), [], 0
    for i, j in zip(rows[closest].tolist(), columns[closest].tolist()):
        a, b = first[i], second[j]
        if i in used_a or j in used_b or not same_fact(a, b):
            continue
        used_a.add(i)
        used_b.add(j)
        shared += 1
        if disagreement(a.text, b.text, verifier):
            picks.append(_Pick(a, float(similarity[i, j]), [b]))
    return picks, shared


def version_of(s: Sentence) -> str:
    """The document version a sentence was read from (its passage id is "version#pN")."""
    return s.passage_id.rsplit("#p", 1)[0]


def _abstain(question: str, evidence: Evidence, confidence: float,
             read: Optional[list[tuple[float, Sentence]]] = None, unstated: Sequence[str] = (),
             missing_kind: str = "") -> Answer:
    """No answer; the nearest passages, each with the sentence the model found most likely to
    answer marked (when it read one of theirs), and the text says where they are (and which of
    the question's names or numbers the likeliest one's passage does not mention, or that its
    likeliest sentence gives no number or time where the question asks for one)."""
    passages = [_with_likely(p, read or []) for p in evidence.passages]
    where = "; ".join(dict.fromkeys(_place(p) for p in passages[:3]))
    text = f"{NO_ANSWER} The nearest passages ({where}) are listed below." if where else ABSTAIN_TEXT
    if where and unstated:
        text += " The likeliest of them does not mention " + " or ".join(f"“{x}”" for x in unstated) + "."
    if where and missing_kind:
        text += " The likeliest sentence gives no " + ("number" if missing_kind == QUANTITY else "date or time") + "."
    return Answer(question, text, True, passages=passages, confidence=round(confidence, 4))


def _with_likely(p: Passage, read: list[tuple[float, Sentence]]) -> Passage:
    best = next((s for _, s in read if _holds(p, s)), None)
    if best is None:
        return p
    return replace(p, likely_start=best.start, likely_end=best.end)


def _surroundings(s: Sentence, evidence: Evidence) -> str:
    """A sentence with what a reader sees around it: its passage, the sentence before, the title."""
    passages = [p.text for p in evidence.passages if _holds(p, s)]
    return " ".join([s.title, s.previous, s.text, *passages])


def _holds(p: Passage, s: Sentence) -> bool:
    """Whether passage ``p`` holds (the start of) sentence ``s``."""
    return p.source == s.source and p.start <= s.start < p.end


def _place(p: Passage) -> str:
    """"handbook.pdf p. 3" / "news.txt § Reactions" / "news.txt": where a passage is."""
    if p.page is not None:
        return f"{p.source} p. {p.page}"
    return f"{p.source} § {p.section}" if p.section else p.source


# A line of at most this many words ending with a colon labels what follows ("Method 3:").
MAX_LABEL_LINE_WORDS = 4


def answer_material(s: Sentence) -> bool:
    """A statement that can answer: not a heading (nor a label, "Method 3:"), headline, caption,
    contents line, credit line, listing (a table or list run together), line of code or data;
    a document's title counts when it ends as a statement (a one-line note's only line)."""
    text = s.text.strip()
    return (not is_fragment(text) and not is_heading(text) and not _numbered_heading(s) and not contents_line(text)
            and not _shouted(text) and not is_listing(text) and not is_code_line(text) and not is_data_line(text)
            and (text != s.title.strip() or ends_statement(text)) and not text.endswith("?")
            and not _label(text) and not addresses_model(text))


def _page_fields(s: Sentence) -> bool:
    """Whether a sentence is its document's own fields, the record of its title, author, date
    and the like ("Title: Born to Run; Author: Bruce Springsteen; …": a Markdown post's front
    matter). It names the document's subject and people, so it shares a question's words
    whatever the question asks."""
    title = record_fields(s.text).get("title")
    return title is not None and title.lower() == " ".join(s.title.split()).lower()


def _asks_about_a_field(question: str, s: Sentence) -> bool:
    """Whether a question names one of a record's fields, by its label's last word ("How many
    pages …" of "Book pages: 528")."""
    labels = " ".join(label.split()[-1] for label in record_fields(s.text))
    return bool(term_set(question) & term_set(labels))


def _label(text: str) -> bool:
    """A line of a few words that names what follows it ("Method 3:", "Confidence values:"):
    a heading with a colon, which says nothing alone."""
    return text.endswith(":") and len(text.split()) <= MAX_LABEL_LINE_WORDS


def _numbered_heading(s: Sentence) -> bool:
    """A heading in sentence case, which ``is_heading`` does not see: a line that does not end
    as a sentence and is its own section's heading, or follows a section number (a table of
    contents' entry: "14." then "Redistributing Debian GNU/Linux in a commercial product",
    Debian's FAQ); or a sentence that is part of its section's longer heading."""
    text = s.text.strip()
    heading = _words(s.section) if s.section else ""
    if ends_statement(text):
        # Part of its section's heading: "My program is too slow." of the Python FAQ's "My
        # program is too slow. How do I speed it up?"
        return len(heading) > len(_words(text)) and _words(text) in heading
    own_heading = bool(heading) and heading.endswith(_words(text))
    return own_heading or is_section_number(s.previous.strip())


def _with_what_it_points_at(s: Sentence, evidence: Evidence) -> Optional[list[Sentence]]:
    """s, after the sentences it points back at (``points_back``), at most MAX_POINTED_AT of
    them: None when retrieval did not find the one s points at; further back, as many as it
    found."""
    chosen = [s]
    while points_back(chosen[0].text) and len(chosen) <= MAX_POINTED_AT:
        before = _sentence_before(chosen[0], evidence)
        if before is None:
            return chosen if len(chosen) > 1 else None
        chosen.insert(0, before)
    return chosen


def _sentence_before(s: Sentence, evidence: Evidence) -> Optional[Sentence]:
    """The candidate that is ``s``'s previous sentence in its document, if retrieval found it."""
    if not s.previous or is_message_header(s.previous):
        return None  # "That's ok with me." points at the message replied to, not at its own header
    return next((x for x in evidence.sentences if x.source == s.source and x.end <= s.start and x.text == s.previous), None)


def _answer(question: str, evidence: Evidence, picks: list[_Pick], confidence: float, verifier: Optional[Any] = None) -> Answer:
    citations, parts, conflicts = [], [], []
    for pick in picks:
        pick.main = _with_what_it_introduces(pick.main, evidence)  # as the reader read it; the features' paths did not
        numbers = []
        for s in [pick.main, *pick.same]:
            citations.append(
                Citation(len(citations) + 1, s.source, s.title, s.text, s.start, s.end, round(pick.score, 4),
                         page=s.page, section=s.section, version=version_of(s))
            )
            numbers.append(citations[-1].number)
        # A sentence wrapped across lines (PDF, hard-wrapped text) reads as one line, lines of
        # code as lines; the citation's quote keeps the source's exact characters.
        lead_in = _lead_in_end(pick.main, evidence) - pick.main.start
        parts.append(_shown(pick.main.text, lead_in if lead_in < len(pick.main.text) else None) + " "
                     + "".join(f"[{n}]" for n in numbers))
        conflicts += conflicts_among(pick.main, pick.same, numbers, verifier)
    # After lines of code, the next sentence starts a line of its own.
    text = "".join(("\n" if "\n" in parts[i - 1] else " ") + part if i else part for i, part in enumerate(parts))
    text += disagreement_note(conflicts)
    return Answer(
        question, text, False, citations=citations, passages=evidence.passages,
        conflicts=conflicts, confidence=round(confidence, 4),
    )


def _introduced(line: str) -> bool:
    """A line a lead-in introduces: a command or configuration line (a prompt or comment mark,
    or no function word: "camlidl options file1.idl file2.idl ..."), not prose, and not the
    heading of what comes next ("1 Overview")."""
    return (is_code_line(line) or not holds_function_word(line)) and not is_heading(line)


def _shown(text: str, lead_in: Optional[int] = None) -> str:
    """A sentence as the answer shows it: on one line (a PDF's or a wrapped file's lines joined),
    but for the lines of code a lead-in introduces, each on a line of its own. ``lead_in`` is
    where the lead-in ends, when it ends without a colon ("… you can type").

    >>> _shown("The generator is\\ninvoked as follows:\\ncamlidl options file1.idl\\n$ make")
    'The generator is invoked as follows:\\ncamlidl options file1.idl\\n$ make'
    >>> _shown("For larger fonts you can\\ntype\\n• letterpaper, mag=2000", lead_in=29)
    'For larger fonts you can type\\n• letterpaper, mag=2000'
    >>> _shown("There are two approaches:\\n(a) Change the\\ndocument.\\n\\n(b) Downgrade.")
    'There are two approaches:\\n(a) Change the document.\\n(b) Downgrade.'
    """
    shown, in_block, listed, offset = "", False, False, 0
    for raw in text.split("\n"):
        line, at, offset = raw.strip(), offset, offset + len(raw) + 1
        if not line:
            continue
        after_lead_in = shown.endswith(":") if lead_in is None else at >= lead_in
        in_block = in_block or (after_lead_in and _introduced(line))
        item = bool(_LIST_ITEM.match(raw))
        listed = listed or (after_lead_in and item)
        shown += ("\n" if in_block or (listed and item) else " " if shown else "") + line  # an item a line
    return shown


def _lead_in(s: Sentence) -> bool:
    """A sentence that leads in to what follows: it ends on a colon, or it is prose that stops
    without ending ("… you can type", "… such as") where a display of code or options took the
    rest of it."""
    text = s.text.rstrip()
    if is_title_block(text):  # a title page's lines stop without ending, and lead in to nothing
        return False
    return text.endswith(":") or (not ends_statement(text) and holds_function_word(text))


def _with_what_it_introduces(s: Sentence, evidence: Evidence) -> Sentence:
    """A lead-in (``_lead_in``) with the lines of code or configuration it introduces when its
    passage holds them ("… use the apt-show-versions command:" alone tells the reader that
    something follows, not what): lines that open with a prompt or a comment mark, or hold no
    function word ("camlidl options file1.idl file2.idl ..."). Prose that follows is a sentence
    of its own: the sentence is then kept as it is. A sentence already extended is kept."""
    if not _lead_in(s) or _lead_in_end(s, evidence) != s.end:
        return s
    # The passage it stands in: one of the evidence's, or one retrieval read for its other
    # sentences (the sentence was found, its passage not ranked among the best).
    passage = next((p for p in [*evidence.passages, *evidence.context] if _holds(p, s) and s.end <= p.end), None)
    if passage is None:
        return s
    if s.text.rstrip().endswith(":") and (listed := _list_end(passage, s.end, s.start)) > s.end:
        return replace(s, text=passage.text[s.start - passage.start : listed - passage.start], end=listed)
    end, words, taken = s.end, 0, 0
    rest = passage.text[s.end - passage.start :]
    offset = s.end
    for line in rest.split("\n"):
        stripped = line.strip()
        if taken and not stripped:
            break  # the block ends at a blank line
        if stripped:
            if taken >= MAX_INTRODUCED_LINES or words + len(stripped.split()) > MAX_INTRODUCED_WORDS:
                break
            if not _introduced(stripped):
                break  # prose: a sentence of its own
            end, words, taken = offset + len(line.rstrip()), words + len(stripped.split()), taken + 1
        offset += len(line) + 1
    if not taken:
        return s
    return replace(s, text=passage.text[s.start - passage.start : end - passage.start], end=end)


def _list_end(passage: Passage, start: int, lead_in: int) -> int:
    """Where the list that follows ``start`` in ``passage`` ends: its whole items, as many as fit
    in MAX_LISTED_LINES and MAX_LISTED_WORDS; ``start`` when no list follows, or its first item
    alone does not fit. An item runs from its marker ("(a)", "1.", "-") to the next marker or an
    empty line; a paragraph indented past the lead-in (which starts at ``lead_in``: a licence's
    terms quoted under "the following license supersedes …:") is an item too."""
    text = passage.text
    line_start = text.rfind("\n", 0, lead_in - passage.start) + 1
    indent = len(text[line_start:]) - len(text[line_start:].lstrip(" "))
    end = item_end = offset = start
    lines = words = 0
    in_item = False
    for line in text[start - passage.start :].split("\n"):
        at, offset = offset, offset + len(line) + 1
        stripped = line.strip()
        if not stripped:
            in_item = False
            continue
        indented = len(line) - len(line.lstrip(" ")) >= indent + 4
        if _LIST_ITEM.match(line) or (indented and not in_item):
            end = item_end  # the items before are whole
            in_item = True
        elif not in_item:
            break  # prose after the list, or no list at all
        lines, words = lines + 1, words + len(stripped.split())
        if lines > MAX_LISTED_LINES or words > MAX_LISTED_WORDS:
            return end
        item_end = at + len(line.rstrip())
    return item_end


def _lead_in_end(s: Sentence, evidence: Evidence) -> int:
    """Where the sentence s starts with ends: s.end, unless s was extended with the lines its
    lead-in introduces."""
    return next((x.end for x in evidence.sentences if x.source == s.source and x.start == s.start), s.end)


def _with_stated_reasons(picks: list[_Pick], evidence: Evidence) -> list[_Pick]:
    """For "why": a chosen sentence that states what happened but not why ("The plan received
    a cold reception.") is followed by the next sentence when that one gives the reason."""
    out = []
    for pick in picks:
        out.append(pick)
        if _REASON.search(pick.main.text):
            continue
        following = next(
            (s for s in evidence.sentences
             if s.source == pick.main.source and s.previous == pick.main.text and _REASON.search(s.text)),
            None,
        )
        if following is not None and not any(following is p.main for p in picks):
            out.append(_Pick(following, pick.score))
    # Sentences of other documents that state an added reason are cited beside it.
    added = [p for p in out if all(p is not q for q in picks)]
    if added:
        used = {id(x) for p in out for x in [p.main, *p.same]}
        for s in evidence.sentences:
            if id(s) not in used:
                _merge_twin(added, s)
    return out


def _merge_near_repeat(picks: list[_Pick], s: Sentence) -> bool:
    """For a summary: a sentence that says nearly what a chosen one says adds nothing to read.
    From another document (a translation's wording too far from the original's to be a twin:
    "a channel of communication with the US military leadership" / "a closely guarded
    communications channel with America's top general") it is cited beside it, as a twin is."""
    for pick in picks:
        if float(pick.main.embedding @ s.embedding) < REDUNDANT_COSINE:
            continue
        if _cites_another_document(pick, s) and len(pick.same) < MAX_TWINS_CITED:
            pick.same.append(s)
        return True
    return False


def _merge_twin(picks: list[_Pick], s: Sentence) -> bool:
    """Cite s beside a chosen sentence of another document that states the same fact.

    At most MAX_TWINS_CITED such sentences are cited beside it, unless one disagrees with
    it: a manual's pages repeat their headings and boilerplate, and twelve citations of one
    line help no one, but a disagreement is always shown. A sentence repeated word for word
    elsewhere in the same document is the same sentence."""
    for pick in picks:
        if _cites_another_document(pick, s) and answer_material(s) and same_fact(pick.main, s):  # a heading states no fact
            if len(pick.same) < MAX_TWINS_CITED or slot_conflicts(pick.main.text, s.text):
                pick.same.append(s)
            return True
        if s.source == pick.main.source and (s.start == pick.main.start or _words(s.text) == _words(pick.main.text)):
            return True  # the same sentence, seen twice or repeated
    return False


def _cites_another_document(pick: _Pick, s: Sentence) -> bool:
    """Whether s would add a document to those the chosen sentence already cites."""
    return s.source != pick.main.source and all(s.source != o.source for o in pick.same)


def _words(text: str) -> str:
    return " ".join(text.lower().split())


def _reading_order(picks: list[_Pick]) -> list[_Pick]:
    """Chosen sentences as the documents read: the first document's in order, then the next's."""
    first_seen = {}
    for p in picks:
        first_seen.setdefault(p.main.source, len(first_seen))
    return sorted(picks, key=lambda p: (first_seen[p.main.source], p.main.start))


def _summary_material(s: Sentence) -> bool:
    """Prose: a sentence of some length that ends as sentences do (a headline, a caption
    credit or a heading does not), is not a question, and can be read on its own: one that
    opens by pointing back ("This can consist in a Debian mirror ...", "But ...") needs the
    sentence before it, which a summary may not show."""
    text = s.text.rstrip()
    return (
        len(text.split()) >= MIN_SUMMARY_WORDS and _SENTENCE_END.search(text) is not None
        and text != s.title.strip() and s.embedding is not None and not contents_line(text)
        and not points_back(text) and not _shouted(text) and not is_code_line(text)
    )


def _shouted(text: str) -> bool:
    """Mostly capitals: a credit line or a notice ("FOR EDITORIAL USE ONLY"), not prose."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) > 0 and sum(c.isupper() for c in letters) > 0.5 * len(letters)


def _positions(sentences: list[Sentence]) -> dict[int, float]:
    """Each sentence's place in its document, 0 (first) to 1 (last)."""
    out = {}
    by_source: dict[str, list[Sentence]] = {}
    for s in sentences:
        by_source.setdefault(s.source, []).append(s)
    for group in by_source.values():
        group.sort(key=lambda s: s.start)
        for i, s in enumerate(group):
            out[id(s)] = i / max(1, len(group) - 1)
    return out


def weighted_coverage(query_terms: set[str], text_terms: set[str], evidence: Evidence) -> float:
    """Share of the question's terms, weighted by rarity, that the text contains.

    A term the corpus never uses gets the highest weight: a question about something the
    documents never mention should find its key word missing.
    """
    weight = {t: evidence.idf.get(t, evidence.unseen_idf) for t in query_terms}
    total = sum(weight.values())
    return sum(w for t, w in weight.items() if t in text_terms) / total if total else 0.0


def sentence_features(query: Query, s: Sentence, evidence: Evidence, ranking: bool = False) -> dict[str, float]:
    """What the composer scores a candidate sentence by (see the module docstring).

    For a follow-up, the retrieval query also carries the earlier turn ("How much will the
    reconstruction cost? ... Who would it strengthen?"): the lexical score, and the dense one
    when ``ranking`` (not when judging confidence, which the whole query's meaning settles),
    then count what is asked now as much as the whole query, or the earlier turn would drown it.
    """
    question = query.text
    own_terms = term_set(s.text)
    query_terms = set(evidence.query_terms)
    lexical = weighted_coverage(query_terms, own_terms, evidence)
    if _question_terms(question) != query_terms:  # a follow-up: half for what is asked now
        lexical = (lexical + weighted_coverage(_question_terms(question), own_terms, evidence)) / 2
    dense = s.dense
    if ranking and evidence.asked_embedding is not None and s.embedding is not None:  # likewise in meaning
        dense = (dense + float(np.dot(s.embedding, evidence.asked_embedding))) / 2
    return {
        "dense": dense,
        "lexical": lexical,
        "context": weighted_coverage(query_terms, own_terms | term_set(s.previous), evidence),
        "cue": _cue(query, s.text),
        # "What is PreviSat?" and "PreviSat is free open source software to track …": MiniLM
        # put that sentence 22nd of 47, below every sentence that names PreviSat and more.
        # Its weight (WEIGHTS) was set by hand and checked on the tune halves (docs/measured.md).
        "defines": _defines(question, s.text),
    }


@lru_cache(maxsize=64)
def _question_terms(question: str) -> frozenset[str]:
    return frozenset(terms(question))


def _defines(question: str, sentence: str) -> float:
    """1 when the question asks what something is and the sentence says it."""
    term = defined_term(question)
    return 1.0 if term and defines(term, sentence) else 0.0


def _cue(query: Query, sentence: str) -> float:
    """1 when the sentence holds the kind of thing the question asks for."""
    question, intent = query.text, query.intent
    if intent.kind == WHY:
        return 1.0 if _REASON.search(sentence) else 0.0
    if intent.kind == HOW:
        return 1.0 if _MEANS.search(sentence) else 0.0
    if intent.kind == LIST:
        return 1.0 if _ENUMERATION.search(sentence) else 0.0
    for pattern, kind in _QUESTION_CUE:
        if pattern.search(question):
            found = set(_CUES[kind].findall(sentence)) - set(_CUES[kind].findall(question))
            return 1.0 if found else 0.0
    return 0.0


def disagreement_note(conflicts: list[Conflict]) -> str:
    """What an answer's text ends with when its sources disagree ("" when they do not)."""
    if not conflicts:
        return ""
    return "\n\nThe sources disagree: " + "; ".join(_describe(c) for c in conflicts) + "."


def conflicts_among(main: Sentence, others: list[Sentence], numbers: list[int], verifier: Optional[Any] = None) -> list[Conflict]:
    """What sentences that state one fact state differently (rag.conflicts.disagreement)."""
    found = []
    for other, number in zip(others, numbers[1:]):
        for c in disagreement(main.text, other.text, verifier):
            found.append(Conflict(c.kind, [ConflictVersion(c.first, numbers[0], main.source),
                                           ConflictVersion(c.second, number, other.source)]))
    return found


def _describe(c: Conflict) -> str:
    return " vs ".join(f'"{v.value}" [{v.citation}]' for v in c.versions)

