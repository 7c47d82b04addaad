"""Real run folders for the viewer and tracking tests: a scripted core run and its pieces."""

from __future__ import annotations

import random
import threading
from pathlib import Path

from agent.core import Run, RunResult
from agent.optimizers import RandomSearch

OPENINGS = ("Solve the problem.", "Think step by step.", "Read the question twice.")
MIDDLES = ("Write the model first.", "List every variable.", "Check each constraint.")
ENDINGS = ("Give the number only.", "Answer in one line.", "State the optimum.")


def instruction(rng: random.Random) -> str:
    """A prompt-like candidate, so diffs between candidates show words."""
    return " ".join(rng.choice(part) for part in (OPENINGS, MIDDLES, ENDINGS))


def score(candidate: str) -> float:
    """A deterministic score that prefers some phrases (the scripted objective)."""
    weights = {"step": 3.0, "variable": 2.0, "constraint": 2.5, "optimum": 1.5, "twice": 1.0}
    return sum(w for word, w in weights.items() if word in candidate) - len(candidate) / 100


def scripted_run(directory: Path, *, steps: int = 4, seed: int = 3) -> RunResult:
    """A real core run (random search over instructions) into ``directory``."""
    search = RandomSearch(instruction, candidates_per_step=3, seed=seed)
    return Run(
        score, search, store=directory, steps=steps, config={"model": "scripted"}, plot=False
    ).optimize()


class GatedRun:
    """A scripted run in a background thread whose objective waits for ``release()``, so a
    test decides when each trial lands in the journal (a run in progress).

    Args:
        directory: the run folder.
        steps: optimizer steps (3 candidates each).
    """

    def __init__(self, directory: Path, *, steps: int = 40) -> None:
        self.directory = directory
        self._gate = threading.Semaphore(0)
        self._done = threading.Event()

        def gated(candidate: str) -> float:
            if self._done.is_set() or not self._gate.acquire(timeout=900):
                raise TimeoutError("the test stopped releasing trials")
            return score(candidate)

        search = RandomSearch(instruction, candidates_per_step=3, seed=5)
        self._run = Run(
            gated, search, store=directory, steps=steps, config={"model": "scripted"}, plot=False
        )
        self._thread = threading.Thread(target=self._run.optimize, daemon=True)
        self._thread.start()

    def release(self, n: int = 1) -> None:
        for _ in range(n):
            self._gate.release()

    def stop(self) -> None:
        """Let the run end (its remaining trials fail at once) and wait for it."""
        self._done.set()
        self.release(1000)
        self._thread.join(timeout=60)
