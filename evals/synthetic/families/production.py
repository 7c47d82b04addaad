"""Production families: a product mix under shared resources, and a resource allocation."""

from __future__ import annotations

import random

from evals.synthetic.families._api import Clause, Draft, family
from evals.synthetic.families._phrasing import (
    at_least,
    at_most,
    difference_clause,
    join,
    lin,
    markdown_table,
    money,
    num,
    ratio_clause,
    row,
    singular,
    whole_numbers,
    written,
)

_PRODUCTS = (
    ("chairs", "tables", "desks", "shelves", "stools", "benches", "lamps", "cabinets"),
    ("bread", "cakes", "muffins", "cookies", "pies", "bagels", "croissants", "donuts"),
    ("shirts", "jackets", "trousers", "dresses", "scarves", "hats", "sweaters", "coats"),
    ("phones", "tablets", "laptops", "monitors", "printers", "routers", "cameras", "speakers"),
)
_RESOURCES = (
    ("labor", "hours of labor"),
    ("machine", "machine hours"),
    ("wood", "units of wood"),
    ("steel", "kilograms of steel"),
    ("flour", "kilograms of flour"),
    ("fabric", "meters of fabric"),
    ("assembly", "assembly hours"),
    ("packaging", "packaging minutes"),
)
_MAKERS = ("A furniture workshop", "A small factory", "A bakery", "A manufacturer", "A company")
#: Numbered stations for the textbook phrasing ("Plant 1 has 4 hours; a door takes 1 hour in
#: plant 1"): the resource's name holds a number that is no coefficient.
_STATIONS = ("plant", "workshop", "machine", "line", "department", "station")


def _by_product_clause(
    products: list[str],
    stations: list[str],
    usage: dict[tuple[str, str], int],
    capacity: dict[str, int],
    rng: random.Random,
) -> Clause:
    """The textbook phrasing: each station's hours in one sentence, then one sentence a product
    naming only the stations it uses ("A door takes 1 hour in plant 1 and 3 hours in plant 3")."""
    hours = [f"{s} has {written(capacity[s], rng)} hours" for s in stations]
    sentences = [rng.choice((f"{join(hours)}.", f"Available time: {join(hours)}."))]
    sentences[0] = sentences[0][0].upper() + sentences[0][1:]
    for p in products:
        used = [
            f"{usage[(s, p)]} hour{'s' if usage[(s, p)] != 1 else ''} in {s}"
            for s in stations
            if usage[(s, p)]
        ]
        verb = rng.choice(("takes", "needs", "requires", "uses"))
        lead = rng.choice((f"A {singular(p)}", f"Each {singular(p)}", f"One unit of {p}"))
        sentences.append(f"{lead} {verb} {join(used)}.")
    rows = tuple(row({p: usage[(s, p)] for p in products}, "<=", capacity[s]) for s in stations)
    return Clause(" ".join(sentences), rows)


