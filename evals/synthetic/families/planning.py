"""Planning families: budgets, staffing, media, energy, time and sales plans, plus refusals."""

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
    share_clause,
    times,
    whole_numbers,
    written,
)
from solvers.compact import text_numbers


def _cap(text: str) -> str:
    return text[0].upper() + text[1:]


def _pct(value: float) -> str:
    """A rate given in percent (5 or 4.5) as a text writes it: ``5%`` or ``4.5 percent``."""
    return f"{num(value)}%"


def _rate(value: float) -> float:
    """The coefficient of a percent rate: 4.5 -> 0.045 (as the vocabulary derives it)."""
    return float(num(value / 100))


def _sum(names: list[str]) -> str:
    return lin([(1, n) for n in names])


# --------------------------------------------------------------------------------------------
# investment


_ASSETS = (
    (("stocks", "stocks"), ("bonds", "bonds"), ("gold", "gold"), ("savings", "a savings account")),
    (
        ("tech", "the tech fund"),
        ("energy", "the energy fund"),
        ("healthcare", "the healthcare fund"),
        ("retail", "the retail fund"),
    ),
    (("A", "Fund A"), ("B", "Fund B"), ("C", "Fund C"), ("D", "Fund D")),
    (
        ("equities", "equities"),
        ("bonds", "corporate bonds"),
        ("property", "property"),
        ("deposits", "term deposits"),
    ),
)
_INVESTORS = ("An investor", "A retired teacher", "A family trust", "A small pension fund", "Ana")


@family("investment", kinds=("LP",))
def investment(rng: random.Random) -> Draft:
    """Maximize the annual return of splitting a budget over 2-4 assets with percent returns."""
    assets = rng.sample(rng.choice(_ASSETS), rng.randint(2, 4))
    names = [a for a, _ in assets]
    phrase = dict(assets)
    rates = {a: rng.randint(4, 24) / 2 for a in names}
    budget = rng.randint(10, 500) * 1000
    who = rng.choice(_INVESTORS)
    listing = join([phrase[a] for a in names])
    intro = rng.choice(
        (
            f"{who} wants to invest money in {listing}.",
            f"{who} is deciding how to split savings between {listing}.",
            f"{who} can put money into {len(names)} options: {listing}.",
            f"{who} is building a portfolio from {listing}.",
            f"Consider {who if who == 'Ana' else who[0].lower() + who[1:]}, who invests in "
            f"{listing}.",
        )
    )
    clauses: list[Clause] = []
    if rng.random() < 0.25:
        body = [[phrase[a], _pct(rates[a])] for a in names]
        clauses.append(
            Clause(
                "Expected annual returns:\n" + markdown_table(["option", "return"], body) + "\n",
                movable=False,
            )
        )
    else:
        clauses.append(
            Clause(
                rng.choice(
                    (
                        "The expected annual returns are "
                        + join([f"{_pct(rates[a])} for {phrase[a]}" for a in names])
                        + ".",
                        _cap(
                            join([f"the return on {phrase[a]} is {_pct(rates[a])}" for a in names])
                            + " per year."
                        ),
                        "Each dollar earns "
                        + join([f"{_pct(rates[a])} in {phrase[a]}" for a in names])
                        + " a year.",
                    )
                )
            )
        )
    exact = rng.random() < 0.4
    amount = money(budget, rng)
    if exact:
        text = rng.choice(
            (
                f"The whole {amount} must be invested.",
                f"Exactly {amount} will be invested in total.",
                f"All of the available {amount} is to be invested.",
            )
        )
    else:
        text = rng.choice(
            (
                f"{at_most(rng).capitalize()} {amount} can be invested in total.",
                f"The total investment cannot exceed {amount}.",
                f"There is {amount} available to invest.",
            )
        )
    clauses.append(Clause(text, (row({a: 1 for a in names}, "=" if exact else "<=", budget),)))
    best = max(names, key=lambda a: rates[a])
    share = rng.choice((0.2, 0.25, 0.3, 0.4, 0.5, 0.6))
    clauses.append(
        share_clause(best, names, share, "<=", rng, total="total investment")
        if phrase[best] == best
        else Clause(
            f"To limit risk, {at_most(rng)} {percent(share, rng)} of the total investment may go "
            f"into {phrase[best]}.",
            (f"{best} <= {num(share)} ({_sum(names)})",),
        )
    )
    others = [a for a in names if a != best]
    if rng.random() < 0.7:
        a = rng.choice(others)
        floor = budget * rng.choice((0.05, 0.1, 0.15, 0.2)) // 500 * 500
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"At least {money(floor, rng)} must go into {phrase[a]}.",
                        f"The investment in {phrase[a]} should be {at_least(rng)} "
                        f"{money(floor, rng)}.",
                        f"A minimum of {money(floor, rng)} is required in {phrase[a]}.",
                    )
                ),
                (f"{a} >= {num(floor)}",),
            )
        )
    if len(names) >= 3 and rng.random() < 0.5:
        a, b = rng.sample(names, 2)
        k = rng.choice((2, 1.5, 3))
        clauses.append(
            Clause(
                f"The amount in {phrase[a]} must be {at_least(rng)} {times(k, rng)} the amount "
                f"in {phrase[b]}.",
                (f"{a} >= {lin([(k, b)])}",),
            )
        )
    question = rng.choice(
        (
            "How much should go into each option to maximize the expected annual return?",
            "What is the maximum expected return after one year?",
            "Find the allocation that maximizes the total annual return.",
            "How should the money be split to earn the most interest?",
            "Determine the investment plan with the highest expected yearly return.",
        )
    )
    quantities = [(f"Amount invested in {phrase[a]}", a) for a in names]
    quantities.append((rng.choice(("Expected annual return", "Total return")), "objective"))
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("var", names)],
        objective="max " + lin({a: _rate(rates[a]) for a in names}),
        quantities=quantities,
    )


# --------------------------------------------------------------------------------------------
# advertising

_MEDIA = {
    "TV": ((1500, 9000), (20000, 90000)),
    "radio": ((200, 1200), (3000, 15000)),
    "online": ((100, 900), (2000, 20000)),
    "newspaper": ((300, 1500), (4000, 18000)),
    "magazine": ((400, 2000), (5000, 25000)),
    "billboard": ((500, 3000), (8000, 30000)),
}
_ADVERTISERS = ("A clothing brand", "A local gym", "A software startup", "A car dealer", "A museum")


