"""Numbers written in words or with a scale, where two sources are compared (rag/conflicts.py).

    .venv/bin/python bench/number_words.py

Made from the *test* SQuAD articles (Wikipedia, CC BY-SA 4.0): every sentence holding a number
in words ("nine", "twenty-three") or a number with a scale ("5.6 million"). Each is compared
with two copies of itself:

- changed: the number replaced by another one in words ("nine" -> "eleven", "5.6 million" ->
  "7.6 million"): a disagreement should be found;
- restated: the same number written another way ("nine" -> "9", "5.6 million" -> "5,600,000"):
  no disagreement should be found.

Prints the share of each found by ``rag.conflicts.slot_conflicts`` (the comparison without the
support model).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.conflicts import slot_conflicts  # noqa: E402
from rag.eval.squad import split_titles  # noqa: E402
from rag.text import sentence_spans  # noqa: E402

SQUAD = ROOT.parent / "shared" / "bench" / "squad-dev-tune.json"
WORDS = "two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty".split()
_WORD = re.compile(rf"\b({'|'.join(WORDS)})\b", re.I)
_SCALED = re.compile(r"\b(\d+(?:\.\d+)?) (million|billion|thousand)\b")
_MULTIPLIER = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}


def cases(sentence: str) -> list[tuple[str, str, str]]:
    """(kind, changed copy, restated copy) for the sentence's first number in words or with a scale."""
    out = []
    if m := _WORD.search(sentence):
        word = m.group(1)
        other = WORDS[(WORDS.index(word.lower()) + 3) % len(WORDS)]
        other = other.capitalize() if word[0].isupper() else other
        digits = {w: str(n) for w, n in zip(WORDS, [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 20, 30, 40, 50])}[word.lower()]
        out.append(("in words", _swap(sentence, m, other), _swap(sentence, m, digits)))
    if m := _SCALED.search(sentence):
        number, scale = m.group(1), m.group(2)
        changed = f"{float(number) + 2:g} {scale}"
        restated = f"{round(float(number) * _MULTIPLIER[scale]):,}"
        out.append(("with a scale", _swap(sentence, m, changed), _swap(sentence, m, restated)))
    return out


def _swap(text: str, m: re.Match, new: str) -> str:
    return text[: m.start()] + new + text[m.end():]


def main() -> None:
    data = json.loads(SQUAD.read_text())["data"]
    test = set(split_titles([a["title"] for a in data], "test"))
    counts: dict[str, list[int]] = {}
    for article in (a for a in data if a["title"] in test):
        for para in article["paragraphs"]:
            text = para["context"]
            for start, end in sentence_spans(text):
                sentence = " ".join(text[start:end].split())
                for kind, changed, restated in cases(sentence):
                    row = counts.setdefault(kind, [0, 0, 0])
                    row[0] += 1
                    row[1] += bool(slot_conflicts(sentence, changed))
                    row[2] += bool(slot_conflicts(sentence, restated))
    print("kind          sentences  changed found  restated flagged (should be 0)")
    for kind, (n, found, spurious) in counts.items():
        print(f"{kind:13s} {n:9d}  {found / n:13.3f}  {spurious / n:.3f}")


if __name__ == "__main__":
    main()
