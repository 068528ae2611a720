#!/usr/bin/env bash
# Installs Debian packages for the install-*.sh scripts: `scripts/apt-install.sh "what for" pkg...`.
# Needs root or sudo; quiet but for errors.
set -euo pipefail
purpose="$1"
shift
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "Installing Debian's $* $purpose..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
