"""The command line as a user meets it: fast help, one-line errors, JSON output."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT


def run_rag(*args, env=None, timeout=180):
    return subprocess.run(
        [sys.executable, "-m", "rag", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def test_help_lists_the_commands_without_loading_the_heavy_libraries():
    result = run_rag("--help")
    assert result.returncode == 0
    for command in ("ingest", "ask", "serve", "eval"):
        assert command in result.stdout
    probe = subprocess.run(
        [sys.executable, "-c", "import sys, rag.cli; rag.cli.build_parser(); print('torch' in sys.modules, 'llama_index.core' in sys.modules)"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert probe.stdout.split() == ["False", "False"]


@pytest.mark.parametrize("question", ["", "   ", "q" * 5000])
def test_bad_questions_exit_non_zero_with_one_line_and_no_traceback(question, tmp_path):
    result = run_rag("--index-dir", str(tmp_path / "index"), "ask", question)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "question" in result.stderr


@pytest.mark.parametrize("env, message", [
    ({"RAG_LLM_BASE_URL": "http://127.0.0.1:11434/v1"}, "RAG_LLM_MODEL"),
    ({"RAG_AUTH": "admin"}, "RAG_AUTH"),
    ({"RAG_TOP_K": "many"}, "RAG_TOP_K"),
])
def test_a_bad_setting_is_one_line_saying_what_to_set(env, message):
    result = run_rag("ask", "Who was the spokeswoman?", env=env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("rag: ") and message in result.stderr


def test_ask_json_prints_the_answer_with_citations(seeded_engine):
    env = {"RAG_DOCS_DIR": str(seeded_engine.settings.docs_dir), "RAG_INDEX_DIR": str(seeded_engine.settings.index_dir)}
    result = run_rag("ask", "--json", "Who was the spokeswoman?", env=env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert "Paula Dunn" in data["text"]
    assert data["citations"] and data["abstained"] is False


def test_ask_prints_numbered_sources_below_the_answer(seeded_engine):
    env = {"RAG_DOCS_DIR": str(seeded_engine.settings.docs_dir), "RAG_INDEX_DIR": str(seeded_engine.settings.index_dir)}
    result = run_rag("ask", "How many Syrian refugees does Jordan host?", env=env)
    assert result.returncode == 0, result.stderr
    answer, sources = result.stdout.split("\nSources:\n")
    assert "650,000" in answer
    assert sources.lstrip().startswith("[1] ")


def test_ingest_on_an_empty_folder_explains_what_to_do(tmp_path):
    (tmp_path / "docs").mkdir()
    result = run_rag("--docs-dir", str(tmp_path / "docs"), "--index-dir", str(tmp_path / "index"), "ingest", "-q")
    assert result.returncode != 0
    from rag.readers import SUPPORTED_SUFFIXES

    assert f"add documents ({', '.join(SUPPORTED_SUFFIXES)}) or set RAG_DOCS_DIR" in result.stderr
    assert "Traceback" not in result.stderr


def test_ingest_names_each_file_skipped_and_the_formats_read_once(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "note.txt").write_text("The ferry leaves at nine.\n")
    for name in ("setup.exe", "style.css", "logo.svg"):
        (docs / name).write_bytes(b"MZ\x90\x00")
    result = run_rag("--docs-dir", str(docs), "--index-dir", str(tmp_path / "index"), "ingest", "-q")
    assert result.returncode == 0, result.stderr
    assert "skipped setup.exe: unsupported type .exe\n" in result.stdout
    # Named once, below the three files skipped (it ended each of their lines, 350 characters a line).
    assert result.stdout.count(".docx") == 1 and "the formats read: .txt, .md" in result.stdout


def test_ask_names_the_page_of_a_pdf_citation(tmp_path):
    from documents import pdf_bytes

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "story.pdf").write_bytes(pdf_bytes())
    env = {"RAG_DOCS_DIR": str(docs), "RAG_INDEX_DIR": str(tmp_path / "index")}
    result = run_rag("ask", "Who is the lighthouse keeper?", env=env)
    assert result.returncode == 0, result.stderr
    assert "[1] story.pdf, p. 3 (" in result.stdout.split("\nSources:\n")[1]


def test_ask_into_a_pipe_closed_early_ends_quietly(seeded_engine):
    """`rag ask ... | head -1`: the reader leaves after one line; no traceback follows."""
    ask = subprocess.Popen(
        [sys.executable, "-m", "rag", "--docs-dir", str(seeded_engine.settings.docs_dir), "--index-dir",
         str(seeded_engine.settings.index_dir), "ask", "Who wrote to General Dunford?"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    ask.stdout.close()  # the reader is gone before the answer is printed
    _, stderr = ask.communicate(timeout=180)
    assert ask.returncode == 0
    assert b"Traceback" not in stderr and b"BrokenPipe" not in stderr


def test_a_full_disk_is_one_line_saying_what_to_do_not_a_traceback(monkeypatch, capsys):
    import errno

    import rag.cli

    def full(args):
        raise OSError(errno.ENOSPC, "No space left on device")

    parser = rag.cli.build_parser()
    monkeypatch.setattr(rag.cli, "build_parser", lambda: _with_func(parser, full))
    assert rag.cli.main(["ingest"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "disk full" in err[0] and "Traceback" not in err[0]


def _with_func(parser, func):
    """The real parser, every command bound to ``func``."""
    real = parser.parse_args

    def parse_args(argv=None):
        args = real(argv)
        args.func = func
        return args

    parser.parse_args = parse_args
    return parser


def test_a_named_collection_is_made_asked_and_listed_from_the_command_line(tmp_path):
    env = {**os.environ, "RAG_DATA_DIR": str(tmp_path), "RAG_READER": "false"}
    rag = [sys.executable, "-m", "rag", "--collection", "harbour"]
    empty = subprocess.run([*rag, "ingest", "-q"], env=env, capture_output=True, text=True, timeout=300)
    docs = tmp_path / "collections" / "harbour" / "documents"
    assert empty.returncode == 2 and str(docs) in empty.stderr  # made, and says where documents go
    (docs / "notes.md").write_text("# Harbour\n\nThe harbour master is Odile Fairweather.\n")
    assert subprocess.run([*rag, "ingest", "-q"], env=env, capture_output=True, timeout=300).returncode == 0
    asked = subprocess.run([*rag, "ask", "Who is the harbour master?"], env=env, capture_output=True, text=True, timeout=300)
    assert "Odile Fairweather" in asked.stdout and "notes.md" in asked.stdout
    listed = subprocess.run([sys.executable, "-m", "rag", "collections"], env=env, capture_output=True, text=True, timeout=60)
    assert listed.stdout.split("\t")[:2] == ["harbour", "1 documents"]


def test_serve_says_where_a_server_mode_index_lives_without_its_password(tmp_path):
    from rag.cli import _where_index
    from rag.config import Settings

    settings = Settings(index_dir=tmp_path, database_url="postgresql://rag:s3cret@db.internal:5433/rag",
                        chroma_host="chroma.internal", chroma_collection="manuals")
    said = _where_index(settings)
    assert "db.internal:5433/rag (schema rag_manuals)" in said and "chroma.internal:8000" in said
    assert "s3cret" not in said
    assert _where_index(Settings(index_dir=tmp_path)) == str(tmp_path.resolve())


def test_serve_on_a_taken_port_says_so_in_one_line_and_names_a_free_one(tmp_path):
    # `make run` a second time, with the first chat still running: Gradio's traceback used to
    # end "Cannot find empty port in range: 7860-7860 ... GRADIO_SERVER_PORT".
    import socket

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "note.txt").write_text("The harbour opened in 1904.", encoding="utf-8")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_rag("--docs-dir", str(docs), "--index-dir", str(tmp_path / "index"), "serve", "--port", str(port))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    message = result.stderr.strip().splitlines()[-1]
    assert f"127.0.0.1:{port} is already in use" in message and f"--port {port + 1}" in message
