#!/usr/bin/env bash
# A throwaway PostgreSQL from Debian's `postgresql` package: a cluster in DIR, listening on
# 127.0.0.1:PORT only, database "rag", trust authentication for local connections. For the
# tests (tests/servers.py) and for trying server mode on one machine (README, "Outgrowing one
# machine"); a real deployment uses the PostgreSQL it already runs.
#
#   scripts/postgres-server.sh start DIR PORT   # prints RAG_DATABASE_URL=... when it is ready
#   scripts/postgres-server.sh stop DIR
set -euo pipefail
ACTION=${1:?usage: postgres-server.sh start DIR PORT | stop DIR}
DIR=$(realpath -m "${2:?the cluster folder}")  # absolute: the socket path is given to the server
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$BIN" ]; then
  echo "PostgreSQL is not installed: run scripts/install-postgres.sh" >&2
  exit 1
fi
# PostgreSQL refuses to run as root: as root, the cluster belongs to Debian's postgres user.
AS=()
if [ "$(id -u)" -eq 0 ]; then AS=(runuser -u postgres --); fi
case "$ACTION" in
  start)
    PORT=${3:?the port}
    mkdir -p "$DIR"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$DIR"; fi
    if [ ! -f "$DIR/PG_VERSION" ]; then
      "${AS[@]}" "$BIN/initdb" -D "$DIR" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    # The socket goes in the cluster folder, not /var/run/postgresql (root-owned, may be absent).
    "${AS[@]}" "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=on -c max_connections=200" start >/dev/null
    "${AS[@]}" "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'rag'" | grep -q 1 \
      || "${AS[@]}" "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres rag
    echo "RAG_DATABASE_URL=postgresql://postgres@127.0.0.1:$PORT/rag"
    ;;
  stop)
    "${AS[@]}" "$BIN/pg_ctl" -D "$DIR" -m fast -w stop >/dev/null
    ;;
  *)
    echo "usage: postgres-server.sh start DIR PORT | stop DIR" >&2
    exit 2
    ;;
esac
