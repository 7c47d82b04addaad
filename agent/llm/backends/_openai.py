"""Any OpenAI-compatible chat server (OpenAI, vLLM, Ollama, llama.cpp server, LM Studio).

Built on the official ``openai`` SDK for transport and authentication; retries are ours (the
SDK's own are off) so that every server gets the same policy: exponential backoff with jitter
on 429, 5xx, connection errors and timeouts, honouring ``Retry-After``.

Samples: each sample index is one HTTP request (with ``seed=request.sample_seed(i)`` when the
request has a seed) rather than one request with ``n``. Many servers ignore or reject ``n``,
and one request per index keeps every sample reproducible and cached under its own key; the
requests of one ``generate`` call run in parallel within the concurrency limit.

Structured output: ``response_format`` of type ``json_schema`` first; when the server rejects
it, ``json_object`` and then no ``response_format`` (the schema goes into the prompt). The
fallback is remembered per backend instance and ``supports_schema`` follows it; the facade
validates and repairs in every case.

The API key lives only inside the SDK client: it is never logged, never part of the spec or
the cache key, and scrubbed from every error message.
"""

from __future__ import annotations

import email.utils
import functools
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import openai
import tenacity

import prompts
from agent.errors import (
    ConfigError,
    ContextWindowError,
    LLMConnectionError,
    LLMError,
    LLMRateLimitError,
    LLMResponseError,
    LLMTimeoutError,
)
from agent.llm._backend import Backend
from agent.llm._types import Completion, Message, Request, Usage

log = logging.getLogger("agent.llm.openai")

OPENAI_BASE_URL = "https://api.openai.com/v1"
PLACEHOLDER_KEY = "not-needed"
FORMAT_MODES = ("json_schema", "json_object", "none")

_FORMAT_REJECTED = re.compile(
    r"response.?format|json.?schema|json.?object|structured.?output|guided.?json", re.I
)
_CONTEXT_WINDOW = re.compile(
    r"context.?length|context.?window|maximum context|too many tokens|prompt is too long"
    r"|reduce the length",
    re.I,
)
_MAX_COMPLETION_TOKENS = re.compile(r"max_completion_tokens", re.I)
_RETRY_STATUSES = frozenset({408, 409, 429})

T = TypeVar("T")


