"""Allocation families: a quantity split among labelled options under generic linear statements.

Many benchmark problems are written this way: a few options named by letters (``X``, ``Y``),
indices (``x1``) or single words, costs or returns given "respectively", and each constraint a
sentence stating one linear relation in words ("the combined hours of X and Y", "twice X plus
Y", "X must exceed Y by at least 300", "at least twice Y plus an additional 50"). These
families write such sentences from a seeded draw of the relation itself, so the phrasing
varies while every row stays what the sentence says.

Feasibility is built in: a hidden allocation is drawn first and every right-hand side is set
so that it satisfies the row, with some slack.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from evals.synthetic.families._api import Clause, Draft, family
from evals.synthetic.families._phrasing import join, lin, money, row, written
from solvers.compact import canonical


@dataclass(frozen=True)
class _Setting:
    """Who allocates what to which kind of option, and in which unit."""

    actor: str
    options: str  # plural noun for the options ("advertising channels")
    measure: str  # what is allocated ("budget", "hours")
    unit: str  # its unit in sentences ("dollars", "hours", "units")
    descriptions: tuple[str, ...]  # single-word descriptions of options
    money_unit: bool = False


_SETTINGS = (
    _Setting(
        "A marketing manager",
        "advertising channels",
        "budget",
        "dollars",
        ("television", "radio", "online", "print", "outdoor", "social"),
        money_unit=True,
    ),
    _Setting(
        "A coach",
        "training areas",
        "hours",
        "hours",
        ("strength", "skills", "strategy", "recovery", "endurance", "flexibility"),
    ),
    _Setting(
        "A project manager",
        "tasks",
        "hours of work",
        "hours",
        ("design", "coding", "testing", "documentation", "review", "deployment"),
    ),
    _Setting(
        "A manufacturing company",
        "product lines",
        "production",
        "units",
        ("widgets", "gadgets", "gizmos", "sprockets", "valves", "pumps"),
    ),
    _Setting(
        "An investor",
        "investment options",
        "funds",
        "dollars",
        ("stocks", "bonds", "realestate", "commodities", "crypto", "savings"),
        money_unit=True,
    ),
    _Setting(
        "An energy company",
        "energy sources",
        "capacity",
        "megawatts",
        ("solar", "wind", "hydro", "gas", "nuclear", "biomass"),
    ),
    _Setting(
        "A hospital administrator",
        "departments",
        "staff hours",
        "hours",
        ("emergency", "surgery", "pediatrics", "radiology", "cardiology", "oncology"),
    ),
    _Setting(
        "A military commander",
        "unit types",
        "deployment",
        "units",
        ("infantry", "armor", "artillery", "aviation", "logistics", "engineers"),
    ),
    _Setting(
        "A farmer",
        "crops",
        "land",
        "acres",
        ("wheat", "corn", "soybeans", "barley", "oats", "rice"),
    ),
    _Setting(
        "A logistics company",
        "delivery routes",
        "trucks",
        "trucks",
        ("north", "south", "east", "west", "central", "coastal"),
    ),
    _Setting(
        "A city planner",
        "projects",
        "resources",
        "units",
        ("parks", "roads", "housing", "transit", "schools", "libraries"),
    ),
    _Setting(
        "A software company",
        "teams",
        "developer hours",
        "hours",
        ("frontend", "backend", "security", "infrastructure", "data", "mobile"),
    ),
    _Setting(
        "A university",
        "research areas",
        "grant money",
        "dollars",
        ("physics", "biology", "chemistry", "engineering", "medicine", "economics"),
        money_unit=True,
    ),
    _Setting(
        "A restaurant manager",
        "menu sections",
        "kitchen time",
        "minutes",
        ("appetizers", "mains", "desserts", "drinks", "salads", "soups"),
    ),
    _Setting(
        "An environmental agency",
        "conservation programs",
        "funding",
        "dollars",
        ("forests", "wetlands", "rivers", "wildlife", "coasts", "grasslands"),
        money_unit=True,
    ),
    _Setting(
        "A telecom operator",
        "network upgrades",
        "engineer hours",
        "hours",
        ("fiber", "towers", "routers", "satellites", "cables", "antennas"),
    ),
)

_LETTERS = (("X", "Y", "Z", "W"), ("A", "B", "C", "D"), ("P", "Q", "R", "S"))
_LE = (
    "cannot exceed",
    "must not exceed",
    "should not surpass",
    "is limited to",
    "can be at most",
    "must be no more than",
    "should be at most",
    "may not be more than",
    "should be less than or equal to",
    "is capped at",
)
_GE = (
    "must be at least",
    "should be no less than",
    "needs to be at least",
    "must be a minimum of",
    "has to be at least",
    "cannot be less than",
    "must be greater than or equal to",
    "should reach at least",
)
_EQ = ("must be exactly", "has to equal", "must equal")
_OP_WORDS = {"<=": _LE, ">=": _GE, "=": _EQ}
_WHOLE = (
    "All allocations must be whole numbers.",
    "Only integer amounts can be allocated because the units are indivisible.",
    "Each allocation has to be a whole number due to the nature of the {options}.",
    "Fractional allocations are not possible, so every amount must be an integer.",
    "The amounts must be integers (no partial {unit}).",
)


@dataclass
class _Problem:
    """One draw: names, how the text refers to them, the hidden feasible allocation."""

    setting: _Setting
    names: list[str]
    refs: dict[str, str]  # how sentences name each option
    point: dict[str, float]
    integer: bool

    def ref(self, name: str, rng: random.Random) -> str:
        return self.refs[name] if rng.random() < 0.8 else name

    def value(self, terms: Sequence[tuple[float, str]]) -> float:
        return sum(c * self.point[n] for c, n in terms)


def _nice(value: float, direction: str, rng: random.Random) -> float:
    """A round right-hand side at or beyond ``value`` in the slack ``direction`` (up/down)."""
    step = rng.choice((1, 5, 10)) if abs(value) < 200 else rng.choice((10, 50, 100))
    if direction == "up":
        return float(math.ceil(value / step) * step)
    return float(math.floor(value / step) * step)


def _rhs(p: _Problem, terms: Sequence[tuple[float, str]], op: str, rng: random.Random) -> float:
    """A right-hand side the hidden allocation satisfies: tight, or with some slack."""
    value = p.value(terms)
    slack = 0.0 if rng.random() < 0.35 else abs(value) * rng.uniform(0.05, 0.4)
    if op == "<=":
        return _nice(value + slack, "up", rng)
    if op == ">=":
        return _nice(value - slack, "down", rng)
    return float(round(value))


def _multiple(k: float, rng: random.Random) -> str:
    """A coefficient as words before a name: ``twice``, ``three times``, ``half of``."""
    if k == 0.5:
        return rng.choice(("half of", "half the amount of", "0.5 times"))
    if k == 0.25:
        return rng.choice(("a quarter of", "0.25 times"))
    if k < 1:
        return f"{canonical(k * 100)}% of"
    words = {
        2: ("twice", "two times", "double"),
        3: ("three times", "thrice", "triple"),
        4: ("four times",),
        5: ("five times",),
    }.get(int(k) if k == int(k) else 0)
    if words and rng.random() < 0.7:
        return rng.choice(words)
    return f"{canonical(k)} times"


def _term_words(k: float, ref: str, rng: random.Random) -> str:
    return ref if k == 1 else f"{_multiple(k, rng)} {ref}"


def _cap(text: str) -> str:
    return text[0].upper() + text[1:]


def _combined(p: _Problem, rng: random.Random) -> Clause:
    chosen = rng.sample(p.names, rng.randint(2, min(3, len(p.names))))
    op = rng.choice(("<=", "<=", ">="))
    terms = [(1.0, n) for n in chosen]
    rhs = _rhs(p, terms, op, rng)
    if rhs <= 0:
        op, rhs = "<=", _rhs(p, terms, "<=", rng)
    refs = join([p.ref(n, rng) for n in chosen])
    words = rng.choice(_OP_WORDS[op])
    amount = f"{written(rhs, rng)} {p.setting.unit}" if rng.random() < 0.6 else written(rhs, rng)
    m = p.setting.measure
    text = rng.choice(
        (
            f"The combined {m} for {refs} {words} {amount}.",
            f"The total {m} allocated to {refs} {words} {amount}.",
            f"Together, {refs} {words} {amount}.",
            f"The sum of {refs} {words} {amount}.",
            f"{_cap(m)} for {refs} combined {words} {amount}.",
        )
    )
    return Clause(text, (row(terms, op, rhs),))


def _weighted(p: _Problem, rng: random.Random) -> Clause:
    chosen = rng.sample(p.names, rng.randint(2, min(3, len(p.names))))
    coefficients = [
        rng.choice((1, 1, 2, 3, 4, 5, 0.5, 0.25, 0.15, 0.3, 1.5, 2.5, 6, 7, 8, 10)) for _ in chosen
    ]
    if all(c == 1 for c in coefficients):
        coefficients[0] = 2
    if len(chosen) == 3 and rng.random() < 0.4:
        coefficients[-1] = -coefficients[-1]
    terms = list(zip(map(float, coefficients), chosen, strict=True))
    if p.value(terms) <= 0:
        terms = [(abs(c), n) for c, n in terms]
    op = rng.choice(("<=", ">="))
    rhs = _rhs(p, terms, op, rng)
    if rhs <= 0:
        op, rhs = "<=", _rhs(p, terms, "<=", rng)
    words = rng.choice(_OP_WORDS[op])
    style = rng.randrange(3)
    if style == 0 or any(c < 0 for c, _ in terms):
        spoken = _term_words(terms[0][0], p.ref(terms[0][1], rng), rng)
        for c, n in terms[1:]:
            link = "minus" if c < 0 else "plus"
            spoken += f" {link} {_term_words(abs(c), p.ref(n, rng), rng)}"
        text = rng.choice(
            (
                f"{_cap(spoken)} {words} {written(rhs, rng)}.",
                f"The weighted sum of {spoken} {words} {written(rhs, rng)}.",
                f"{_cap(spoken)} {words} {written(rhs, rng)} {p.setting.unit}.",
            )
        )
    elif style == 1:
        parts = join([f"{canonical(c)} for each unit of {p.ref(n, rng)}" for c, n in terms])
        resource = rng.choice(
            ("labor hours", "storage space", "machine time", "a resource", "supervision", "points")
        )
        text = rng.choice(
            (
                f"Each option uses {resource}: {parts}; the total {words} {written(rhs, rng)}.",
                f"The {resource} needed is {parts}, and it {words} {written(rhs, rng)} in total.",
            )
        )
    else:
        parts = join([f"{canonical(c)} units from {p.ref(n, rng)}" for c, n in terms])
        text = rng.choice(
            (
                f"The combined effect of {parts} {words} {written(rhs, rng)}.",
                f"A total of {parts} {words} {written(rhs, rng)}.",
            )
        )
    return Clause(text, (row(terms, op, rhs),))


def _difference(p: _Problem, rng: random.Random) -> Clause:
    a, b = rng.sample(p.names, 2)
    ra, rb = p.ref(a, rng), p.ref(b, rng)
    gap_value = p.point[a] - p.point[b]
    u = p.setting.unit
    if gap_value > 0 and rng.random() < 0.6:  # a exceeds b by at least a gap
        gap = _nice(gap_value * rng.uniform(0.3, 1.0), "down", rng)
        if gap <= 0:
            return Clause(f"{_cap(ra)} must be at least as large as {rb}.", (f"{a} >= {b}",))
        g = written(gap, rng)
        text = rng.choice(
            (
                f"{_cap(ra)} should be at least {g} more than {rb}.",
                f"{_cap(ra)} must exceed {rb} by at least {g} {u}.",
                f"There must be a minimum gap of {g} {u} between {ra} and {rb}, with {ra} larger.",
                f"The difference between {ra} and {rb} must be at least {g}.",
                f"{_cap(ra)} minus {rb} should be no less than {g}.",
            )
        )
        return Clause(text, (f"{a} - {b} >= {canonical(gap)}",))
    gap = _nice(abs(gap_value) + rng.uniform(0, 20), "up", rng)
    g = written(gap, rng)
    text = rng.choice(
        (
            f"The difference between {ra} and {rb} cannot exceed {g}.",
            f"{_cap(ra)} can be at most {g} {u} more than {rb}.",
            f"{_cap(ra)} minus {rb} must not be more than {g}.",
            f"{_cap(ra)} should not exceed {rb} by more than {g} {u}.",
        )
    )
    return Clause(text, (f"{a} - {b} <= {canonical(gap)}",))


def _ratio(p: _Problem, rng: random.Random) -> Clause:
    a, b = rng.sample(p.names, 2)
    ra, rb = p.ref(a, rng), p.ref(b, rng)
    k = rng.choice((2, 3, 1.5, 0.5, 2, 4))
    surplus = p.point[a] - k * p.point[b]
    kw = _multiple(k, rng).removesuffix(" of")
    if surplus >= 0:
        offset = _nice(surplus * rng.uniform(0.2, 0.9), "down", rng) if rng.random() < 0.5 else 0
        if offset > 0:
            o = written(offset, rng)
            text = rng.choice(
                (
                    f"{_cap(ra)} must be at least {kw} {rb} plus an additional {o}.",
                    f"{_cap(ra)} should be no less than {kw} {rb} plus {o} {p.setting.unit}.",
                    f"{_cap(ra)} must exceed {kw} {rb} by at least {o}.",
                )
            )
            return Clause(text, (f"{a} >= {lin([(k, b)])} + {canonical(offset)}",))
        text = rng.choice(
            (
                f"{_cap(ra)} must be at least {kw} {rb}.",
                f"{_cap(ra)} should be no less than {kw} the amount for {rb}.",
                f"The amount for {ra} must be at least {kw} that of {rb}.",
            )
        )
        return Clause(text, (f"{a} >= {lin([(k, b)])}",))
    text = rng.choice(
        (
            f"{_cap(ra)} cannot exceed {kw} {rb}.",
            f"{_cap(ra)} must be no more than {kw} the amount for {rb}.",
            f"The amount for {ra} should be at most {kw} that of {rb}.",
        )
    )
    return Clause(text, (f"{a} <= {lin([(k, b)])}",))


def _bound(p: _Problem, rng: random.Random) -> Clause:
    a = rng.choice(p.names)
    ra = p.ref(a, rng)
    value = p.point[a]
    u = p.setting.unit
    amount = money if p.setting.money_unit else None
    if value > 0 and rng.random() < 0.6:
        low = _nice(value * rng.uniform(0.3, 1.0), "down", rng)
        if low > 0:
            lw = amount(low, rng) if amount else f"{written(low, rng)} {u}"
            text = rng.choice(
                (
                    f"{_cap(ra)} requires at least {lw}.",
                    f"A minimum of {lw} must go to {ra}.",
                    f"{_cap(ra)} needs a minimum allocation of {lw}.",
                    f"At least {lw} has to be allocated to {ra}.",
                )
            )
            return Clause(text, (f"{a} >= {canonical(low)}",))
    high = _nice(value * rng.uniform(1.0, 1.5) + 1, "up", rng)
    hw = amount(high, rng) if amount else f"{written(high, rng)} {u}"
    text = rng.choice(
        (
            f"{_cap(ra)} can receive at most {hw}.",
            f"No more than {hw} can be allocated to {ra}.",
            f"Due to capacity limits, {ra} cannot exceed {hw}.",
            f"The maximum for {ra} is {hw}.",
        )
    )
    return Clause(text, (f"{a} <= {canonical(high)}",))


def _between(p: _Problem, rng: random.Random) -> Clause:
    a = rng.choice(p.names)
    value = p.point[a]
    low = _nice(value * rng.uniform(0.2, 0.9), "down", rng)
    high = _nice(value * rng.uniform(1.1, 1.6) + 1, "up", rng)
    ra = p.ref(a, rng)
    lw, hw = written(low, rng), written(high, rng)
    text = rng.choice(
        (
            f"{_cap(ra)} must be between {lw} and {hw} {p.setting.unit}.",
            f"The allocation for {ra} has to lie between {lw} and {hw}.",
            f"{_cap(ra)} should be at least {lw} but no more than {hw}.",
        )
    )
    rows = (
        (f"{a} <= {canonical(high)}",)
        if low <= 0
        else (f"{a} >= {canonical(low)}", f"{a} <= {canonical(high)}")
    )
    if low <= 0:
        text = rng.choice(
            (
                f"{_cap(ra)} can be at most {hw} {p.setting.unit}.",
                f"The allocation for {ra} cannot exceed {hw}.",
            )
        )
    return Clause(text, rows)


def _total(p: _Problem, op: str, rng: random.Random) -> Clause:
    terms = [(1.0, n) for n in p.names]
    rhs = _rhs(p, terms, op, rng)
    s = p.setting
    words = rng.choice(_OP_WORDS[op])
    amount = money(rhs, rng) if s.money_unit else f"{written(rhs, rng)} {s.unit}"
    text = rng.choice(
        (
            f"The total {s.measure} across all {s.options} {words} {amount}.",
            f"In total, the {s.measure} for all {s.options} {words} {amount}.",
            f"The overall {s.measure} {words} {amount}.",
        )
    )
    return Clause(text, (row(terms, op, rhs),))


_CLAUSES = (_combined, _weighted, _weighted, _difference, _ratio, _bound, _between)


def _draw(rng: random.Random, style: str) -> Draft:
    s = rng.choice(_SETTINGS)
    n = rng.choice((2, 2, 3, 3, 4))
    descriptions = rng.sample(s.descriptions, n)
    if style == "letters":
        names = list(rng.choice(_LETTERS)[:n])
        dollar = rng.random() < 0.4
        refs = {x: rng.choice((f"${x}$", f"{x}")) if dollar else x for x in names}
        listed = join([f"${x}$" if dollar else x for x in names])
        what = rng.choice((listed, f"{listed} ({join(descriptions)})"))
    elif style == "indexed":
        letter = rng.choice("xX")
        names = [f"{letter}{i + 1}" for i in range(n)]
        refs = {x: x for x in names}
        what = ", ".join(f"{x} ({d})" for x, d in zip(names, descriptions, strict=True))
    else:
        names = descriptions
        refs = {
            x: rng.choice((x, f"{x}", f"the {x} option")) if rng.random() < 0.3 else x
            for x in names
        }
        what = join(names)
    scale = rng.choice((10, 20, 50, 100, 500, 1000, 5000))
    point = {x: float(rng.randint(0, scale)) for x in names}
    integer = rng.random() < 0.6
    p = _Problem(s, names, refs, point, integer)
    minimize = rng.random() < 0.7
    costs = {
        x: float(rng.choice((rng.randint(1, 20), rng.randint(5, 100), rng.randint(1, 9) * 10)))
        for x in names
    }
    intro = rng.choice(
        (
            f"{s.actor} is planning to allocate {s.measure} across {n} {s.options}: {what}.",
            f"{s.actor} needs to decide the {s.measure} for {n} {s.options}: {what}.",
            f"{s.actor} is distributing {s.measure} among {s.options} {what}.",
            f"In a planning problem, {s.actor[0].lower() + s.actor[1:]} allocates {s.measure} "
            f"between {what}.",
        )
    )
    word = "cost" if minimize else rng.choice(("return", "profit", "score", "benefit"))
    values = [costs[x] for x in names]
    listed_refs = join([p.ref(x, rng) for x in names])
    if rng.random() < 0.5:
        vals = join([written(v, rng) for v in values])
        data = rng.choice(
            (
                f"The {word} per {s.unit.removesuffix('s')} for {listed_refs} "
                f"is {vals} respectively.",
                f"Each unit allocated to {listed_refs} has a {word} of {vals} respectively.",
                f"The {word}s associated with {listed_refs} are {vals} units respectively.",
            )
        )
    else:
        data = rng.choice(
            (
                f"Each unit of {p.ref(names[0], rng)} has a {word} of "
                + join([f"{money(costs[x], rng)} for {p.ref(x, rng)}" for x in names])
                + ".",
                f"The {word} is "
                + join([f"{written(costs[x], rng)} per unit of {p.ref(x, rng)}" for x in names])
                + ".",
            )
        )
    clauses = [Clause(data, movable=False)]
    if minimize:
        clauses.append(_total(p, ">=", rng) if rng.random() < 0.5 else _combined_ge(p, rng))
    else:
        clauses.append(_total(p, "<=", rng))
    for _ in range(rng.randint(1, 4)):
        clauses.append(rng.choice(_CLAUSES)(p, rng))
    if rng.random() < 0.4:  # a bulleted list of constraints
        header = rng.choice(
            (
                "The following constraints apply:",
                "The constraints are as follows:",
                "The allocation must satisfy these conditions:",
            )
        )
        clauses = [
            clauses[0],
            Clause(f"\n\n{header}", movable=False),
            *(Clause(f"\n- {c.text}", c.rows) for c in clauses[1:]),
        ]
    if integer:
        clauses.append(Clause(rng.choice(_WHOLE).format(options=s.options, unit=s.unit)))
    goal = "minimum total cost" if minimize else f"maximum total {word}"
    rounding = rng.choice(
        (
            "",
            ", rounded to the nearest whole number",
            ", rounded to the nearest dollar" if minimize else "",
        )
    )
    question = rng.choice(
        (
            f"What is the {goal}{rounding}?",
            f"Calculate the {goal} for the optimal allocation{rounding}.",
            f"Find the {goal} that can be achieved{rounding}.",
            f"Determine the optimal allocation and the {goal}{rounding}.",
        )
    )
    direction = "min" if minimize else "max"
    quantities = [(f"The {s.measure} allocated to {x}", x) for x in names]
    quantities.append((f"The total {word}", "objective"))
    return Draft(
        intro=intro,
        clauses=clauses,
        question=question,
        declarations=[("int" if integer else "var", names)],
        objective=f"{direction} {lin(costs)}",
        quantities=quantities,
    )


def _combined_ge(p: _Problem, rng: random.Random) -> Clause:
    chosen = rng.sample(p.names, max(2, len(p.names) - 1)) if len(p.names) > 2 else p.names
    terms = [(1.0, n) for n in chosen]
    rhs = _rhs(p, terms, ">=", rng)
    if rhs <= 0:
        rhs = float(max(1, round(p.value(terms))))
    refs = join([p.ref(n, rng) for n in chosen])
    text = rng.choice(
        (
            f"The combined {p.setting.measure} for {refs} must be at least {written(rhs, rng)}.",
            f"At least {written(rhs, rng)} {p.setting.unit} must be allocated to {refs} together.",
            f"To meet requirements, {refs} together need at least {written(rhs, rng)}.",
        )
    )
    return Clause(text, (row(terms, ">=", rhs),))


@family("allocation_letters")
def allocation_letters(rng: random.Random) -> Draft:
    """Allocate among options named by letters (X, Y, Z) under generic linear statements."""
    return _draw(rng, "letters")


@family("allocation_indexed")
def allocation_indexed(rng: random.Random) -> Draft:
    """Allocate among options x1..x4 described in parentheses, under generic linear statements."""
    return _draw(rng, "indexed")


@family("allocation_named")
def allocation_named(rng: random.Random) -> Draft:
    """Allocate among options named by single words under generic linear statements."""
    return _draw(rng, "named")
