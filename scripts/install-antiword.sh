#!/usr/bin/env bash
# Installs Debian's antiword, so Word 97-2003 .doc files are read (rag/readers/office97.py).
# Optional: without it, such a file is refused with a reason saying how to install it, and
# every other format is unaffected (a .doc file that is plain text is read either way).
set -euo pipefail
if command -v antiword >/dev/null; then
  exit 0
fi
bash "$(dirname "$0")/apt-install.sh" "for Word 97-2003 documents" antiword
command -v antiword
