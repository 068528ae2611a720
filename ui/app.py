"""The browser chat: ``build_app(engine) -> gr.Blocks``. It calls only the engine's public API.

    python -m ui.app            # or: rag serve
"""

from __future__ import annotations

import html
import os
import re
import threading
import urllib.parse
from pathlib import Path
from typing import Any, Optional

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # offline: no telemetry calls

import gradio as gr  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402

from rag.errors import PortInUseError, RagError  # noqa: E402
from rag.library import upload_name  # noqa: E402
from rag.ingest.sources import ARCHIVE_MARK, UPLOAD_SUFFIXES, file_of  # noqa: E402
from rag.readers.formats import OFFICE_VARIANTS  # noqa: E402
from ui.safety import ContentSecurityPolicy, SlowLogin, answer_markdown, markdown_text  # noqa: E402

CONTEXT_CHARS = 300  # shown either side of a cited sentence in the sources panel
# An uploaded archive's members left out, named after "Indexed": at most this many, then how many more.
MAX_LEFT_OUT_SHOWN = 10
# The upload's label names the main formats; Office's macro-enabled files, templates and slide
# shows (.docm, .xltx, .ppsx …) are taken too, not named one by one.
_TYPES = " ".join(s for s in UPLOAD_SUFFIXES if s not in OFFICE_VARIANTS) + ", and Office's .docm .xlsm .ppsx …"

CSS = """
#sources .card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px; margin-bottom: 10px; }
#sources .card h4 { margin: 0 0 4px 0; font-size: 0.95em; }
#sources .meta { color: var(--body-text-color-subdued); font-size: 0.8em; margin-bottom: 6px; }
#sources .context { white-space: pre-wrap; font-size: 0.9em; line-height: 1.45; }
#sources mark { background: #fde68a; color: #111; padding: 0 2px; border-radius: 3px; }
#sources .conflict { border-left: 4px solid #d97706; background: rgba(217,119,6,0.08); padding: 8px 10px; margin-bottom: 10px; border-radius: 4px; }
#sources .composer { color: var(--body-text-color-subdued); font-size: 0.8em; margin-bottom: 8px; }
#sources .unsupported { border-left: 4px solid #dc2626; background: rgba(220,38,38,0.07); padding: 8px 10px; margin-bottom: 10px; border-radius: 4px; }
#sources .abstain { border-left: 4px solid #6b7280; padding: 8px 10px; margin-bottom: 10px; }
#source-view .context { white-space: pre-wrap; max-height: 420px; overflow-y: auto; font-size: 0.9em; }
#source-view mark { background: #fde68a; color: #111; }
#sources .card.picked { outline: 2px solid #f59e0b; }
@media (max-width: 800px) { #layout { flex-direction: column; } }
"""
# System fonts: the default theme's web fonts would be fetched from the internet.
THEME = gr.themes.Soft(font=["system-ui", "Segoe UI", "Roboto", "sans-serif"], font_mono=["ui-monospace", "monospace"])


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


CHANGED_NOTE = ("<em>(this document has been replaced since this answer was given, so the quote is no longer "
                "where it was: ask again to cite the new version)</em>")


_LINE_BREAK = re.compile(r"(?<!\n)\n(?!\n)")


def _flowing(text: str, paged: bool) -> str:
    """A PDF's text as flowing paragraphs for reading: its hard line breaks (every line of a
    page) become spaces, blank lines between paragraphs stay. Other formats keep their lines
    (code, verse, tables). Display only: offsets index the text as extracted."""
    return _LINE_BREAK.sub(" ", text) if paged else text


def _highlight(engine: Any, source: str, start: int, end: int, context: Optional[int], version: str = "",
               paged: bool = False) -> str:
    """The cited span marked inside its surrounding text (the whole document if context is None).
    A citation of a version that has since been replaced is not marked in the new text, whose
    offsets differ: the page says so instead."""
    try:
        text = engine.source_text(source)
    except RagError:
        return "<em>(this document is no longer in the folder)</em>"
    if version and engine.source_version(source) != version:
        return CHANGED_NOTE
    lo = 0 if context is None else max(0, start - context)
    hi = len(text) if context is None else min(len(text), end + context)
    before = ("…" if lo > 0 else "") + text[lo:start]
    after = text[end:hi] + ("…" if hi < len(text) else "")
    before, quote, after = (_esc(_flowing(part, paged)) for part in (before, text[start:end], after))
    return f'<div class="context">{before}<mark>{quote}</mark>{after}</div>'


def _where(cited: dict) -> str:
    """"story.pdf, p. 2, § Results" for a citation or passage (the character offsets stay in
    the API and its JSON: a reader finds a quote by its page and heading)."""
    parts = [_esc(cited["source"])]
    if cited.get("page") is not None:
        parts.append(f"p. {cited['page']}")
    if cited.get("section"):
        parts.append(f"§ {_esc(cited['section'])}")
    return ", ".join(parts)


