"""Natural Questions asked by people, with the sentences that answer them: CLAPNQ's small files.

CLAPNQ (Rosenthal et al. 2024, https://github.com/primeqa/clapnq, Apache-2.0) takes Google
search queries from Natural Questions whose Wikipedia passage answers them only in a long
answer, and has annotators mark the passage's sentences that answer. Its questions were
written without the passage in view, so they share fewer of its words than SQuAD's (the
word overlap with the answering sentence is about half SQuAD's): the kind of question the
reading model misses. Of its files, those under 4 MiB can be had here:

- ``annotated_data/dev/clapnq_dev_answerable.jsonl``: 300 questions, each with its passage
  split into sentences and the sentences each annotator selected;
- ``annotated_data/dev/clapnq_dev_unanswerable.jsonl``: 300 questions whose passage, from
  the right article, does not answer them: on topic, unanswerable;
- ``retrieval/train/question_train_answerable.tsv``: the 1,954 train questions with their
  written answer (mostly the selected sentences, joined), but not the passage;
- ``retrieval/train/question_train_unanswerable.tsv``: the 1,791 unanswerable train questions,
  text only.

The dev questions alternate between a tune half (trained on: ``train/data.py --sources
clapnq``) and a test half (never trained on: ``bench/clapnq-dev.json``, asked by ``rag eval``
on a folder of all 600 dev passages, written here to ``bench-data/clapnq-passages``); a test
question on an article a tune question's passage comes from is in neither.

    git clone https://github.com/primeqa/clapnq /path/to/clapnq     # or: a mirror's git dir
    .venv/bin/python train/clapnq.py /path/to/clapnq
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.eval.squad import document_name  # noqa: E402
from rag.text import sentence_spans  # noqa: E402

OUT = ROOT / "bench-data" / "clapnq"
PASSAGES = ROOT / "bench-data" / "clapnq-passages"
EVAL_SET = ROOT / "bench" / "clapnq-dev.json"
DEV = ("annotated_data/dev/clapnq_dev_answerable.jsonl", "annotated_data/dev/clapnq_dev_unanswerable.jsonl")
TRAIN = ("retrieval/train/question_train_answerable.tsv", "retrieval/train/question_train_unanswerable.tsv")
SNIPPET_WORDS = 8  # an expected sentence is found in a citation by its first words


def _show(repo: Path, path: str) -> str:
    """A file of the clone at HEAD (a work tree or a bare mirror's git dir)."""
    done = subprocess.run(["git", "--git-dir", str(_git_dir(repo)), "show", f"HEAD:{path}"],
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{repo}: cannot read {path}: {done.stderr.strip()}")
    if done.stdout.startswith("version https://git-lfs"):
        raise SystemExit(f"{repo}: {path} is a Git LFS pointer, not the file")
    return done.stdout


def _git_dir(repo: Path) -> Path:
    return repo / ".git" if (repo / ".git").exists() else repo


# NQ's text comes tokenized ("Stills ' fellow members , including `` Love '' ."); people's
# documents are not, and the engine reads a line ending " ." as a PDF contents line.
_DETOKENIZE = (
    (re.compile(r"``\s*|\s*''"), '"'), (re.compile(r"\s+([.,;:!?%)\]])"), r"\1"), (re.compile(r"([(\[])\s+"), r"\1"),
    (re.compile(r"\s+('s|'re|'ve|'ll|'d|'m|n't)\b"), r"\1"), (re.compile(r"(\w)\s+'\s"), r"\1' "),
    (re.compile(r"\s+-\s+"), "-"), (re.compile(r"\s+--\s+"), " – "),
)


def detokenized(text: str) -> str:
    """Text as people write it.

    >>> print(detokenized("`` Love the One You 're With '' is a song , by Stills ' band ( 1970 ) ."))
    "Love the One You're With" is a song, by Stills' band (1970).
    """
    text = " ".join(text.split())
    for pattern, replacement in _DETOKENIZE:
        text = pattern.sub(replacement, text)
    return text


def split_of(question_id: str) -> str:
    """Questions alternate between the halves by their id's parity (ids are NQ's, random)."""
    return "tune" if int(question_id) % 2 == 0 else "test"


def dev_rows(repo: Path) -> list[dict]:
    """Each dev question: its passage's sentences, the ones every annotator selected
    (``answer``) and the ones only some did (``partly``: neither positive nor negative)."""
    rows = []
    for path in DEV:
        for line in _show(repo, path).splitlines():
            d = json.loads(line)
            passage = d["passages"][0]
            sentences = [detokenized(s) for s in passage["sentences"]]
            chosen = [{detokenized(s) for s in o["selected_sentences"]} for o in d["output"]]
            every = set.intersection(*chosen) if chosen else set()
            some = set.union(*chosen) if chosen else set()
            rows.append({
                "id": d["id"], "q": d["input"], "title": passage["title"], "sentences": sentences,
                "answer": [i for i, s in enumerate(sentences) if s in every],
                "partly": [i for i, s in enumerate(sentences) if s in some - every],
                "split": split_of(d["id"]),
            })
    # A test question on an article a tune question's passage comes from is in neither half:
    # the model would have read its sentences.
    trained = {r["title"] for r in rows if r["split"] == "tune"}
    for r in rows:
        if r["split"] == "test" and r["title"] in trained:
            r["split"] = "beside-tune"
    return rows


def train_rows(repo: Path) -> tuple[list[dict], list[dict]]:
    """The train questions: answerable ones with their answer's sentences and the Wikipedia
    page the passage came from (the doc id's first part), and the unanswerable ones."""
    answerable, unanswerable = [], []
    for path, into in zip(TRAIN, (answerable, unanswerable)):
        for r in csv.DictReader(io.StringIO(_show(repo, path)), delimiter="\t"):
            answer = detokenized(r.get("answers") or "")
            row = {"id": r["id"], "q": r["question"].strip(), "page": (r.get("doc-id-list") or "").split("_")[0]}
            if into is answerable:
                row["sentences"] = [answer[s:e] for s, e in sentence_spans(answer)]
                if not row["sentences"]:
                    continue
            into.append(row)
    return answerable, unanswerable


def passage_name(row: dict) -> str:
    """The passage's file: its title (shortened) and question id, as `rag eval` names articles."""
    return document_name(f"{row['title'][:60]}-{row['id'].lstrip('-')}")


def eval_set(rows: list[dict]) -> dict:
    """bench/clapnq-dev.json: every dev question, with its half; an answerable one is right
    when the answer cites a sentence every annotator selected."""
    questions = []
    for r in rows:
        q = {"question": r["q"], "split": r["split"], "id": r["id"]}
        if r["answer"]:
            q["kind"] = "passage"
            q["cites"] = [" ".join(r["sentences"][i].split()[:SNIPPET_WORDS]) for i in r["answer"]]
        elif r["partly"]:
            continue  # annotators disagreed on every sentence: neither kind
        else:
            q["kind"] = "unanswerable"
        questions.append(q)
    return {
        "about": "CLAPNQ dev questions (Natural Questions search queries; Rosenthal et al. 2024, Apache-2.0, "
                 "github.com/primeqa/clapnq), asked on all 600 dev passages: answerable ones with the "
                 "sentences every annotator selected, and on-topic unanswerable ones. Made by train/clapnq.py; "
                 "the tune half trains the reading model (train/data.py --sources clapnq), the test half never does.",
        "docs": "../bench-data/clapnq-passages",
        "questions": questions,
    }


def build(repo: Path, out: Path = OUT, passages: Path = PASSAGES, eval_path: Path = EVAL_SET) -> dict[str, int]:
    rows = dev_rows(repo)
    answerable, unanswerable = train_rows(repo)
    out.mkdir(parents=True, exist_ok=True)
    (out / "dev.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (out / "train-answerable.jsonl").write_text("".join(json.dumps(r) + "\n" for r in answerable))
    (out / "train-unanswerable.jsonl").write_text("".join(json.dumps(r) + "\n" for r in unanswerable))
    passages.mkdir(parents=True, exist_ok=True)
    for r in rows:
        (passages / passage_name(r)).write_text(r["title"] + "\n\n" + " ".join(r["sentences"]) + "\n", encoding="utf-8")
    eval_path.write_text(json.dumps(eval_set(rows), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return {"dev": len(rows), "train answerable": len(answerable), "train unanswerable": len(unanswerable)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path, help="a clone (or mirror git dir) of github.com/primeqa/clapnq")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    for name, n in build(args.repo, args.out).items():
        print(f"{name}: {n} questions")
    print(f"-> {args.out}, {PASSAGES}, {EVAL_SET}")


if __name__ == "__main__":
    main()
