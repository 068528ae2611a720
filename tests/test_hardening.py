"""What a hostile or unlucky user can throw at the engine: each is refused, cleaned or survived."""

from __future__ import annotations

import json
import threading

import pytest

from conftest import copy_seeds
from rag import RAG
from rag.config import Settings
from rag.errors import BadQuestionError, BadUploadError, ConfigError


def test_a_link_to_a_file_outside_the_folder_is_skipped_not_indexed(tmp_path):
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("Secrets\n\nThe vault combination is 31-41-59.\n", encoding="utf-8")
    docs = copy_seeds(tmp_path / "docs")
    (docs / "secret-link.txt").symlink_to(secret)
    (docs / "inside-link.txt").symlink_to(docs / "russia-seeks-us-help-rebuild-syria.txt")
    engine = RAG(docs_dir=docs, index_dir=tmp_path / "index")
    report = engine.ingest(show_progress=False)
    reasons = {s.source: s.reason for s in report.skipped}
    assert "outside the documents folder" in reasons["secret-link.txt"]
    assert report.files_indexed == 3  # a link that stays inside the folder is a document
    answer = engine.ask("What is the vault combination?")
    assert "31-41-59" not in answer.text + " ".join(p.text for p in answer.passages)


def test_a_changed_file_answers_from_its_old_version_while_the_new_one_is_stored(fresh_engine, monkeypatch):
    import rag.ingest.pipeline

    fresh_engine.ingest(show_progress=False)
    path = fresh_engine.settings.docs_dir / "russia-seeks-us-help-rebuild-syria.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("Paula Dunn", "Paula Dunnmore"), encoding="utf-8")
    reader = RAG(docs_dir=fresh_engine.settings.docs_dir, index_dir=fresh_engine.settings.index_dir)
    seen = []
    store = rag.ingest.pipeline.Ingestor._store

    def store_then_ask(self, *args):
        result = store(self, *args)  # the new version's nodes are stored, not yet committed
        answer = reader.ask("Who was the spokeswoman?")
        seen.append([(c.source, c.quote) for c in answer.citations])
        return result

    monkeypatch.setattr(rag.ingest.pipeline.Ingestor, "_store", store_then_ask)
    fresh_engine.ingest(show_progress=False)
    assert any(source == path.name for source, _ in seen[0])  # still answering from that file
    for source, quote in seen[0]:
        assert "Dunnmore" not in quote  # the old version, whose text source_text still returns


def test_a_file_whose_reader_crashes_is_reported_and_the_rest_indexed(fresh_engine, monkeypatch):
    import rag.readers.isolated

    real = rag.readers.isolated.read_document

    def crash_on_one(name, raw, limits):
        if name.startswith("russia-us"):
            raise RecursionError("maximum recursion depth exceeded in the parser's walk")
        return real(name, raw, limits)

    monkeypatch.setattr(rag.readers.isolated, "read_document", crash_on_one)
    report = fresh_engine.ingest(show_progress=False)
    assert report.files_indexed == 1
    reason = report.skipped[0].reason
    # Plain words and what to do, the exception's kind only in brackets: no parser internals.
    assert "could not be read" in reason and "(RecursionError)" in reason and "parser's walk" not in reason


def test_a_long_file_is_split_in_bounded_segments(tmp_path, monkeypatch):
    """llama-index hashes a node's whole parent for every node it cuts: parents stay small,
    so splitting grows linearly with the file (bench/hardening.py times it)."""
    import rag.ingest.split

    seen = []
    real = rag.ingest.split.Splitter.__init__

    def spy(self, settings):
        real(self, settings)
        split = self.splitter.get_nodes_from_documents
        self.splitter = type("S", (), {"get_nodes_from_documents": lambda _, docs: seen.append(len(docs[0].text)) or split(docs)})()

    monkeypatch.setattr(rag.ingest.split.Splitter, "__init__", spy)
    docs = tmp_path / "docs"
    docs.mkdir()
    paragraph = "The tide rose over the harbour wall and the boats lifted on their moorings. " * 8
    (docs / "long.txt").write_text("\n\n".join(paragraph for _ in range(150)), encoding="utf-8")
    RAG(docs_dir=docs, index_dir=tmp_path / "index").ingest(show_progress=False)
    assert len(seen) > 4 and max(seen) <= rag.ingest.split.SEGMENT_CHARS


