"""Operations families: diets, blends, crop plans, cutting, multi-period plans, refining, setups.

Most families draw a hidden *witness* plan first and set requirements and capacities from it
(requirements rounded down, capacities rounded up), so nearly every draft is feasible.
"""

from __future__ import annotations

import itertools
import math
import random

from evals.synthetic.families._api import Clause, Draft, family
from evals.synthetic.families._phrasing import (
    at_least,
    at_most,
    join,
    lin,
    markdown_table,
    money,
    num,
    row,
    whole_numbers,
    written,
)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _step(value: float) -> int:
    if value >= 5000:
        return 100
    if value >= 1000:
        return 50
    if value >= 200:
        return 10
    if value >= 50:
        return 5
    return 1


def _floor(value: float) -> int:
    """A round number not above ``value`` (0 only when ``value`` < 1)."""
    step = _step(value)
    return int(value // step * step)


def _ceil(value: float) -> int:
    """A round number not below ``value``."""
    step = _step(value)
    return int(math.ceil(value / step - 1e-9) * step)


def _hours(value: float) -> str:
    """``1 hour`` / ``2.5 hours``."""
    return f"{num(value)} hour" if value == 1 else f"{num(value)} hours"


def _pct(points: float, rng: random.Random) -> str:
    """Percentage points (35) as a text writes them: ``35%`` or ``35 percent``."""
    return f"{num(points)}%" if rng.random() < 0.6 else f"{num(points)} percent"


def _share_row(terms: dict[str, float], op: str, share: float, names: list[str]) -> str:
    """``0.3 A + 0.5 B >= 0.4 (A + B)``: a content share of a blend."""
    return f"{lin(terms)} {op} {num(share)} ({lin({n: 1 for n in names})})"


def _varied(names: list[str], low: int, high: int, rng: random.Random) -> dict[str, int]:
    """Random contents in [low, high], not all equal (a share row of equal contents is vacuous)."""
    while True:
        values = {n: rng.randint(low, high) for n in names}
        if len(set(values.values())) > 1:
            return values


def _sum(names: list[str]) -> dict[str, float]:
    return {n: 1 for n in names}


# --------------------------------------------------------------------------------------- diet

_FOODS = (
    "oats", "milk", "eggs", "rice", "beans", "bread", "apples", "cheese", "yogurt", "lentils",
    "spinach", "chicken", "tofu", "bananas", "peanuts", "potatoes", "carrots", "fish",
)  # fmt: skip
#: (nutrient, unit, content range per portion)
_NUTRIENTS = (
    ("protein", "grams", (2, 25)),
    ("calcium", "milligrams", (20, 300)),
    ("iron", "milligrams", (1, 8)),
    ("fiber", "grams", (1, 10)),
    ("calories", "", (60, 400)),
    ("vitamin C", "milligrams", (2, 60)),
    ("carbohydrates", "grams", (5, 45)),
)
_LIMITED = (
    ("sodium", "milligrams", (50, 600)),
    ("sugar", "grams", (1, 20)),
    ("fat", "grams", (1, 15)),
)


def _amount(nutrient: tuple, value: float, rng: random.Random) -> str:
    name, unit, _ = nutrient
    if value == 0:
        return f"no {name}"
    return f"{written(value, rng)} {unit} of {name}" if unit else f"{written(value, rng)} {name}"


@family("diet")
def diet(rng: random.Random) -> Draft:
    """Minimize the cost of a diet of 2-4 foods that meets 2-3 nutrient minimums."""
    foods = rng.sample(_FOODS, rng.randint(2, 4))
    limited = [rng.choice(_LIMITED)] if rng.random() < 0.3 else []
    minimums = rng.sample(_NUTRIENTS, rng.randint(2, 2 if limited else 3))
    nutrients = minimums + limited
    portion = rng.choice(("serving", "portion", "unit"))
    content = {
        (n[0], f): (rng.randint(*n[2]) if rng.random() > 0.15 else 0)
        for n in nutrients
        for f in foods
    }
    for n in nutrients:
        if all(content[(n[0], f)] == 0 for f in foods):
            content[(n[0], foods[0])] = n[2][0]
    cost = {f: round(rng.randint(4, 60) * 0.05, 2) for f in foods}
    plan = {f: rng.randint(1, 5) for f in foods}
    supplied = {n[0]: sum(content[(n[0], f)] * plan[f] for f in foods) for n in nutrients}
    need = {n[0]: _floor(supplied[n[0]] * rng.uniform(0.7, 1.0)) for n in minimums}
    cap = {n[0]: _ceil(supplied[n[0]] * rng.uniform(1.0, 1.3)) for n in limited}
    integer = rng.random() < 0.35
    intro = rng.choice(
        (
            f"A dietitian is planning a daily menu from {join(foods)}.",
            "A student wants to meet daily nutrition needs as cheaply as possible with "
            f"{join(foods)}.",
            f"A hospital kitchen builds meals from {len(foods)} foods: {join(foods)}.",
            f"Someone on a tight budget plans a diet of {join(foods)}.",
            f"A nutrition program must decide how many {portion}s of {join(foods)} to serve each "
            "day.",
            f"An athlete's meal plan combines {join(foods)}.",
        )
    )
    clauses: list[Clause] = []
    style = rng.random()
    if style < 0.3 or len(nutrients) * len(foods) > 9:
        header = ["food", f"cost per {portion}"] + [
            f"{n[0]} ({n[1]})" if n[1] else n[0] for n in nutrients
        ]
        body = [[f, money(cost[f], rng), *[content[(n[0], f)] for n in nutrients]] for f in foods]
        clauses.append(
            Clause(
                f"Cost and content per {portion}:\n" + markdown_table(header, body) + "\n",
                movable=False,
            )
        )
    elif style < 0.7:
        for f in foods:
            amounts = join([_amount(n, content[(n[0], f)], rng) for n in nutrients])
            clauses.append(
                Clause(
                    rng.choice(
                        (
                            f"A {portion} of {f} costs {money(cost[f], rng)} and provides "
                            f"{amounts}.",
                            f"Each {portion} of {f} ({money(cost[f], rng)}) contains {amounts}.",
                            f"One {portion} of {f} has {amounts} and costs {money(cost[f], rng)}.",
                        )
                    )
                )
            )
    else:
        prices = join([f"{money(cost[f], rng)} for {f}" for f in foods])
        clauses.append(Clause(f"The cost per {portion} is {prices}."))
        for n in nutrients:
            first, *rest = foods
            unit = f" {n[1]}" if n[1] else ""
            parts = join(
                [f"{written(content[(n[0], first)], rng)}{unit} in {first}"]
                + [f"{written(content[(n[0], f)], rng)} in {f}" for f in rest]
            )
            what = "calorie count" if n[0] == "calories" else f"{n[0]} content"
            clauses.append(Clause(f"The {what} per {portion} is {parts}."))
    rows = [row({f: content[(n[0], f)] for f in foods}, ">=", need[n[0]]) for n in minimums]
    if rng.random() < 0.5:
        clauses.append(
            Clause(
                rng.choice(("The daily diet must provide ", "Each day the menu needs "))
                + join([f"{at_least(rng)} {_amount(n, need[n[0]], rng)}" for n in minimums])
                + ".",
                tuple(rows),
            )
        )
    else:
        for n, r in zip(minimums, rows, strict=True):
            amount = _amount(n, need[n[0]], rng)
            clauses.append(
                Clause(
                    rng.choice(
                        (
                            f"The diet must supply {at_least(rng)} {amount} per day.",
                            f"Daily intake must include {at_least(rng)} {amount}.",
                            f"A minimum of {amount} is required each day.",
                        )
                    ),
                    (r,),
                )
            )
    for n in limited:
        amount = _amount(n, cap[n[0]], rng)
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"To stay healthy, the diet may contain {at_most(rng)} {amount}.",
                        f"Intake is limited to {amount} per day.",
                    )
                ),
                (row({f: content[(n[0], f)] for f in foods}, "<=", cap[n[0]]),),
            )
        )
    if rng.random() < 0.35:
        f = rng.choice(foods)
        most = plan[f] + rng.randint(0, 3)
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"No more than {most} {portion}s of {f} may be eaten per day.",
                        f"For variety, {f} is limited to {at_most(rng)} {most} {portion}s.",
                    )
                ),
                (f"{f} <= {num(most)}",),
            )
        )
    if integer:
        clauses.append(Clause(whole_numbers(f"{portion}s", rng)))
    question = rng.choice(
        (
            "What is the cheapest diet that meets these requirements?",
            f"How many {portion}s of each food minimize the daily cost?",
            "Find the minimum daily cost of the diet.",
            "Determine the least expensive combination of foods.",
            "Which combination meets every requirement at the lowest cost, and what does it cost?",
        )
    )
    quantities = [(f"{_cap(portion)}s of {f} per day", f) for f in foods]
    quantities.append((rng.choice(("Daily cost", "Total cost of the diet")), "objective"))
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("int" if integer else "var", foods)],
        objective="min " + lin(cost),
        quantities=quantities,
    )


# ----------------------------------------------------------------------------------- blending

#: (maker, product, inputs noun, unit, names, components with (low, high) percent ranges)
_BLENDS = (
    (
        "A foundry", "alloy", "scrap metal", "tons", ("A", "B", "C", "D"),
        (("tin", 5, 50, ">="), ("zinc", 5, 40, "<="), ("copper", 10, 60, ">="),
         ("lead", 5, 30, "<=")),
        (200, 900),
    ),
    (
        "A fertiliser plant", "fertiliser", "base mix", "tonnes", ("X", "Y", "Z", "W"),
        (("nitrogen", 5, 45, ">="), ("phosphate", 5, 35, ">="), ("potash", 5, 30, ">=")),
        (150, 400),
    ),
    (
        "A refinery", "fuel", "", "barrels", ("naphtha", "reformate", "alkylate", "butane"),
        (("sulfur", 1, 6, "<="), ("aromatics", 10, 50, "<=")),
        (40, 95),
    ),
    (
        "A steel mill", "furnace charge", "iron ore", "tons", ("A", "B", "C", "D"),
        (("iron", 40, 70, ">="), ("silica", 2, 15, "<=")),
        (40, 130),
    ),
)  # fmt: skip


