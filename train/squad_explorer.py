"""SQuAD questions beyond ../shared/bench: the public SQuAD explorer's article pages.

SQuAD's JSON files are too large to fetch here, but the explorer site
(https://github.com/rajpurkar/SQuAD-explorer, the pages of https://rajpurkar.github.io/SQuAD-explorer/)
holds one HTML page per article, with each paragraph and its crowd-written questions:

- ``train-v1.0``: the 443 articles of SQuAD's *train* split (commit 13f82e35 of the
  repository, ``explore/1.0/train/``): about 87,000 questions with their answers;
- ``dev-v2.0``: the 35 articles of SQuAD 2.0's dev split (branch ``gh-pages``,
  ``explore/v2.0/dev/``), whose questions include about 5,900 that the paragraph does *not*
  answer, written by people to look answerable (Rajpurkar et al. 2018): the on-topic
  unanswerable kind the reading model must abstain on.

Neither overlaps what the project measures on: the 13 articles of
``../shared/bench/squad-dev-tune.json`` are SQuAD v1.1 dev articles not in SQuAD 2.0's dev
split, and train articles are not dev articles. Licence: CC BY-SA 4.0 (Rajpurkar et al. 2016, 2018).

    git clone https://github.com/rajpurkar/SQuAD-explorer /path/to/SQuAD-explorer
    .venv/bin/python train/squad_explorer.py /path/to/SQuAD-explorer   # bench-data/squad-explorer/*.json

The pages are read straight from the clone's git objects (no checkout of an old commit
needed); the output is SQuAD's JSON layout, with ``is_impossible`` on SQuAD 2.0 questions and
``answer_start`` the answer's first occurrence in its paragraph (as in ``squad-dev-tune.json``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench-data" / "squad-explorer"
# (name, git revision, folder of article pages)
SPLITS = (
    ("train-v1.0", "13f82e35b9a1fb9173f863b35f5675030646571e", "explore/1.0/train"),
    ("dev-v2.0", "gh-pages", "explore/v2.0/dev"),
)


def _git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True).stdout


def article(html: str, title: str) -> dict:
    """One explorer page as a SQuAD article."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    paragraphs = []
    for k, wrap in enumerate(soup.select("div.para-wrap")):
        pre = wrap.find("pre")
        if pre is None:
            continue
        context = pre.get_text()
        qas = []
        for j, qa in enumerate(wrap.select("div.qa-wrap")):
            question = qa.select_one("strong.question")
            if question is None:
                continue
            impossible = qa.select_one("span.no-answer") is not None
            answers = []
            for span in qa.select("span.answer"):
                text = span.get_text().strip()
                at = context.find(text)
                if text and at >= 0:
                    answers.append({"text": text, "answer_start": at})
            if not impossible and not answers:
                continue  # an answer the page does not quote as the paragraph has it
            qas.append({"id": qa.get("data-id") or f"{title}:{k}:{j}", "question": question.get_text().strip(),
                        "answers": answers[:1], "is_impossible": impossible})
        paragraphs.append({"context": context, "qas": qas})
    return {"title": title, "paragraphs": paragraphs}


def build(repo: Path, out: Path = OUT) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, revision, folder in SPLITS:
        target = out / f"{name}.json"
        if not target.exists():
            paths = [p for p in _git(repo, "ls-tree", "--name-only", f"{revision}:{folder}").decode().split("\n")
                     if p.endswith(".html") and p != "index.html"]
            data = []
            for i, page in enumerate(sorted(paths)):
                html = _git(repo, "show", f"{revision}:{folder}/{page}").decode("utf-8")
                data.append(article(html, page[: -len(".html")]))
                print(f"\r{name}: {i + 1}/{len(paths)} articles", end="", file=sys.stderr)
            print(file=sys.stderr)
            target.write_text(json.dumps({"version": name, "data": data}))
        written[name] = target
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path, help="a clone (or mirror) of github.com/rajpurkar/SQuAD-explorer")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    for name, path in build(args.repo, args.out).items():
        data = json.loads(path.read_text())["data"]
        qas = [qa for a in data for p in a["paragraphs"] for qa in p["qas"]]
        impossible = sum(qa["is_impossible"] for qa in qas)
        print(f"{name}: {len(data)} articles, {len(qas)} questions ({impossible} unanswerable) -> {path}")


if __name__ == "__main__":
    main()
