#!/usr/bin/env bash
# A Chroma server (the `chroma` command that the chromadb package installs) keeping its data
# in DIR and listening on 127.0.0.1:PORT. For the tests (tests/servers.py) and for trying
# server mode on one machine (README, "Outgrowing one machine").
#
#   scripts/chroma-server.sh start DIR PORT   # returns once it answers; prints RAG_CHROMA_HOST/PORT
#   scripts/chroma-server.sh stop DIR
set -euo pipefail
ACTION=${1:?usage: chroma-server.sh start DIR PORT | stop DIR}
DIR=$(realpath -m "${2:?the data folder}")
HERE=$(cd "$(dirname "$0")/.." && pwd)
CHROMA=${CHROMA:-$HERE/.venv/bin/chroma}
case "$ACTION" in
  start)
    PORT=${3:?the port}
    mkdir -p "$DIR"
    nohup "$CHROMA" run --path "$DIR/data" --host 127.0.0.1 --port "$PORT" >"$DIR/server.log" 2>&1 &
    echo $! >"$DIR/server.pid"
    for _ in $(seq 1 150); do
      if curl -sf "http://127.0.0.1:$PORT/api/v2/heartbeat" >/dev/null; then
        echo "RAG_CHROMA_HOST=127.0.0.1 RAG_CHROMA_PORT=$PORT"
        exit 0
      fi
      if ! kill -0 "$(cat "$DIR/server.pid")" 2>/dev/null; then
        echo "chroma run stopped: see $DIR/server.log" >&2
        exit 1
      fi
      sleep 0.2
    done
    echo "chroma run did not answer within 30 s: see $DIR/server.log" >&2
    exit 1
    ;;
  stop)
    if [ -f "$DIR/server.pid" ]; then
      kill "$(cat "$DIR/server.pid")" 2>/dev/null || true
      rm -f "$DIR/server.pid"
    fi
    ;;
  *)
    echo "usage: chroma-server.sh start DIR PORT | stop DIR" >&2
    exit 2
    ;;
esac
