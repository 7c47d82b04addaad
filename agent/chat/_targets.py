"""What a turn can edit in the loaded formulation, and which of those the user's words name.

A what-if changes one number: a scalar parameter, one entry of an indexed parameter, the
numeric right-hand side of a constraint, a variable's coefficient in the objective, or a
variable bound. ``edit_targets`` lists them under their names in the formulation (so a model
choosing one picks from this list, never a name of its own), and ``match_targets`` scores the
user's words against them; a tie is a question back to the user, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from agent.chat._edits import Edit
from solvers.formulation import Formulation

TargetKind = Literal["parameter", "rhs", "objective", "bound", "constraint"]

_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
_COMPARISON = re.compile(r"(<=|>=|==)")
# Words that say "the objective's coefficient" in a maximization or a minimization.
_OBJECTIVE_WORDS = {
    "maximize": ("profit", "price", "revenue", "earn", "margin", "return", "value", "objective"),
    "minimize": ("cost", "price", "expense", "spend", "charge", "objective", "value"),
}
_BOUND_WORDS = {
    "upper": ("most", "maximum", "max", "cap", "upper", "limit", "no more"),
    "lower": ("least", "minimum", "min", "lower", "floor", "no less"),
}
_ORDINALS = {
    "first": "1", "second": "2", "third": "3", "fourth": "4", "fifth": "5", "sixth": "6",
}  # fmt: skip
_STOP = {
    "what", "if", "the", "a", "an", "is", "are", "was", "were", "be", "to", "of", "for", "in",
    "on", "at", "we", "had", "have", "has", "it", "its", "and", "or", "by", "with", "instead",
    "suppose", "now", "then", "would", "could", "should", "only", "per", "each", "unit",
    "units", "change", "set", "make", "let", "s", "our", "there", "this", "that", "from",
    "become", "becomes", "new", "value",
}  # fmt: skip


def stem(word: str) -> str:
    """A crude stem: lower case without a plural ending ("hours" -> "hour", "cakes" -> "cake")."""
    word = word.lower()
    for suffix, repl in (("ies", "y"), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) > len(suffix) + 2 and not word.endswith("ss"):
            if suffix == "es" and not word.endswith(("ches", "shes", "xes", "sses")):
                continue
            return word[: -len(suffix)] + repl
    return word


def words_of(text: str) -> list[str]:
    """The stems of a text's words; ``snake_case`` and ``plant2`` split into their parts."""
    out: list[str] = []
    for token in re.findall(r"[A-Za-z_][A-Za-z0-9_]*|\d+", text):
        parts = [p for p in re.split(r"_|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])", token) if p]
        out.extend(stem(p) for p in parts)
    return out


@dataclass(frozen=True)
class Target:
    """One number a what-if can change.

    Attributes:
        key: its name as the user and the model see it (``capacity``, ``demand[2]``,
            ``plant2``, ``cake``, ``make.upper``); unique among the targets.
        kind: what the number is.
        name: the formulation element (parameter, constraint or variable name).
        index: the entry of an indexed parameter ("" otherwise).
        current: its value now (None: an absent bound).
        words: stems of its name's parts, all needed to name it; ``extras`` (index elements)
            and digits in the name make the naming sharper; ``hints`` are weaker words
            (descriptions, words for the kind).
        numbers: numbers that are part of its name ("2" of ``plant2``): not a new value.
    """

    key: str
    kind: TargetKind
    name: str
    index: str = ""
    current: float | None = None
    words: tuple[str, ...] = ()
    extras: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    numbers: tuple[str, ...] = field(default=())

    def describe(self) -> str:
        """How a clarifying question names it."""
        now = "none" if self.current is None else f"{self.current:g}"
        if self.kind == "constraint":
            return f"constraint {self.key}"
        what = {
            "parameter": "parameter",
            "rhs": "the right-hand side of constraint",
            "objective": "the objective coefficient of",
            "bound": f"the {self.index} bound of",
        }[self.kind]
        what = f"{what} {self.name if self.kind == 'bound' else self.key}"
        return f"{what} (now {now})"

    def edit(self, value: float) -> Edit:
        """The structured edit setting this target to ``value``."""
        if self.kind == "parameter":
            return Edit(op="set_parameter", name=self.name, index=self.index, value=value)
        if self.kind == "rhs":
            return Edit(op="set_rhs", name=self.name, value=value)
        if self.kind == "objective":
            return Edit(op="set_objective_coefficient", name=self.name, value=value)
        if self.kind == "bound":
            return Edit(op="set_bound", name=self.name, bound=self.index, value=value)  # type: ignore[arg-type]  # index holds "lower"/"upper" for bounds
        return Edit(op="remove_constraint", name=self.name)


def split_comparison(expression: str) -> tuple[str, str, str] | None:
    """``(left, operator, right)`` of a one-comparison expression, or None."""
    parts = _COMPARISON.split(expression)
    if len(parts) != 3:
        return None
    return parts[0].strip(), parts[1], parts[2].strip()


def numeric(text: str) -> float | None:
    """The number a text is, or None."""
    try:
        return float(text)
    except ValueError:
        return None


def coefficient_term(expression: str, variable: str) -> re.Match[str] | None:
    """The ``[NUMBER*]variable`` term of a scalar variable in a linear objective, when the
    variable occurs exactly once, as a term added (not subtracted, multiplied or divided)."""
    occurrences = re.findall(rf"(?<![\w.\[]){re.escape(variable)}(?![\w\[])", expression)
    if len(occurrences) != 1:
        return None
    return re.search(
        rf"(?:^|(?<=\+))\s*(?:(?P<coef>\d+(?:\.\d+)?)\s*\*\s*)?"
        rf"{re.escape(variable)}\b(?!\s*[*/])",
        expression,
    )