@family("blending", kinds=("LP",))
def blending(rng: random.Random) -> Draft:
    """Minimize the cost of blending 2-4 inputs so the blend meets 1-2 content shares."""
    maker, product, inputs, unit, labels, components, price = rng.choice(_BLENDS)
    names = list(labels[: rng.randint(2, 4)])
    comps = rng.sample(components, rng.randint(1, min(2, len(components))))
    content: dict[tuple[str, str], int] = {}
    for c in comps:
        values = [c[1], c[1]]
        while len(set(values)) == 1:  # equal contents would make the share row vacuous
            values = [rng.randint(c[1], c[2]) for _ in names]
        content.update({(c[0], n): v for n, v in zip(names, values, strict=True)})
    cost = {n: rng.randint(price[0], price[1]) for n in names}
    weights = {n: rng.randint(1, 5) for n in names}
    total = rng.randint(2, 20) * 50
    plan = {n: total * weights[n] / sum(weights.values()) for n in names}
    need: dict[str, int] = {}
    for name, _, _, op in comps:
        values = [content[(name, n)] for n in names]
        share = sum(content[(name, n)] * weights[n] for n in names) / sum(weights.values())
        if op == ">=":
            low = min(values) + 1
            need[name] = rng.randint(low, math.floor(share)) if low <= share else math.floor(share)
        else:
            high = max(values) - 1
            need[name] = rng.randint(math.ceil(share), high) if share <= high else math.ceil(share)
    exact = rng.random() < 0.6
    plural = inputs + ("es" if inputs.endswith("x") else "s")
    group = f"{plural} {join(names)}" if inputs else join(names)
    intro = rng.choice(
        (
            f"{maker} makes {product} by mixing {group}.",
            f"{maker} blends {len(names)} inputs ({join(names)}) into {product}.",
            f"{maker} must decide how many {unit} of {group} to mix into {product}.",
            f"To make {product}, {maker.lower()} combines {group}.",
            f"{maker} produces {product} from a blend of {group}.",
        )
    )
    clauses: list[Clause] = []
    if rng.random() < 0.3:
        header = ["input", f"cost per {unit[:-1]}", *[f"{c[0]} content" for c in comps]]
        body = [[n, cost[n], *[f"{content[(c[0], n)]}%" for c in comps]] for n in names]
        lead = rng.choice(("Cost and composition of each input:", "The inputs are:"))
        clauses.append(Clause(f"{lead}\n" + markdown_table(header, body) + "\n", movable=False))
    else:
        for n in names:
            parts = join([f"{_pct(content[(c[0], n)], rng)} {c[0]}" for c in comps])
            label = f"{inputs} {n}" if inputs else n
            clauses.append(
                Clause(
                    rng.choice(
                        (
                            f"{_cap(label)} costs {money(cost[n], rng)} per {unit[:-1]} and "
                            "contains "
                            f"{parts}.",
                            f"Each {unit[:-1]} of {n} costs {money(cost[n], rng)}; it is {parts}.",
                            f"The {label} contains {parts} and sells for {money(cost[n], rng)} "
                            f"per {unit[:-1]}.",
                        )
                    )
                )
            )
    amount = written(total, rng)
    clauses.append(
        Clause(
            rng.choice(
                (
                    f"An order calls for exactly {amount} {unit} of {product}.",
                    f"The plant must produce {amount} {unit} of {product}.",
                )
            )
            if exact
            else rng.choice(
                (
                    f"At least {amount} {unit} of {product} are needed.",
                    f"The blend must total {at_least(rng)} {amount} {unit}.",
                )
            ),
            (row(_sum(names), "=" if exact else ">=", total),),
        )
    )
    for name, _, _, op in comps:
        pct = _pct(need[name], rng)
        words = at_least(rng) if op == ">=" else at_most(rng)
        text = rng.choice(
            (
                f"The {product} must contain {words} {pct} {name}.",
                f"{_cap(name)} must make up {words} {pct} of the blend.",
                f"The share of {name} in the final {product} must be {words} {pct}.",
            )
        )
        terms = {n: content[(name, n)] / 100 for n in names}
        clauses.append(Clause(text, (_share_row(terms, op, need[name] / 100, names),)))
    for n in names:
        if rng.random() < 0.25:
            limit = _ceil(plan[n] * rng.uniform(1.05, 1.6))
            clauses.append(
                Clause(
                    rng.choice(
                        (
                            f"Only {written(limit, rng)} {unit} of {n} are available.",
                            f"The supply of {n} is limited to {written(limit, rng)} {unit}.",
                        )
                    ),
                    (f"{n} <= {num(limit)}",),
                )
            )
    question = rng.choice(
        (
            "What blend meets the requirements at minimum cost?",
            f"How many {unit} of each input should be used to minimize cost?",
            "Find the cheapest blend.",
            "Determine the least-cost mix and its cost.",
            f"What is the lowest possible cost of the {product}?",
        )
    )
    quantities = [(f"{_cap(unit)} of {n} used", n) for n in names]
    quantities.append((rng.choice(("Total cost", "Cost of the blend")), "objective"))
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("var", names)],
        objective="min " + lin(cost),
        quantities=quantities,
    )


# ----------------------------------------------------------------------------------- feed_mix

_GRAINS = ("corn", "oats", "barley", "wheat", "soymeal", "alfalfa", "sorghum", "fishmeal")
_FARMS = (
    ("A poultry farm", "its chickens"),
    ("A cattle ranch", "its herd"),
    ("A pig farmer", "the pigs"),
    ("A feed mill", "dairy cows"),
    ("A pet food company", "dogs"),
)


@family("feed_mix", kinds=("LP",))
def feed_mix(rng: random.Random) -> Draft:
    """Minimize the cost of an animal feed batch from 2-4 grains with protein and fat minimums."""
    grains = rng.sample(_GRAINS, rng.randint(2, 4))
    farm, animals = rng.choice(_FARMS)
    protein, fat, fiber = (
        _varied(grains, low, high, rng) for low, high in ((6, 45), (1, 10), (2, 25))
    )
    use_fiber = rng.random() < 0.35
    cost = {g: round(rng.randint(3, 18) * 0.05, 2) for g in grains}
    weights = {g: rng.randint(1, 5) for g in grains}
    batch = rng.randint(2, 20) * 100
    plan = {g: batch * weights[g] / sum(weights.values()) for g in grains}
    absolute = rng.random() < 0.5
    decimal = rng.random() < 0.4
    intro = rng.choice(
        (
            f"{farm} mixes {join(grains)} into feed for {animals}.",
            f"{farm} prepares a feed batch for {animals} from {join(grains)}.",
            f"{farm} wants the cheapest feed for {animals} made of {join(grains)}.",
            f"Feed for {animals} at {farm.lower()} is blended from {join(grains)}.",
            f"{farm} must choose how many kilograms of {join(grains)} go into a batch of feed.",
        )
    )

    def share(values: dict[str, int], g: str, what: str) -> str:
        if decimal:
            return f"{num(values[g] / 100)} kg of {what} per kilogram"
        return f"{_pct(values[g], rng)} {what}"

    nutrients = [("protein", protein), ("fat", fat)] + ([("fiber", fiber)] if use_fiber else [])
    clauses: list[Clause] = []
    if rng.random() < 0.3 or len(grains) * len(nutrients) > 9:
        header = ["grain", "cost per kg", *[f"{w} content" for w, _ in nutrients]]
        body = [[g, money(cost[g], rng), *[f"{v[g]}%" for _, v in nutrients]] for g in grains]
        lead = rng.choice(("Grain prices and contents:", "The grains compare as follows:"))
        clauses.append(Clause(f"{lead}\n" + markdown_table(header, body) + "\n", movable=False))
    else:
        for g in grains:
            parts = join([share(v, g, w) for w, v in nutrients])
            clauses.append(
                Clause(
                    rng.choice(
                        (
                            f"The {g} costs {money(cost[g], rng)} per kilogram and contains "
                            f"{parts}.",
                            f"Each kilogram of {g} costs {money(cost[g], rng)}; it has {parts}.",
                        )
                    )
                )
            )
    amount = written(batch, rng)
    clauses.append(
        Clause(
            rng.choice(
                (
                    f"The batch must weigh exactly {amount} kg.",
                    f"Exactly {amount} kilograms of feed are needed.",
                    f"A batch of {amount} kg is to be mixed.",
                )
            ),
            (row(_sum(grains), "=", batch),),
        )
    )
    for what, values, op in [("protein", protein, ">="), ("fat", fat, ">=")] + (
        [("fiber", fiber, "<=")] if use_fiber else []
    ):
        supplied = sum(values[g] * plan[g] for g in grains) / 100
        words = at_least(rng) if op == ">=" else at_most(rng)
        if absolute:
            bound = (
                _floor(supplied * rng.uniform(0.85, 1.0)) if op == ">=" else _ceil(supplied * 1.05)
            )
            if bound < 1:
                bound = 1 if op == "<=" else 0
            if bound == 0:
                continue
            text = rng.choice(
                (
                    f"The batch must contain {words} {written(bound, rng)} kg of {what}.",
                    f"It needs {words} {written(bound, rng)} kilograms of {what} in total.",
                )
            )
            rule = row({g: values[g] / 100 for g in grains}, op, bound)
        else:
            points = supplied / batch * 100
            pick = math.floor(points) if op == ">=" else math.ceil(points)
            if pick < 1:
                continue
            text = rng.choice(
                (
                    f"{_cap(what)} must be {words} {_pct(pick, rng)} of the feed.",
                    f"The feed must be {words} {_pct(pick, rng)} {what}.",
                )
            )
            rule = _share_row({g: values[g] / 100 for g in grains}, op, pick / 100, grains)
        clauses.append(Clause(text, (rule,)))
    if rng.random() < 0.35:
        g = rng.choice(grains)
        limit = min(95, math.ceil(plan[g] / batch * 100 / 5 + 1e-9) * 5 + 5)
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"No more than {_pct(limit, rng)} of the batch may be {g}.",
                        f"The {g} can make up at most {_pct(limit, rng)} of the mix.",
                    )
                ),
                (f"{g} <= {num(limit / 100)} ({lin(_sum(grains))})",),
            )
        )
    question = rng.choice(
        (
            "What mix meets these needs at the lowest cost?",
            "How many kilograms of each grain minimize the cost of the batch?",
            "Find the minimum cost of the batch.",
            "Determine the cheapest feed mix.",
            "Which blend of grains is cheapest, and what does the batch cost?",
        )
    )
    quantities = [(f"Kilograms of {g} in the batch", g) for g in grains]
    quantities.append((rng.choice(("Cost of the batch", "Total feed cost")), "objective"))
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("var", grains)],
        objective="min " + lin(cost),
        quantities=quantities,
    )


# ------------------------------------------------------------------------------ crop_planning