# Clicking an [n] marker in the latest answer shows that source: its card in the Sources
# panel is brought into view and marked, and it is chosen under "Show a cited source in full".
# (The markers stay plain text, escaped like all answer text; the click is found by where it
# falls in the text.) Earlier answers' markers number citations the panel no longer holds.
CITATION_CLICKS = """() => {
  document.addEventListener('click', (event) => {
    const rows = document.querySelectorAll('#chat .bot-row');
    const row = event.target.closest && event.target.closest('#chat .bot-row');
    if (!row || row !== rows[rows.length - 1] || !document.caretRangeFromPoint) return;
    const range = document.caretRangeFromPoint(event.clientX, event.clientY);
    if (!range || range.startContainer.nodeType !== Node.TEXT_NODE) return;
    const text = range.startContainer.textContent, at = range.startOffset;
    for (const m of text.matchAll(/\[(\d+)\]/g)) {
      if (m.index <= at && at <= m.index + m[0].length) {
        const card = document.getElementById('citation-' + m[1]);
        document.querySelectorAll('#sources .card.picked').forEach((c) => c.classList.remove('picked'));
        if (card) {
          card.scrollIntoView({block: 'nearest'});
          card.classList.add('picked');
        }
        const pick = [...document.querySelectorAll('#citation-pick label')]
          .find((label) => label.innerText.trim().startsWith('[' + m[1] + ']'));
        if (pick) pick.click();
        return;
      }
    }
  });
}"""


# After a cited source is shown in full, its marked quote is scrolled into the middle of the view.
SCROLL_TO_QUOTE = """() => { setTimeout(() => {
  const mark = document.querySelector('#source-view mark');
  if (mark) mark.scrollIntoView({block: 'center'});
}, 50); }"""


def _passage_with_likely(p: dict) -> str:
    """A passage's text, the sentence most likely to answer (the reading model's pick) marked."""
    text, lo, hi = p["text"], p.get("likely_start"), p.get("likely_end")
    paged = p.get("page") is not None
    if lo is None or hi is None or not (p["start"] <= lo < hi <= p["start"] + len(text)):
        return _esc(_flowing(text, paged))
    a, b = lo - p["start"], hi - p["start"]
    return "{}<mark>{}</mark>{}".format(*(_esc(_flowing(part, paged)) for part in (text[:a], text[a:b], text[b:])))


def render_sources(engine: Any, answer: Optional[dict]) -> str:
    """The sources panel: conflicts first, then each citation with its quote marked in context."""
    if not answer:
        return "<p>Ask a question: the sources of the answer appear here.</p>"
    parts = []
    for c in answer.get("conflicts", []):
        versions = " vs ".join(f"“{_esc(v['value'])}” [{v['citation']}] ({_esc(v['source'])})" for v in c["versions"])
        parts.append(f'<div class="conflict"><strong>The sources disagree</strong> ({c["kind"]}): {versions}</div>')
    if not answer["abstained"]:
        by = ("a language model, each sentence checked against what it cites" if answer.get("composer") == "llm"
              else "the documents' own sentences")
        parts.append(f'<div class="composer">Answer written from {by}.</div>')
    if answer.get("unsupported"):
        flags = {f["sentence"]: f for f in answer.get("flags", [])}
        items = "".join(f"<li>{_esc(u)}{_flag_detail(flags.get(u))}</li>" for u in answer["unsupported"])
        parts.append(f'<div class="unsupported"><strong>Not supported by the cited sources</strong> '
                     f'(the model wrote these; no source says so):<ul>{items}</ul></div>')
    if answer.get("note"):
        parts.append(f'<div class="abstain">{_esc(answer["note"])}</div>')
    if answer["abstained"]:
        if not answer["passages"]:  # e.g. "Which documents should be compared?": the chat says it all
            return "\n".join(parts)
        parts.append('<div class="abstain"><strong>No sentence clearly answers this.</strong> Nearest passages:</div>')
        for p in answer["passages"]:
            parts.append(
                f'<div class="card"><h4>{_esc(p["title"])}</h4><div class="meta">{_where(p)}</div>'
                f'<div class="context">{_passage_with_likely(p)}</div></div>'
            )
        return "\n".join(parts)
    for c in answer["citations"]:
        paged = c.get("page") is not None
        parts.append(
            f'<div class="card" id="citation-{c["number"]}"><h4>[{c["number"]}] {_esc(c["title"])}</h4>'
            f'<div class="meta">{_where(c)}</div>'
            f'{_highlight(engine, c["source"], c["start"], c["end"], CONTEXT_CHARS, c.get("version", ""), paged)}</div>'
        )
    return "\n".join(parts)


INDEXING_NOTE = "*Indexing the documents folder… questions are answered from what is indexed so far.*"


def render_status(engine: Any, indexing: bool = False) -> str:
    status = engine.status()
    note = [INDEXING_NOTE, ""] if indexing else []
    if not status.documents:
        empty = "**No documents indexed yet.**" + ("" if indexing else f" Upload documents ({_TYPES}) below.")
        return "\n".join(note + [empty])
    lines = note + [f"**{len(status.documents)} documents, {status.passages} passages**", ""]
    lines += [
        f"- {markdown_text(d.title)} — {markdown_text(d.source)} ({d.passages} passages"
        + (f", {d.pages} pages)" if d.pages else ")")
        for d in status.documents
    ]
    return "\n".join(lines)


