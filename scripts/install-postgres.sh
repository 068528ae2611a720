#!/usr/bin/env bash
# Installs Debian's PostgreSQL server binaries (not a running service: scripts/postgres-server.sh
# starts a cluster where it is asked to). Only server mode and its tests need it.
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  exit 0
fi
bash "$(dirname "$0")/apt-install.sh" "for server mode" postgresql
# Debian's package starts a cluster of its own as a service; server mode does not use it.