@family("production_mix")
def production_mix(rng: random.Random) -> Draft:
    """Maximize profit over 2-4 products sharing 1-3 limited resources."""
    products = rng.sample(rng.choice(_PRODUCTS), rng.randint(2, 4))
    resources = rng.sample(_RESOURCES, rng.randint(1, 3))
    profit = {p: rng.randint(2, 60) for p in products}
    usage = {(r[0], p): rng.randint(1, 9) for r in resources for p in products}
    capacity = {r[0]: rng.randint(40, 600) for r in resources}
    integer = rng.random() < 0.5
    maker = rng.choice(_MAKERS)
    intro = rng.choice(
        (
            f"{maker} makes {join(products)}.",
            f"{maker} produces {len(products)} products: {join(products)}.",
            f"{maker} must decide how many {join(products)} to produce this week.",
            f"{maker} is planning its production of {join(products)}.",
            f"Consider {maker.lower()} that can make {join(products)}.",
        )
    )
    clauses: list[Clause] = []
    table = rng.random() < 0.25
    by_product = not table and rng.random() < 0.35
    if by_product:
        station = rng.choice(_STATIONS)
        resources = [(f"{station} {i}", "hours") for i in range(1, len(resources) + 1)]
        usage = {(r[0], p): rng.choice((0, 0, 1, 2, 3, 4, 6)) for r in resources for p in products}
        for p in products:  # every product uses some station
            if not any(usage[(r[0], p)] for r in resources):
                usage[(rng.choice(resources)[0], p)] = rng.randint(1, 4)
        for r in resources:  # every station is used by some product
            if not any(usage[(r[0], p)] for p in products):
                usage[(r[0], rng.choice(products))] = rng.randint(1, 4)
        capacity = {r[0]: rng.randint(4, 60) for r in resources}
    if table:
        header = ["product", "profit", *[r[0] for r in resources]]
        body = [[p, profit[p], *[usage[(r[0], p)] for r in resources]] for p in products]
        clauses.append(
            Clause(
                "Profit per unit and resource use per unit:\n"
                + markdown_table(header, body)
                + "\n",
                movable=False,
            )
        )
    elif by_product:
        elided = rng.random() < 0.5  # "A door earns $3 and a window $5."
        earns = [
            f"a {singular(p)}{'' if elided and i else ' earns'} {money(profit[p], rng)}"
            for i, p in enumerate(products)
        ]
        sentence = join(earns) + "."
        clauses.append(Clause(sentence[0].upper() + sentence[1:]))
    else:
        clauses.append(
            Clause(
                rng.choice(
                    (
                        "Each unit earns a profit of "
                        + join([f"{money(profit[p], rng)} for {p}" for p in products])
                        + ".",
                        "The profit is "
                        + join([f"{money(profit[p], rng)} per unit of {p}" for p in products])
                        + ".",
                    )
                )
            )
        )
    if by_product:
        clauses.append(
            _by_product_clause(products, [r[0] for r in resources], usage, capacity, rng)
        )
    for name, unit in [] if by_product else resources:
        parts = join([f"{usage[(name, p)]} for each unit of {p}" for p in products])
        limit = written(capacity[name], rng)
        rows = (row({p: usage[(name, p)] for p in products}, "<=", capacity[name]),)
        if table:
            text = rng.choice(
                (
                    f"At most {limit} {unit} are available.",
                    f"The {name} available is limited to {limit} {unit}.",
                )
            )
        else:
            text = rng.choice(
                (
                    f"Production needs {parts} of {name}, and {at_most(rng)} {limit} {unit} "
                    "are available.",
                    f"There are {limit} {unit} available; {parts} are needed.",
                    f"The {name} requirement is {parts}, with a limit of {limit} {unit}.",
                )
            )
        clauses.append(Clause(text, rows))
    if len(products) >= 2 and rng.random() < 0.5:
        a, b = rng.sample(products, 2)
        clauses.append(ratio_clause(a, b, rng.choice((2, 3, 1.5)), ">=", rng))
    if rng.random() < 0.4:
        p = rng.choice(products)
        demand = rng.randint(3, 30)
        clauses.append(
            Clause(
                f"At least {demand} {p} must be made to fill existing orders.",
                (f"{p} >= {demand}",),
            )
        )
    if integer:
        clauses.append(Clause(whole_numbers("products", rng)))
    question = rng.choice(
        (
            "How many of each should be made to maximize total profit?",
            "What is the maximum total profit?",
            "Find the production plan that maximizes profit.",
            "Determine the most profitable production plan.",
            "What production quantities give the highest profit, and what is that profit?",
        )
    )
    kind = "int" if integer else "var"
    quantities = [(f"The number of {p} produced", p) for p in products]
    quantities.append(
        (rng.choice(("The total profit", "Profit earned", "Total profit")), "objective")
    )
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[(kind, list(products))],
        objective="max " + lin(profit),
        quantities=quantities,
    )


_LABELS = (("X", "Y", "Z", "W"), ("A", "B", "C", "D"), ("x1", "x2", "x3", "x4"))
_SETTINGS = (
    ("A marketing company", "advertising channels", "units of budget", "campaigns"),
    ("A logistics firm", "delivery routes", "trucks", "trucks"),
    ("A hospital", "departments", "staff hours", "staff"),
    ("An energy company", "power plants", "megawatts", "generation"),
    ("A city council", "projects", "units of resources", "resources"),
    ("A farm", "fields", "acres", "land"),
    ("A software company", "teams", "developer hours", "developers"),
)


