"""The command line: ``rag ingest``, ``rag ask``, ``rag serve``, ``rag eval``. Nothing else lives here."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Optional, Sequence

from rag.config import Settings
from rag.errors import IndexWriteError, RagError, is_storage_failure


def _engine(args: argparse.Namespace):
    from rag.engine import RAG

    return RAG(docs_dir=args.docs_dir, index_dir=args.index_dir, collection=args.collection)


def cmd_collections(args: argparse.Namespace) -> int:
    from rag.library import collections

    settings = Settings.from_env()
    found = collections(settings)
    if not found:
        print(f"no collections yet in {settings.data_dir / 'collections'}: "
              "`rag --collection NAME ingest` makes one (put its documents in the folder it names)")
    for name, docs_dir, documents in found:
        print(f"{name}\t{documents} documents\t{docs_dir}")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from rag.ingest.sources import UPLOAD_SUFFIXES

    report = _engine(args).ingest(show_progress=not args.quiet)
    print(report.summary(formats_read=UPLOAD_SUFFIXES))
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    question = " ".join(args.question)
    answer = _engine(args).ask(question)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(answer.text)
    flags = {f.sentence: f for f in answer.flags}
    for sentence in answer.unsupported:
        print(f"\nNot supported by the cited sources: {sentence}")
        flag = flags.get(sentence)
        if flag and flag.unstated:
            print(f'  the source does not state "{flag.unstated}"' + (f'; it says "{flag.source_says}"' if flag.source_says else ""))
    if answer.note:
        print(f"\n({answer.note})")
    if not answer.abstained:
        print(f"\n(written by the {answer.composer} composer)")
    shown = answer.citations if not answer.abstained else []
    if shown:
        print("\nSources:")
        for c in shown:
            quote = " ".join(c.quote.split())
            print(f"[{c.number}] {_where(c)} {c.title}\n    \"{quote}\"")
    else:
        print("\nNearest passages:")
        for p in answer.passages:
            snippet = " ".join(p.text.split())[:200]
            print(f"- {_where(p)}: {snippet}")
    return 0


def _where(cited) -> str:
    """Where a citation or passage stands: "story.pdf, p. 2, § Results (512-640)"."""
    parts = [cited.source]
    if cited.page is not None:
        parts.append(f"p. {cited.page}")
    if cited.section:
        parts.append(f"§ {cited.section}")
    return ", ".join(parts) + f" ({cited.start}-{cited.end})"


def _where_index(settings: Any) -> str:
    """Where the index lives, as a user would look for it (no password shown)."""
    if not settings.database_url:
        return str(settings.index_dir.resolve())
    from urllib.parse import urlparse

    from rag.store.chroma import chroma_name
    from rag.store.sql import schema_name

    database = urlparse(settings.database_url)
    return (f"PostgreSQL {database.hostname}:{database.port or 5432}{database.path} (schema "
            f"{schema_name(chroma_name(settings))}) and Chroma {settings.chroma_host}:{settings.chroma_port}; "
            f"this machine keeps only its BM25 cache in {settings.index_dir.resolve()}")


def cmd_serve(args: argparse.Namespace) -> int:
    from ui.app import serve

    engine = _engine(args)
    settings = engine.settings
    # Where things go, before the chat's address: files added in the chat are saved here.
    print(f"Documents: {settings.docs_dir.resolve()} (files added in the chat are saved there)\n"
          f"Index: {_where_index(settings)}", flush=True)
    serve(engine, host=args.host, port=args.port)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from rag.eval.sets import command

    return command(args)


def build_parser() -> argparse.ArgumentParser:
    defaults = Settings.from_env()
    parser = argparse.ArgumentParser(prog="rag", description="Ask questions about a folder of documents; answers cite their sources.")
    parser.add_argument("--docs-dir", help=f"documents folder (default {defaults.docs_dir}, RAG_DOCS_DIR)")
    parser.add_argument("--index-dir", help=f"index folder (default {defaults.index_dir}, RAG_INDEX_DIR)")
    parser.add_argument("--collection", help="a named collection: its own documents and index folders under "
                        f"{defaults.data_dir}/collections/ (RAG_COLLECTION; RAG_DATA_DIR moves them)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("collections", help="list the named collections and where their documents go")
    p.set_defaults(func=cmd_collections)

    p = sub.add_parser("ingest", help="index the documents folder (only what changed)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("ask", help="answer a question with numbered sources")
    p.add_argument("question", nargs="+", help="the question")
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("serve", help="start the browser chat")
    p.add_argument("--host", default=defaults.host, help=f"address to bind (default {defaults.host})")
    p.add_argument("--port", type=int, default=defaults.port, help=f"port (default {defaults.port})")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("eval", help="measure answer quality on SQuAD data or a question set in bench/")
    p.add_argument("dataset", nargs="?", help="SQuAD-format JSON (../shared/bench/squad-dev-tune.json) or a set in bench/: "
                   "seed-questions.json, lay-squad.json, conflict-set.json")
    p.add_argument("--followups", metavar="FILE", help="measure follow-up questions instead, e.g. bench/followups-seeds.json")
    p.add_argument("--limit", type=int, help="ask at most N questions, sampled with --seed")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--articles", type=int, help="use only the first N articles")
    p.add_argument("--split", default="all", choices=["all", "tune", "test"],
                   help="all articles, or the tune or test half (alternating by title)")
    p.add_argument("--holdout-articles", type=int, default=0, help="leave K articles out; their questions must be abstained")
    p.add_argument("--out", default="eval-out", help="folder for the JSON and HTML report")
    p.add_argument("--floor", action="append", default=[], metavar="METRIC=VALUE", help="exit 1 if a metric falls below")
    p.set_defaults(func=cmd_eval)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    try:
        # The parser shows the settings' defaults, so a bad RAG_* variable is found here already.
        args = build_parser().parse_args(argv)
        return args.func(args)
    except IndexWriteError as exc:
        # A full disk or a read-only index folder: one line saying what to do, no traceback
        # (the index is left consistent: a killed or failed ingest resumes; see rag.store.manifest).
        print(f"rag: {exc}", file=sys.stderr)
        return 1
    except RagError as exc:
        print(f"rag: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`rag ask ... | head -1`): not an error. Python would complain
        # again flushing stdout at exit, so stdout now points at nothing.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        if not is_storage_failure(exc):
            raise
        print(f"rag: {IndexWriteError.from_storage(exc)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
