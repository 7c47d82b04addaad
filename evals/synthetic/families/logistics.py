"""Logistics families: transport, assignment, networks, loading, fleets and routes."""

from __future__ import annotations

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
    percent,
    ratio_clause,
    row,
    whole_numbers,
    written,
)

_FROM_CITIES = (
    "Seattle",
    "Denver",
    "Houston",
    "Atlanta",
    "Chicago",
    "Boston",
    "Phoenix",
    "Detroit",
)
_TO_CITIES = ("Miami", "Dallas", "Portland", "Omaha", "Tulsa", "Reno", "Austin", "Fresno", "Boise")
_PEOPLE = ("Ann", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivan", "Jo")


def _cap(text: str) -> str:
    return text[0].upper() + text[1:]


def _maxflow(arcs: dict[tuple[str, str], float], source: str, sink: str) -> float:
    """Largest flow from source to sink (Edmonds-Karp on a tiny graph)."""
    residual: dict[tuple[str, str], float] = {}
    for (u, v), c in arcs.items():
        residual[(u, v)] = residual.get((u, v), 0) + c
        residual.setdefault((v, u), 0)
    nodes = sorted({u for u, _ in residual})
    flow = 0.0
    while True:
        parent: dict[str, str | None] = {source: None}
        queue = [source]
        while queue and sink not in parent:
            u = queue.pop(0)
            for v in nodes:
                if v not in parent and residual.get((u, v), 0) > 1e-9:
                    parent[v] = u
                    queue.append(v)
        if sink not in parent:
            return flow
        path = []
        v = sink
        while parent[v] is not None:
            u = parent[v]
            path.append((u, v))
            v = u
        push = min(residual[e] for e in path)
        for u, v in path:
            residual[(u, v)] -= push
            residual[(v, u)] += push
        flow += push


# --------------------------------------------------------------------------------------------
@family("transport")
def transport(rng: random.Random) -> Draft:
    """Ship a product from 2 sources to 2-3 destinations at least cost within supply and demand."""
    n = rng.randint(2, 3)
    style = rng.randrange(3)
    if style == 0:
        sources = rng.sample(_FROM_CITIES, 2)
        dests = rng.sample(_TO_CITIES, n)
        src_noun, dst_noun = rng.choice(
            (("factories", "warehouses"), ("plants", "stores"), ("mills", "markets"))
        )
        s_txt = {s: s for s in sources}
        d_txt = {d: d for d in dests}
        intro_places = f"{src_noun} in {join(sources)} and {dst_noun} in {join(dests)}"
    elif style == 1:
        a, b = rng.choice(
            (("Plant", "Store"), ("Mine", "Port"), ("Farm", "Market"), ("Depot", "Shop"))
        )
        sources = [f"{a}{i}" for i in (1, 2)]
        dests = [f"{b}{j}" for j in range(1, n + 1)]
        s_txt = {s: s for s in sources}
        d_txt = {d: d for d in dests}
        intro_places = f"two sources, {join(sources)}, and {n} destinations, {join(dests)}"
    else:
        sources = ["A", "B"] if rng.random() < 0.5 else ["X", "Y"]
        dests = [str(j) for j in range(1, n + 1)]
        src_noun, dst_noun = rng.choice(
            (("warehouse", "customer"), ("depot", "store"), ("plant", "region"))
        )
        s_txt = {s: f"{src_noun} {s}" for s in sources}
        d_txt = {d: f"{dst_noun} {d}" for d in dests}
        intro_places = f"{src_noun}s {join(sources)} and {dst_noun}s {join(dests)}"
    var = {(s, d): f"{s}_{d}" for s in sources for d in dests}
    cost = {(s, d): rng.randint(2, 25) for s in sources for d in dests}
    if rng.random() < 0.2:
        for key in cost:
            cost[key] += rng.choice((0, 0.5))
    demand = {d: rng.randint(5, 25) * 10 for d in dests}
    total = sum(demand.values())
    slack = rng.randint(0, total // 30) * 10
    first = rng.randint(int(total * 0.35) // 10, int(total * 0.7) // 10) * 10
    supply = {sources[0]: first, sources[1]: total + slack - first}
    product = rng.choice(("units", "tons of grain", "crates", "pallets", "cases"))
    company = rng.choice(
        ("A distributor", "A company", "A supplier", "A food cooperative", "A retailer")
    )
    intro = rng.choice(
        (
            f"{company} ships {product} between {intro_places}.",
            f"{company} must plan shipments of {product} involving {intro_places}.",
            f"Consider a transportation problem with {intro_places}.",
            f"{company} supplies {product} using {intro_places}.",
            f"Goods are moved by {company.lower()} across {intro_places}.",
        )
    )
    clauses: list[Clause] = []
    if rng.random() < 0.35:
        header = ["from / to", *[d_txt[d] for d in dests]]
        body = [[s_txt[s], *[num(cost[(s, d)]) for d in dests]] for s in sources]
        clauses.append(
            Clause(
                rng.choice(("Cost per unit shipped:\n", "Shipping cost per unit on each route:\n"))
                + markdown_table(header, body)
                + "\n",
                movable=False,
            )
        )
    else:
        for s in sources:
            parts = join([f"{money(cost[(s, d)], rng)} to {d_txt[d]}" for d in dests])
            clauses.append(
                Clause(
                    rng.choice(
                        (
                            f"Shipping one unit from {s_txt[s]} costs {parts}.",
                            f"From {s_txt[s]}, the cost per unit is {parts}.",
                        )
                    )
                )
            )
    for s in sources:
        limit = written(supply[s], rng)
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"{_cap(s_txt[s])} can supply {at_most(rng)} {limit} {product}.",
                        f"The supply available at {s_txt[s]} is {limit} {product}.",
                        f"{_cap(s_txt[s])} cannot ship more than {limit} {product} in total.",
                    )
                ),
                (row({var[(s, d)]: 1 for d in dests}, "<=", supply[s]),),
            )
        )
    exact = rng.random() < 0.4
    op = "=" if exact else ">="
    words = "exactly" if exact else at_least(rng)
    if rng.random() < 0.5:
        clauses.append(
            Clause(
                "The demands are "
                + join([f"{written(demand[d], rng)} {product} at {d_txt[d]}" for d in dests])
                + f", and each must be met{' exactly' if exact else ''}.",
                tuple(row({var[(s, d)]: 1 for s in sources}, op, demand[d]) for d in dests),
            )
        )
    else:
        for d in dests:
            clauses.append(
                Clause(
                    rng.choice(
                        (
                            f"{_cap(d_txt[d])} needs {words} {written(demand[d], rng)} {product}.",
                            f"{_cap(d_txt[d])} must receive {words} {written(demand[d], rng)} "
                            f"{product}.",
                        )
                    ),
                    (row({var[(s, d)]: 1 for s in sources}, op, demand[d]),),
                )
            )
    if rng.random() < 0.3:
        s, d = rng.choice(sources), rng.choice(dests)
        cap = rng.randint(demand[d] // 20, demand[d] // 10) * 10
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"The route from {s_txt[s]} to {d_txt[d]} can carry {at_most(rng)} "
                        f"{written(cap, rng)} {product}.",
                        f"No more than {written(cap, rng)} {product} may travel from {s_txt[s]} "
                        f"to {d_txt[d]}.",
                    )
                ),
                (f"{var[(s, d)]} <= {num(cap)}",),
            )
        )
    integer = rng.random() < 0.35
    if integer:
        clauses.append(Clause(whole_numbers(product, rng)))
    question = rng.choice(
        (
            "How much should be shipped on each route to minimize the total shipping cost?",
            "Find the shipping plan with the lowest total cost.",
            "What is the minimum total transportation cost?",
            "Determine the cheapest way to meet the demand.",
            "Plan the shipments so that total cost is as small as possible.",
        )
    )
    quantities = [
        (f"{_cap(product)} shipped from {s_txt[s]} to {d_txt[d]}", var[(s, d)])
        for s in sources
        for d in dests
    ]
    quantities.append(
        (rng.choice(("Total shipping cost", "Total cost", "Transportation cost")), "objective")
    )
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("int" if integer else "var", list(var.values()))],
        objective="min " + lin({var[k]: cost[k] for k in var}),
        quantities=quantities,
    )


