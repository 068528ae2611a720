r"""What keeps documents' and models' text from acting as markup in the browser.

Everything the chat shows from a document (sentences, quotes, titles, file names, headings,
conflict values) or from a model is text, not markup: a sentence holding
``<img src="http://...">`` or ``[click](http://...)`` must be shown as those characters,
never fetched or made a link. Gradio strips scripts but keeps images and links, so:

- ``markdown_text`` escapes a string for the chat's Markdown (and the HTML it allows);
  URLs come out as text, not links;
- ``html.escape`` does it for the HTML panels (ui/app.py's ``_esc``);
- ``ContentSecurityPolicy`` sends a Content-Security-Policy with every page, so that an
  escape missed somewhere still cannot load anything from outside the app.

>>> print(markdown_text('<img src="http://x/a.png"> [go](www.x.org) **b**'))
\<img src="http\:\/\/x/a.png"\> \[go\]\(www\.x.org\) \*\*b\*\*
"""

from __future__ import annotations

import re

# Inline Markdown and the HTML Markdown passes through: escaped wherever they stand.
_INLINE = re.compile(r"([\\`*_\[\]()!~|<>&$])")
# What makes a block at the start of a line: a heading, a list item, a quote, a rule, a table.
_LINE_START = re.compile(r"(?m)^(\s*)([#+\-=>]|\d+[.)])")
# Bare URLs that Markdown would turn into links.
_URL = re.compile(r"(?i)(://|\bwww\.|\bmailto:)")

POLICY = "; ".join([
    "default-src 'self'",
    # Gradio's page starts from an inline script with its configuration.
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "media-src 'self' data: blob:",
    "connect-src 'self'",
    "frame-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
])


def markdown_text(text: str) -> str:
    """``text`` to be shown as itself inside Markdown."""
    text = _INLINE.sub(r"\\\1", text)
    text = _URL.sub(lambda m: m.group(1).replace(":", "\\:").replace("/", "\\/").replace(".", "\\."), text)
    return _LINE_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], text)


_CITATION_MARKER = re.compile(r"(\[\d{1,3}\])")


def answer_markdown(text: str) -> str:
    """An answer's text for the chat: escaped, but for its ``[n]`` citation markers.

    >>> answer_markdown("Gerasimov wrote <b>it</b> [1][2]")
    'Gerasimov wrote \\\\<b\\\\>it\\\\</b\\\\> [1][2]'
    """
    return "".join(part if _CITATION_MARKER.fullmatch(part) else markdown_text(part) for part in _CITATION_MARKER.split(text))


class ContentSecurityPolicy:
    """ASGI middleware: every HTTP response of the app carries POLICY (and no sniffing of
    types, no framing by other sites)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_policy(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-security-policy"]
                headers += [
                    (b"content-security-policy", POLICY.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"SAMEORIGIN"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        return await self.app(scope, receive, send_with_policy)
