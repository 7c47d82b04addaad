"""What changed between two solutions: objective, variable values, binding constraints."""

from __future__ import annotations

from dataclasses import dataclass, field

from solvers import Solution

TOL = 1e-9


@dataclass(frozen=True)
class SolutionChange:
    """The difference of ``after`` against ``before``.

    Attributes:
        status: ``(before, after)`` statuses.
        objective: ``(before, after)`` objective values (None where there was none).
        values: ``(label, before, after)`` for every variable whose value moved.
        now_binding: constraint rows binding after but not before.
        now_slack: constraint rows binding before but not after.
    """

    status: tuple[str, str]
    objective: tuple[float | None, float | None]
    values: list[tuple[str, float | None, float | None]] = field(default_factory=list)
    now_binding: list[str] = field(default_factory=list)
    now_slack: list[str] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        """Nothing moved."""
        same_objective = self.objective[0] == self.objective[1] or (
            None not in self.objective and abs(self.objective[0] - self.objective[1]) <= TOL  # type: ignore[operator]  # `None not in` does not narrow the tuple's items
        )
        return (
            self.status[0] == self.status[1]
            and same_objective
            and not (self.values or self.now_binding or self.now_slack)
        )


def compare_solutions(before: Solution, after: Solution) -> SolutionChange:
    """Compare two solutions of (versions of) the same model."""
    labels = list(before.values) + [k for k in after.values if k not in before.values]
    moved: list[tuple[str, float | None, float | None]] = []
    for label in labels:
        old, new = before.values.get(label), after.values.get(label)
        if old is None or new is None or abs(old - new) > TOL * (1 + abs(old)):
            moved.append((label, old, new))
    was = {r.label for r in before.sensitivity.binding} if before.sensitivity else set()
    now = {r.label for r in after.sensitivity.binding} if after.sensitivity else set()
    rows = [r.label for r in after.sensitivity.rows] if after.sensitivity else []
    old_rows = [r.label for r in before.sensitivity.rows] if before.sensitivity else []
    return SolutionChange(
        status=(before.status.value, after.status.value),
        objective=(before.objective, after.objective),
        values=moved,
        now_binding=[r for r in rows if r in now and r not in was and r in old_rows],
        now_slack=[r for r in old_rows if r in was and r not in now and r in rows],
    )