_CROPS = (
    "wheat", "corn", "soybeans", "barley", "oats", "potatoes", "cotton", "rice", "sunflowers",
    "canola", "alfalfa", "sorghum",
)  # fmt: skip


@family("crop_planning")
def crop_planning(rng: random.Random) -> Draft:
    """Maximize profit from acres of 2-4 crops under land, water and labour limits."""
    crops = rng.sample(_CROPS, rng.randint(2, 4))
    plan = {c: rng.randint(4, 40) * 5 for c in crops}
    profit = {c: rng.randint(8, 80) * 5 for c in crops}
    water = {c: rng.randint(2, 8) * 0.5 for c in crops}
    labour = {c: rng.randint(2, 14) for c in crops}
    spend = {c: rng.randint(4, 30) * 10 for c in crops}
    limits = rng.sample(("water", "labour", "budget"), rng.randint(1, 2))
    land = _ceil(sum(plan.values()) * rng.uniform(1.0, 1.15))
    integer = rng.random() < 0.2
    farmer = rng.choice(("A farmer", "A family farm", "An agricultural cooperative", "A grower"))
    intro = rng.choice(
        (
            f"{farmer} has {written(land, rng)} acres to plant with {join(crops)}.",
            f"{farmer} is deciding how many acres of {join(crops)} to plant this season on "
            f"{written(land, rng)} acres of land.",
            f"{farmer} can grow {join(crops)} on up to {written(land, rng)} acres.",
            f"With {written(land, rng)} acres available, {farmer.lower()} plans to grow "
            f"{join(crops)}.",
            f"{farmer} owns {written(land, rng)} acres and will split them among {join(crops)}.",
        )
    )
    clauses: list[Clause] = [
        Clause(
            rng.choice(("Not all of the land has to be planted.", "Some land may be left fallow.")),
            (row(_sum(crops), "<=", land),),
            False,
        )
    ]
    if rng.random() < 0.5:
        clauses[0] = Clause(
            rng.choice(
                (
                    f"The total planted area cannot exceed {written(land, rng)} acres.",
                    f"At most {written(land, rng)} acres can be planted in total.",
                )
            ),
            (row(_sum(crops), "<=", land),),
        )
    units = {
        "water": ("acre-feet of water", water),
        "labour": ("hours of labour", labour),
        "budget": ("dollars of seed and fertilizer", spend),
    }
    if rng.random() < 0.3:
        header = ["crop", "profit per acre", *[units[k][0] + " per acre" for k in limits]]
        body = [[c, money(profit[c], rng), *[num(units[k][1][c]) for k in limits]] for c in crops]
        lead = rng.choice(("Data per acre:", "Each crop's profit and needs per acre:"))
        clauses.append(Clause(f"{lead}\n" + markdown_table(header, body) + "\n", movable=False))
        tabular = True
    else:
        tabular = False
        clauses.append(
            Clause(
                rng.choice(
                    (
                        "Expected profit per acre is "
                        + join([f"{money(profit[c], rng)} for {c}" for c in crops])
                        + ".",
                        "Each acre earns "
                        + join([f"{money(profit[c], rng)} if planted with {c}" for c in crops])
                        + ".",
                    )
                )
            )
        )
    for key in limits:
        phrase, per = units[key]
        cap = _ceil(sum(per[c] * plan[c] for c in crops) * rng.uniform(0.9, 1.1))
        if key == "budget":
            data = join([f"{money(per[c], rng)} for {c}" for c in crops])
            text = (
                f"The budget for seed and fertilizer is {money(cap, rng)}."
                if tabular
                else f"Seed and fertilizer cost {data} per acre, and the budget is "
                f"{money(cap, rng)}."
            )
        elif tabular:
            text = f"{_cap(at_most(rng))} {written(cap, rng)} {phrase} are available."
        elif rng.random() < 0.5:
            first, *rest = crops
            text = (
                f"Each acre of {first} needs {num(per[first])} {phrase}"
                + "".join(f", each acre of {c} {num(per[c])}" for c in rest)
                + f", and {at_most(rng)} {written(cap, rng)} {phrase} can be used."
            )
        else:
            needs = join([f"{c} needs {num(per[c])}" for c in crops])
            text = f"There are {written(cap, rng)} {phrase} available; per acre, {needs}."
        clauses.append(Clause(text, (row(per, "<=", cap),)))
    extra = rng.random()
    if extra < 0.3:
        c = rng.choice(crops)
        least = _floor(plan[c] * rng.uniform(0.3, 1.0))
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"A contract requires {at_least(rng)} {least} acres of {c}.",
                        f"At least {least} acres must be planted with {c}.",
                    )
                ),
                (f"{c} >= {num(least)}",),
            )
        )
    elif extra < 0.55:
        c = rng.choice(crops)
        share = min(90, math.ceil(plan[c] / sum(plan.values()) * 20 + 1e-9) * 5 + 5)
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"To rotate crops, {c} may cover {at_most(rng)} {_pct(share, rng)} of the "
                        "planted acres.",
                        f"No more than {_pct(share, rng)} of the planted area can be {c}.",
                    )
                ),
                (f"{c} <= {num(share / 100)} ({lin(_sum(crops))})",),
            )
        )
    elif extra < 0.7 and len(crops) >= 2:
        a, b = rng.sample(crops, 2)
        if plan[a] >= plan[b]:
            clauses.append(
                Clause(
                    f"There must be {at_least(rng)} as many acres of {a} as of {b}.",
                    (f"{a} >= {b}",),
                )
            )
    if integer:
        clauses.append(Clause("Crops are planted in whole acres only."))
    question = rng.choice(
        (
            "How many acres of each crop maximize total profit?",
            "What is the maximum profit the farm can earn?",
            "Find the planting plan with the highest profit.",
            "Determine the most profitable allocation of land.",
            "How should the land be divided to earn the most?",
        )
    )
    quantities = [(f"Acres of {c} planted", c) for c in crops]
    quantities.append((rng.choice(("Total profit", "Profit from the harvest")), "objective"))
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("int" if integer else "var", crops)],
        objective="max " + lin(profit),
        quantities=quantities,
    )


# --------------------------------------------------------------------------- cutting_patterns

#: (maker, stock noun, dimension adjective, unit, stock sizes, piece sizes)
_STOCK = (
    ("A paper mill", "rolls", "wide", "cm", (100, 120, 150, 200), (15, 70)),
    ("A textile factory", "rolls", "wide", "inches", (60, 72, 90), (10, 40)),
    ("A lumber yard", "boards", "long", "feet", (12, 16, 20), (3, 9)),
    ("A steel supplier", "bars", "long", "meters", (10, 12, 15), (2, 7)),
)
_SINGULAR = {"cm": "cm", "inches": "inch", "feet": "foot", "meters": "meter"}


def _patterns(width: int, sizes: list[int]) -> list[tuple[int, ...]]:
    """Cutting patterns of one stock piece that leave less waste than the smallest size."""
    ranges = [range(width // s + 1) for s in sizes]
    out = []
    for counts in itertools.product(*ranges):
        used = sum(c * s for c, s in zip(counts, sizes, strict=True))
        if 0 < used <= width and width - used < min(sizes):
            out.append(counts)
    return out


@family("cutting_patterns", kinds=("MILP",))
def cutting_patterns(rng: random.Random) -> Draft:
    """Meet demands for 2-3 piece sizes with 2-4 cutting patterns: fewest rolls or least waste."""
    maker, stock, adjective, unit, widths, bounds = rng.choice(_STOCK)
    while True:
        width = rng.choice(widths)
        step = 5 if bounds[1] > 20 else 1
        sizes = sorted(
            rng.sample(range(bounds[0], bounds[1] + 1, step), rng.randint(2, 3)), reverse=True
        )
        candidates = _patterns(width, sizes)
        if len(candidates) < 2:
            continue
        chosen = rng.sample(candidates, min(len(candidates), rng.randint(2, 4)))
        if all(any(p[j] for p in chosen) for j in range(len(sizes))):
            break
    lettered = rng.random() < 0.35
    names = [chr(ord("A") + k) if lettered else f"pattern_{k + 1}" for k in range(len(chosen))]
    labels = [
        f"pattern {chr(ord('A') + k)}" if lettered else f"pattern {k + 1}"
        for k in range(len(chosen))
    ]
    waste = [width - sum(c * s for c, s in zip(p, sizes, strict=True)) for p in chosen]
    demand = [rng.randint(2, 40) * 5 for _ in sizes]
    by_waste = rng.random() < 0.4 and any(waste)
    noun = stock[:-1]
    one = _SINGULAR[unit]
    intro = rng.choice(
        (
            f"{maker} cuts standard {stock} {width} {unit} {adjective} into smaller pieces, "
            "choosing a "
            "cutting pattern for each one.",
            f"{maker} has {stock} that are {width} {unit} {adjective}; each {noun} is cut by one "
            "pattern.",
            f"Every {noun} at {maker.lower()} is {width} {unit} {adjective} and is cut according "
            "to a "
            "pattern.",
            f"{maker} must fill orders for pieces cut from {width}-{one} {stock}, one pattern per "
            f"{noun}.",
            f"To fill orders, {maker.lower()} decides how many {width}-{one} {stock} to cut with "
            "each "
            "pattern.",
        )
    )
    clauses: list[Clause] = []

    def piece(count: int, size: int) -> str:
        return f"{count} piece{'s' if count > 1 else ''} of {size} {unit}"

    if rng.random() < 0.3:
        header = ["pattern", *[f"{s}-{one} pieces" for s in sizes], f"waste ({unit})"]
        body = [[labels[k].split()[1], *chosen[k], waste[k]] for k in range(len(chosen))]
        clauses.append(
            Clause(f"Pieces per {noun}:\n" + markdown_table(header, body) + "\n", movable=False)
        )
    else:
        for k, p in enumerate(chosen):
            parts = join([piece(c, s) for c, s in zip(p, sizes, strict=True) if c])
            left = (
                f"{waste[k]} {one if waste[k] == 1 else unit} of waste" if waste[k] else "no waste"
            )
            clauses.append(
                Clause(
                    rng.choice(
                        (
                            f"With {labels[k]}, one {noun} gives {parts} and leaves {left}.",
                            f"Using {labels[k]} yields {parts} per {noun}, with {left}.",
                        )
                    )
                    if by_waste or rng.random() < 0.5
                    else f"Cutting a {noun} with {labels[k]} gives {parts}."
                )
            )
    rows = [
        row({n: p[j] for n, p in zip(names, chosen, strict=True)}, ">=", demand[j])
        for j in range(len(sizes))
    ]
    if rng.random() < 0.5:
        clauses.append(
            Clause(
                "Orders require "
                + join(
                    [
                        f"{at_least(rng)} {d} pieces of {s} {unit}"
                        for d, s in zip(demand, sizes, strict=True)
                    ]
                )
                + ".",
                tuple(rows),
            )
        )
    else:
        for d, s, r in zip(demand, sizes, rows, strict=True):
            clauses.append(
                Clause(
                    rng.choice(
                        (
                            f"Customers need {at_least(rng)} {d} pieces of {s} {unit}.",
                            f"The demand for {s}-{one} pieces is {d}, which must be met.",
                        )
                    ),
                    (r,),
                )
            )
    if rng.random() < 0.25:
        enough = sum(math.ceil(d / max(p[j] for p in chosen)) for j, d in enumerate(demand))
        cap = _ceil(enough * rng.uniform(1.0, 1.3))
        clauses.append(Clause(f"Only {cap} {stock} are in stock.", (row(_sum(names), "<=", cap),)))
    clauses.append(Clause(whole_numbers(stock, rng)))
    if by_waste:
        objective = "min " + lin(dict(zip(names, waste, strict=True)))
        question = rng.choice(
            (
                "How many of each pattern should be cut to minimize total waste?",
                f"What is the least total waste, in {unit}, that meets the orders?",
                "Find the cutting plan that wastes the least material.",
                "Determine the plan with minimum trim waste.",
                "Which cutting plan minimizes waste?",
            )
        )
        total = "Total waste"
    else:
        objective = "min " + lin(_sum(names))
        question = rng.choice(
            (
                f"How many {stock} should be cut with each pattern to use as few {stock} as "
                "possible?",
                f"What is the smallest number of {stock} needed?",
                f"Find the cutting plan that uses the fewest {stock}.",
                f"Determine the minimum number of {stock} to cut.",
                f"How few {stock} can fill all orders?",
            )
        )
        total = f"Number of {stock} cut"
    quantities = [
        (f"{_cap(stock)} cut with {lab}", n) for lab, n in zip(labels, names, strict=True)
    ]
    quantities.append((total, "objective"))
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("int", names)],
        objective=objective,
        quantities=quantities,
    )


