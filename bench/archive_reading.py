"""What reading documents out of archives costs beside reading them from a folder: for each
folder given, the documents ``list_files`` finds (an archive's members among them) and the time
to list them and to read every one's bytes, best of three runs.

    .venv/bin/python bench/archive_reading.py DOCS_FOLDER [FOLDER_WITH_AN_ARCHIVE …]

Reading only: no parsing or embedding, which cost the same wherever a document's bytes came from.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from rag.ingest.sources import list_files


def main() -> None:
    for folder in sys.argv[1:]:
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            files, _ = list_files(Path(folder))
            listed = time.perf_counter()
            size = sum(len(path.read_bytes()) for _, path in files)
            runs.append((listed - started, time.perf_counter() - listed))
        print(f"{folder}: {len(files)} documents, {size / 1e6:.1f} MB, listed in {min(r[0] for r in runs):.3f} s, "
              f"read in {min(r[1] for r in runs):.3f} s")


if __name__ == "__main__":
    main()
