"""Minibatch racing (successive halving): weak candidates stop early, finalists see everything.

Every candidate is scored on a small minibatch; the better half survives and the minibatch
doubles, until the survivors fit ``finalists`` or the minibatch reaches the full set; the
finalists are scored on the whole set and the best mean wins. A score is never recomputed: a
survivor is scored only on the examples its larger minibatch adds.

``race`` is the engine: it asks for one rung's work at a time (so a caller can send every
candidate's requests of a rung to the model in one batch) and yields each candidate's verdict
as soon as it is known. ``successive_halving`` runs it to the end for a winner.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

C = TypeVar("C")
E = TypeVar("E")

ScoreFn = Callable[[C, Sequence[E]], Sequence[float]]

RungJob = tuple[int, int, int]
"""``(candidate, start, stop)``: score that candidate on examples ``start:stop``."""

RungScoreFn = Callable[[Sequence[RungJob]], Sequence[Sequence[float]]]
"""Scores one rung's jobs together: per job, the per-example scores of its slice."""


@dataclass(frozen=True, slots=True)
class RaceRound:
    """One rung: the minibatch size, who ran, and their mean scores on it."""

    batch: int
    entrants: tuple[int, ...]
    means: tuple[float, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"batch": self.batch, "entrants": list(self.entrants), "means": list(self.means)}


@dataclass(slots=True)
class RaceResult(Generic[C]):
    """Outcome of a race.

    Attributes:
        best: index of the winner in the candidate list.
        scores: per candidate, the per-example scores it got (a prefix of the examples).
        calls: example evaluations spent (one per candidate x example scored).
        rounds: the rungs, in order.
    """

    best: int
    scores: list[list[float]]
    calls: int
    rounds: list[RaceRound] = field(default_factory=list)

    def mean(self, index: int) -> float:
        values = self.scores[index]
        return sum(values) / len(values) if values else 0.0


@dataclass(frozen=True, slots=True)
class RaceVerdict:
    """One candidate's fate in a race.

    Attributes:
        index: the candidate's position.
        finalist: scored on the whole set (``False``: raced out on a minibatch).
        scores: its per-example scores, a prefix of the examples.
        rung: the rung it ended on, from 0.
        winner: the best finalist (one per race).
    """

    index: int
    finalist: bool
    scores: tuple[float, ...]
    rung: int
    winner: bool = False

    @property
    def mean(self) -> float:
        return sum(self.scores) / len(self.scores) if self.scores else 0.0


def _check(candidates: int, examples: int, min_batch: int, eta: float, finalists: int) -> None:
    if candidates < 1 or examples < 1:
        raise ValueError("racing needs at least one candidate and one example")
    if min_batch < 1 or eta <= 1 or finalists < 1:
        raise ValueError(
            f"need min_batch >= 1, eta > 1, finalists >= 1; got {min_batch}, {eta}, {finalists}"
        )


def race(
    candidates: int,
    examples: int,
    score: RungScoreFn,
    *,
    min_batch: int = 8,
    eta: float = 2.0,
    finalists: int = 2,
    rounds: list[RaceRound] | None = None,
) -> Iterator[RaceVerdict]:
    """Race ``candidates`` (counted, by position) on ``examples`` (counted) rung by rung.

    Args:
        candidates: how many candidates race.
        examples: the size of the full evaluation set (examples in a fixed order).
        score: scores a rung's jobs together (see ``RungScoreFn``).
        min_batch: the first minibatch size.
        eta: keep ``1/eta`` of the entrants per rung, multiply the batch by ``eta``.
        finalists: how many candidates get the full set.
        rounds: if given, each rung's ``RaceRound`` is appended to it.

    Yields:
        After each rung, a ``RaceVerdict`` per raced-out candidate (in index order); after
        the last rung, one per finalist, the winner (best mean, ties to the earlier) first.

    Raises:
        ValueError: bad sizes, or ``score`` returned the wrong number of values.
    """
    _check(candidates, examples, min_batch, eta, finalists)
    scores: list[list[float]] = [[] for _ in range(candidates)]
    alive = list(range(candidates))
    batch = min(min_batch, examples)
    rung = 0

    def mean(index: int) -> float:
        values = scores[index]
        return sum(values) / len(values) if values else 0.0

    while True:
        final = len(alive) <= finalists or batch >= examples
        size = examples if final else batch
        jobs = [(i, len(scores[i]), size) for i in alive if len(scores[i]) < size]
        if jobs:
            results = score(jobs)
            if len(results) != len(jobs):
                raise ValueError(f"score returned {len(results)} results for {len(jobs)} jobs")
            for (index, start, stop), values in zip(jobs, results, strict=True):
                if len(values) != stop - start:
                    raise ValueError(
                        f"score returned {len(values)} values for {stop - start} examples"
                    )
                scores[index].extend(float(v) for v in values)
        if rounds is not None:
            rounds.append(RaceRound(size, tuple(alive), tuple(mean(i) for i in alive)))
        ranked = sorted(alive, key=lambda i: (-mean(i), i))
        if final:
            for place, index in enumerate(ranked):
                yield RaceVerdict(index, True, tuple(scores[index]), rung, winner=place == 0)
            return
        keep = set(ranked[: max(finalists, math.ceil(len(alive) / eta))])
        for index in alive:
            if index not in keep:
                yield RaceVerdict(index, False, tuple(scores[index]), rung)
        alive = sorted(keep)
        batch = min(examples, math.ceil(batch * eta))
        rung += 1


def successive_halving(
    candidates: Sequence[C],
    examples: Sequence[E],
    score: Callable[[C, Sequence[E]], Sequence[float]],
    *,
    min_batch: int = 8,
    eta: float = 2.0,
    finalists: int = 2,
) -> RaceResult[C]:
    """Race ``candidates`` on ``examples`` and return the winner.

    Args:
        candidates: what to compare (any objects ``score`` accepts).
        examples: the full evaluation set, in a fixed (ideally shuffled) order.
        score: ``score(candidate, examples) -> per-example scores``.
        min_batch: the first minibatch size.
        eta: growth factor: keep ``1/eta`` of the entrants, multiply the batch by ``eta``.
        finalists: how many candidates get the full set.

    Returns:
        A ``RaceResult``; ties go to the earlier candidate.

    Raises:
        ValueError: no candidates or examples, or invalid ``min_batch``/``eta``/``finalists``.
    """
    _check(len(candidates), len(examples), min_batch, eta, finalists)
    rounds: list[RaceRound] = []

    def rung(jobs: Sequence[RungJob]) -> list[Sequence[float]]:
        return [list(score(candidates[i], examples[a:b])) for i, a, b in jobs]

    result: RaceResult[C] = RaceResult(best=0, scores=[[] for _ in candidates], calls=0)
    for verdict in race(
        len(candidates),
        len(examples),
        rung,
        min_batch=min_batch,
        eta=eta,
        finalists=finalists,
        rounds=rounds,
    ):
        result.scores[verdict.index] = list(verdict.scores)
        result.calls += len(verdict.scores)
        if verdict.winner:
            result.best = verdict.index
    result.rounds = rounds
    return result