@pytest.mark.parametrize(
    "question, history",
    [
        ("Who was the spokes\ud800woman?", None),
        # "she" points back, so the earlier turn is embedded with the question
        ("What did she say?", [{"role": "user", "content": "Who was the spokes\udfffwoman?"}]),
    ],
)
def test_lone_surrogates_are_cleaned_at_once(seeded_engine, question, history):
    answer = seeded_engine.ask(question, history=history)
    assert "\ud800" not in answer.question and "\udfff" not in answer.question
    json.dumps(answer.to_dict(), ensure_ascii=False).encode("utf-8")  # the answer can be sent as UTF-8
    assert not answer.abstained and answer.citations  # asked as if the stray character were not there


@pytest.mark.parametrize("history", [42, "not a list", b"bytes"])
def test_history_that_is_not_a_list_of_turns_is_refused_saying_what_it_must_be(seeded_engine, history):
    with pytest.raises(BadQuestionError, match="history must be a list of earlier turns"):
        seeded_engine.ask("Who was the spokeswoman?", history=history)


@pytest.mark.parametrize("history", [[42], [{"role": "user", "content": 7}], [None, {"role": "assistant"}]])
def test_turns_that_hold_no_text_are_ignored_and_the_question_answered(seeded_engine, history):
    assert "Paula Dunn" in seeded_engine.ask("Who was the spokeswoman?", history=history).text


def test_twenty_threads_can_make_the_first_calls_at_once(tmp_path):
    seeded = RAG(docs_dir=copy_seeds(tmp_path / "docs"), index_dir=tmp_path / "index")
    seeded.ingest(show_progress=False)
    fresh = RAG(docs_dir=tmp_path / "docs", index_dir=tmp_path / "index")
    answers = []
    assert _errors_in_threads(lambda: answers.append(fresh.ask("Who was the spokeswoman?")), 20) == []
    assert len(answers) == 20 and all("Paula Dunn" in a.text for a in answers)


def _errors_in_threads(call, count: int) -> list[str]:
    """Run ``call`` in ``count`` threads at once; whatever escapes any of them."""
    errors = []

    def guarded():
        try:
            call()
        except Exception as exc:  # noqa: BLE001 - the test reports whatever escapes
            errors.append(repr(exc))

    threads = [threading.Thread(target=guarded) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_upload_names_keep_unicode_letters_and_never_collide_or_overflow(fresh_engine):
    fresh_engine.ingest(show_progress=False)
    text = "Notes\n\nThe kiln in {} reached 1,200 degrees.\n"
    fresh_engine.add_document("日本語.txt", text.format("Kyoto").encode())
    fresh_engine.add_document("a日本.txt", text.format("Osaka").encode())
    fresh_engine.add_document("a中国.txt", text.format("Jingdezhen").encode())
    fresh_engine.add_document("x" * 300 + ".txt", text.format("Stoke").encode())
    sources = [d.source for d in fresh_engine.status().documents]
    assert {"日本語.txt", "a日本.txt", "a中国.txt"} <= set(sources)
    assert any(s.endswith(".txt") and len(s.encode()) <= 255 and s.startswith("xxx") for s in sources)


def test_an_upload_named_like_a_folder_is_refused(fresh_engine):
    (fresh_engine.settings.docs_dir / "x.txt").mkdir()
    with pytest.raises(BadUploadError, match="folder"):
        fresh_engine.add_document("x.txt", b"Notes\n\nSome text.\n")


@pytest.mark.parametrize("auth", ["user", "user:", ":password"])
def test_a_login_setting_missing_its_user_or_password_is_refused_before_anything_starts(auth):
    with pytest.raises(ConfigError, match="RAG_AUTH must be user:password"):
        Settings.from_env({"RAG_AUTH": auth})


def test_the_bm25_index_built_by_two_threads_at_once_is_whole(seeded_engine, tmp_path):
    """The ingest's rebuild and a request that found no index (the chat's page load while the
    folder is indexed) once wrote the same staging file: one of them failed."""
    from rag.retrieve import LexicalIndex

    build = lambda: LexicalIndex.build(seeded_engine.passage_collection, tmp_path / "bm25", generation=1)  # noqa: E731
    assert _errors_in_threads(build, 6) == []
    assert LexicalIndex.load(tmp_path / "bm25").count == seeded_engine.passage_collection.count()
