"""Instance builders: one random LP/MILP per call, as a typed formulation plus the values its
text template needs. Data are integers so the rendered text states them exactly.

Each builder takes a seeded ``random.Random`` and a size (``small`` or ``large``); ``large``
assignment and knapsack instances are NP-hard MILPs sized to take the solver real time
(solver-bound benchmark items). Every list in a formulation stays within the agent's bounded
schema (``agent.formulate._schema.MAX_ITEMS``, 24 entries), so a scripted backend can replay
it through the agent: large instances index over two or three sets instead of one long one.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

SIZES: tuple[str, ...] = ("small", "large")


@dataclass(frozen=True)
class Instance:
    """A built instance: problem class, formulation dict and the text template's variables."""

    kind: str
    formulation: dict[str, Any]
    context: dict[str, Any]


@cache
def _pools() -> dict[str, list[str]]:
    data = json.loads((Path(__file__).parent / "names.json").read_text(encoding="utf-8"))
    return {k: list(v) for k, v in data.items()}


def _names(rng: random.Random, pool: str, n: int, prefix: str) -> list[str]:
    names = _pools()[pool]
    if n <= len(names):
        return rng.sample(names, n)
    return [f"{prefix} {i}" for i in range(1, n + 1)]


def _set(name: str, n: int) -> dict[str, Any]:
    return {"name": name, "elements": list(range(1, n + 1))}


def _param(name: str, index: Sequence[str], value: Any) -> dict[str, Any]:
    return {"name": name, "index": list(index), "value": value}


def production_mix(rng: random.Random, size: str) -> Instance:
    """Maximise profit over products sharing limited resources, with sales caps (LP)."""
    n, m = (rng.randint(2, 4), rng.randint(2, 3)) if size == "small" else (24, 8)
    products = _names(rng, "products", n, "product")
    resources = _names(rng, "resources", m, "resource")
    profit = [rng.randint(5, 60) for _ in range(n)]
    usage = [[rng.randint(0 if size == "large" else 1, 9) for _ in range(n)] for _ in range(m)]
    capacity = [rng.randint(40, 200) * (1 if size == "small" else 5) for _ in range(m)]
    max_sales = [rng.randint(10, 60) for _ in range(n)]
    formulation = {
        "name": "production_mix",
        "sets": [_set("P", n), _set("R", m)],
        "parameters": [
            _param("profit", ["P"], profit),
            _param("usage", ["R", "P"], usage),
            _param("capacity", ["R"], capacity),
            _param("max_sales", ["P"], max_sales),
        ],
        "variables": [{"name": "make", "index": ["P"]}],
        "objective": {"sense": "maximize", "expression": "sum(profit[p]*make[p] for p in P)"},
        "constraints": [
            {
                "name": "resource_limit",
                "for_all": "r in R",
                "expression": "sum(usage[r,p]*make[p] for p in P) <= capacity[r]",
            },
            {"name": "sales_cap", "for_all": "p in P", "expression": "make[p] <= max_sales[p]"},
        ],
    }
    context = {
        "products": products,
        "resources": resources,
        "profit": profit,
        "usage": usage,
        "capacity": capacity,
        "max_sales": max_sales,
    }
    return Instance("LP", formulation, context)


def diet(rng: random.Random, size: str) -> Instance:
    """Minimise the cost of foods meeting minimum nutrient amounts (LP)."""
    n, m = (rng.randint(3, 5), rng.randint(2, 3)) if size == "small" else (20, 6)
    foods = _names(rng, "foods", n, "food")
    nutrients = _names(rng, "nutrients", m, "nutrient")
    cost = [rng.randint(1, 9) for _ in range(n)]
    content = [[rng.randint(0, 20) for _ in range(n)] for _ in range(m)]
    for row in content:
        if not any(row):
            row[rng.randrange(n)] = rng.randint(1, 20)
    mix = [rng.randint(0, 5) for _ in range(n)]
    if not any(mix):
        mix[0] = 1
    need = [
        max(1, math.floor(0.8 * sum(c * q for c, q in zip(row, mix, strict=True))))
        for row in content
    ]
    formulation = {
        "name": "diet",
        "sets": [_set("F", n), _set("N", m)],
        "parameters": [
            _param("cost", ["F"], cost),
            _param("content", ["N", "F"], content),
            _param("need", ["N"], need),
        ],
        "variables": [{"name": "buy", "index": ["F"]}],
        "objective": {"sense": "minimize", "expression": "sum(cost[f]*buy[f] for f in F)"},
        "constraints": [
            {
                "name": "nutrient_need",
                "for_all": "k in N",
                "expression": "sum(content[k,f]*buy[f] for f in F) >= need[k]",
            }
        ],
    }
    context = {
        "foods": foods,
        "nutrients": nutrients,
        "cost": cost,
        "content": content,
        "need": need,
    }
    return Instance("LP", formulation, context)


