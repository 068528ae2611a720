"""Reading whole collections: paged, so a large collection does not hit SQLite's variable limit."""

from __future__ import annotations

from rag.config import Settings
from rag.chroma_rows import get_all
from rag.models import open_chroma


def test_get_all_returns_every_row_across_pages(tmp_path):
    passages = open_chroma(Settings(index_dir=tmp_path)).passages
    ids = [f"p{i}" for i in range(23)]
    passages.add(ids=ids, embeddings=[[float(i), 1.0] for i in range(23)], documents=[f"text {i}" for i in range(23)])
    rows = get_all(passages, ["documents"], page=5)
    assert sorted(rows["ids"]) == sorted(ids)
    assert sorted(rows["documents"]) == sorted(f"text {i}" for i in range(23))
