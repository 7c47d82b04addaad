"""A batch killed mid-way pays again only for its unfinished requests: ``LLM.batch`` caches each
request as it finishes, not when the whole batch is done (a SIGKILLed child on a logging fake)."""

from __future__ import annotations

from pathlib import Path

from agent.llm import LLM, Completion, ResponseCache, ScriptedFakeBackend
from agent.llm._backend import ItemResult
from tests._batch_child import batch_requests
from tests._kill import ROOT, kill_when_ready
from tests._resume_child import scripted_reply

N, HANG_AT = 8, 6


def test_sigkill_mid_batch_then_rerun_pays_only_for_unfinished_requests(tmp_path: Path) -> None:
    cache, log_file, ready = tmp_path / "cache.sqlite", tmp_path / "answered.log", tmp_path / "r"
    args = [str(cache), str(log_file), str(ready), str(N), str(HANG_AT)]
    kill_when_ready(ROOT / "tests" / "_batch_child.py", args, ready)
    answered = log_file.read_text().split()
    assert len(answered) == HANG_AT - 1, "the kill lands with HANG_AT - 1 requests answered"

    counting = ScriptedFakeBackend(scripted_reply, spec="scripted:resume")
    llm = LLM(counting, cache=ResponseCache(cache))
    out = llm.batch(batch_requests(N))
    resent = {req.cache_key("scripted:resume", i) for req, i in counting.requests}
    assert not resent & set(answered), "a request answered before the kill was paid again"
    assert len(counting.requests) == N - (HANG_AT - 1)
    usage = llm.usage.snapshot()
    assert (usage.calls, usage.cache_hits) == (N - (HANG_AT - 1), HANG_AT - 1)
    fresh = LLM(ScriptedFakeBackend(scripted_reply, spec="scripted:resume"))
    assert [c[0].text for c in out] == [c[0].text for c in fresh.batch(batch_requests(N))]


class _ReportingFakeBackend(ScriptedFakeBackend):
    """Records how many requests the cache held when each item was reported finished."""

    def __init__(self, cache: ResponseCache) -> None:
        super().__init__(scripted_reply, spec="scripted:resume", max_concurrency=3)
        self.cache = cache
        self.cached_when_reported: list[int] = []

    def generate_batch(self, items, *, on_result=None):  # type: ignore[no-untyped-def]  # a recording shim; the parent holds the types
        def recording(pos: int, result: ItemResult) -> None:
            assert on_result is not None
            on_result(pos, result)
            self.cached_when_reported.append(len(self.cache))

        return super().generate_batch(items, on_result=recording)


def test_each_request_is_cached_as_soon_as_the_backend_reports_it(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.sqlite")
    backend = _ReportingFakeBackend(cache)
    out = LLM(backend, cache=cache).batch(batch_requests(5))
    assert backend.cached_when_reported == [1, 2, 3, 4, 5]
    assert all(isinstance(c[0], Completion) for c in out) and len(out) == 5