@family("advertising", kinds=("MILP",))
def advertising(rng: random.Random) -> Draft:
    """Buy TV, radio, online (...) ads: most reach under a budget, or least cost for a reach."""
    media = rng.sample(sorted(_MEDIA), rng.randint(2, 4))
    cost = {m: rng.randint(*_MEDIA[m][0]) // 50 * 50 for m in media}
    reach = {m: rng.randint(*_MEDIA[m][1]) // 100 * 100 for m in media}
    who = rng.choice(_ADVERTISERS)
    maximize = rng.random() < 0.6
    intro = rng.choice(
        (
            f"{who} is planning an advertising campaign using {join([m + ' ads' for m in media])}.",
            f"{who} can advertise on {join(media)}.",
            f"{who} must decide how many ads to buy on {join(media)}.",
            f"For a product launch, {who[0].lower() + who[1:]} will buy {join(media)} ads.",
            f"{who} wants to choose a media mix of {join(media)} advertising.",
        )
    )
    clauses: list[Clause] = []
    if rng.random() < 0.3:
        body = [[m, money(cost[m], rng), written(reach[m], rng)] for m in media]
        clauses.append(
            Clause(
                "Cost and audience per ad:\n"
                + markdown_table(["medium", "cost per ad", "people reached"], body)
                + "\n",
                movable=False,
            )
        )
    else:
        for m in media:
            clauses.append(
                Clause(
                    rng.choice(
                        (
                            f"Each {m} ad costs {money(cost[m], rng)} and reaches "
                            f"{written(reach[m], rng)} people.",
                            f"{'An' if m[0] in 'aeiou' else 'A'} {m} ad reaches "
                            f"{written(reach[m], rng)} viewers at a cost of "
                            f"{money(cost[m], rng)}.",
                            f"One {m} ad costs {money(cost[m], rng)}; its audience is "
                            f"{written(reach[m], rng)} people.",
                        )
                    )
                )
            )
    caps: dict[str, int] = {}
    for m in rng.sample(media, rng.randint(1, len(media))):
        caps[m] = rng.randint(4, 25)
    if maximize:
        budget = rng.randint(10, 80) * 1000
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"The advertising budget is {money(budget, rng)}.",
                        f"Total spending cannot exceed {money(budget, rng)}.",
                        f"{at_most(rng).capitalize()} {money(budget, rng)} can be spent on ads.",
                    )
                ),
                (row(cost, "<=", budget),),
            )
        )
    else:
        top = sum(reach[m] * caps.get(m, 30) for m in media)
        target = max(1000, int(top * rng.uniform(0.2, 0.6)) // 1000 * 1000)
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"The campaign must reach {at_least(rng)} {written(target, rng)} people.",
                        f"The total audience must be {at_least(rng)} {written(target, rng)}.",
                        f"The goal is a combined reach of {at_least(rng)} {written(target, rng)}"
                        " viewers.",
                    )
                ),
                (row(reach, ">=", target),),
            )
        )
    for m, c in caps.items():
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"{at_most(rng).capitalize()} {c} {m} ads are available.",
                        f"No more than {c} {m} ads can be booked.",
                        f"The {m} channel sells {at_most(rng)} {c} ads.",
                    )
                ),
                (f"{m} <= {c}",),
            )
        )
    if len(media) >= 2 and rng.random() < 0.5:
        m = rng.choice(media)
        k = rng.randint(2, 5)
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"At least {k} {m} ads must be bought.",
                        f"The plan needs a minimum of {k} {m} ads.",
                    )
                ),
                (f"{m} >= {k}",),
            )
        )
    if len(media) >= 3 and rng.random() < 0.4:
        m = rng.choice(media)
        share = rng.choice((0.3, 0.4, 0.5, 0.6))
        clauses.append(
            Clause(
                f"{_cap(at_most(rng))} {percent(share, rng)} of all ads may be {m} ads.",
                (f"{m} <= {num(share)} ({_sum(media)})",),
            )
        )
    clauses.append(Clause(whole_numbers("ads", rng)))
    if maximize:
        question = rng.choice(
            (
                "How many ads of each type should be bought to maximize the total reach?",
                "What is the largest audience the campaign can reach?",
                "Find the media mix that reaches the most people.",
                "Determine the number of ads on each medium that maximizes total audience.",
                "How should the budget be spent to reach as many people as possible?",
            )
        )
    else:
        question = rng.choice(
            (
                "How many ads of each type should be bought to minimize the total cost?",
                "What is the cheapest media plan that meets the reach goal?",
                "Find the least costly mix of ads.",
                "Determine the number of ads per medium that minimizes spending.",
                "What is the minimum advertising cost?",
            )
        )
    quantities = [(f"Number of {m} ads", m) for m in media]
    quantities.append(("Total reach" if maximize else "Total advertising cost", "objective"))
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("int", media)],
        objective=("max " + lin(reach)) if maximize else ("min " + lin(cost)),
        quantities=quantities,
    )


# --------------------------------------------------------------------------------------------
# staff_shifts

_SHIFT_NAMES = (
    (("early", "the early shift"), ("day", "the day shift"), ("late", "the late shift"),
     ("night", "the night shift")),
    (("A", "shift A"), ("B", "shift B"), ("C", "shift C"), ("D", "shift D")),
    (("morning", "the morning shift"), ("midday", "the midday shift"),
     ("evening", "the evening shift"), ("overnight", "the overnight shift")),
    (("S1", "shift S1"), ("S2", "shift S2"), ("S3", "shift S3"), ("S4", "shift S4")),
)  # fmt: skip
_PERIODS = (
    ("early morning", "late morning", "early afternoon", "late afternoon", "evening"),
    ("period 1", "period 2", "period 3", "period 4", "period 5"),
    ("dawn", "morning", "afternoon", "evening", "night"),
)
_STAFF = (
    ("A hospital ward", "nurses"),
    ("A call center", "agents"),
    ("A warehouse", "workers"),
    ("A security company", "guards"),
    ("A supermarket", "cashiers"),
)


@family("staff_shifts", kinds=("MILP",))
def staff_shifts(rng: random.Random) -> Draft:
    """Minimize staff (or wages) on 2-4 shifts so every period's requirement is covered."""
    m = rng.randint(2, 4)
    cyclic = m >= 3 and rng.random() < 0.4
    shifts = list(rng.choice(_SHIFT_NAMES)[:m])
    names = [s for s, _ in shifts]
    phrase = dict(shifts)
    pool = rng.choice(_PERIODS)
    periods = list(pool[: m if cyclic else m + 1])
    covers = {names[i]: [periods[i], periods[(i + 1) % len(periods)]] for i in range(m)}
    need = {p: rng.randint(3, 25) for p in periods}
    place, staff = rng.choice(_STAFF)
    wages = rng.random() < 0.35
    pay = {s: rng.randint(12, 40) * 10 for s in names}
    intro = rng.choice(
        (
            f"{place} schedules {staff} on {m} shifts.",
            f"{place} must decide how many {staff} to assign to each of its {m} shifts.",
            f"{place} divides the day into {len(periods)} periods and staffs them with {staff}.",
            f"{place} plans its {staff} roster for {join([phrase[s] for s in names])}.",
            f"Every day, {place[0].lower() + place[1:]} needs {staff} on duty around the clock.",
        )
    )
    clauses: list[Clause] = []

    def when(p: str) -> str:
        return p if p.startswith("period") else f"the {p} period"

    coverage = [f"{phrase[s]} covers {when(covers[s][0])} and {when(covers[s][1])}" for s in names]
    tail = " (shifts wrap around the day)" if cyclic else ""
    clauses.append(Clause(_cap(join(coverage)) + tail + ".", movable=False))
    if rng.random() < 0.3:
        body = [[p, need[p], join([phrase[s] for s in names if p in covers[s]])] for p in periods]
        rows = tuple(row({s: 1 for s in names if p in covers[s]}, ">=", need[p]) for p in periods)
        clauses.append(
            Clause(
                f"The {staff} needed in each period:\n"
                + markdown_table(["period", f"{staff} needed", "covered by"], body)
                + "\n",
                rows,
                movable=False,
            )
        )
    else:
        for p in periods:
            clauses.append(
                Clause(
                    rng.choice(
                        (
                            f"{_cap(when(p))} needs {at_least(rng)} {need[p]} {staff}.",
                            f"At least {need[p]} {staff} must be on duty in {when(p)}.",
                            f"During {when(p)}, {need[p]} {staff} or more are required.",
                        )
                    ),
                    (row({s: 1 for s in names if p in covers[s]}, ">=", need[p]),),
                )
            )
    if wages:
        clauses.append(
            Clause(
                f"Each {staff[:-1]} costs "
                + join([f"{money(pay[s], rng)} on {phrase[s]}" for s in names])
                + " per day."
            )
        )
    if rng.random() < 0.4:
        s = rng.choice(names)
        cap = max(need[p] for p in covers[s]) + rng.randint(0, 6)
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"{_cap(at_most(rng))} {cap} {staff} can work on {phrase[s]}.",
                        f"Only {cap} {staff} are available for {phrase[s]}.",
                    )
                ),
                (f"{s} <= {cap}",),
            )
        )
    if rng.random() < 0.3:
        s = rng.choice(names)
        low = rng.randint(2, 8)
        clauses.append(
            Clause(
                f"{_cap(phrase[s])} must have {at_least(rng)} {low} {staff}.", (f"{s} >= {low}",)
            )
        )
    clauses.append(Clause(whole_numbers(staff, rng)))
    if wages:
        question = rng.choice(
            (
                "How many should be assigned to each shift to minimize the daily wage cost?",
                "What is the minimum daily staffing cost?",
                "Find the cheapest roster that covers every period.",
                "Determine the shift sizes with the lowest total wages.",
                "What assignment covers all periods at the least cost?",
            )
        )
    else:
        question = rng.choice(
            (
                f"What is the minimum total number of {staff} needed?",
                f"How many {staff} should start each shift to minimize the total staff?",
                f"Find the smallest number of {staff} that covers every period.",
                f"Determine how many {staff} to put on each shift, using as few as possible.",
                f"How can every period be covered with the fewest {staff}?",
            )
        )
    quantities = [(f"Number of {staff} on {phrase[s]}", s) for s in names]
    quantities.append(("Total daily wages" if wages else f"Total {staff}", "objective"))
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("int", names)],
        objective="min " + (lin(pay) if wages else _sum(names)),
        quantities=quantities,
    )