def _citation_choices(answer: Optional[dict]) -> list[tuple[str, int]]:
    if not answer or answer["abstained"]:
        return []
    return [(f"[{c['number']}] {c['source']}", c["number"]) for c in answer["citations"]]


def _plain_history(history: list[Any]) -> list[dict[str, str]]:
    """Chat history as {"role", "content"} with text content, whatever shape Gradio hands over."""
    out = []
    for m in history or []:
        content = m.get("content") if isinstance(m, dict) else None
        if isinstance(content, list):
            content = " ".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
        if isinstance(content, str):
            out.append({"role": m.get("role", "user"), "content": content})
    return out


def _flag_detail(flag: Optional[dict]) -> str:
    """For a flagged sentence: the words the source does not state, and what it says instead
    ("The source says “Spain”, not “France”.")."""
    if not flag or not flag.get("unstated"):
        return ""
    unstated = f'“<mark class="unstated">{_esc(flag["unstated"])}</mark>”'
    if flag.get("source_says"):
        return f'<div class="flag">The source says “{_esc(flag["source_says"])}”, not {unstated}.</div>'
    return f'<div class="flag">The source does not say {unstated}.</div>'


UNSUPPORTED_MARK = "⚠ *not supported by the cited sources*"


def _chat_text(answer: dict) -> str:
    """The answer (``Answer.to_dict()``) as the chat shows it: an abstention in italics; a
    model's sentence that its sources do not support marked as such; a note (a fallback)
    last. The answer's own text (documents' sentences, a model's words) is escaped: the only
    markup is the app's."""
    text = answer_markdown(answer["text"])
    text = f"_{text}_" if answer["abstained"] else text
    for sentence in answer.get("unsupported", []):
        escaped = markdown_text(sentence)
        text = text.replace(escaped, f"{escaped} {UNSUPPORTED_MARK}", 1)
    if answer.get("note"):
        text += f"\n\n_{markdown_text(answer['note'])}_"
    return text


def _shown_conversation(messages: list[dict], answers: list[Optional[dict]]) -> list[dict]:
    """A kept conversation as the chat showed it: questions as typed (as the live chat shows
    them), answers as ``_chat_text`` (one kept without its JSON escaped as text)."""
    shown, turn = [], 0
    for message in messages:
        if message["role"] == "user":
            shown.append({"role": "user", "content": message["content"]})
            continue
        answer = answers[turn] if turn < len(answers) else None
        turn += 1
        shown.append({"role": "assistant", "content": _chat_text(answer) if answer else answer_markdown(message["content"])})
    return shown


