"""Child process of the SIGKILL tests of tests/test_resume_kill_kinds.py: a formulation run
or an eval run on a fake model that logs every answered sample and hangs at a chosen call.

Usage:
    python tests/_resume_kinds_child.py solve RUN_DIR LOG_FILE READY_FILE HANG_AT
    python tests/_resume_kinds_child.py eval RUN_DIR LOG_FILE READY_FILE HANG_AT DATA ORACLE

``KillSwitchFake`` (fault injection) wraps the scripted or oracle fake: it appends the cache
key of every sample it answers to LOG_FILE; its HANG_AT-th call creates READY_FILE and hangs
before answering, so the parent SIGKILLs the process with that request in flight.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from agent.llm import LLM, Backend, Completion, Request, ResponseCache, ScriptedFakeBackend
from tests.fakes.formulation import BAD, GOOD, PROBLEM

VOTES, ROUNDS = 3, 4
SPEC = "scripted:kinds"

if TYPE_CHECKING:
    from agent.formulate import AgentAnswer
    from evals.runner import EvalRunResult


def reply(request: Request, index: int) -> str:
    """BAD until the solvers' error has been fed back twice, then GOOD: every chain takes
    three rounds, so a kill lands between journaled rounds."""
    fed_back = sum(m.content.count("did not work") for m in request.messages)
    return GOOD if fed_back >= 2 else BAD


class KillSwitchFake(Backend):
    """Wraps a fake: logs each answered sample's cache key, hangs at call ``hang_at``."""

    def __init__(self, inner: Backend, log_file: Path, ready: Path, hang_at: int) -> None:
        self.inner, self.log_file, self.ready, self.hang_at = inner, log_file, ready, hang_at
        self.spec = inner.spec
        self.max_concurrency = inner.max_concurrency
        self._calls = 0
        self._lock = threading.Lock()

    @property
    def calls(self) -> int:
        """Calls made so far (the one hanging included)."""
        return self._calls

    def generate(self, request: Request, sample_indices: Sequence[int]) -> list[Completion]:
        with self._lock:
            self._calls += 1
            call = self._calls
        if call == self.hang_at:
            self.ready.write_text("ready")
            time.sleep(600)
        out = self.inner.generate(request, sample_indices)
        with self._lock, open(self.log_file, "a", encoding="utf-8") as fh:
            for i in sample_indices:
                fh.write(request.cache_key(self.spec, i) + "\n")
        return out


def run_solve(run_dir: Path, backend: Backend, *, resume: bool = False) -> AgentAnswer:
    from agent.formulate import solve

    llm = LLM(backend, cache=ResponseCache(run_dir / "cache.sqlite"))
    return solve(PROBLEM, model=llm, votes=VOTES, max_rounds=ROUNDS, run_dir=run_dir, resume=resume)


def run_eval_items(
    run_dir: Path, data: Path, oracle: Path, *, resume: bool = False
) -> EvalRunResult:
    from evals.datasets import load_items
    from evals.runner import AgentSettings, run_eval

    settings = AgentSettings(f"oracle:{oracle}", cache=str(run_dir / "cache.sqlite"))
    return run_eval(
        load_items(data),
        out=run_dir,
        settings=settings,
        mode="mamo",
        dataset=str(data),
        executor="thread",
        workers=2,
        resume=resume,
    )


def oracle_key(oracle: Path) -> str:
    """The spec run_eval gives the workers (the oracle path made absolute)."""
    return f"oracle:{oracle.resolve()}"


def main() -> None:
    kind, run_dir, log_file, ready = sys.argv[1], *map(Path, sys.argv[2:5])
    hang_at = int(sys.argv[5])
    if kind == "solve":
        run_solve(
            run_dir, KillSwitchFake(ScriptedFakeBackend(reply, spec=SPEC), log_file, ready, hang_at)
        )
        return
    from agent.llm.backends._oracle import OracleFakeBackend
    from evals.runner import _work

    data, oracle = Path(sys.argv[6]), Path(sys.argv[7])
    inner = OracleFakeBackend.from_path(oracle.resolve())
    _work._BACKENDS[oracle_key(oracle)] = KillSwitchFake(inner, log_file, ready, hang_at)
    run_eval_items(run_dir, data, oracle)


if __name__ == "__main__":
    main()