# --------------------------------------------------------------------------------------------
# hiring

_DEPARTMENTS = (
    "sales", "engineering", "support", "marketing", "finance", "operations", "design", "research",
)  # fmt: skip
_EMPLOYERS = ("A growing startup", "A retail chain", "A consulting firm", "A bank", "A game studio")


@family("hiring", kinds=("MILP",))
def hiring(rng: random.Random) -> Draft:
    """Minimize salaries of hiring into 2-4 departments under a headcount, budget and minimums."""
    depts = rng.sample(_DEPARTMENTS, rng.randint(2, 4))
    salary = {d: rng.randint(35, 120) * 1000 for d in depts}
    train = {d: rng.randint(5, 50) * 100 for d in depts}
    low = {d: rng.randint(2, 6) for d in rng.sample(depts, rng.randint(1, len(depts)))}
    head = sum(low.values()) + rng.randint(3, 20)
    spare = head - sum(low.values())
    need = sum(low[d] * train[d] for d in low) + spare * min(train.values())
    budget = int(need * rng.uniform(1.1, 1.6)) // 500 * 500 + 500
    who = rng.choice(_EMPLOYERS)
    intro = rng.choice(
        (
            f"{who} is hiring new staff for its {join(depts)} departments.",
            f"{who} plans to recruit employees into {join(depts)}.",
            f"{who} must fill new positions in {len(depts)} departments: {join(depts)}.",
            f"This year {who[0].lower() + who[1:]} will expand its {join(depts)} teams.",
            f"{who} is deciding how many people to hire in {join(depts)}.",
        )
    )
    clauses: list[Clause] = []
    if rng.random() < 0.3:
        body = [[d, money(salary[d], rng), money(train[d], rng)] for d in depts]
        clauses.append(
            Clause(
                "Annual salary and one-time training cost per hire:\n"
                + markdown_table(["department", "salary", "training"], body)
                + "\n",
                movable=False,
            )
        )
    else:
        clauses.append(
            Clause(
                "The annual salary of a new hire is "
                + join([f"{money(salary[d], rng)} in {d}" for d in depts])
                + "."
            )
        )
        clauses.append(
            Clause(
                "Training costs "
                + join([f"{money(train[d], rng)} per {d} hire" for d in depts])
                + "."
            )
        )
    clauses.append(
        Clause(
            rng.choice(
                (
                    f"The company needs {at_least(rng)} {head} new employees in total.",
                    f"Total headcount growth must be {at_least(rng)} {head} people.",
                    f"{_cap(at_least(rng))} {head} people must be hired overall.",
                )
            ),
            (row({d: 1 for d in depts}, ">=", head),),
        )
    )
    clauses.append(
        Clause(
            rng.choice(
                (
                    f"The training budget is {money(budget, rng)}.",
                    f"Training spending cannot exceed {money(budget, rng)}.",
                    f"{_cap(at_most(rng))} {money(budget, rng)} is available for training.",
                )
            ),
            (row(train, "<=", budget),),
        )
    )
    for d, k in low.items():
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"At least {k} people must join {d}.",
                        f"The {d} department needs {at_least(rng)} {k} new hires.",
                        f"A minimum of {k} hires is required in {d}.",
                    )
                ),
                (f"{d} >= {k}",),
            )
        )
    if rng.random() < 0.3:
        d = rng.choice(depts)
        cap = low.get(d, 0) + rng.randint(2, 10)
        clauses.append(
            Clause(
                f"Office space limits {d} to {at_most(rng)} {cap} new hires.", (f"{d} <= {cap}",)
            )
        )
    clauses.append(Clause(whole_numbers("hires", rng)))
    question = rng.choice(
        (
            "How many people should each department hire to minimize total annual salaries?",
            "What is the lowest possible total salary bill for the new hires?",
            "Find the hiring plan with the smallest salary cost.",
            "Determine the number of hires per department that minimizes payroll.",
            "What hiring plan keeps the added annual salaries as low as possible?",
        )
    )
    quantities = [(f"Number of {d} hires", d) for d in depts]
    quantities.append((rng.choice(("Total annual salaries", "Added payroll")), "objective"))
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("int", depts)],
        objective="min " + lin(salary),
        quantities=quantities,
    )


# --------------------------------------------------------------------------------------------
# budget_departments

_UNITS = (
    ("A city council", ("parks", "roads", "libraries", "schools", "transit")),
    ("A company", ("marketing", "research", "operations", "training", "IT")),
    ("A university", ("teaching", "research", "housing", "sports", "outreach")),
    ("A charity", ("education", "health", "shelter", "food", "advocacy")),
)


def _budget_words(value: int, rng: random.Random) -> str:
    if value >= 1_000_000 and value % 100_000 == 0 and rng.random() < 0.5:
        words = f"${num(value / 1_000_000)} million"
        if num(value) in text_numbers(words):  # 4.1 million is 4099999.99... in floats
            return words
    return money(value, rng)


@family("budget_departments", kinds=("LP",))
def budget_departments(rng: random.Random) -> Draft:
    """Maximize weighted benefit of a budget split among departments with floors, caps, ratios."""
    who, pool = rng.choice(_UNITS)
    depts = rng.sample(pool, rng.randint(2, 4))
    budget = rng.randint(5, 60) * 100_000
    weight = {d: rng.randint(5, 30) / 10 for d in depts}
    intro = rng.choice(
        (
            f"{who} must allocate its budget among {join(depts)}.",
            f"{who} is dividing next year's budget between {join(depts)}.",
            f"{who} funds {len(depts)} areas: {join(depts)}.",
            f"{who} wants to decide how much money to give {join(depts)}.",
            f"In its annual plan, {who[0].lower() + who[1:]} splits funds over {join(depts)}.",
        )
    )
    clauses = [
        Clause(
            rng.choice(
                (
                    "Each dollar spent yields "
                    + join([f"{num(weight[d])} benefit points in {d}" for d in depts])
                    + ".",
                    "The estimated benefit per dollar is "
                    + join([f"{num(weight[d])} for {d}" for d in depts])
                    + ".",
                    _cap(join([f"{d} returns {num(weight[d])} points per dollar" for d in depts]))
                    + ".",
                )
            )
        )
    ]
    exact = rng.random() < 0.5
    amount = _budget_words(budget, rng)
    clauses.append(
        Clause(
            rng.choice(
                (
                    f"The total budget of {amount} must be fully spent.",
                    f"Exactly {amount} is allocated.",
                )
                if exact
                else (
                    f"The total budget is {amount}.",
                    f"No more than {amount} can be allocated in total.",
                    f"Spending across all areas cannot exceed {amount}.",
                )
            ),
            (row({d: 1 for d in depts}, "=" if exact else "<=", budget),),
        )
    )
    for d in rng.sample(depts, rng.randint(1, len(depts))):
        floor = budget * rng.choice((0.05, 0.1, 0.15)) // 10_000 * 10_000
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"{_cap(d)} must receive {at_least(rng)} {money(floor, rng)}.",
                        f"The allocation to {d} has a floor of {money(floor, rng)}.",
                    )
                ),
                (f"{d} >= {num(floor)}",),
            )
        )
    best = sorted(depts, key=lambda d: -weight[d])
    for d in best[: rng.randint(1, min(2, len(depts) - 1))]:
        ceiling = budget * rng.choice((0.3, 0.4, 0.5)) // 10_000 * 10_000
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"{_cap(d)} can receive {at_most(rng)} {money(ceiling, rng)}.",
                        f"The allocation to {d} is capped at {money(ceiling, rng)}.",
                        f"No more than {money(ceiling, rng)} may go to {d}.",
                    )
                ),
                (f"{d} <= {num(ceiling)}",),
            )
        )
    if len(depts) >= 2 and rng.random() < 0.6:
        a, b = rng.sample(depts, 2)
        k = rng.choice((1.5, 2, 3))
        op = rng.choice((">=", "<="))
        clauses.append(
            Clause(
                f"The funding for {a} must be {'at least' if op == '>=' else 'at most'} "
                f"{times(k, rng)} the funding for {b}.",
                (f"{a} {op} {lin([(k, b)])}",),
            )
        )
    question = rng.choice(
        (
            "How should the budget be allocated to maximize the total benefit?",
            "What is the largest total benefit the budget can achieve?",
            "Find the allocation with the highest weighted benefit.",
            "Determine how much each area gets so that total benefit is maximized.",
            "What allocation gives the most benefit points?",
        )
    )
    quantities = [(f"Funding for {d}", d) for d in depts]
    quantities.append(("Total benefit", "objective"))
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("var", depts)],
        objective="max " + lin(weight),
        quantities=quantities,
    )


