"""FakeOpenAIServer: a real local HTTP server speaking enough of the OpenAI chat API for tests.

It is a fake for fault injection and scripted replies, never a stand-in for a model in a test of
model behaviour. It binds 127.0.0.1 only, on a free port, serves from a background thread, and
every loop in it is bounded (a hang ends after its seconds or at shutdown, and the server
refuses requests past ``max_requests``).

Example:
    >>> from tests.fakes.openai_server import Fault, FakeOpenAIServer
    >>> with FakeOpenAIServer(["hello"]) as server:
    ...     server.inject(Fault.rate_limit(retry_after=1))
    ...     url = server.url  # "http://127.0.0.1:PORT/v1"
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ReplyFn = Callable[[dict[str, Any]], str]


@dataclass(frozen=True)
class Fault:
    """One injected failure, answered instead of a normal reply.

    Use the constructors: ``rate_limit``, ``server_error``, ``hang``, ``malformed``,
    ``no_choices``, ``reject_response_format``, ``context_window`` or ``http_status``.
    """

    kind: str
    status: int = 200
    body: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @classmethod
    def rate_limit(cls, *, retry_after: float | str | None = 1) -> Fault:
        headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
        return cls("status", 429, _error_body("Rate limit reached", "rate_limit_exceeded"), headers)

    @classmethod
    def server_error(cls, status: int = 500) -> Fault:
        return cls("status", status, _error_body("The server had an error", "server_error"))

    @classmethod
    def hang(cls, seconds: float) -> Fault:
        """Say nothing for ``seconds`` (bounded; cut short at shutdown), then answer normally."""
        return cls("hang", seconds=seconds)

    @classmethod
    def malformed(cls, body: str = "<html>502 Bad Gateway: not JSON") -> Fault:
        """A 200 whose body is not JSON although it claims to be."""
        return cls("raw", 200, body)

    @classmethod
    def no_choices(cls) -> Fault:
        """A 200 with valid JSON that lacks ``choices``."""
        return cls("raw", 200, json.dumps({"id": "x", "object": "chat.completion"}))

    @classmethod
    def reject_response_format(cls) -> Fault:
        message = "response_format of type json_schema is not supported by this model"
        return cls("status", 400, _error_body(message, "invalid_request_error"))

    @classmethod
    def context_window(cls) -> Fault:
        message = (
            "This model's maximum context length is 8192 tokens. However, your messages "
            "resulted in 9000 tokens. Please reduce the length of the messages."
        )
        return cls("status", 400, _error_body(message, "context_length_exceeded"))

    @classmethod
    def http_status(cls, status: int, message: str = "error", **headers: str) -> Fault:
        return cls("status", status, _error_body(message, "error"), headers)


def _error_body(message: str, code: str) -> str:
    return json.dumps({"error": {"message": message, "type": code, "code": code}})


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as the server saw it."""

    index: int
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    received_at: float


class FakeOpenAIServer:
    """A scripted, fault-injecting OpenAI-compatible server on 127.0.0.1.

    Args:
        replies: texts handed out in order (the last repeats), or a function of the request
            JSON returning the text; default echoes the last message.
        model: the model id listed by ``GET /v1/models``.
        unsupported_formats: ``response_format`` types this server rejects with a 400, e.g.
            ``{"json_schema"}`` (every time, not once like a fault).
        max_requests: chat requests answered before the server refuses more (a bound on loops).
        max_hang_s: the longest any hang may last.
        truncate_to_max_tokens: cut a reply longer than the request's ``max_tokens`` (counted
            in whitespace-separated words) to that many words and report finish reason
            ``length``, as a real server does when a reply hits the limit.

    Attributes:
        requests: every chat completion request received, in order of arrival.
        max_in_flight: the most chat requests that were being answered at the same moment.
    """

    def __init__(
        self,
        replies: Iterable[str] | ReplyFn | None = None,
        *,
        model: str = "fake",
        unsupported_formats: Iterable[str] = (),
        max_requests: int = 10_000,
        max_hang_s: float = 30.0,
        truncate_to_max_tokens: bool = False,
    ) -> None:
        self.model = model
        self.truncate_to_max_tokens = truncate_to_max_tokens
        self.unsupported_formats = set(unsupported_formats)
        self.max_requests = max_requests
        self.max_hang_s = max_hang_s
        self._reply_fn: ReplyFn | None = None
        self._script: list[str] = []
        self.set_replies(replies)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._faults: deque[Fault] = deque()
        self._faults_at: dict[int, Fault] = {}
        self.requests: list[ReceivedRequest] = []
        self.other_requests: list[ReceivedRequest] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._next_reply = 0
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- control -----------------------------------------------------------------------

    def set_replies(self, replies: Iterable[str] | ReplyFn | None) -> None:
        """Replace the script: texts in order, a function of the request JSON, or echo."""
        if replies is None:
            self._reply_fn, self._script = _echo, []
        elif callable(replies):
            self._reply_fn, self._script = replies, []
        else:
            self._reply_fn, self._script = None, list(replies)
            self._next_reply = 0

    def inject(self, *faults: Fault) -> None:
        """Queue faults: each next chat request gets the next fault until the queue is empty."""
        with self._lock:
            self._faults.extend(faults)

    def inject_at(self, index: int, fault: Fault) -> None:
        """Answer the chat request with this arrival index (0-based) with ``fault``."""
        with self._lock:
            self._faults_at[index] = fault

    @property
    def request_count(self) -> int:
        """Chat completion requests received so far."""
        with self._lock:
            return len(self.requests)

    def reset(self) -> None:
        """Forget requests, faults and the in-flight peak (the script restarts too)."""
        with self._lock:
            self.requests.clear()
            self.other_requests.clear()
            self._faults.clear()
            self._faults_at.clear()
            self.max_in_flight = self.in_flight
            self._next_reply = 0

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("FakeOpenAIServer is not started")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """The base URL clients use: ``http://127.0.0.1:PORT/v1``."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FakeOpenAIServer:
        handler = type("_BoundHandler", (_Handler,), {"fake": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-openai-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; hangs in progress end at once."""
        self._stop.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- request handling (called from server threads) -----------------------------------

    def _admit(self, received: ReceivedRequest) -> tuple[int, Fault | None]:
        with self._lock:
            index = len(self.requests)
            self.requests.append(
                ReceivedRequest(
                    index,
                    received.method,
                    received.path,
                    received.headers,
                    received.body,
                    received.received_at,
                )
            )
            fault = self._faults_at.pop(index, None)
            if fault is None and self._faults:
                fault = self._faults.popleft()
            if index >= self.max_requests:
                fault = Fault.http_status(
                    400, f"fake server request limit {self.max_requests} reached"
                )
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            return index, fault

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _text_for(self, body: dict[str, Any]) -> str:
        with self._lock:
            if self._reply_fn is not None:
                fn = self._reply_fn
            else:
                if not self._script:
                    return ""
                text = self._script[min(self._next_reply, len(self._script) - 1)]
                self._next_reply += 1
                return text
        return fn(body)

    def _wait(self, seconds: float) -> None:
        self._stop.wait(min(seconds, self.max_hang_s))