# --------------------------------------------------------------------------------------------
_TASKS = (
    ("loading", "sorting", "packing", "labeling"),
    ("north", "south", "east", "west"),
    ("inspection", "billing", "dispatch", "cleaning"),
    ("forklift", "scanner", "crane", "dock"),
)


@family("assignment", kinds=("MILP",))
def assignment(rng: random.Random) -> Draft:
    """Assign 2-4 workers to 2-4 tasks (binary) at least cost/time or highest score."""
    shape = rng.choice(((2, 2), (3, 2), (4, 2), (2, 3), (2, 4), (3, 2)))
    workers = rng.sample(_PEOPLE, shape[0])
    tasks = rng.sample(rng.choice(_TASKS), shape[1])
    share = shape[1] > shape[0]  # each worker may take two tasks
    measure = rng.choice(("cost", "time", "score"))
    var = {(w, t): f"{w}_{t}" for w in workers for t in tasks}
    value = {k: rng.randint(3, 40) for k in var}
    who = rng.choice(("workers", "drivers", "employees", "staff members"))
    task_word = "tasks"
    if tasks[0] in _TASKS[1]:
        task_word = "routes"
    elif tasks[0] in _TASKS[3]:
        task_word = "stations"
    intro = rng.choice(
        (
            f"A depot has {len(workers)} {who} ({join(workers)}) and {len(tasks)} {task_word}: "
            f"{join(tasks)}.",
            f"The manager must assign {who} {join(workers)} to the {task_word} {join(tasks)}.",
            f"{join(workers)} are {who} who can cover the {task_word} {join(tasks)}.",
            f"A warehouse needs to staff the {task_word} {join(tasks)} with {who} {join(workers)}.",
            f"Each of the {task_word} {join(tasks)} must be given to one of the {who} "
            f"{join(workers)}.",
        )
    )
    unit = {"cost": "", "time": " minutes", "score": " points"}[measure]
    label = {"cost": "cost", "time": "time", "score": "efficiency score"}[measure]
    article = "an" if measure == "score" else "a"

    def show(v: float) -> str:
        return money(v, rng) if measure == "cost" else f"{v}{unit}"

    clauses: list[Clause] = []
    if rng.random() < 0.4:
        header = [who[:-1] if who.endswith("s") else who, *tasks]
        body = [[w, *[value[(w, t)] for t in tasks]] for w in workers]
        money_note = {"cost": " (in dollars)", "time": " (in minutes)", "score": " (in points)"}[
            measure
        ]
        clauses.append(
            Clause(
                f"The {label}{money_note} of each assignment:\n"
                + markdown_table(header, body)
                + "\n",
                movable=False,
            )
        )
    else:
        for w in workers:
            parts = join([f"{show(value[(w, t)])} for {t}" for t in tasks])
            clauses.append(
                Clause(
                    rng.choice(
                        (
                            f"{w} has {article} {label} of {parts}.",
                            f"For {w}, the {label} is {parts}.",
                        )
                    )
                )
            )
    clauses.append(
        Clause(
            rng.choice(
                (
                    f"Each of the {task_word} must be assigned to exactly one person.",
                    f"Every one of the {task_word} needs exactly one of the {who}.",
                )
            ),
            tuple(row({var[(w, t)]: 1 for w in workers}, "=", 1) for t in tasks),
        )
    )
    cap = 2 if share else 1
    cap_word = "two" if share else "one"
    clauses.append(
        Clause(
            rng.choice(
                (
                    f"Each person can take at most {cap_word} of the {task_word}.",
                    f"None of the {who} may be given more than {cap_word} of the {task_word}.",
                )
            ),
            tuple(row({var[(w, t)]: 1 for t in tasks}, "<=", cap) for w in workers),
        )
    )
    if rng.random() < 0.3:
        w, t = rng.choice(workers), rng.choice(tasks)
        clauses.append(Clause(f"{w} is not qualified for {t}.", (f"{var[(w, t)]} = 0",)))
    maximize = measure == "score"
    goal = {
        "cost": "minimize the total cost",
        "time": "minimize the total time",
        "score": "maximize the total efficiency score",
    }[measure]
    question = rng.choice(
        (
            f"Which assignment will {goal}?",
            f"Find the assignment that will {goal}.",
            f"Use binary decisions to {goal}.",
            f"How should the {task_word} be assigned to {goal}?",
            f"The goal is to {goal}. What is the optimal value?",
        )
    )
    quantities = [(f"Whether {w} is assigned to {t}", var[(w, t)]) for w in workers for t in tasks]
    quantities.append((f"Total {label}", "objective"))
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("bin", list(var.values()))],
        objective=("max " if maximize else "min ") + lin({var[k]: value[k] for k in var}),
        quantities=quantities,
    )


