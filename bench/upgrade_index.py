"""Open an index written by an older version and report what its upgrade cost.

    .venv/bin/python bench/upgrade_index.py INDEX_DIR

The first process to open an older index converts it in place (``rag.models``,
``rag.store.sentences``): this opens one, as any command would, and prints the time, the peak
memory and the sentence table's size on disk before and after. docs/measured.md's figures are for
the large real corpus of bench/real_corpus.py, as written before the present table layout.
"""

from __future__ import annotations

import argparse
import logging
import resource
import time
from pathlib import Path


def size_mb(folder: Path, pattern: str) -> float:
    return sum(p.stat().st_size for p in folder.glob(pattern)) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("index", type=Path)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    from rag import RAG

    before = size_mb(args.index, "sentences*.sqlite*")
    started = time.perf_counter()
    engine = RAG(docs_dir=args.index / "no-documents", index_dir=args.index)
    count = engine.sentence_store.count()  # opens the store, converting it if it is older
    seconds = time.perf_counter() - started
    after = size_mb(args.index, "sentences*.sqlite*")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{count:,} sentences; opened (and upgraded) in {seconds:.1f} s, peak RSS {peak:.0f} MB; "
          f"sentence table {before:,.0f} MB before, {after:,.0f} MB after ({after * 1e6 / max(count, 1):.0f} bytes a sentence)")


if __name__ == "__main__":
    main()
