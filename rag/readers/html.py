"""Web pages (.html, .htm) through BeautifulSoup with lxml: the page's main text only.

Scripts, styles, navigation (by element, role or a documentation generator's class), headers,
footers, sidebars and forms are dropped; when the page
marks its main content (``<main>``, ``role="main"``, ``<article>``) only that is read. Each
block (paragraph, list item, heading, table row) is one line, with a blank line after it;
``<pre>`` keeps its lines. Headings become sections; the title comes from ``<title>`` or
the first heading.
"""

from __future__ import annotations

import re

from rag.readers.base import DEFAULT_LIMITS, ExtractedText, ReadLimits, UnreadableDocument, clean_line, require_text
from rag.readers.tables import table_lines

_SKIP = frozenset(
    "script style noscript template svg canvas nav header footer aside form button select "
    "input textarea iframe object embed head".split()
)
# Inside the marked main content a <header> holds the article's own title, not the site's.
_KEEP_IN_MAIN = frozenset({"header"})
_SKIP_ROLES = frozenset("navigation banner contentinfo complementary search menu menubar toolbar".split())
# Navigation that documentation generators mark by class only, not by element or role: the
# "Prev / Up / Home / Next" links of DocBook (navheader, navfooter) and Publican (docnav, whose
# links hold the next page's title cut short: "8.3. Setting the Hostname and Configuring the
# Nam..."), breadcrumbs, Javadoc's and Doxygen's bars.
_NAV_CLASSES = frozenset(
    "navheader navfooter docnav breadcrumb breadcrumbs navbar navpath topNav bottomNav subNav "
    "mobile-nav skip-link".split()
)
NO_TEXT_IN_PAGE = "no text in this web page"
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_BLOCKS = _HEADINGS | frozenset(
    "address article blockquote caption center dd details dialog div dl dt fieldset figcaption "
    "figure hr li main ol p pre section summary table tbody tfoot thead tr ul".split()
)
_LINE_BREAK = "\x1f"  # a line break that survives white-space collapsing (<br>, <pre>)
# Documentation generators end headings and definitions with a link anchor: "Numbers¶".
_PILCROW = re.compile(r"\s*¶$", re.M)
_HEADING_ANCHOR = re.compile(r"\s*[¶#]$")


def _hidden(tag, in_main: bool) -> bool:
    return (
        (tag.name in _SKIP and not (in_main and tag.name in _KEEP_IN_MAIN))
        or tag.get("role") in _SKIP_ROLES
        or tag.has_attr("hidden")
        or tag.get("aria-hidden") == "true"
        or not _NAV_CLASSES.isdisjoint(tag.get("class") or ())
    )


# What a cell of a table laid out for the eye holds, and a cell of a table of data does not.
_CELL_BLOCKS = ("ul", "ol", "dl", "pre", "table", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "br")


def _data_table(table) -> bool:
    """A table of rows and columns (a header, values), not one that lays out a page or holds
    code: its cells hold no lists, code blocks, headings or tables of their own, and at most
    one paragraph (Sphinx wraps every cell's text in one)."""
    if table.find(_CELL_BLOCKS) is not None or table.find("tr") is None:
        return False
    return all(len(cell.find_all(("p", "div"))) <= 1 for cell in table.find_all(("td", "th")))