# --------------------------------------------------------------------------------------------
@family("facility_location", kinds=("MILP",))
def facility_location(rng: random.Random) -> Draft:
    """Open 2-3 candidate sites (fixed cost, capacity) and ship from them to meet a demand."""
    sites = rng.sample(_TO_CITIES, rng.randint(2, 3))
    opener, sender = rng.choice(
        (("open", "ship"), ("build", "send"), ("open", "supply"), ("lease", "ship"))
    )
    o = {s: f"{opener}_{s}" for s in sites}
    q = {s: f"{sender}_{s}" for s in sites}
    fixed = {s: rng.randint(5, 60) * 500 for s in sites}
    unit = {s: rng.randint(2, 20) for s in sites}
    cap = {s: rng.randint(20, 90) * 10 for s in sites}
    low = max(cap.values()) * 0.5
    high = sum(cap.values()) * 0.85
    demand = int(rng.uniform(low, high)) // 10 * 10
    site_noun = rng.choice(("warehouse", "distribution center", "depot", "hub"))
    intro = rng.choice(
        (
            f"A retailer must decide which {site_noun}s to {opener} and how many units to "
            f"{sender} from each. The candidates are in {join(sites)}.",
            f"A company is choosing where to {opener} a {site_noun}: {join(sites)} are possible. "
            f"It must also decide how many units to {sender} from each one.",
            f"To serve its customers, a firm can {opener} a {site_noun} in any of {join(sites)}, "
            f"and then {sender} units from the ones it opens.",
            f"Planners must choose which of the {site_noun} sites {join(sites)} to {opener} and "
            f"how much to {sender} from each.",
            f"Candidate {site_noun} locations are {join(sites)}; the firm decides which to "
            f"{opener} and how many units each will {sender}.",
        )
    )
    clauses: list[Clause] = []
    link_rows = tuple(f"{q[s]} <= {num(cap[s])} {o[s]}" for s in sites)
    if rng.random() < 0.35:
        header = ["site", "fixed cost", "cost per unit", "capacity"]
        body = [[s, fixed[s], unit[s], cap[s]] for s in sites]
        clauses.append(Clause("Site data:\n" + markdown_table(header, body) + "\n", movable=False))
        clauses.append(
            Clause(
                rng.choice(
                    (
                        "A site can only ship if it is opened, and then at most its capacity.",
                        "Nothing can leave a site that is not opened; an opened site is limited "
                        "to its capacity.",
                    )
                ),
                link_rows,
            )
        )
    else:
        for s in sites:
            clauses.append(
                Clause(
                    rng.choice(
                        (
                            f"Opening {s} costs {money(fixed[s], rng)}, and each unit sent from "
                            f"it costs {money(unit[s], rng)}.",
                            f"{s} has a fixed cost of {money(fixed[s], rng)} and a cost of "
                            f"{money(unit[s], rng)} per unit.",
                        )
                    )
                )
            )
        if rng.random() < 0.5:
            clauses.append(
                Clause(
                    "If opened, the capacities are "
                    + join([f"{written(cap[s], rng)} units at {s}" for s in sites])
                    + "; a site that is not opened handles nothing.",
                    link_rows,
                )
            )
        else:
            for s, r in zip(sites, link_rows, strict=True):
                clauses.append(
                    Clause(
                        rng.choice(
                            (
                                f"{s} can handle up to {written(cap[s], rng)} units, but only if "
                                "it is opened.",
                                f"An opened site in {s} has a capacity of {written(cap[s], rng)} "
                                "units; a closed one ships nothing.",
                            )
                        ),
                        (r,),
                    )
                )
    clauses.append(
        Clause(
            rng.choice(
                (
                    f"Total demand is {written(demand, rng)} units and must be met.",
                    f"Customers require {at_least(rng)} {written(demand, rng)} units in total.",
                    f"Together the sites must deliver {at_least(rng)} {written(demand, rng)} "
                    "units.",
                )
            ),
            (row({q[s]: 1 for s in sites}, ">=", demand),),
        )
    )
    if len(sites) == 3 and rng.random() < 0.3:
        clauses.append(
            Clause(
                rng.choice(
                    (
                        "At most two sites may be opened.",
                        "The budget allows opening no more than two sites.",
                    )
                ),
                (row({o[s]: 1 for s in sites}, "<=", 2),),
            )
        )
    elif len(sites) == 3 and rng.random() < 0.2:
        a, b = rng.sample(sites, 2)
        clauses.append(
            Clause(f"{a} and {b} cannot both be opened.", (row({o[a]: 1, o[b]: 1}, "<=", 1),))
        )
    question = rng.choice(
        (
            "Which sites should be opened, and how much should each send, to minimize total cost?",
            "Minimize the sum of fixed and shipping costs.",
            "What is the lowest total cost, fixed costs included?",
            "Find the plan with the least total cost.",
            "Determine which locations to use so that the total cost is minimal.",
        )
    )
    quantities = [(f"Whether {s} is opened", o[s]) for s in sites]
    quantities += [(f"Units sent from {s}", q[s]) for s in sites]
    quantities.append(("Total cost", "objective"))
    objective = "min " + lin(
        [*[(fixed[s], o[s]) for s in sites], *[(unit[s], q[s]) for s in sites]]
    )
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("bin", list(o.values())), ("var", list(q.values()))],
        objective=objective,
        quantities=quantities,
    )


# --------------------------------------------------------------------------------------------
_TOPOLOGIES = (
    (4, ((0, 1), (0, 2), (1, 3), (2, 3))),
    (4, ((0, 1), (0, 2), (1, 2), (1, 3), (2, 3))),
    (4, ((0, 1), (0, 2), (2, 1), (1, 3), (2, 3))),
    (5, ((0, 1), (0, 2), (1, 3), (2, 3), (3, 4), (1, 4))),
    (5, ((0, 1), (0, 2), (1, 3), (2, 3), (3, 4), (2, 4))),
    (5, ((0, 1), (0, 2), (1, 3), (2, 3), (3, 4), (1, 4), (2, 4))),
)
_NODE_SETS = (
    (("S",), ("A", "B", "C"), ("T",), "node"),
    (
        ("Plant", "Factory", "Mine"),
        ("Denver", "Omaha", "Tulsa", "Reno", "Boise"),
        ("Market", "Port", "Store"),
        "hub",
    ),
    (("Reservoir", "Source"), ("J1", "J2", "J3"), ("Town", "City"), "junction"),
    (("Depot",), ("North", "East", "West", "Central"), ("Harbor", "Airport"), "station"),
)


def _network(rng: random.Random, max_arcs: int) -> tuple[list[str], list[tuple[str, str]], str]:
    while True:
        size, arcs = rng.choice(_TOPOLOGIES)
        if len(arcs) <= max_arcs:
            break
    src, mids, snk, kind = rng.choice(_NODE_SETS)
    nodes = [rng.choice(src), *rng.sample(mids, size - 2), rng.choice(snk)]
    return nodes, [(nodes[a], nodes[b]) for a, b in arcs], kind


def _arc_clauses(
    rng: random.Random,
    arcs: list[tuple[str, str]],
    var: dict[tuple[str, str], str],
    cap: dict,
    cost: dict | None,
    unit: str,
) -> list[Clause]:
    clauses: list[Clause] = []
    if rng.random() < 0.35:
        header = ["from", "to", *(["cost per unit"] if cost else []), "capacity"]
        body = [[u, v, *([num(cost[(u, v)])] if cost else []), cap[(u, v)]] for u, v in arcs]
        clauses.append(
            Clause(
                "The links of the network:\n" + markdown_table(header, body) + "\n", movable=False
            )
        )
        clauses.append(
            Clause(
                rng.choice(
                    (
                        "No link may carry more than its capacity.",
                        "Each link's flow is limited by its capacity.",
                    )
                ),
                tuple(f"{var[a]} <= {num(cap[a])}" for a in arcs),
            )
        )
        return clauses
    for a in arcs:
        u, v = a
        price = f" at {money(cost[a], rng)} per unit" if cost else ""
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"The link from {u} to {v} carries {at_most(rng)} {written(cap[a], rng)} "
                        f"{unit}{price}.",
                        f"{u} to {v}: capacity {written(cap[a], rng)} {unit}{price}.",
                        f"Up to {written(cap[a], rng)} {unit} can flow from {u} to {v}{price}.",
                    )
                ),
                (f"{var[a]} <= {num(cap[a])}",),
            )
        )
    return clauses


def _balance_clause(
    rng: random.Random, nodes: list[str], arcs: list[tuple[str, str]], var: dict
) -> Clause:
    mids = nodes[1:-1]
    rows = tuple(
        f"{lin([(1, var[a]) for a in arcs if a[1] == m])} = "
        f"{lin([(1, var[a]) for a in arcs if a[0] == m])}"
        for m in mids
    )
    return Clause(
        rng.choice(
            (
                f"At {join(mids)}, the flow in must equal the flow out.",
                f"Nothing is stored at {join(mids)}: whatever arrives must leave.",
                f"Flow is conserved at the intermediate points {join(mids)}.",
            )
        ),
        rows,
    )


