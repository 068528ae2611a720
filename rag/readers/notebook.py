"""Jupyter notebooks (.ipynb): the prose of their Markdown cells, their code, and what the code
printed, in the order of the cells.

A notebook is JSON (nbformat 4, and 3's worksheets): a list of cells, each Markdown, code or raw
text, a code cell with its outputs. It is read as the Markdown document it shows: Markdown cells
as they are (their headings the sections a citation names), each code cell in a fence, so a
"# comment" in it is no heading and its lines are code, never answers; text a cell printed or
returned ("stream", "text/plain") in a fence after it, cut at ``MAX_OUTPUT_CHARS``; pictures,
HTML tables and widgets left out (the HTML of a data frame repeats its text/plain).
"""

from __future__ import annotations

import json

from rag.readers.base import DEFAULT_LIMITS, ExtractedText, ReadLimits, UnreadableDocument, first_line, require_text
from rag.readers.text import decode_text, headings

# What one output may add: a printed table of results is worth reading, a log of a training run
# of 50,000 lines is not.
MAX_OUTPUT_CHARS = 2_000


def read_ipynb(raw: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> ExtractedText:
    try:
        notebook = json.loads(decode_text(raw))
    except (json.JSONDecodeError, RecursionError) as exc:
        raise UnreadableDocument(f"not a Jupyter notebook (not JSON: {exc})") from None
    if not isinstance(notebook, dict):
        raise UnreadableDocument("not a Jupyter notebook (no cells)")
    cells = notebook.get("cells")
    if cells is None:  # nbformat 3: cells in worksheets
        cells = [cell for sheet in _list(notebook.get("worksheets")) if isinstance(sheet, dict) for cell in _list(sheet.get("cells"))]
    if not isinstance(cells, list):
        raise UnreadableDocument("not a Jupyter notebook (no cells)")
    parts = []
    for cell in cells:
        if not isinstance(cell, dict):
            continue
        source = _text(cell.get("source", cell.get("input")))  # nbformat 3 calls a code cell's source "input"
        kind = cell.get("cell_type")
        if kind in ("markdown", "heading") and source.strip():
            level = cell.get("level") if kind == "heading" else None  # nbformat 3's heading cells
            parts.append(f"{'#' * int(level)} {source.strip()}" if isinstance(level, int) and 0 < level <= 6 else source.strip())
        elif kind == "code":
            if source.strip():
                parts.append(_fenced(source.strip("\n"), "python"))
            printed = "\n".join(out for output in _list(cell.get("outputs")) if (out := _output_text(output)).strip())
            if printed.strip():
                parts.append(_fenced(printed[:MAX_OUTPUT_CHARS].rstrip("\n"), ""))
        elif kind == "raw" and source.strip():
            parts.append(source.strip())
    text = require_text("\n\n".join(parts), "no text in this notebook (no cells, or empty ones)")
    sections = headings(text)
    title = _text(notebook.get("metadata", {}).get("title")) if isinstance(notebook.get("metadata"), dict) else ""
    return ExtractedText(text, (title.strip() or (sections[0][1] if sections else first_line(text)))[:200], sections=sections)


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _text(value) -> str:
    """A notebook's multi-line string: one string, or a list of its lines."""
    if isinstance(value, list):
        return "".join(part for part in value if isinstance(part, str))
    return value if isinstance(value, str) else ""


def _output_text(output) -> str:
    """What a code cell printed ("stream") or returned as text ("text/plain"); errors' messages
    but not their tracebacks (terminal colour codes and frames)."""
    if not isinstance(output, dict):
        return ""
    kind = output.get("output_type")
    if kind == "stream":
        return _text(output.get("text"))
    if kind in ("execute_result", "display_data", "pyout"):
        data = output.get("data") if isinstance(output.get("data"), dict) else output
        if any(str(key).startswith("image/") or key in ("png", "jpeg", "svg") for key in data):
            return ""  # a plot: its text is "<Figure size 864x576 with 1 Axes>"
        return _text(data.get("text/plain", data.get("text")))
    if kind in ("error", "pyerr"):
        return f"{_text(output.get('ename'))}: {_text(output.get('evalue'))}"
    return ""


def _fenced(text: str, language: str) -> str:
    """Text in a Markdown code fence longer than any run of backticks inside it."""
    longest = max((len(run) for run in text.split("\n") if set(run.strip()) == {"`"}), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text}\n{fence}"
