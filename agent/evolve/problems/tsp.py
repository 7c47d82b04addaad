"""TSP constructive heuristics (EoH's problem): evolve ``select_next_node``.

A tour starts at node 0 and repeatedly moves to the node the function picks among the
unvisited ones. The score is the tour's gap to a 2-opt local optimum (from the nearest
neighbour tour), ``100 * (length - two_opt) / two_opt``, averaged over the instances (lower is
better; below 0 beats 2-opt). Baselines: nearest neighbour (a program, scored by the same
harness) and the greedy edge heuristic (computed here).

Instances: 8 random Euclidean instances of 50 points in the unit square, from a seed.

This module has the shape of a user problem file; ``run`` runs only in the sandbox.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

FUNCTION = "select_next_node"
SIGNATURE = (
    "def select_next_node(current_node: int, destination_node: int, "
    "unvisited_nodes: list[int], distance_matrix: np.ndarray) -> int"
)
DIRECTION = "minimize"
DESCRIPTION = (
    "Travelling salesman, built one step at a time. Write select_next_node(current_node, "
    "destination_node, unvisited_nodes, distance_matrix): the tour is at current_node, must "
    "end at destination_node, unvisited_nodes is a list of the nodes not yet visited and "
    "distance_matrix[i][j] is the distance between nodes i and j. Return the next node to "
    "visit (one of unvisited_nodes). The goal is the shortest closed tour."
)

SEED = '''def select_next_node(current_node, destination_node, unvisited_nodes, distance_matrix):
    """Nearest neighbour: go to the closest unvisited node."""
    return min(unvisited_nodes, key=lambda node: distance_matrix[current_node][node])
'''

BASELINES = {"nearest neighbour": SEED}

SIZE, COUNT = 50, 8


def tour_length(points: list[list[float]], tour: list[int]) -> float:
    """Length of the closed tour."""
    return sum(
        math.dist(points[a], points[b]) for a, b in zip(tour, tour[1:] + tour[:1], strict=True)
    )


def nearest_neighbour(points: list[list[float]]) -> list[int]:
    """The nearest neighbour tour from node 0."""
    tour, left = [0], set(range(1, len(points)))
    while left:
        here = points[tour[-1]]
        nxt = min(sorted(left), key=lambda n: math.dist(here, points[n]))
        tour.append(nxt)
        left.remove(nxt)
    return tour


def two_opt(points: list[list[float]], tour: list[int]) -> list[int]:
    """First-improvement 2-opt until no move shortens the tour."""
    tour = list(tour)
    n = len(tour)
    d = [[math.dist(p, q) for q in points] for p in points]
    improved = True
    while improved:
        improved = False
        for i in range(n - 1):
            for j in range(i + 2, n if i > 0 else n - 1):
                a, b, c, e = tour[i], tour[i + 1], tour[j], tour[(j + 1) % n]
                if d[a][c] + d[b][e] < d[a][b] + d[c][e] - 1e-12:
                    tour[i + 1 : j + 1] = reversed(tour[i + 1 : j + 1])
                    improved = True
    return tour


def greedy_edge(points: list[list[float]]) -> list[int]:
    """The greedy edge heuristic: shortest edges first, no vertex of degree 3, no subtour."""
    n = len(points)
    edges = sorted((math.dist(points[i], points[j]), i, j) for i in range(n) for j in range(i))
    parent = list(range(n))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    degree = [0] * n
    adjacent: list[list[int]] = [[] for _ in range(n)]
    taken = 0
    for _, i, j in edges:
        if degree[i] < 2 and degree[j] < 2 and root(i) != root(j):
            parent[root(i)] = root(j)
            degree[i] += 1
            degree[j] += 1
            adjacent[i].append(j)
            adjacent[j].append(i)
            taken += 1
            if taken == n - 1:
                break
    ends = [v for v in range(n) if degree[v] < 2]
    start = ends[0] if ends else 0
    tour, previous = [start], -1
    while len(tour) < n:
        here = tour[-1]
        nxt = next(v for v in adjacent[here] if v != previous)
        previous = here
        tour.append(nxt)
    return tour


def instances(seed: int = 0) -> list[dict[str, Any]]:
    """Seeded instances ``{"points", "two_opt"}`` (the 2-opt reference length)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(COUNT):
        points = [[round(float(x), 6), round(float(y), 6)] for x, y in rng.random((SIZE, 2))]
        reference = tour_length(points, two_opt(points, nearest_neighbour(points)))
        out.append({"points": points, "two_opt": reference})
    return out


def baseline_scores(instances: list[dict[str, Any]]) -> dict[str, float]:
    """Scores of the baselines that are not programs (greedy edge), computed here."""
    gaps = [
        100.0 * (tour_length(i["points"], greedy_edge(i["points"])) - i["two_opt"]) / i["two_opt"]
        for i in instances
    ]
    return {"greedy edge": sum(gaps) / len(gaps)}


def run(function: Any, instance: dict[str, Any]) -> list[int]:
    """Build a tour from node 0 with ``function`` (sandbox)."""
    import numpy as np

    points = np.array(instance["points"], dtype=float)
    matrix = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=-1))
    tour, unvisited = [0], list(range(1, len(points)))
    while unvisited:
        chosen = function(tour[-1], 0, list(unvisited), matrix)
        if isinstance(chosen, bool) or not isinstance(chosen, (int, np.integer)):
            raise TypeError(f"select_next_node must return a node number, got {chosen!r:.80}")
        if int(chosen) not in unvisited:
            raise ValueError(f"select_next_node returned {int(chosen)}, not an unvisited node")
        tour.append(int(chosen))
        unvisited.remove(int(chosen))
    return tour


def score(instance: dict[str, Any], output: Any) -> float:
    """Percent gap of a checked tour to the 2-opt reference (here, not in the sandbox).

    Raises:
        ValueError: the output is not a permutation of the nodes.
    """
    n = len(instance["points"])
    if not isinstance(output, list) or sorted(output) != list(range(n)):
        raise ValueError(f"expected a tour visiting each of the {n} nodes once")
    length = tour_length(instance["points"], output)
    return 100.0 * (length - instance["two_opt"]) / instance["two_opt"]
