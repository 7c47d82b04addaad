"""Child process of the evolve SIGKILL tests (tests/test_evolve_kill9.py, tests/test_kill9.py,
evals/bench/bench_kill9.py): an evolution run in RUN_DIR on a scripted backend that hangs at a
chosen point, so the parent kills it mid-generation.

Usage:
    python tests/_evolve_kill_child.py trial RUN_DIR LOG_FILE READY_FILE HANG_AT PROBLEM_FILE
    python tests/_evolve_kill_child.py call RUN_DIR LOG_FILE READY_FILE HANG_AT PROBLEM_FILE

``trial``: hang once the journal records trial HANG_AT; ``call``: hang on the HANG_AT-th
backend request, before answering it. The scripted backend (``HangingLogFake``) logs the cache
key of every sample it answers to LOG_FILE.
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

SPEC = "scripted:evolve"
SETTINGS = EvolveSettings(
    generations=3, islands=1, operators=["m1", "m2", "e1"], timeout_s=20.0, baselines=False
)


def scripted_reply(request: Request, index: int) -> str:
    """A program that depends on the whole request (a resumed request must be identical)."""
    digest = hashlib.sha256(request.cache_key("fake", index).encode()).digest()
    if digest[0] % 5 == 0:
        return reply("def guess(x):\n    return 1 / 0")
    return reply(guess(f"x * x + {digest[1] % 50} / 10"))


def fake(
    log_file: Path | None, *, hang_at: int | None = None, ready: Path | None = None
) -> HangingLogFake:
    """The scripted backend: logs what it answers to ``log_file``, hangs at request ``hang_at``."""
    return HangingLogFake(scripted_reply, SPEC, log_file, hang_at, ready)


def run(
    problem_file: Path,
    run_dir: Path,
    backend: HangingLogFake,
    *,
    resume: bool = False,
    hang_after: int | None = None,
    ready: Path | None = None,
) -> EvolveResult:
    """Evolve ``SETTINGS`` in ``run_dir`` (its own response cache) on ``backend``; with
    ``hang_after``, hang once trial ``hang_after`` is journaled."""
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


def main() -> None:
    at, run_dir, log_file, ready = sys.argv[1], *map(Path, sys.argv[2:5])
    hang_at, problem = int(sys.argv[5]), Path(sys.argv[6])
    if at == "trial":
        run(problem, run_dir, fake(log_file), hang_after=hang_at, ready=ready)
    elif at == "call":
        run(problem, run_dir, fake(log_file, hang_at=hang_at, ready=ready))
    else:
        raise SystemExit(f"_evolve_kill_child.py: hang at 'trial' or 'call', got {at!r}")


if __name__ == "__main__":
    main()
