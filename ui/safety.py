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


class SlowLogin:
    """The chat's login check (Gradio's ``auth`` callable): a wrong password is answered only
    after a pause that grows with the failures of the last ``window`` seconds (0.25 s, 0.5 s,
    1 s, ... at most ``max_delay``), so guessing is slow; a right one at once. Asynchronous:
    the pause holds up that login alone, not the server."""

    def __init__(self, user: str, password: str, window: float = 300.0, max_delay: float = 8.0):
        self.user, self.password = user, password
        self.window, self.max_delay = window, max_delay
        self.failures: list[float] = []

    def delay(self, recent_failures: int) -> float:
        """The pause after this many recent failures.

        >>> [SlowLogin("u", "p").delay(n) for n in (1, 2, 3, 10, 50)]
        [0.25, 0.5, 1.0, 8.0, 8.0]
        """
        return min(self.max_delay, 0.25 * 2 ** min(recent_failures - 1, 10))

    async def __call__(self, user: str, password: str) -> bool:
        import asyncio
        import hmac
        import time

        ok = hmac.compare_digest(user.encode(), self.user.encode()) & hmac.compare_digest(password.encode(), self.password.encode())
        if ok:
            return True
        now = time.monotonic()
        self.failures = [t for t in self.failures if now - t < self.window] + [now]
        await asyncio.sleep(self.delay(len(self.failures)))
        return False


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