@family("min_cost_flow")
def min_cost_flow(rng: random.Random) -> Draft:
    """Send a fixed supply through a 4-5 node network at least cost within arc capacities."""
    nodes, arcs, kind = _network(rng, 7)
    var = {a: f"{a[0]}_{a[1]}" for a in arcs}
    cap = {a: rng.randint(2, 12) * 10 for a in arcs}
    cost = {a: rng.randint(1, 15) for a in arcs}
    best = _maxflow(cap, nodes[0], nodes[-1])
    supply = int(best * rng.uniform(0.5, 0.95)) // 5 * 5
    unit = rng.choice(("units", "tons", "pallets", "barrels"))
    intro = rng.choice(
        (
            f"A network links {nodes[0]} to {nodes[-1]} through {join(nodes[1:-1])}.",
            f"{nodes[0]} must send {unit} to {nodes[-1]} via the {kind}s {join(nodes[1:-1])}.",
            f"Consider a distribution network with points {join(nodes)}.",
            f"{unit.capitalize()} travel from {nodes[0]} to {nodes[-1]} over a network with "
            f"intermediate {kind}s {join(nodes[1:-1])}.",
            f"A shipper routes {unit} from {nodes[0]} to {nodes[-1]}, passing through "
            f"{join(nodes[1:-1])}.",
        )
    )
    clauses = _arc_clauses(rng, arcs, var, cap, cost, unit)
    out_src = {var[a]: 1 for a in arcs if a[0] == nodes[0]}
    in_snk = {var[a]: 1 for a in arcs if a[1] == nodes[-1]}
    clauses.append(
        Clause(
            rng.choice(
                (
                    f"{nodes[0]} sends out exactly {written(supply, rng)} {unit}, and all of them "
                    f"must arrive at {nodes[-1]}.",
                    f"A total of {written(supply, rng)} {unit} leave {nodes[0]} and the same "
                    f"amount must reach {nodes[-1]}.",
                )
            ),
            (row(out_src, "=", supply), row(in_snk, "=", supply)),
        )
    )
    clauses.append(_balance_clause(rng, nodes, arcs, var))
    integer = rng.random() < 0.25
    if integer:
        clauses.append(Clause(whole_numbers(unit, rng)))
    question = rng.choice(
        (
            "How should the flow be routed to minimize the total cost?",
            "What is the minimum cost of sending the goods?",
            "Find the cheapest flow through the network.",
            "Determine the flow on each link that keeps total cost lowest.",
            "Minimize the total shipping cost of the network.",
        )
    )
    quantities = [(f"Flow from {u} to {v}", var[(u, v)]) for u, v in arcs]
    quantities.append(("Total cost", "objective"))
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("int" if integer else "var", list(var.values()))],
        objective="min " + lin({var[a]: cost[a] for a in arcs}),
        quantities=quantities,
    )


@family("max_flow")
def max_flow(rng: random.Random) -> Draft:
    """Push as much as possible from a source to a sink over 4-6 capacitated arcs."""
    nodes, arcs, kind = _network(rng, 6)
    var = {a: f"{a[0]}_{a[1]}" for a in arcs}
    cap = {a: rng.randint(2, 20) * 5 for a in arcs}
    unit = rng.choice(("units per hour", "trucks per day", "liters per minute", "tons per day"))
    intro = rng.choice(
        (
            f"A network carries goods from {nodes[0]} to {nodes[-1]} through {join(nodes[1:-1])}.",
            f"Flow leaves {nodes[0]} and must reach {nodes[-1]}, passing the {kind}s "
            f"{join(nodes[1:-1])}.",
            f"The links between {join(nodes)} have limited capacity; {nodes[0]} is the source and "
            f"{nodes[-1]} the sink.",
            f"An operator wants to move as much as possible from {nodes[0]} to {nodes[-1]}.",
            f"Consider a network whose source is {nodes[0]} and whose sink is {nodes[-1]}.",
        )
    )
    clauses = _arc_clauses(rng, arcs, var, cap, None, unit)
    clauses.append(_balance_clause(rng, nodes, arcs, var))
    integer = rng.random() < 0.2
    if integer:
        clauses.append(Clause("Flows must be whole numbers."))
    question = rng.choice(
        (
            f"What is the maximum flow from {nodes[0]} to {nodes[-1]}?",
            f"How much can be sent from {nodes[0]} in total?",
            f"Find the largest total amount that can leave {nodes[0]} and reach {nodes[-1]}.",
            "Determine the flows that maximize the total throughput.",
            f"Maximize the total flow out of {nodes[0]}.",
        )
    )
    quantities = [(f"Flow from {u} to {v}", var[(u, v)]) for u, v in arcs]
    quantities.append(("Total flow", "objective"))
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("int" if integer else "var", list(var.values()))],
        objective="max " + lin({var[a]: 1 for a in arcs if a[0] == nodes[0]}),
        quantities=quantities,
    )


# --------------------------------------------------------------------------------------------
_ITEMS = (
    ("tent", "stove", "lantern", "rope", "radio", "kettle", "blanket", "toolkit"),
    ("P1", "P2", "P3", "P4", "P5", "P6", "P7"),
    ("electronics", "furniture", "textiles", "toys", "books", "medicine", "tools", "spices"),
    ("generator", "pump", "drill", "compressor", "ladder", "welder", "saw"),
)
_WORDS = {2: "two", 3: "three", 4: "four", 5: "five"}


@family("knapsack", kinds=("MILP",))
def knapsack(rng: random.Random) -> Draft:
    """Choose 3-7 items by value and weight under a capacity (binary)."""
    items = rng.sample(rng.choice(_ITEMS), rng.randint(3, 7))
    value = {i: rng.randint(5, 90) for i in items}
    weight = {i: rng.randint(2, 30) for i in items}
    capacity = int(sum(weight.values()) * rng.uniform(0.35, 0.7))
    carrier = rng.choice(
        ("a delivery drone", "a cargo van", "a small boat", "a courier's bag", "a container")
    )
    wunit = rng.choice(("kg", "pounds", "kilograms"))
    intro = rng.choice(
        (
            f"A courier must choose which items to load onto {carrier}: {join(items)}.",
            f"There are {len(items)} items ({join(items)}) that could go on {carrier}.",
            f"Each of the items {join(items)} is either taken on {carrier} or left behind.",
            f"A dispatcher selects items from {join(items)} for {carrier}.",
            f"Loading {carrier}, a planner considers the items {join(items)}.",
        )
    )
    clauses: list[Clause] = []
    cap_row = (row(weight, "<=", capacity),)
    if rng.random() < 0.4:
        body = [[i, value[i], weight[i]] for i in items]
        clauses.append(
            Clause(
                "Values and weights:\n"
                + markdown_table(["item", "value", f"weight ({wunit})"], body)
                + "\n",
                movable=False,
            )
        )
    else:
        clauses.append(
            Clause(
                "The values are " + join([f"{money(value[i], rng)} for {i}" for i in items]) + "."
            )
        )
        clauses.append(
            Clause(
                rng.choice(
                    (
                        "The weights are "
                        + join([f"{weight[i]} {wunit} for {i}" for i in items])
                        + ".",
                        "They weigh " + join([f"{weight[i]} {wunit} ({i})" for i in items]) + ".",
                    )
                )
            )
        )
    clauses.append(
        Clause(
            rng.choice(
                (
                    f"The total weight cannot exceed {written(capacity, rng)} {wunit}.",
                    f"The capacity is {at_most(rng)} {written(capacity, rng)} {wunit}.",
                    f"At most {written(capacity, rng)} {wunit} can be carried.",
                )
            ),
            cap_row,
        )
    )
    extra = rng.random()
    if extra < 0.25 and len(items) >= 4:
        k = rng.randint(2, min(5, len(items) - 1))
        kt = _WORDS[k] if rng.random() < 0.5 else str(k)
        clauses.append(
            Clause(
                f"No more than {kt} items may be chosen.", (row({i: 1 for i in items}, "<=", k),)
            )
        )
    elif extra < 0.45:
        a, b = rng.sample(items, 2)
        clauses.append(Clause(f"{_cap(a)} and {b} cannot both be taken.", (f"{a} + {b} <= 1",)))
    elif extra < 0.65:
        a, b = rng.sample(items, 2)
        clauses.append(Clause(f"If {a} is taken, {b} must be taken too.", (f"{a} <= {b}",)))
    question = rng.choice(
        (
            "Which items should be chosen to maximize the total value?",
            "What is the highest total value that can be loaded?",
            "Select items to maximize value.",
            "Decide which items to take so that the value is as large as possible.",
            "Find the most valuable selection.",
        )
    )
    quantities = [(f"Whether {i} is chosen", i) for i in items]
    quantities.append(("Total value", "objective"))
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("bin", list(items))],
        objective="max " + lin(value),
        quantities=quantities,
    )