class Handlers:
    """What the page's events call; plain methods, so tests can drive them without a browser."""

    def __init__(self, engine: Any):
        self.engine = engine  # the collection the app was started with
        self.indexing = False  # the folder's ingest at start is running (see serve)
        self.question_box: Any = None  # the page's question Textbox (build_app sets it)
        self._handout_dir: Optional[Path] = None
        # Each browser chooses its collection (a BrowserState the events pass in): one engine
        # a collection, made on first use.
        self._engines: dict[str, Any] = {engine.settings.collection: engine}
        self._engines_lock = threading.Lock()

    def engine_for(self, collection: Optional[str]) -> Any:
        """The engine of a collection (the app's own for None or its own name)."""
        if not collection or collection == self.engine.settings.collection:
            return self.engine
        with self._engines_lock:
            if collection not in self._engines:
                from rag import RAG

                self._engines[collection] = RAG(settings=self.engine.settings.replace(collection=collection))
            return self._engines[collection]

    def collection_choices(self, selected: Optional[str] = None):
        """The collections a browser can choose: the app's own, then the named ones."""
        from rag.library import collections

        own = self.engine.settings.collection
        names = [own] + [name for name, _, _ in collections(self.engine.settings) if name != own]
        labels = [(name or f"{self.engine.settings.docs_dir.name} (this folder)", name) for name in names]
        return gr.update(choices=labels, value=selected if selected in names else own)

    def switch_collection(self, collection: Optional[str], progress=gr.Progress()):
        """A collection chosen (or a new name typed): indexed as it stands, then the page shows
        it afresh (the same outputs as opening a conversation, then the documents, the remove
        list, the examples, a line saying where its documents go, the chooser and the choice)."""
        name = (collection or "").strip()
        try:
            engine = self.engine_for(name)
        except RagError as exc:
            return (*self.open_conversation(None), gr.update(), gr.update(), gr.update(),
                    f"**Not opened:** {markdown_text(str(exc))}", self.collection_choices(None), gr.update())
        key = engine.settings.collection
        progress(0, desc=f"Indexing {key or 'the documents folder'}")
        try:
            engine.ingest(show_progress=False)
            where = ""
        except RagError as exc:  # a new collection has no documents yet
            where = markdown_text(str(exc))
        if not where:
            where = f"Documents of this collection go in {markdown_text(str(engine.settings.docs_dir))}."
        return (*self.open_conversation(None, key), *self.on_load(key)[:3], where, self.collection_choices(key), key)

    def respond(self, message: str, history: list[Any], conversation: Optional[str] = None, collection: Optional[str] = None):
        """The final answer's page updates (what respond_stream ends with)."""
        update = None
        for update in self.respond_stream(message, history, conversation, collection):
            pass
        return update

    def respond_stream(self, message: str, history: list[Any], conversation: Optional[str] = None, collection: Optional[str] = None):
        """Page updates while the answer is written (a model's text grows), then the final one
        with its sources; the turn is kept in ``conversation`` (a new one if it is not kept)."""
        engine = self.engine_for(collection)
        history = _plain_history(history)
        asked = history + [{"role": "user", "content": message}]
        hidden = gr.update(visible=False, value=None)
        try:
            answer = None
            for answer in engine.ask_stream(message, history=history):
                if not answer.citations and not answer.abstained and not answer.note:  # still being written
                    writing = asked + [{"role": "assistant", "content": answer_markdown(answer.text)}]
                    yield (writing, "", None, "<p>Writing the answer…</p>", gr.update(visible=False), "", hidden, "",
                           gr.update(), gr.update())
        except RagError as exc:
            # A calm line under the question box, the question kept to edit, the chat as it
            # was: not an error toast over the whole page.
            unchanged = gr.update()
            yield (history, message, unchanged, unchanged, unchanged, unchanged, unchanged, notice_markdown(str(exc)),
                   unchanged, unchanged)
            return
        data = answer.to_dict()
        choices = _citation_choices(data)
        kept = engine.conversations
        conversation = conversation if kept.exists(conversation) else kept.start()
        kept.add_turn(conversation, message, answer.text, data)
        yield (
            asked + [{"role": "assistant", "content": _chat_text(data)}], "", data, render_sources(engine, data),
            gr.update(choices=choices, value=None, visible=bool(choices)), "", hidden, "",
            conversation, self.conversation_list(conversation, collection),
        )

    # --- kept conversations ---------------------------------------------------------------

    def conversation_list(self, selected: Optional[str] = None, collection: Optional[str] = None):
        """The past chats, the latest first, ``selected`` chosen."""
        engine = self.engine_for(collection)
        items = [(info.title, info.id) for info in engine.conversations.list()]
        return gr.update(choices=items, value=selected if any(cid == selected for _, cid in items) else None)

    def open_conversation(self, conversation: Optional[str], collection: Optional[str] = None):
        """A kept conversation back in the chat, its last answer's sources in the panel (the
        same outputs as a question's, then the conversation's id and the list)."""
        engine = self.engine_for(collection)
        kept, hidden = engine.conversations, gr.update(visible=False, value=None)
        if not kept.exists(conversation):
            return ([], "", None, render_sources(engine, None), gr.update(choices=[], value=None, visible=False),
                    "", hidden, "", None, self.conversation_list(None, collection))
        messages = kept.messages(conversation)
        answers = kept.answers(conversation)
        last = next((a for a in reversed(answers) if a), None)
        choices = _citation_choices(last)
        return (_shown_conversation(messages, answers), "", last, render_sources(engine, last),
                gr.update(choices=choices, value=None, visible=bool(choices)), "", hidden, "",
                conversation, self.conversation_list(conversation, collection))

    def new_conversation(self, collection: Optional[str] = None):
        return self.open_conversation(None, collection)

    def restore_conversation(self, conversation: Optional[str], collection: Optional[str] = None):
        """A page opening: the conversation this browser had open, if it is still kept; else
        the page is left as it is (a question asked while it loads keeps its answer)."""
        engine = self.engine_for(collection)
        if engine.conversations.exists(conversation):
            return self.open_conversation(conversation, collection)
        return (*(gr.update() for _ in range(8)), None, self.conversation_list(None, collection))

    def rename_conversation(self, conversation: Optional[str], title: str, collection: Optional[str] = None):
        engine = self.engine_for(collection)
        if conversation and title.strip() and engine.conversations.exists(conversation):
            engine.conversations.rename(conversation, title)
        return self.conversation_list(conversation, collection), ""

    def delete_conversation(self, conversation: Optional[str], collection: Optional[str] = None):
        engine = self.engine_for(collection)
        if engine.conversations.exists(conversation):
            engine.conversations.delete(conversation)
        return self.new_conversation(collection)

    def show_source(self, number: Optional[int], answer: Optional[dict], collection: Optional[str] = None):
        """The cited document in full with the quote marked, and a button to open the original file."""
        engine = self.engine_for(collection)
        hidden = gr.update(visible=False, value=None)
        if not number or not answer:
            return "", hidden
        c = next((c for c in answer["citations"] if c["number"] == number), None)
        if c is None:
            return "", hidden
        view = (
            f'<h4>[{c["number"]}] {_esc(c["title"])} — {_where(c)}</h4>'
            f'{_highlight(engine, c["source"], c["start"], c["end"], None, c.get("version", ""), paged=c.get("page") is not None)}'
        )
        try:
            original = self._handout(engine.original_path(c["source"]))
        except (RagError, OSError):
            return view, hidden
        page = f" (the quote is on page {c['page']})" if c.get("page") is not None else ""
        if c.get("page") is not None and original.lower().endswith(".pdf"):
            # The browser's own PDF viewer, at the cited page (served by add_routes).
            key, name = Path(original).parent.name, Path(original).name
            view += (f'<p><a class="open-at-page" href="{ORIGINALS_ROUTE}/{key}/{urllib.parse.quote(name)}#page={int(c["page"])}"'
                     f' target="_blank" rel="noopener">Open {_esc(name)} at page {int(c["page"])}</a></p>')
        return view, gr.update(visible=True, value=original, label=f"Download the original {Path(original).name}{page}")

    def handout_file(self, key: str, name: str) -> Optional[Path]:
        """A file ``_handout`` copied (by its folder's key and its name), or None: nothing
        outside the handout folder can be named."""
        if self._handout_dir is None or not re.fullmatch(r"[0-9a-f]{16}", key) or Path(name).name != name:
            return None
        path = self._handout_dir / key / name
        return path if path.is_file() else None

    def _handout(self, path: Path) -> str:
        """A copy of an indexed original in this process's own folder, for Gradio to serve:
        the documents folder itself is never served (see launch_options)."""
        import hashlib
        import shutil
        import tempfile

        if self._handout_dir is None:
            self._handout_dir = Path(tempfile.mkdtemp(prefix="rag-originals-"))
        data = path.read_bytes()
        target = self._handout_dir / hashlib.sha256(data).hexdigest()[:16] / path.name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        return str(target)

    def upload(self, files: Optional[list[Any]], overwrite: bool, collection: Optional[str] = None,
               progress=gr.Progress()):
        engine = self.engine_for(collection)
        messages = []
        paths = [Path(f if isinstance(f, str) else f.name) for f in files or []]
        for i, path in enumerate(paths):
            progress(i / len(paths), desc=f"Reading {path.name}")

            def follow(done: int, total: int, current: str, texts: int, i: int = i, name: str = path.name) -> None:
                # By file of the folder (the others are unchanged: a moment each), and by each
                # group of passages embedded: the count keeps moving on a long document.
                progress((i + done / max(1, total)) / len(paths), desc=f"Indexing {name}: {texts:,} passages and sentences embedded")

            try:
                report = engine.add_document(path.name, path.read_bytes(), overwrite=overwrite, on_progress=follow)
                # An archive's members not read are said, as a document read in part is.
                left_out = [f"{s.source.partition(ARCHIVE_MARK)[2]}: {s.reason}" for s in report.skipped
                            if s.source.startswith(upload_name(path.name) + ARCHIVE_MARK)]
                if len(left_out) > MAX_LEFT_OUT_SHOWN:  # a project's tarball: its stylesheets and scripts by the hundred
                    left_out = left_out[:MAX_LEFT_OUT_SHOWN] + [f"and {len(left_out) - MAX_LEFT_OUT_SHOWN:,} more left out"]
                messages.append(f"**Indexed** {markdown_text(path.name)} ({report.passages_added} passages added)"
                                + "".join(f"; {markdown_text(note)}" for note in [p.reason for p in report.partly_read] + left_out))
            except RagError as exc:
                messages.append(f"**Not added:** {markdown_text(str(exc))}")
        progress(1.0, desc="Done")
        return "\n\n".join(messages), render_status(engine), gr.update(choices=_sources(engine), value=None), None

    def ask_to_remove(self, source: Optional[str]):
        """The first click on Remove: a question to confirm, nothing removed yet."""
        if not source:
            return "Choose a document to remove.", gr.update(visible=False)
        return f"Remove **{_whole_file(source)}** from the documents?", gr.update(visible=True)

    def remove(self, source: Optional[str], collection: Optional[str] = None):
        """Confirmed: the file is moved aside (Undo puts it back) and the index follows."""
        return self._change_document(source, collection, undo=False)

    def undo_remove(self, source: Optional[str], collection: Optional[str] = None):
        return self._change_document(source, collection, undo=True)

    def _change_document(self, source: Optional[str], collection: Optional[str], undo: bool):
        """Remove ``source`` (or restore it): the message, the documents, the remove list, the
        Undo button (shown after a removal) and the document Undo would restore."""
        engine = self.engine_for(collection)
        removed = None
        if not source:
            message = "Nothing to undo." if undo else "Choose a document to remove."
        else:
            try:
                (engine.restore_document if undo else engine.remove_document)(source)
                message = f"{'Restored' if undo else 'Removed'} {_whole_file(source)}."
                removed = None if undo else source
            except RagError as exc:
                message = f"**Not {'restored' if undo else 'removed'}:** {markdown_text(str(exc))}"
        return (message, render_status(engine), gr.update(choices=_sources(engine), value=None),
                gr.update(visible=removed is not None), removed)

    def refresh(self, collection: Optional[str] = None):
        """The document list and the remove choices as the index holds them now."""
        engine = self.engine_for(collection)
        indexing = self.indexing and engine is self.engine  # the start's ingest is the default collection's
        return render_status(engine, indexing), gr.update(choices=_sources(engine), value=None)

    def on_load(self, collection: Optional[str] = None):
        """A page opening: documents, remove choices, example questions, and the status timer
        running while the start's ingest is."""
        engine = self.engine_for(collection)
        indexing = self.indexing and engine is self.engine  # the start's ingest is the default collection's
        # An update carries its samples processed by its components: the question box's.
        examples = gr.Dataset(components=[self.question_box], samples=[[q] for q in _examples(engine)])
        return (*self.refresh(collection), examples, gr.Timer(active=indexing))

    def on_tick(self, collection: Optional[str] = None):
        """While indexing, the document list follows the ingest; once done, the examples too."""
        engine = self.engine_for(collection)
        indexing = self.indexing and engine is self.engine  # the start's ingest is the default collection's
        if indexing:
            return render_status(engine, True), gr.update(), gr.update(), gr.Timer(active=True)
        return self.on_load(collection)

    def ask_api(self, question: str, history: Optional[list[dict]] = None) -> dict:
        """Answer a question about the documents; returns the answer with its citations as JSON."""
        try:
            return self.engine.ask(question, history=history or None).to_dict()
        except RagError as exc:
            raise gr.Error(str(exc)) from None


