#!/usr/bin/env bash
# Installs Debian's antiword, so Word 97-2003 .doc files are read (rag/readers/office97.py).
# Optional: without it, such a file is refused with a reason saying how to install it, and
# every other format is unaffected (a .doc file that is plain text is read either way).
set -euo pipefail
if command -v antiword >/dev/null; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "Installing Debian's antiword for Word 97-2003 documents..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq antiword >/dev/null
command -v antiword
