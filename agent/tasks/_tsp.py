"""The travelling-salesman showcase of the OPRO paper.

``n`` cities with integer coordinates in [-100, 100]; a candidate is a tour (a permutation of
``0..n-1``, closed back to its start) scored by its Euclidean length (lower is better). The
exact optimum comes from a MILP (PuLP + HiGHS, Miller-Tucker-Zemlin subtour constraints) for
small ``n``; nearest-neighbour and farthest-insertion give the classic heuristic baselines.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from agent.core import Candidate
from agent.errors import ConfigError
from agent.optimizers import parse_trace

#: Above this many cities the exact MILP is not attempted by default.
MAX_EXACT_CITIES = 30


@dataclass(frozen=True)
class TSPTask:
    """One random TSP instance.

    Args:
        n: number of cities (>= 3).
        seed: seeds the coordinates and the starting tours.
        coordinate_range: coordinates are integers in ``[-r, r]`` (the paper: 100).

    Example:
        >>> task = TSPTask(n=5, seed=0)
        >>> round(task.length(task.exact_optimum()[0]), 3) == round(task.brute_force()[1], 3)
        True
    """

    n: int = 10
    seed: int = 0
    coordinate_range: int = 100
    points: list[tuple[int, int]] = field(init=False, compare=False)
    _dist: list[list[float]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.n < 3:
            raise ConfigError(f"tsp: n must be >= 3, got {self.n}")
        if self.coordinate_range < 1:
            raise ConfigError(f"tsp: coordinate_range must be >= 1, got {self.coordinate_range}")
        rng = random.Random(f"tsp-points:{self.seed}:{self.n}")
        r = self.coordinate_range
        points: list[tuple[int, int]] = []
        while len(points) < self.n:
            p = (rng.randint(-r, r), rng.randint(-r, r))
            if p not in points:
                points.append(p)
        dist = [[math.dist(a, b) for b in points] for a in points]
        object.__setattr__(self, "points", points)
        object.__setattr__(self, "_dist", dist)

    # -- scoring -----------------------------------------------------------------------

    def distance(self, i: int, j: int) -> float:
        return self._dist[i][j]

    def length(self, tour: Candidate) -> float:
        """Length of the closed tour.

        Raises:
            ValueError: the tour is not a permutation of ``0..n-1``.
        """
        if (
            not isinstance(tour, Sequence)
            or isinstance(tour, str)
            or sorted(int(c) for c in tour) != list(range(self.n))
        ):
            raise ValueError(f"not a tour of all {self.n} cities: {tour!r:.80}")
        order = [int(c) for c in tour]
        return sum(self._dist[a][b] for a, b in zip(order, order[1:] + order[:1], strict=True))

    __call__ = length

    def parse(self, text: str) -> list[int]:
        """Parse a ``<trace>`` reply into a tour rotated to start at city 0."""
        return canonical_tour(parse_trace(text, self.n))

    # -- reference solutions -----------------------------------------------------------

    def exact_optimum(self, *, time_limit: float = 60.0) -> tuple[list[int], float]:
        """The optimal tour and its length from a MILP solved by HiGHS.

        Raises:
            ConfigError: ``n`` is above ``MAX_EXACT_CITIES`` or HiGHS found no optimum in time.
        """
        import pulp

        from solvers.backends import make_pulp_solver, run_pulp

        if self.n > MAX_EXACT_CITIES:
            raise ConfigError(
                f"tsp: the exact MILP is limited to n <= {MAX_EXACT_CITIES} (got {self.n}); "
                "compare against the heuristics instead"
            )
        n, cities = self.n, range(self.n)
        prob = pulp.LpProblem("tsp", pulp.LpMinimize)
        x = {
            (i, j): pulp.LpVariable(f"x_{i}_{j}", cat="Binary")
            for i in cities
            for j in cities
            if i != j
        }
        u = {i: pulp.LpVariable(f"u_{i}", lowBound=1, upBound=n - 1) for i in cities if i}
        prob += pulp.lpSum(self._dist[i][j] * var for (i, j), var in x.items())
        for i in cities:
            prob += pulp.lpSum(x[i, j] for j in cities if j != i) == 1
            prob += pulp.lpSum(x[j, i] for j in cities if j != i) == 1
        for i in u:
            for j in u:
                if i != j:
                    prob += u[i] - u[j] + n * x[i, j] <= n - 1
        run_pulp(prob, make_pulp_solver("highs", time_limit=time_limit, gap_rel=0.0))
        if pulp.LpStatus[prob.status] != "Optimal":
            raise ConfigError(
                f"tsp: HiGHS ended with status {pulp.LpStatus[prob.status]} for n={n}; "
                "raise the time limit or use a smaller n"
            )
        succ = {i: j for (i, j), var in x.items() if (var.value() or 0.0) > 0.5}
        tour = [0]
        while len(tour) < n:
            tour.append(succ[tour[-1]])
        return tour, self.length(tour)

    def brute_force(self) -> tuple[list[int], float]:
        """The optimum by enumerating every tour from city 0 (only for tiny ``n``)."""
        if self.n > 10:
            raise ConfigError(f"tsp: brute force is for n <= 10, got {self.n}")
        best = min(
            ([0, *rest] for rest in itertools.permutations(range(1, self.n))), key=self.length
        )
        return list(best), self.length(best)

    def nearest_neighbour(self, start: int = 0) -> tuple[list[int], float]:
        """Greedy tour: always go to the closest unvisited city."""
        tour = [start]
        left = set(range(self.n)) - {start}
        while left:
            here = tour[-1]
            nxt = min(sorted(left), key=lambda c: self._dist[here][c])
            tour.append(nxt)
            left.remove(nxt)
        return tour, self.length(tour)

    def farthest_insertion(self) -> tuple[list[int], float]:
        """Insert the city farthest from the tour where it lengthens the tour least."""
        d = self._dist
        a, b = max(itertools.combinations(range(self.n), 2), key=lambda p: d[p[0]][p[1]])
        tour = [a, b]
        left = [c for c in range(self.n) if c not in tour]
        while left:
            far = max(left, key=lambda c: min(d[c][t] for t in tour))
            pos = min(
                range(len(tour)),
                key=lambda k: (
                    d[tour[k]][far]
                    + d[far][tour[(k + 1) % len(tour)]]
                    - d[tour[k]][tour[(k + 1) % len(tour)]]
                ),
            )
            tour.insert(pos + 1, far)
            left.remove(far)
        tour = canonical_tour(tour)
        return tour, self.length(tour)

    # -- starting points and baselines -------------------------------------------------

    def initial(self, k: int = 5) -> list[list[int]]:
        """``k`` random tours from city 0 (seeded)."""
        rng = random.Random(f"tsp-start:{self.seed}:{self.n}")
        return [self.sample(rng) for _ in range(k)]

    def sample(self, rng: random.Random) -> list[int]:
        """One uniformly random tour from city 0 (the random-search baseline)."""
        rest = list(range(1, self.n))
        rng.shuffle(rest)
        return [0, *rest]

    def config(self) -> dict[str, Any]:
        return {
            "name": "tsp",
            "n": self.n,
            "seed": self.seed,
            "coordinate_range": self.coordinate_range,
        }

    @classmethod
    def from_config(cls, data: dict[str, Any]) -> TSPTask:
        try:
            return cls(**{k: v for k, v in data.items() if k != "name"})
        except TypeError as exc:
            raise ConfigError(f"tsp: bad task config in config.json ({exc})") from None


def canonical_tour(tour: Sequence[int]) -> list[int]:
    """The same cycle rotated to start at city 0 (equal tours then de-duplicate)."""
    order = list(tour)
    if 0 not in order:
        return order
    k = order.index(0)
    return order[k:] + order[:k]