def objective_coefficient(expression: str, variable: str) -> float | None:
    """The literal coefficient of a scalar variable in a linear objective (``3*doors`` -> 3)."""
    term = coefficient_term(expression, variable)
    if term is None:
        return None
    return float(term["coef"]) if term["coef"] else 1.0


def edit_targets(formulation: Formulation) -> list[Target]:
    """Every number of ``formulation`` a what-if can change, in formulation order."""
    out: list[Target] = []
    sets = {s.name: s.elements for s in formulation.sets}
    for param in formulation.parameters:
        hints = tuple(words_of(param.description))
        if not param.index and isinstance(param.value, int | float):
            out.append(
                Target(
                    param.name,
                    "parameter",
                    param.name,
                    current=float(param.value),
                    words=tuple(words_of(param.name)),
                    hints=hints,
                    numbers=tuple(re.findall(r"\d+", param.name)),
                )
            )
        elif len(param.index) == 1 and isinstance(param.value, list):
            for element, value in zip(sets.get(param.index[0], []), param.value, strict=False):
                if isinstance(value, int | float):
                    out.append(
                        Target(
                            f"{param.name}[{element}]",
                            "parameter",
                            param.name,
                            index=str(element),
                            current=float(value),
                            words=tuple(words_of(param.name)),
                            extras=tuple(words_of(str(element))),
                            hints=hints,
                            numbers=tuple(re.findall(r"\d+", f"{param.name} {element}")),
                        )
                    )
    sense = formulation.objective.sense
    for var in formulation.variables:
        if var.index:
            continue
        coefficient = objective_coefficient(formulation.objective.expression, var.name)
        if coefficient is not None:
            out.append(
                Target(
                    var.name,
                    "objective",
                    var.name,
                    current=coefficient,
                    words=tuple(words_of(var.name)),
                    hints=(*words_of(var.description), *_OBJECTIVE_WORDS[sense]),
                    numbers=tuple(re.findall(r"\d+", var.name)),
                )
            )
    for con in formulation.constraints:
        split = split_comparison(con.expression)
        rhs = numeric(split[2]) if split and not con.for_all else None
        if rhs is not None:
            out.append(
                Target(
                    con.name,
                    "rhs",
                    con.name,
                    current=rhs,
                    words=tuple(words_of(con.name)),
                    hints=tuple(words_of(con.description)),
                    numbers=tuple(re.findall(r"\d+", con.name)),
                )
            )
    for var in formulation.variables:
        for bound in ("upper", "lower"):
            out.append(
                Target(
                    f"{var.name}.{bound}",
                    "bound",
                    var.name,
                    index=bound,
                    current=getattr(var, bound),
                    words=tuple(words_of(var.name)),
                    hints=tuple(stem(w) for w in _BOUND_WORDS[bound]),
                    numbers=tuple(re.findall(r"\d+", var.name)),
                )
            )
    return out


def constraint_targets(formulation: Formulation) -> list[Target]:
    """The constraints a turn can remove."""
    return [
        Target(
            c.name,
            "constraint",
            c.name,
            words=tuple(words_of(c.name)),
            hints=tuple(words_of(c.description)),
            numbers=tuple(re.findall(r"\d+", c.name)),
        )
        for c in formulation.constraints
    ]


@dataclass(frozen=True)
class Match:
    """The targets the words name best, with the score that decided."""

    best: list[Target]
    score: float


def match_targets(text: str, targets: list[Target]) -> Match:
    """Score each target by the user's words and return the best ones.

    A target's own name words count 2 each (all of a multi-part name must be there), an
    exact compound key in the text (``demand[2]``, ``plant_2``) counts 10, a hint word 1, and
    an index element or name digit the text lacks costs 1. A target named by no word of its own
    is left out (a hint alone never picks a target).
    """
    said = [_ORDINALS.get(w, w) for w in words_of(text) if w not in _STOP]
    said_set = set(said)
    lowered = text.lower()
    scores: list[tuple[float, Target]] = []
    for target in targets:
        own = [w for w in target.words if not w.isdigit()]
        digits = [w for w in target.words if w.isdigit()] + list(target.extras)
        named = bool(own) and all(w in said_set for w in own)
        if not named and not _key_in(target.key, lowered):
            continue
        score = 2.0 * len(set(own)) + 2.0 * sum(1 for d in digits if d in said_set)
        if any(d not in said_set for d in digits):
            score -= 1.0  # "plant3_hours" is named less well than "plant2" by "second plant"
        score += sum(1.0 for h in set(target.hints) if h not in own and _said(h, said_set))
        if re.search(r"[\[._0-9]", target.key) and _key_in(target.key, lowered):
            score += 10.0
        scores.append((score, target))
    if not scores:
        return Match([], 0.0)
    top = max(s for s, _ in scores)
    return Match([t for s, t in scores if s == top], top)


def _said(hint: str, said: set[str]) -> bool:
    """A hint word is said as itself or, when it has four letters or more, as the start of a
    word ("earn" in "earned")."""
    return hint in said or (len(hint) >= 4 and any(w.startswith(hint) for w in said))


def _key_in(key: str, lowered: str) -> bool:
    return re.search(rf"(?<![\w\[]){re.escape(key.lower())}(?![\w\]])", lowered) is not None


def free_numbers(text: str, target: Target | None) -> list[float]:
    """The numbers of ``text`` that are not part of the target's name or index."""
    numbers = _NUMBER.findall(text)
    taken = list(target.numbers) if target is not None else []
    out: list[float] = []
    for raw in numbers:
        if raw in taken:
            taken.remove(raw)
            continue
        out.append(float(raw))
    return out
