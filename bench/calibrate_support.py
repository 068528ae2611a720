"""Calibrate the support threshold that checks a model's answer sentences (rag/verify.py).

    .venv/bin/python bench/calibrate_support.py

On the seed articles, whose second one is a machine translation of the first: each
sentence of the translation, cited with its original (the best match in meaning), stands for
a claim its citation supports, written in other words; cited with another sentence of the
same story (the next closest one, and two from the middle), for a claim its citation
does not support. Prints the support scores of both
groups and how many of each a threshold lets through. Nothing here is tuned on a question.
"""

from __future__ import annotations

import numpy as np

from common import ROOT


def main() -> None:
    from rag.models import embedder
    from rag.text import sentence_spans
    from rag.verify import support

    def sentences(path):
        text = path.read_text(encoding="utf-8")
        return [text[s:e] for s, e in sentence_spans(text) if len(text[s:e].split()) >= 6]

    original = sentences(ROOT / "seeds" / "russia-seeks-us-help-rebuild-syria.txt")
    translated = sentences(ROOT / "seeds" / "russia-us-syria-reconstruction-translated.txt")
    model = embedder()
    A = model.encode(original)
    B = model.encode(translated)
    similarity = B @ A.T
    supported, unsupported = [], []
    for j, claim in enumerate(translated):
        order = np.argsort(-similarity[j])
        best = int(order[0])
        if similarity[j, best] < 0.75:
            continue  # the translation has no counterpart for it (the long photo caption)
        supported.append(support(claim, B[j], [original[best]], [A[best]]))
        # The next closest sentence of the story (the hardest case), and a few from the middle.
        for other in [order[1], *order[len(order) // 2 : len(order) // 2 + 2]]:
            unsupported.append(support(claim, B[j], [original[int(other)]], [A[int(other)]]))
    print(f"restatements (supported):  n={len(supported)}  min {min(supported):.2f}  median {np.median(supported):.2f}")
    print(f"other sentences (not):     n={len(unsupported)}  max {max(unsupported):.2f}  median {np.median(unsupported):.2f}")
    for threshold in (0.4, 0.45, 0.5, 0.55, 0.6):
        kept = np.mean(np.array(supported) >= threshold)
        let = np.mean(np.array(unsupported) >= threshold)
        print(f"threshold {threshold:.2f}: restatements kept {kept:.2f}, unsupported let through {let:.2f}")


if __name__ == "__main__":
    main()
