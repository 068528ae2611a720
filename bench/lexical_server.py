"""BM25 in server mode: each replica rebuilding its own, or PostgreSQL's full-text search?

    .venv/bin/python bench/lexical_server.py [--max-pdfs 20] [--large 1800]

On the servers and the shared index of bench/replicas.py (run that first: it ingests), measures
both ways of the lexical half of retrieval:

- BM25 rebuilt by a replica (what server mode does, rag.retrieve.LexicalKeeper): the time to
  read every passage from the Chroma server and index it, the replica's memory for it, and
  a search's p50 over the real corpus's questions;
- PostgreSQL's full-text search: a table of the passages with a stored ``tsvector`` (English
  configuration) and a GIN index, filled from the same passages; the time to fill and index
  it, and a search's p50 (``websearch_to_tsquery``, ranked by ``ts_rank_cd``, best 20).

And how much the two agree: of BM25's best 20 passages for a question, the share PostgreSQL's
best 20 hold too. The floor, in the same run, is one question's embedding.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from common import ROOT, peak_rss_mb
from real_corpus import QUESTIONS
from replicas import DATA, corpus_folder, server_env, start_servers, stop_servers

FTS_TABLE = """
DROP TABLE IF EXISTS fts_passages;
CREATE TABLE fts_passages (
    id TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED
);
"""
SEARCH = """
SELECT id FROM fts_passages, websearch_to_tsquery('english', %s) q
WHERE tsv @@ q ORDER BY ts_rank_cd(tsv, q) DESC LIMIT 20
"""
# websearch_to_tsquery ANDs the words: a question's every word is rarely in one passage.
# Its words ORed (what BM25 does) is the fair comparison.
SEARCH_ANY = """
SELECT id FROM fts_passages, to_tsquery('english', %s) q
WHERE tsv @@ q ORDER BY ts_rank_cd(tsv, q) DESC LIMIT 20
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-pdfs", type=int, default=20)
    parser.add_argument("--large", type=int, metavar="PDFS")
    args = parser.parse_args()
    corpus = corpus_folder(args.max_pdfs, args.large)
    start_servers()
    try:
        results = measure(corpus)
    finally:
        stop_servers()
    out = ROOT / "bench-out" / f"lexical-server-{corpus.name}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


def measure(corpus) -> dict:
    import os
    import re

    import psycopg

    from rag import RAG
    from rag.config import Settings
    from rag.retrieve import LexicalIndex, is_current
    from rag.store.chroma_rows import get_all

    env = server_env(corpus, DATA / "lexical-bench")
    settings = Settings.from_env({k: v for k, v in env.items() if k.startswith("RAG_")})
    engine = RAG(settings=settings)
    storage = engine.storage
    versions = storage.manifest().versions()
    rss_before = peak_rss_mb()

    started = time.perf_counter()
    lexical = LexicalIndex.build(storage.passages, storage.lexical_dir, storage.generation(), keep=is_current(versions))
    bm25_build = time.perf_counter() - started
    bm25_rss = peak_rss_mb() - rss_before
    bm25_hits, bm25_times = {}, []
    for q in QUESTIONS * 3:
        t = time.perf_counter()
        hits = lexical.search(q, limit=20)
        bm25_times.append(time.perf_counter() - t)
        bm25_hits[q] = [h[0] for h in hits]

    with psycopg.connect(settings.database_url, autocommit=True) as db:
        db.execute("SET search_path TO " + storage.schema)
        started = time.perf_counter()
        db.execute(FTS_TABLE)
        got = get_all(storage.passages, ["documents", "metadatas"])
        rows = [(pid, text.replace("\x00", "")) for pid, text, meta in zip(got["ids"], got["documents"], got["metadatas"])
                if is_current(versions)(meta)]
        with db.cursor() as cursor:
            with cursor.copy("COPY fts_passages (id, text) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        db.execute("CREATE INDEX fts_passages_tsv ON fts_passages USING GIN (tsv)")
        db.execute("ANALYZE fts_passages")
        fts_build = time.perf_counter() - started
        fts_times, fts_all_times, overlap, overlap_all = [], [], [], []
        for q in QUESTIONS * 3:
            t = time.perf_counter()
            ids = [r[0] for r in db.execute(SEARCH, (q,)).fetchall()]
            fts_all_times.append(time.perf_counter() - t)
            words = " | ".join(re.findall(r"\w+", q))
            t = time.perf_counter()
            any_ids = [r[0] for r in db.execute(SEARCH_ANY, (words,)).fetchall()]
            fts_times.append(time.perf_counter() - t)
            best = set(bm25_hits[q])
            if best:
                overlap_all.append(len(best & set(ids)) / len(best))
                overlap.append(len(best & set(any_ids)) / len(best))
        table_mb = db.execute("SELECT pg_total_relation_size('fts_passages')").fetchone()[0] / 1e6
        db.execute("DROP TABLE fts_passages")

    retriever = engine.index.retriever()
    embeds = []
    for q in QUESTIONS * 3:
        t = time.perf_counter()
        retriever.embed_query(q)
        embeds.append(time.perf_counter() - t)
    floor = statistics.median(embeds)
    ms = lambda values: round(statistics.median(values) * 1000, 2)  # noqa: E731
    return {
        "corpus": corpus.name, "passages": len(rows), "cores": os.cpu_count(),
        "floor_embedding_p50_ms": round(floor * 1000, 2),
        "bm25": {"build_seconds": round(bm25_build, 1), "build_rss_growth_mb": round(bm25_rss),
                 "search_p50_ms": ms(bm25_times), "search_over_floor": round(statistics.median(bm25_times) / floor, 2)},
        "postgres_fts": {"build_seconds": round(fts_build, 1), "table_and_index_mb": round(table_mb),
                         "search_any_word_p50_ms": ms(fts_times), "search_any_word_over_floor": round(statistics.median(fts_times) / floor, 2),
                         "search_every_word_p50_ms": ms(fts_all_times),
                         "share_of_bm25_best_20_found_any_word": round(statistics.mean(overlap), 3),
                         "share_of_bm25_best_20_found_every_word": round(statistics.mean(overlap_all), 3)},
    }


if __name__ == "__main__":
    main()
