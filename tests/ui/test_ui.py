"""The chat's handlers driven directly against a real engine on a temp index."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import gradio as gr
import pytest

from ui.app import Handlers, build_app, launch_options


@pytest.fixture
def handlers(fresh_engine):
    fresh_engine.ingest(show_progress=False)
    return Handlers(fresh_engine)


def test_a_question_adds_both_turns_and_fills_the_sources_panel(handlers):
    history, box, answer, sources, pick, view, original, notice, kept, past = handlers.respond("Who was the spokeswoman?", [])
    assert [m["role"] for m in history] == ["user", "assistant"]
    assert "Paula Dunn" in history[1]["content"] and "[1]" in history[1]["content"]
    assert box == ""
    quote = answer["citations"][0]["quote"]
    assert "<mark>" in sources and "Paula Dunn" in sources.split("<mark>")[1]
    assert answer["citations"][0]["source"] in sources
    assert len(pick["choices"]) == len(answer["citations"])
    assert quote.split("”")[0][:20] in sources.replace("&quot;", '"')


def test_the_whole_conversation_reaches_the_engine_for_a_follow_up(handlers):
    history, *_ = handlers.respond("Who sent the proposal to rebuild Syria?", [])
    history, _, answer, *_ = handlers.respond("When did he send it?", history)
    assert "July 19" in history[-1]["content"]
    assert not answer["abstained"]


def test_an_abstention_reads_as_one_and_offers_the_nearest_passages(handlers):
    history, _, answer, sources, pick, *_ = handlers.respond("What is the capital of France?", [])
    assert answer["abstained"]
    assert "clearly answers" in history[-1]["content"]
    assert "clearly answers" in sources and sources.count('class="card"') == len(answer["passages"]) > 0
    assert pick["visible"] is False


def test_conflicting_sources_are_flagged_in_the_panel(handlers):
    _, _, _, sources, *_ = handlers.respond("To which US general did Gerasimov send the proposal?", [])
    assert "The sources disagree" in sources
    assert "Dunford" in sources and "Danford" in sources


def test_selecting_a_citation_shows_its_whole_source_with_the_quote_marked(handlers):
    _, _, answer, *_ = handlers.respond("Who was the spokeswoman?", [])
    view, original = handlers.show_source(2, answer)
    assert answer["citations"][1]["source"] in view
    assert view.count("<mark>") == 1
    assert original["visible"] and Path(original["value"]).name == answer["citations"][1]["source"]


def test_an_empty_or_overlong_question_is_a_calm_line_under_the_box_and_the_chat_is_kept(handlers):
    earlier = [{"role": "user", "content": "Who sent the proposal?"}, {"role": "assistant", "content": "Gerasimov [1]"}]
    chat, box, *_, notice, _, _ = handlers.respond("   ", earlier)
    assert notice == "The question is empty: type a question about the documents."
    assert chat == earlier
    long = "Why " * 600
    chat, box, *_, notice, _, _ = handlers.respond(long, earlier)
    assert box == long  # kept, to shorten
    assert "shorten it to 2,000 or fewer" in notice and "RAG_" not in notice
    *_, notice, _, _ = handlers.respond("Who was the spokeswoman?", [])
    assert notice == ""


def test_an_uploaded_file_is_indexed_and_can_be_asked_about(handlers, tmp_path):
    note = tmp_path / "lighthouse notes.md"
    note.write_text("Lighthouse notes\n\nThe Fastnet lighthouse keeper was Orla Brennan in 1904.\n")
    message, status, remove_choices, cleared = handlers.upload([str(note)], False)
    assert "Indexed" in message and cleared is None
    assert "lighthouse_notes.md" in shown(status) and "3 documents" in status
    assert "lighthouse_notes.md" in remove_choices["choices"]
    _, _, answer, *_ = handlers.respond("Who was the keeper of the Fastnet lighthouse?", [])
    assert "Orla Brennan" in answer["text"]


def test_an_upload_read_in_part_says_what_was_not_read(handlers, tmp_path, monkeypatch):
    # A PDF with a scanned page, uploaded on a machine without Tesseract.
    import io

    import pypdfium2 as pdfium
    from documents import pdf_bytes, scanned_text_pdf_bytes

    mixed = pdfium.PdfDocument(pdf_bytes())
    mixed.import_pages(pdfium.PdfDocument(scanned_text_pdf_bytes()), [0])
    out = io.BytesIO()
    mixed.save(out)
    upload = tmp_path / "harbour-report.pdf"
    upload.write_bytes(out.getvalue())
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract, in the reader process either
    message, *_ = handlers.upload([str(upload)], False)
    assert "Indexed" in message and "1 of 4 pages is a scan" in message and "make ocr" in message


def test_a_bad_upload_is_refused_and_nothing_indexed_is_lost(handlers, tmp_path):
    before = handlers.engine.status().passages
    bad = tmp_path / "slides.pdf"
    bad.write_bytes(b"%PDF-1.4")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"\x00\x01\x02")
    message, status, *_ = handlers.upload([str(bad), str(binary)], False)
    assert message.count("Not added") == 2 and ".pdf" not in status
    assert handlers.engine.status().passages == before


def test_an_upload_never_escapes_the_documents_folder_or_silently_overwrites(handlers, tmp_path):
    engine = handlers.engine
    engine.add_document("../../escape.txt", b"Escape attempt\n\nThis file tried to leave the folder.\n")
    assert (engine.settings.docs_dir / "escape.txt").exists()
    assert not (engine.settings.docs_dir.parent / "escape.txt").exists()
    same_name = tmp_path / "escape.txt"
    same_name.write_text("Different content\n\nA different document with the same name.\n")
    message, *_ = handlers.upload([str(same_name)], False)
    assert "already exists" in message
    message, *_ = handlers.upload([str(same_name)], True)
    assert "Indexed" in message


def test_a_conversation_is_kept_reopened_after_a_reload_continued_renamed_and_deleted(handlers):
    chat, _, answer, *_, kept, past = handlers.respond("Who sent the proposal?", [])
    assert kept and [c[1] for c in past["choices"]] == [kept] and past["value"] == kept
    assert past["choices"][0][0] == "Who sent the proposal?"  # titled by its first question
    # A reload: the page opens the conversation the browser kept, its answer's sources shown.
    reopened, _, last, sources, pick, *_, same, _ = handlers.open_conversation(kept)
    assert reopened == chat and same == kept and last["text"] == answer["text"]
    assert "<mark>" in sources and len(pick["choices"]) == len(answer["citations"])
    # Continued: the follow-up is answered with the kept turns as its history.
    chat, _, followup, *_, still, _ = handlers.respond("When did he send it?", reopened, kept)
    assert still == kept and len(handlers.engine.conversations.messages(kept)) == 4
    assert not followup["abstained"]
    past, _ = handlers.rename_conversation(kept, "Reconstruction letter")
    assert past["choices"][0][0] == "Reconstruction letter"
    emptied, *_, gone, past = handlers.delete_conversation(kept)
    assert emptied == [] and gone is None and past["choices"] == []


def test_a_conversation_continues_from_python(fresh_engine):
    kept = fresh_engine.conversations.start()
    fresh_engine.ask("Who sent the proposal?", conversation=kept)
    followup = fresh_engine.ask("When did he send it?", conversation=kept)
    assert not followup.abstained
    assert [m["role"] for m in fresh_engine.conversations.messages(kept)] == ["user", "assistant"] * 2
    assert fresh_engine.conversations.list()[0].turns == 2


def test_removing_a_document_asks_first_takes_it_out_of_the_index_and_can_be_undone(handlers):
    source = "russia-seeks-us-help-rebuild-syria.txt"
    question, confirm = handlers.ask_to_remove(source)
    assert source in shown(question) and confirm["visible"]
    assert (handlers.engine.settings.docs_dir / source).exists()  # nothing removed yet
    message, status, _, undo, removed = handlers.remove(source)
    assert "Removed" in message and undo["visible"] and removed == source
    assert "1 documents" in status and source not in shown(status)
    assert not (handlers.engine.settings.docs_dir / source).exists()
    assert all(c.source != source for c in handlers.engine.ask("Who was the spokeswoman?").citations)
    message, status, _, undo, removed = handlers.undo_remove(removed)
    assert message == f"Restored {source}." and not undo["visible"]
    assert "2 documents" in status and source in shown(status)
    assert "Paula Dunn" in handlers.engine.ask("Who was the spokeswoman?").text
    message, *_ = handlers.remove("../etc/passwd")
    assert "Not removed" in message


def test_the_app_builds_and_binds_locally_without_a_share_link(fresh_engine):
    assert isinstance(build_app(fresh_engine), gr.Blocks)
    options = launch_options(fresh_engine.settings)
    assert options["server_name"] == "127.0.0.1" and options["share"] is False and "auth" not in options
    options = launch_options(fresh_engine.settings.replace(auth="ana:s3cret"))
    login = options["auth"]
    assert asyncio.run(login("ana", "s3cret")) is True
    assert asyncio.run(login("ana", "wrong")) is False
    assert login.delay(len(login.failures) + 5) > login.delay(len(login.failures))  # guessing slows down
    # The documents folder is never served as it is; every page carries a security policy.
    assert options["allowed_paths"] == [] and str(fresh_engine.settings.docs_dir.resolve()) in options["blocked_paths"]


def test_an_uploaded_pdf_is_asked_about_and_its_page_shown_and_original_offered(handlers, tmp_path):
    from documents import pdf_bytes

    report = tmp_path / "harbour report.pdf"
    report.write_bytes(pdf_bytes())
    message, status, *_ = handlers.upload([str(report)], False)
    assert "Indexed" in message and "harbour_report.pdf" in shown(status) and "3 pages" in status
    _, _, answer, sources, *_ = handlers.respond("Who designed the new pier?", [])
    first = answer["citations"][0]
    assert (first["source"], first["page"]) == ("harbour_report.pdf", 2)
    assert "harbour_report.pdf, p. 2" in sources and "characters" not in sources
    view, original = handlers.show_source(1, answer)
    assert "Quillfeather" in view
    # The PDF reads as flowing paragraphs: its lines joined, its paragraphs kept apart.
    assert "summer timetable" in view and "summer\ntimetable" not in view and "\n\n" in view
    assert Path(original["value"]).read_bytes() == report.read_bytes()
    assert "page 2" in original["label"]


def test_a_page_loaded_later_lists_documents_added_elsewhere(handlers):
    handlers.engine.add_document("tide-tables.md", b"# Tide tables\n\nHigh water at Porthcawl is at 06:12.\n")
    status, choices = handlers.refresh()
    assert "tide-tables.md" in shown(status) and "tide-tables.md" in choices["choices"]
    message, *_ = handlers.remove("tide-tables.md")
    assert message == "Removed tide-tables.md."


def test_the_page_opens_before_the_folder_is_indexed_and_follows_the_ingest(fresh_engine):
    """`rag serve` opens the page at once and indexes meanwhile: the status says so, and
    once the ingest is done the documents and the verified example questions appear."""
    from ui.app import DEFAULT_EXAMPLE, INDEXING_NOTE

    handlers = Handlers(fresh_engine)
    build_app(fresh_engine, handlers)
    handlers.indexing = True
    status, _choices, _examples, timer = handlers.on_tick()
    assert INDEXING_NOTE in status and "No documents indexed yet" in status
    assert timer.active

    fresh_engine.ingest(show_progress=False)
    handlers.indexing = False
    status, choices, examples, timer = handlers.on_tick()
    assert INDEXING_NOTE not in status and "2 documents" in status
    assert len(choices["choices"]) == 2
    assert not timer.active
    asked = [sample[0] for sample in examples.samples]
    assert asked != [DEFAULT_EXAMPLE]
    assert asked and all(not fresh_engine.ask(q).abstained for q in asked)


def shown(markdown: str) -> str:
    """Markdown as the page shows it, as far as these tests look: escapes removed."""
    return re.sub(r"\\(.)", r"\1", markdown)


def test_an_upload_reports_its_progress_as_it_embeds(handlers, tmp_path):
    seen = []

    def progress(fraction, desc=""):
        seen.append((fraction, desc))

    long = tmp_path / "long notes.md"
    long.write_text("# Notes\n\n" + "".join(f"The keeper logged storm number {i} at dawn. " for i in range(3000)))
    message, *_ = handlers.upload([str(long)], False, progress=progress)
    assert "Indexed" in message
    counts = [d for _, d in seen if "embedded" in d]
    assert len(set(counts)) >= 3 and "long notes.md" in counts[-1]  # the count moves while it embeds
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_a_browser_chooses_a_collection_and_its_documents_are_its_own(fresh_engine, tmp_path):
    from rag import RAG

    handlers = Handlers(RAG(settings=fresh_engine.settings.replace(data_dir=tmp_path / "data")))
    build_app(handlers.engine, handlers)
    handlers.engine.ingest(show_progress=False)
    *_, where, chooser, chosen = handlers.switch_collection("harbour")
    assert chosen == "harbour" and str(tmp_path / "data" / "collections" / "harbour" / "documents") in shown(where)
    assert [value for _, value in chooser["choices"]] == ["", "harbour"] and chooser["value"] == "harbour"
    note = tmp_path / "tides.md"
    note.write_text("# Tides\n\nHigh water at Porthcawl is at 06:12 on Monday.\n")
    message, status, *_ = handlers.upload([str(note)], False, "harbour")
    assert "Indexed" in message and "1 documents" in status
    _, _, answer, *_ = handlers.respond("When is high water at Porthcawl?", [], None, "harbour")
    assert answer["citations"] and {c["source"] for c in answer["citations"]} == {"tides.md"}
    # The folder the app started with is untouched by it.
    status, _ = handlers.refresh(None)
    assert "2 documents" in status and "tides.md" not in shown(status)
    _, _, answer, *_ = handlers.respond("When is high water at Porthcawl?", [], None, None)
    assert all(c["source"] != "tides.md" for c in answer["citations"])
    *_, refused, _, unchanged = handlers.switch_collection("../etc")
    assert "not a collection name" in refused and unchanged == gr.update()


def test_removing_a_part_of_a_large_mailbox_says_the_whole_mailbox_goes_and_undo_brings_it_back(tmp_path, monkeypatch):
    import shutil

    import rag.readers.mail as mail
    from rag import RAG

    monkeypatch.setattr(mail, "MAILBOX_PART_BYTES", 300)  # networkx's five messages in four parts
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(Path(__file__).parents[1] / "fixtures" / "mail" / "unix_email.mbox", docs / "Inbox")
    engine = RAG(docs_dir=docs, index_dir=tmp_path / "index")
    engine.ingest(show_progress=False)
    parts = Handlers(engine)
    question, confirm = parts.ask_to_remove("Inbox · part 2")
    assert "Inbox (the whole mailbox, every part)" in shown(question) and confirm["visible"]
    message, status, _, undo, removed = parts.remove("Inbox · part 2")
    assert "Removed Inbox (the whole mailbox, every part)" in shown(message) and undo["visible"]
    assert not (docs / "Inbox").exists() and engine.status().documents == []
    message, *_ = parts.undo_remove(removed)
    assert (docs / "Inbox").exists() and len(engine.status().documents) == 4, message


def test_an_uploaded_zip_archive_is_indexed_as_its_documents_and_says_what_it_left_out(handlers, tmp_path):
    import zipfile

    fixtures = Path(__file__).parents[1] / "fixtures"
    bundle = tmp_path / "talks.zip"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(fixtures / "office97" / "nyquist-cellular-automata.ppt", "nyquist/cellular-automata.ppt")
        archive.writestr("install.exe", b"MZ\x90\x00")
    message, status, remove_choices, _ = handlers.upload([str(bundle)], False)
    assert "**Indexed** talks.zip" in shown(message) and "install.exe: unsupported type .exe" in shown(message)
    assert "talks.zip › nyquist/cellular-automata.ppt" in remove_choices["choices"]
    _, _, answer, *_ = handlers.respond("Who gave the talk about cellular automata and Nyquist?", [])
    assert "Ann Lewis" in answer["text"]
    empty = tmp_path / "programs.zip"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("install.exe", b"MZ\x90\x00")
    message, *_ = handlers.upload([str(empty)], False)
    assert "Not added" in message and "no documents inside" in message


def test_an_uploaded_tarball_and_a_compressed_page_are_indexed_as_their_documents(handlers, tmp_path):
    import gzip
    import tarfile

    fixtures = Path(__file__).parents[1] / "fixtures"
    tarball = tmp_path / "faq.tar.gz"
    with tarfile.open(tarball, "w:gz") as archive:
        archive.add(fixtures / "debian-faq" / "redistributing.en.html", "faq/redistributing.en.html")
    page = tmp_path / "compatibility.en.html.gz"
    page.write_bytes(gzip.compress((fixtures / "debian-faq" / "compatibility.en.html").read_bytes()))
    message, status, remove_choices, _ = handlers.upload([str(tarball), str(page)], False)
    assert "**Indexed** faq.tar.gz" in shown(message) and "compatibility.en.html.gz" in shown(message), message
    assert {"faq.tar.gz › faq/redistributing.en.html", "compatibility.en.html.gz"} <= set(remove_choices["choices"])
    _, _, answer, sources, *_ = handlers.respond("Will programs built for other Linux distributions run on Debian?", [])
    assert answer["citations"][0]["source"] == "compatibility.en.html.gz" and "compatibility.en.html.gz" in sources
    # A project's tarball: its stylesheets left out are named, ten at most, without the list of
    # formats read each reason ended with (350 characters a member).
    site = tmp_path / "site.tar.gz"
    with tarfile.open(site, "w:gz") as archive:
        archive.add(fixtures / "debian-faq" / "index.en.html", "site/index.html")
        for i in range(30):
            archive.add(fixtures / "debian-faq" / "COPYRIGHT", f"site/style{i}.css")
    message, *_ = handlers.upload([str(site)], False)
    assert "style0.css: unsupported type .css" in shown(message) and "and 20 more left out" in shown(message)
    assert "only .txt" not in shown(message) and "style29.css" not in shown(message)
    cut = tmp_path / "cut.txt.gz"
    cut.write_bytes(gzip.compress(b"The ferry leaves at nine.\n" * 100)[:30])
    message, *_ = handlers.upload([str(cut)], False)
    assert "Not added" in message and "damaged" in message, message
