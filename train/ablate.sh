#!/usr/bin/env bash
# Each training source's contribution: the first-stage reading model retrained without it
# (the same stage-1 pairs, seed, schedule and dev half as bench-data/reader/run-all, the model
# with every source), then the test halves asked with that model; "all" asks them with
# run-all's model, the row to compare against. About 40-60 minutes a source on 2 cores;
# resumable (each run keeps its own checkpoint folder). The test halves are asked as the engine
# read when the first rows were measured: without the unstated-names and missing-kind penalties
# (rag/config.py's reader_unstated_penalty, reader_missing_kind_penalty), which came later,
# unless RAG_READER_UNSTATED_PENALTY or RAG_READER_MISSING_KIND_PENALTY says otherwise.
#   bash train/ablate.sh [all squad lay cloze faq swap squad-train squad2-unanswerable]
set -euo pipefail
cd "$(dirname "$0")/.."
sources="${*:-all squad lay cloze faq swap squad-train squad2-unanswerable}"
pairs=bench-data/reader/pairs-all.jsonl  # stage 1's pairs (rag/embed/reader-int8.md, "Rebuild it")
for source in $sources; do
  if [ "$source" = all ]; then
    run=bench-data/reader/run-all
  else
    run="bench-data/reader/without-$source"
  fi
  model="$run/reader-int8.onnx"
  [ -f "$model" ] || .venv/bin/python train/reader.py --epochs 1 --pairs "$pairs" --without "$source" --out-dir "$run" --model "$model"
  for set in bench/seed-questions.json bench/squad-unanswerable.json bench/lay-squad.json; do
    echo "== without $source: $set (test)"
    RAG_READER_UNSTATED_PENALTY="${RAG_READER_UNSTATED_PENALTY:-0}" RAG_READER_MISSING_KIND_PENALTY="${RAG_READER_MISSING_KIND_PENALTY:-0}" RAG_READER_MODEL="$model" .venv/bin/rag eval "$set" --split test --out "$run/eval-$(basename "$set" .json)" | tail -n 12
  done
done