# --------------------------------------------------------------------------------------------
_BOXES = ("crates", "barrels", "pallets", "cartons", "drums", "sacks", "cases", "bundles")


@family("vehicle_loading", kinds=("MILP",))
def vehicle_loading(rng: random.Random) -> Draft:
    """Load 2-4 box types into a truck under weight and volume limits to maximize value (int)."""
    boxes = rng.sample(_BOXES, rng.randint(2, 4))
    value = {b: rng.randint(10, 120) for b in boxes}
    weight = {b: rng.randint(5, 80) for b in boxes}
    volume = {b: rng.choice((0.2, 0.25, 0.4, 0.5, 0.6, 0.8, 1, 1.2, 1.5, 2)) for b in boxes}
    wmax = rng.randint(10, 60) * 50
    vmax = rng.randint(8, 40)
    vehicle = rng.choice(("truck", "trailer", "container", "van"))
    intro = rng.choice(
        (
            f"A {vehicle} is being loaded with {join(boxes)}.",
            f"A shipper fills a {vehicle} with {len(boxes)} kinds of boxes: {join(boxes)}.",
            f"A logistics firm decides how many {join(boxes)} to put in one {vehicle}.",
            f"The cargo for a {vehicle} consists of {join(boxes)}.",
            f"Consider loading {join(boxes)} into a {vehicle}.",
        )
    )
    clauses: list[Clause] = []
    if rng.random() < 0.4:
        body = [[b, value[b], weight[b], num(volume[b])] for b in boxes]
        clauses.append(
            Clause(
                "Per item:\n"
                + markdown_table(["type", "value ($)", "weight (kg)", "volume (m3)"], body)
                + "\n",
                movable=False,
            )
        )
        clauses.append(
            Clause(
                f"The {vehicle} holds {at_most(rng)} {written(wmax, rng)} kg.",
                (row(weight, "<=", wmax),),
            )
        )
        clauses.append(
            Clause(
                f"The {vehicle}'s volume is limited to {written(vmax, rng)} cubic meters.",
                (row(volume, "<=", vmax),),
            )
        )
    else:
        clauses.append(
            Clause(
                "Each one is worth " + join([f"{money(value[b], rng)} ({b})" for b in boxes]) + "."
            )
        )
        clauses.append(
            Clause(
                "The weights are "
                + join([f"{weight[b]} kg for {b}" for b in boxes])
                + f", and the {vehicle} can carry {at_most(rng)} {written(wmax, rng)} kg.",
                (row(weight, "<=", wmax),),
            )
        )
        clauses.append(
            Clause(
                "In volume, "
                + join([f"{b} take {num(volume[b])} cubic meters" for b in boxes])
                + f"; the space available is {written(vmax, rng)} cubic meters.",
                (row(volume, "<=", vmax),),
            )
        )
    for b in rng.sample(boxes, rng.randint(0, 2)):
        if rng.random() < 0.5:
            k = rng.randint(3, 20)
            clauses.append(Clause(f"Only {k} {b} are available.", (f"{b} <= {k}",)))
        else:
            k = rng.randint(2, 6)
            clauses.append(
                Clause(f"{at_least(rng).capitalize()} {k} {b} must be shipped.", (f"{b} >= {k}",))
            )
    if rng.random() < 0.2:
        a, b = rng.sample(boxes, 2)
        clauses.append(ratio_clause(a, b, 2, "<=", rng))
    clauses.append(Clause(whole_numbers("boxes", rng)))
    question = rng.choice(
        (
            f"How many of each should be put in the {vehicle} to maximize the value of the load?",
            "What is the maximum total value of the load?",
            "Find the load that maximizes total value.",
            "Determine the most valuable feasible load.",
            f"Maximize the value carried by the {vehicle}.",
        )
    )
    quantities = [(f"Number of {b} loaded", b) for b in boxes]
    quantities.append(("Value of the load", "objective"))
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("int", list(boxes))],
        objective="max " + lin(value),
        quantities=quantities,
    )


# --------------------------------------------------------------------------------------------
_VEHICLES = ("vans", "trucks", "lorries", "pickups", "trailers", "tankers")


@family("fleet_mix", kinds=("MILP",))
def fleet_mix(rng: random.Random) -> Draft:
    """Rent 2-3 vehicle types (capacity, cost) to move a required load at least cost (int)."""
    kinds = rng.sample(_VEHICLES, rng.randint(2, 3))
    capacity = {k: rng.randint(2, 30) for k in kinds}
    cost = {k: rng.randint(4, 60) * 10 for k in kinds}
    verb = rng.choice(("rent", "hire", "buy", "lease"))
    load = rng.randint(10, 60) * 10
    maximize = rng.random() < 0.25
    intro = rng.choice(
        (
            f"A moving company can {verb} {join(kinds)}.",
            f"A firm needs to {verb} vehicles to move cargo; the options are {join(kinds)}.",
            f"To move a large load, a contractor will {verb} some {join(kinds)}.",
            f"A logistics manager decides how many {join(kinds)} to {verb}.",
            f"There are {len(kinds)} vehicle types to {verb}: {join(kinds)}.",
        )
    )
    clauses: list[Clause] = []
    if rng.random() < 0.35:
        body = [[k, capacity[k], cost[k]] for k in kinds]
        clauses.append(
            Clause(
                "Vehicle data:\n"
                + markdown_table(["type", "capacity (tons)", "cost ($)"], body)
                + "\n",
                movable=False,
            )
        )
    else:
        for k in kinds:
            clauses.append(
                Clause(
                    rng.choice(
                        (
                            f"Each of the {k} carries {capacity[k]} tons and costs "
                            f"{money(cost[k], rng)}.",
                            f"The {k} hold {capacity[k]} tons apiece at {money(cost[k], rng)} "
                            "each.",
                        )
                    )
                )
            )
    biggest = max(kinds, key=lambda k: capacity[k])
    drivers = -(-load // capacity[biggest]) + rng.randint(2, 8)
    if maximize:
        budget = rng.randint(5, 40) * 100
        clauses.append(
            Clause(
                f"The budget is {money(budget, rng)}.",
                (row(cost, "<=", budget),),
            )
        )
        clauses.append(
            Clause(
                f"There are {at_most(rng)} {drivers} drivers, one per vehicle.",
                (row({k: 1 for k in kinds}, "<=", drivers),),
            )
        )
    else:
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"{at_least(rng).capitalize()} {written(load, rng)} tons must be moved.",
                        f"The load to move is {written(load, rng)} tons.",
                        f"Together the vehicles must carry {at_least(rng)} {written(load, rng)} "
                        "tons.",
                    )
                ),
                (row(capacity, ">=", load),),
            )
        )
        if rng.random() < 0.5:
            clauses.append(
                Clause(
                    rng.choice(
                        (
                            f"Only {drivers} drivers are available, one per vehicle.",
                            f"No more than {drivers} vehicles can be used because of drivers.",
                        )
                    ),
                    (row({k: 1 for k in kinds}, "<=", drivers),),
                )
            )
    if rng.random() < 0.4:
        k = rng.choice([k for k in kinds if k != biggest])
        a = rng.randint(1, 8)
        clauses.append(Clause(f"Only {a} {k} can be obtained.", (f"{k} <= {a}",)))
    if rng.random() < 0.25:
        a, b = rng.sample(kinds, 2)
        clauses.append(ratio_clause(a, b, rng.choice((2, 3)), "<=", rng))
    clauses.append(Clause(whole_numbers("vehicles", rng)))
    if maximize:
        question = rng.choice(
            (
                "How many of each should be obtained to maximize total capacity?",
                "What is the largest total capacity in tons?",
                "Maximize the tons the fleet can move.",
                "Find the fleet with the greatest carrying capacity.",
                "Determine the fleet mix that carries the most.",
            )
        )
        objective = "max " + lin(capacity)
        quantities = [(f"Number of {k}", k) for k in kinds] + [("Total capacity", "objective")]
    else:
        question = rng.choice(
            (
                f"How many of each should it {verb} to minimize cost?",
                "What is the minimum total cost?",
                "Find the cheapest fleet that moves the load.",
                "Determine the fleet that minimizes the total cost.",
                f"Minimize the cost to {verb} the vehicles.",
            )
        )
        objective = "min " + lin(cost)
        quantities = [(f"Number of {k}", k) for k in kinds] + [("Total cost", "objective")]
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("int", list(kinds))],
        objective=objective,
        quantities=quantities,
    )