@family("resource_allocation")
def resource_allocation(rng: random.Random) -> Draft:
    """Minimize cost (or maximize value) of allocating a resource among 2-4 labelled options."""
    n = rng.randint(2, 4)
    labels = list(rng.choice(_LABELS)[:n])
    owner, things, unit, noun = rng.choice(_SETTINGS)
    minimize = rng.random() < 0.7
    cost = {x: rng.randint(1, 90) * rng.choice((1, 1, 10, 100)) for x in labels}
    integer = rng.random() < 0.6
    intro = rng.choice(
        (
            f"{owner} is allocating {unit} among {n} {things}: {join(labels)}.",
            f"{owner} must divide its {unit} between {things} {join(labels)}.",
            f"{owner} plans how much to assign to each of its {things} {join(labels)}.",
            f"{owner} has {n} {things}, called {join(labels)}, to allocate {unit} to.",
            f"In a planning exercise, {owner.lower()} allocates {unit} to {things} {join(labels)}.",
        )
    )
    per = "cost" if minimize else "return"
    clauses = [
        Clause(
            rng.choice(
                (
                    f"Each unit allocated to {labels[0]} has a {per} of "
                    f"{money(cost[labels[0]], rng)}"
                    + "".join(f", to {x} {money(cost[x], rng)}" for x in labels[1:])
                    + ".",
                    f"The {per} per unit is "
                    + join([f"{money(cost[x], rng)} for {x}" for x in labels])
                    + ".",
                )
            )
        )
    ]
    total = rng.randint(20, 200) * rng.choice((1, 10))
    clauses.append(
        Clause(
            rng.choice(
                (
                    f"The total allocation cannot exceed {written(total, rng)} {unit}.",
                    f"Together, {join(labels)} may use {at_most(rng)} "
                    f"{written(total, rng)} {unit}.",
                    f"In total {at_most(rng)} {written(total, rng)} {unit} are available.",
                )
            ),
            (row({x: 1 for x in labels}, "<=", total),),
        )
    )
    weights = {x: rng.randint(1, 6) for x in labels}
    need = rng.randint(total // 4, total) * min(weights.values())
    clauses.append(
        Clause(
            rng.choice(
                (
                    "The combined effectiveness, "
                    + " plus ".join(f"{weights[x]} times {x}" for x in labels)
                    + f", must be {at_least(rng)} {written(need, rng)}.",
                    "Performance targets require "
                    + " + ".join(f"{weights[x]}{x}" for x in labels)
                    + f" to be {at_least(rng)} {written(need, rng)}.",
                )
            ),
            (row(weights, ">=", need),),
        )
    )
    a, b = rng.sample(labels, 2)
    if rng.random() < 0.5:
        clauses.append(difference_clause(a, b, rng.randint(1, 30), rng.choice((">=", "<=")), rng))
    for x in rng.sample(labels, rng.randint(0, len(labels))):
        cap = rng.randint(total // 3, total)
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"At most {written(cap, rng)} {unit} can go to {x}.",
                        f"The allocation to {x} is limited to {written(cap, rng)}.",
                        f"{x} can take {at_most(rng)} {written(cap, rng)} {unit}.",
                    )
                ),
                (f"{x} <= {num(cap)}",),
            )
        )
    if integer:
        clauses.append(Clause(whole_numbers(noun, rng)))
    goal = "minimize the total cost" if minimize else "maximize the total return"
    question = rng.choice(
        (
            f"What allocation will {goal}? Give the optimal value.",
            f"The aim is to {goal}. What is the optimal total?",
            f"Find the allocation that will {goal}.",
            f"How should the {unit} be allocated to {goal}?",
            f"Calculate the optimal value if the goal is to {goal}, rounded to the nearest unit.",
        )
    )
    quantities = [(f"Allocation to {x}", x) for x in labels]
    quantities.append(("Total cost" if minimize else "Total return", "objective"))
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("int" if integer else "var", labels)],
        objective=("min " if minimize else "max ") + lin(cost),
        quantities=quantities,
    )
