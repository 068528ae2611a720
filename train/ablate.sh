#!/usr/bin/env bash
# Each training source's contribution: the reading model retrained without it (same seed,
# schedule and dev half), then the test halves asked with that model. About 40 minutes a
# source on 2 cores; resumable (each run keeps its own checkpoint folder).
#   bash train/ablate.sh [squad lay cloze faq swap]
set -euo pipefail
cd "$(dirname "$0")/.."
sources="${*:-squad lay cloze faq swap}"
for source in $sources; do
  run="bench-data/reader/without-$source"
  model="$run/reader-int8.onnx"
  [ -f "$model" ] || .venv/bin/python train/reader.py --epochs 1 --without "$source" --out-dir "$run" --model "$model"
  for set in bench/seed-questions.json bench/squad-unanswerable.json bench/lay-squad.json; do
    echo "== without $source: $set (test)"
    RAG_READER_MODEL="$model" .venv/bin/rag eval "$set" --split test --out "$run/eval-$(basename "$set" .json)" | tail -n 12
  done
done
