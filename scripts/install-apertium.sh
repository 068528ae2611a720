#!/usr/bin/env bash
# Installs Debian's Apertium machine translator with its English-Catalan and English-Spanish
# data, which train/roundtrip.py uses to make machine-translated restatements for the support
# check's training data. Training only: the engine never calls it.
set -euo pipefail
if command -v apertium >/dev/null && apertium -l 2>/dev/null | grep -qx '  cat-eng' && apertium -l | grep -qx '  spa-eng'; then
  exit 0
fi
bash "$(dirname "$0")/apt-install.sh" "for train/roundtrip.py" apertium apertium-eng-cat apertium-eng-spa
apertium -l | grep -E 'cat-eng|spa-eng'