def transport(rng: random.Random, size: str) -> Instance:
    """Ship from plants to markets at least cost, within supplies, meeting demands (LP)."""
    n, m = (rng.randint(2, 3), rng.randint(3, 4)) if size == "small" else (8, 12)
    plants = _names(rng, "plants", n, "plant")
    markets = _names(rng, "markets", m, "market")
    demand = [rng.randint(10, 80) for _ in range(m)]
    total = sum(demand)
    shares = [rng.randint(1, 4) for _ in range(n)]
    supply = [math.ceil(1.2 * total * s / sum(shares)) for s in shares]
    cost = [[rng.randint(2, 20) for _ in range(m)] for _ in range(n)]
    formulation = {
        "name": "transport",
        "sets": [_set("S", n), _set("D", m)],
        "parameters": [
            _param("supply", ["S"], supply),
            _param("demand", ["D"], demand),
            _param("cost", ["S", "D"], cost),
        ],
        "variables": [{"name": "ship", "index": ["S", "D"]}],
        "objective": {
            "sense": "minimize",
            "expression": "sum(cost[s,d]*ship[s,d] for s in S for d in D)",
        },
        "constraints": [
            {
                "name": "supply_limit",
                "for_all": "s in S",
                "expression": "sum(ship[s,d] for d in D) <= supply[s]",
            },
            {
                "name": "meet_demand",
                "for_all": "d in D",
                "expression": "sum(ship[s,d] for s in S) >= demand[d]",
            },
        ],
    }
    context = {
        "plants": plants,
        "markets": markets,
        "supply": supply,
        "demand": demand,
        "cost": cost,
    }
    return Instance("LP", formulation, context)


def assignment(rng: random.Random, size: str) -> Instance:
    """Give every task to one worker within each worker's hours, at least cost (binary MILP,
    a generalized assignment problem)."""
    n, m = (3, rng.randint(4, 6)) if size == "small" else (10, 24)
    workers = _names(rng, "workers", n, "worker")
    tasks = _names(rng, "tasks", m, "task")
    hours = [[rng.randint(2, 9) for _ in range(m)] for _ in range(n)]
    cost = [[rng.randint(10, 60) for _ in range(m)] for _ in range(n)]
    load = [0] * n
    for t in range(m):
        load[rng.randrange(n)] += min(hours[w][t] for w in range(n))
    capacity = [max(load[w], max(hours[w])) + rng.randint(0, 3) for w in range(n)]
    formulation = {
        "name": "assignment",
        "sets": [_set("W", n), _set("T", m)],
        "parameters": [
            _param("hours", ["W", "T"], hours),
            _param("cost", ["W", "T"], cost),
            _param("capacity", ["W"], capacity),
        ],
        "variables": [{"name": "assign", "index": ["W", "T"], "type": "binary"}],
        "objective": {
            "sense": "minimize",
            "expression": "sum(cost[w,t]*assign[w,t] for w in W for t in T)",
        },
        "constraints": [
            {
                "name": "one_worker_per_task",
                "for_all": "t in T",
                "expression": "sum(assign[w,t] for w in W) == 1",
            },
            {
                "name": "worker_hours",
                "for_all": "w in W",
                "expression": "sum(hours[w,t]*assign[w,t] for t in T) <= capacity[w]",
            },
        ],
    }
    context = {
        "workers": workers,
        "tasks": tasks,
        "hours": hours,
        "cost": cost,
        "capacity": capacity,
    }
    return Instance("MILP", formulation, context)