class _TextBuilder:
    """Walks the tree once, gathering blocks of text and which of them are headings."""

    def __init__(self, in_main: bool) -> None:
        self.in_main = in_main  # walking the page's marked main content, not the whole body
        self.blocks: list[tuple[bool, str]] = []
        self._buffer: list[str] = []
        self._markers: dict[int, str] = {}  # id(<li>) -> its bullet or number, as a browser shows it
        self._marker = ""  # the mark of the item begun, written before its first text

    def flush(self, heading: bool = False) -> None:
        raw = "".join(self._buffer)
        self._buffer.clear()
        lines = [clean_line(line) for line in raw.split(_LINE_BREAK)]
        text = _PILCROW.sub("", "\n".join(line for line in lines if line))
        if heading:
            text = _HEADING_ANCHOR.sub("", text)
        if text:
            self.blocks.append((heading, text))

    def walk(self, root) -> None:
        from bs4 import NavigableString
        from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

        # An explicit stack rather than recursion: real pages nest deeper than Python's limit.
        stack: list = [(root, False, False)]
        while stack:
            node, in_pre, closing = stack.pop()
            if closing:  # the end of a block element
                self.flush(heading=node.name in _HEADINGS)
                if node.name == "li":
                    self._marker = ""  # an empty item marks nothing after it
                continue
            if isinstance(node, NavigableString):
                if not isinstance(node, (Comment, Declaration, Doctype, ProcessingInstruction)):
                    text = str(node)
                    if self._marker and text.strip():  # the item's first text, in a paragraph of it or not
                        self._buffer.append(self._marker + " ")
                        self._marker = ""
                    self._buffer.append(text.replace("\n", _LINE_BREAK) if in_pre else text.replace("\n", " "))
                continue
            if node is not root and _hidden(node, self.in_main):
                continue
            if node.name == "br":
                self._buffer.append(_LINE_BREAK)
                continue
            in_pre = in_pre or node.name == "pre"
            if node.name == "table" and not in_pre and _data_table(node):
                # Each row with its header's labels, as a spreadsheet's (rag.readers.tables):
                # "Operation: x // y; Result: floored quotient of x and y."
                self.flush()
                rows = [[cell.get_text() for cell in row.find_all(("td", "th"), recursive=False)]
                        for row in node.find_all("tr") if not _hidden(row, self.in_main)]
                self.blocks.extend((False, line) for line in map(clean_line, table_lines(rows)) if line)
                continue
            if node.name in ("ul", "ol") and not in_pre:
                self._markers.update(_list_markers(node))
            if node.name in _BLOCKS:
                self.flush()
                stack.append((node, in_pre, True))
                if node.name == "li":
                    # "• " or "3. ": a list item reads as one, and a lead-in's list is known by it.
                    self._marker = self._markers.get(id(node), "")
            elif node.name in ("td", "th"):
                self._buffer.append(" ")
            stack.extend((child, in_pre, False) for child in reversed(list(node.children)))


def _list_markers(node) -> dict[int, str]:
    """The marks a browser puts before a list's items: numbers from the list's ``start`` for
    ``<ol>``, a bullet for ``<ul>``."""
    items = node.find_all("li", recursive=False)
    if node.name == "ul":
        return {id(item): "•" for item in items}
    try:
        start = int(node.get("start", 1))
    except (TypeError, ValueError):
        start = 1
    return {id(item): f"{start + i}." for i, item in enumerate(items)}


def read_html(raw: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> ExtractedText:
    import warnings

    from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

    try:
        with warnings.catch_warnings():
            # XHTML pages (the Debian handbook's) open with an XML declaration; lxml's HTML
            # parser reads them as well as any page, so BeautifulSoup's advice is only noise.
            warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
            soup = BeautifulSoup(raw, "lxml")
    except MemoryError:
        raise  # the reading budget's to report, not a malformed page
    except Exception as exc:  # lxml rejects some malformed input outright
        raise UnreadableDocument(f"not a readable web page ({exc})") from None
    main = soup.find("main") or soup.find(attrs={"role": "main"}) or soup.find("article")
    root = main or soup.body or soup
    builder = _TextBuilder(in_main=main is not None)
    builder.walk(root)
    builder.flush()
    parts, sections, offset = [], [], 0
    for heading, text in builder.blocks:
        if heading:
            sections.append((offset, text.replace("\n", " ")))
        parts.append(text)
        offset += len(text) + 2
    text = require_text("\n\n".join(parts), NO_TEXT_IN_PAGE)
    page_title = clean_line(soup.title.get_text()) if soup.title else ""
    title = page_title or (sections[0][1] if sections else text.split("\n", 1)[0])
    return ExtractedText(text, title[:200], sections=sections)
