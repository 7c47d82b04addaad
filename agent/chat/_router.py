"""Routing a turn by deterministic rules: a command, a prompt optimization, an explanation
question, a follow-up edit or a new problem. Only what the rules cannot tell goes to a model.

The rules also read the common what-ifs into structured edits (``parse_whatif``), so
"what if labor is 120 hours?" changes one parameter without a model call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from agent.chat._edits import Edit
from solvers.formulation import Formulation

RouteKind = Literal["command", "optimize_prompt", "explain", "edit", "new_problem", "unsure"]

_OPTIMIZE = re.compile(
    r"\boptimi[sz]e\b.*?\bprompt\b(?:\s+[\"'](?P<instruction>[^\"']+)[\"'])?.*?\bon\s+"
    r"(?P<file>\S+?)[.,;!?]?(?:\s+(?:with|using)\s+(?P<method>\w+))?\s*$",
    re.IGNORECASE,
)
_EXPLAIN = re.compile(
    r"^\s*(why\b|how come\b|explain\b|what\s+(limits|drives|binds|constrains)\b|"
    r"which\s+constraints?\b|what(?:'s| is| are)\s+(?:the\s+)?(?:binding|bottleneck|limiting)\b)",
    re.IGNORECASE,
)
_QUESTION = re.compile(r"^\s*(what|which|how much|how many|is|are|does)\b.*\?\s*$", re.IGNORECASE)
_WHATIF = re.compile(
    r"\b(what if|suppose|assume|instead|change|set|increase|decrease|raise|lower|reduce|cut|"
    r"double|halve|add|remove|drop|without|at most|at least|only|now|make it|limit|allow)\b",
    re.IGNORECASE,
)
_FOLLOW_UP = re.compile(r"^\s*(what if|suppose|and if|instead|now)\b", re.IGNORECASE)
_NEW_PROBLEM = re.compile(
    r"\b(maximi[sz]e|minimi[sz]e|a (company|factory|firm|farmer|plant|shop|bakery)|"
    r"produces?|manufactur\w*|profit of|costs? \$?\d)",
    re.IGNORECASE,
)
_NUMBER = r"-?\d+(?:\.\d+)?"
_NUMBERS = re.compile(_NUMBER)
_LITERAL = re.compile(
    rf"\b(?P<name>[A-Za-z_]\w*)(?:\[(?P<index>[^\]]+)\])?\s*(?:=|is|to|of|becomes)\s*"
    rf"(?P<value>{_NUMBER})\b"
)
_BOUND = re.compile(
    rf"\b(?P<name>[A-Za-z_]\w*)\s*(?:is\s+|are\s+)?(?P<op><=|>=|at most|at least|no more than|"
    rf"no less than|up to)\s*(?P<value>{_NUMBER})\b",
    re.IGNORECASE,
)
_RELATIVE = re.compile(
    rf"\b(?P<verb>increase|raise|decrease|reduce|lower|cut)\b.*?\bby\s+(?P<value>{_NUMBER})"
    r"\s*(?P<pct>%|percent)?",
    re.IGNORECASE,
)
_SCALE = re.compile(r"\b(?P<verb>double|halve|triple)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Route:
    """Where a turn goes, with what the rules already read from it.

    Attributes:
        kind: the route.
        text: the turn text.
        edits: structured edits read by the rules (``edit`` only; empty: ask a model).
        file: the data file of a prompt optimization.
        instruction: the baseline instruction of a prompt optimization ("" if not given).
        method: the prompt-optimization method ("" for the default).
        reason: which rule decided (shown in /show trace and the transcript).
    """

    kind: RouteKind
    text: str
    edits: list[Edit] = field(default_factory=list)
    file: str = ""
    instruction: str = ""
    method: str = ""
    reason: str = ""


def route(text: str, formulation: Formulation | None) -> Route:
    """Route one turn by rules.

    Args:
        text: what the user typed.
        formulation: the current formulation, if any.

    Returns:
        A ``Route``; ``unsure`` when a formulation exists and no rule decides (a model may
        classify it).
    """
    stripped = text.strip()
    if stripped.startswith("/"):
        return Route("command", stripped, reason="starts with /")
    match = _OPTIMIZE.search(stripped)
    if match:
        return Route(
            "optimize_prompt",
            stripped,
            file=match["file"],
            instruction=match["instruction"] or "",
            method=(match["method"] or "").lower(),
            reason="'optimize ... prompt ... on FILE'",
        )
    words = len(stripped.split())
    if formulation is None:
        if _EXPLAIN.search(stripped) and words < 12:
            return Route("explain", stripped, reason="a question, but nothing is solved yet")
        if _FOLLOW_UP.search(stripped) and words < 12:
            return Route("edit", stripped, reason="a follow-up, but there is no model yet")
        return Route("new_problem", stripped, reason="no formulation yet")
    if _EXPLAIN.search(stripped):
        return Route("explain", stripped, reason="an explanation question")
    edits = parse_whatif(stripped, formulation)
    if edits:
        return Route("edit", stripped, edits=edits, reason="a what-if the rules could read")
    if _NEW_PROBLEM.search(stripped) and words >= 12:
        return Route("new_problem", stripped, reason="describes a whole problem")
    if _WHATIF.search(stripped):
        return Route("edit", stripped, reason="a follow-up the rules could not read")
    if _QUESTION.search(stripped):
        return Route("explain", stripped, reason="a question about the solution")
    if words >= 25:
        return Route("new_problem", stripped, reason="a long text, read as a new problem")
    return Route("unsure", stripped, reason="no rule matched")


def parse_whatif(text: str, formulation: Formulation) -> list[Edit]:
    """Read a what-if into edits when the rules can: ``NAME is|= VALUE``, ``NAME[i] = VALUE``,
    a parameter named in words with one number, ``VAR at most|<= VALUE``, ``increase NAME by
    N[%]``, ``double|halve NAME``.

    Returns:
        The edits, or [] when the text is not clear enough (a model may try then).
    """
    scalars = {p.name: p for p in formulation.parameters}
    variables = {v.name for v in formulation.variables}
    for match in _BOUND.finditer(text):
        if match["name"] in variables:
            op = match["op"].lower()
            upper = op in ("<=", "at most", "no more than", "up to")
            return [
                Edit(
                    op="set_bound",
                    name=match["name"],
                    bound="upper" if upper else "lower",
                    value=float(match["value"]),
                )
            ]
    for match in _LITERAL.finditer(text):
        param = scalars.get(match["name"])
        if param is not None and (bool(match["index"]) == bool(param.index)):
            return [
                Edit(
                    op="set_parameter",
                    name=param.name,
                    index=(match["index"] or "").replace(" ", ""),
                    value=float(match["value"]),
                )
            ]
    named = _named_parameters(text, formulation)
    if len(named) != 1:
        return []
    param = scalars[named[0]]
    if param.index or not isinstance(param.value, int | float):
        return []
    relative = _RELATIVE.search(text)
    if relative:
        amount = float(relative["value"])
        if relative["pct"]:
            amount = param.value * amount / 100.0
        sign = 1.0 if relative["verb"].lower() in ("increase", "raise") else -1.0
        return [Edit(op="set_parameter", name=param.name, value=param.value + sign * amount)]
    scale = _SCALE.search(text)
    if scale:
        factor = {"double": 2.0, "halve": 0.5, "triple": 3.0}[scale["verb"].lower()]
        return [Edit(op="set_parameter", name=param.name, value=param.value * factor)]
    numbers = _NUMBERS.findall(text)
    if len(numbers) != 1:
        return []
    return [Edit(op="set_parameter", name=param.name, value=float(numbers[0]))]


def _stem(word: str) -> str:
    word = word.lower()
    for suffix in ("ies", "es", "s"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def _named_parameters(text: str, formulation: Formulation) -> list[str]:
    """Parameters the text names: by their name, else by every part of a snake_case name
    ("labor hours" for ``labor_hours``); the best-scoring ones. One shared word is not
    enough: "14 hours" must not edit ``plant3_hours``."""
    words = {_stem(w) for w in re.findall(r"[A-Za-z_]\w*", text)}
    words |= {_stem(p) for w in list(words) for p in w.split("_") if p}
    scores: dict[str, int] = {}
    for param in formulation.parameters:
        parts = [_stem(p) for p in param.name.split("_") if p]
        if _stem(param.name) in words:
            scores[param.name] = 2
        elif len(parts) > 1 and all(p in words for p in parts):
            scores[param.name] = 1
    if not scores:
        return []
    best = max(scores.values())
    return [name for name, score in scores.items() if score == best]
