r"""Extracted text -> passage and sentence nodes with exact character offsets, in bounded groups.

A document is cut into segments (its sections, and long stretches in pieces of about
``SEGMENT_CHARS`` characters at a paragraph or line break); llama-index's
``SentenceSplitter`` cuts each segment into passages of about ``chunk_size`` tokens that
keep their offsets, and every sentence (``rag.text.sentence_spans``) becomes a node of its
own, attached to the first passage its start falls in. Nodes come out ``GROUP_PASSAGES``
passages at a time, so a file of any size is embedded and stored without holding all of
its nodes.

>>> from rag.config import Settings
>>> from rag.readers import read_document
>>> doc = read_document("a.md", b"# Tides\n\nThe tide rose. The boats lifted.\n")
>>> [n.text for g in Splitter(Settings()).groups(doc, "a.md", "a.md@1") for n in g.nodes]
['Tides\n\nThe tide rose. The boats lifted.', 'The tide rose.', 'The boats lifted.']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator, Optional

from rag.config import Settings
from rag.readers import ExtractedText
from rag.text import DATE_LINE, TITLE_BLOCK_LINE_WORDS, TITLE_BLOCK_LINES, is_fragment, line_words, sentence_spans, title_block
from rag.types import sentence_id

# A file is split a segment at a time: sections (Markdown, HTML and Word headings) and, in
# long stretches, pieces of about this many characters cut at a paragraph or line break.
# This keeps splitting linear in the file's size (llama-index hashes the whole parent text
# for every node it cuts from it).
SEGMENT_CHARS = 20_000
# A section shorter than this joins the sections after it in one segment: a file of thousands
# of one-line sections would otherwise make a passage (an embedding) of each, many times the
# passages the same amount of prose makes. Each node still names the heading it starts under.
MIN_SEGMENT_CHARS = 200
# Passages embedded and stored together, with their sentences: bounds memory per file.
GROUP_PASSAGES = 64
_NUMBERED_HEADING = re.compile(r"^\d+(?:\.\d+)*\.?\s+\S")  # "1 Overview": the body begins


@dataclass
class Group:
    """Nodes of one group of passages, ready to embed: passages first, then their sentences."""

    nodes: list[Any]
    passages: int
    sentences: int


def segments(doc: ExtractedText) -> Iterator[tuple[int, int]]:
    r"""(start, end) of the pieces a document is split in, in order: its sections, short ones
    joined to the next, long ones cut at about ``SEGMENT_CHARS``.

    >>> doc = ExtractedText("# A\nx\n# B\n" + "y" * 300, "", sections=[(0, "A"), (6, "B")])
    >>> list(segments(doc))
    [(0, 310)]
    """
    bounds = sorted({0, len(doc.text), *(s for s, _ in doc.sections if 0 < s < len(doc.text))})
    start = 0
    for end in bounds[1:]:
        if end - start < MIN_SEGMENT_CHARS and end < len(doc.text):
            continue
        while end - start > SEGMENT_CHARS:
            cut = _cut(doc.text, start, start + SEGMENT_CHARS)
            yield start, cut
            start = cut
        yield start, end
        start = end


def _cut(text: str, start: int, limit: int) -> int:
    """Where to end a piece of ``text[start:limit]``: after its last paragraph break, else
    line break, else space, in its second half; at ``limit`` if there is none."""
    for separator in ("\n\n", "\n", " "):
        at = text.rfind(separator, start + (limit - start) // 2, limit)
        if at >= 0:
            return at + len(separator)
    return limit


class Splitter:
    """One document version -> groups of passage and sentence nodes with exact offsets."""

    def __init__(self, settings: Settings):
        from llama_index.core.node_parser import SentenceSplitter
        from llama_index.core.node_parser.text.utils import split_by_sentence_tokenizer_internal
        from nltk.tokenize import PunktSentenceTokenizer

        # The sentence cut llama-index uses by default (an untrained Punkt, which needs no
        # data), made here: its own goes through a helper that looks for NLTK's stopwords
        # under $NLTK_DATA when that is set, tries to download them, and without them failed
        # every document (a user's NLTK_DATA that lacks them is common).
        punkt = PunktSentenceTokenizer()
        self.splitter = SentenceSplitter(
            chunk_size=settings.chunk_size,
            chunk_overlap=settings.chunk_overlap,
            include_metadata=False,
            include_prev_next_rel=False,  # ids are renumbered per file below
            chunking_tokenizer_fn=lambda text: split_by_sentence_tokenizer_internal(text, punkt),
        )

    def groups(self, doc: ExtractedText, source: str, version: str) -> Iterator[Group]:
        from llama_index.core import Document
        from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

        text, base = doc.text, {"source": source, "title": doc.title}
        owner = RelatedNodeInfo(node_id=version)  # llama-index's ref_doc_id: deletes go by version
        nodes: list[Any] = []
        n_passages = n_sentences = 0
        previous_sentence = ""
        # The document's leading short-lined spans with their passages, held while no longer
        # sentence has come (None after): one sentence if title_block() says they are a
        # title block. A short first passage ("… All rights reserved.") may end within it.
        front: Optional[list[tuple[int, int, Any]]] = []

        def sentence_node(passage: Any, s_start: int, s_end: int, previous: str) -> Any:
            meta = _metadata(
                base, doc, kind="sentence", start=s_start, end=s_end, passage_id=passage.id_,
                # The sentence before gives context: "He was hired by ..." names no one.
                previous=previous[:1000],
            )
            return TextNode(id_=sentence_id(passage.id_, n_sentences), text=text[s_start:s_end], metadata=meta,
                            relationships={NodeRelationship.SOURCE: owner})

        def add_sentence(passage: Any, s_start: int, s_end: int) -> None:
            nonlocal previous_sentence, n_sentences
            if not is_fragment(text[s_start:s_end]):
                nodes.append(sentence_node(passage, s_start, s_end, previous_sentence))
                n_sentences += 1
            # A heading, a code line, a table cell is never an answer, so not a sentence node
            # (in manuals they are over 40% of all lines); it stays in its passage and still
            # gives the next sentence context.
            previous_sentence = text[s_start:s_end]

        def end_front() -> None:
            """The front held so far: one sentence (of the passage it starts in) if it is a
            title block, else its sentences one by one, as any others."""
            nonlocal front, previous_sentence, n_sentences
            held, front = front or [], None
            if held and title_block(_lines(text, held)):
                nodes.append(sentence_node(held[0][2], held[0][0], held[-1][1], ""))
                n_sentences += 1
                previous_sentence = text[held[-1][0] : held[-1][1]]
                return
            for s_start, s_end, passage in held:
                add_sentence(passage, s_start, s_end)

        for seg_start, seg_end in segments(doc):
            if not text[seg_start:seg_end].strip():
                continue
            segment = Document(id_=version, text=text[seg_start:seg_end])
            passages = [p for p in self.splitter.get_nodes_from_documents([segment]) if p.start_char_idx is not None]
            spans = sentence_spans(text, seg_start, seg_end)
            next_sentence = 0
            for passage in passages:
                start, end = seg_start + passage.start_char_idx, seg_start + passage.end_char_idx
                passage.id_ = f"{version}#p{n_passages}"
                passage.relationships = {NodeRelationship.SOURCE: owner}
                passage.metadata = _metadata(base, doc, kind="passage", start=start, end=end)
                nodes.append(passage)
                n_passages += 1
                passage.metadata["first_sentence"] = n_sentences
                # Each sentence belongs to the first passage its start falls in (passages
                # overlap); it keeps its full extent even if the passage cuts it short.
                while next_sentence < len(spans) and spans[next_sentence][0] < end:
                    s_start, s_end = spans[next_sentence]
                    next_sentence += 1
                    if front is not None and _front_line(text[s_start:s_end]) and (
                            len(_lines(text, front + [(s_start, s_end, passage)])) <= TITLE_BLOCK_LINES[1]) and (
                            not front or doc.page_at(s_start) == doc.page_at(front[0][0])):  # a title page or slide ends it
                        front.append((s_start, s_end, passage))  # held until the front ends
                        continue
                    if front is not None:
                        end_front()  # a longer sentence, a numbered heading or a ninth line ends it
                    add_sentence(passage, s_start, s_end)
                passage.metadata["sentence_count"] = n_sentences - passage.metadata["first_sentence"]
                if n_passages % GROUP_PASSAGES == 0 and front is None:
                    yield _group(nodes)
                    nodes = []
        if front is not None:
            end_front()  # a document of short lines only
        if nodes:
            yield _group(nodes)


def _lines(text: str, spans: list[tuple[int, int, Any]]) -> list[str]:
    return [line for start, end, _ in spans for line in text[start:end].splitlines() if line.strip()]


def _front_line(span: str) -> bool:
    """Whether a span can belong to a title block: short lines, statements or not ("User's
    Guide for the amsmath Package (Version 2.1)", "© Copyright 2020-2022, LATEX Project
    Team."), and not the body's first numbered heading ("1 Overview"; "15 February 2006" is a date)."""
    return (DATE_LINE.search(span) or not _NUMBERED_HEADING.match(span)) and all(
        line_words(line) <= TITLE_BLOCK_LINE_WORDS for line in span.splitlines())


def _metadata(base: dict, doc: ExtractedText, **fields: Any) -> dict:
    meta = {**base, **fields}
    page, section = doc.page_at(fields["start"]), doc.section_at(fields["start"])
    if page is not None:
        meta["page"] = page
    if section:
        meta["section"] = section[:300]
    return meta


def _group(nodes: list[Any]) -> Group:
    for node in nodes:
        # Metadata is for citing, not for meaning: keep it out of the embedded text.
        node.excluded_embed_metadata_keys = list(node.metadata)
        node.excluded_llm_metadata_keys = list(node.metadata)
    passages = sum(1 for n in nodes if n.metadata["kind"] == "passage")
    return Group(nodes, passages, len(nodes) - passages)
