"""Hard negatives for the reading model: the training questions' wrong sentences that the
shipped model itself rates most likely, for a further round of training on its own mistakes.

    .venv/bin/python train/hard_negatives.py --pairs bench-data/reader/pairs-all.jsonl \\
        --questions 6000 --out bench-data/reader/pairs-hard.jsonl
    .venv/bin/python train/reader.py --epochs 1 --pairs bench-data/reader/pairs-hard.jsonl \\
        --out-dir bench-data/reader/run-hard --init rag/embed/reader-int8.onnx --lr 1e-5 \\
        --model bench-data/reader/run-hard/reader-int8.onnx

The model ships overconfident on near-misses (a sentence naming the asked-for kind of thing
without stating the answer) and underconfident on answers in other words. Every pair of the
sampled questions is scored with the model; kept are each question's answering sentences, its
``--hard`` wrong sentences rated highest and ``--easy`` others drawn at random (so the model
does not learn that every sentence it is shown is a near-miss). Only the training half of
``--pairs`` is sampled (``train/reader.py``'s split of it, same seed): no dev question is
mined, and the evaluation sets' test halves are never in these files.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "train"))

from rag.reader import MODEL_FILE, Candidate, Reader  # noqa: E402
from reader import load_pairs  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=Path, default=ROOT / "bench-data" / "reader" / "pairs-all.jsonl")
    parser.add_argument("--model", type=Path, default=MODEL_FILE, help="the model whose mistakes are mined")
    parser.add_argument("--questions", type=int, default=6000, help="questions sampled from the training half")
    parser.add_argument("--hard", type=int, default=3, help="wrong sentences rated highest, per question")
    parser.add_argument("--easy", type=int, default=1, help="other wrong sentences, per question, at random")
    parser.add_argument("--seed", type=int, default=7, help="train/reader.py's seed: the same dev half is left out")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-data" / "reader" / "pairs-hard.jsonl")
    args = parser.parse_args()

    train_rows, _ = load_pairs(args.pairs, 0.05, args.seed, set())
    by_question: dict[tuple[str, str], list[dict]] = {}
    for row in train_rows:
        by_question.setdefault((row["group"], row["q"]), []).append(row)
    rng = random.Random(args.seed)
    keys = sorted(by_question)
    chosen = rng.sample(keys, min(args.questions, len(keys)))
    model = Reader(args.model)
    kept, started, stats = [], time.time(), {"positives": 0, "hard": 0, "easy": 0, "hard_over_half": 0}
    for n, key in enumerate(chosen, 1):
        rows = by_question[key]
        probabilities = model.score(key[1], [Candidate(r["s"], r["prev"], r["title"]) for r in rows])
        positives = [r for r in rows if r["label"] == 1]
        negatives = sorted(((float(p), r) for p, r in zip(probabilities, rows) if r["label"] == 0), key=lambda x: -x[0])
        hard, rest = negatives[: args.hard], [r for _, r in negatives[args.hard:]]
        easy = rng.sample(rest, min(args.easy, len(rest)))
        kept += positives + [r for _, r in hard] + easy
        stats["positives"] += len(positives)
        stats["hard"] += len(hard)
        stats["easy"] += len(easy)
        stats["hard_over_half"] += sum(1 for p, _ in hard if p >= 0.5)
        if n % 500 == 0:
            print(f"{n}/{len(chosen)} questions scored, {time.time() - started:.0f} s", flush=True)
    rng.shuffle(kept)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w") as f:
        for row in kept:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(json.dumps({"questions": len(chosen), "pairs": len(kept), **stats, "seconds": round(time.time() - started)}))


if __name__ == "__main__":
    main()
