"""Folders and index contents shared by the tests of ingests (tests/test_resume.py) and of
server mode (tests/store/test_server_mode.py)."""

from __future__ import annotations

import json
import random
from pathlib import Path

from conftest import ROOT
from rag import RAG
from rag.store.chroma_rows import get_all

FIXTURE = ROOT / "tests" / "fixtures" / "squad-mini.json"


def write_folder(folder: Path, files: int = 12) -> Path:
    """``files`` documents, each the same real paragraphs (Wikipedia, via SQuAD) in its own order."""
    paragraphs = [p["context"] for a in json.loads(FIXTURE.read_text())["data"] for p in a["paragraphs"]]
    folder.mkdir(parents=True)
    for i in range(files):
        random.Random(i).shuffle(paragraphs)
        (folder / f"article-{i:02d}.txt").write_text(f"Article {i}\n\n" + "\n\n".join(paragraphs), encoding="utf-8")
    return folder


def index_contents(engine: RAG) -> dict[str, list]:
    """Per store, the (source, kind, start, end) of every node: what a clean ingest must equal."""
    out = {}
    rows = get_all(engine.passage_collection, ["metadatas"])
    out["passages"] = sorted((m["source"], m["kind"], m["start"], m["end"]) for m in rows["metadatas"])
    out["sentences"] = sorted((s.source, "sentence", s.start, s.end) for s in engine.sentence_store.all())
    return out
