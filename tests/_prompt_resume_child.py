"""Child process of the prompt-optimization SIGKILL check: an OPRO prompt search on the
arithmetic task in RUN_DIR, on a fake that logs and hangs.

Usage: python tests/_prompt_resume_child.py RUN_DIR LOG_FILE READY_FILE HANG_AT

The fake (``tests._kill.HangingLogFake``) logs the cache key of every
sample it answers to LOG_FILE; on its HANG_AT-th request it creates READY_FILE and hangs, so the
parent can SIGKILL it mid-run.
"""

from __future__ import annotations

import sys
from pathlib import Path

from agent.core import JsonlRunStore
from agent.llm import LLM, ResponseCache, ScriptedFakeBackend
from agent.tasks.prompt import PromptResult, builtin_task, optimize_prompt
from tests._kill import HangingLogFake
from tests.test_prompt_optimize import fake_reply

SPEC = "scripted:prompt"
STEPS = 3


class LoggingFakeBackend(HangingLogFake):
    """``fake_reply`` that logs each answered sample's cache key and may hang on one request."""

    def __init__(
        self, log_file: Path | None, hang_at: int | None = None, ready: Path | None = None
    ) -> None:
        super().__init__(fake_reply, SPEC, log_file, hang_at, ready)


def run(run_dir: Path, backend: ScriptedFakeBackend, *, resume: bool = False) -> PromptResult:
    """The search both the killed and the resumed process run (cache in the run folder)."""
    task = builtin_task("arithmetic")
    splits = task.splits(seed=0, sizes=(20, 8, 10))
    llm = LLM(backend, cache=ResponseCache(JsonlRunStore(run_dir).cache_path))
    return optimize_prompt(
        task.task,
        splits.train,
        splits.val,
        model=llm,
        method="opro",
        steps=STEPS,
        candidates_per_step=2,
        bootstrap=10,
        run_dir=run_dir,
        resume=resume,
    )


if __name__ == "__main__":
    run_dir, log_file, ready, hang_at = sys.argv[1:5]
    run(Path(run_dir), LoggingFakeBackend(Path(log_file), int(hang_at), Path(ready)))
