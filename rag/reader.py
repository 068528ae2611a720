"""The reading model: (question, candidate sentence) -> how likely the sentence answers it.

A cross-encoder made from the first four layers of MiniLM-L6 (four, not six: it reads every
candidate of every question, and six cost half as much again for the latency budget), trained here (``train/reader.py``; data, licences and figures in
``rag/embed/reader-int8.md``), shipped as int8 ONNX inside the package and run by ONNX
Runtime with the embedding model's own tokenizer: no torch at run time. It reads the
question and the sentence together, with the sentence before it and the document's title
as context, so "Who sent the letter?" matches "Gerasimov wrote to Dunford" and does not
match a sentence that only repeats the question's words.

>>> reader = Reader.shipped()                                     # doctest: +SKIP
>>> reader.score("Who wrote the letter?", [Candidate("Gerasimov wrote to Dunford.", "", "News")])  # doctest: +SKIP
array([0.93], dtype=float32)
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

MODEL_FILE = Path(__file__).resolve().parent / "embed" / "reader-int8.onnx"
# Another file can be tried without reinstalling (a retrained model, before it is shipped).
MODEL_ENV = "RAG_READER_MODEL"
# Question, then sentence with its context, at most this many tokens together; the context
# is cut first (the sentence is put before it).
MAX_TOKENS = 128
MAX_QUESTION_TOKENS = 48
# Pairs tokenized into one padded array at most: bounded memory whatever the caller hands over.
ENCODED_AT_ONCE = 256

log = logging.getLogger(__name__)


@dataclass
class Candidate:
    sentence: str
    previous: str = ""
    title: str = ""


def second_segment(sentence: str, previous: str, title: str) -> str:
    """What the model reads beside the question: the sentence first (truncation cuts the
    context, never the candidate), then the document's title, and the sentence before it
    when the candidate points back at it ("He was hired by ..."): that is when it is needed,
    and leaving it out otherwise halves what the model reads per candidate."""
    from rag.text import points_back

    flat = " ".join(sentence.split())
    previous = previous if points_back(flat) else ""
    context = " ".join(f"{title} | {previous}".split()) if previous else " ".join(title.split())
    return f"{flat} [SEP] {context}" if context else flat


def tokenizer():
    """The shipped MiniLM tokenizer, set up for (question, sentence) pairs."""
    from tokenizers import Tokenizer

    from rag.embed.onnx_export import model_dir

    tok = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    return tok


def encode_pairs(tok, questions: Sequence[str], seconds: Sequence[str], max_tokens: int = MAX_TOKENS,
                 max_first: int = MAX_QUESTION_TOKENS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(input_ids, attention_mask, token_type_ids), padded to the batch's longest pair.

    Done by hand rather than with the tokenizer's pair truncation so that the question keeps
    at most ``max_first`` tokens and the rest of ``max_tokens`` goes to the sentence."""
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    qs = tok.encode_batch(list(questions), add_special_tokens=False)
    ss = tok.encode_batch(list(seconds), add_special_tokens=False)
    rows = []
    for q, s in zip(qs, ss):
        q_ids = q.ids[:max_first]
        s_ids = s.ids[: max_tokens - len(q_ids) - 3]
        rows.append(([cls, *q_ids, sep], [*s_ids, sep]))
    width = max(len(a) + len(b) for a, b in rows)
    ids = np.zeros((len(rows), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    types = np.zeros_like(ids)
    for i, (a, b) in enumerate(rows):
        n = len(a) + len(b)
        ids[i, :n] = a + b
        mask[i, :n] = 1
        types[i, len(a):n] = 1
    return ids, mask, types


class PairModel:
    """A cross-encoder shipped as ONNX (the reading model, the support check): pairs of texts
    in, one row of logits per pair out. Thread-safe."""

    max_tokens, max_first = MAX_TOKENS, MAX_QUESTION_TOKENS

    def __init__(self, path: Path, threads: Optional[int] = None):
        import onnxruntime as ort

        # Pairs run side by side, one core each, rather than one pair at a time split across
        # the cores: a pair's matrices are small (tens of tokens), and splitting them costs
        # more in synchronisation than it gains (8 candidates in 0.72x the time, 4 claims in
        # 0.77x, on 2 cores; docs/reading-model.md, "One pair at a time, side by side").
        workers = threads or os.cpu_count() or 1
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self.path = path
        self.session = ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
        self.tok = tokenizer()
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="pair-model") if workers > 1 else None

    # Set by each model: its name, its shipped file, the variable that points elsewhere, what
    # happens without it.
    what: str
    default_file: Path
    env: str
    without: str
    _shipped: Optional["PairModel"] = None
    _missing_warned = False

    @classmethod
    def shipped(cls):
        """The model inside the package, loaded once per process; None (with one warning)
        when the file is missing: the engine then works as it did before the model."""
        if cls.__dict__.get("_shipped") is None:
            path = Path(os.environ.get(cls.env) or cls.default_file)
            if not path.exists():
                if not cls.__dict__.get("_missing_warned"):
                    log.warning("the %s %s is missing: %s", cls.what, path, cls.without)
                    cls._missing_warned = True
                return None
            cls._shipped = cls(path)
        return cls._shipped

    def pair_logits(self, firsts: Sequence[str], seconds: Sequence[str]) -> np.ndarray:
        """(pairs, classes) logits, each pair run on its own.

        One pair a run, because the int8 network quantizes each run's activations with one
        scale: in a batch, a pair's score moved with its batch mates (the same question and
        sentence scored differently beside other candidates, so an answer could change with
        what else was retrieved); alone it does not. Alone is also no slower: nothing is
        padded (docs/reading-model.md, "One pair at a time, side by side")."""
        width = self.session.get_outputs()[0].shape[-1]
        out = np.empty((len(firsts), width if isinstance(width, int) else 1), dtype=np.float32)
        firsts, seconds = list(firsts), list(seconds)
        for at in range(0, len(firsts), ENCODED_AT_ONCE):
            part = slice(at, at + ENCODED_AT_ONCE)
            ids, mask, types = encode_pairs(self.tok, firsts[part], seconds[part], self.max_tokens, self.max_first)
            lengths = mask.sum(axis=1)

            def run(i: int) -> np.ndarray:  # ONNX Runtime lets go of the GIL while it runs
                n = lengths[i]
                (logit,) = self.session.run(None, {"input_ids": ids[i : i + 1, :n], "attention_mask": mask[i : i + 1, :n],
                                                    "token_type_ids": types[i : i + 1, :n]})
                return logit.reshape(-1)

            order = [int(i) for i in np.argsort(-lengths, kind="stable")]  # longest first: the last to start are short
            rows = self._pool.map(run, order) if self._pool is not None and len(order) > 1 else map(run, order)
            for i, row in zip(order, rows):
                out[at + i] = row
        return out


class Reader(PairModel):
    """Scores (question, candidate) pairs with the shipped reading model."""

    what, default_file, env = "reading model", MODEL_FILE, MODEL_ENV
    without = "answers are chosen without it (reinstall the package, or rebuild it with train/reader.py)"

    def __init__(self, path: Path = MODEL_FILE, threads: Optional[int] = None):
        super().__init__(path, threads)

    def logits(self, question: str, candidates: Sequence[Candidate]) -> np.ndarray:
        seconds = [second_segment(c.sentence, c.previous, c.title) for c in candidates]
        return self.pair_logits([question] * len(candidates), seconds)[:, 0]

    def score(self, question: str, candidates: Sequence[Candidate]) -> np.ndarray:
        """The probability, for each candidate, that it answers the question."""
        if not candidates:
            return np.zeros(0, dtype=np.float32)
        return 1.0 / (1.0 + np.exp(-self.logits(question, candidates)))
