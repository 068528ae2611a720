"""The ONNX encoder against the model's reference implementation, and a query path without torch."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import ROOT, SEEDS


def seed_sentences() -> list[str]:
    from rag.text import sentence_spans

    texts = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        texts += [text[s:e] for s, e in sentence_spans(text)]
    # Beyond the seeds: a one-letter text, one longer than the model reads (truncated), accents.
    return texts + ["x", "word " * 400, "Ünïcödé naïve café — “quoted”"]


@pytest.fixture(scope="module")
def reference_vectors():
    from sentence_transformers import SentenceTransformer

    from rag.embed.onnx_export import model_dir

    texts = seed_sentences()
    model = SentenceTransformer(str(model_dir()), device="cpu")
    return texts, model.encode(texts, normalize_embeddings=True, batch_size=64)


def test_fp32_graph_computes_what_sentence_transformers_computes(reference_vectors):
    from rag.embed.encoder import Encoder

    texts, reference = reference_vectors
    vectors = Encoder("fp32").encode(texts)
    assert vectors.shape == reference.shape
    assert np.abs(vectors - reference).max() < 1e-4


def test_int8_vectors_stay_close_to_the_reference(reference_vectors):
    from rag.embed.encoder import Encoder

    texts, reference = reference_vectors
    cosines = (Encoder("int8").encode(texts) * reference).sum(axis=1)
    assert cosines.mean() > 0.99
    assert cosines.min() > 0.95


def test_vectors_barely_depend_on_batching_or_order():
    """fp32: not at all. int8: its activations are quantized with one scale per batch, so
    a text's vector moves a little with the texts batched beside it."""
    from rag.embed.encoder import Encoder

    texts = seed_sentences()[:40]
    for precision, least_cosine in (("fp32", 0.99999), ("int8", 0.97)):
        encoder = Encoder(precision)
        together = encoder.encode(texts)
        one_by_one = np.stack([encoder.encode_one(t) for t in reversed(texts)])[::-1]
        assert (together * one_by_one).sum(axis=1).min() > least_cosine, precision
    vectors, counts = encoder.encode_counted(["One two three.", "One."])
    assert counts[0] > counts[1] >= 3  # [CLS] one . [SEP]
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_the_export_is_made_once_and_reused(tmp_path, monkeypatch):
    from rag.embed.onnx_export import exported_model

    monkeypatch.setenv("RAG_MODEL_CACHE", str(tmp_path))
    path = exported_model("int8")
    made = path.stat().st_mtime_ns
    assert exported_model("int8") == path and path.stat().st_mtime_ns == made
    assert sorted(p.suffix for p in tmp_path.iterdir() if p.suffix != ".lock") == [".onnx", ".onnx"]


def test_answering_imports_neither_torch_nor_llama_index(seeded_engine):
    """A question from a fresh process over an existing index loads only what answering needs."""
    script = (
        "import sys, json\n"
        "from rag import RAG\n"
        f"engine = RAG(docs_dir={str(seeded_engine.settings.docs_dir)!r}, index_dir={str(seeded_engine.settings.index_dir)!r})\n"
        "answer = engine.ask('Who sent the letter?')\n"
        "heavy = ('torch', 'transformers', 'sentence_transformers', 'llama_index')\n"
        "print(json.dumps({'cited': len(answer.citations), 'loaded': sorted(m for m in heavy if m in sys.modules)}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["cited"] >= 1
    assert result["loaded"] == []