class OpenAIBackend(Backend):
    """Chat completions from an OpenAI-compatible server.

    Args:
        model_name: the server's model id, e.g. ``gpt-4o-mini`` (also used for pricing).
        base_url: the server's ``/v1`` URL; else ``OPENAI_BASE_URL``; else OpenAI's.
        api_key: else ``OPENAI_API_KEY``; servers that need none get a placeholder.
        timeout: seconds one HTTP request may take.
        max_retries: retries after the first attempt on 429, 5xx, connection errors, timeouts.
        max_concurrency: HTTP requests in flight at once, across all threads.
        backoff_base: first backoff in seconds; doubles each retry, plus jitter.
        backoff_max: the longest wait between attempts (caps ``Retry-After`` too).

    Raises:
        ConfigError: a bad option, or no API key for OpenAI's own endpoint.
    """

    def __init__(
        self,
        model_name: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 5,
        max_concurrency: int = 8,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
    ) -> None:
        if not model_name:
            raise ConfigError("OpenAIBackend needs a model name, e.g. 'gpt-4o-mini'")
        if timeout <= 0:
            raise ConfigError(f"timeout must be > 0 seconds, got {timeout}")
        if max_retries < 0:
            raise ConfigError(f"max_retries must be >= 0, got {max_retries}")
        if max_concurrency < 1:
            raise ConfigError(f"max_concurrency must be >= 1, got {max_concurrency}")
        if backoff_base < 0 or backoff_max < backoff_base:
            raise ConfigError(
                f"need 0 <= backoff_base <= backoff_max, got {backoff_base} and {backoff_max}"
            )
        url = (base_url or os.environ.get("OPENAI_BASE_URL") or OPENAI_BASE_URL).rstrip("/")
        key = api_key or os.environ.get("OPENAI_API_KEY")
        if not key:
            if url == OPENAI_BASE_URL:
                raise ConfigError(
                    f"OPENAI_API_KEY is not set: export it to use openai:{model_name}, or name "
                    "a local server with openai:NAME@http://HOST:PORT/v1"
                )
            key = PLACEHOLDER_KEY
        self.model_name = model_name
        self.base_url = _without_userinfo(url)
        self.spec = (
            f"openai:{model_name}"
            if url == OPENAI_BASE_URL
            else f"openai:{model_name}@{self.base_url}"
        )
        self.timeout = float(timeout)
        self.max_retries = int(max_retries)
        self.max_concurrency = int(max_concurrency)
        self.backoff_base = float(backoff_base)
        self.backoff_max = float(backoff_max)
        self._client = openai.OpenAI(api_key=key, base_url=url, max_retries=0, timeout=timeout)
        self._slots = threading.BoundedSemaphore(max_concurrency)
        self._state_lock = threading.Lock()
        self._format_mode = "json_schema"
        self._tokens_param = "max_tokens"
        self._backoff = tenacity.wait_exponential(
            multiplier=self.backoff_base, max=self.backoff_max
        ) + tenacity.wait_random(0, self.backoff_base)

    # -- Backend contract ----------------------------------------------------------------

    @property
    def supports_schema(self) -> bool:  # type: ignore[override]  # a property over the base class's plain attribute
        """True while the server accepts ``response_format`` of type ``json_schema``."""
        return self._format_mode == "json_schema"

    @property
    def format_mode(self) -> str:
        """How JSON output is requested now: ``json_schema``, ``json_object`` or ``none``."""
        return self._format_mode

    def generate(self, request: Request, sample_indices: Sequence[int]) -> list[Completion]:
        """One HTTP request per sample index; several run in parallel within the limit."""
        if len(sample_indices) <= 1:
            return [self._complete_one(request, i) for i in sample_indices]
        workers = min(self.max_concurrency, len(sample_indices))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(lambda i: self._complete_one(request, i), sample_indices))

    def stream(self, request: Request) -> Iterator[str]:
        """Yield the text of sample 0 as the server streams it (SSE)."""
        kwargs = self._kwargs(request, 0, self._format_mode)
        with self._slots:
            try:
                chunks = self._with_retries(
                    lambda: self._client.chat.completions.create(**kwargs, stream=True),
                    slot=False,
                )
            except openai.APIStatusError as exc:
                raise self._translate(exc, attempts=1) from None
            try:
                for chunk in chunks:
                    if not chunk.choices:
                        continue
                    piece = chunk.choices[0].delta.content
                    if piece:
                        yield piece
            except openai.APIError as exc:
                raise self._translate(exc, attempts=1) from None
            finally:
                chunks.close()

    def describe(self) -> dict[str, str]:
        return {
            "spec": self.spec,
            "backend": "openai",
            "base_url": self.base_url,
            "json": self._format_mode,
        }

    def close(self) -> None:
        self._client.close()

    # -- one sample ----------------------------------------------------------------------

    def _complete_one(self, request: Request, index: int) -> Completion:
        mode = self._format_mode
        tokens_param = self._tokens_param
        for _ in range(len(FORMAT_MODES) + 1):
            kwargs = self._kwargs(request, index, mode, tokens_param)
            started = time.perf_counter()
            try:
                body = self._with_retries(functools.partial(self._post, kwargs))
            except openai.APIStatusError as exc:
                if exc.status_code in (400, 422):
                    detail = _server_message(exc)
                    rejects_format = _FORMAT_REJECTED.search(detail) is not None
                    if request.json_schema is not None and mode != "none" and rejects_format:
                        mode = self._downgrade(mode, detail)
                        continue
                    if tokens_param == "max_tokens" and _MAX_COMPLETION_TOKENS.search(detail):
                        tokens_param = self._tokens_param = "max_completion_tokens"
                        continue
                raise self._translate(exc, attempts=self.max_retries + 1) from None
            return self._completion(body, request, index, time.perf_counter() - started)
        raise LLMResponseError("the server rejected every request form we tried", model=self.spec)

    def _post(self, kwargs: dict[str, Any]) -> str:
        """One HTTP request; the raw body, parsed by us so malformed bodies fail clearly."""
        return self._client.chat.completions.with_raw_response.create(**kwargs).http_response.text

    def _kwargs(
        self, request: Request, index: int, mode: str, tokens_param: str | None = None
    ) -> dict[str, Any]:
        messages = list(request.messages)
        kwargs: dict[str, Any] = {
            "model": self.model_name,
            "temperature": request.temperature,
            "top_p": request.top_p,
            tokens_param or self._tokens_param: request.max_tokens,
            "timeout": self.timeout,
        }
        if request.stop:
            kwargs["stop"] = list(request.stop)
        if request.seed is not None:
            kwargs["seed"] = request.sample_seed(index)
        if request.json_schema is not None:
            if mode == "json_schema":
                kwargs["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {
                        "name": "output",
                        "schema": dict(request.json_schema),
                        "strict": False,
                    },
                }
            else:
                if mode == "json_object":
                    kwargs["response_format"] = {"type": "json_object"}
                instruction = prompts.render(
                    "structured/instruction",
                    schema=json.dumps(request.json_schema, separators=(",", ":")),
                )
                if not any(m.content == instruction for m in messages):
                    messages.append(Message("user", instruction))
        kwargs["messages"] = [m.to_dict() for m in messages]
        return kwargs

    def _downgrade(self, mode: str, detail: str) -> str:
        """The next weaker JSON mode; remembered so later requests skip the rejected one."""
        weaker = FORMAT_MODES[FORMAT_MODES.index(mode) + 1]
        with self._state_lock:
            if FORMAT_MODES.index(self._format_mode) < FORMAT_MODES.index(weaker):
                self._format_mode = weaker
                log.warning(
                    "[%s] server rejected response_format %s (%s); using %s from now on",
                    self.spec,
                    mode,
                    self._scrub(detail[:160]),
                    weaker,
                )
        return weaker

    def _completion(self, body: str, request: Request, index: int, seconds: float) -> Completion:
        try:
            data = json.loads(body)
        except ValueError:
            raise LLMResponseError(
                f"the server's reply is not JSON: {self._scrub(_snippet(body))}; check that "
                f"{self.base_url} is an OpenAI-compatible /v1 endpoint",
                model=self.spec,
            ) from None
        choices = data.get("choices") if isinstance(data, dict) else None
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            if isinstance(data, dict) and isinstance(data.get("error"), dict):
                reason = str(data["error"].get("message", data["error"]))
                raise LLMResponseError(
                    f"the server answered with an error: {self._scrub(_snippet(reason))}",
                    model=self.spec,
                )
            raise LLMResponseError(
                f"the server's reply has no choices: {self._scrub(_snippet(body))}",
                model=self.spec,
            )
        choice = choices[0]
        message = choice.get("message")
        if not isinstance(message, dict):
            raise LLMResponseError(
                f"the server's reply has no message in its first choice: "
                f"{self._scrub(_snippet(body))}",
                model=self.spec,
            )
        content = message.get("content")
        if content is None and message.get("refusal"):
            raise LLMResponseError(
                f"the model refused: {self._scrub(_snippet(str(message['refusal'])))}",
                model=self.spec,
            )
        text = content if isinstance(content, str) else ""
        usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
        prompt_tokens = _int(usage.get("prompt_tokens"))
        completion_tokens = _int(usage.get("completion_tokens"))
        if prompt_tokens is None:
            prompt_tokens = sum(len(m.content) for m in request.messages) // 4
        if completion_tokens is None:
            completion_tokens = max(1, len(text) // 4) if text else 0
        return Completion(
            text=text,
            usage=Usage(prompt_tokens, completion_tokens),
            latency_s=seconds,
            finish_reason=str(choice.get("finish_reason") or "stop"),
            sample_index=index,
        )

    # -- retries and errors --------------------------------------------------------------

    def _with_retries(self, call: Callable[[], T], *, slot: bool = True) -> T:
        """Run ``call`` under the concurrency limit (unless the caller holds a ``slot``),
        retrying transient failures; the slot is free while waiting between attempts."""

        def attempt() -> T:
            if not slot:
                return call()
            with self._slots:
                return call()

        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.max_retries + 1),
            wait=self._wait,
            retry=tenacity.retry_if_exception(_is_transient),
            before_sleep=self._log_retry,
            reraise=True,
        )
        try:
            return retrying(attempt)
        except (openai.APITimeoutError, openai.APIConnectionError) as exc:
            raise self._translate(exc, attempts=self.max_retries + 1) from None
        except openai.APIStatusError as exc:
            if _is_transient(exc):
                raise self._translate(exc, attempts=self.max_retries + 1) from None
            raise

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        after = retry_after_seconds(exc) if exc is not None else None
        if after is not None:
            return min(after, self.backoff_max)
        return min(float(self._backoff(state)), self.backoff_max)

    def _log_retry(self, state: tenacity.RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        log.warning(
            "[%s] %s; retrying in %.2f s (attempt %d of %d)",
            self.spec,
            _describe(exc),
            wait,
            state.attempt_number + 1,
            self.max_retries + 1,
        )

    def _translate(self, exc: BaseException, *, attempts: int) -> LLMError:
        """Turn an SDK exception into the project's ``LLMError`` family, without secrets."""
        tries = f"after {attempts} attempt{'s' if attempts != 1 else ''}"
        if isinstance(exc, openai.APITimeoutError):
            return LLMTimeoutError(
                f"no reply within the {self.timeout:g} s timeout {tries}; raise the timeout "
                f"(config `timeout` or timeout=...) or check the server at {self.base_url}",
                model=self.spec,
            )
        if isinstance(exc, openai.APIConnectionError):
            cause = exc.__cause__ or exc
            return LLMConnectionError(
                f"could not reach {self.base_url} {tries} ({self._scrub(str(cause))[:160]}); "
                "check that the server runs and the URL (OPENAI_BASE_URL or openai:NAME@URL)",
                model=self.spec,
            )
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            detail = self._scrub(_snippet(_server_message(exc)))
            if status == 429:
                return LLMRateLimitError(
                    f"rate limited (429) {tries}: {detail}; lower max_concurrency, raise "
                    "max_retries or wait",
                    model=self.spec,
                    status=status,
                )
            if status in (400, 413, 422) and _CONTEXT_WINDOW.search(detail):
                return ContextWindowError(
                    f"the prompt does not fit the model's context window: {detail}; shorten "
                    "the prompt or lower max_tokens",
                    model=self.spec,
                    status=status,
                )
            if status in (401, 403):
                return LLMError(
                    f"authentication failed ({status}): {detail}; check OPENAI_API_KEY",
                    model=self.spec,
                    status=status,
                )
            if status == 404:
                return LLMError(
                    f"not found (404) at {self.base_url}: {detail}; check the model name "
                    f"{self.model_name!r} and the URL (`optagent models` lists what is set)",
                    model=self.spec,
                    status=status,
                )
            if status >= 500 or status in _RETRY_STATUSES:
                return LLMError(
                    f"server error {status} {tries}: {detail}", model=self.spec, status=status
                )
            return LLMError(
                f"the server rejected the request ({status}): {detail}",
                model=self.spec,
                status=status,
            )
        return LLMError(self._scrub(f"{type(exc).__name__}: {exc}"), model=self.spec)

    def _scrub(self, text: str) -> str:
        key = self._client.api_key
        if isinstance(key, str) and key and key != PLACEHOLDER_KEY:
            text = text.replace(key, "***")
        return text


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code >= 500 or exc.status_code in _RETRY_STATUSES
    return False


def retry_after_seconds(exc: BaseException) -> float | None:
    """Seconds a server asked us to wait (``retry-after-ms``, or ``Retry-After`` in seconds
    or as an HTTP date), or ``None`` when it did not say."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _server_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
        if isinstance(error, str):
            return error
    return str(exc.message)


def _describe(exc: BaseException | None) -> str:
    if isinstance(exc, openai.APITimeoutError):
        return "timed out"
    if isinstance(exc, openai.APIConnectionError):
        return "connection failed"
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code}"
    return type(exc).__name__


def _snippet(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[:limit] + "...")


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _without_userinfo(url: str) -> str:
    """Drop ``user:password@`` from a URL (in a spec it would reach logs and cache rows)."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))