def _echo(body: dict[str, Any]) -> str:
    messages = body.get("messages") or [{}]
    content = messages[-1].get("content", "")
    return content if isinstance(content, str) else json.dumps(content)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeOpenAIServer
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr access log."""

    def _read(self) -> ReceivedRequest:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(min(length, 10_000_000)) if length else b""
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = {"_unparsed": raw.decode("utf-8", "replace")}
        headers = {k.lower(): v for k, v in self.headers.items()}
        return ReceivedRequest(-1, self.command, self.path, headers, body, time.monotonic())

    def _send(self, status: int, body: str, headers: Mapping[str, str] | None = None) -> None:
        data = body.encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self._leave()
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_GET(self) -> None:
        received = self._read()
        with self.fake._lock:
            self.fake.other_requests.append(received)
        if self.path.rstrip("/") in ("/v1/models", "/models"):
            model = {"id": self.fake.model, "object": "model", "owned_by": "fake"}
            self._send(200, json.dumps({"object": "list", "data": [model]}))
        else:
            self._send(404, _error_body(f"no route {self.path}", "not_found"))

    def do_POST(self) -> None:
        received = self._read()
        if self.path.rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
            with self.fake._lock:
                self.fake.other_requests.append(received)
            self._send(404, _error_body(f"no route {self.path}", "not_found"))
            return
        index, fault = self.fake._admit(received)
        self._in_flight = True
        try:
            self._answer(index, received.body, fault)
        finally:
            self._leave()

    def _leave(self) -> None:
        """Count this request as finished; called before its last bytes go out, so a client
        that starts a new request the moment it has the reply never sees a stale gauge."""
        if getattr(self, "_in_flight", False):
            self._in_flight = False
            self.fake._leave()

    def _answer(self, index: int, body: dict[str, Any], fault: Fault | None) -> None:
        if fault is not None and fault.kind == "hang":
            self.fake._wait(fault.seconds)
            fault = None
        if fault is not None:
            self._send(fault.status, fault.body, fault.headers)
            return
        kind = (body.get("response_format") or {}).get("type")
        if kind in self.fake.unsupported_formats:
            message = f"response_format type {kind!r} is not supported by this server"
            self._send(400, _error_body(message, "invalid_request_error"))
            return
        n = int(body.get("n") or 1)
        texts = [self.fake._text_for(body) for _ in range(max(1, min(n, 16)))]
        if body.get("stream"):
            self._stream(index, texts[0], body)
            return
        prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in body["messages"])
        limit = body.get("max_tokens") or body.get("max_completion_tokens")
        finish = ["stop"] * len(texts)
        if self.fake.truncate_to_max_tokens and limit:
            for i, text in enumerate(texts):
                words = text.split(" ")
                if len(words) > int(limit):
                    texts[i], finish[i] = " ".join(words[: int(limit)]), "length"
        reply = {
            "id": f"chatcmpl-fake-{index}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", self.fake.model),
            "choices": [
                {
                    "index": i,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": finish[i],
                }
                for i, text in enumerate(texts)
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": sum(len(t.split()) for t in texts),
                "total_tokens": prompt_tokens + sum(len(t.split()) for t in texts),
            },
        }
        self._send(200, json.dumps(reply))

    def _stream(self, index: int, text: str, body: dict[str, Any]) -> None:
        pieces = [piece + " " for piece in text.split(" ")]
        if pieces:
            pieces[-1] = pieces[-1][:-1]
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            base = {
                "id": f"chatcmpl-fake-{index}",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": body.get("model", self.fake.model),
            }
            first = {"role": "assistant", "content": ""}
            events = [{**base, "choices": [{"index": 0, "delta": first, "finish_reason": None}]}]
            events += [
                {**base, "choices": [{"index": 0, "delta": {"content": p}, "finish_reason": None}]}
                for p in pieces
                if p
            ]
            events.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
            for event in events:
                self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.flush()
            self._leave()
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
