"""Damaged copies of real files: each read as the folder's reader would read it, counting what
came of it. A reader must refuse a damaged file saying so (``UnreadableDocument``) or read what
it can; any other exception is a bug, printed as "ERROR".

    .venv/bin/python bench/damaged_copies.py tests/fixtures/office-packages/*

150 copies of each file (``--copies``), a third cut short at a random byte, a third with eight
bits flipped, a third with up to 300 random bytes inserted; the same copies every run (seeded).
In-process, without the reader process's time and memory budget: ``bench/hostile.py`` measures
those.
"""

from __future__ import annotations

import argparse
import collections
import random
from pathlib import Path

from rag.readers import UnreadableDocument, read_document


def damaged(raw: bytes, n: int, rng: random.Random) -> bytes:
    copy = bytearray(raw)
    if n % 3 == 0:
        return bytes(copy[:rng.randrange(len(copy))])
    if n % 3 == 1:
        for _ in range(8):
            copy[rng.randrange(len(copy))] ^= 1 << rng.randrange(8)
        return bytes(copy)
    at = rng.randrange(len(copy))
    copy[at:at] = rng.randbytes(rng.randrange(1, 300))
    return bytes(copy)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--copies", type=int, default=150)
    args = parser.parse_args()
    rng = random.Random(7)
    outcomes: collections.Counter[str] = collections.Counter()
    for path in args.files:
        raw = path.read_bytes()
        for n in range(args.copies):
            try:
                read_document(path.name, damaged(raw, n, rng))
                outcomes["read"] += 1
            except UnreadableDocument as exc:
                outcomes["refused: " + str(exc)[:70]] += 1
            except Exception as exc:  # noqa: BLE001 - what this bench looks for
                outcomes[f"ERROR {type(exc).__name__}: {str(exc)[:100]}"] += 1
    for outcome, count in outcomes.most_common():
        print(f"{count:5d}  {outcome}")
    errors = sum(count for outcome, count in outcomes.items() if outcome.startswith("ERROR"))
    print(f"{sum(outcomes.values())} copies: {outcomes['read']} read, {errors} errors other than a refusal")


if __name__ == "__main__":
    main()
