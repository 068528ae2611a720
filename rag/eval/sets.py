"""``rag eval`` on the project's own question sets (bench/), besides SQuAD (rag/eval/squad.py).

The file's shape says which set it is:

- reader questions (``"questions"``, bench/seed-questions.json): questions on a folder of
  documents as people ask them: facts in their own words, "why", "how", lists, summaries,
  subjects, and questions on the subject the documents do not answer;
- lay rewrites (``"rewrites"``, bench/lay-squad.json): SQuAD questions reworded by hand,
  asked beside the originals on the same index, to measure how much answers depend on the
  question sharing the documents' words;
- a conflict set (``"conflicts"``, bench/conflict-set.json): SQuAD paragraphs copied with one
  fact changed, ingested beside the originals; the answer must show both values, each cited.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any, Optional

from rag.errors import RagError
from rag.eval.squad import Dataset, contains_answer, document_name, normalize, run_eval, run_followups

ANSWERABLE_KINDS = ("fact", "why", "how", "list", "summary", "about", "passage")
MIN_SUMMARY_CITES = 3  # a summary passes when it cites this many of the expected sentences
MIN_ABOUT_CITES = 2


def load_set(path: Path) -> dict[str, Any]:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RagError(f"{path} is not a readable JSON file: {exc}") from None


def set_kind(spec: Any) -> str:
    """"questions", "rewrites", "conflicts" (see RUNNERS), or "" for anything else (SQuAD)."""
    return next((key for key in RUNNERS if isinstance(spec, dict) and key in spec), "")


def _engine(docs: Path, index: Path, **options: Any) -> Any:
    from rag.engine import RAG

    engine = RAG(docs_dir=docs, index_dir=index, **options)
    engine.ingest(show_progress=False)
    engine.ask("warm-up question")
    return engine


def _article_folder(tmp: Path, data: Dataset, titles: list[str]) -> Path:
    """A documents folder holding these SQuAD articles, one file each, as `rag eval` writes them."""
    docs = tmp / "docs"
    docs.mkdir()
    for title in titles:
        (docs / document_name(title)).write_text(data.articles[title], encoding="utf-8")
    return docs


def _timed_ask(engine: Any, question: str) -> tuple[Any, float]:
    started = time.perf_counter()
    answer = engine.ask(question)
    return answer, (time.perf_counter() - started) * 1000


def _squashed(text: str) -> str:
    return " ".join(text.lower().split())


def _cited(answer: Any, snippets: list[str]) -> int:
    """How many of the expected sentences (given by a snippet of each) the answer cites."""
    quotes = [_squashed(c.quote) for c in answer.citations]
    return sum(1 for s in snippets if any(_squashed(s) in q for q in quotes))


def judge_reader_question(q: dict[str, Any], answer: Any) -> dict[str, Any]:
    """Whether the answer is right, by the question's kind (see bench/seed-questions.json)."""
    kind = q["kind"]
    row = {"question": q["question"], "kind": kind, "split": q.get("split", ""), "abstained": answer.abstained,
           "confidence": answer.confidence, "answer": answer.text}
    if kind == "unanswerable":
        row["right"] = answer.abstained
        return row
    text_hit = not answer.abstained and contains_answer(answer.text, q.get("answers", []))
    if q.get("answers_all"):
        text_hit = not answer.abstained and all(contains_answer(answer.text, [a]) for a in q["answers_all"])
    cites = q.get("cites", [])
    cited = _cited(answer, cites) if not answer.abstained else 0
    if kind == "summary":
        sources = {c.source for c in answer.citations}
        row["right"] = cited >= min(MIN_SUMMARY_CITES, len(cites)) and len(sources) >= 2
    elif kind == "about":
        row["right"] = cited >= min(MIN_ABOUT_CITES, len(cites))
    elif kind in ("why", "how"):
        row["right"] = text_hit or cited >= 1
    elif kind == "passage":  # answered by any of its expected sentences (bench/clapnq-dev.json)
        row["right"] = cited >= 1
    else:
        row["right"] = text_hit
    row["cited_expected"] = cited
    return row


def run_reader_questions(path: Path, spec: dict[str, Any], split: str = "all") -> tuple[dict[str, float], list[dict]]:
    docs = (Path(path).parent / spec.get("docs", "../seeds")).resolve()
    if not docs.is_dir():
        raise RagError(f"{path}: its documents folder {docs} does not exist")
    questions = [q for q in spec["questions"] if split == "all" or q.get("split") == split]
    with tempfile.TemporaryDirectory(prefix="rag-reader-eval-") as tmp:
        engine = _engine(docs, Path(tmp) / "index")
        rows, latencies = [], []
        for q in questions:
            answer, ms = _timed_ask(engine, q["question"])
            latencies.append(ms)
            rows.append(judge_reader_question(q, answer))
    answerable = [r for r in rows if r["kind"] != "unanswerable"]
    unanswerable = [r for r in rows if r["kind"] == "unanswerable"]
    m: dict[str, float] = {
        "questions": float(len(rows)),
        "gold_in_answer": _share(r["right"] for r in answerable),
        "answerable_wrongly_abstained": _share(r["abstained"] for r in answerable),
        "on_topic_unanswerable_abstained": _share(r["abstained"] for r in unanswerable),
    }
    for kind in ANSWERABLE_KINDS:
        of_kind = [r for r in answerable if r["kind"] == kind]
        if of_kind:
            m[f"right_{kind}"] = _share(r["right"] for r in of_kind)
    m["latency_p50_ms"] = statistics.median(latencies) if latencies else 0.0
    return m, rows