def notice_markdown(message: str) -> str:
    """An engine's refusal as one plain sentence under the question box ("The question is
    empty: type a question about the documents.")."""
    message = message.strip()
    return markdown_text(message[:1].upper() + message[1:] + ("" if message.endswith(".") else "."))


def build_app(engine: Any, handlers: Optional[Handlers] = None) -> gr.Blocks:
    """The chat page over ``engine`` (a ``rag.RAG``)."""
    h = handlers or Handlers(engine)
    named = engine.settings.collection
    title = f"Ask your documents: {named}" if named else "Ask your documents"
    with gr.Blocks(title=title) as app:
        gr.Markdown(
            f"# {markdown_text(title)}\nAnswers are the documents' own sentences; each `[n]` is a citation, "
            "shown in the sources panel with the quoted sentence highlighted."
        )
        answer_state = gr.State(None)
        conversation = gr.BrowserState(None, storage_key="rag-conversation")  # reopened on reload
        collection = gr.BrowserState(None, storage_key="rag-collection")  # None: the app's own
        with gr.Sidebar(label="Conversations", open=False, elem_id="conversations"):
            new_chat = gr.Button("New conversation", elem_id="new-conversation")
            past = gr.Radio(label="Past conversations", choices=[], elem_id="past-conversations")
            with gr.Row():
                title_box = gr.Textbox(placeholder="A new title", show_label=False, scale=3, elem_id="conversation-title")
                rename = gr.Button("Rename", scale=1, elem_id="rename-conversation")
            delete_chat = gr.Button("Delete this conversation", variant="stop", elem_id="delete-conversation")
        with gr.Row(elem_id="layout", equal_height=False):
            with gr.Column(scale=3, min_width=320):
                chatbot = gr.Chatbot(label="Chat", show_label=False, height=460, elem_id="chat", buttons=["copy"])
                with gr.Row():
                    question = gr.Textbox(
                        placeholder="Ask a question about the documents…", show_label=False,
                        scale=5, elem_id="question", max_lines=4,
                    )
                    ask_button = gr.Button("Ask", variant="primary", scale=1, elem_id="ask", min_width=80)
                h.question_box = question
                question_notice = gr.Markdown("", elem_id="question-notice")
                # Filled when the page loads: asking the candidate questions needs the index,
                # which the start's ingest may still be bringing up to date.
                examples = gr.Dataset(
                    components=[question], samples=[[DEFAULT_EXAMPLE]], label="Try one of these", elem_id="examples",
                )
            with gr.Column(scale=2, min_width=300):
                gr.Markdown("### Sources")
                sources = gr.HTML(render_sources(engine, None), elem_id="sources")
                citation_pick = gr.Radio(label="Show a cited source in full", choices=[], visible=False, elem_id="citation-pick")
                source_view = gr.HTML("", elem_id="source-view")
                open_original = gr.DownloadButton("Open the original", visible=False, elem_id="open-original")
                collection_pick = gr.Dropdown(
                    label="Collection (type a new name to make one)", choices=[], allow_custom_value=True,
                    elem_id="collection-pick",
                )
                with gr.Accordion("Documents", open=True):
                    status = gr.Markdown(render_status(engine, h.indexing), elem_id="index-status")
                    files = gr.File(
                        label=f"Add documents ({_TYPES})", file_count="multiple", file_types=list(UPLOAD_SUFFIXES),
                        elem_id="upload",
                    )
                    overwrite = gr.Checkbox(label="Replace a document that has the same name", value=False)
                    upload_message = gr.Markdown(elem_id="upload-message")
                    with gr.Row():
                        remove_pick = gr.Dropdown(choices=_sources(engine), label="Remove a document", scale=3)
                        remove_button = gr.Button("Remove", scale=1, elem_id="remove")
                    with gr.Row(visible=False) as confirm_row:
                        confirm_button = gr.Button("Yes, remove it", variant="stop", elem_id="confirm-remove")
                        cancel_button = gr.Button("Cancel", elem_id="cancel-remove")
                    undo_button = gr.Button("Undo", visible=False, elem_id="undo-remove")
                    removed_state = gr.State(None)

        outputs = [chatbot, question, answer_state, sources, citation_pick, source_view, open_original, question_notice,
                   conversation, past]
        for trigger in (question.submit, ask_button.click):
            trigger(h.respond_stream, [question, chatbot, conversation, collection], outputs, api_visibility="private")
        past.input(h.open_conversation, [past, collection], outputs, api_visibility="private")
        new_chat.click(h.new_conversation, collection, outputs, api_visibility="private")
        rename.click(h.rename_conversation, [conversation, title_box, collection], [past, title_box], api_visibility="private")
        delete_chat.click(h.delete_conversation, [conversation, collection], outputs, api_visibility="private")
        # A reload (or a new tab) reopens the conversation this browser had open.
        app.load(h.restore_conversation, [conversation, collection], outputs, api_visibility="private")
        examples.click(lambda sample: sample[0], examples, question, api_visibility="private")
        citation_pick.change(
            h.show_source, [citation_pick, answer_state, collection], [source_view, open_original], api_visibility="private"
        ).then(None, None, None, js=SCROLL_TO_QUOTE)
        files.upload(h.upload, [files, overwrite, collection], [upload_message, status, remove_pick, files],
                     api_visibility="private")
        remove_button.click(h.ask_to_remove, remove_pick, [upload_message, confirm_row], api_visibility="private")
        cancel_button.click(lambda: ("", gr.update(visible=False)), None, [upload_message, confirm_row],
                            api_visibility="private")
        removed = [upload_message, status, remove_pick, undo_button, removed_state]
        confirm_button.click(lambda: gr.update(visible=False), None, confirm_row, api_visibility="private").then(
            h.remove, [remove_pick, collection], removed, api_visibility="private")
        undo_button.click(h.undo_remove, [removed_state, collection], removed, api_visibility="private")
        gr.api(h.ask_api, api_name="ask")
        # A page loaded later than the app was built shows the documents as they are now, and
        # follows the start's ingest while it runs.
        status_timer = gr.Timer(1.0, active=False)
        on_load_outputs = [status, remove_pick, examples, status_timer]
        app.load(h.on_load, collection, on_load_outputs, api_visibility="private")
        status_timer.tick(h.on_tick, collection, on_load_outputs, api_visibility="private")
        # The collection this browser chose, kept across reloads; choosing (or typing) one
        # shows it afresh.
        app.load(h.collection_choices, collection, collection_pick, api_visibility="private")
        collection_pick.input(
            h.switch_collection, collection_pick,
            [*outputs, status, remove_pick, examples, upload_message, collection_pick, collection], api_visibility="private",
        )
        # ... and so does the remove list when opened: another tab may have added a document.
        remove_pick.focus(lambda chosen: h.refresh(chosen)[1], collection, remove_pick, api_visibility="private")
    return app


