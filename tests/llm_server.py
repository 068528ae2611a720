"""A scripted OpenAI-compatible server for the tests: real HTTP on 127.0.0.1 speaking
``/v1/chat/completions``, plain and streamed (server-sent events), replying with queued
texts and recording every request it gets."""

from __future__ import annotations

import re

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Optional, Union


@dataclass
class Reply:
    text: Union[str, Callable[[str], str]] = ""  # or a function of the prompt's last message
    delay: float = 0.0  # seconds before answering (a slow server)
    status: int = 200  # an error status instead of an answer
    pieces: int = 4  # a streamed reply comes in this many chunks
    chunk_delay: float = 0.0  # seconds between streamed chunks (a model writing)


@dataclass
class ScriptedServer:
    replies: list[Reply] = field(default_factory=list)
    requests: list[dict] = field(default_factory=list)
    _server: Optional[ThreadingHTTPServer] = None

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> "ScriptedServer":
        script = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                script.requests.append(body)
                reply = script.replies.pop(0) if script.replies else Reply("")
                if callable(reply.text):
                    reply = Reply(reply.text(body["messages"][-1]["content"]), reply.delay, reply.status, reply.pieces,
                                  reply.chunk_delay)
                time.sleep(reply.delay)
                if reply.status != 200:
                    self._json(reply.status, {"error": {"message": "scripted failure", "type": "server_error"}})
                elif body.get("stream"):
                    self._stream(reply, body.get("model", ""))
                else:
                    self._json(200, {
                        "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": body.get("model", ""),
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": reply.text},
                                     "finish_reason": "stop"}],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    })

            def _json(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, reply: Reply, model: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                size = max(1, len(reply.text) // reply.pieces + 1)
                for i in range(0, len(reply.text), size):
                    chunk = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 0, "model": model,
                             "choices": [{"index": 0, "delta": {"content": reply.text[i : i + size]}, "finish_reason": None}]}
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                    time.sleep(reply.chunk_delay)
                end = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 0, "model": model,
                       "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
                self.wfile.write(f"data: {json.dumps(end)}\n\ndata: [DONE]\n\n".encode())
                self.wfile.flush()

        class QuietServer(ThreadingHTTPServer):
            def handle_error(self, request, client_address):  # a client that gave up (timeout test)
                pass

        self._server = QuietServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()


def number_of(prompt: str, words: str) -> int:
    """The evidence number the prompt gives the first sentence holding these words."""
    for line in prompt.splitlines():
        m = re.match(r"\[(\d+)\] ", line)
        if m and words in line:
            return int(m.group(1))
    raise AssertionError(f"no evidence sentence with {words!r} in the prompt")