# ----------------------------------------------------------------------- inventory_two_period

#: (make word, store word, cost sentence forms, storage sentence forms)
_STOCKING = (
    (
        "make",
        "store",
        ("It costs {costs} to make one unit.", "To make a unit costs {costs}."),
        (
            "Units can be kept in store from one {period} to the next at {hold} per unit.",
            "Leftover units go into store for the next {period}, costing {hold} each.",
        ),
    ),
    (
        "produce",
        "hold",
        ("It costs {costs} to produce one unit.", "The cost to produce a unit is {costs}."),
        (
            "The firm can hold units over to the next {period} at a cost of {hold} per unit.",
            "Any unit it chooses to hold until the following {period} costs {hold}.",
        ),
    ),
    (
        "production",
        "inventory",
        ("Unit production cost is {costs}.", "The production cost per unit is {costs}."),
        (
            "Any inventory carried into the next {period} costs {hold} per unit.",
            "Holding inventory from one {period} to the next costs {hold} per unit.",
        ),
    ),
)


def _needed_stock(demand: list[int], cap: list[int], end: int) -> list[int]:
    """Least stock needed at the end of each period (index 0: at the start) to stay feasible."""
    need = [0] * (len(demand) + 1)
    need[-1] = end
    for t in range(len(demand) - 1, -1, -1):
        need[t] = max(0, need[t + 1] + demand[t] - cap[t])
    return need


@family("inventory_two_period")
def inventory_two_period(rng: random.Random) -> Draft:
    """Minimize production and holding cost over 2-3 periods with capacities and demands."""
    n = rng.randint(2, 3)
    make_word, store_word, cost_forms, store_forms = rng.choice(_STOCKING)
    period = rng.choice(("month", "week", "quarter", "period"))
    start = rng.randint(1, 6) * 5 if rng.random() < 0.3 else 0
    end = rng.randint(1, 4) * 5 if rng.random() < 0.25 else 0
    for _ in range(30):
        demand = [rng.randint(4, 40) * 5 for _ in range(n)]
        cap = [_ceil(d * rng.uniform(0.6, 1.5)) for d in demand]
        need = _needed_stock(demand, cap, end)
        if need[0] <= start:
            break
    else:
        cap = [_ceil(d * 1.2) + end for d in demand]
        need = _needed_stock(demand, cap, end)
    cost = (
        [rng.randint(5, 30)] * n if rng.random() < 0.3 else [rng.randint(5, 30) for _ in range(n)]
    )
    hold = rng.randint(1, 8) * 0.5
    make = [f"{make_word}_{t + 1}" for t in range(n)]
    store = [f"{store_word}_{t + 1}" for t in range(n if end else n - 1)]
    integer = rng.random() < 0.3
    label = [f"{period} {t + 1}" for t in range(n)]
    company = rng.choice(
        ("A manufacturer", "A small plant", "A company", "A workshop", "A factory")
    )
    intro = rng.choice(
        (
            f"{company} plans output for the next {n} {period}s.",
            f"{company} must meet demand over {n} {period}s.",
            f"{company} is scheduling production for {period}s 1 to {n}.",
            f"Over the coming {n} {period}s, {company.lower()} has to cover known demand.",
            f"{company} wants a cheapest production plan for {n} {period}s.",
        )
    )
    rows = []
    for t in range(n):
        left = ([(1, store[t - 1])] if t else []) + [(1, make[t])]
        right = num(demand[t]) + (f" + {store[t]}" if t < len(store) else "")
        inflow = lin(left) + (f" + {num(start)}" if t == 0 and start else "")
        rows.append(f"{inflow} = {right}")
    clauses: list[Clause] = []
    if start:
        clauses.append(Clause(f"There are {start} units in stock at the start.", movable=False))
    demands = join(
        [f"{written(d, rng)} units in {lab}" for d, lab in zip(demand, label, strict=True)]
    )
    clauses.append(
        Clause(
            rng.choice(
                (
                    f"Demand is {demands}, and it must be met exactly on time.",
                    f"Customers need {demands}; all demand must be met without backorders.",
                )
            ),
            tuple(rows),
            movable=False,
        )
    )
    caps = join([f"{written(c, rng)} units in {lab}" for c, lab in zip(cap, label, strict=True)])
    clauses.append(
        Clause(
            rng.choice(
                (
                    f"Capacity allows {at_most(rng)} {caps}.",
                    f"The plant can turn out up to {caps}.",
                    f"Production capacity is {caps}.",
                )
            ),
            tuple(f"{m} <= {num(c)}" for m, c in zip(make, cap, strict=True)),
        )
    )
    if len(set(cost)) == 1:
        costs = money(cost[0], rng) + f" in every {period}"
    else:
        costs = join([f"{money(c, rng)} in {lab}" for c, lab in zip(cost, label, strict=True)])
    clauses.append(Clause(rng.choice(cost_forms).format(costs=costs)))
    clauses.append(Clause(rng.choice(store_forms).format(period=period, hold=money(hold, rng))))
    if rng.random() < 0.3:
        room = max([*need[1 : len(store) + 1], 5])
        room = _ceil(room * rng.uniform(1.0, 1.6))
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"The warehouse holds {at_most(rng)} {room} units at a time.",
                        f"Storage space is limited to {room} units.",
                    )
                ),
                tuple(f"{s} <= {num(room)}" for s in store),
            )
        )
    if end:
        clauses.append(
            Clause(
                f"At the end of {label[-1]}, {at_least(rng)} {end} units must remain in stock.",
                (f"{store[-1]} >= {num(end)}",),
            )
        )
    if integer:
        clauses.append(Clause(whole_numbers("units", rng)))
    question = rng.choice(
        (
            "How much should be produced and stored each period to minimize total cost?",
            "What is the minimum total cost of meeting demand?",
            "Find the cheapest production and storage plan.",
            f"Determine how many units to {'make' if make_word == 'make' else 'produce'} in each "
            f"{period} at minimum cost.",
            "What plan meets all demand at the lowest cost, and what is that cost?",
        )
    )
    quantities = [(f"Units produced in {lab}", m) for lab, m in zip(label, make, strict=True)]
    quantities += [
        (f"Units stored at the end of {lab}", s) for lab, s in zip(label, store, strict=False)
    ]
    quantities.append(("Total cost", "objective"))
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("int" if integer else "var", make + store)],
        objective="min "
        + lin([(c, m) for c, m in zip(cost, make, strict=True)] + [(hold, s) for s in store]),
        quantities=quantities,
    )


# -------------------------------------------------------------------- multi_period_production

_MONTHS = (
    ("January", "February", "March"),
    ("April", "May", "June"),
    ("July", "August", "September"),
    ("October", "November", "December"),
)


