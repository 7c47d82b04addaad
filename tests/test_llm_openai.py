"""The OpenAI-compatible backend through the public facade, against a local fake server.

Every test is offline: ``FakeOpenAIServer`` is a real HTTP server on 127.0.0.1 with scripted
replies and injected faults (429, 500, hangs, malformed bodies, rejected response formats).
"""

from __future__ import annotations

import logging
import socket
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pydantic
import pytest

from agent.config import Settings
from agent.errors import (
    BudgetExceeded,
    ConfigError,
    ContextWindowError,
    LLMConnectionError,
    LLMError,
    LLMRateLimitError,
    LLMResponseError,
    LLMTimeoutError,
)
from agent.llm import LLM, Budget, ResponseCache, load
from agent.llm.backends._openai import OpenAIBackend
from tests.fakes.openai_server import FakeOpenAIServer, Fault

SECRET = "sk-test-SECRET123"


def _load(server: FakeOpenAIServer, tmp_path: Path | None = None, **options: Any) -> LLM:
    """The facade on the fake server; a cache file under ``tmp_path`` when given."""
    options.setdefault("backoff_base", 0.01)
    cache: bool | str = False if tmp_path is None else str(tmp_path / "cache.sqlite")
    budget = options.pop("budget", None)
    return load(
        f"openai:fake@{server.url}", cache=cache, budget=budget, settings=Settings(), **options
    )


class Answer(pydantic.BaseModel):
    value: int
    reason: str


def test_success_returns_text_and_server_usage(fake_openai_server: FakeOpenAIServer) -> None:
    fake_openai_server.set_replies(["four"])
    llm = _load(fake_openai_server)
    [completion] = llm.complete("What is 2+2?", max_tokens=8, stop="\n")

    assert completion.text == "four"
    assert completion.usage.prompt_tokens == 3  # the fake counts words
    assert completion.usage.completion_tokens == 1
    assert not completion.cached
    body = fake_openai_server.requests[0].body
    assert body["model"] == "fake"
    assert body["messages"] == [{"role": "user", "content": "What is 2+2?"}]
    assert body["max_tokens"] == 8
    assert body["stop"] == ["\n"]
    assert llm.usage.snapshot().calls == 1
    assert llm.spec == f"openai:fake@{fake_openai_server.url}"


