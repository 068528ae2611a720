"""How well the reading model alone tells answerable questions from unanswerable ones, threshold aside.

    RAG_READER_MODEL=<model.onnx> .venv/bin/python bench/reader_separation.py bench/clapnq-dev.json --split test

For each question of the set's half whose answer goes through the reader (not a summary or
a subject): the best probability among the sentences read, and whether the top-ranked one is
an expected sentence. AUC: the share of (answerable, unanswerable) couples whose answerable
question has the higher best probability (0.5: chance).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import rag.composers.extractive as extractive  # noqa: E402
from rag.engine import RAG  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("set", type=Path, help="a question set of bench/ with \"questions\" and \"docs\"")
    parser.add_argument("--split", default="test", choices=("tune", "test"))
    args = parser.parse_args()
    spec = json.loads(args.set.read_text())
    seen: dict = {}
    read = extractive.ExtractiveComposer.read

    def remembered(self, question, scored):
        seen["rows"] = read(self, question, scored)
        return seen["rows"]

    extractive.ExtractiveComposer.read = remembered
    with tempfile.TemporaryDirectory() as tmp:
        engine = RAG(docs_dir=(args.set.parent / spec["docs"]).resolve(), index_dir=Path(tmp) / "index")
        engine.ingest(show_progress=False)
        out = []
        for q in spec["questions"]:
            if q.get("split") != args.split:
                continue
            seen.clear()
            engine.ask(q["question"])
            if seen.get("rows") is None:
                continue  # answered without reading (a summary, a subject)
            rows = seen["rows"]
            expected = [" ".join(c.lower().split()) for c in q.get("cites", [])] + [a.lower() for a in q.get("answers", [])]
            top = " ".join(rows[0][2].text.lower().split()) if rows else ""
            out.append({"answerable": q["kind"] != "unanswerable", "best": max((p for _, p, _ in rows), default=0.0),
                        "top_hit": any(e in top for e in expected)})
    a = [r["best"] for r in out if r["answerable"]]
    u = [r["best"] for r in out if not r["answerable"]]
    auc = sum((x > y) + 0.5 * (x == y) for x in a for y in u) / max(1, len(a) * len(u))
    median = lambda xs: sorted(xs)[len(xs) // 2] if xs else 0.0  # noqa: E731
    hits = sum(r["top_hit"] for r in out if r["answerable"])
    print(f"{args.set.name} {args.split}: AUC {auc:.3f}; median best probability {median(a):.2f} answerable, "
          f"{median(u):.2f} unanswerable; top-ranked sentence expected for {hits}/{len(a)}")


if __name__ == "__main__":
    main()