# --------------------------------------------------------------------------------------------
# loan_mix

_LENDERS = (
    (("bank", "the bank"), ("cooperative", "the cooperative"), ("investor", "a private investor")),
    (("A", "Lender A"), ("B", "Lender B"), ("C", "Lender C")),
    (("Northbank", "Northbank"), ("Eastfund", "Eastfund"), ("Crestline", "Crestline")),
    (("bank", "the commercial bank"), ("union", "the credit union"), ("family", "family members")),
)
_BORROWERS = ("A bakery owner", "A small business", "A farmer", "A start-up", "A homeowner")


@family("loan_mix", kinds=("LP",))
def loan_mix(rng: random.Random) -> Draft:
    """Minimize annual interest on a sum borrowed from 2-3 lenders with percent rates and limits."""
    lenders = rng.sample(rng.choice(_LENDERS), rng.randint(2, 3))
    names = [x for x, _ in lenders]
    phrase = dict(lenders)
    need = rng.randint(20, 400) * 1000
    rates = {x: rng.randint(6, 30) / 2 for x in names}
    cheap = sorted(names, key=lambda x: rates[x])
    limits = {x: need * rng.choice((0.3, 0.4, 0.5, 0.6)) // 1000 * 1000 for x in cheap[:-1]}
    who = rng.choice(_BORROWERS)
    intro = rng.choice(
        (
            f"{who} needs to borrow {money(need, rng)}.",
            f"{who} must raise {money(need, rng)} through loans.",
            f"To finance an expansion, {who[0].lower() + who[1:]} will borrow {money(need, rng)}.",
            f"{who} is looking for {money(need, rng)} in loans.",
            f"{who} requires a total of {money(need, rng)} of credit.",
        )
    )
    exact = rng.random() < 0.6
    clauses = [
        Clause(
            "The money can come from " + join([phrase[x] for x in names]) + ".",
            (row({x: 1 for x in names}, "=" if exact else ">=", need),),
            movable=False,
        )
    ]
    clauses.append(
        Clause(
            rng.choice(
                (
                    "The annual interest rates are "
                    + join([f"{_pct(rates[x])} from {phrase[x]}" for x in names])
                    + ".",
                    _cap(join([f"the rate from {phrase[x]} is {_pct(rates[x])}" for x in names]))
                    + " per year.",
                    "Interest is "
                    + join([f"{_pct(rates[x])} a year for {phrase[x]}" for x in names])
                    + ".",
                )
            )
        )
    )
    for x, cap in limits.items():
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"{_cap(phrase[x])} will lend {at_most(rng)} {money(cap, rng)}.",
                        f"The loan from {phrase[x]} cannot exceed {money(cap, rng)}.",
                        f"A maximum of {money(cap, rng)} is available from {phrase[x]}.",
                    )
                ),
                (f"{x} <= {num(cap)}",),
            )
        )
    if rng.random() < 0.5:
        x = rng.choice(names)
        share = rng.choice((0.1, 0.15, 0.2, 0.25))
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"{_cap(at_least(rng))} {percent(share, rng)} of the total borrowed must "
                        f"come from {phrase[x]}.",
                        f"To keep a good relationship, {phrase[x]} must provide "
                        f"{at_least(rng)} {percent(share, rng)} of all the money borrowed.",
                    )
                ),
                (f"{x} >= {num(share)} ({_sum(names)})",),
            )
        )
    question = rng.choice(
        (
            "How much should be borrowed from each source to minimize the annual interest?",
            "What is the minimum total interest paid in the first year?",
            "Find the cheapest combination of loans.",
            "Determine the borrowing plan with the lowest yearly interest cost.",
            "How should the loan be split to pay as little interest as possible?",
        )
    )
    quantities = [(f"Amount borrowed from {phrase[x]}", x) for x in names]
    quantities.append(("Total annual interest", "objective"))
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("var", names)],
        objective="min " + lin({x: _rate(rates[x]) for x in names}),
        quantities=quantities,
    )


# --------------------------------------------------------------------------------------------
# energy_mix

_SOURCES = {
    "coal": ((30, 60), (8, 11)),
    "gas": ((40, 80), (35, 55)),
    "oil": ((60, 100), (6, 8)),
    "nuclear": ((50, 90), None),
    "wind": ((40, 100), None),
    "solar": ((50, 120), None),
    "hydro": ((30, 70), None),
}
_FOSSIL = ("coal", "gas", "oil")


