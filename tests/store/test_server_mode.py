"""Server mode: app replicas on one PostgreSQL and one Chroma server share one index.

Each replica is a process of its own with an index folder of its own (as on another
machine); the servers are real, started by scripts/postgres-server.sh and
scripts/chroma-server.sh.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from conftest import ROOT, copy_seeds
from servers import Replica, Servers, postgres_installed
from corpora import index_contents, write_folder

pytestmark = pytest.mark.skipif(not postgres_installed(), reason="PostgreSQL is not installed: make postgres")

QUESTIONS = [
    "Who was the spokeswoman?",
    "Who wrote the letter and who got it?",
    "How much money would it take to rebuild the country?",
    "What did Assad's government say about the Russian plan?",
    "Summarize the documents",
]


@pytest.fixture(scope="module")
def servers():
    s = Servers().start()
    yield s
    s.stop()


def cited(answer: dict) -> tuple:
    """What a user sees of an answer: its text and where each citation points."""
    return answer["text"], [(c["source"], c["start"], c["end"]) for c in answer["citations"]]


def test_two_replicas_answer_the_same_questions_identically(servers, tmp_path):
    docs = copy_seeds(tmp_path / "docs")
    first = Replica(servers.env("same", docs, tmp_path / "first"))
    # The second has an empty documents folder and an index folder of its own: another machine.
    (tmp_path / "elsewhere").mkdir()
    second = Replica(servers.env("same", tmp_path / "elsewhere", tmp_path / "second"))
    try:
        assert first.ingest()["indexed"] == 2
        for question in QUESTIONS:
            assert cited(second.ask(question)) == cited(first.ask(question)), question
        assert second.send(status=True) == first.send(status=True)
        # Without the documents, its ingest refuses to empty the index the others share.
        with pytest.raises(RuntimeError, match="nothing was removed"):
            second.ingest()
        assert second.send(status=True) == first.send(status=True)
    finally:
        first.close(), second.close()
    # What the second kept on its own disk is its BM25 index only, rebuilt from the servers.
    assert {p.name for p in (tmp_path / "second").iterdir()} <= {"bm25"}


def test_a_replica_answers_from_another_replicas_ingest_at_its_next_question(servers, tmp_path):
    docs = copy_seeds(tmp_path / "docs")
    writer = Replica(servers.env("next", docs, tmp_path / "writer"))
    reader = Replica(servers.env("next", tmp_path / "elsewhere", tmp_path / "reader"))
    question = "What colour did the lighthouse keeper paint the lamp room?"
    try:
        writer.ingest()
        assert "cobalt" not in reader.ask(question)["text"]
        (docs / "lighthouse.txt").write_text(
            "Lighthouse log\n\nThe lighthouse keeper Tobias Renwick repainted the lamp room in cobalt blue.\n",
            encoding="utf-8",
        )
        assert writer.ingest()["indexed"] == 1
        answer = reader.ask(question)  # the first question after the ingest finished
        assert "cobalt blue" in answer["text"]
        assert answer["citations"][0]["source"] == "lighthouse.txt"

        (docs / "lighthouse.txt").unlink()
        assert writer.ingest()["removed"] == 1
        assert all(c["source"] != "lighthouse.txt" for c in reader.ask(question)["citations"])
    finally:
        writer.close(), reader.close()


def ingest_process(env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "rag", "ingest", "-q"], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_an_ingest_killed_on_one_replica_is_completed_from_another(servers, tmp_path):
    from rag import RAG

    docs = write_folder(tmp_path / "docs")
    killed = ingest_process(servers.env("killed", docs, tmp_path / "killed"))
    watcher = RAG(**servers.settings("killed", docs, tmp_path / "watcher"))
    deadline = time.monotonic() + 180
    while watcher.storage.manifest().count() < 3 and time.monotonic() < deadline and killed.poll() is None:
        time.sleep(0.05)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    kept = watcher.storage.manifest().count()
    assert 3 <= kept < 12, "the ingest must be killed in the middle of the folder"

    # Another replica (the same documents, shared with it) finishes the job: the kill left
    # the lock free (PostgreSQL ended the dead connection's session) and a half-written file.
    other = RAG(**servers.settings("killed", docs, tmp_path / "other"))
    report = other.ingest(show_progress=False)
    assert report.files_unchanged == kept and report.files_indexed == 12 - kept

    clean = RAG(docs_dir=docs, index_dir=tmp_path / "clean")  # embedded, from scratch
    clean.ingest(show_progress=False)
    contents = index_contents(other)
    assert contents == index_contents(clean)  # 0 missing
    for rows in contents.values():
        assert not [row for row, n in Counter(rows).items() if n > 1]  # 0 duplicates
    storage = other.storage
    assert storage.manifest().journal() == []
    assert storage.db.query("SELECT count(*) FROM texts")[0][0] == 12  # one text a document, none orphaned
    answer = other.ask("What was Super Bowl 50?")  # answered from the completed index (not a reading test)
    assert "American football game" in answer.text and not answer.abstained


def test_two_ingests_from_two_processes_take_turns(servers, tmp_path):
    from rag import RAG

    docs = write_folder(tmp_path / "docs", files=4)
    # Held here, the lock keeps a replica's ingest waiting, and it says so.
    holder = RAG(**servers.settings("turns", docs, tmp_path / "holder"))
    with holder.storage.lock():
        waiting = ingest_process(servers.env("turns", docs, tmp_path / "a"))
        deadline = time.monotonic() + 60
        said = ""
        os.set_blocking(waiting.stderr.fileno(), False)
        while "waiting" not in said and time.monotonic() < deadline and waiting.poll() is None:
            time.sleep(0.2)
            said += os.read(waiting.stderr.fileno(), 65536).decode("utf-8", "replace") if _readable(waiting) else ""
        assert "another ingest is writing" in said
        assert holder.storage.manifest().count() == 0  # nothing written while the lock is held
    out, _ = waiting.communicate(timeout=300)
    assert waiting.returncode == 0 and "4 files indexed" in out

    # Two at once on a changed folder: one writes, the other waits and then finds it done.
    for path in docs.iterdir():
        path.write_text(path.read_text(encoding="utf-8") + "\n\nA closing line.\n", encoding="utf-8")
    both = [ingest_process(servers.env("turns", docs, tmp_path / name)) for name in ("b", "c")]
    outs = [p.communicate(timeout=300)[0] for p in both]
    assert [p.returncode for p in both] == [0, 0]
    assert sorted("4 files indexed" in out for out in outs) == [False, True], outs
    contents = index_contents(holder)
    for rows in contents.values():
        assert not [row for row, n in Counter(rows).items() if n > 1]
    assert len({source for source, *_ in contents["passages"]}) == 4


def _readable(process: subprocess.Popen) -> bool:
    import select

    return bool(select.select([process.stderr], [], [], 0)[0])
