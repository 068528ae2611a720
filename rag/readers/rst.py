"""reStructuredText (.rst), the notes and manuals of Python projects, through docutils (public
domain), which parses it as Sphinx does before rendering.

Section titles are sections; paragraphs, list items, definitions and notes a line of text
each; code blocks as written; tables read with their header as a sheet's. Sphinx's own roles
read as the words they show (":ref:`Resolver changes 2020`" is "Resolver changes 2020",
":func:`~os.path.join`" is "join"), and its directives that hold text (notes of a version,
"see also", tabs) keep it; directives that only point elsewhere (a table of contents, an API
page generated from code) are left out. No file is ever included or raw markup passed through:
``.. include::`` and ``.. raw::`` are off.
"""

from __future__ import annotations

import functools
import io
import re

from rag.readers.base import DEFAULT_LIMITS, ExtractedText, ReadLimits, TextBuilder, clean_line, first_line
from rag.readers.tables import table_lines
from rag.readers.text import decode_text

# Sphinx's roles (and the Python domain's): each reads as the text it shows.
SPHINX_ROLES = ("ref", "doc", "term", "option", "envvar", "command", "program", "file", "samp", "kbd",
                "guilabel", "menuselection", "abbr", "dfn", "mimetype", "makevar", "keyword", "token",
                "class", "func", "meth", "attr", "mod", "obj", "data", "const", "exc", "any", "download", "numref",
                "py:class", "py:func", "py:meth", "py:attr", "py:mod", "py:obj", "py:data", "py:const", "py:exc")
# Sphinx's directives whose content is text to read.
SPHINX_TEXT_DIRECTIVES = ("versionadded", "versionchanged", "deprecated", "seealso", "tab", "tabs", "only",
                          "glossary", "hlist", "centered", "card", "grid", "grid-item-card", "dropdown", "tab-set",
                          "tab-item", "todo")
_SHOWN = re.compile(r"^(?P<shown>.*?)\s*<[^<>]*>$", re.S)  # "Resolver changes <resolver-changes>"


def read_rst(raw: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> ExtractedText:
    from docutils import nodes
    from docutils.core import publish_doctree

    _register_sphinx()
    source = decode_text(raw)
    doctree = publish_doctree(source, settings_overrides={
        "report_level": 5, "halt_level": 5, "warning_stream": io.StringIO(),  # problems are not the user's
        "file_insertion_enabled": False, "raw_enabled": False, "_disable_config": True,
        "input_encoding": "unicode", "line_length_limit": 1_000_000,
    })
    out = TextBuilder()
    skipped = (nodes.system_message, nodes.comment, nodes.substitution_definition, nodes.target, nodes.raw,
               nodes.pending, nodes.image, nodes.figure)

    def walk(node) -> None:
        for child in node.children:
            if isinstance(child, skipped):
                continue
            if isinstance(child, nodes.title):
                heading = clean_line(child.astext())
                out.section(heading)
                out.add(heading)
            elif isinstance(child, (nodes.paragraph, nodes.term, nodes.line)):
                out.add(clean_line(child.astext()))
            elif isinstance(child, (nodes.literal_block, nodes.doctest_block)):
                out.add(child.astext())
            elif isinstance(child, nodes.table):
                rows = [[clean_line(entry.astext()) for entry in row.traverse(nodes.entry)] for row in child.traverse(nodes.row)]
                for line in table_lines(rows):
                    out.add(line)
            elif isinstance(child, nodes.Element):
                walk(child)

    walk(doctree)
    text = out.text("no text in this reStructuredText file")
    title = doctree.get("title") or (out.sections[0][1] if out.sections else first_line(text))
    return ExtractedText(text, clean_line(title)[:200], sections=out.sections)


@functools.lru_cache(maxsize=1)
def _register_sphinx() -> None:
    """Sphinx's roles and text directives, taught to plain docutils once a process."""
    from docutils import nodes
    from docutils.parsers.rst import Directive, directives, roles
    from docutils.parsers.rst.directives.body import CodeBlock
    from docutils.utils import unescape

    def shown(name, rawtext, text, lineno, inliner, options=None, content=None):
        text = unescape(text)
        m = _SHOWN.match(text)
        words = (m.group("shown") if m and m.group("shown") else text).lstrip("!")
        if words.startswith("~"):  # ":func:`~os.path.join`" shows "join"
            words = words[1:].rsplit(".", 1)[-1]
        return [nodes.Text(words)], []

    for role in SPHINX_ROLES:
        roles.register_local_role(role, shown)

    class TextDirective(Directive):
        """A Sphinx directive whose content is read as text; its arguments are a line of it."""
        optional_arguments = 10
        final_argument_whitespace = True
        has_content = True
        option_spec = None  # any options, ignored

        def run(self):
            container = nodes.container()
            if self.arguments:
                container += nodes.paragraph(text=" ".join(self.arguments))
            self.state.nested_parse(self.content, self.content_offset, container)
            return [container]

    TextDirective.option_spec = _AnyOptions()
    for name in SPHINX_TEXT_DIRECTIVES:
        directives.register_directive(name, TextDirective)
    for name in ("code-block", "sourcecode"):
        directives.register_directive(name, CodeBlock)


class _AnyOptions(dict):
    """An option spec that takes any option (Sphinx's directives have many) and keeps its text."""

    def __contains__(self, key) -> bool:
        return True

    def __bool__(self) -> bool:  # docutils parses options only when a directive declares some
        return True

    def __getitem__(self, key):
        return lambda value: value
