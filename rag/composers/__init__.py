"""Composers: question + evidence -> a cited Answer (``base.py`` has the contract)."""

from __future__ import annotations

from typing import Any

from rag.composers.base import Composer, Query


def default_composer(settings: Any) -> Composer:
    """Extractive answers read by the shipped reading model; a model's, checked, when
    RAG_LLM_BASE_URL names a server. A missing model file is warned about, not fatal."""
    from rag.composers.extractive import ExtractiveComposer

    reader = None
    if settings.reader:
        from rag.reader import Reader

        reader = Reader.shipped()  # None, with a warning, if the model file is missing
    verifier = None
    if settings.verifier:
        from rag.verify import Verifier

        verifier = Verifier.shipped()  # None, with a warning, if the model file is missing
    extractive = ExtractiveComposer(
        abstain_threshold=settings.abstain_threshold,
        max_sentences=settings.max_answer_sentences,
        max_words=settings.max_answer_words,
        reader=reader, reader_threshold=settings.reader_threshold, reader_candidates=settings.reader_candidates,
        reader_first=settings.reader_first, reader_sure=settings.reader_sure,
        reader_keep_within=settings.reader_keep_within, reader_feature_weight=settings.reader_feature_weight,
        reader_confidence_share=settings.reader_confidence_share,
        reader_unstated_penalty=settings.reader_unstated_penalty,
        reader_missing_kind_penalty=settings.reader_missing_kind_penalty, verifier=verifier,
    )
    if not settings.llm_base_url:
        return extractive
    from rag.composers.llm import LLMComposer
    from rag.models import embedder

    return LLMComposer(settings, extractive, lambda texts: embedder().encode(texts))


__all__ = ["Composer", "Query", "default_composer"]
