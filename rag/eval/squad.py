"""``rag eval``: retrieval, answer, citation, abstention and speed figures on SQuAD-format data.

Each article becomes one document (its title, then its paragraphs separated by blank
lines) in a temporary folder, ingested by the normal pipeline into a temporary index.
With ``--holdout-articles K``, K articles (chosen with ``--seed``) are left out of the
corpus and their questions must be abstained.

    rag eval ../shared/bench/squad-dev-tune.json --holdout-articles 3
"""

from __future__ import annotations

import json
import random
import re
import statistics
import string
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from rag.errors import RagError

RECALL_KS = (1, 3, 5, 10)
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_MARKER = re.compile(r"\[\d+\]")
_PUNCTUATION = frozenset(string.punctuation)


def normalize(text: str) -> str:
    """SQuAD's answer normalisation: lower case, no punctuation, no articles, single spaces."""
    text = "".join(ch for ch in text.lower() if ch not in _PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def document_name(title: str) -> str:
    """The file an article is written to: its title with anything unsafe in a name replaced."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", title) + ".txt"


def contains_answer(text: str, answers: list[str]) -> bool:
    haystack = f" {normalize(text)} "
    return any(f" {normalize(a)} " in haystack for a in answers if normalize(a))


@dataclass
class Question:
    id: str
    article: str
    question: str
    answers: list[str]


@dataclass
class Dataset:
    articles: dict[str, str]  # title -> document text
    questions: list[Question]

    @classmethod
    def load(cls, path: Path, max_articles: Optional[int] = None) -> "Dataset":
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))["data"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise RagError(f"{path} is not a readable SQuAD-format JSON file: {exc}") from None
        articles, questions = {}, []
        for article in data[:max_articles]:
            title = article["title"]
            paragraphs = [p["context"].strip() for p in article["paragraphs"]]
            articles[title] = title.replace("_", " ") + "\n\n" + "\n\n".join(paragraphs) + "\n"
            for p in article["paragraphs"]:
                for qa in p["qas"]:
                    answers = [a["text"] for a in qa.get("answers", [])]
                    if answers:
                        questions.append(Question(qa["id"], title, qa["question"], answers))
        return cls(articles, questions)


@dataclass
class Outcome:
    question: Question
    answerable: bool
    abstained: bool
    answer_hit: bool
    quote_hit: bool
    first_hit_rank: Optional[int]  # 1-based rank of the first passage holding a gold answer
    answer_words: int
    citations: int
    valid_citations: int
    latency_ms: float
    confidence: float = 0.0


@dataclass
class Report:
    dataset: str
    settings: dict[str, Any]
    corpus: dict[str, Any]
    metrics: dict[str, float] = field(default_factory=dict)

    def table(self) -> str:
        rows = [("documents in corpus", self.corpus["documents"]), ("passages", self.corpus["passages"]),
                ("answerable questions asked", self.corpus["answerable"]), ("off-corpus questions asked", self.corpus["off_corpus"])]
        rows += [(k, f"{v:.3f}" if isinstance(v, float) else v) for k, v in self.metrics.items()]
        width = max(len(str(k)) for k, _ in rows)
        return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def _rank_of_first_hit(passages: list[Any], answers: list[str]) -> Optional[int]:
    for rank, p in enumerate(passages, 1):
        if contains_answer(p.text, answers):
            return rank
    return None


def ask_and_judge(engine: Any, q: Question, answerable: bool, texts: dict[str, str]) -> Outcome:
    started = time.perf_counter()
    answer = engine.ask(q.question)
    latency = (time.perf_counter() - started) * 1000
    words = len(_MARKER.sub("", answer.text.split("\n\nThe sources disagree")[0]).split())
    valid = sum(1 for c in answer.citations if texts[c.source][c.start : c.end] == c.quote)
    return Outcome(
        question=q, answerable=answerable, abstained=answer.abstained,
        answer_hit=not answer.abstained and contains_answer(answer.text, q.answers),
        quote_hit=not answer.abstained and contains_answer(" ".join(c.quote for c in answer.citations), q.answers),
        first_hit_rank=_rank_of_first_hit(answer.passages, q.answers),
        answer_words=words if not answer.abstained else 0,
        citations=len(answer.citations), valid_citations=valid, latency_ms=latency,
        confidence=answer.confidence,
    )


def summarize(outcomes: list[Outcome]) -> dict[str, float]:
    answerable = [o for o in outcomes if o.answerable]
    off = [o for o in outcomes if not o.answerable]
    m: dict[str, float] = {}
    n = max(1, len(answerable))
    for k in RECALL_KS:
        m[f"recall@{k}"] = sum(1 for o in answerable if o.first_hit_rank and o.first_hit_rank <= k) / n
    m["mrr@10"] = sum(1 / o.first_hit_rank for o in answerable if o.first_hit_rank) / n
    m["answer_in_text"] = sum(o.answer_hit for o in answerable) / n
    m["answer_in_quotes"] = sum(o.quote_hit for o in answerable) / n
    answered = [o.answer_words for o in answerable if not o.abstained]
    m["median_answer_words"] = float(statistics.median(answered)) if answered else 0.0
    total_citations = sum(o.citations for o in outcomes)
    m["citation_validity"] = sum(o.valid_citations for o in outcomes) / total_citations if total_citations else 1.0
    m["answerable_wrongly_abstained"] = sum(o.abstained for o in answerable) / n
    if off:
        m["off_corpus_abstained"] = sum(o.abstained for o in off) / len(off)
    latencies = sorted(o.latency_ms for o in outcomes)
    if latencies:
        m["latency_p50_ms"] = statistics.median(latencies)
        m["latency_p95_ms"] = latencies[min(len(latencies) - 1, int(0.95 * (len(latencies) - 1) + 0.5))]
    return m


SPLITS = ("all", "tune", "test")


def split_titles(titles: list[str], split: str) -> list[str]:
    """Articles alternate between the tune and test halves (sorted by title), so settings
    tuned on one half can be reported on articles they never saw."""
    ordered = sorted(titles)
    if split == "all":
        return ordered
    if split not in SPLITS:
        raise RagError(f"--split must be one of {', '.join(SPLITS)}, not {split!r}")
    return ordered[0::2] if split == "tune" else ordered[1::2]


def run_eval(
    dataset_path: Path, *, limit: Optional[int] = None, seed: int = 0, max_articles: Optional[int] = None,
    split: str = "all",
    holdout_articles: int = 0, out_dir: Optional[Path] = None, show_progress: bool = True,
    engine_options: Optional[dict[str, Any]] = None,
) -> tuple[Report, list[Outcome]]:
    from tqdm import tqdm

    from rag.engine import RAG

    data = Dataset.load(dataset_path, max_articles)
    rng = random.Random(seed)
    titles = split_titles(list(data.articles), split)
    data = Dataset({t: data.articles[t] for t in titles}, [q for q in data.questions if q.article in titles])
    if holdout_articles >= len(titles):
        raise RagError(f"--holdout-articles {holdout_articles} leaves no article in the corpus ({len(titles)} articles)")
    held_out = set(rng.sample(titles, holdout_articles)) if holdout_articles else set()
    in_corpus = [q for q in data.questions if q.article not in held_out]
    off_corpus = [q for q in data.questions if q.article in held_out]
    if limit:
        in_corpus = rng.sample(in_corpus, min(limit, len(in_corpus)))
        off_corpus = rng.sample(off_corpus, min(limit, len(off_corpus)))

    with tempfile.TemporaryDirectory(prefix="rag-eval-") as tmp:
        docs = Path(tmp) / "docs"
        docs.mkdir()
        texts = {}
        for title, text in data.articles.items():
            if title not in held_out:
                name = document_name(title)
                (docs / name).write_text(text, encoding="utf-8")
                texts[name] = (docs / name).read_text(encoding="utf-8")
        engine = RAG(docs_dir=docs, index_dir=Path(tmp) / "index", **{"top_k": 10, **(engine_options or {})})
        started = time.perf_counter()
        ingest = engine.ingest(show_progress=show_progress)
        ingest_seconds = time.perf_counter() - started
        engine.ask("warm-up question")  # load the lexical index and model before timing
        jobs = [(q, True) for q in in_corpus] + [(q, False) for q in off_corpus]
        outcomes = [
            ask_and_judge(engine, q, answerable, texts)
            for q, answerable in tqdm(jobs, desc="Asking", disable=not show_progress, unit="q")
        ]
    metrics = summarize(outcomes)
    metrics["ingest_seconds"] = ingest_seconds
    metrics["ingest_passages_per_second"] = ingest.passages_added / ingest_seconds if ingest_seconds else 0.0
    # Sentences are embedded too, so texts embedded per second is the model's real pace.
    metrics["ingest_texts_embedded_per_second"] = ingest.embedded / ingest_seconds if ingest_seconds else 0.0
    report = Report(
        dataset=str(dataset_path),
        settings={"limit": limit, "seed": seed, "articles": max_articles, "split": split, "holdout_articles": holdout_articles,
                  "held_out": sorted(held_out), **{k: str(v) for k, v in (engine_options or {}).items()}},
        corpus={"documents": ingest.files_indexed, "passages": ingest.passages_added,
                "answerable": len(in_corpus), "off_corpus": len(off_corpus)},
        metrics=metrics,
    )
    if out_dir:
        write_outputs(report, outcomes, Path(out_dir))
    return report, outcomes


def write_outputs(report: Report, outcomes: list[Outcome], out_dir: Path) -> None:
    """eval.json (figures and per-question outcomes) and eval.png (recall at k, latency histogram)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    per_question = [
        {"id": o.question.id, "question": o.question.question, "answerable": o.answerable, "abstained": o.abstained,
         "answer_hit": o.answer_hit, "first_hit_rank": o.first_hit_rank, "confidence": o.confidence,
         "latency_ms": round(o.latency_ms, 2)}
        for o in outcomes
    ]
    payload = {"dataset": report.dataset, "settings": report.settings, "corpus": report.corpus,
               "metrics": report.metrics, "questions": per_question}
    (out_dir / "eval.json").write_text(json.dumps(payload, indent=2))

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    ks = list(range(1, 11))
    answerable = [o for o in outcomes if o.answerable]
    curve = [sum(1 for o in answerable if o.first_hit_rank and o.first_hit_rank <= k) / max(1, len(answerable)) for k in ks]
    left.plot(ks, curve, marker="o")
    left.set(title="Answer recall at k (gold answer in top-k passages)", xlabel="k", ylabel="recall", ylim=(0, 1), xticks=ks)
    left.grid(alpha=0.3)
    right.hist([o.latency_ms for o in outcomes], bins=30, color="#4f46e5")
    right.set(title="Warm ask latency", xlabel="ms", ylabel="questions")
    fig.suptitle(f"rag eval on {Path(report.dataset).name}: answer in text {report.metrics['answer_in_text']:.2f}")
    fig.tight_layout()
    fig.savefig(out_dir / "eval.png", dpi=110)
    plt.close(fig)


def run_followups(path: Path, index_dir: Optional[Path] = None) -> dict[str, float]:
    """Multi-turn conversations (see bench/followups-seeds.json): each turn is asked with the
    conversation so far as history; a turn passes when its answer contains an expected string."""
    from rag.engine import RAG

    try:
        spec = json.loads(Path(path).read_text(encoding="utf-8"))
        conversations = spec["conversations"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RagError(f"{path} is not a readable follow-up file: {exc}") from None
    docs = (Path(path).parent / spec.get("docs", "seeds")).resolve()
    if not docs.is_dir():
        docs = Path(spec.get("docs", "seeds")).resolve()
    with tempfile.TemporaryDirectory(prefix="rag-followups-") as tmp:
        engine = RAG(docs_dir=docs, index_dir=index_dir or Path(tmp) / "index")
        engine.ingest(show_progress=False)
        passed = {"first": [], "follow_up": []}
        for conversation in conversations:
            history: list[dict[str, str]] = []
            for i, turn in enumerate(conversation):
                answer = engine.ask(turn["question"], history=history)
                ok = not answer.abstained and any(x in answer.text for x in turn["expect"].split("|"))
                passed["first" if i == 0 else "follow_up"].append(ok)
                print(f"{'pass' if ok else 'FAIL'}  {turn['question']}")
                history += [{"role": "user", "content": turn["question"]}, {"role": "assistant", "content": answer.text}]
    return {
        "first_turns_answered": sum(passed["first"]) / max(1, len(passed["first"])),
        "follow_ups_answered": sum(passed["follow_up"]) / max(1, len(passed["follow_up"])),
        "follow_up_turns": float(len(passed["follow_up"])),
    }
