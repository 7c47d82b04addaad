"""The chat session's state: the current formulation, the last two solutions, the turns.

Everything is JSON-safe so the session file can be diffed and reloaded; solutions are kept as
``solvers.Solution`` objects in memory and converted at the file boundary.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from agent.errors import DataError
from solvers import Solution, SolveStatus
from solvers.expressions import ProblemClass
from solvers.formulation import Formulation, formulation_from_dict
from solvers.sensitivity import RowSensitivity, Sensitivity

STATE_VERSION = 1


@dataclass(frozen=True)
class Turn:
    """One finished turn: what the user typed, how it was routed, what was shown (plain text)."""

    index: int
    text: str
    route: str
    output: str
    at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict."""
        return {
            "index": self.index,
            "text": self.text,
            "route": self.route,
            "output": self.output,
            "at": self.at,
        }


@dataclass
class ChatState:
    """What a chat session knows between turns.

    Attributes:
        formulation: the current formulation (None before the first problem).
        solution: the solution of the last solve (None before one).
        previous: the solution before that, for "what changed".
        solved_formulation: the formulation ``solution`` belongs to, as a dict.
        answer: the last formulation-agent answer (``AgentAnswer.to_dict()``), for /show.
        edits: every edit applied to the formulation since it was formulated or loaded.
        turns: the finished turns.
        model: the model spec the session uses.
        diagnosis: ``Diagnosis.to_dict()`` of the last solve when it had no optimum.
        undo: snapshots taken before each what-if (``snapshot()``), newest last; ``/undo``
            restores the last one.
    """

    formulation: Formulation | None = None
    solution: Solution | None = None
    previous: Solution | None = None
    solved_formulation: dict[str, Any] | None = None
    answer: dict[str, Any] | None = None
    edits: list[str] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)
    model: str = ""
    diagnosis: dict[str, Any] | None = None
    undo: list[dict[str, Any]] = field(default_factory=list)

    def snapshot(self, label: str) -> dict[str, Any]:
        """What ``/undo`` restores: the formulation, both solutions and the edits, as JSON."""
        return {
            "label": label,
            "formulation": (
                self.formulation.model_dump(mode="json") if self.formulation is not None else None
            ),
            "solution": self.solution.to_dict() if self.solution is not None else None,
            "previous": self.previous.to_dict() if self.previous is not None else None,
            "solved_formulation": self.solved_formulation,
            "edits": list(self.edits),
            "diagnosis": self.diagnosis,
        }

    def restore(self, snap: dict[str, Any]) -> None:
        """Go back to a ``snapshot()``."""
        raw = snap.get("formulation")
        self.formulation = formulation_from_dict(raw) if raw else None
        self.solution = solution_from_dict(snap["solution"]) if snap.get("solution") else None
        self.previous = solution_from_dict(snap["previous"]) if snap.get("previous") else None
        self.solved_formulation = snap.get("solved_formulation")
        self.edits = [str(e) for e in snap.get("edits", [])]
        self.diagnosis = snap.get("diagnosis")

    @property
    def stale(self) -> bool:
        """The formulation changed since the last solve."""
        if self.formulation is None:
            return False
        return self.solved_formulation != self.formulation.model_dump(mode="json")

    def to_dict(self) -> dict[str, Any]:
        """The session file's content (``session.json``)."""
        return {
            "version": STATE_VERSION,
            "model": self.model,
            "formulation": (
                self.formulation.model_dump(mode="json") if self.formulation is not None else None
            ),
            "solution": self.solution.to_dict() if self.solution is not None else None,
            "previous": self.previous.to_dict() if self.previous is not None else None,
            "solved_formulation": self.solved_formulation,
            "answer": self.answer,
            "edits": list(self.edits),
            "diagnosis": self.diagnosis,
            "undo": list(self.undo),
            "turns": [t.to_dict() for t in self.turns],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str = "session") -> ChatState:
        """Rebuild a state from ``to_dict()`` output.

        Raises:
            DataError: the data is not a chat session (names ``source`` and the bad field).
        """
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            raise DataError(
                f"{source} is not an optagent chat session (expected a JSON object with "
                f'"version": {STATE_VERSION}); pass a session.json or a formulation JSON'
            )
        try:
            raw = data.get("formulation")
            return cls(
                formulation=formulation_from_dict(raw) if raw else None,
                solution=solution_from_dict(data["solution"]) if data.get("solution") else None,
                previous=solution_from_dict(data["previous"]) if data.get("previous") else None,
                solved_formulation=data.get("solved_formulation"),
                answer=data.get("answer"),
                edits=[str(e) for e in data.get("edits", [])],
                turns=[Turn(**t) for t in data.get("turns", [])],
                model=str(data.get("model", "")),
                diagnosis=data.get("diagnosis"),
                undo=[dict(u) for u in data.get("undo", [])],
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise DataError(
                f"{source}: malformed chat session ({exc}); the file was not loaded"
            ) from None


def solution_from_dict(data: dict[str, Any]) -> Solution:
    """Rebuild a ``Solution`` from ``Solution.to_dict()`` output (sensitivity included)."""
    sens = data.get("sensitivity")
    sensitivity = None
    if sens:
        sensitivity = Sensitivity(
            rows=[RowSensitivity(**row) for row in sens["rows"]],
            reduced_costs=dict(sens.get("reduced_costs", {})),
        )
    return Solution(
        status=SolveStatus(data["status"]),
        objective=data.get("objective"),
        values={str(k): float(v) for k, v in data.get("values", {}).items()},
        solver=str(data.get("solver", "")),
        problem_class=ProblemClass(data["problem_class"]),
        message=str(data.get("message", "")),
        runtime_s=float(data.get("runtime_s", 0.0)),
        sensitivity=sensitivity,
    )