def run_rewrites(path: Path, spec: dict[str, Any], split: str = "all") -> tuple[dict[str, float], list[dict]]:
    """Each reworded question and its original, asked on one index of their articles."""
    data = Dataset.load((Path(path).parent / spec["dataset"]).resolve())
    by_id = {q.id: q for q in data.questions}
    rewrites = [r for r in spec["rewrites"] if (split == "all" or r.get("split") == split) and r["id"] in by_id]
    titles = sorted({by_id[r["id"]].article for r in rewrites})
    rows = []
    with tempfile.TemporaryDirectory(prefix="rag-rewrite-eval-") as tmp:
        docs = _article_folder(Path(tmp), data, titles)
        engine = _engine(docs, Path(tmp) / "index", top_k=10)
        for r in rewrites:
            gold = by_id[r["id"]]
            original, _ = _timed_ask(engine, gold.question)
            reworded, ms = _timed_ask(engine, r["question"])
            rows.append({
                "id": r["id"], "original": gold.question, "question": r["question"], "latency_ms": ms,
                "original_hit": not original.abstained and contains_answer(original.text, gold.answers),
                "reworded_hit": not reworded.abstained and contains_answer(reworded.text, gold.answers),
                "original_abstained": original.abstained, "reworded_abstained": reworded.abstained,
                "original_confidence": original.confidence, "reworded_confidence": reworded.confidence,
            })
    m = {
        "questions": float(len(rows)),
        "answer_in_text_original": _share(r["original_hit"] for r in rows),
        "answer_in_text_reworded": _share(r["reworded_hit"] for r in rows),
        "wrongly_abstained_original": _share(r["original_abstained"] for r in rows),
        "wrongly_abstained_reworded": _share(r["reworded_abstained"] for r in rows),
    }
    m["reworded_minus_original"] = m["answer_in_text_reworded"] - m["answer_in_text_original"]
    return m, rows


def run_conflicts(path: Path, spec: dict[str, Any], split: str = "all") -> tuple[dict[str, float], list[dict]]:
    """Originals plus one edited copy per changed fact. A changed fact passes when the answer
    reports a disagreement holding both values, cited to the original and to the copy;
    questions on facts no copy changed must report no disagreement."""
    data = Dataset.load((Path(path).parent / spec["dataset"]).resolve())
    by_id = {q.id: q for q in data.questions}
    items = [c for c in spec["conflicts"] if split == "all" or c.get("split") == split]
    titles = sorted({c["article"] for c in items})
    rows = []
    with tempfile.TemporaryDirectory(prefix="rag-conflict-eval-") as tmp:
        docs = _article_folder(Path(tmp), data, titles)
        for n, c in enumerate(items):
            copy = c["title"] + "\n\n" + c["paragraph"].replace(c["sentence"], c["changed_sentence"]) + "\n"
            (docs / f"copy-{n:03d}-{document_name(c['article'])}").write_text(copy, encoding="utf-8")
        engine = _engine(docs, Path(tmp) / "index", top_k=10)
        for n, c in enumerate(items):
            answer, _ = _timed_ask(engine, by_id[c["id"]].question)
            copy_name = f"copy-{n:03d}-{document_name(c['article'])}"
            rows.append({"id": c["id"], "kind": "changed", "question": by_id[c["id"]].question,
                         "shown": _shows_both(answer, c, document_name(c["article"]), copy_name),
                         "disagreements": len(answer.conflicts), "answer": answer.text})
            # Asked the other way: do the two documents disagree? (the copy repeats the
            # original's paragraph, so every other fact it states is the same)
            compared, _ = _timed_ask(engine, f"Does {copy_name} contradict {document_name(c['article'])}?")
            rows.append({"id": c["id"], "kind": "compared", "question": compared.question,
                         "shown": _shows_both(compared, c, document_name(c["article"]), copy_name),
                         "spurious": sum(1 for x in compared.conflicts if not _is_change(x, c)),
                         "answer": compared.text})
        for qid in spec.get("unchanged", []):
            if qid in by_id and by_id[qid].article in titles:
                answer, _ = _timed_ask(engine, by_id[qid].question)
                # An answer that also quotes a changed sentence rightly shows that change.
                spurious = [c for c in answer.conflicts if not any(_is_change(c, item) for item in items)]
                rows.append({"id": qid, "kind": "unchanged", "question": by_id[qid].question,
                             "disagreements": len(spurious), "answer": answer.text})
    changed = [r for r in rows if r["kind"] == "changed"]
    compared = [r for r in rows if r["kind"] == "compared"]
    unchanged = [r for r in rows if r["kind"] == "unchanged"]
    m = {
        "changed_facts": float(len(changed)),
        "changed_shown_as_disagreement": _share(r["shown"] for r in changed),
        "unchanged_questions": float(len(unchanged)),
        "unchanged_with_a_spurious_disagreement": _share(r["disagreements"] > 0 for r in unchanged),
        # "Does <copy> contradict <original>?": the change listed, each side cited; and how
        # many other differences were listed per comparison (the copy changes nothing else).
        "compared_change_listed": _share(r["shown"] for r in compared),
        "compared_spurious_per_comparison": sum(r["spurious"] for r in compared) / len(compared) if compared else 0.0,
    }
    return m, rows


