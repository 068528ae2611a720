#!/usr/bin/env bash
# Installs Debian's Tesseract OCR with its English model, so scanned PDFs and images are read
# (rag/readers/ocr.py). Optional: without it, a scan is refused with a reason saying how to
# install it, and every other format is unaffected.
set -euo pipefail
if command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -qx eng; then
  exit 0
fi
bash "$(dirname "$0")/apt-install.sh" "for scanned documents" tesseract-ocr tesseract-ocr-eng
tesseract --version | head -1