@family("multi_period_production")
def multi_period_production(rng: random.Random) -> Draft:
    """Minimize regular, overtime and storage cost of meeting 2-3 months of demand."""
    n = rng.randint(2, 3)
    named = rng.random() < 0.4
    months = list(rng.choice(_MONTHS)[:n]) if named else [f"month {t + 1}" for t in range(n)]
    tags = months if named else [str(t + 1) for t in range(n)]
    regular = [f"regular_{tag}" for tag in tags]
    overtime = [f"overtime_{tag}" for tag in tags]
    storage = rng.random() < 0.6
    store = [f"store_{tag}" for tag in tags[:-1]] if storage else []
    reg_cost = rng.randint(5, 40)
    ot_cost = reg_cost + rng.randint(2, 15)
    hold = rng.randint(1, 6)
    reg_cap = rng.randint(5, 40) * 10
    share_limit = rng.random() < 0.35
    ot_share = rng.choice((10, 20, 25, 30, 40, 50))
    ot_cap = _ceil(reg_cap * rng.uniform(0.15, 0.5))
    total_cap = reg_cap * (1 + ot_share / 100) if share_limit else reg_cap + ot_cap
    for _ in range(30):
        demand = [_floor(total_cap * rng.uniform(0.55, 1.2)) for _ in range(n)]
        if storage:
            if _needed_stock(demand, [int(total_cap)] * n, 0)[0] == 0:
                break
        elif max(demand) <= total_cap:
            break
    else:
        demand = [_floor(total_cap * 0.8)] * n
    company = rng.choice(
        ("A manufacturer", "A plant", "A toy maker", "A bicycle company", "A factory")
    )
    span = join(months) if named else f"the next {n} months"
    intro = rng.choice(
        (
            f"{company} is planning production for {span}.",
            f"{company} must schedule output for {span} using regular time and overtime.",
            f"{company} faces known demand over {span}.",
            f"For {span}, {company.lower()} decides how much to make in regular time and in "
            "overtime.",
            f"{company} wants the cheapest way to meet demand over {span}.",
        )
    )
    clauses: list[Clause] = []
    demands = join([f"{written(d, rng)} units in {m}" for d, m in zip(demand, months, strict=True)])
    rows = []
    for t in range(n):
        inflow = lin(
            ([(1, store[t - 1])] if storage and t else []) + [(1, regular[t]), (1, overtime[t])]
        )
        if storage:
            rows.append(f"{inflow} = {num(demand[t])}" + (f" + {store[t]}" if t < n - 1 else ""))
        else:
            rows.append(f"{inflow} >= {num(demand[t])}")
    clauses.append(
        Clause(
            rng.choice((f"Demand is {demands}.", f"Orders call for {demands}.")),
            tuple(rows),
            movable=False,
        )
    )
    clauses.append(
        Clause(
            rng.choice(
                (
                    f"Each month, {at_most(rng)} {written(reg_cap, rng)} units can be made in "
                    "regular "
                    f"time at {money(reg_cost, rng)} per unit.",
                    f"Regular-time capacity is {written(reg_cap, rng)} units per month, and each "
                    f"regular unit costs {money(reg_cost, rng)}.",
                )
            ),
            tuple(f"{r} <= {num(reg_cap)}" for r in regular),
        )
    )
    if share_limit:
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"In any month, overtime output may be {at_most(rng)} "
                        f"{_pct(ot_share, rng)} of "
                        f"regular output, and overtime units cost {money(ot_cost, rng)}.",
                        f"Each overtime unit costs {money(ot_cost, rng)}; in each month overtime "
                        "cannot "
                        f"exceed {_pct(ot_share, rng)} of that month's regular production.",
                    )
                ),
                tuple(
                    f"{o} <= {num(ot_share / 100)} {r}"
                    for o, r in zip(overtime, regular, strict=True)
                ),
            )
        )
    else:
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"With overtime, up to {written(ot_cap, rng)} extra units a month can be "
                        "made "
                        f"at {money(ot_cost, rng)} per unit.",
                        f"Using overtime, {at_most(rng)} {written(ot_cap, rng)} more units can be "
                        "made "
                        f"each month, at {money(ot_cost, rng)} each.",
                    )
                ),
                tuple(f"{o} <= {num(ot_cap)}" for o in overtime),
            )
        )
    if storage:
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"Units made early can be kept in store at {money(hold, rng)} per unit "
                        "per month.",
                        f"It costs {money(hold, rng)} to store a unit from one month to the next.",
                    )
                )
            )
        )
    else:
        clauses.append(Clause("Nothing can be carried over between months."))
    if rng.random() < 0.3:
        clauses.append(Clause(whole_numbers("units", rng)))
        kind = "int"
    else:
        kind = "var"
    question = rng.choice(
        (
            "How many units should be made in regular time and in overtime each month to "
            "minimize total cost?",
            "What is the minimum total production cost?",
            "Find the cheapest production schedule.",
            "Determine the least-cost plan for meeting demand.",
            "What schedule meets demand at the lowest cost, and what is that cost?",
        )
    )
    quantities = [(f"Regular-time units in {m}", r) for m, r in zip(months, regular, strict=True)]
    quantities += [(f"Overtime units in {m}", o) for m, o in zip(months, overtime, strict=True)]
    quantities += [
        (f"Units stored at the end of {m}", s) for m, s in zip(months, store, strict=False)
    ]
    quantities.append(("Total cost", "objective"))
    names = regular + overtime + store
    objective = lin(
        [(reg_cost, r) for r in regular]
        + [(ot_cost, o) for o in overtime]
        + [(hold, s) for s in store]
    )
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[(kind, names)],
        objective="min " + objective,
        quantities=quantities,
    )


# ------------------------------------------------------------------------------- make_or_buy

_PARTS = (
    "gears",
    "shafts",
    "housings",
    "valves",
    "brackets",
    "motors",
    "panels",
    "frames",
    "pumps",
)
_SHOP_RESOURCES = (
    ("machine hours", "machining"),
    ("assembly hours", "assembly"),
    ("labor hours", "labor"),
    ("oven hours", "curing"),
)


@family("make_or_buy")
def make_or_buy(rng: random.Random) -> Draft:
    """Minimize the cost of meeting demand for 2-3 parts made in-house (limited) or bought."""
    parts = rng.sample(_PARTS, rng.randint(2, 3))
    resources = rng.sample(_SHOP_RESOURCES, rng.randint(1, 2))
    demand = {p: rng.randint(5, 80) * 10 for p in parts}
    make_cost = {p: rng.randint(3, 40) for p in parts}
    buy_cost = {p: make_cost[p] + rng.randint(2, 20) for p in parts}
    usage = {
        (r[0], p): rng.choice((0.5, 1, 1.5, 2, 2.5, 3, 4, 5)) for r in resources for p in parts
    }
    made = {p: demand[p] * rng.uniform(0.2, 0.9) for p in parts}
    capacity = {r[0]: _ceil(sum(usage[(r[0], p)] * made[p] for p in parts)) for r in resources}
    make = {p: f"make_{p}" for p in parts}
    buy = {p: f"buy_{p}" for p in parts}
    exact = rng.random() < 0.5
    integer = rng.random() < 0.3
    company = rng.choice(("A manufacturer", "An equipment maker", "A machine shop", "A company"))
    intro = rng.choice(
        (
            f"{company} needs {join(parts)} and can make them in-house or buy them from a "
            "supplier.",
            f"{company} must decide whether to make or buy the {join(parts)} it needs.",
            f"For its next order, {company.lower()} can make {join(parts)} itself or buy them.",
            f"{company} uses {join(parts)}; it can make each in its own shop or buy it outside.",
            f"A make-or-buy decision faces {company.lower()} for {join(parts)}: make them or buy "
            "them.",
        )
    )
    clauses: list[Clause] = []
    op = "=" if exact else ">="
    need = join([f"{written(demand[p], rng)} {p}" for p in parts])
    clauses.append(
        Clause(
            rng.choice(
                (
                    f"It needs exactly {need}." if exact else f"It needs {at_least(rng)} {need}.",
                    f"Requirements are {need}" + (", exactly." if exact else ", at minimum."),
                )
            ),
            tuple(f"{make[p]} + {buy[p]} {op} {num(demand[p])}" for p in parts),
            movable=False,
        )
    )
    if rng.random() < 0.35:
        header = ["part", "cost to make", "cost to buy", *[f"{r[0]} per unit" for r in resources]]
        body = [
            [
                p,
                money(make_cost[p], rng),
                money(buy_cost[p], rng),
                *[num(usage[(r[0], p)]) for r in resources],
            ]
            for p in parts
        ]
        clauses.append(
            Clause(
                "Costs and in-house use per unit:\n" + markdown_table(header, body) + "\n",
                movable=False,
            )
        )
        for name, _ in resources:
            clauses.append(
                Clause(
                    f"The shop has {written(capacity[name], rng)} {name} available.",
                    (row({make[p]: usage[(name, p)] for p in parts}, "<=", capacity[name]),),
                )
            )
    else:
        for p in parts:
            clauses.append(
                Clause(
                    rng.choice(
                        (
                            f"Making one of the {p} costs {money(make_cost[p], rng)}, while "
                            "buying one "
                            f"costs {money(buy_cost[p], rng)}.",
                            f"The {p} cost {money(make_cost[p], rng)} each to make and "
                            f"{money(buy_cost[p], rng)} each to buy.",
                        )
                    )
                )
            )
        for name, activity in resources:
            uses = join([f"{_hours(usage[(name, p)])} per {p[:-1]}" for p in parts])
            clauses.append(
                Clause(
                    rng.choice(
                        (
                            f"In-house {activity} takes {uses}, and only "
                            f"{written(capacity[name], rng)} "
                            f"{name} are available.",
                            f"The shop has {at_most(rng)} {written(capacity[name], rng)} {name}; "
                            f"making parts uses {uses}.",
                        )
                    ),
                    (row({make[p]: usage[(name, p)] for p in parts}, "<=", capacity[name]),),
                )
            )
    if rng.random() < 0.3:
        limit = _ceil(sum(demand[p] - made[p] for p in parts) * rng.uniform(1.1, 1.5))
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"The supplier can deliver {at_most(rng)} {written(limit, rng)} parts in "
                        "total.",
                        f"No more than {written(limit, rng)} parts can be bought altogether.",
                    )
                ),
                (row({buy[p]: 1 for p in parts}, "<=", limit),),
            )
        )
    if integer:
        clauses.append(Clause(whole_numbers("parts", rng)))
    question = rng.choice(
        (
            "How many of each part should be made and bought to minimize total cost?",
            "What is the minimum total cost of meeting the requirements?",
            "Find the cheapest make-or-buy plan.",
            "Determine how much to make and how much to buy at least cost.",
            "Which plan meets the requirements at the lowest cost, and what is it?",
        )
    )
    quantities = [(f"Number of {p} made in-house", make[p]) for p in parts]
    quantities += [(f"Number of {p} bought", buy[p]) for p in parts]
    quantities.append(("Total cost", "objective"))
    names = [make[p] for p in parts] + [buy[p] for p in parts]
    objective = lin(
        [(make_cost[p], make[p]) for p in parts] + [(buy_cost[p], buy[p]) for p in parts]
    )
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("int" if integer else "var", names)],
        objective="min " + objective,
        quantities=quantities,
    )


# ------------------------------------------------------------------------------ oil_refining

_CRUDES = (
    ("light", "heavy", "medium"),
    ("Brent", "Dubai", "Maya"),
    ("domestic", "imported", "offshore"),
)
_FUELS = ("gasoline", "diesel", "kerosene", "naphtha", "asphalt")


