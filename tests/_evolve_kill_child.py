"""Child process of the evolve SIGKILL test: an evolution run in RUN_DIR that hangs after the
journal records trial HANG_AFTER (so the parent kills it mid-generation).

Usage: python tests/_evolve_kill_child.py PROBLEM_FILE RUN_DIR LOG_FILE READY_FILE HANG_AFTER

The scripted backend logs the cache key of every sample it answers to LOG_FILE.
"""

from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

from agent.core import Trial
from agent.evolve import EvolveResult, EvolveSettings, evolve, load_problem_file
from agent.llm import LLM, Request, ResponseCache
from tests._evolve_support import guess, reply
from tests._kill import HangingLogFake

SETTINGS = EvolveSettings(
    generations=3, islands=1, operators=["m1", "m2", "e1"], timeout_s=20.0, baselines=False
)


def scripted_reply(request: Request, index: int) -> str:
    """A program that depends on the whole request (a resumed request must be identical)."""
    digest = hashlib.sha256(request.cache_key("fake", index).encode()).digest()
    if digest[0] % 5 == 0:
        return reply("def guess(x):\n    return 1 / 0")
    return reply(guess(f"x * x + {digest[1] % 50} / 10"))


def run(
    problem_file: Path,
    run_dir: Path,
    log_file: Path,
    *,
    resume: bool = False,
    hang_after: int | None = None,
    ready: Path | None = None,
) -> EvolveResult:
    backend = HangingLogFake(scripted_reply, "scripted:evolve", log_file)
    llm = LLM(backend, cache=ResponseCache(run_dir / "cache.sqlite"))

    def on_trial(trial: Trial) -> None:
        if hang_after is not None and trial.number == hang_after:
            assert ready is not None
            ready.write_text("ready")
            time.sleep(600)

    return evolve(
        load_problem_file(problem_file),
        llm,
        SETTINGS,
        run_dir=run_dir,
        resume=resume,
        on_trial=on_trial,
    )


if __name__ == "__main__":
    problem, run_dir, log_file, ready, hang_after = sys.argv[1:6]
    run(Path(problem), Path(run_dir), Path(log_file), hang_after=int(hang_after), ready=Path(ready))
