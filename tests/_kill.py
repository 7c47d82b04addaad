"""SIGKILL a child process at a known point: the child creates a ready file where it hangs.

``HangingLogFake`` is the children's scripted backend: it logs what it answers and hangs on
one request, so the parent knows what was paid for before the kill.

Shared by the resume tests (tests/test_resume.py, tests/test_trace_run.py,
tests/test_llm_batch_kill.py, tests/test_kill9.py, tests/test_resume_kill_kinds.py,
tests/test_evolve_kill9.py, tests/test_together.py) and evals/bench/bench_kill9.py.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from agent.llm import Completion, Request, ScriptedFakeBackend

ROOT = Path(__file__).resolve().parents[1]


class HangingLogFake(ScriptedFakeBackend):
    """Scripted replies; logs each answered sample's cache key to ``log_file`` and, on its
    ``hang_at``-th request, creates ``ready`` and hangs (for the parent's SIGKILL)."""

    def __init__(
        self,
        reply: Callable[[Request, int], str],
        spec: str,
        log_file: Path | None,
        hang_at: int | None = None,
        ready: Path | None = None,
    ) -> None:
        super().__init__(reply, spec=spec)
        self.log_file, self.hang_at, self.ready = log_file, hang_at, ready
        self.calls = itertools.count(1)

    def generate(self, request: Request, sample_indices: Sequence[int]) -> list[Completion]:
        if self.hang_at is not None and next(self.calls) == self.hang_at:
            assert self.ready is not None
            self.ready.write_text("ready")
            time.sleep(600)
        out = super().generate(request, sample_indices)
        if self.log_file is not None:
            with open(self.log_file, "a", encoding="utf-8") as fh:
                for i in sample_indices:
                    fh.write(request.cache_key(self.spec, i) + "\n")
        return out


class ChildError(RuntimeError):
    """The child exited, or never reached its hang point, before the kill."""


def kill_when_ready(script: Path, args: Sequence[str], ready: Path, timeout: float = 120) -> None:
    """Run ``python SCRIPT ARGS`` from the repository root, SIGKILL it once ``ready`` exists.

    Raises:
        ChildError: the child exited first (its stderr is in the message) or took longer than
            ``timeout`` seconds to get there.
    """
    child = subprocess.Popen(
        [sys.executable, str(script), *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + timeout
        while not ready.exists():
            if child.poll() is not None:
                stderr = child.stderr.read().decode() if child.stderr else ""
                raise ChildError(f"{script.name} exited with {child.returncode}: {stderr}")
            if time.monotonic() > deadline:
                raise ChildError(f"{script.name} never reached its hang point in {timeout} s")
            time.sleep(0.05)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        if child.stderr is not None:
            child.stderr.close()
    if child.returncode != -signal.SIGKILL:
        raise ChildError(f"{script.name} exited with {child.returncode} before the kill")