@family("oil_refining", kinds=("LP",))
def oil_refining(rng: random.Random) -> Draft:
    """Choose barrels of 2-3 crudes with given product yields: maximize margin or minimize cost."""
    crudes = list(rng.choice(_CRUDES)[: rng.randint(2, 3)])
    fuels = rng.sample(_FUELS, rng.randint(2, 3))
    yields: dict[tuple[str, str], int] = {}
    for c in crudes:
        while True:
            draw = [rng.randint(2, 10) * 5 for _ in fuels]
            if sum(draw) <= 95:
                break
        yields.update({(f, c): y for f, y in zip(fuels, draw, strict=True)})
    plan = {c: rng.randint(5, 60) * 100 for c in crudes}
    made = {f: sum(yields[(f, c)] * plan[c] for c in crudes) / 100 for f in fuels}
    capacity = _ceil(sum(plan.values()) * rng.uniform(1.0, 1.2))
    variant = rng.choice(("margin", "cost", "products"))
    refinery = rng.choice(("A refinery", "An oil company", "A small refinery", "A petroleum firm"))
    intro = rng.choice(
        (
            f"{refinery} processes {join(crudes)} crude into {join(fuels)}.",
            f"{refinery} can buy {join(crudes)} crude oil and refine it into {join(fuels)}.",
            f"{refinery} must decide how many barrels of {join(crudes)} crude to run this week.",
            f"{refinery} turns {len(crudes)} crudes ({join(crudes)}) into {join(fuels)}.",
            f"At {refinery.lower()}, {join(crudes)} crude are refined into {join(fuels)}.",
        )
    )
    clauses: list[Clause] = []
    as_percent = rng.random() < 0.4
    by_fuel = variant == "products"
    yield_rows = tuple(f"{f} = {lin({c: yields[(f, c)] / 100 for c in crudes})}" for f in fuels)
    if rng.random() < 0.3:
        header = ["crude", *[f"{f} per barrel" for f in fuels]]
        body = [[c, *[num(yields[(f, c)] / 100) for f in fuels]] for c in crudes]
        clauses.append(
            Clause(
                "Yields per barrel of crude:\n" + markdown_table(header, body) + "\n",
                yield_rows if by_fuel else (),
                movable=False,
            )
        )
    elif by_fuel:
        for f, r in zip(fuels, yield_rows, strict=True):
            first, *rest = crudes
            out = join(
                [f"{num(yields[(f, first)] / 100)} barrels per barrel of {first} crude"]
                + [f"{num(yields[(f, c)] / 100)} per barrel of {c}" for c in rest]
            )
            clauses.append(Clause(f"The {f} output is {out}.", (r,)))
    else:
        for c in crudes:
            if as_percent:
                out = join([f"{_pct(yields[(f, c)], rng)} {f}" for f in fuels])
                text = f"Refining {c} crude yields {out} by volume."
            else:
                out = join([f"{num(yields[(f, c)] / 100)} barrels of {f}" for f in fuels])
                text = rng.choice(
                    (f"Each barrel of {c} crude yields {out}.", f"One barrel of {c} gives {out}.")
                )
            clauses.append(Clause(text))
    rows_cap = (row(_sum(crudes), "<=", capacity),)
    cap_text = rng.choice(
        (
            f"The refinery can process {at_most(rng)} {written(capacity, rng)} barrels of crude "
            "in total.",
            f"Distillation capacity is {written(capacity, rng)} barrels.",
        )
    )
    if variant == "products":
        price = {f: rng.randint(60, 130) for f in fuels}
        cost = {c: rng.randint(40, 80) for c in crudes}
        best = max(sum(yields[(f, c)] * price[f] for f in fuels) / 100 - cost[c] for c in crudes)
        if best <= 0:
            for c in crudes:
                cost[c] = max(20, _floor(sum(yields[(f, c)] * price[f] for f in fuels) / 100 * 0.8))
        clauses.append(
            Clause(
                rng.choice(
                    (
                        "All output is sold: "
                        + join([f"{f} at {money(price[f], rng)}" for f in fuels])
                        + " per barrel.",
                        "Products sell for "
                        + join([f"{money(price[f], rng)} per barrel of {f}" for f in fuels])
                        + ".",
                    )
                )
            )
        )
        clauses.append(
            Clause(
                "Crude costs "
                + join([f"{money(cost[c], rng)} per barrel of {c}" for c in crudes])
                + "."
            )
        )
        clauses.append(Clause(cap_text, rows_cap))
        if rng.random() < 0.5:
            f = rng.choice(fuels)
            limit = _ceil(made[f] * rng.uniform(0.7, 1.1))
            clauses.append(
                Clause(
                    f"The market can absorb {at_most(rng)} {written(limit, rng)} barrels of {f}.",
                    (f"{f} <= {num(limit)}",),
                )
            )
        objective = "max " + lin([(price[f], f) for f in fuels] + [(-cost[c], c) for c in crudes])
        names = crudes + fuels
        question = rng.choice(
            (
                "How many barrels of each crude should be refined to maximize profit?",
                "What is the largest possible profit?",
                "Find the crude plan with the highest margin.",
                "Determine the most profitable refining plan.",
                "How much of each crude should be run to earn the most, and what is the profit?",
            )
        )
        total = "Total profit"
    else:
        minimum = [f for f in fuels if rng.random() < 0.8] or fuels[:1]
        for f in minimum:
            need = _floor(made[f] * rng.uniform(0.6, 1.0))
            clauses.append(
                Clause(
                    rng.choice(
                        (
                            f"Contracts require {at_least(rng)} {written(need, rng)} barrels of "
                            f"{f}.",
                            f"The refinery must deliver {at_least(rng)} {written(need, rng)} "
                            f"barrels of {f}.",
                        )
                    ),
                    (row({c: yields[(f, c)] / 100 for c in crudes}, ">=", need),),
                )
            )
        for c in crudes:
            if rng.random() < 0.3:
                limit = _ceil(plan[c] * rng.uniform(1.05, 1.5))
                clauses.append(
                    Clause(
                        f"Only {written(limit, rng)} barrels of {c} crude are available.",
                        (f"{c} <= {num(limit)}",),
                    )
                )
        names = crudes
        if variant == "margin":
            margin = {c: rng.randint(2, 30) * 0.5 for c in crudes}
            clauses.append(
                Clause(
                    "The net margin per barrel refined is "
                    + join([f"{money(margin[c], rng)} for {c}" for c in crudes])
                    + "."
                )
            )
            clauses.append(Clause(cap_text, rows_cap))
            objective = "max " + lin(margin)
            question = rng.choice(
                (
                    "How many barrels of each crude maximize the total margin?",
                    "What is the maximum total margin?",
                    "Find the refining plan with the largest margin.",
                    "Determine the crude mix that earns the most.",
                    "Which crude plan gives the highest margin, and what is it?",
                )
            )
            total = "Total margin"
        else:
            cost = {c: rng.randint(40, 90) for c in crudes}
            clauses.append(
                Clause(
                    "Crude prices are "
                    + join([f"{money(cost[c], rng)} per barrel for {c}" for c in crudes])
                    + "."
                )
            )
            if rng.random() < 0.5:
                clauses.append(Clause(cap_text, rows_cap))
            objective = "min " + lin(cost)
            question = rng.choice(
                (
                    "How many barrels of each crude should be bought to minimize cost?",
                    "What is the minimum crude cost of meeting the contracts?",
                    "Find the cheapest crude plan.",
                    "Determine the least-cost purchase of crude.",
                    "Which crude purchase meets all contracts at the lowest cost?",
                )
            )
            total = "Crude cost"
    quantities = [(f"Barrels of {c} crude refined", c) for c in crudes]
    quantities += [(f"Barrels of {f} produced", f) for f in names if f in fuels]
    quantities.append((total, "objective"))
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("var", names)],
        objective=objective,
        quantities=quantities,
    )


# ------------------------------------------------------------------------- overtime_staffing

_WORKPLACES = (
    ("A factory", "units", "units produced"),
    ("A warehouse", "orders", "orders packed"),
    ("A call center", "calls", "calls answered"),
    ("A print shop", "booklets", "booklets printed"),
    ("A bottling plant", "cases", "cases filled"),
)