def _whole_file(source: str) -> str:
    """A document's name as the file it is ("Inbox · part 2" of a mailbox read in parts is the
    whole mailbox, "reports.zip › q3.pdf" the whole archive: removing or restoring it takes
    every part), as Markdown text."""
    whole = file_of(source)
    if whole == source:
        return markdown_text(source)
    kind = "archive, every document in it" if ARCHIVE_MARK in source else "mailbox, every part"
    return f"{markdown_text(whole)} (the whole {kind})"


def _sources(engine: Any) -> list[str]:
    return [d.source for d in engine.status().documents]


DEFAULT_EXAMPLE = "What are these documents about?"


def _examples(engine: Any) -> list[str]:
    try:
        return engine.example_questions() or [DEFAULT_EXAMPLE]
    except RagError:
        return [DEFAULT_EXAMPLE]


def launch_options(settings: Any, host: Optional[str] = None, port: Optional[int] = None) -> dict[str, Any]:
    """Keyword arguments for ``Blocks.launch``: local by default, never a public share link."""
    options: dict[str, Any] = {
        "server_name": host or settings.host,
        "server_port": port or settings.port,
        "share": False,
        "max_file_size": settings.upload_max_bytes,
        # No folder is served as it is: the documents folder may hold files never indexed
        # (a .env, .git); an indexed original is handed out by show_source alone.
        "allowed_paths": [],
        "blocked_paths": [str(Path(settings.docs_dir).resolve())],
        # Every page carries a Content-Security-Policy (ui/safety.py).
        "app_kwargs": {"middleware": [Middleware(ContentSecurityPolicy)]},
        "theme": THEME,
        "css": CSS,
        "js": CITATION_CLICKS,
    }
    if settings.auth:
        user, _, password = settings.auth.partition(":")
        options["auth"] = SlowLogin(user, password)  # wrong passwords slow down (ui/safety.py)
    return options


