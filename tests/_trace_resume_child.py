"""Child process of the trace SIGKILL test: the ``numeric`` example as a run in RUN_DIR.

Usage: python tests/_trace_resume_child.py RUN_DIR LOG_FILE READY_FILE HANG_AT

The fake backend logs the cache key of every sample it answers to LOG_FILE; on its HANG_AT-th
request it creates READY_FILE and hangs, so the parent can SIGKILL it mid-run.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from agent.llm import LLM, Request, ResponseCache, ScriptedFakeBackend
from agent.trace.examples import ExampleResult, run_example
from tests._kill import HangingLogFake

STEPS = 4
N = 2


def scripted_reply(request: Request, index: int) -> str:
    """A reply that depends on the whole request and the sample (some unusable)."""
    digest = hashlib.sha256(request.cache_key("fake", index).encode()).digest()
    if digest[0] % 6 == 0:
        return "no idea"
    slope, intercept = digest[1] % 7 - 1, digest[2] % 5
    return json.dumps({"reasoning": "r", "suggestion": {"slope": slope, "intercept": intercept}})


class LoggingFakeBackend(HangingLogFake):
    def __init__(
        self, log_file: Path | None, hang_at: int | None = None, ready: Path | None = None
    ) -> None:
        super().__init__(scripted_reply, "scripted:trace", log_file, hang_at, ready)


def run(
    run_dir: Path | None, backend: ScriptedFakeBackend, *, resume: bool = False
) -> ExampleResult:
    cache = ResponseCache(run_dir / "cache.sqlite") if run_dir is not None else None
    llm = LLM(backend, cache=cache)
    return run_example(
        "numeric", llm, steps=STEPS, n=N, optimizer="directional", run_dir=run_dir, resume=resume
    )


if __name__ == "__main__":
    run_dir, log_file, ready, hang_at = sys.argv[1:5]
    run(Path(run_dir), LoggingFakeBackend(Path(log_file), int(hang_at), Path(ready)))
