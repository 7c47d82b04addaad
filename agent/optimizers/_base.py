"""The optimizer contract: propose candidates from the history, nothing else."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from typing import Any

from agent.core import Candidate, History, Proposal, Trial
from agent.errors import SettingError


class Optimizer(abc.ABC):
    """Proposes the next candidates from a run's history.

    Subclasses implement ``propose``; they may override ``observe`` (called once per finished
    trial, in the loop's thread) and ``state_dict``/``load_state_dict`` when they keep state
    that a resumed run needs. Optimizers never evaluate candidates and never write files: the
    loop does both, so every optimizer gets concurrency, journaling and resume for free.

    Settings are keyword-only constructor arguments, validated at construction: a bad one
    raises ``SettingError`` (a ``ConfigError`` and a ``ValueError``) naming it and its value.
    ``state_dict()`` returns a plain JSON-safe dict and ``load_state_dict()`` accepts one;
    ``tests/test_optimizer_conformance.py`` checks every optimizer against this contract.

    Determinism: given the same state and the same history, ``propose`` must return the same
    proposals (seed any randomness from the state and ``history.step``). Resume relies on it:
    a step cut short by a kill is proposed again and its LLM requests are answered by the
    response cache.

    Example:
        >>> from agent.core import Run
        >>> from agent.optimizers import Optimizer
        >>> class Countdown(Optimizer):
        ...     def propose(self, history):
        ...         return [] if history.step >= 3 else [10 - history.step]
        >>> [t.candidate for t in Run(float, Countdown(), steps=5).optimize().trials]
        [10, 9, 8]
    """

    #: Short name written to config.json and shown by ``optagent runs list``.
    name: str = "optimizer"

    @abc.abstractmethod
    def propose(self, history: History) -> list[Candidate | Proposal]:
        """Return this step's proposals: plain candidates or ``Proposal`` records.

        A ``Proposal`` with ``skip_reason`` keeps its slot in the journal as a skipped trial
        (an unparseable reply, say). An empty list ends the run.

        Raises:
            BudgetExceeded: a model budget stopped the proposal; the run stops cleanly.
        """

    def observe(self, trial: Trial) -> None:  # noqa: B027 - optional hook
        """Called after each trial is recorded (also for trials replayed on resume that the
        saved state has not seen)."""

    def state_dict(self) -> dict[str, Any]:
        """JSON-safe state a resumed run needs (RNG state, counters)."""
        return {}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore ``state_dict`` output; validate before changing anything.

        Raises:
            SettingError: the state is not a mapping or has wrong types (a ``ValueError``).
        """
        if not isinstance(state, Mapping):
            raise SettingError(
                f"{self.name}: optimizer state must be a JSON object, got {state!r:.200}"
            )

    def describe(self) -> dict[str, Any]:
        """JSON-safe configuration for config.json (never credentials)."""
        return {"name": self.name}