ORIGINALS_ROUTE = "/original"
ASK_ROUTE = "/api/ask"
HEALTH_ROUTE = "/healthz"


def add_routes(app: gr.Blocks, handlers: Handlers) -> None:
    """The app's own HTTP routes beside Gradio's, behind the login when one is set:

    - ``GET /original/<key>/<name>``: an original that "Show a cited source in full" handed
      out, for the browser to show itself: a PDF opens in its viewer at the ``#page`` the
      link names. Only the handout copies can be named; a PDF is served inline, anything else
      as a download (an HTML original shown at the app's origin could run its scripts there).
    - ``POST /api/ask`` with ``{"question": ..., "history": [...]}`` (optional ``collection``):
      the answer as ``Answer.to_dict()`` JSON, for programs (and the replica bench). A client
      without the chat's login cookie sends the login as HTTP Basic.
    - ``GET /healthz``: 200 and the index's generation and document count while the engine
      answers, for a load balancer in front of replicas (never behind the login).
    """
    import base64
    import mimetypes
    import secrets

    from starlette.concurrency import run_in_threadpool
    from starlette.responses import FileResponse, JSONResponse, PlainTextResponse
    from starlette.routing import Route

    server = app.server_app
    login = handlers.engine.settings.auth

    def logged_in(request: Any) -> bool:
        if server.auth is None:
            return True
        # Gradio's own login cookie (gradio.routes: get_current_user), or HTTP Basic.
        cookies = request.cookies
        token = cookies.get(f"access-token-{server.cookie_id}") or cookies.get(f"access-token-unsecure-{server.cookie_id}")
        if server.tokens.get(token) is not None:
            return True
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            return secrets.compare_digest(base64.b64decode(given).decode("utf-8"), login)
        except (ValueError, UnicodeDecodeError):
            return False

    async def original(request: Any) -> Any:
        if not logged_in(request):
            return PlainTextResponse("log in first", status_code=401)
        path = handlers.handout_file(request.path_params["key"], request.path_params["name"])
        if path is None:
            return PlainTextResponse("no such original", status_code=404)
        is_pdf = path.suffix.lower() == ".pdf"
        return FileResponse(path, media_type="application/pdf" if is_pdf else (mimetypes.guess_type(path.name)[0] or "application/octet-stream"),
                            filename=path.name, content_disposition_type="inline" if is_pdf else "attachment")

    async def ask(request: Any) -> Any:
        if not logged_in(request):
            return JSONResponse({"error": "log in first (HTTP Basic, the RAG_AUTH login)"}, status_code=401)
        try:
            body = await request.json()
            question, history = body["question"], body.get("history")
            engine = handlers.engine_for(body.get("collection"))
        except (ValueError, KeyError, TypeError, AttributeError):
            return JSONResponse({"error": 'send JSON: {"question": "...", "history": [...]}'}, status_code=400)
        except RagError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        try:
            # In a worker thread: questions are answered side by side, the event loop stays free.
            answer = await run_in_threadpool(engine.ask, question, history)
        except RagError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(answer.to_dict())

    async def health(request: Any) -> Any:
        engine = handlers.engine
        generation = await run_in_threadpool(engine.storage.generation)
        documents = await run_in_threadpool(lambda: len(engine.status().documents))
        return JSONResponse({"generation": generation, "documents": documents, "indexing": handlers.indexing})

    # First, before Gradio's own routes (one of them matches any path).
    server.router.routes[:0] = [
        Route(f"{ORIGINALS_ROUTE}/{{key}}/{{name}}", original, methods=["GET"]),
        Route(ASK_ROUTE, ask, methods=["POST"]),
        Route(HEALTH_ROUTE, health, methods=["GET"]),
    ]