# --------------------------------------------------------------------------------------------
_MODES = ("truck", "train", "ship", "plane", "barge")


@family("shipping_modes", kinds=("LP",))
def shipping_modes(rng: random.Random) -> Draft:
    """Split a shipment among 2-3 transport modes at least cost under capacities and shares."""
    modes = rng.sample(_MODES, rng.randint(2, 3))
    cost = {m: rng.randint(2, 40) for m in modes}
    goods = rng.randint(20, 150) * 10
    while True:
        cap = {m: rng.randint(int(goods * 0.3) // 10, goods // 10) * 10 for m in modes}
        if sum(cap.values()) >= goods * 1.15:
            break
    unit = rng.choice(("tons", "containers", "units"))
    intro = rng.choice(
        (
            f"An exporter must send a large order of {unit} by {join(modes)}.",
            f"A firm can move its goods by {join(modes)}.",
            f"To deliver an order, a company chooses among {join(modes)}.",
            f"Goods have to be transported, using {join(modes)}.",
            f"Shipping the season's {unit} is possible by {join(modes)}.",
        )
    )
    clauses = [
        Clause(
            rng.choice(
                (
                    "The cost per unit is "
                    + join([f"{money(cost[m], rng)} by {m}" for m in modes])
                    + ".",
                    "Sending one unit costs "
                    + join([f"{money(cost[m], rng)} by {m}" for m in modes])
                    + ".",
                )
            ),
        )
    ]
    exact = rng.random() < 0.5
    clauses.append(
        Clause(
            rng.choice(
                (
                    f"{'Exactly' if exact else _cap(at_least(rng))} {written(goods, rng)} {unit} "
                    "must be shipped in total.",
                    f"The modes together must carry {'exactly' if exact else at_least(rng)} "
                    f"{written(goods, rng)} {unit}.",
                )
            ),
            (row({m: 1 for m in modes}, "=" if exact else ">=", goods),),
        )
    )
    clauses.append(
        Clause(
            "Capacity is limited: "
            + join([f"{at_most(rng)} {written(cap[m], rng)} {unit} by {m}" for m in modes])
            + ".",
            tuple(f"{m} <= {num(cap[m])}" for m in modes),
        )
    )
    a = rng.choice(modes)
    share = rng.choice((0.1, 0.15, 0.2, 0.25, 0.3, 0.4))
    clauses.append(
        Clause(
            rng.choice(
                (
                    f"{at_least(rng).capitalize()} {percent(share, rng)} of all {unit} must go by "
                    f"{a}.",
                    f"By contract, the {a} share of the shipment must be {at_least(rng)} "
                    f"{percent(share, rng)}.",
                )
            ),
            (f"{a} >= {num(share)} ({lin([(1, m) for m in modes])})",),
        )
    )
    if rng.random() < 0.4:
        b = rng.choice([m for m in modes if m != a])
        top = rng.choice((0.4, 0.5, 0.6, 0.7))
        clauses.append(
            Clause(
                f"The {b} may carry {at_most(rng)} {percent(top, rng)} of the total.",
                (f"{b} <= {num(top)} ({lin([(1, m) for m in modes])})",),
            )
        )
    if rng.random() < 0.3:
        co2 = {m: rng.randint(1, 9) for m in modes}
        limit = int(goods * sum(co2.values()) / len(co2)) // 10 * 10
        clauses.append(
            Clause(
                "Emissions per unit are "
                + join([f"{co2[m]} kg by {m}" for m in modes])
                + f", and total emissions may not exceed {written(limit, rng)} kg.",
                (row(co2, "<=", limit),),
            )
        )
    question = rng.choice(
        (
            "How much should go by each mode to minimize total cost?",
            "What is the minimum shipping cost?",
            "Find the cheapest split among the modes.",
            "Determine the amount sent by each mode at least cost.",
            "Minimize the total transport cost.",
        )
    )
    quantities = [(f"Amount sent by {m}", m) for m in modes] + [("Total cost", "objective")]
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("var", list(modes))],
        objective="min " + lin(cost),
        quantities=quantities,
    )


# --------------------------------------------------------------------------------------------
_STOCK = ("fridges", "TVs", "sofas", "bikes", "mattresses", "ovens", "desks")
_HOUSES = (("North", "South"), ("East", "West"), ("Riverside", "Hilltop"), ("Central", "Harbor"))


@family("warehouse_allocation")
def warehouse_allocation(rng: random.Random) -> Draft:
    """Store 2-3 products in 2 warehouses with space limits at least storage cost."""
    products = rng.sample(_STOCK, rng.randint(2, 3))
    houses = list(rng.choice(_HOUSES))
    var = {(p, h): f"{p}_{h}" for p in products for h in houses}
    space = {p: rng.randint(1, 8) for p in products}
    need = {p: rng.randint(5, 40) * 10 for p in products}
    total_space = sum(space[p] * need[p] for p in products)
    room = {h: int(total_space * rng.uniform(0.45, 0.8)) // 10 * 10 for h in houses}
    cost = {k: rng.randint(1, 12) for k in var}
    intro = rng.choice(
        (
            f"A retailer stores {join(products)} in two warehouses, {houses[0]} and {houses[1]}.",
            f"Stock of {join(products)} must be split between the {houses[0]} and {houses[1]} "
            "warehouses.",
            f"A distributor keeps {join(products)} at its {houses[0]} and {houses[1]} sites.",
            f"The warehouses {houses[0]} and {houses[1]} will hold {join(products)} this season.",
            f"How to place {join(products)} between warehouses {houses[0]} and {houses[1]} is to "
            "be decided.",
        )
    )
    clauses: list[Clause] = []
    if rng.random() < 0.4:
        body = [[p, space[p], *[cost[(p, h)] for h in houses]] for p in products]
        header = ["product", "space per unit (sq m)", *[f"cost at {h}" for h in houses]]
        clauses.append(
            Clause("Product data:\n" + markdown_table(header, body) + "\n", movable=False)
        )
    else:
        clauses.append(
            Clause(
                "Each unit needs "
                + join([f"{space[p]} square meters for {p}" for p in products])
                + "."
            )
        )
        for h in houses:
            clauses.append(
                Clause(
                    f"Storage at {h} costs "
                    + join([f"{money(cost[(p, h)], rng)} per unit of {p}" for p in products])
                    + "."
                )
            )
    for h in houses:
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"{h} has {written(room[h], rng)} square meters of space.",
                        f"The space at {h} cannot exceed {written(room[h], rng)} square meters.",
                    )
                ),
                (row({var[(p, h)]: space[p] for p in products}, "<=", room[h]),),
            )
        )
    exact = rng.random() < 0.5
    clauses.append(
        Clause(
            "The company must store "
            + ("exactly " if exact else f"{at_least(rng)} ")
            + join([f"{written(need[p], rng)} {p}" for p in products])
            + ".",
            tuple(
                row({var[(p, h)]: 1 for h in houses}, "=" if exact else ">=", need[p])
                for p in products
            ),
        )
    )
    if rng.random() < 0.35:
        h = rng.choice(houses)
        share = rng.choice((0.2, 0.25, 0.3, 0.4))
        clauses.append(
            Clause(
                f"{at_least(rng).capitalize()} {percent(share, rng)} of all units must be kept at "
                f"{h}.",
                (
                    f"{lin([(1, var[(p, h)]) for p in products])} >= {num(share)} "
                    f"({lin([(1, v) for v in var.values()])})",
                ),
            )
        )
    integer = rng.random() < 0.4
    if integer:
        clauses.append(Clause(whole_numbers("units", rng)))
    question = rng.choice(
        (
            "How many units of each product should go to each warehouse to minimize storage cost?",
            "What is the minimum total storage cost?",
            "Find the cheapest allocation of stock.",
            "Determine the allocation that minimizes cost.",
            "Minimize the total cost of storage.",
        )
    )
    quantities = [(f"Units of {p} stored at {h}", var[(p, h)]) for p in products for h in houses]
    quantities.append(("Total storage cost", "objective"))
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("int" if integer else "var", list(var.values()))],
        objective="min " + lin({var[k]: cost[k] for k in var}),
        quantities=quantities,
    )


