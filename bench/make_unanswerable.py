"""On-topic unanswerable questions on the SQuAD articles, as SQuAD 2.0 makes them.

    .venv/bin/python bench/make_unanswerable.py     # writes the articles the set is asked on
    .venv/bin/rag eval bench/squad-unanswerable.json --split test
    .venv/bin/python bench/make_unanswerable.py --questions   # makes the questions again (changes the set)

Each sampled SQuAD question is kept as it is (kind "fact", its gold answers) and asked again
with one of its names or numbers replaced by another that its article uses but the
sentence holding the answer does not ("Who hired Tesla in New York?" -> "... in Budapest?"):
kind "unanswerable". The article discusses the subject, yet no sentence answers the changed
question. The swap is made by rule, so a few changed questions may still be answered
somewhere else in the article; the figures are a floor for the abstention rate.

The articles go to ``bench-data/squad-articles/`` (the set's documents folder: a fresh machine
needs them, and ``bench/run_evals.sh`` writes them); the committed questions are rewritten only
with ``--questions``: made again on another machine, the swaps came out otherwise (a third of
the swapped questions changed, 2026-12-06), and figures on two sets do not compare. The split
follows ``rag.eval.squad.split_titles`` (tune and test articles alternate), so the test half
is on articles the reading model never saw in training.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "train"))

from data import SQUAD, flat, sentences_of, swapped  # noqa: E402

from rag.eval.squad import Dataset, document_name, split_titles  # noqa: E402

PER_ARTICLE = 25
OUT = ROOT / "bench" / "squad-unanswerable.json"
DOCS = ROOT / "bench-data" / "squad-articles"


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", action="store_true", help=f"make the questions again into {OUT.name}")
    args = parser.parse_args()
    rng = random.Random(2026)
    data = json.loads(SQUAD.read_text())["data"]
    titles = [a["title"] for a in data]
    tune = set(split_titles(titles, "tune"))
    dataset = Dataset.load(SQUAD)
    DOCS.mkdir(parents=True, exist_ok=True)
    for title in titles:
        (DOCS / document_name(title)).write_text(dataset.articles[title], encoding="utf-8")
    if not args.questions:
        print(f"{DOCS}: {len(titles)} articles ({OUT.name} kept as committed; --questions makes it again)")
        return
    questions = []
    for article in data:
        doc = [(flat(s), "") for p in article["paragraphs"] for _, _, s in sentences_of(p["context"])]
        qas = [(p, qa) for p in article["paragraphs"] for qa in p["qas"]]
        rng.shuffle(qas)
        made = 0
        for para, qa in qas:
            if made == PER_ARTICLE:
                break
            start = qa["answers"][0]["answer_start"]
            hit = next((s for a, b, s in sentences_of(para["context"]) if a <= start < b), None)
            changed = hit and swapped(qa["question"], doc, hit, rng)
            if not changed:
                continue
            split = "tune" if article["title"] in tune else "test"
            answers = sorted({a["text"] for a in qa["answers"]})
            questions.append({"question": qa["question"], "kind": "fact", "answers": answers, "split": split})
            questions.append({"question": changed, "kind": "unanswerable", "original": qa["question"], "split": split})
            made += 1
    spec = {
        "about": "SQuAD v1.1 dev questions (CC BY-SA 4.0) and the same questions with a name or number swapped by "
                 "bench/make_unanswerable.py: on-topic, unanswerable. Made by rule, not checked by hand.",
        "docs": "../bench-data/squad-articles",
        "questions": questions,
    }
    OUT.write_text(json.dumps(spec, indent=1, ensure_ascii=False) + "\n")
    print(f"{OUT}: {len(questions) // 2} pairs")


if __name__ == "__main__":
    main()
