"""The gate: per trial, does the model's candidate or the inner sampler's draw go in?

A weak model proposes configurations no better than random search; asked every trial, it takes
trials away from the inner sampler (TPE) exactly when TPE starts to pay off. The gate is a
two-armed bandit over the study's own trials. Each finished trial after the warm start is a
pull of the arm that proposed it (``llm``: the model's candidates, ``surrogate`` included;
``inner``: the inner sampler), rewarded by the fraction of the earlier finished trials it beats
(ties count half). Rewards of the last ``window`` pulls of each arm give a Beta posterior per
arm.

While the inner sampler is itself drawing at random (TPE's first ``startup`` trials), the bar
is random search: after ``free`` trials the model keeps its startup trials only while its
posterior mean reward is at least 1/2. They are not free: TPE later fits its model on the startup
trials, and a weak model's degenerate proposals (the embedded model's all-zero and all-one corners
on Hartmann-6) give it fewer informative points; this rule alone did not close the
Hartmann-6 gap (2.1x TPE over 5 seeds, docs/hpo.md). After the
startup the model has to keep winning: it gets a trial
only while its posterior mean reward, less ``margin`` posterior standard deviations, is above
both the inner sampler's mean and 1/2 (what a random draw scores against a history of random
draws, and more than it scores against a history that has improved). A model no better than
random search, or one that stops winning, hands the rest of the study to the inner sampler for
good (its evidence stays frozen at its last pulls); one that keeps winning keeps its trials,
except that the inner sampler gets one whenever it had none of the last ``refresh`` (3), so the
bar is what it scores now, not what it scored during its random startup.

The decision depends on nothing but the study's trials and the trial number, so it is the same
in every process sharing a study and after a resume. Warm-start trials are not rewarded (they
are zero-shot, not the arm the gate chooses). Everything here is plain data; the sampler does
the Optuna side.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["ARMS", "Gate", "GateDecision", "Pull", "arm_of", "pulls"]

#: The two arms; ``llm`` covers the ``llm`` and ``surrogate`` sources.
ARMS = ("llm", "inner")


@dataclass(frozen=True, slots=True)
class Pull:
    """One finished trial as a pull of an arm: its number, the arm and the reward in [0, 1]."""

    number: int
    arm: str
    reward: float


def arm_of(user_attrs: Mapping[str, Any]) -> str | None:
    """The arm a trial's recorded source belongs to (``None``: not a gate arm)."""
    source = user_attrs.get("llm_source")
    if source in ("llm", "surrogate"):
        return "llm"
    if source == "inner":
        return "inner"
    return None  # a warm start, or a trial this sampler did not sample


def pulls(scored: Sequence[tuple[int, float, Mapping[str, Any]]], *, minimize: bool) -> list[Pull]:
    """Rewards of the finished trials, in trial order.

    Args:
        scored: ``(number, value, user_attrs)`` of each finished trial with a finite value.
        minimize: whether lower values are better.

    Returns:
        one ``Pull`` per trial with a gate arm and at least one earlier finished trial; the
        reward is the fraction of the earlier ones it beats, a tie counting half.
    """
    ordered = sorted(scored, key=lambda s: s[0])
    out: list[Pull] = []
    for i, (number, value, attrs) in enumerate(ordered):
        arm = arm_of(attrs)
        if arm is None or i == 0:
            continue
        earlier = [v for _, v, _ in ordered[:i]]
        wins = sum(_beats(value, v, minimize) for v in earlier)
        out.append(Pull(number, arm, wins / len(earlier)))
    return out


def _beats(value: float, other: float, minimize: bool) -> float:
    if value == other:
        return 0.5
    return 1.0 if (value < other if minimize else value > other) else 0.0


@dataclass(frozen=True, slots=True)
class GateDecision:
    """What the gate chose for one trial, and from what."""

    arm: str
    # "free" (the model's first trials), "startup" (it must match random search), "earned" (it
    # must keep winning), "refresh" (the inner sampler's turn)
    rule: str
    posteriors: Mapping[str, tuple[float, float]]
    scores: Mapping[str, float]  # what was compared: the model's bound, the bar to clear

    def attrs(self) -> dict[str, Any]:
        """JSON-safe, for the trial's ``llm_gate`` user attribute."""
        return {
            "arm": self.arm,
            "rule": self.rule,
            **{
                f"{arm}_beta": [round(a, 3), round(b, 3)] for arm, (a, b) in self.posteriors.items()
            },
            **{f"{arm}_score": round(d, 4) for arm, d in self.scores.items()},
        }


