"""The run's history as optimizers see it: read-only, handed out as copies."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator

from agent.core._trial import Direction, Trial
from agent.errors import ConfigError


class History:
    """An ordered, read-only view of finished trials.

    Args:
        trials: finished trials in journal order.
        direction: ``"maximize"`` or ``"minimize"``; decides what "best" means.
        step: the step about to be proposed (optimizers use it for per-step seeds).

    Trials are frozen, but their dict fields are not; every accessor returns deep copies, so an
    optimizer can never change what the run recorded.

    Example:
        >>> from agent.core import History, Trial
        >>> h = History([Trial(0, 0, 0, [1, 2], score=3.0), Trial(1, 0, 1, [2, 2], score=1.0)],
        ...             direction="minimize")
        >>> h.best.candidate
        [2, 2]
    """

    def __init__(
        self, trials: Iterable[Trial] = (), *, direction: Direction = "maximize", step: int = 0
    ) -> None:
        if direction not in ("maximize", "minimize"):
            raise ConfigError(f"direction must be 'maximize' or 'minimize', got {direction!r}")
        self._trials = tuple(trials)
        self.direction: Direction = direction
        self.step = step

    def __len__(self) -> int:
        return len(self._trials)

    def __iter__(self) -> Iterator[Trial]:
        return iter(self.trials)

    def __repr__(self) -> str:
        return f"History({len(self)} trials, direction={self.direction!r}, step={self.step})"

    @property
    def trials(self) -> list[Trial]:
        """Every trial in journal order (copies)."""
        return copy.deepcopy(list(self._trials))

    def ok(self) -> list[Trial]:
        """Trials with a score, in journal order (copies)."""
        return copy.deepcopy([t for t in self._trials if t.ok])

    def quality(self, score: float) -> float:
        """A number where larger is always better, whatever the direction."""
        return score if self.direction == "maximize" else -score

    def is_better(self, a: float, b: float) -> bool:
        """Whether score ``a`` is strictly better than score ``b``."""
        return self.quality(a) > self.quality(b)

    def ranked(self) -> list[Trial]:
        """Scored trials best first; ties keep journal order (copies)."""
        scored = [t for t in self._trials if t.ok and t.score is not None]
        return copy.deepcopy(sorted(scored, key=lambda t: -self.quality(t.score)))  # type: ignore[arg-type]  # `scored` holds trials whose score is not None; the lambda does not see that

    def top_k(self, k: int, *, unique: bool = True) -> list[Trial]:
        """The ``k`` best scored trials, best first; with ``unique``, one per candidate."""
        out: list[Trial] = []
        seen: set[str] = set()
        for trial in self.ranked():
            if unique and trial.key in seen:
                continue
            seen.add(trial.key)
            out.append(trial)
            if len(out) >= k:
                break
        return out

    def sorted_ascending(self, k: int | None = None) -> list[Trial]:
        """The ``k`` best unique trials worst first, so the best comes last (OPRO's order)."""
        best = self.top_k(len(self._trials) if k is None else k)
        return list(reversed(best))

    @property
    def best(self) -> Trial | None:
        """The best scored trial, or ``None`` when nothing scored yet."""
        ranked = self.ranked()
        return ranked[0] if ranked else None

    @property
    def best_score(self) -> float | None:
        best = self.best
        return None if best is None else best.score

    def seen(self) -> set[str]:
        """Candidate keys of every evaluated trial (ok or failed): the de-duplication set."""
        return {t.key for t in self._trials if t.status != "skipped"}

    def best_curve(self, *, by: str = "step") -> list[tuple[int, float]]:
        """Best score so far: ``(step, best)`` at the end of each step (``by="step"``), or
        ``(n, best)`` after the n-th evaluated trial (``by="evaluation"``, for comparing
        optimizers at equal evaluations)."""
        if by not in ("step", "evaluation"):
            raise ConfigError(f"best_curve by must be 'step' or 'evaluation', got {by!r}")
        curve: dict[int, float] = {}
        best: float | None = None
        evaluated = 0
        for trial in sorted(self._trials, key=lambda t: (t.step, t.number)):
            if trial.status != "skipped":
                evaluated += 1
            if (
                trial.ok
                and trial.score is not None
                and (best is None or self.is_better(trial.score, best))
            ):
                best = trial.score
            if best is not None:
                curve[trial.step if by == "step" else evaluated] = best
        return sorted(curve.items())
