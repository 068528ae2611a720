"""Markdown (.md, .markdown): read as the page it renders to, by markdown-it-py (CommonMark,
with GitHub's tables and strikethrough), then by the web-page reader.

A Markdown file is a page's source: links (``[the guide](https://…/install.html)``), emphasis,
inline code marks, HTML comments (``<!-- SPDX-License-Identifier: … -->``) and raw HTML are
markup, not text a reader sees, and a table (``| Option | Meaning |``) is rows with labels. Read
as text they were cited as they stand. Rendered, each block is a line, headings (ATX and
setext, never a ``#`` line inside a code fence) are sections, and a table's rows read with their
header's labels, as a sheet's.

Notes and blog posts open with front matter, the page's fields between ``---`` lines (YAML:
Jekyll, Hugo, Obsidian, MkDocs) or ``+++`` lines (TOML: Hugo). A site shows them as the page's
title, byline and date, not as "layout: post"; here they become the document's title and one
line of labelled values, as a sheet's row, the title, authors and date first ("Title: Born to
Run; Author: Bruce Springsteen; Date: 27 October 2016; Book publisher: simon and schuster ltd;
Book pages: 528; Tags: Musicians, Memoirs."): it answers "who wrote it?", "when?" and what its
fields say (the reading model reads such a line better than the same values a line each). The
description is a paragraph of its own. A site's machinery (layout, permalink, draft, weight …)
and links to pictures are left out.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any, Iterator

from rag.readers.base import DEFAULT_LIMITS, ExtractedText, ReadLimits, UnreadableDocument
from rag.readers.html import NO_TEXT_IN_PAGE, read_html
from rag.readers.text import decode_text

# Front matter opens the file: "---" (YAML) or "+++" (TOML) alone on the first line, closed by
# the same line ("..." also ends YAML), within this many characters.
MAX_FRONT_MATTER_CHARS = 64_000
_FRONT_MATTER = re.compile(r"\A(---|\+\+\+)[ \t]*\n(.*?\n)?(?:\1|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
# The fields the record opens with, in the order a page shows them (title, byline, date).
_TITLE_KEYS = ("title",)
_SUBTITLE_KEYS = ("subtitle",)
_AUTHOR_KEYS = ("author", "authors")
_DATE_KEYS = ("date", "created", "published", "pubdate", "publishdate")
_DESCRIPTION_KEYS = ("description", "summary", "abstract", "excerpt")
# A site generator's settings, not facts about the document.
_MACHINERY = frozenset(
    "layout permalink slug url aliases alias redirect redirect_from redirect_to draft weight type "
    "template id uuid toc sidebar nav nav_order nav_exclude parent grand_parent has_children menu "
    "pagination comments share math mathjax katex hidden search sitemap excerpt_separator output "
    "cascade css js scripts styles cssclass cssclasses publish lastmod updated modified expirydate "
    "image images cover thumbnail featured_image banner feature_image og_image icon lang".split()
)
_KEY = re.compile(r"[\w-]{1,40}")
_ISO_DATE = re.compile(r"(\d{4})-(\d\d)-(\d\d)")
_LINK_VALUE = re.compile(r"(?:[a-z]+://|/|\./|\.\./)\S*$|\S+\.(?:png|jpe?g|gif|svg|webp)$", re.I)
MAX_FIELD_CHARS = 500  # one field's value as the line holds it (a list of a thousand tags is cut)


def read_markdown(raw: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> ExtractedText:
    from markdown_it import MarkdownIt

    text = decode_text(raw)
    fields, body = front_matter(text)
    renderer = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    title = _one_line(_first(fields, _TITLE_KEYS))
    page = (f"<html><head><title>{html.escape(title)}</title></head><body>" if title else "<html><body>") + \
        _front_html(fields, body) + renderer.render(body) + "</body></html>"
    try:
        return read_html(page.encode("utf-8"), limits)
    except UnreadableDocument as exc:
        if str(exc) == NO_TEXT_IN_PAGE:  # only markup, rules or comments
            raise UnreadableDocument("no text in this Markdown file") from None
        raise


def front_matter(text: str) -> tuple[dict[str, Any], str]:
    """(fields, the rest of the text) of a Markdown file that opens with front matter; ({}, the
    text) when it opens with none, or with a block that does not parse as YAML or TOML (kept as
    text: nothing is lost).

    >>> front_matter("---\\ntitle: Notes\\ntags: [a, b]\\n---\\nBody.\\n")
    ({'title': 'Notes', 'tags': ['a', 'b']}, 'Body.\\n')
    >>> front_matter("--- \\nNot front matter: a rule.\\n")[0]
    {}
    """
    match = _FRONT_MATTER.match(text[: MAX_FRONT_MATTER_CHARS + 10])
    if match is None:
        return {}, text
    block = match.group(2) or ""
    try:
        if match.group(1) == "+++":
            import tomllib

            fields = tomllib.loads(block)
        else:
            import yaml

            fields = yaml.load(block, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except Exception:  # not front matter after all (a rule, then prose between rules)
        return {}, text
    if not isinstance(fields, dict) or not all(_KEY.fullmatch(str(key)) for key in fields):
        return {}, text  # fields are named as identifiers: "A rule, then prose: …" is prose
    return {str(key).strip().lower(): value for key, value in fields.items()}, text[match.end():]


def _front_html(fields: dict[str, Any], body: str) -> str:
    """The front matter as one record, a line of labelled values as a sheet's row (title,
    authors and date first: "Title: Born to Run; Author: Bruce Springsteen; Date: 27 October
    2016; Book pages: 528."), then the description, a paragraph of its own unless the body
    opens with it."""
    if not fields:
        return ""
    authors = _people(_first(fields, _AUTHOR_KEYS))
    record = [("Title", _one_line(_first(fields, _TITLE_KEYS))), ("Subtitle", _one_line(_first(fields, _SUBTITLE_KEYS))),
              ("Authors" if len(authors) > 1 else "Author", ", ".join(authors)), ("Date", _date(_first(fields, _DATE_KEYS)))]
    used = set(_TITLE_KEYS + _SUBTITLE_KEYS + _AUTHOR_KEYS + _DATE_KEYS + _DESCRIPTION_KEYS)
    record += [pair for key, value in fields.items() if key not in used and key not in _MACHINERY
               for pair in _labelled(key, value)]
    line = "; ".join(f"{label}: {value}" for label, value in record if value)
    parts = [f"<p>{html.escape(line)}.</p>"] if line else []
    description = _one_line(_first(fields, _DESCRIPTION_KEYS))
    if description and description not in " ".join(body.split()):  # often the post's first paragraph
        parts.append(f"<p>{html.escape(description)}</p>")
    return "".join(parts)


def _first(fields: dict[str, Any], keys: tuple[str, ...]) -> Any:
    return next((fields[key] for key in keys if fields.get(key) not in (None, "", [])), None)


def _one_line(value: Any) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return _date(value)
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return " ".join(str(value).split())[:MAX_FIELD_CHARS]
    return ""


def _people(value: Any) -> list[str]:
    """Authors as front matter writes them: a name, a list of names, {name: …, email: …}."""
    items = value if isinstance(value, list) else [value]
    names = [_one_line(item.get("name") if isinstance(item, dict) else item) for item in items[:12]]
    return [name for name in names if name]


def _date(value: Any) -> str:
    """A date as a page shows it, "24 October 2016", from a YAML date or timestamp, a TOML
    datetime or a string that opens with an ISO date ("2016-10-24 19:16:49 +0100"); other
    strings as written."""
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.day} {value:%B %Y}"
    text = _one_line(value)
    match = _ISO_DATE.match(text)
    if match:
        try:
            return _date(dt.date(*map(int, match.groups())))
        except ValueError:
            pass
    return text


def _labelled(key: str, value: Any, depth: int = 0) -> Iterator[tuple[str, str]]:
    """(label, value) of one field: nested fields labelled by their path ("Book pages"), lists
    joined, links and pictures left out."""
    label = key.replace("_", " ").strip()
    if depth == 0:
        label = label[:1].upper() + label[1:]
    if isinstance(value, dict) and depth < 2:
        for sub, item in value.items():
            if str(sub).lower() not in _MACHINERY:
                yield from _labelled(f"{label} {sub}", item, depth + 1)
        return
    if isinstance(value, list):
        items = [_one_line(item) for item in value[:100]]
        text = ", ".join(item for item in items if item and not _LINK_VALUE.match(item))[:MAX_FIELD_CHARS]
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    else:
        text = _one_line(value)
    if text and not _LINK_VALUE.match(text):
        yield label, text