# --------------------------------------------------------------------------------------------
_ROUTES = ("north", "south", "coastal", "downtown", "airport", "harbor", "suburban", "mountain")


@family("delivery_routes", kinds=("MILP",))
def delivery_routes(rng: random.Random) -> Draft:
    """Choose trips on 2-4 routes (hours, goods, cost per trip) to meet demand at least cost."""
    routes = rng.sample(_ROUTES, rng.randint(2, 4))
    hours = {r: rng.choice((1, 1.5, 2, 2.5, 3, 4, 5)) for r in routes}
    goods = {r: rng.randint(10, 80) for r in routes}
    cost = {r: rng.randint(30, 300) for r in routes}
    demand = rng.randint(20, 100) * 10
    maximize = rng.random() < 0.3
    intro = rng.choice(
        (
            f"A courier runs trips on the {join(routes)} routes.",
            f"A delivery firm plans how many trips to make on each route: {join(routes)}.",
            f"Packages are delivered over {len(routes)} routes ({join(routes)}).",
            f"The dispatcher schedules trips on the {join(routes)} routes this week.",
            f"Trips can be made on routes {join(routes)}.",
        )
    )
    clauses = [
        Clause(
            f"A trip on the {r} route takes {num(hours[r])} hour{'' if hours[r] == 1 else 's'}, "
            f"delivers {goods[r]} packages and costs {money(cost[r], rng)}."
        )
        for r in routes
    ]
    if rng.random() < 0.35:
        body = [[r, num(hours[r]), goods[r], cost[r]] for r in routes]
        clauses = [
            Clause(
                "Per trip:\n"
                + markdown_table(["route", "hours", "packages", "cost ($)"], body)
                + "\n",
                movable=False,
            )
        ]
    avg = sum(hours[r] / goods[r] for r in routes) / len(routes)
    hour_cap = int(demand * avg * rng.uniform(1.3, 2.2)) + 5
    if maximize:
        budget = (
            int(demand * sum(cost[r] / goods[r] for r in routes) / len(routes) * 0.8) // 10 * 10
            + 10
        )
        clauses.append(Clause(f"The budget is {money(budget, rng)}.", (row(cost, "<=", budget),)))
        clauses.append(
            Clause(
                f"Drivers have {at_most(rng)} {written(hour_cap, rng)} hours in total.",
                (row(hours, "<=", hour_cap),),
            )
        )
    else:
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"{at_least(rng).capitalize()} {written(demand, rng)} packages must be "
                        "delivered.",
                        f"Demand is {written(demand, rng)} packages, which must all be delivered.",
                    )
                ),
                (row(goods, ">=", demand),),
            )
        )
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"Drivers can work {at_most(rng)} {written(hour_cap, rng)} hours in total.",
                        f"Total driving time cannot exceed {written(hour_cap, rng)} hours.",
                    )
                ),
                (row(hours, "<=", hour_cap),),
            )
        )
    for r in rng.sample(routes, rng.randint(0, 2)):
        if rng.random() < 0.5:
            k = rng.randint(3, 15)
            clauses.append(
                Clause(f"The {r} route allows {at_most(rng)} {k} trips.", (f"{r} <= {k}",))
            )
        else:
            k = rng.randint(1, 5)
            clauses.append(
                Clause(
                    f"{at_least(rng).capitalize()} {k} trips must use the {r} route.",
                    (f"{r} >= {k}",),
                )
            )
        clauses.append(Clause(whole_numbers("trips", rng)))
    if maximize:
        question = rng.choice(
            (
                "How many trips on each route maximize the packages delivered?",
                "What is the largest number of packages that can be delivered?",
                "Maximize total deliveries.",
                "Plan the trips to deliver as many packages as possible.",
                "Find the trip plan with the most packages delivered.",
            )
        )
        objective = "max " + lin(goods)
        label = "Packages delivered"
    else:
        question = rng.choice(
            (
                "How many trips should be made on each route to minimize cost?",
                "What is the minimum total cost of the trips?",
                "Find the cheapest trip plan.",
                "Determine the schedule with the lowest cost.",
                "Minimize the total trip cost.",
            )
        )
        objective = "min " + lin(cost)
        label = "Total cost"
    quantities = [(f"Trips on the {r} route", r) for r in routes] + [(label, "objective")]
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("int", list(routes))],
        objective=objective,
        quantities=quantities,
    )


# --------------------------------------------------------------------------------------------
_BUS_PAIRS = (("large", "small"), ("coaches", "minibuses"), ("big", "small"), ("double", "single"))


