"""Plain records of the loop: proposals, evaluations and finished trials.

Candidates are any JSON-safe value (a number pair, a tour, an instruction string, a list of
exemplar ids...). The loop normalises every candidate to its JSON form on the way in, so a
tuple becomes a list and what an objective sees in a first run equals what it sees after a
resume.
"""

from __future__ import annotations

import copy
import json
import math
import numbers
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from agent.errors import DataError

Candidate = Any
"""A JSON-safe value an optimizer proposes and an objective scores."""

TrialStatus = Literal["ok", "skipped", "failed", "pruned"]
Direction = Literal["maximize", "minimize"]
STATUSES: tuple[TrialStatus, ...] = ("ok", "skipped", "failed", "pruned")


def to_json_value(candidate: Candidate) -> Candidate:
    """The candidate as JSON would give it back (tuples become lists).

    Raises:
        TypeError: the candidate is not JSON-serialisable (sets, objects, NaN).
    """
    return json.loads(json.dumps(candidate, allow_nan=False))


def candidate_key(candidate: Candidate) -> str:
    """A canonical string for de-duplication: equal JSON values give equal keys."""
    return json.dumps(candidate, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Proposal:
    """What an optimizer hands the loop when a plain candidate is not enough.

    Args:
        candidate: the proposed value (ignored when ``skip_reason`` is set).
        skip_reason: set when the optimizer could not produce a candidate for this slot, e.g.
            an unparseable model reply; the loop records a ``skipped`` trial with this reason.
        meta: JSON-safe notes stored with the trial (the raw reply, the sample index...).
    """

    candidate: Candidate = None
    skip_reason: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Evaluation:
    """What an objective returns when a bare score is not enough.

    Args:
        score: the value to maximise or minimise (finite).
        feedback: text for optimizers that read it (errors, hints, per-example results).
        artifacts: JSON-safe extras kept in the journal (per-example scores, outputs...).
    """

    score: float
    feedback: str = ""
    artifacts: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PartialEvaluation:
    """What a step evaluator returns for a candidate it stopped early (racing, pruning).

    The loop records it as a ``pruned`` trial: ``score`` stays ``None`` (a partial mean is
    never compared with full scores), the partial mean goes to ``artifacts["partial_score"]``.

    Args:
        score: the mean score on the part that was evaluated.
        reason: why it stopped, e.g. ``raced out: 0.25 on 8 of 40 examples``.
        feedback: text for optimizers that read it.
        artifacts: JSON-safe extras (partial per-example scores, calls...).
    """

    score: float
    reason: str
    feedback: str = ""
    artifacts: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Trial:
    """One finished slot of one step: immutable, JSON round-trippable.

    Attributes:
        number: position in the journal, from 0.
        step: the optimizer step that proposed it, from 0.
        index: the slot within that step's proposals, from 0 (resume skips finished slots).
        candidate: the JSON-form candidate (``None`` when skipped before a candidate existed).
        score: the objective value; ``None`` unless ``status == "ok"``.
        feedback: the objective's text feedback.
        artifacts: the objective's JSON-safe extras.
        status: ``ok``, ``skipped`` (junk reply, duplicate), ``failed`` (objective raised or
            returned a non-finite score) or ``pruned`` (a step evaluator stopped it early; its
            partial mean is in ``artifacts["partial_score"]``, never in ``score``).
        reason: why it was skipped or failed; empty when ok.
        meta: the optimizer's notes for this proposal.
        timings: seconds, ``eval_s`` for this trial and ``propose_s`` for its whole step.
        usage: model usage while it was evaluated (``calls``, ``tokens``, ``cost_usd``); with
            concurrent evaluation it includes work of trials running alongside.
        finished_at: UNIX time it was recorded.
    """

    number: int
    step: int
    index: int
    candidate: Candidate
    score: float | None = None
    feedback: str = ""
    artifacts: Mapping[str, Any] = field(default_factory=dict)
    status: TrialStatus = "ok"
    reason: str = ""
    meta: Mapping[str, Any] = field(default_factory=dict)
    timings: Mapping[str, float] = field(default_factory=dict)
    usage: Mapping[str, float] = field(default_factory=dict)
    finished_at: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def key(self) -> str:
        return candidate_key(self.candidate)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (one journal line)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Trial:
        """Rebuild a trial from ``to_dict`` output; unknown keys are ignored, missing optional
        keys take their defaults so journals from older versions still load.

        Raises:
            DataError: a required field is missing or a value has the wrong type.
        """
        try:
            status = data.get("status", "ok")
            if status not in STATUSES:
                raise ValueError(f"status {status!r} is not one of {STATUSES}")
            score = data.get("score")
            return cls(
                number=int(data["number"]),
                step=int(data["step"]),
                index=int(data.get("index", 0)),
                candidate=copy.deepcopy(data.get("candidate")),
                score=None if score is None else float(score),
                feedback=str(data.get("feedback", "")),
                artifacts=dict(data.get("artifacts") or {}),
                status=status,
                reason=str(data.get("reason", "")),
                meta=dict(data.get("meta") or {}),
                timings={k: float(v) for k, v in (data.get("timings") or {}).items()},
                usage=dict(data.get("usage") or {}),
                finished_at=float(data.get("finished_at", 0.0)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise DataError(f"trial record is malformed ({exc}): {dict(data)!r:.200}") from None


def is_finite_score(value: Any) -> bool:
    """Whether ``value`` is a real finite number (bools excluded)."""
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )
