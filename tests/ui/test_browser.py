"""End to end in a real browser: Playwright drives Debian's headless Chromium against the served app."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT, free_port

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed: run `make browser`"),
]


@pytest.fixture
def served(fresh_engine):
    from ui.app import serve

    port = free_port()
    app = serve(fresh_engine, port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    app.close()


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-component-update", "--no-first-run"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(60_000)
        yield page
        browser.close()


def ask(page, question: str) -> None:
    page.locator("#question textarea").fill(question)
    page.locator("#ask").click()


def test_ask_see_cited_quote_upload_and_ask_about_the_upload(served, page, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(served)
    # The page opens while the folder is indexed; the status follows the ingest.
    page.wait_for_function(
        "() => { const e = document.querySelector('#index-status'); const t = e ? e.innerText : '';"
        " return t.includes('2 documents') && !t.includes('Indexing'); }"
    )
    ask(page, "Who was the spokeswoman?")
    page.locator("#chat").get_by_text("Paula Dunn", exact=False).first.wait_for()
    marked = page.locator("#sources mark").first
    marked.wait_for()
    assert "Paula Dunn" in marked.inner_text()
    assert "[1][2]" in page.locator("#chat").inner_text()
    # Clicking the answer's [2] shows that source: its card is marked and it opens in full,
    # scrolled to its quote, deep in the article.
    box = page.evaluate("""() => {
      const rows = document.querySelectorAll('#chat .bot-row'), p = rows[rows.length - 1].querySelector('p');
      const node = [...p.childNodes].find((n) => n.nodeType === Node.TEXT_NODE && n.textContent.includes('[2]'));
      const range = document.createRange(), at = node.textContent.indexOf('[2]');
      range.setStart(node, at + 1); range.setEnd(node, at + 2);
      const r = range.getBoundingClientRect(); return {x: r.x + r.width / 2, y: r.y + r.height / 2};
    }""")
    page.mouse.click(box["x"], box["y"])
    page.locator("#sources .card.picked#citation-2").wait_for()
    page.locator("#source-view h4").get_by_text("[2]").wait_for()
    page.locator("#source-view mark").wait_for()
    page.wait_for_function(
        "() => { const m = document.querySelector('#source-view mark').getBoundingClientRect();"
        " const v = document.querySelector('#source-view .context').getBoundingClientRect();"
        " return m.top >= v.top && m.bottom <= v.bottom; }", timeout=5000,
    )
    assert page.evaluate("document.querySelector('#source-view .context').scrollTop") > 0

    # A reload brings the conversation back, its sources too.
    page.reload()
    page.locator("#chat").get_by_text("Paula Dunn", exact=False).first.wait_for()
    page.locator("#sources mark").first.wait_for()

    ask(page, "To which US general did Gerasimov send the proposal?")
    page.locator("#sources .conflict").wait_for()
    # A past chat is reopened from the sidebar after starting a new one.
    page.locator("#conversations").locator("button").first.click()  # the sidebar's toggle
    page.locator("#new-conversation").click()
    page.wait_for_function("() => !document.querySelector('#chat').innerText.includes('Paula Dunn')")
    page.locator("#past-conversations").get_by_text("Who was the spokeswoman?").click()
    page.locator("#chat").get_by_text("Paula Dunn", exact=False).first.wait_for()
    page.locator("#sources .conflict").wait_for()  # the last answer's sources with it
    assert "Danford" in page.locator("#sources .conflict").inner_text()
    page.screenshot(path=str(ARTIFACTS / "chat.png"), full_page=True)

    from documents import pdf_bytes

    report = tmp_path / "harbour.pdf"
    report.write_bytes(pdf_bytes())
    page.locator("#upload input[type=file]").set_input_files(str(report))
    # Not the status list: while indexing, the progress text ("Indexing harbour.pdf") shows there too.
    page.locator("#upload-message").get_by_text("Indexed harbour.pdf").wait_for()
    ask(page, "Who designed the new pier?")
    page.locator("#chat").get_by_text("Quillfeather", exact=False).first.wait_for()
    assert "Quillfeather" in page.locator("#sources mark").first.inner_text()
    assert "harbour.pdf, p. 2" in page.locator("#sources .meta").first.inner_text()

    page.locator("#citation-pick").get_by_text("[1] harbour.pdf").click()
    page.locator("#source-view mark").wait_for()
    with page.expect_download() as download:
        page.locator("#open-original").click()
    assert Path(download.value.path()).read_bytes() == report.read_bytes()
    # The browser's PDF viewer opens the original at the cited page.
    with page.context.expect_page() as opened:
        page.locator("#source-view a.open-at-page").get_by_text("at page 2").click()
    assert opened.value.url.endswith("/harbour.pdf#page=2")
    shown = page.request.get(opened.value.url.split("#")[0])
    assert shown.body() == report.read_bytes() and shown.headers["content-disposition"].startswith("inline")
    assert page.request.get(served + "original/0123456789abcdef/..%2F.env").status == 404
    opened.value.close()

    # Removing asks first, and Undo puts the document back.
    status = page.locator("#index-status")
    page.get_by_label("Remove a document").click()
    page.get_by_role("option", name="harbour.pdf").click()
    page.locator("#remove").click()
    page.locator("#upload-message").get_by_text("Remove harbour.pdf from the documents?").wait_for()
    assert "3 documents" in status.inner_text()  # asked, not yet removed
    page.locator("#confirm-remove").click()
    page.locator("#upload-message").get_by_text("Removed harbour.pdf.").wait_for()
    page.wait_for_function("() => document.querySelector('#index-status').innerText.includes('2 documents')")
    page.locator("#undo-remove").click()
    page.locator("#upload-message").get_by_text("Restored harbour.pdf.").wait_for()
    page.wait_for_function("() => document.querySelector('#index-status').innerText.includes('3 documents')")

    page.set_viewport_size({"width": 420, "height": 900})
    page.screenshot(path=str(ARTIFACTS / "chat-narrow.png"), full_page=True)


@pytest.fixture
def served_with_model(fresh_engine):
    """The chat over the seeds, its answers written by the scripted model (tests/llm_server.py)."""
    from llm_server import ScriptedServer
    from rag import RAG
    from ui.app import serve

    server = ScriptedServer().start()
    engine = RAG(docs_dir=fresh_engine.settings.docs_dir, index_dir=fresh_engine.settings.index_dir,
                 llm_base_url=server.base_url, llm_model="scripted", llm_timeout=30.0)
    engine.ingest(show_progress=False)
    port = free_port()
    app = serve(engine, port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/", server
    app.close()
    server.stop()


def test_a_model_answer_streams_in_and_an_unsupported_sentence_is_marked(served_with_model, page):
    import re

    from llm_server import Reply

    url, server = served_with_model

    def reply(prompt: str) -> str:
        n = next(m.group(1) for line in prompt.splitlines() if (m := re.match(r"\[(\d+)\] ", line)) and "Paula Dunn" in line)
        return f"The spokeswoman was Captain Paula Dunn. [{n}] She has served in the navy since 1990. [{n}]"

    server.replies.append(Reply(reply, pieces=8, chunk_delay=0.4))
    page.goto(url)
    ask(page, "Who was the spokeswoman?")
    page.locator("#sources").get_by_text("Writing the answer").wait_for()  # streamed: text arrives before sources
    page.locator("#sources .unsupported").wait_for()
    assert "served in the navy since 1990" in page.locator("#sources .unsupported").inner_text()
    chat = page.locator("#chat").inner_text()
    assert "not supported by the cited sources" in chat and "Paula Dunn. [1]" in chat
    assert "Paula Dunn" in page.locator("#sources .card mark").first.inner_text()  # the cited sentence, highlighted
    page.screenshot(path=str(ARTIFACTS / "chat-model.png"), full_page=True)


def test_a_browser_makes_and_keeps_its_own_collection(fresh_engine, page, tmp_path):
    from rag import RAG
    from ui.app import serve

    engine = RAG(settings=fresh_engine.settings.replace(data_dir=tmp_path / "data"))
    port = free_port()
    app = serve(engine, port=port, prevent_thread_lock=True, quiet=True)
    try:
        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_function(
            "() => { const e = document.querySelector('#index-status'); const t = e ? e.innerText : '';"
            " return t.includes('2 documents') && !t.includes('Indexing'); }"
        )
        chooser = page.locator("#collection-pick input")
        chooser.fill("harbour")
        chooser.press("Enter")
        folder = tmp_path / "data" / "collections" / "harbour" / "documents"
        page.locator("#upload-message").get_by_text(str(folder), exact=False).wait_for()
        notes = tmp_path / "tides.md"
        notes.write_text("# Tides\n\nHigh water at Porthcawl is at 06:12 on Monday.\n")
        page.locator("#upload input[type=file]").set_input_files(str(notes))
        page.locator("#upload-message").get_by_text("Indexed tides.md").wait_for()
        page.wait_for_function("() => document.querySelector('#index-status').innerText.includes('1 documents')")
        ask(page, "When is high water at Porthcawl?")
        page.locator("#chat").get_by_text("06:12", exact=False).first.wait_for()
        assert "tides.md" in page.locator("#sources .meta").first.inner_text()
        # A reload keeps this browser's collection.
        page.reload()
        page.wait_for_function(
            "() => { const e = document.querySelector('#index-status'); return e && e.innerText.includes('tides.md'); }"
        )
        assert page.locator("#collection-pick input").input_value() == "harbour"
    finally:
        app.close()
