#!/usr/bin/env bash
# Installs Debian's Tesseract OCR with its English model, so scanned PDFs and images are read
# (rag/readers/ocr.py). Optional: without it, a scan is refused with a reason saying how to
# install it, and every other format is unaffected.
set -euo pipefail
if command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -qx eng; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "Installing Debian's tesseract-ocr and tesseract-ocr-eng for scanned documents..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq tesseract-ocr tesseract-ocr-eng >/dev/null
tesseract --version | head -1