@family("energy_mix", kinds=("LP",))
def energy_mix(rng: random.Random) -> Draft:
    """Minimize generation cost of meeting demand from 2-4 sources under an emission cap."""
    fossil = rng.sample(_FOSSIL, rng.randint(1, 2))
    clean = rng.sample([s for s in _SOURCES if s not in _FOSSIL], rng.randint(1, 2))
    sources = rng.sample(fossil + clean, len(fossil) + len(clean))
    cost = {s: rng.randint(*_SOURCES[s][0]) for s in sources}
    emit: dict[str, float] = {}
    for s in fossil:
        lo, hi = _SOURCES[s][1]  # type: ignore[misc]
        emit[s] = rng.randint(lo, hi) / (10 if s != "gas" else 100)
    # clean sources the cheapest-looking so the cap matters: make fossil cheaper
    for s in fossil:
        cost[s] = min(cost[s], min(cost[c] for c in clean) - rng.randint(3, 15))
    demand = rng.randint(5, 50) * 100
    caps = {s: int(demand * rng.uniform(0.3, 0.8)) // 50 * 50 for s in clean}
    caps.update({s: int(demand * rng.uniform(0.5, 1.2)) // 50 * 50 for s in fossil})
    if sum(caps.values()) < demand * 1.1:
        caps[rng.choice(fossil)] = demand
    order = sorted(sources, key=lambda s: emit.get(s, 0))
    left, low_emit = demand, 0.0
    for s in order:
        take = min(left, caps[s])
        low_emit += take * emit.get(s, 0)
        left -= take
    high_emit = demand * max(emit.values())
    limit = int(low_emit + rng.uniform(0.15, 0.7) * (high_emit - low_emit)) // 10 * 10 + 10
    unit = rng.choice(("tons of CO2", "tonnes of carbon dioxide", "tons of emissions"))
    who = rng.choice(("A utility", "A regional grid operator", "An island's power company",
                      "A city energy agency", "A mining town"))  # fmt: skip
    intro = rng.choice(
        (
            f"{who} generates electricity from {join(sources)}.",
            f"{who} must plan tomorrow's electricity from {join(sources)} plants.",
            f"{who} can buy power from {len(sources)} sources: {join(sources)}.",
            f"{who} is choosing how many MWh to produce with {join(sources)}.",
            f"{who} runs {join(sources)} generators.",
        )
    )
    clauses: list[Clause] = []
    if rng.random() < 0.3:
        body = [
            [s, money(cost[s], rng), num(emit.get(s, 0)), written(caps[s], rng)] for s in sources
        ]
        clauses.append(
            Clause(
                f"Cost per MWh, {unit} per MWh and capacity in MWh:\n"
                + markdown_table(["source", "cost", "emissions", "capacity"], body)
                + "\n",
                tuple(f"{s} <= {caps[s]}" for s in sources),
                movable=False,
            )
        )
    else:
        clauses.append(
            Clause(
                "Generation costs "
                + join([f"{money(cost[s], rng)} per MWh from {s}" for s in sources])
                + "."
            )
        )
        emitting = [s for s in sources if s in emit]
        quiet = [s for s in sources if s not in emit]
        clauses.append(
            Clause(
                "Each MWh emits "
                + join([f"{num(emit[s])} {unit} from {s}" for s in emitting])
                + (f", while {join(quiet)} emit nothing." if quiet else ".")
            )
        )
        for s in sources:
            clauses.append(
                Clause(
                    rng.choice(
                        (
                            f"The {s} capacity is {written(caps[s], rng)} MWh.",
                            f"{_cap(s)} can supply {at_most(rng)} {written(caps[s], rng)} MWh.",
                            f"No more than {written(caps[s], rng)} MWh can come from {s}.",
                        )
                    ),
                    (f"{s} <= {caps[s]}",),
                )
            )
    clauses.append(
        Clause(
            rng.choice(
                (
                    f"Demand of {written(demand, rng)} MWh must be met.",
                    f"{_cap(at_least(rng))} {written(demand, rng)} MWh must be generated.",
                    f"Total output must cover the demand of {written(demand, rng)} MWh.",
                )
            ),
            (row({s: 1 for s in sources}, ">=", demand),),
        )
    )
    clauses.append(
        Clause(
            rng.choice(
                (
                    f"Emissions are capped at {written(limit, rng)} {unit}.",
                    f"Total emissions cannot exceed {written(limit, rng)} {unit}.",
                    f"Regulations allow {at_most(rng)} {written(limit, rng)} {unit}.",
                )
            ),
            (row({s: emit[s] for s in sources if s in emit}, "<=", limit),),
        )
    )
    question = rng.choice(
        (
            "How much should each source generate to minimize the total cost?",
            "What is the minimum cost of meeting demand?",
            "Find the cheapest generation plan within the emission limit.",
            "Determine the MWh from each source that minimizes generation cost.",
            "What generation mix meets demand at the lowest cost?",
        )
    )
    quantities = [(f"Electricity from {s} in MWh", s) for s in sources]
    quantities.append(("Total generation cost", "objective"))
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("var", sources)],
        objective="min " + lin(cost),
        quantities=quantities,
    )


# --------------------------------------------------------------------------------------------
# emissions_reduction

_MEASURES = (
    ("A factory", (("filters", "filter"), ("scrubbers", "scrubber"), ("sensors", "sensor"))),
    ("A city", (("buses", "electric bus"), ("trees", "batch of trees"), ("panels", "solar panel"))),
    ("A campus", (("pumps", "heat pump"), ("chargers", "EV charger"), ("meters", "smart meter"))),
    ("A shipping firm", (("retrofits", "engine retrofit"), ("sails", "rotor sail"),
                         ("coatings", "hull coating"))),
)  # fmt: skip


@family("emissions_reduction")
def emissions_reduction(rng: random.Random) -> Draft:
    """Minimize the cost of 2-3 reduction measures that together meet an emissions target."""
    who, pool = rng.choice(_MEASURES)
    measures = rng.sample(pool, rng.randint(2, 3))
    names = [m for m, _ in measures]
    single = dict(measures)
    cost = {m: rng.randint(5, 200) * 100 for m in names}
    cut = {m: rng.randint(2, 60) for m in names}
    caps = {m: rng.randint(5, 40) for m in names}
    capacity = sum(cut[m] * caps[m] for m in names)
    target = max(10, int(capacity * rng.uniform(0.3, 0.7)) // 10 * 10)
    second = rng.random() < 0.35
    other = {m: rng.randint(0, 12) for m in names}
    other_cap = sum(other[m] * caps[m] for m in names)
    other_target = max(5, int(other_cap * rng.uniform(0.2, 0.6)) // 5 * 5)
    integer = rng.random() < 0.5
    intro = rng.choice(
        (
            f"{who} wants to cut its emissions by installing {join(names)}.",
            f"{who} must meet a climate target using {join(names)}.",
            f"{who} is considering {len(names)} measures: {join(names)}.",
            f"To reduce pollution, {who[0].lower() + who[1:]} can invest in {join(names)}.",
            f"{who} plans a mix of {join(names)} to lower its carbon footprint.",
        )
    )
    clauses: list[Clause] = []
    for m in names:
        extra = f" and {other[m]} kg of particulates" if second else ""
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"{_cap(m)} cost {money(cost[m], rng)} per unit, and each unit cuts "
                        f"{cut[m]} tons of CO2{extra} per year.",
                        f"One {single[m]} costs {money(cost[m], rng)} and reduces "
                        f"emissions by {cut[m]} tons{extra}.",
                    )
                )
            )
        )
    clauses.append(
        Clause(
            rng.choice(
                (
                    f"The total reduction must be {at_least(rng)} {written(target, rng)} tons.",
                    f"The target is to cut {at_least(rng)} {written(target, rng)} tons of CO2.",
                    f"{_cap(at_least(rng))} {written(target, rng)} tons of CO2 must be removed.",
                )
            ),
            (row(cut, ">=", target),),
        )
    )
    if second and other_target > 0 and any(other.values()):
        clauses.append(
            Clause(
                f"Particulates must also fall by {at_least(rng)} {other_target} kg.",
                (row(other, ">=", other_target),),
            )
        )
    for m in names:
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"{_cap(at_most(rng))} {caps[m]} {m} can be installed.",
                        f"There is room for {at_most(rng)} {caps[m]} {m}.",
                        f"Suppliers can deliver no more than {caps[m]} {m}.",
                    )
                ),
                (f"{m} <= {caps[m]}",),
            )
        )
    if integer:
        clauses.append(Clause(whole_numbers("units", rng)))
    question = rng.choice(
        (
            "How many units of each measure minimize the total cost?",
            "What is the least it can cost to meet the target?",
            "Find the cheapest combination of measures.",
            "Determine the plan that meets the reduction goal at minimum cost.",
            "What mix of measures reaches the target most cheaply?",
        )
    )
    quantities = [(f"Units of {m}", m) for m in names]
    quantities.append(("Total cost of the measures", "objective"))
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("int" if integer else "var", names)],
        objective="min " + lin(cost),
        quantities=quantities,
    )


# --------------------------------------------------------------------------------------------
# study_time

_SUBJECTS = ("math", "physics", "chemistry", "biology", "history", "English", "economics", "coding")
_STUDENTS = (("Maya", "she"), ("Leo", "he"), ("Priya", "she"), ("Tom", "he"), ("Sam", "he"))


@family("study_time", kinds=("LP",))
def study_time(rng: random.Random) -> Draft:
    """Maximize expected score points from weekly study hours split over 2-4 subjects."""
    subjects = rng.sample(_SUBJECTS, rng.randint(2, 4))
    points = {s: rng.randint(2, 16) / 2 for s in subjects}
    hours = rng.randint(10, 40)
    student, pronoun = rng.choice(_STUDENTS)
    intro = rng.choice(
        (
            f"{student} is preparing for exams in {join(subjects)}.",
            f"{student} must split study time between {join(subjects)}.",
            f"A student, {student}, plans weekly study hours for {join(subjects)}.",
            f"Before finals, {student} wants to divide revision time over {join(subjects)}.",
            f"{student} studies {join(subjects)} this week.",
        )
    )
    clauses = [
        Clause(
            rng.choice(
                (
                    "Each hour of study adds "
                    + join([f"{num(points[s])} points in {s}" for s in subjects])
                    + " to the expected score.",
                    "An hour spent on "
                    + join([f"{s} is worth {num(points[s])} points" for s in subjects])
                    + ".",
                    "Expected score points per hour: "
                    + join([f"{s} {num(points[s])}" for s in subjects])
                    + ".",
                )
            )
        ),
        Clause(
            rng.choice(
                (
                    f"{_cap(pronoun)} has {at_most(rng)} {hours} hours available.",
                    f"There are {hours} study hours in the week.",
                    f"Total study time cannot exceed {hours} hours.",
                )
            ),
            (row({s: 1 for s in subjects}, "<=", hours),),
        ),
    ]
    for s in rng.sample(subjects, rng.randint(1, len(subjects))):
        low = rng.randint(2, max(2, hours // (2 * len(subjects))))
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"{_cap(at_least(rng))} {low} hours must go to {s}.",
                        f"Each week {pronoun} studies {s} for {at_least(rng)} {low} hours.",
                    )
                ),
                (f"{s} >= {low}",),
            )
        )
    best = max(subjects, key=lambda s: points[s])
    if rng.random() < 0.6:
        cap = rng.randint(hours // 4 + 1, hours // 2 + 1)
        clauses.append(
            Clause(
                f"Studying {best} for more than {cap} hours is not useful.", (f"{best} <= {cap}",)
            )
        )
    if rng.random() < 0.5:
        a, b = rng.sample(subjects, 2)
        k = rng.choice((1.5, 2, 3))
        op = rng.choice((">=", "<="))
        words = "at least" if op == ">=" else "at most"
        clauses.append(
            Clause(
                f"Time on {a} should be {words} {times(k, rng)} the time on {b}.",
                (f"{a} {op} {lin([(k, b)])}",),
            )
        )
    elif rng.random() < 0.5:
        s = rng.choice(subjects)
        share = rng.choice((0.2, 0.25, 0.3))
        clauses.append(
            Clause(
                f"{_cap(at_least(rng))} {percent(share, rng)} of the study time goes to {s}.",
                (f"{s} >= {num(share)} ({_sum(subjects)})",),
            )
        )
    question = rng.choice(
        (
            "How many hours should go to each subject to maximize the expected score?",
            "What is the highest total number of points that can be expected?",
            f"How should {student} divide the week to earn the most points?",
            "Find the study plan with the largest expected score.",
            "Determine the hours per subject that maximize total points.",
        )
    )
    quantities = [(f"Hours spent on {s}", s) for s in subjects]
    quantities.append(("Expected score points", "objective"))
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("var", subjects)],
        objective="max " + lin(points),
        quantities=quantities,
    )