@family("overtime_staffing")
def overtime_staffing(rng: random.Random) -> Draft:
    """Choose regular, overtime (and temp) hours to meet an output target at least cost."""
    place, unit, done = rng.choice(_WORKPLACES)
    temp = rng.random() < 0.4
    names = ["regular", "overtime"] + (["temp"] if temp else [])
    rate = {"regular": rng.randint(5, 30)}
    rate["overtime"] = max(2, rate["regular"] - rng.randint(0, 3))
    rate["temp"] = max(2, rate["regular"] - rng.randint(1, 5))
    wage = {"regular": rng.randint(15, 35)}
    wage["overtime"] = wage["regular"] + rng.randint(5, 20)
    wage["temp"] = wage["regular"] + rng.randint(-3, 12)
    hours = rng.randint(10, 40) * 10
    share_limit = rng.random() < 0.35
    share = rng.choice((10, 20, 25, 30, 40, 50))
    ot_hours = share * hours // 100 if share_limit else rng.randint(2, 12) * 5
    temp_hours = rng.randint(2, 16) * 10
    used = {
        "regular": hours,
        "overtime": ot_hours * rng.uniform(0.3, 1.0),
        "temp": temp_hours * rng.uniform(0.2, 1),
    }
    output = _floor(sum(rate[n] * used[n] for n in names))
    maximize = rng.random() < 0.3
    integer = rng.random() < 0.3
    intro = rng.choice(
        (
            f"{place} must plan staff hours for the coming week.",
            f"{place} schedules regular and overtime hours to keep up with work.",
            f"{place} has to decide how many hours of each kind of labor to use this week.",
            f"The manager of {place.lower()} is planning labor hours.",
            f"{place} is short of capacity and considers overtime this week.",
        )
    )
    clauses: list[Clause] = []
    rates = rng.choice(
        (
            f"In one hour, regular staff handle {rate['regular']} {unit} and staff on overtime "
            "handle "
            f"{rate['overtime']}"
            + (f", while a temp worker handles {rate['temp']}" if temp else "")
            + ".",
            "Output per hour is "
            + join(
                [f"{rate['regular']} {unit} in regular time", f"{rate['overtime']} in overtime"]
                + ([f"{rate['temp']} for temp staff"] if temp else [])
            )
            + ".",
        )
    )
    pay = rng.choice(
        (
            f"Regular hours cost {money(wage['regular'], rng)} each and overtime hours "
            f"{money(wage['overtime'], rng)}"
            + (f"; a temp hour costs {money(wage['temp'], rng)}" if temp else "")
            + ".",
            "The hourly cost is "
            + join(
                [
                    f"{money(wage['regular'], rng)} for regular time",
                    f"{money(wage['overtime'], rng)} for overtime",
                ]
                + ([f"{money(wage['temp'], rng)} for temp help"] if temp else [])
            )
            + ".",
        )
    )
    produced = {n: rate[n] for n in names}
    cost = {n: wage[n] for n in names}
    if maximize:
        budget = _ceil(sum(wage[n] * used[n] for n in names))
        clauses.append(Clause(rates))
        clauses.append(
            Clause(
                pay + f" The labor budget is {money(budget, rng)}.",
                (row(cost, "<=", budget),),
            )
        )
    else:
        clauses.append(
            Clause(
                rates
                + rng.choice(
                    (
                        f" At least {written(output, rng)} {done} are needed.",
                        f" The target is {at_least(rng)} {written(output, rng)} {done}.",
                    )
                ),
                (row(produced, ">=", output),),
            )
        )
        clauses.append(Clause(pay))
    clauses.append(
        Clause(
            rng.choice(
                (
                    f"The regular staff can work {at_most(rng)} {written(hours, rng)} hours in "
                    "total.",
                    f"Only {written(hours, rng)} regular hours are available.",
                )
            ),
            (f"regular <= {num(hours)}",),
        )
    )
    if share_limit:
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"Company policy caps overtime at {_pct(share, rng)} of regular hours.",
                        f"The overtime hours may be {at_most(rng)} {_pct(share, rng)} of the "
                        "regular hours.",
                    )
                ),
                (f"overtime <= {num(share / 100)} regular",),
            )
        )
    else:
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"No more than {ot_hours} overtime hours can be scheduled.",
                        f"The overtime is limited to {ot_hours} hours.",
                    )
                ),
                (f"overtime <= {num(ot_hours)}",),
            )
        )
    if temp:
        clauses.append(
            Clause(
                f"The temp agency can supply {at_most(rng)} {written(temp_hours, rng)} hours.",
                (f"temp <= {num(temp_hours)}",),
            )
        )
    if not maximize and rng.random() < 0.3:
        least = _floor(hours * rng.uniform(0.3, 0.8))
        clauses.append(
            Clause(
                f"The contract guarantees regular staff {at_least(rng)} {written(least, rng)} "
                "hours.",
                (f"regular >= {num(least)}",),
            )
        )
    if integer:
        clauses.append(Clause(whole_numbers("hours", rng)))
    if maximize:
        objective = "max " + lin(produced)
        question = rng.choice(
            (
                f"How many hours of each kind maximize the number of {done}?",
                f"What is the largest number of {done} within the budget?",
                "Find the schedule with the highest output.",
                "Determine the staffing plan that maximizes output.",
                f"How many {unit} can be handled at most, and with which hours?",
            )
        )
        total = f"Total {done}"
    else:
        objective = "min " + lin(cost)
        question = rng.choice(
            (
                "How many hours of each kind minimize the labor cost?",
                "What is the minimum labor cost of meeting the target?",
                "Find the cheapest staffing plan.",
                "Determine the least-cost mix of hours.",
                "Which schedule meets the target at the lowest cost, and what does it cost?",
            )
        )
        total = "Labor cost"
    phrases = {
        "regular": "Regular hours used",
        "overtime": "Overtime hours used",
        "temp": "Temp hours used",
    }
    quantities = [(phrases[n], n) for n in names] + [(total, "objective")]
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("int" if integer else "var", names)],
        objective=objective,
        quantities=quantities,
    )


# --------------------------------------------------------------------- fixed_charge_products

_LINES = (
    ("chairs", "tables", "desks", "shelves"),
    ("bikes", "scooters", "skateboards", "wagons"),
    ("jackets", "shirts", "trousers", "hats"),
    ("lamps", "fans", "heaters", "kettles"),
)


@family("fixed_charge_products", kinds=("MILP",))
def fixed_charge_products(rng: random.Random) -> Draft:
    """Product lines (or machines) with a setup cost, linked to output by their capacity (big-M)."""
    if rng.random() < 0.6:
        return _fixed_charge_lines(rng)
    return _fixed_charge_machines(rng)


def _fixed_charge_lines(rng: random.Random) -> Draft:
    products = rng.sample(rng.choice(_LINES), rng.randint(2, 3))
    setup = {p: f"setup_{p}" for p in products}
    profit = {p: rng.randint(5, 60) for p in products}
    cap = {p: rng.randint(5, 60) * 10 for p in products}
    fee = {
        p: max(50, round(profit[p] * cap[p] * rng.uniform(0.1, 0.6) / 50) * 50) for p in products
    }
    hours = {p: rng.randint(1, 5) for p in products}
    budget = _floor(sum(hours[p] * cap[p] for p in products) * rng.uniform(0.35, 0.75))
    integer = rng.random() < 0.5
    company = rng.choice(("A manufacturer", "A workshop", "A company", "A plant"))
    intro = rng.choice(
        (
            f"{company} can make {join(products)}, but each product line must first be set up.",
            f"{company} is deciding which of its lines for {join(products)} to run this month.",
            f"{company} may produce {join(products)}; running a line has a fixed setup cost.",
            f"{company} chooses which products to make among {join(products)} and how many of "
            "each.",
            f"Each of the {len(products)} lines at {company.lower()} makes one product: "
            f"{join(products)}.",
        )
    )
    clauses: list[Clause] = []
    for p in products:
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"The line for {p} has a setup cost of {money(fee[p], rng)} and, once set "
                        "up, can "
                        f"make up to {written(cap[p], rng)} units; each unit earns "
                        f"{money(profit[p], rng)}.",
                        f"Making {p} requires a {money(fee[p], rng)} setup, gives a profit of "
                        f"{money(profit[p], rng)} per unit, and the line's capacity is "
                        f"{written(cap[p], rng)} units.",
                        f"If the {p} line is used (setup cost {money(fee[p], rng)}), it produces "
                        "at most "
                        f"{written(cap[p], rng)} units at a profit of {money(profit[p], rng)} "
                        "each.",
                    )
                ),
                (f"{p} <= {num(cap[p])} {setup[p]}",),
            )
        )
    uses = join([f"{hours[p]} for {p}" for p in products])
    clauses.append(
        Clause(
            rng.choice(
                (
                    f"Labor hours needed per unit are {uses}, and {written(budget, rng)} hours "
                    "are available.",
                    f"There are {at_most(rng)} {written(budget, rng)} labor hours; per unit, the "
                    "hours needed are "
                    f"{uses}.",
                )
            ),
            (row(hours, "<=", budget),),
        )
    )
    if len(products) == 3 and rng.random() < 0.4:
        clauses.append(
            Clause(
                rng.choice(
                    (
                        "At most two lines can be set up.",
                        "Because of staffing, no more than two of the lines may run.",
                    )
                ),
                (row({setup[p]: 1 for p in products}, "<=", 2),),
            )
        )
    if rng.random() < 0.3:
        p = rng.choice(products)
        lot = _floor(cap[p] * rng.uniform(0.1, 0.4))
        if lot >= 1:
            clauses.append(
                Clause(
                    f"If the {p} line is set up, it must make {at_least(rng)} {lot} units.",
                    (f"{p} >= {num(lot)} {setup[p]}",),
                )
            )
    if integer:
        clauses.append(Clause(whole_numbers("units", rng)))
    question = rng.choice(
        (
            "Which lines should be set up, and how much should each make, to maximize net profit?",
            "What is the maximum profit after setup costs?",
            "Find the production plan with the largest net profit.",
            "Determine which products to make and in what amounts to earn the most.",
            "How should production be planned to maximize profit minus setup costs?",
        )
    )
    quantities = [(f"Units of {p} made", p) for p in products]
    quantities += [(f"Whether the {p} line is set up", setup[p]) for p in products]
    quantities.append(("Net profit", "objective"))
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[
            ("int" if integer else "var", products),
            ("bin", [setup[p] for p in products]),
        ],
        objective="max "
        + lin([(profit[p], p) for p in products] + [(-fee[p], setup[p]) for p in products]),
        quantities=quantities,
    )


def _fixed_charge_machines(rng: random.Random) -> Draft:
    machines = list(
        rng.choice((("A", "B", "C"), ("M1", "M2", "M3"), ("X", "Y", "Z")))[: rng.randint(2, 3)]
    )
    setup = {m: f"setup_{m}" for m in machines}
    cost = {m: rng.randint(2, 20) for m in machines}
    cap = {m: rng.randint(10, 80) * 10 for m in machines}
    fee = {m: rng.randint(2, 40) * 50 for m in machines}
    demand = _floor(sum(cap.values()) * rng.uniform(0.35, 0.9))
    item = rng.choice(("widgets", "parts", "castings", "bottles", "panels"))
    integer = rng.random() < 0.5
    intro = rng.choice(
        (
            f"A plant needs {written(demand, rng)} {item} this week and can run machines "
            f"{join(machines)}.",
            f"To make {written(demand, rng)} {item}, a factory may use any of machines "
            f"{join(machines)}.",
            f"A workshop must produce {at_least(rng)} {written(demand, rng)} {item} using machines "
            f"{join(machines)}.",
            f"An order for {written(demand, rng)} {item} can be filled on machines "
            f"{join(machines)}.",
            f"Machines {join(machines)} can all make {item}; {written(demand, rng)} are needed.",
        )
    )
    clauses = [
        Clause(
            rng.choice(("The whole order must be filled.", "Demand must be met in full.")),
            (row(_sum(machines), ">=", demand),),
            False,
        )
    ]
    if rng.random() < 0.3:
        header = ["machine", "setup cost", "cost per unit", "capacity"]
        body = [[m, money(fee[m], rng), money(cost[m], rng), cap[m]] for m in machines]
        clauses.append(
            Clause(
                "A machine that is used incurs its setup cost:\n"
                + markdown_table(header, body)
                + "\n",
                tuple(f"{m} <= {num(cap[m])} {setup[m]}" for m in machines),
                movable=False,
            )
        )
    else:
        for m in machines:
            clauses.append(
                Clause(
                    rng.choice(
                        (
                            f"Machine {m} has a setup cost of {money(fee[m], rng)}, then costs "
                            f"{money(cost[m], rng)} per unit, and can make at most "
                            f"{written(cap[m], rng)} units.",
                            f"Using machine {m} means a setup cost of {money(fee[m], rng)}; it "
                            "makes up to "
                            f"{written(cap[m], rng)} units at {money(cost[m], rng)} each.",
                        )
                    ),
                    (f"{m} <= {num(cap[m])} {setup[m]}",),
                )
            )
    if integer:
        clauses.append(Clause(whole_numbers(item, rng)))
    question = rng.choice(
        (
            "Which machines should be set up, and how much should each make, to minimize total "
            "cost?",
            "What is the minimum total cost, including setups?",
            "Find the cheapest way to fill the order.",
            "Determine the least-cost production plan.",
            "How should production be split among the machines at lowest cost?",
        )
    )
    quantities = [(f"Units made on machine {m}", m) for m in machines]
    quantities += [(f"Whether machine {m} is set up", setup[m]) for m in machines]
    quantities.append(("Total cost", "objective"))
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[
            ("int" if integer else "var", machines),
            ("bin", [setup[m] for m in machines]),
        ],
        objective="min "
        + lin([(cost[m], m) for m in machines] + [(fee[m], setup[m]) for m in machines]),
        quantities=quantities,
    )


