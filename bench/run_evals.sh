#!/usr/bin/env bash
# Every `rag eval` figure docs/measured.md and docs/reading-model.md report, in one run, one log per
# set under bench-out/evals/ (RAG_READER=false before it for the features alone).
#   bash bench/run_evals.sh [test|tune]
set -uo pipefail
cd "$(dirname "$0")/.."
split="${1:-test}"
out="bench-out/evals${RAG_READER:+-reader-$RAG_READER}"
mkdir -p "$out"
[ -d bench-data/squad-articles ] || .venv/bin/python bench/make_unanswerable.py
run() { name="$1"; shift; echo "== $name: rag eval $*"; .venv/bin/rag eval "$@" --out "$out/$name" > "$out/$name.log" 2>&1; tail -n 25 "$out/$name.log"; }
run seeds-$split bench/seed-questions.json --split "$split"
run unanswerable-$split bench/squad-unanswerable.json --split "$split"
run lay-$split bench/lay-squad.json --split "$split"
run conflicts-$split bench/conflict-set.json --split "$split"
run squad-$split ../shared/bench/squad-dev-tune.json --split "$split" --holdout-articles 2
# Natural Questions (CLAPNQ): its passages come from a clone of primeqa/clapnq (train/clapnq.py)
if [ -d bench-data/clapnq-passages ]; then
  run clapnq-$split bench/clapnq-dev.json --split "$split"
else
  echo "== clapnq: skipped (bench-data/clapnq-passages missing: .venv/bin/python train/clapnq.py /path/to/clapnq)"
fi
echo "== followups: rag eval --followups bench/followups-seeds.json"
.venv/bin/rag eval --followups bench/followups-seeds.json > "$out/followups.log" 2>&1; tail -n 8 "$out/followups.log"