# --------------------------------------------------------------------------------------------
# fitness_plan

_EXERCISES = ("running", "cycling", "swimming", "yoga", "rowing", "walking", "dancing", "boxing")


@family("fitness_plan", kinds=("LP",))
def fitness_plan(rng: random.Random) -> Draft:
    """Plan minutes of 2-4 exercises: most calories in a time limit, or least time for a goal."""
    kinds = rng.sample(_EXERCISES, rng.randint(2, 4))
    cal = {k: rng.randint(6, 28) / 2 for k in kinds}
    maximize = rng.random() < 0.55
    total = rng.randint(6, 40) * 10
    caps = {k: rng.randint(2, 12) * 10 for k in rng.sample(kinds, rng.randint(1, len(kinds)))}
    intro = rng.choice(
        (
            f"Someone is building a weekly workout plan from {join(kinds)}.",
            f"A trainer designs a program combining {join(kinds)}.",
            f"Jordan's workouts mix {join(kinds)}.",
            f"A gym member splits workout minutes between {join(kinds)}.",
            f"An athlete plans how many minutes of {join(kinds)} to do this week.",
        )
    )
    clauses = [
        Clause(
            rng.choice(
                (
                    "Calories burned per minute are "
                    + join([f"{num(cal[k])} for {k}" for k in kinds])
                    + ".",
                    "Each minute of "
                    + join([f"{k} burns {num(cal[k])} calories" for k in kinds])
                    + ".",
                )
            )
        )
    ]
    if maximize:
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"There are {at_most(rng)} {total} minutes available.",
                        f"Total exercise time cannot exceed {total} minutes.",
                        f"The plan may use {at_most(rng)} {total} minutes in all.",
                    )
                ),
                (row({k: 1 for k in kinds}, "<=", total),),
            )
        )
    else:
        reach = sum(cal[k] * caps.get(k, total) for k in kinds)
        goal = int(min(total * min(cal.values()), reach) * rng.uniform(0.4, 0.8)) // 50 * 50 + 50
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"The goal is to burn {at_least(rng)} {written(goal, rng)} calories.",
                        f"{_cap(at_least(rng))} {written(goal, rng)} calories must be burned.",
                    )
                ),
                (row(cal, ">=", goal),),
            )
        )
    for k, c in caps.items():
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"{_cap(at_most(rng))} {c} minutes of {k} are allowed.",
                        f"To avoid injury, {k} is limited to {c} minutes.",
                    )
                ),
                (f"{k} <= {c}",),
            )
        )
    if rng.random() < 0.6:
        k = rng.choice(kinds)
        low = rng.randint(1, 4) * 10
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"{_cap(at_least(rng))} {low} minutes must be spent on {k}.",
                        f"The plan includes {at_least(rng)} {low} minutes of {k}.",
                    )
                ),
                (f"{k} >= {low}",),
            )
        )
    if len(kinds) >= 2 and rng.random() < 0.4:
        k = rng.choice(kinds)
        share = rng.choice((0.1, 0.2, 0.25, 0.3))
        clauses.append(
            Clause(
                f"{_cap(at_least(rng))} {percent(share, rng)} of the exercise time should be {k}.",
                (f"{k} >= {num(share)} ({_sum(kinds)})",),
            )
        )
    if maximize:
        question = rng.choice(
            (
                "How many minutes of each activity maximize the calories burned?",
                "What is the most calories that can be burned?",
                "Find the plan that burns the most calories.",
                "Determine the minutes per exercise that maximize total calories.",
                "How should the time be split to burn as many calories as possible?",
            )
        )
    else:
        question = rng.choice(
            (
                "How many minutes of each activity minimize the total exercise time?",
                "What is the least total time needed to reach the calorie goal?",
                "Find the shortest workout plan that meets the goal.",
                "Determine the minutes per exercise that minimize total time.",
                "How can the goal be met in as few minutes as possible?",
            )
        )
    quantities = [(f"Minutes of {k}", k) for k in kinds]
    quantities.append(("Calories burned" if maximize else "Total exercise minutes", "objective"))
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("var", kinds)],
        objective=("max " + lin(cal)) if maximize else ("min " + _sum(kinds)),
        quantities=quantities,
    )


# --------------------------------------------------------------------------------------------
# event_seating

_TICKETS = {"VIP": (80, 250), "premium": (50, 120), "standard": (20, 60), "balcony": (15, 40),
            "student": (8, 25)}  # fmt: skip
_EVENTS = ("A concert hall", "A theater", "A football club", "A comedy festival", "An arena")


@family("event_seating", kinds=("MILP",))
def event_seating(rng: random.Random) -> Draft:
    """Maximize ticket revenue over 2-4 ticket types under seat counts and minimum shares."""
    types = rng.sample(sorted(_TICKETS), rng.randint(2, 4))
    price = {t: rng.randint(*_TICKETS[t]) for t in types}
    seats = rng.randint(2, 40) * 50
    who = rng.choice(_EVENTS)
    intro = rng.choice(
        (
            f"{who} sells {join(types)} tickets for a show.",
            f"{who} must decide how many {join(types)} tickets to offer.",
            f"For its next event, {who[0].lower() + who[1:]} offers {len(types)} ticket types: "
            f"{join(types)}.",
            f"{who} is pricing a sold-out night with {join(types)} seats.",
            f"{who} divides its seats into {join(types)} tickets.",
        )
    )
    clauses = [
        Clause(
            rng.choice(
                (
                    "Ticket prices are "
                    + join([f"{money(price[t], rng)} for {t}" for t in types])
                    + ".",
                    _cap(join([f"a {t} ticket costs {money(price[t], rng)}" for t in types])) + ".",
                )
            )
        ),
        Clause(
            rng.choice(
                (
                    f"The venue has {written(seats, rng)} seats.",
                    f"{_cap(at_most(rng))} {written(seats, rng)} tickets can be sold in total.",
                    f"Total tickets cannot exceed the {written(seats, rng)} available seats.",
                )
            ),
            (row({t: 1 for t in types}, "<=", seats),),
        ),
    ]
    top = max(types, key=lambda t: price[t])
    cap = max(10, int(seats * rng.uniform(0.05, 0.3)) // 10 * 10)
    clauses.append(
        Clause(
            rng.choice(
                (
                    f"Only {cap} seats qualify as {top}.",
                    f"{_cap(at_most(rng))} {cap} {top} tickets are available.",
                    f"Demand for {top} tickets is {at_most(rng)} {cap}.",
                )
            ),
            (f"{top} <= {cap}",),
        )
    )
    rest = [t for t in types if t != top]
    t = rng.choice(rest)
    share = rng.choice((0.1, 0.15, 0.2, 0.25, 0.3))
    clauses.append(
        Clause(
            rng.choice(
                (
                    f"{_cap(at_least(rng))} {percent(share, rng)} of tickets sold must be {t} "
                    "tickets.",
                    f"The {t} share of all tickets must be {at_least(rng)} {percent(share, rng)}.",
                )
            ),
            (f"{t} >= {num(share)} ({_sum(types)})",),
        )
    )
    if len(rest) >= 2 and rng.random() < 0.5:
        u = rng.choice([x for x in rest if x != t])
        low = rng.randint(2, 10) * 5
        clauses.append(
            Clause(f"At least {low} {u} tickets are promised to sponsors.", (f"{u} >= {low}",))
        )
    clauses.append(Clause(whole_numbers("tickets", rng)))
    question = rng.choice(
        (
            "How many tickets of each type should be sold to maximize revenue?",
            "What is the maximum ticket revenue?",
            "Find the ticket mix with the highest total revenue.",
            "Determine how many seats of each type to sell for the most income.",
            "How should the seats be divided among ticket types to earn the most?",
        )
    )
    quantities = [(f"Number of {t} tickets", t) for t in types]
    quantities.append(("Ticket revenue", "objective"))
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("int", types)],
        objective="max " + lin(price),
        quantities=quantities,
    )


