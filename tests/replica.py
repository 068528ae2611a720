"""An app replica for the server-mode tests: one engine (settings from RAG_* variables) in a
process of its own, answering one JSON command a line on stdin with one JSON line on stdout."""

from __future__ import annotations

import json
import sys

from rag import RAG


def main() -> None:
    engine = RAG()
    for line in sys.stdin:
        command = json.loads(line)
        try:
            if "ask" in command:
                reply = engine.ask(command["ask"]).to_dict()
            elif "ingest" in command:
                report = engine.ingest(show_progress=False)
                reply = {"indexed": report.files_indexed, "unchanged": report.files_unchanged,
                         "removed": report.files_removed}
            elif "status" in command:
                reply = [[d.source, d.passages] for d in engine.status().documents]
            else:
                reply = {"error": f"unknown command {command}"}
        except Exception as exc:  # the test reads it
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