def _retry_waits(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The waits the client chose, as its retry log lines state them ("retrying in 1.00 s")."""
    return [
        r.getMessage().split("retrying in ")[1].split(" (")[0]
        for r in caplog.records
        if "retrying in " in r.getMessage()
    ]


# The retry tests read the wait the client chose from its log instead of bounding the wall
# clock from above (a loaded machine stretches any gap); a sleep never ends early, so the
# server's gap between the two attempts is bounded from below.


def test_429_with_retry_after_is_waited_out(
    fake_openai_server: FakeOpenAIServer, caplog: pytest.LogCaptureFixture
) -> None:
    fake_openai_server.set_replies(["ok"])
    fake_openai_server.inject(Fault.rate_limit(retry_after=1))
    llm = _load(fake_openai_server)
    with caplog.at_level(logging.WARNING, logger="agent.llm.openai"):
        [completion] = llm.complete("hi")

    assert completion.text == "ok"
    assert fake_openai_server.request_count == 2
    assert _retry_waits(caplog) == ["1.00 s"], "Retry-After: 1 was not the wait chosen"
    gap = fake_openai_server.requests[1].received_at - fake_openai_server.requests[0].received_at
    assert gap >= 0.9, f"Retry-After: 1 not honoured, waited {gap:.2f} s"


def test_retry_after_http_date_is_capped_by_backoff_max(
    fake_openai_server: FakeOpenAIServer, caplog: pytest.LogCaptureFixture
) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    fake_openai_server.inject(Fault.rate_limit(retry_after=later))
    llm = _load(fake_openai_server, backoff_max=0.3)
    with caplog.at_level(logging.WARNING, logger="agent.llm.openai"):
        llm.complete("hi")

    assert _retry_waits(caplog) == ["0.30 s"]  # the 120 s asked for, capped at backoff_max
    gap = fake_openai_server.requests[1].received_at - fake_openai_server.requests[0].received_at
    assert gap >= 0.25


def test_429_forever_raises_rate_limit_error(fake_openai_server: FakeOpenAIServer) -> None:
    fake_openai_server.inject(*[Fault.rate_limit(retry_after=0)] * 3)
    llm = _load(fake_openai_server, max_retries=2)
    with pytest.raises(LLMRateLimitError, match="after 3 attempts") as info:
        llm.complete("hi")
    assert info.value.status == 429
    assert fake_openai_server.request_count == 3


def test_500_then_success(fake_openai_server: FakeOpenAIServer) -> None:
    fake_openai_server.set_replies(["recovered"])
    fake_openai_server.inject(Fault.server_error(500), Fault.server_error(503))
    llm = _load(fake_openai_server)
    assert llm.complete("hi")[0].text == "recovered"
    assert fake_openai_server.request_count == 3


def test_hang_ends_in_a_clear_timeout(fake_openai_server: FakeOpenAIServer) -> None:
    fake_openai_server.inject(Fault.hang(10), Fault.hang(10))
    llm = _load(fake_openai_server, timeout=0.5, max_retries=1)
    with pytest.raises(LLMTimeoutError) as info:  # the client's timeout ended it, not the hang
        llm.complete("hi")

    message = str(info.value)
    assert "0.5 s timeout" in message and "after 2 attempts" in message
    assert info.value.model == llm.spec
    assert fake_openai_server.request_count == 2
    usage = llm.usage.snapshot()
    assert (usage.calls, usage.errors) == (1, 1)  # a failed call counts against the budget


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (Fault.malformed(), "not JSON"),
        (Fault.no_choices(), "no choices"),
    ],
)
def test_malformed_body_gives_a_clear_response_error(
    fake_openai_server: FakeOpenAIServer, fault: Fault, expected: str
) -> None:
    fake_openai_server.inject(fault)
    llm = _load(fake_openai_server)
    with pytest.raises(LLMResponseError, match=expected) as info:
        llm.complete("hi")
    assert fake_openai_server.url in str(info.value)  # names the server
    assert fake_openai_server.request_count == 1  # not retried


def test_context_window_400_is_translated(fake_openai_server: FakeOpenAIServer) -> None:
    fake_openai_server.inject(Fault.context_window())
    with pytest.raises(ContextWindowError, match="context window") as info:
        _load(fake_openai_server).complete("a very long prompt")
    assert info.value.status == 400


def test_unreachable_server_raises_connection_error(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"  # nothing listens there once the probe closes
    llm = load(
        f"openai:fake@{url}", cache=False, settings=Settings(), max_retries=1, backoff_base=0.01
    )
    with pytest.raises(LLMConnectionError, match="could not reach"):
        llm.complete("hi")


# The concurrency tests hold each reply at a barrier until the limit's number of requests is in
# flight (rather than sleeping so that overlap is merely likely): fewer in flight and the
# barrier times out, more and max_in_flight says so.


def test_concurrency_limit_is_respected(fake_openai_server: FakeOpenAIServer) -> None:
    together = threading.Barrier(3, timeout=30)

    def held_reply(body: dict[str, Any]) -> str:
        together.wait()
        return body["messages"][-1]["content"]

    fake_openai_server.set_replies(held_reply)
    llm = _load(fake_openai_server, max_concurrency=3)
    requests = [llm.request(f"prompt {i}") for i in range(21)]
    results = llm.batch(requests)

    assert [r[0].text for r in results] == [f"prompt {i}" for i in range(21)]
    assert fake_openai_server.request_count == 21
    assert fake_openai_server.max_in_flight == 3


def test_concurrency_limit_holds_across_threads_and_samples(
    fake_openai_server: FakeOpenAIServer,
) -> None:
    together = threading.Barrier(2, timeout=30)

    def held_reply(body: dict[str, Any]) -> str:
        together.wait()
        return str(body.get("seed"))

    fake_openai_server.set_replies(held_reply)
    llm = _load(fake_openai_server, max_concurrency=2)
    threads = [
        threading.Thread(target=llm.complete, args=(f"q{i}",), kwargs={"n": 3, "seed": i})
        for i in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert fake_openai_server.request_count == 12
    assert fake_openai_server.max_in_flight == 2


def test_api_key_appears_in_no_log_cache_row_or_error(
    fake_openai_server: FakeOpenAIServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    caplog.set_level(logging.DEBUG)
    for name in ("openai", "httpx", "httpx2", "httpcore", "httpcore2", "agent"):
        caplog.set_level(logging.DEBUG, logger=name)
    llm = _load(fake_openai_server, tmp_path, timeout=0.5, max_retries=2)
    errors: list[BaseException] = []

    fake_openai_server.set_replies(["fine"])
    fake_openai_server.inject(Fault.rate_limit(retry_after=0), Fault.server_error())
    llm.complete("first")
    llm.complete("sampled", n=2, temperature=1.0, seed=1)
    list(llm.stream("streamed"))
    for fault in (
        Fault.http_status(401, f"Incorrect API key provided: {SECRET}."),
        Fault.http_status(400, f"bad request from key {SECRET}"),
        Fault.malformed(f"<html>proxy error for {SECRET}"),
    ):
        fake_openai_server.inject(fault)
        with pytest.raises(LLMError) as info:
            llm.complete(f"fails {fault.status}")
        errors.append(info.value)
    fake_openai_server.inject(*[Fault.hang(5)] * 3)
    with pytest.raises(LLMTimeoutError) as timeout_info:
        llm.complete("hangs")
    errors.append(timeout_info.value)

    # The key did travel, to the server only.
    assert fake_openai_server.requests[0].headers["authorization"] == f"Bearer {SECRET}"
    assert caplog.records, "expected some log records to inspect"
    for record in caplog.records:
        assert SECRET not in record.getMessage(), record.name
    assert SECRET not in caplog.text
    for error in errors:
        assert SECRET not in str(error) and SECRET not in repr(error.args)
        assert "***" in str(error) or isinstance(error, LLMTimeoutError)
    assert len(llm.cache) >= 3
    for path in tmp_path.iterdir():  # the database and its WAL/SHM files
        assert SECRET.encode() not in path.read_bytes(), path.name
    rows = sqlite3.connect(tmp_path / "cache.sqlite").execute("SELECT * FROM responses")
    assert all(SECRET not in " ".join(map(str, row)) for row in rows)
    assert SECRET not in llm.spec and SECRET not in repr(llm.backend.describe())


def test_json_schema_goes_through_response_format(fake_openai_server: FakeOpenAIServer) -> None:
    fake_openai_server.set_replies(['{"value": 4, "reason": "2+2"}'])
    llm = _load(fake_openai_server)
    [completion] = llm.complete("2+2? JSON please", schema=Answer)

    assert completion.parsed == Answer(value=4, reason="2+2")
    assert completion.repairs == 0
    body = fake_openai_server.requests[0].body
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"] == Answer.model_json_schema()
    assert body["messages"] == [{"role": "user", "content": "2+2? JSON please"}]


@pytest.mark.parametrize(
    ("unsupported", "final_mode"),
    [({"json_schema"}, "json_object"), ({"json_schema", "json_object"}, "none")],
)
def test_response_format_fallback_when_server_rejects_it(
    fake_openai_server: FakeOpenAIServer, unsupported: set[str], final_mode: str
) -> None:
    fake_openai_server.unsupported_formats = unsupported
    fake_openai_server.set_replies(['Sure: ```json\n{"value": 1, "reason": "r"}\n```'])
    llm = _load(fake_openai_server)
    [completion] = llm.complete("give JSON", schema=Answer)

    assert completion.parsed == Answer(value=1, reason="r")
    backend = llm.backend
    assert isinstance(backend, OpenAIBackend)
    assert backend.format_mode == final_mode and not backend.supports_schema
    last = fake_openai_server.requests[-1].body
    assert last.get("response_format", {}).get("type") == (
        "json_object" if final_mode == "json_object" else None
    )
    assert "JSON schema" in last["messages"][-1]["content"]  # the schema moved into the prompt

    before = fake_openai_server.request_count
    assert llm.complete("again", schema=Answer)[0].parsed == Answer(value=1, reason="r")
    assert fake_openai_server.request_count == before + 1  # the fallback is remembered


def test_one_off_400_for_response_format_falls_back(fake_openai_server: FakeOpenAIServer) -> None:
    fake_openai_server.inject(Fault.reject_response_format())
    fake_openai_server.set_replies(['{"value": 2, "reason": "ok"}'])
    llm = _load(fake_openai_server)
    assert llm.complete("x", schema=Answer)[0].parsed.value == 2
    kinds = [r.body["response_format"]["type"] for r in fake_openai_server.requests]
    assert kinds == ["json_schema", "json_object"]


def test_other_400s_do_not_trigger_the_fallback(fake_openai_server: FakeOpenAIServer) -> None:
    fake_openai_server.inject(Fault.http_status(400, "temperature out of range"))
    llm = _load(fake_openai_server)
    with pytest.raises(LLMError, match="rejected the request \\(400\\)"):
        llm.complete("x", schema=Answer)
    assert llm.backend.supports_schema
    assert fake_openai_server.request_count == 1


def test_streaming_yields_pieces_and_caches_the_whole(
    fake_openai_server: FakeOpenAIServer, tmp_path: Path
) -> None:
    fake_openai_server.set_replies(["one two three"])
    llm = _load(fake_openai_server, tmp_path)
    pieces = list(llm.stream("count"))

    assert len(pieces) == 3 and "".join(pieces) == "one two three"
    assert fake_openai_server.requests[0].body["stream"] is True
    assert list(llm.stream("count")) == ["one two three"]  # from the cache, whole
    assert fake_openai_server.request_count == 1


def test_streaming_errors_are_translated(fake_openai_server: FakeOpenAIServer) -> None:
    fake_openai_server.inject(Fault.server_error(), Fault.http_status(404, "no model 'fake'"))
    llm = _load(fake_openai_server)
    with pytest.raises(LLMError, match="not found \\(404\\)") as info:
        list(llm.stream("hi"))
    assert info.value.status == 404
    assert fake_openai_server.request_count == 2  # the 500 was retried, the 404 was not
    usage = llm.usage.snapshot()
    assert (usage.calls, usage.errors) == (1, 1)


def test_identical_second_run_makes_no_requests(
    fake_openai_server: FakeOpenAIServer, tmp_path: Path
) -> None:
    prompts = [f"question {i}" for i in range(5)]
    first = _load(fake_openai_server, tmp_path)
    first_texts = [c[0].text for c in first.batch([first.request(p) for p in prompts])]
    assert fake_openai_server.request_count == 5

    second = _load(fake_openai_server, tmp_path)  # a new facade over the same cache file
    results = second.batch([second.request(p) for p in prompts])
    assert fake_openai_server.request_count == 5
    assert [c[0].text for c in results] == first_texts
    assert all(c[0].cached for c in results)
    assert second.usage.snapshot().calls == 0
    assert second.usage.snapshot().cache_hits == 5


def test_n_samples_at_temperature_one_are_distinct_entries(
    fake_openai_server: FakeOpenAIServer, tmp_path: Path
) -> None:
    fake_openai_server.set_replies(lambda body: f"sample with seed {body['seed']}")
    llm = _load(fake_openai_server, tmp_path)
    samples = llm.complete("be creative", n=4, temperature=1.0, seed=11)

    texts = [s.text for s in samples]
    assert len(set(texts)) == 4
    assert [s.sample_index for s in samples] == [0, 1, 2, 3]
    seeds = sorted(r.body["seed"] for r in fake_openai_server.requests)
    assert len(set(seeds)) == 4 and all(
        r.body["temperature"] == 1.0 for r in fake_openai_server.requests
    )
    assert isinstance(llm.cache, ResponseCache) and len(llm.cache) == 4

    again = _load(fake_openai_server, tmp_path).complete(
        "be creative", n=4, temperature=1.0, seed=11
    )
    assert [s.text for s in again] == texts
    assert fake_openai_server.request_count == 4


def test_budget_of_n_calls_stops_at_n_requests_and_keeps_them(
    fake_openai_server: FakeOpenAIServer, tmp_path: Path
) -> None:
    llm = _load(fake_openai_server, tmp_path, budget=Budget(max_calls=3))
    requests = [llm.request(f"task {i}") for i in range(5)]
    with pytest.raises(BudgetExceeded, match="calls") as info:
        llm.batch(requests)

    assert info.value.limit == 3
    assert fake_openai_server.request_count == 3
    assert llm.usage.snapshot().calls == 3
    assert isinstance(llm.cache, ResponseCache) and len(llm.cache) == 3

    resumed = _load(fake_openai_server, tmp_path, budget=Budget(max_calls=5))
    texts = [c[0].text for c in resumed.batch(requests)]
    assert texts == [f"task {i}" for i in range(5)]
    assert fake_openai_server.request_count == 5  # only the two that were missing


def test_base_url_and_key_from_environment(
    fake_openai_server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai_server.url)
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    llm = load("openai:fake", cache=False, settings=Settings())
    assert llm.complete("via env")[0].text == "via env"
    assert llm.spec == f"openai:fake@{fake_openai_server.url}"  # cache entries stay per server
    assert fake_openai_server.requests[0].headers["authorization"] == f"Bearer {SECRET}"


def test_local_server_without_key_gets_a_placeholder(
    fake_openai_server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert _load(fake_openai_server).complete("no key")[0].text == "no key"
    assert fake_openai_server.requests[0].headers["authorization"] == "Bearer not-needed"


def test_hosted_openai_without_key_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        OpenAIBackend("gpt-4o-mini")


@pytest.mark.parametrize(
    "options",
    [
        {"timeout": 0},
        {"max_retries": -1},
        {"max_concurrency": 0},
        {"backoff_base": 5, "backoff_max": 1},
    ],
)
def test_constructor_rejects_bad_options(options: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        OpenAIBackend("m", base_url="http://127.0.0.1:9/v1", **options)


def test_max_completion_tokens_fallback(fake_openai_server: FakeOpenAIServer) -> None:
    fake_openai_server.inject(
        Fault.http_status(
            400, "Unsupported parameter: 'max_tokens'. Use 'max_completion_tokens' instead."
        )
    )
    fake_openai_server.set_replies(["ok"])
    llm = _load(fake_openai_server)
    assert llm.complete("hi", max_tokens=5)[0].text == "ok"
    assert fake_openai_server.requests[-1].body["max_completion_tokens"] == 5
    assert "max_tokens" not in fake_openai_server.requests[-1].body