# --------------------------------------------------------------------------------------------
# recycling

_WASTE = ("paper", "plastic", "glass", "metal", "cardboard", "textiles")


@family("recycling", kinds=("LP",))
def recycling(rng: random.Random) -> Draft:
    """Maximize recycling revenue over 2-4 waste types under supply, hours and share limits."""
    kinds = rng.sample(_WASTE, rng.randint(2, 4))
    revenue = {k: rng.randint(2, 60) * 5 for k in kinds}
    hours = {k: rng.randint(1, 12) / 2 for k in kinds}
    supply = {k: rng.randint(2, 40) * 10 for k in kinds}
    need = sum(hours[k] * supply[k] for k in kinds)
    limit = max(20, int(need * rng.uniform(0.3, 0.8)) // 10 * 10)
    who = rng.choice(("A recycling plant", "A municipal sorting center", "A waste company",
                      "A cooperative", "A scrap yard"))  # fmt: skip
    intro = rng.choice(
        (
            f"{who} processes {join(kinds)}.",
            f"{who} must decide how many tons of {join(kinds)} to process this week.",
            f"{who} recycles {len(kinds)} materials: {join(kinds)}.",
            f"{who} plans its processing of {join(kinds)}.",
            f"{who} earns money by recycling {join(kinds)}.",
        )
    )
    clauses: list[Clause] = []
    if rng.random() < 0.3:
        body = [[k, money(revenue[k], rng), num(hours[k]), supply[k]] for k in kinds]
        clauses.append(
            Clause(
                "Revenue per ton, processing hours per ton and tons available:\n"
                + markdown_table(["material", "revenue", "hours", "available"], body)
                + "\n",
                tuple(f"{k} <= {supply[k]}" for k in kinds),
                movable=False,
            )
        )
    else:
        clauses.append(
            Clause(
                "Each ton earns " + join([f"{money(revenue[k], rng)} for {k}" for k in kinds]) + "."
            )
        )
        clauses.append(
            Clause(
                "Processing one ton takes "
                + join(
                    [f"{num(hours[k])} hour{'' if hours[k] == 1 else 's'} for {k}" for k in kinds]
                )
                + "."
            )
        )
        for k in kinds:
            clauses.append(
                Clause(
                    rng.choice(
                        (
                            f"{_cap(at_most(rng))} {supply[k]} tons of {k} are collected.",
                            f"Only {supply[k]} tons of {k} are available.",
                        )
                    ),
                    (f"{k} <= {supply[k]}",),
                )
            )
    clauses.append(
        Clause(
            rng.choice(
                (
                    f"The site has {written(limit, rng)} processing hours.",
                    f"Total processing time cannot exceed {written(limit, rng)} hours.",
                    f"{_cap(at_most(rng))} {written(limit, rng)} machine hours are available.",
                )
            ),
            (row(hours, "<=", limit),),
        )
    )
    if len(kinds) >= 2 and rng.random() < 0.6:
        k = rng.choice(kinds)
        op = rng.choice((">=", "<="))
        share = rng.choice((0.2, 0.3, 0.4)) if op == "<=" else rng.choice((0.1, 0.15, 0.2))
        clauses.append(share_clause(k, kinds, share, op, rng, total="total tons processed"))
    question = rng.choice(
        (
            "How many tons of each material should be processed to maximize revenue?",
            "What is the maximum weekly revenue?",
            "Find the processing plan with the highest revenue.",
            "Determine the tons of each material that maximize income.",
            "What processing mix earns the most?",
        )
    )
    quantities = [(f"Tons of {k} processed", k) for k in kinds]
    quantities.append(("Weekly revenue", "objective"))
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("var", kinds)],
        objective="max " + lin(revenue),
        quantities=quantities,
    )


# --------------------------------------------------------------------------------------------
# tourism_packages

_PACKAGES = (("city", "mountain", "coastal"), ("hiking", "cultural", "wine"),
             ("safari", "beach", "island"))  # fmt: skip
_AGENCIES = ("A tour agency", "A travel company", "A local tour operator", "A hostel", "A resort")


@family("tourism_packages", kinds=("MILP",))
def tourism_packages(rng: random.Random) -> Draft:
    """Maximize profit from 2-3 tour package types limited by guide hours and bus seats."""
    packs = rng.sample(rng.choice(_PACKAGES), rng.randint(2, 3))
    profit = {p: rng.randint(4, 40) * 5 for p in packs}
    guide = {p: rng.randint(2, 8) for p in packs}
    seat = {p: rng.randint(2, 5) for p in packs}
    guide_cap = rng.randint(40, 300)
    seat_cap = rng.randint(20, 150)
    who = rng.choice(_AGENCIES)
    intro = rng.choice(
        (
            f"{who} sells {join(packs)} tour packages.",
            f"{who} offers {len(packs)} packages: {join(packs)}.",
            f"{who} must decide how many {join(packs)} tours to sell next week.",
            f"{who} plans its mix of {join(packs)} trips.",
            f"{who} runs {join(packs)} excursions.",
        )
    )
    clauses: list[Clause] = []
    if rng.random() < 0.3:
        body = [[p, money(profit[p], rng), guide[p], seat[p]] for p in packs]
        clauses.append(
            Clause(
                "Profit, guide hours and bus seats per package:\n"
                + markdown_table(["package", "profit", "guide hours", "bus seats"], body)
                + "\n",
                movable=False,
            )
        )
    else:
        clauses.append(
            Clause(
                "The profit is "
                + join([f"{money(profit[p], rng)} per {p} package" for p in packs])
                + "."
            )
        )
        clauses.append(
            Clause(
                "A package needs "
                + join([f"{guide[p]} guide hours and {seat[p]} bus seats for {p}" for p in packs])
                + "."
            )
        )
    clauses.append(
        Clause(
            rng.choice(
                (
                    f"Guides can work {at_most(rng)} {guide_cap} hours.",
                    f"There are {guide_cap} guide hours available.",
                )
            ),
            (row(guide, "<=", guide_cap),),
        )
    )
    clauses.append(
        Clause(
            rng.choice(
                (
                    f"The buses have {seat_cap} seats in total.",
                    f"{_cap(at_most(rng))} {seat_cap} bus seats can be booked.",
                )
            ),
            (row(seat, "<=", seat_cap),),
        )
    )
    if rng.random() < 0.5:
        p = rng.choice(packs)
        low = rng.randint(2, 8)
        clauses.append(
            Clause(
                rng.choice(
                    (
                        f"At least {low} {p} packages must be sold.",
                        f"Partners require {at_least(rng)} {low} {p} tours.",
                    )
                ),
                (f"{p} >= {low}",),
            )
        )
    if rng.random() < 0.3:
        a, b = rng.sample(packs, 2)
        clauses.append(ratio_clause(a, b, rng.choice((2, 1.5)), "<=", rng, noun="packages"))
    clauses.append(Clause(whole_numbers("packages", rng)))
    question = rng.choice(
        (
            "How many packages of each type should be sold to maximize profit?",
            "What is the maximum profit?",
            "Find the package mix with the highest profit.",
            "Determine the number of tours of each type that maximizes profit.",
            "What sales plan earns the most?",
        )
    )
    quantities = [(f"Number of {p} packages", p) for p in packs]
    quantities.append(("Total profit", "objective"))
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("int", packs)],
        objective="max " + lin(profit),
        quantities=quantities,
    )


# --------------------------------------------------------------------------------------------
# refusals