@dataclass(frozen=True, slots=True)
class Gate:
    """Decides between the model and the inner sampler (see the module docstring).

    Args:
        window: rewards of the last ``window`` pulls of each arm count.
        startup: the inner sampler's random startup (TPE's ``n_startup_trials``; ``LLMSampler``
            sets it for a TPE inner sampler). Trials numbered below it go to the model while it
            scores at least as random search would; later ones only while it keeps winning.
        free: the model's first trials, before any evidence counts (during the startup). 0 by
            default: 3 free trials cost the embedded model 1.70x TPE's regret on Hartmann-6
            at 30 trials, none 1.27x, within noise (10 seeds, docs/hpo.md).
        margin: posterior standard deviations the model's mean reward must clear the bar by.
        refresh: after the startup, a trial goes to the inner sampler when none of the last
            ``refresh`` rewarded trials was its own, so the bar is its current reward rather
            than one from the random startup (0: never). It costs a winning model 1 trial in
            ``refresh``; without it a model whose local search keeps beating the history kept
            every trial on Hartmann-6 and ended 1.6x TPE's regret (docs/hpo.md).
        llm_prior: the LLM arm's Beta prior ``(a, b)``.
        inner_prior: the inner sampler's Beta prior.
    """

    window: int = 10
    startup: int = 10
    free: int = 0
    margin: float = 0.5
    refresh: int = 3
    llm_prior: tuple[float, float] = (1.0, 1.0)
    inner_prior: tuple[float, float] = (1.0, 1.0)

    def __post_init__(self) -> None:
        for name, value, low in (
            ("window", self.window, 1),
            ("startup", self.startup, 0),
            ("free", self.free, 0),
            ("refresh", self.refresh, 0),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"gate {name} must be an int >= {low}, got {value!r}")
        if not isinstance(self.margin, int | float) or not 0 <= self.margin < 10:
            raise ValueError(f"gate margin must be a number in [0, 10), got {self.margin!r}")
        for name, prior in (("llm_prior", self.llm_prior), ("inner_prior", self.inner_prior)):
            if (
                not isinstance(prior, tuple)
                or len(prior) != 2
                or not all(isinstance(x, int | float) and x > 0 for x in prior)
            ):
                raise ValueError(f"gate {name} must be two positive numbers, got {prior!r}")

    def posteriors(self, history: Sequence[Pull]) -> dict[str, tuple[float, float]]:
        """Beta ``(a, b)`` per arm from the last ``window`` pulls of each."""
        out = {}
        for arm, prior in (("llm", self.llm_prior), ("inner", self.inner_prior)):
            mine = [p.reward for p in history if p.arm == arm][-self.window :]
            out[arm] = (prior[0] + sum(mine), prior[1] + sum(1.0 - r for r in mine))
        return out

    def decide(self, history: Sequence[Pull], *, number: int) -> GateDecision:
        """The arm for trial ``number``. Below ``startup``: the model for its first ``free``
        pulls, then while its posterior mean is at least 1/2. From then on the model only if
        its posterior mean less ``margin`` standard deviations clears ``max(1/2, the inner
        sampler's posterior mean)`` (the inner sampler on a tie)."""
        post = self.posteriors(history)
        (a, b), (c, d) = post["llm"], post["inner"]
        if number < self.startup:
            scores = {"llm": a / (a + b), "inner": 0.5}
            if sum(p.arm == "llm" for p in history) < self.free:
                return GateDecision("llm", "free", post, scores)
            arm = "llm" if scores["llm"] >= scores["inner"] else "inner"
            return GateDecision(arm, "startup", post, scores)
        spread = math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
        scores = {"llm": a / (a + b) - self.margin * spread, "inner": max(0.5, c / (c + d))}
        recent = [p.arm for p in history if p.number >= self.startup][-self.refresh :]
        if self.refresh and len(recent) >= self.refresh and "inner" not in recent:
            return GateDecision("inner", "refresh", post, scores)
        arm = "llm" if scores["llm"] > scores["inner"] else "inner"
        return GateDecision(arm, "earned", post, scores)