def knapsack(rng: random.Random, size: str) -> Instance:
    """Choose items of most value within one limit (small: up to 10 items) or three limits
    (large: 72 items in three crates of 24; a multidimensional knapsack) (binary MILP)."""
    groups, per, k = (1, rng.randint(6, 10), 1) if size == "small" else (3, 24, 3)
    n = groups * per
    if size == "small":
        items = _names(rng, "items", n, "item")
    else:
        items = [f"{crate}{i}" for crate in "ABC"[:groups] for i in range(1, per + 1)]
    limits = ["weight (kg)", "volume (litres)", "cost ($)", "setup (minutes)"][:k]
    weight = [[rng.randint(5, 40) for _ in range(n)] for _ in range(k)]
    value = [round(sum(weight[j][i] for j in range(k)) / k + rng.randint(1, 12)) for i in range(n)]
    capacity = [sum(row) // 2 for row in weight]
    context = {
        "items": items,
        "limits": limits,
        "value": value,
        "weight": weight,
        "capacity": capacity,
    }
    if size == "small":
        formulation = {
            "name": "knapsack",
            "sets": [_set("I", n), _set("K", k)],
            "parameters": [
                _param("value", ["I"], value),
                _param("weight", ["K", "I"], weight),
                _param("capacity", ["K"], capacity),
            ],
            "variables": [{"name": "take", "index": ["I"], "type": "binary"}],
            "objective": {"sense": "maximize", "expression": "sum(value[i]*take[i] for i in I)"},
            "constraints": [
                {
                    "name": "limit",
                    "for_all": "k in K",
                    "expression": "sum(weight[k,i]*take[i] for i in I) <= capacity[k]",
                }
            ],
        }
        return Instance("MILP", formulation, context)

    def by_crate(row: list[int]) -> list[list[int]]:
        return [row[g * per : (g + 1) * per] for g in range(groups)]

    formulation = {
        "name": "knapsack",
        "sets": [_set("G", groups), _set("I", per), _set("K", k)],
        "parameters": [
            _param("value", ["G", "I"], by_crate(value)),
            _param("weight", ["K", "G", "I"], [by_crate(row) for row in weight]),
            _param("capacity", ["K"], capacity),
        ],
        "variables": [{"name": "take", "index": ["G", "I"], "type": "binary"}],
        "objective": {
            "sense": "maximize",
            "expression": "sum(value[g,i]*take[g,i] for g in G for i in I)",
        },
        "constraints": [
            {
                "name": "limit",
                "for_all": "k in K",
                "expression": "sum(weight[k,g,i]*take[g,i] for g in G for i in I) <= capacity[k]",
            }
        ],
    }
    return Instance("MILP", formulation, context)


def scheduling(rng: random.Random, size: str) -> Instance:
    """Staff shifts to cover each period's demand at least cost (integer MILP). Small: days of
    a week, each shift works five consecutive days. Large: 24 hours, shifts of 4, 6 or 8
    hours starting at any hour (wrapping past midnight)."""
    if size == "small":
        periods = list(_pools()["days"])
        shifts = [
            {
                "start": s,
                "length": 5,
                "cost": 500 + 40 * sum(1 for d in range(5) if (s + d) % 7 >= 5),
            }
            for s in range(7)
        ]
        demand = [rng.randint(5, 20) for _ in periods]
    else:
        periods = [f"{h:02d}:00" for h in range(24)]
        shifts = []
        for start in range(24):
            for length in (4, 6, 8):
                night = sum(
                    1 for d in range(length) if (start + d) % 24 < 6 or (start + d) % 24 >= 22
                )
                shifts.append(
                    {
                        "start": start,
                        "length": length,
                        "cost": 12 * length + 5 * night + rng.randint(0, 9),
                    }
                )
        demand = [rng.randint(3, 30) for _ in periods]
    p = len(periods)
    cover = [[1 if (d - sh["start"]) % p < sh["length"] else 0 for d in range(p)] for sh in shifts]
    if size == "small":
        sets = [_set("S", len(shifts)), _set("D", p)]
        parameters = [
            _param("cost", ["S"], [sh["cost"] for sh in shifts]),
            _param("cover", ["S", "D"], cover),
            _param("demand", ["D"], demand),
        ]
        variables = [{"name": "staff", "index": ["S"], "type": "integer"}]
        objective = "sum(cost[s]*staff[s] for s in S)"
        covered = "sum(cover[s,d]*staff[s] for s in S) >= demand[d]"
    else:
        lengths = len(shifts) // p
        sets = [_set("H", p), _set("L", lengths), _set("D", p)]
        parameters = [
            _param(
                "cost",
                ["H", "L"],
                [[shifts[h * lengths + j]["cost"] for j in range(lengths)] for h in range(p)],
            ),
            _param(
                "cover",
                ["H", "L", "D"],
                [[cover[h * lengths + j] for j in range(lengths)] for h in range(p)],
            ),
            _param("demand", ["D"], demand),
        ]
        variables = [{"name": "staff", "index": ["H", "L"], "type": "integer"}]
        objective = "sum(cost[h,l]*staff[h,l] for h in H for l in L)"
        covered = "sum(cover[h,l,d]*staff[h,l] for h in H for l in L) >= demand[d]"
    formulation = {
        "name": "scheduling",
        "sets": sets,
        "parameters": parameters,
        "variables": variables,
        "objective": {"sense": "minimize", "expression": objective},
        "constraints": [{"name": "cover_demand", "for_all": "d in D", "expression": covered}],
    }
    for sh in shifts:
        sh["covers"] = [periods[(sh["start"] + d) % p] for d in range(sh["length"])]
    context = {"periods": periods, "shifts": shifts, "demand": demand, "size": size}
    return Instance("MILP", formulation, context)


# Named results, OptiBench-style: the objective under a phrase without max/min words, and a
# few variable values (or sums of them) under phrases naming what they count.
MAX_NAMED_VALUES = 4


def _first(names: Sequence[str]) -> list[tuple[int, str]]:
    return list(enumerate(names))[:MAX_NAMED_VALUES]


def report_entries(template: str, instance: Instance) -> list[dict[str, str]]:
    """The ``report`` of an instance's formulation: ``[{"name", "expression"}]``, the
    objective first (mapped to ``objective``), then variable values under phrase names.

    Raises:
        KeyError: an unknown template.
    """
    c = instance.context
    large = c.get("size") == "large" or len(instance.formulation["sets"]) > 2
    entries: list[tuple[str, str]]
    if template == "production_mix":
        entries = [("Total profit in dollars", "objective")]
        entries += [(f"Units of {p} to make", f"make[{j + 1}]") for j, p in _first(c["products"])]
    elif template == "diet":
        entries = [("Daily cost of the menu in dollars", "objective")]
        entries += [(f"Servings of {f}", f"buy[{j + 1}]") for j, f in _first(c["foods"])]
    elif template == "transport":
        entries = [("Total shipping cost in dollars", "objective")]
        entries += [
            (f"Units shipped from {p}", f"sum(ship[{j + 1},d] for d in D)")
            for j, p in _first(c["plants"])
        ]
    elif template == "assignment":
        entries = [("Total cost of the assignment in dollars", "objective")]
        entries += [
            (f"Tasks given to {w}", f"sum(assign[{j + 1},t] for t in T)")
            for j, w in _first(c["workers"])
        ]
    elif template == "knapsack":
        count = "sum(take[g,i] for g in G for i in I)" if large else "sum(take[i] for i in I)"
        entries = [("Total value taken", "objective"), ("Number of items taken", count)]
    elif template == "scheduling":
        entries = [("Total cost of the schedule in dollars", "objective")]
        if c["size"] == "small":
            entries.append(("People hired in all", "sum(staff[s] for s in S)"))
            entries += [
                (f"People on the shift starting {c['periods'][sh['start']]}", f"staff[{j + 1}]")
                for j, sh in _first(c["shifts"])
            ]
        else:
            entries.append(("People hired in all", "sum(staff[h,l] for h in H for l in L)"))
    else:
        raise KeyError(template)
    return [{"name": name, "expression": expression} for name, expression in entries]


BUILDERS: dict[str, Callable[[random.Random, str], Instance]] = {
    "production_mix": production_mix,
    "diet": diet,
    "transport": transport,
    "assignment": assignment,
    "knapsack": knapsack,
    "scheduling": scheduling,
}
TEMPLATES: tuple[str, ...] = tuple(BUILDERS)