_GREETINGS = ("Hello!", "Hi there.", "Good morning!", "Hey.", "Hi!", "Greetings.", "Hello again.")
_ABOUT = (
    "What can you do?",
    "What kinds of problems can you solve?",
    "Can you explain what linear programming is?",
    "Which solver do you use?",
    "How do I write a problem for you?",
    "Do you support integer variables?",
    "What is an objective function?",
    "Can you tell me the difference between LP and MILP?",
    "What does it mean when a model is infeasible?",
    "Who made you?",
)
_KNOWLEDGE = (
    "What is the capital of {country}?",
    "Who wrote {book}?",
    "How far is the Moon from the Earth?",
    "Why is the sky blue?",
    "When did the Second World War end?",
    "What is photosynthesis?",
    "How many planets are in the solar system?",
    "What language is spoken in {country}?",
    "Can you recommend a good recipe for {dish}?",
    "What is the boiling point of water at sea level?",
)
_ARITHMETIC = (
    "What is {a} plus {b}?",
    "What is {p}% of {c}?",
    "How much is {a} times {b}?",
    "If a shirt costs ${c} and is discounted by {p}%, what is the new price?",
    "A car travels {c} km in {b} hours. What is its average speed?",
    "A shop sells {a} pens at ${b} each. How much money does it take in?",
    "Divide {c} by {b}, please.",
    "What is the average of {a}, {b} and {c}?",
    "A recipe needs {b} eggs per cake. How many eggs are needed for {a} cakes?",
    "Convert {c} minutes to hours.",
)
_FOLLOWUPS = (
    "",
    "Thanks in advance.",
    "I'm just curious.",
    "Please keep it short.",
    "This is for a school assignment.",
)
_COUNTRIES = ("France", "Japan", "Brazil", "Kenya", "Canada", "Norway", "Peru", "Vietnam")
_BOOKS = ("Pride and Prejudice", "Don Quixote", "War and Peace", "Hamlet", "Moby Dick")
_DISHES = ("pancakes", "lentil soup", "lasagna", "fried rice", "banana bread")


@family("not_a_problem", kinds=("none",))
def not_a_problem(rng: random.Random) -> Draft:
    """Greetings, questions about the tool, general or arithmetic questions: nothing to optimize."""
    kind = rng.randrange(3)
    if kind == 0:
        body = rng.choice(_ABOUT)
    elif kind == 1:
        body = rng.choice(_KNOWLEDGE).format(
            country=rng.choice(_COUNTRIES), book=rng.choice(_BOOKS), dish=rng.choice(_DISHES)
        )
    else:
        body = rng.choice(_ARITHMETIC).format(
            a=rng.randint(2, 60), b=rng.randint(2, 12), c=rng.randint(20, 900),
            p=rng.choice((5, 10, 15, 20, 25, 30)),
        )  # fmt: skip
    greeting = rng.choice(_GREETINGS) if rng.random() < 0.6 else ""
    followup = rng.choice(_FOLLOWUPS)
    intro = greeting or body
    question = body if greeting else (followup or rng.choice(("Thanks!", "Thank you.")))
    clauses = [Clause(followup, movable=False)] if greeting and followup else []
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[],
        objective="",
        refusal="none",
    )


def _fence(rng: random.Random) -> tuple[str, list[str], str]:
    length = rng.randint(4, 60) * 10
    side = rng.random() < 0.4
    intro = rng.choice(
        (
            f"A farmer has {length} meters of fencing to enclose a rectangular pen.",
            f"A gardener will fence a rectangular plot using {length} m of fence.",
            f"A rancher owns {length} meters of wire for a rectangular paddock.",
        )
    )
    body = ["One side runs along a river and needs no fence."] if side else []
    question = rng.choice(
        (
            "What length and width give the largest area?",
            "Which dimensions maximize the enclosed area?",
            "How should the fence be used to enclose as much ground as possible?",
        )
    )
    return intro, body, question


def _pricing(rng: random.Random) -> tuple[str, list[str], str]:
    item = rng.choice(("lemonade", "T-shirts", "concert tickets", "coffee", "phone cases"))
    a, b, c = rng.randint(200, 2000), rng.randint(2, 40), rng.randint(1, 20)
    intro = rng.choice(
        (
            f"A seller of {item} chooses a price p.",
            f"A vendor must set the price of {item}.",
            f"A small business sells {item} and is deciding what to charge.",
        )
    )
    body = [
        rng.choice(
            (
                f"At a price of p dollars, {a} - {b}p units are sold each week.",
                f"Weekly demand falls with price: it is {a} minus {b} times the price.",
            )
        ),
        f"Each unit costs ${c} to make.",
    ]
    question = rng.choice(
        (
            "What price maximizes weekly profit, which is price times quantity minus costs?",
            "Which price gives the highest revenue minus cost?",
            "Find the profit-maximizing price.",
        )
    )
    return intro, body, question


def _box(rng: random.Random) -> tuple[str, list[str], str]:
    w, h = rng.randint(10, 60), rng.randint(10, 60)
    intro = rng.choice(
        (
            f"An open box is made from a {w} cm by {h} cm sheet of cardboard.",
            f"A tinsmith folds a {w} by {h} inch metal sheet into an open-top tray.",
        )
    )
    body = ["Equal squares are cut from each corner and the sides are folded up."]
    question = rng.choice(
        (
            "What size of square gives the box the largest volume?",
            "How big should the cut squares be to maximize the volume?",
        )
    )
    return intro, body, question


def _portfolio(rng: random.Random) -> tuple[str, list[str], str]:
    v1, v2, cov = rng.randint(2, 30), rng.randint(2, 30), rng.randint(1, 10)
    m1 = rng.randint(2, 8)
    m2 = rng.randint(m1 + 2, 15)
    r = rng.randint(m1 + 1, m2 - 1)
    intro = rng.choice(
        (
            "An investor splits money between two stocks, X and Y.",
            "A fund manager combines two assets in a portfolio.",
        )
    )
    body = [
        f"Their expected returns are {m1}% and {m2}%.",
        f"The variances of their returns are {v1} and {v2}, and the covariance is {cov}.",
        f"The expected return of the portfolio must be at least {r}%.",
    ]
    question = rng.choice(
        (
            "What weights minimize the variance of the portfolio?",
            "How should the money be split to make the portfolio risk as small as possible?",
        )
    )
    return intro, body, question


def _ratio(rng: random.Random) -> tuple[str, list[str], str]:
    p1, p2, h1, h2 = rng.randint(10, 60), rng.randint(10, 60), rng.randint(2, 6), rng.randint(2, 6)
    intro = f"A workshop makes lamps and stools, earning ${p1} per lamp and ${p2} per stool."
    body = [
        f"A lamp takes {h1} hours of labor and a stool takes {h2} hours.",
        f"At least {rng.randint(5, 20)} items must be made.",
    ]
    question = rng.choice(
        (
            "What production plan maximizes the profit earned per hour of labor?",
            "Which mix gives the highest ratio of total profit to total labor hours?",
        )
    )
    return intro, body, question


def _can(rng: random.Random) -> tuple[str, list[str], str]:
    volume = rng.randint(2, 20) * 50
    intro = f"A cylindrical can must hold {volume} cubic centimeters."
    body = ["The material cost is proportional to the surface area, top and bottom included."]
    question = rng.choice(
        (
            "What radius and height minimize the amount of metal?",
            "Find the dimensions of the cheapest can.",
        )
    )
    return intro, body, question


def _quadratic_cost(rng: random.Random) -> tuple[str, list[str], str]:
    a, b, demand = rng.randint(1, 9), rng.randint(1, 9), rng.randint(50, 500)
    intro = "A company produces the same part in two plants."
    body = [
        f"Producing x units in plant 1 costs {a}x squared dollars, and y units in plant 2 cost "
        f"{b}y squared dollars.",
        f"Together the plants must make {demand} parts.",
    ]
    question = "How should production be split to minimize the total cost?"
    return intro, body, question


def _garden(rng: random.Random) -> tuple[str, list[str], str]:
    area, cost1, cost2 = rng.randint(50, 900), rng.randint(2, 20), rng.randint(2, 20)
    intro = f"A rectangular garden must have an area of at least {area} square meters."
    body = [
        f"Fencing costs ${cost1} per meter on the front and ${cost2} per meter on the other "
        "three sides."
    ]
    question = rng.choice(
        (
            "What length and width minimize the cost of fencing?",
            "Find the cheapest garden dimensions.",
        )
    )
    return intro, body, question


_NONLINEAR = (_fence, _pricing, _box, _portfolio, _ratio, _can, _quadratic_cost, _garden)


@family("nonlinear_problem", kinds=("nonlinear",))
def nonlinear_problem(rng: random.Random) -> Draft:
    """Optimization problems outside linear models: products, squares or ratios of decisions."""
    intro, body, question = rng.choice(_NONLINEAR)(rng)
    return Draft(
        intro=intro,
        clauses=[Clause(text) for text in body],
        question=question,
        declarations=[],
        objective="",
        refusal="nonlinear",
    )
