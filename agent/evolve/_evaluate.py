"""Scoring candidate programs: in the sandbox only, with every failure named.

Each evaluation is one ``solvers.sandbox`` run of the harness (``_harness.py``) with the
candidate's source, the problem's ``run`` and the instances as JSON input: a fresh
unprivileged process with CPU-time, memory and wall limits, no network and no secrets. The
outputs come back as JSON and are checked and scored here by the problem's ``score``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.core import Candidate, Evaluation
from agent.errors import ConfigError
from agent.evolve._code import syntax_error
from agent.evolve._problem import Problem

_HARNESS = Path(__file__).with_name("_harness.py").read_text(encoding="utf-8")

#: Failure kinds recorded per candidate (the trial's reason starts with one of them).
FAILURE_KINDS = (
    "syntax",
    "missing",
    "exception",
    "wrong_output",
    "timeout",
    "memory",
    "output_limit",
    "killed",
    "error",
)


class ProgramFailure(Exception):
    """A candidate program failed; ``kind`` is one of ``FAILURE_KINDS``.

    The loop records the trial as ``failed`` with reason ``ProgramFailure: KIND: MESSAGE``.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message


@dataclass(frozen=True)
class ProgramOutcome:
    """What one evaluation found: a score, or a failure kind and message."""

    score: float | None
    instance_scores: list[float] = field(default_factory=list)
    failure: str = ""
    message: str = ""
    wall_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.score is not None


class ProgramEvaluator:
    """The objective of an evolution run: a candidate ``{"idea", "code"}`` -> its score.

    Args:
        problem: what the program is run on and how it is scored.
        timeout_s: wall-clock limit of one evaluation (all instances); the CPU limit is the
            same.
        memory_mb: address-space limit of the sandboxed process.
        sandbox: a configured ``solvers.sandbox.Sandbox`` (built on first use if omitted).

    ``sandbox_runs`` counts the sandbox runs made (programs that fail to parse never get one).
    A missing or broken sandbox (``SandboxError``) ends the run: it is the setup's fault, not
    the candidate's.
    """

    def __init__(
        self,
        problem: Problem,
        *,
        timeout_s: float = 20.0,
        memory_mb: int = 1024,
        sandbox: Any = None,
    ) -> None:
        if not timeout_s > 0:
            raise ConfigError(f"evolve: timeout_s must be > 0, got {timeout_s}")
        if memory_mb < 64:
            raise ConfigError(f"evolve: memory_mb must be >= 64, got {memory_mb}")
        from solvers.sandbox import SandboxError

        self.problem = problem
        self.timeout_s = timeout_s
        self.memory_mb = memory_mb
        self.fatal_errors: tuple[type[BaseException], ...] = (SandboxError,)
        self._sandbox = sandbox
        self._lock = threading.Lock()
        self.sandbox_runs = 0
        self.evaluated: list[str] = []  # the code of each sandbox run, in order

    def _get_sandbox(self) -> Any:
        with self._lock:
            if self._sandbox is None:
                from solvers.sandbox import Limits, Sandbox

                self._sandbox = Sandbox(
                    limits=Limits(
                        wall_time_s=self.timeout_s, memory_bytes=self.memory_mb * 1024 * 1024
                    )
                )
            return self._sandbox

    def evaluate(self, code: str) -> ProgramOutcome:
        """Run ``code`` on every instance in the sandbox and score it; never raises for a bad
        program (``SandboxError`` when the sandbox itself cannot run)."""
        problem = self.problem
        bad = syntax_error(code)
        if bad is not None:
            return ProgramOutcome(None, failure="syntax", message=bad)
        sandbox = self._get_sandbox()
        with self._lock:
            self.sandbox_runs += 1
            self.evaluated.append(code)
        data = {
            "code": code,
            "function": problem.function,
            "runner": problem.runner,
            "instances": problem.instances,
        }
        res = sandbox.run(_HARNESS, data)
        wall = float(res.wall_s)
        if not res.ok:
            verdict = str(res.verdict.value)
            message = res.error or verdict
            if verdict == "timeout":
                message = f"ran past the {self.timeout_s:g} s limit ({res.error})"
            elif verdict == "error" and res.traceback:
                message = res.traceback.strip().splitlines()[-1]
            return ProgramOutcome(None, failure=verdict, message=message[:500], wall_s=wall)
        found = res.result if isinstance(res.result, dict) else {}
        if "failure" in found:
            kind = str(found.get("failure"))
            kind = kind if kind in FAILURE_KINDS else "error"
            return ProgramOutcome(
                None, failure=kind, message=str(found.get("error", ""))[:500], wall_s=wall
            )
        outputs = found.get("outputs")
        if not isinstance(outputs, list) or len(outputs) != len(problem.instances):
            return ProgramOutcome(
                None,
                failure="wrong_output",
                message="the harness result was tampered with (no output per instance)",
                wall_s=wall,
            )
        scores = []
        for number, (instance, output) in enumerate(zip(problem.instances, outputs, strict=True)):
            try:
                value = float(problem.score(instance, output))
            except (TypeError, ValueError) as exc:
                return ProgramOutcome(
                    None,
                    failure="wrong_output",
                    message=f"on instance {number}: {exc}"[:500],
                    wall_s=wall,
                )
            scores.append(value)
        return ProgramOutcome(sum(scores) / len(scores), scores, wall_s=wall)

    def __call__(self, candidate: Candidate) -> Evaluation:
        """Score a candidate ``{"idea", "code"}``.

        Raises:
            ProgramFailure: the program failed (syntax, exception, timeout, wrong output...).
        """
        if not isinstance(candidate, dict) or not isinstance(candidate.get("code"), str):
            raise ProgramFailure("error", "a candidate is {'idea': text, 'code': source}")
        outcome = self.evaluate(candidate["code"])
        if outcome.score is None:
            raise ProgramFailure(outcome.failure, outcome.message)
        return Evaluation(
            outcome.score,
            f"mean score {outcome.score:.4g} over {len(outcome.instance_scores)} instances",
            {"instance_scores": outcome.instance_scores, "wall_s": round(outcome.wall_s, 3)},
        )