def _same_value(reported: str, wanted: str) -> bool:
    """Whether a reported value names the wanted one: the words of one run inside the
    other's ("Dunford" for "Joseph Dunford"). Words, not characters: "L" is not in "Super
    Bowl XLVII" although the letter is."""
    a, b = normalize(reported).split(), normalize(wanted).split()
    if not a or not b:
        return False
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return any(long[i : i + len(short)] == short for i in range(len(long) - len(short) + 1))


def _is_change(conflict: Any, item: dict[str, Any]) -> bool:
    """Whether a reported disagreement is the change a copy made."""
    want = (item["value"], item["changed_value"])
    values = [v.value for v in conflict.versions]
    return len(values) == 2 and all(any(_same_value(v, w) for w in want) for v in values)


def _shows_both(answer: Any, item: dict[str, Any], original: str, copy: str) -> bool:
    """Whether one reported disagreement holds the original value cited to the original
    document and the changed value cited to the copy."""
    by_number = {c.number: c.source for c in answer.citations}
    for conflict in answer.conflicts:
        cited = [(v.value, by_number.get(v.citation)) for v in conflict.versions]
        if any(_same_value(v, item["value"]) and src == original for v, src in cited) and any(
            _same_value(v, item["changed_value"]) and src == copy for v, src in cited
        ):
            return True
    return False


RUNNERS = {"questions": run_reader_questions, "rewrites": run_rewrites, "conflicts": run_conflicts}


def _share(flags: Any) -> float:
    flags = list(flags)
    return sum(bool(f) for f in flags) / len(flags) if flags else 0.0


def main(path: Path, split: str, out_dir: Optional[Path]) -> dict[str, float]:
    spec = load_set(path)
    runner = RUNNERS.get(set_kind(spec))
    if runner is None:
        raise RagError(f"{path}: not a question set this command knows (SQuAD data, questions, rewrites or conflicts)")
    if split not in ("all", "tune", "test"):
        raise RagError(f"--split must be all, tune or test, not {split!r}")
    metrics, rows = runner(path, spec, split)
    if out_dir:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "eval.json").write_text(json.dumps({"set": str(path), "split": split, "metrics": metrics, "rows": rows}, indent=2))
    return metrics


def command(args: Any) -> int:
    """The ``rag eval`` command: table on the terminal, JSON and PNG in ``--out``; floors gate the exit code."""
    floors = {}
    for item in args.floor:
        name, _, value = item.partition("=")
        try:
            floors[name] = float(value)
        except ValueError:
            raise RagError(f"--floor takes METRIC=NUMBER, not {item!r}") from None
    if args.followups:
        figures = run_followups(Path(args.followups))
        print("\n".join(f"{k}  {v:.3f}" for k, v in figures.items()))
        return _check_floors(figures, floors)
    if not args.dataset:
        raise RagError("rag eval needs a SQuAD-format DATASET.json, or --followups FILE")
    if set_kind(load_set(Path(args.dataset))) in RUNNERS:
        figures = main(Path(args.dataset), args.split, Path(args.out))
        print("\n".join(f"{k}  {v:.3f}" for k, v in figures.items()))
        print(f"\nwrote {Path(args.out) / 'eval.json'}")
        return _check_floors(figures, floors)
    report, _ = run_eval(
        Path(args.dataset), limit=args.limit, seed=args.seed, max_articles=args.articles,
        holdout_articles=args.holdout_articles, out_dir=Path(args.out), split=args.split,
    )
    print(report.table())
    print(f"\nwrote {Path(args.out) / 'eval.json'} and {Path(args.out) / 'eval.png'}")
    return _check_floors(report.metrics, floors)


def _check_floors(metrics: dict[str, float], floors: dict[str, float]) -> int:
    """Print each metric below its floor; the exit code is 1 if any is."""
    failed = [f"{k} {metrics.get(k, 0.0):.3f} < floor {v}" for k, v in floors.items() if metrics.get(k, 0.0) < v]
    for line in failed:
        print(f"below floor: {line}")
    return 1 if failed else 0