@family("bus_allocation", kinds=("MILP",))
def bus_allocation(rng: random.Random) -> Draft:
    """Hire buses of two sizes to carry a group within seat and driver limits (int)."""
    a, b = rng.choice(_BUS_PAIRS)
    if a == "double":
        a, b = "doubledeckers", "minibuses"
    seats = {a: rng.randint(40, 80), b: rng.randint(10, 35)}
    cost = {a: rng.randint(20, 90) * 10, b: rng.randint(8, 40) * 10}
    people = rng.randint(10, 60) * 10
    riders = rng.choice(("students", "passengers", "fans", "tourists", "workers"))
    drivers = people // seats[b] + rng.randint(1, 6)
    noun_a = a if a in ("coaches", "minibuses", "doubledeckers") else f"{a} buses"
    noun_b = b if b in ("coaches", "minibuses") else f"{b} buses"
    intro = rng.choice(
        (
            f"A school is taking {written(people, rng)} {riders} on a trip using {noun_a} and "
            f"{noun_b}.",
            f"An event organizer must move {written(people, rng)} {riders} with {noun_a} and "
            f"{noun_b}.",
            f"{written(people, rng)} {riders} need transport; {noun_a} and {noun_b} can be hired.",
            f"A tour company plans transport for {written(people, rng)} {riders}, renting "
            f"{noun_a} and {noun_b}.",
            f"To carry {written(people, rng)} {riders}, a planner will book {noun_a} and {noun_b}.",
        )
    )
    clauses = [
        Clause(
            rng.choice(
                (
                    f"{_cap(noun_a)} seat {seats[a]} and {noun_b} seat {seats[b]}, and every one "
                    f"of the {riders} needs a seat.",
                    f"Each of the {noun_a} has {seats[a]} seats and each of the {noun_b} has "
                    f"{seats[b]}; all {riders} must be seated.",
                )
            ),
            (row({a: seats[a], b: seats[b]}, ">=", people),),
        ),
    ]
    min_buses = rng.random() < 0.25
    if not min_buses:
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"Renting costs {money(cost[a], rng)} for one of the {noun_a} and "
                        f"{money(cost[b], rng)} for one of the {noun_b}.",
                        f"The hire price is {money(cost[a], rng)} per bus for {noun_a} and "
                        f"{money(cost[b], rng)} for {noun_b}.",
                    )
                )
            )
        )
    clauses.append(
        Clause(
            rng.choice(
                (
                    f"Only {drivers} drivers are available.",
                    f"There are {at_most(rng)} {drivers} drivers, so at most that many buses.",
                )
            ),
            (f"{a} + {b} <= {drivers}",),
        )
    )
    x = rng.random()
    if x < 0.3:
        k = rng.randint(1, max(1, people // seats[a]))
        clauses.append(Clause(f"Only {k} {noun_a} can be booked.", (f"{a} <= {k}",)))
    elif x < 0.5:
        share = rng.choice((0.2, 0.25, 0.3))
        clauses.append(
            Clause(
                f"{at_least(rng).capitalize()} {percent(share, rng)} of the buses must be "
                f"{noun_b}.",
                (f"{b} >= {num(share)} ({a} + {b})",),
            )
        )
    elif x < 0.65:
        k = rng.randint(1, 4)
        clauses.append(
            Clause(f"{at_least(rng).capitalize()} {k} {noun_b} must be used.", (f"{b} >= {k}",))
        )
    clauses.append(Clause(whole_numbers("buses", rng)))
    if min_buses:
        question = rng.choice(
            (
                "What is the smallest number of buses needed?",
                "Minimize the total number of buses.",
                "How many of each kind should be used to minimize the number of buses?",
                "Find the fewest buses that can carry everyone.",
                "Determine the plan that uses the fewest buses.",
            )
        )
        objective = f"min {a} + {b}"
        label = "Number of buses"
    else:
        question = rng.choice(
            (
                "How many of each should be rented to minimize cost?",
                "What is the minimum rental cost?",
                "Find the cheapest way to carry everyone.",
                "Determine the bus plan with the lowest cost.",
                "Minimize the total cost of the buses.",
            )
        )
        objective = "min " + lin(cost)
        label = "Total rental cost"
    quantities = [(f"Number of {noun_a}", a), (f"Number of {noun_b}", b), (label, "objective")]
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("int", [a, b])],
        objective=objective,
        quantities=quantities,
    )


# --------------------------------------------------------------------------------------------
_CARGO = ("electronics", "textiles", "machinery", "food", "mail", "flowers", "parts")


@family("cargo_plane", kinds=("LP",))
def cargo_plane(rng: random.Random) -> Draft:
    """Load 2-4 cargo types into 2-3 plane compartments by weight, with shares of total weight."""
    shape = rng.choice(((2, 2), (2, 3), (3, 2), (4, 2), (2, 3)))
    cargo = rng.sample(_CARGO, shape[0])
    comps = ["front", "rear"] if shape[1] == 2 else ["front", "center", "rear"]
    var = {(c, k): f"{c}_{k}" for c in cargo for k in comps}
    profit = {c: rng.randint(50, 400) for c in cargo}
    avail = {c: rng.randint(5, 25) for c in cargo}
    limit = {k: rng.randint(4, 16) for k in comps}
    intro = rng.choice(
        (
            f"A cargo plane has {len(comps)} compartments ({join(comps)}) and can carry "
            f"{join(cargo)}.",
            f"An airline loads {join(cargo)} into the {join(comps)} compartments of a freighter.",
            f"A freight flight will carry {join(cargo)}, split among its {join(comps)} holds.",
            f"Consider a plane with {join(comps)} compartments and cargo of {join(cargo)}.",
            f"Cargo types {join(cargo)} are offered for a flight whose hold is divided into "
            f"{join(comps)} sections.",
        )
    )
    clauses: list[Clause] = []
    if rng.random() < 0.4:
        body = [[c, profit[c], avail[c]] for c in cargo]
        clauses.append(
            Clause(
                "Cargo data:\n"
                + markdown_table(["cargo", "profit per ton ($)", "tons available"], body)
                + "\n",
                movable=False,
            )
        )
        clauses.append(
            Clause(
                "No more than the available tonnage of each cargo can be loaded.",
                tuple(row({var[(c, k)]: 1 for k in comps}, "<=", avail[c]) for c in cargo),
            )
        )
    else:
        clauses.append(
            Clause(
                "The profit per ton is "
                + join([f"{money(profit[c], rng)} for {c}" for c in cargo])
                + "."
            )
        )
        for c in cargo:
            clauses.append(
                Clause(
                    rng.choice(
                        (
                            f"Up to {avail[c]} tons of {c} are available.",
                            f"At most {avail[c]} tons of {c} can be shipped.",
                        )
                    ),
                    (row({var[(c, k)]: 1 for k in comps}, "<=", avail[c]),),
                )
            )
    clauses.append(
        Clause(
            "The weight limits are " + join([f"{limit[k]} tons in the {k}" for k in comps]) + ".",
            tuple(row({var[(c, k)]: 1 for c in cargo}, "<=", limit[k]) for k in comps),
        )
    )
    everything = lin([(1, v) for v in var.values()])
    k = rng.choice(comps)
    share = (
        rng.choice((0.2, 0.25, 0.3, 0.35))
        if len(comps) == 3
        else rng.choice((0.3, 0.35, 0.4, 0.45))
    )
    clauses.append(
        Clause(
            rng.choice(
                (
                    f"For balance, the {k} must hold {at_least(rng)} {percent(share, rng)} of the "
                    "total weight.",
                    f"The {k} compartment has to carry {at_least(rng)} {percent(share, rng)} of "
                    "all cargo weight.",
                )
            ),
            (f"{lin([(1, var[(c, k)]) for c in cargo])} >= {num(share)} ({everything})",),
        )
    )
    if rng.random() < 0.4:
        k2 = rng.choice([x for x in comps if x != k])
        top = rng.choice((0.5, 0.55, 0.6))
        clauses.append(
            Clause(
                f"The {k2} may hold {at_most(rng)} {percent(top, rng)} of the total weight.",
                (f"{lin([(1, var[(c, k2)]) for c in cargo])} <= {num(top)} ({everything})",),
            )
        )
    question = rng.choice(
        (
            "How many tons of each cargo should go in each compartment to maximize profit?",
            "What is the maximum profit of the flight?",
            "Find the loading plan with the highest profit.",
            "Determine the most profitable loading.",
            "Maximize the total profit of the cargo carried.",
        )
    )
    quantities = [(f"Tons of {c} in the {k}", var[(c, k)]) for c in cargo for k in comps]
    quantities.append(("Total profit", "objective"))
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("var", list(var.values()))],
        objective="max " + lin({var[(c, k)]: profit[c] for c in cargo for k in comps}),
        quantities=quantities,
    )