# ------------------------------------------------------------------------------ machine_hours

_MACHINE_SETS = (
    ("lathe", "mill", "drill"),
    ("cutting", "welding", "painting"),
    ("press", "grinder", "polisher"),
    ("machine 1", "machine 2", "machine 3"),
)
_ITEMS = (
    ("A", "B", "C", "D"),
    ("P1", "P2", "P3", "P4"),
    ("valves", "pumps", "gears", "bearings"),
    ("brackets", "hinges", "clamps", "bolts"),
)


@family("machine_hours")
def machine_hours(rng: random.Random) -> Draft:
    """Maximize profit of 2-4 products on 2-3 machines with hour limits and minimum production."""
    items = list(rng.choice(_ITEMS)[: rng.randint(2, 4)])
    lettered = len(items[0]) <= 2
    label = {p: f"product {p}" if lettered else p for p in items}
    machines = list(rng.choice(_MACHINE_SETS)[: rng.randint(2, 3)])
    per = {
        (m, p): rng.choice((0.5, 1, 1, 1.5, 2, 2, 2.5, 3, 4, 5)) for m in machines for p in items
    }
    profit = {p: rng.randint(4, 60) for p in items}
    plan = {p: rng.randint(5, 40) for p in items}
    hours = {
        m: _ceil(sum(per[(m, p)] * plan[p] for p in items) * rng.uniform(1.0, 1.2))
        for m in machines
    }
    integer = rng.random() < 0.4
    company = rng.choice(
        ("A machine shop", "A manufacturer", "A small factory", "A metalworks", "A plant")
    )
    intro = rng.choice(
        (
            f"{company} makes {join([label[p] for p in items])} on {len(machines)} machines.",
            f"{company} must plan this week's output of {join([label[p] for p in items])}.",
            f"Every product at {company.lower()} passes through each of its machines.",
            f"{company} produces {join([label[p] for p in items])}, each needing time on every "
            "machine.",
            f"{company} wants the most profitable weekly mix of {join([label[p] for p in items])}.",
        )
    )
    machine_name = {m: m if m.startswith("machine") else f"the {m}" for m in machines}
    clauses: list[Clause] = []
    if len(items) * len(machines) >= 8 or rng.random() < 0.4:
        header = ["product", *[f"{m} (hours)" for m in machines], "profit"]
        body = [[p, *[num(per[(m, p)]) for m in machines], money(profit[p], rng)] for p in items]
        clauses.append(
            Clause(
                "Hours per unit and profit per unit:\n" + markdown_table(header, body) + "\n",
                movable=False,
            )
        )
        for m in machines:
            clauses.append(
                Clause(
                    rng.choice(
                        (
                            f"{_cap(machine_name[m])} is available for {at_most(rng)} "
                            f"{written(hours[m], rng)} hours.",
                            f"There are {written(hours[m], rng)} hours of time on "
                            f"{machine_name[m]}.",
                        )
                    ),
                    (row({p: per[(m, p)] for p in items}, "<=", hours[m]),),
                )
            )
    else:
        clauses.append(
            Clause(
                "The profit per unit is "
                + join([f"{money(profit[p], rng)} for {label[p]}" for p in items])
                + "."
            )
        )
        for m in machines:
            uses = join([f"{_hours(per[(m, p)])} for each unit of {label[p]}" for p in items])
            clauses.append(
                Clause(
                    rng.choice(
                        (
                            f"On {machine_name[m]}, production takes {uses}; "
                            f"{written(hours[m], rng)} hours "
                            "are available.",
                            f"{_cap(machine_name[m])} can run {at_most(rng)} "
                            f"{written(hours[m], rng)} hours, and "
                            f"needs {uses}.",
                        )
                    ),
                    (row({p: per[(m, p)] for p in items}, "<=", hours[m]),),
                )
            )
    for p in rng.sample(items, rng.randint(1, min(2, len(items)))):
        least = _floor(plan[p] * rng.uniform(0.3, 0.9))
        if least >= 1:
            clauses.append(
                Clause(
                    rng.choice(
                        (
                            f"At least {least} units of {label[p]} must be made for existing "
                            "orders.",
                            f"A customer contract requires {at_least(rng)} {least} units of "
                            f"{label[p]}.",
                            f"Production of {label[p]} must be {at_least(rng)} {least} units.",
                        )
                    ),
                    (f"{p} >= {num(least)}",),
                )
            )
    if rng.random() < 0.3:
        p = rng.choice(items)
        most = _ceil(plan[p] * rng.uniform(1.1, 2.0))
        clauses.append(
            Clause(
                f"The market will take {at_most(rng)} {most} units of {label[p]}.",
                (f"{p} <= {num(most)}",),
            )
        )
    if integer:
        clauses.append(Clause(whole_numbers("units", rng)))
    question = rng.choice(
        (
            "How many units of each product maximize total profit?",
            "What is the maximum weekly profit?",
            "Find the most profitable production plan.",
            "Determine the product mix that earns the most.",
            "What should be produced to maximize profit, and what is that profit?",
        )
    )
    quantities = [(f"Units of {label[p]} made", p) for p in items]
    quantities.append(("Total profit", "objective"))
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("int" if integer else "var", items)],
        objective="max " + lin(profit),
        quantities=quantities,
    )


# ---------------------------------------------------------------------------- bakery_batches

_BAKED = (
    "bread",
    "baguettes",
    "croissants",
    "muffins",
    "cakes",
    "pies",
    "cookies",
    "scones",
    "bagels",
    "brownies",
)


@family("bakery_batches", kinds=("MILP",))
def bakery_batches(rng: random.Random) -> Draft:
    """Maximize profit from whole batches of 2-4 baked goods under oven and staff time."""
    goods = rng.sample(_BAKED, rng.randint(2, 4))
    oven = {g: rng.randint(3, 18) * 5 for g in goods}
    staff = {g: rng.choice((0.5, 1, 1.5, 2, 2.5, 3)) for g in goods}
    flour = {g: rng.randint(2, 15) for g in goods}
    profit = {g: rng.randint(10, 120) for g in goods}
    plan = {g: rng.randint(1, 10) for g in goods}
    oven_cap = _ceil(sum(oven[g] * plan[g] for g in goods) * rng.uniform(1.0, 1.15))
    staff_cap = _ceil(sum(staff[g] * plan[g] for g in goods) * rng.uniform(1.0, 1.15))
    flour_cap = _ceil(sum(flour[g] * plan[g] for g in goods) * rng.uniform(1.0, 1.2))
    use_flour = rng.random() < 0.35
    bakery = rng.choice(
        ("A bakery", "A village bakery", "A pastry shop", "A bakehouse", "A cafe bakery")
    )
    intro = rng.choice(
        (
            f"{bakery} bakes {join(goods)} in batches.",
            f"{bakery} is planning tomorrow's batches of {join(goods)}.",
            f"{bakery} must decide how many batches of {join(goods)} to bake.",
            f"Each day {bakery.lower()} bakes batches of {join(goods)}.",
            f"{bakery} sells {join(goods)}, all baked in whole batches.",
        )
    )
    clauses: list[Clause] = []
    if rng.random() < 0.35:
        header = [
            "item",
            "oven minutes",
            "staff hours",
            *(["flour (kg)"] if use_flour else []),
            "profit",
        ]
        body = [
            [g, oven[g], num(staff[g]), *([flour[g]] if use_flour else []), money(profit[g], rng)]
            for g in goods
        ]
        clauses.append(Clause("Per batch:\n" + markdown_table(header, body) + "\n", movable=False))
    else:
        for g in goods:
            extra = f", uses {flour[g]} kg of flour" if use_flour else ""
            clauses.append(
                Clause(
                    rng.choice(
                        (
                            f"A batch of {g} needs {oven[g]} minutes in the oven and "
                            f"{_hours(staff[g])} of "
                            f"staff time{extra}, and earns {money(profit[g], rng)}.",
                            f"Each batch of {g} earns {money(profit[g], rng)}, takes {oven[g]} "
                            "oven minutes "
                            f"and {_hours(staff[g])} of staff time{extra}.",
                        )
                    )
                )
            )
    clauses.append(
        Clause(
            rng.choice(
                (
                    f"The ovens are available for {at_most(rng)} {written(oven_cap, rng)} minutes.",
                    f"Total oven time cannot exceed {written(oven_cap, rng)} minutes.",
                )
            ),
            (row(oven, "<=", oven_cap),),
        )
    )
    clauses.append(
        Clause(
            rng.choice(
                (
                    f"The bakers can work {at_most(rng)} {num(staff_cap)} hours in total.",
                    f"Only {num(staff_cap)} staff hours are available.",
                )
            ),
            (row(staff, "<=", staff_cap),),
        )
    )
    if use_flour:
        clauses.append(
            Clause(f"There are {flour_cap} kg of flour in stock.", (row(flour, "<=", flour_cap),))
        )
    if rng.random() < 0.5:
        g = rng.choice(goods)
        most = plan[g] + rng.randint(0, 4)
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"Demand limits {g} to {rng.choice(('at most', 'no more than'))} {most} "
                        "batches.",
                        f"No more than {most} batches of {g} can be sold.",
                    )
                ),
                (f"{g} <= {num(most)}",),
            )
        )
    if rng.random() < 0.4:
        g = rng.choice(goods)
        least = rng.randint(1, plan[g])
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"A standing order requires {at_least(rng)} {least} batches of {g}.",
                        f"At least {least} batches of {g} must be baked.",
                    )
                ),
                (f"{g} >= {num(least)}",),
            )
        )
    clauses.append(Clause(whole_numbers("batches", rng)))
    question = rng.choice(
        (
            "How many batches of each item maximize profit?",
            "What is the maximum profit the bakery can make?",
            "Find the most profitable baking plan.",
            "Determine the number of batches of each item to bake.",
            "What baking schedule gives the highest profit, and what is it?",
        )
    )
    quantities = [(f"Batches of {g} baked", g) for g in goods]
    quantities.append((rng.choice(("Total profit", "Profit from the day's baking")), "objective"))
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("int", goods)],
        objective="max " + lin(profit),
        quantities=quantities,
    )