def serve(engine: Any, host: Optional[str] = None, port: Optional[int] = None, **extra: Any) -> gr.Blocks:
    """Serve the chat and, meanwhile, ingest what changed in the documents folder (blocks
    unless told not to with ``prevent_thread_lock=True``).

    The page opens at once, not after the ingest: a large folder takes minutes, and
    questions are answered from what is indexed so far while the status shows progress.
    """

    handlers = Handlers(engine)
    handlers.indexing = True
    app = build_app(engine, handlers)
    app.queue(default_concurrency_limit=4)
    block = not extra.pop("prevent_thread_lock", False)
    options = launch_options(engine.settings, host, port)
    try:
        app.launch(**options, prevent_thread_lock=True, **extra)
    except OSError as exc:
        if "Cannot find empty port" not in str(exc):  # Gradio's words for a taken port
            raise
        address, taken = options["server_name"], options["server_port"]
        raise PortInUseError(
            f"http://{address}:{taken} is already in use, perhaps by a chat started earlier (open it, or stop it); "
            f"to start another, choose a free port: rag serve --port {taken + 1} (or RAG_PORT={taken + 1})"
        ) from None
    add_routes(app, handlers)

    def ingest() -> None:
        try:
            engine.ingest(show_progress=True)
        except RagError as exc:
            print(f"rag: {exc}")  # the page stays open, so documents can be uploaded
        finally:
            handlers.indexing = False

    app.ingest_thread = threading.Thread(target=ingest, name="rag-ingest-at-start", daemon=True)
    app.ingest_thread.start()
    if block:
        app.block_thread()
    return app


if __name__ == "__main__":
    from rag import RAG

    serve(RAG())
