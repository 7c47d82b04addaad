"""SIGKILL a child process at a known point: the child creates a ready file where it hangs.

Shared by the resume tests (tests/test_resume.py, tests/test_trace_run.py,
tests/test_llm_batch_kill.py, tests/test_kill9.py) and evals/bench/bench_kill9.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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
