"""Shared phrasings for families: numbers and money as texts write them, bounds, ratios, shares.

Every helper that states a constraint returns the sentence and its compact row together, so a
family cannot phrase one thing and formulate another.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from evals.synthetic.families._api import Clause
from solvers.compact import canonical

Terms = Mapping[str, float] | Sequence[tuple[float, str]]

AT_LEAST = ("at least", "no less than", "a minimum of", "not less than")
AT_MOST = ("at most", "no more than", "a maximum of", "up to", "not more than")
_TIMES = {
    2: ("twice", "two times", "double"),
    3: ("three times", "triple", "thrice"),
    4: ("four times",),
}
_MULTIPLE_WORDS = {2: "twice", 3: "three times", 4: "four times"}


def num(value: float) -> str:
    """A number as a compact row writes it (canonical)."""
    return canonical(value)


def lin(terms: Terms) -> str:
    """A compact linear expression: ``30 chairs + 50 tables - x`` (coefficient 1 left out)."""
    pairs = [(c, n) for n, c in terms.items()] if isinstance(terms, Mapping) else list(terms)
    out = ""
    for position, (coefficient, name) in enumerate(p for p in pairs if p[0] != 0):
        magnitude = abs(coefficient)
        term = name if magnitude == 1 else f"{num(magnitude)} {name}"
        if position == 0:
            out = f"-{term}" if coefficient < 0 else term
        else:
            out += f" - {term}" if coefficient < 0 else f" + {term}"
    return out or "0"


def row(terms: Terms, op: str, rhs: float | str) -> str:
    """A compact constraint row: ``lin(terms) op rhs``."""
    right = rhs if isinstance(rhs, str) else num(rhs)
    return f"{lin(terms)} {op} {right}"


def written(value: float, rng: random.Random) -> str:
    """A number as a text writes it: ``1,200`` or ``1200``; decimals as they are."""
    if value == int(value):
        whole = int(value)
        return f"{whole:,}" if whole >= 1000 and rng.random() < 0.5 else str(whole)
    return canonical(value)


def money(value: float, rng: random.Random) -> str:
    """An amount of money in one of the forms problems use ($1,200, 1200 dollars, \\$1200...)."""
    amount = written(value, rng)
    form = rng.randrange(6)
    if form == 0:
        return f"${amount}"
    if form == 1:
        return f"{amount} dollars"
    if form == 2:
        return f"\\${amount}"
    if form == 3:
        return f"USD {amount}"
    if form == 4:
        return f"${amount}.00" if "." not in amount else f"${amount}"
    return f"€{amount}"


def percent(share: float, rng: random.Random) -> str:
    """A share (0.3) as a text writes it: ``30%`` or ``30 percent``."""
    value = canonical(share * 100)
    return f"{value}%" if rng.random() < 0.6 else f"{value} percent"


def at_least(rng: random.Random) -> str:
    return rng.choice(AT_LEAST)


def at_most(rng: random.Random) -> str:
    return rng.choice(AT_MOST)


def bound_words(op: str, rng: random.Random) -> str:
    """``at least`` / ``at most`` / ``exactly`` for ``>=`` / ``<=`` / ``=``."""
    return {">=": at_least, "<=": at_most}.get(op, lambda r: "exactly")(rng)


def singular(plural: str) -> str:
    """``shelves`` -> ``shelf``, ``benches`` -> ``bench``, ``doors`` -> ``door``."""
    if plural.endswith("ves"):
        return plural[:-3] + "f"
    if plural.endswith(("ches", "shes", "sses")):
        return plural[:-2]
    return plural[:-1] if plural.endswith("s") else plural


def join(names: Sequence[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def times(k: float, rng: random.Random) -> str:
    """``twice`` / ``three times`` / ``1.5 times``: a multiple as problems write it."""
    if k == int(k) and int(k) in _TIMES:
        return rng.choice(_TIMES[int(k)])
    return f"{canonical(k)} times"


def whole_numbers(noun: str, rng: random.Random) -> str:
    """A sentence stating integrality in words."""
    return rng.choice(
        (
            f"Only whole numbers of {noun} are possible.",
            f"The numbers of {noun} must be integers.",
            f"Fractional {noun} are not allowed.",
            f"All quantities of {noun} must be whole numbers.",
            f"Since {noun} cannot be split, each count must be an integer.",
        )
    )


def ratio_clause(
    a: str, b: str, k: float, op: str, rng: random.Random, *, noun: str = ""
) -> Clause:
    """``a op k * b`` in words: "at least twice as many chairs as tables"."""
    a_text, b_text = (f"{a} {noun}".strip(), f"{b} {noun}".strip())
    words = bound_words(op, rng)
    text = rng.choice(
        (
            f"There must be {words} {times(k, rng)} as many {a_text} as {b_text}.",
            f"The amount of {a_text} should be {words} {times(k, rng)} the amount of {b_text}.",
            f"{a_text[0].upper() + a_text[1:]} must be {words} {times(k, rng)} {b_text}.",
        )
    )
    return Clause(text, (f"{a} {op} {lin([(k, b)])}",))


def share_clause(
    a: str, names: Sequence[str], share: float, op: str, rng: random.Random, *, total: str
) -> Clause:
    """``a op share * (sum of names)`` in words: "chairs may be at most 30% of all units"."""
    words = bound_words(op, rng)
    head = a[0].upper() + a[1:]
    text = rng.choice(
        (
            f"{head} must account for {words} {percent(share, rng)} of the {total}.",
            f"{words[0].upper() + words[1:]} {percent(share, rng)} of the {total} may be {a}.",
            f"The share of {a} in the {total} is {words} {percent(share, rng)}.",
        )
    )
    return Clause(text, (f"{a} {op} {num(share)} ({lin([(1, n) for n in names])})",))


def difference_clause(
    a: str, b: str, gap: float, op: str, rng: random.Random, *, unit: str = "units"
) -> Clause:
    """``a - b op gap`` in words: "chairs must exceed tables by at least 20 units"."""
    words = bound_words(op, rng)
    text = rng.choice(
        (
            f"{a[0].upper() + a[1:]} must exceed {b} by {words} {written(gap, rng)} {unit}.",
            f"The difference between {a} and {b} must be {words} {written(gap, rng)} {unit}.",
            f"{a[0].upper() + a[1:]} minus {b} should be {words} {written(gap, rng)} {unit}.",
        )
    )
    return Clause(text, (f"{a} - {b} {op} {num(gap)}",))


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A small Markdown table (one of the surface forms of data-heavy problems)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in r) + " |" for r in rows]
    return "\n".join(lines)
