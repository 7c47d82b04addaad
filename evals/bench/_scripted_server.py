"""A scripted fake OpenAI-compatible server for the benchmark's served-path smoke run.

``bench_llambo.py --model served-scripted`` sends the LLM cells' requests over HTTP to this
server, which answers them with ``ScriptedHPOFakeBackend``'s scripted replies: it checks that
the sampler works through the OpenAI client against a local endpoint (the path a vLLM or
llama.cpp server takes), and says nothing about any model. Binds 127.0.0.1 on a free port and
serves from a background thread. (The tests have a fuller fake with fault injection in
tests/fakes; benchmark code does not import tests.)
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from agent.llm import Message, Request

__all__ = ["ScriptedFakeOpenAIServer"]

#: A scripted reply: (request, sample index) -> text.
Reply = Callable[[Request, int], str]


class ScriptedFakeOpenAIServer:
    """``POST /v1/chat/completions`` answered by ``reply`` (one choice per ``n``).

    Example:
        >>> from agent.hpo import ScriptedHPOFakeBackend
        >>> with ScriptedFakeOpenAIServer(ScriptedHPOFakeBackend()._answer) as server:
        ...     spec = f"openai:scripted-fake@{server.url}"
    """

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.requests = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                """No access log on stderr."""

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(min(length, 10_000_000)) or b"{}")
                    status, out = 200, server._complete(body)
                except (ValueError, KeyError, TypeError) as exc:
                    status, out = 400, {"error": {"message": str(exc), "type": "bad_request"}}
                data = json.dumps(out).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The base URL, ``http://127.0.0.1:PORT/v1``."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def __enter__(self) -> ScriptedFakeOpenAIServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def _complete(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.requests += 1
        messages = tuple(Message(m["role"], str(m.get("content", ""))) for m in body["messages"])
        request = Request(messages=messages, seed=body.get("seed"))
        n = max(1, min(int(body.get("n") or 1), 16))
        texts = [self.reply(request, i) for i in range(n)]
        prompt_tokens = sum(len(m.content.split()) for m in messages)
        completion_tokens = sum(len(t.split()) for t in texts)
        return {
            "id": f"chatcmpl-scripted-{self.requests}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "scripted-fake"),
            "choices": [
                {
                    "index": i,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
                for i, text in enumerate(texts)
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
