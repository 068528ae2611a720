"""Write bench/conflict-set.json: SQuAD paragraphs copied with one fact changed per copy.

    .venv/bin/python bench/make_conflict_set.py [--per-split 20] [--seed 0]

For a question whose gold answer is a name (capitalised words) or a number, the copy is the
article's title and that paragraph, with the answer in its sentence replaced by another
value of the same kind: another name that answers a question of the same article, or the
number changed (a year moved by a few years, other numbers scaled). `rag eval
bench/conflict-set.json` ingests the articles and the copies together and asks each question:
the answer must report both values as a disagreement, each cited. "unchanged" lists the
other questions on the copied paragraphs, whose sentences the copies repeat unchanged: their
answers must report no disagreement. Nothing here depends on the engine.
"""

from __future__ import annotations

import argparse
import json
import random
import re

from common import DEFAULT_DATASET, ROOT

_NAME = re.compile(r"^(?:[A-Z][\w.'-]*)(?: (?:of |de |von |van )?[A-Z][\w.'-]*){0,2}$")
_NUMBER = re.compile(r"^\$?\d{1,3}(?:,\d{3})*(?:\.\d+)?$|^\d+$")


def _kind(answer: str) -> str:
    if _NUMBER.match(answer):
        return "number"
    if _NAME.match(answer) and not answer.startswith("The "):
        return "name"
    return ""


def _changed_number(value: str, rng: random.Random) -> str:
    plain = value.replace(",", "").replace("$", "")
    number = float(plain)
    if "." not in plain and 1000 <= number <= 2100:  # a year
        new = int(number) + rng.choice([-7, -4, -3, 3, 4, 6])
    elif number < 10:
        new = int(number) + rng.choice([2, 3, 5])
    else:
        new = round(number * rng.choice([1.5, 2, 3, 0.5]))
    out = f"{int(new):,}" if "," in value else str(int(new))
    return ("$" if value.startswith("$") else "") + out


def _sentence_at(paragraph: str, start: int) -> str:
    from rag.text import sentence_spans

    for s, e in sentence_spans(paragraph):
        if s <= start < e:
            return paragraph[s:e]
    return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-split", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    from rag.eval.squad import split_titles

    data = json.loads(DEFAULT_DATASET.read_text())["data"]
    rng = random.Random(args.seed)
    items, unchanged = [], []
    for split in ("tune", "test"):
        titles = set(split_titles([a["title"] for a in data], split))
        candidates = []
        for article in data:
            if article["title"] not in titles:
                continue
            names = sorted({a["text"] for p in article["paragraphs"] for qa in p["qas"] for a in qa["answers"][:1]
                            if _kind(a["text"]) == "name"})
            for p in article["paragraphs"]:
                for qa in p["qas"]:
                    answer = qa["answers"][0]
                    kind = _kind(answer["text"])
                    sentence = _sentence_at(p["context"], answer["answer_start"])
                    if not kind or answer["text"] not in sentence or p["context"].count(sentence) != 1:
                        continue
                    candidates.append((article["title"], p, qa, answer["text"], kind, sentence, names))
        chosen, used_paragraphs = [], set()
        for cand in rng.sample(candidates, len(candidates)):
            title, p, qa, value, kind, sentence, names = cand
            if id(p) in used_paragraphs:
                continue  # one changed fact per copied paragraph
            if kind == "number":
                new = _changed_number(value, rng)
            else:
                pool = [n for n in names if len(n.split()) == len(value.split()) and n not in sentence and value not in n and n not in value]
                if not pool:
                    continue
                new = rng.choice(pool)
            used_paragraphs.add(id(p))
            changed = sentence.replace(value, new, 1)
            chosen.append({"split": split, "article": title, "id": qa["id"], "kind": kind, "value": value,
                           "changed_value": new, "title": title.replace("_", " "), "paragraph": p["context"],
                           "sentence": sentence, "changed_sentence": changed})
            for other in p["qas"]:
                other_sentence = _sentence_at(p["context"], other["answers"][0]["answer_start"])
                if other["id"] != qa["id"] and other_sentence and other_sentence != sentence:
                    unchanged.append(other["id"])
            if len(chosen) == args.per_split:
                break
        items += chosen
    out = {
        "about": "SQuAD v1.1 dev paragraphs (../shared/bench/squad-dev-tune.json, CC BY-SA 4.0) copied with one fact "
                 "changed per copy, written by bench/make_conflict_set.py. 'unchanged' lists questions on the copied "
                 "paragraphs' other sentences.",
        "dataset": "../../shared/bench/squad-dev-tune.json",
        "conflicts": items,
        "unchanged": sorted(set(unchanged)),
    }
    path = ROOT / "bench" / "conflict-set.json"
    path.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path}: {len(items)} changed facts, {len(out['unchanged'])} questions on unchanged sentences")


if __name__ == "__main__":
    main()
