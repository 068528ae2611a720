"""Reading whole collections: paged, so a large collection does not hit SQLite's variable limit."""

from __future__ import annotations

from rag.config import Settings
from rag.store.chroma_rows import get_all
from rag.store.chroma import open_passages


def test_get_all_returns_every_row_across_pages(tmp_path):
    passages = open_passages(Settings(index_dir=tmp_path))[1]
    ids = [f"p{i}" for i in range(23)]
    passages.add(ids=ids, embeddings=[[float(i), 1.0] for i in range(23)], documents=[f"text {i}" for i in range(23)])
    rows = get_all(passages, ["documents"], page=5)
    assert sorted(rows["ids"]) == sorted(ids)
    assert sorted(rows["documents"]) == sorted(f"text {i}" for i in range(23))
