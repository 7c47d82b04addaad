"""Routing a turn by deterministic rules, in one readable place.

The rules decide whenever the words do: a command, a greeting or a request for help, "solve",
"undo", a why-question, removing or adding a constraint, a what-if naming something the loaded
model has, a new problem. A what-if is read into a structured edit here: its target is one of
the model's own numbers (``_targets``), its value comes from the user's words. When the words
name several targets, or none, or no single value, the route is ``clarify``, with a question
that lists the candidates: an edit is never guessed. Only a turn no rule can place is
``unsure``, and goes to the model's constrained choice (``_decide``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from agent.chat._edits import Edit
from agent.chat._targets import (
    Target,
    constraint_targets,
    edit_targets,
    free_numbers,
    match_targets,
)
from solvers.formulation import Formulation

RouteKind = Literal[
    "command",
    "optimize_prompt",
    "greeting",
    "solve",
    "undo",
    "confirm",
    "explain",
    "edit",
    "clarify",
    "new_problem",
    "unsure",
]

# Fewer words than this cannot state a problem with its data.
SHORTEST_PROBLEM = 12
MAX_LISTED = 8

_OPTIMIZE = re.compile(
    r"\boptimi[sz]e\b.*?\bprompt\b(?:\s+[\"'](?P<instruction>[^\"']+)[\"'])?.*?\bon\s+"
    r"(?P<file>\S+?)[.,;!?]?(?:\s+(?:with|using)\s+(?P<method>\w+))?\s*$",
    re.IGNORECASE,
)
_GREETING = re.compile(
    r"^\s*(hi|hello|hey|hiya|howdy|good\s+(morning|afternoon|evening|day)|greetings|help|"
    r"thanks?|thank\s+you)\b|\bwhat\s+(can|do)\s+you\s+do\b|\bhow\s+(do|can)\s+i\s+(use|start)\b|"
    r"\bwho\s+are\s+you\b|\bwhat\s+are\s+you\b|\bshow\s+me\s+(some\s+)?examples\b",
    re.IGNORECASE,
)
_SOLVE = re.compile(
    r"^\s*(please\s+)?(re-?solve|solve|optimi[sz]e|run(\s+the)?\s+solver)"
    r"(\s+(it|this|that|again|now|the\s+(model|problem)|please))*\s*[.!]?\s*$",
    re.IGNORECASE,
)
_UNDO = re.compile(
    r"^\s*(please\s+)?(undo|revert|go\s+back|take\s+(that|it)\s+back)\b"
    r"(\s+(that|it|the\s+last\s+(change|edit)|please))*\s*[.!]?\s*$",
    re.IGNORECASE,
)
_CONFIRM = re.compile(
    r"^\s*(yes|y|yeah|yep|ok|okay|sure|do it|go ahead|please do|correct)\b[\s\w,]*[.!]?\s*$",
    re.IGNORECASE,
)
_EXPLAIN = re.compile(
    r"^\s*(why\b|how come\b|explain\b|what\s+(limits|drives|binds|constrains)\b|"
    r"which\s+constraints?\b|what(?:'s| is| are)\s+(?:the\s+)?(?:binding|bottleneck|limiting)\b)",
    re.IGNORECASE,
)
_QUESTION = re.compile(r"^\s*(what|which|how much|how many|is|are|does)\b.*\?\s*$", re.IGNORECASE)
_REMOVE = re.compile(
    r"\b(remove|drop|delete|get\s+rid\s+of|lift|without|ignore|eliminate)\b", re.IGNORECASE
)
_ADD = re.compile(r"\b(add|require|impose|new\s+constraint|also\s+need)\b", re.IGNORECASE)
_WHATIF = re.compile(
    r"\b(what if|suppose|assume|instead|change|set|increase|decrease|raise|lower|reduce|cut|"
    r"double|halve|triple|only|now|make it|limit|allow|becomes?|were|was|had|costs?|earns?|"
    r"pays?)\b",
    re.IGNORECASE,
)
_FOLLOW_UP = re.compile(r"^\s*(what if|suppose|and if|instead|now)\b", re.IGNORECASE)
_NEW_PROBLEM = re.compile(
    r"\b(maximi[sz]e|minimi[sz]e|a (company|factory|firm|farmer|plant|shop|bakery)|"
    r"produces?|manufactur\w*|profit of|costs? \$?\d)",
    re.IGNORECASE,
)
_NUMBER = r"-?\d+(?:\.\d+)?"
_NUMBERS = re.compile(rf"(?<![\w.]){_NUMBER}(?![\w.])")
_BOUND = re.compile(
    rf"\b(?P<name>[A-Za-z_]\w*)\s*(?:is\s+|are\s+|to\s+)?(?P<op><=|>=|at most|at least|"
    rf"no more than|no less than|up to)\s*(?P<value>{_NUMBER})\b",
    re.IGNORECASE,
)
_RELATIVE = re.compile(
    rf"\b(?P<verb>increase|raise|decrease|reduce|lower|cut)\b.*?\bby\s+(?P<value>{_NUMBER})"
    r"\s*(?P<pct>%|percent)?",
    re.IGNORECASE,
)
_SCALE = re.compile(r"\b(?P<verb>double|halve|triple)\b", re.IGNORECASE)
_COMPARE_WORDS = (
    (re.compile(r"\b(at most|no more than|up to|not more than)\b", re.IGNORECASE), "<="),
    (re.compile(r"\b(at least|no less than|not less than)\b", re.IGNORECASE), ">="),
    (re.compile(r"(?<![<>=!])=(?!=)"), "=="),
    (re.compile(r"(?<![<>=])<(?!=)"), "<="),
    (re.compile(r"(?<![<>=])>(?!=)"), ">="),
)


@dataclass(frozen=True)
class Route:
    """Where a turn goes, with what the rules already read from it.

    Attributes:
        kind: the route.
        text: the turn text.
        edits: structured edits read by the rules (``edit`` only).
        question: what to ask back (``clarify`` only).
        candidates: the targets a clarifying question offers, by key.
        intent: what the rules read the turn as ("whatif", "remove_constraint",
            "add_constraint", ...), also for ``clarify``.
        file, instruction, method: a prompt optimization's data file, baseline instruction
            and method.
        reason: which rule decided (shown in /show trace and the transcript).
    """

    kind: RouteKind
    text: str
    edits: list[Edit] = field(default_factory=list)
    question: str = ""
    candidates: list[str] = field(default_factory=list)
    intent: str = ""
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
        A ``Route``; ``unsure`` when a formulation exists and no rule decides.
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
    if words < SHORTEST_PROBLEM and _GREETING.search(stripped):
        return Route("greeting", stripped, reason="a greeting or a request for help")
    if _SOLVE.search(stripped):
        return Route("solve", stripped, reason="asks to solve")
    if _UNDO.search(stripped):
        return Route("undo", stripped, reason="asks to undo")
    if words <= 4 and _CONFIRM.search(stripped):
        return Route("confirm", stripped, reason="a yes to the question before")
    if formulation is None:
        if _EXPLAIN.search(stripped) and words < SHORTEST_PROBLEM:
            return Route("explain", stripped, reason="a question, but nothing is solved yet")
        if _FOLLOW_UP.search(stripped) and words < SHORTEST_PROBLEM:
            return Route("edit", stripped, reason="a follow-up, but there is no model yet")
        if words < SHORTEST_PROBLEM and not _NUMBERS.search(stripped):
            return Route("greeting", stripped, reason="too short to be a problem: help instead")
        return Route("new_problem", stripped, reason="no formulation yet")
    if _EXPLAIN.search(stripped):
        return Route("explain", stripped, reason="an explanation question")
    if _REMOVE.search(stripped) and words < SHORTEST_PROBLEM + 8:
        return read_remove(stripped, formulation)
    if _ADD.search(stripped) and words < SHORTEST_PROBLEM + 8:
        return read_add(stripped, formulation)
    decided = read_whatif(stripped, formulation)
    if decided.kind == "edit":
        return decided
    if _NEW_PROBLEM.search(stripped) and words >= SHORTEST_PROBLEM:
        return Route("new_problem", stripped, reason="describes a whole problem")
    if decided.kind == "clarify" and _WHATIF.search(stripped):
        return decided
    if _QUESTION.search(stripped):
        return Route("explain", stripped, reason="a question about the solution")
    if words >= 25:
        return Route("new_problem", stripped, reason="a long text, read as a new problem")
    return Route("unsure", stripped, reason="no rule matched")


# -- what-if --------------------------------------------------------------------------------


def read_whatif(text: str, formulation: Formulation) -> Route:
    """Read a what-if into one edit, or a clarifying question.

    The target is the one the words name best among ``edit_targets``; a variable with
    ``at most``/``at least``/``<=``/``>=`` and a number is a bound. The value is the one free
    number of the text, or ``increase|reduce NAME by N[%]``, ``double|halve|triple NAME``.

    Returns:
        An ``edit`` route, a ``clarify`` route (several targets, none, or no single value),
        or an ``unsure`` one when the words name nothing at all and carry no what-if cue.
    """
    variables = {v.name for v in formulation.variables}
    targets = edit_targets(formulation)
    for bound in _BOUND.finditer(text):
        if bound["name"] in variables:
            op = bound["op"].lower()
            upper = op in ("<=", "at most", "no more than", "up to")
            edit = Edit(
                op="set_bound",
                name=bound["name"],
                bound="upper" if upper else "lower",
                value=float(bound["value"]),
            )
            return Route("edit", text, edits=[edit], intent="whatif", reason="a bound in words")
    found = match_targets(text, targets)
    if not found.best:
        cue = bool(_WHATIF.search(text))
        keys = _listed([t.key for t in targets if t.kind != "bound"])
        return Route(
            "clarify" if cue else "unsure",
            text,
            question=(
                "I could not tell which number of the model to change. It has: "
                f"{', '.join(keys)}. Say, for example, 'what if {keys[0]} is 10?'."
                if keys
                else "This model has no numbers a what-if can change; edit it with /edit."
            ),
            candidates=[],
            intent="whatif",
            reason="a what-if naming nothing in the model" if cue else "no rule matched",
        )
    if len(found.best) > 1:
        named = _listed([t.key for t in found.best])
        return Route(
            "clarify",
            text,
            question=(
                "Which one do you mean: "
                + "; ".join(t.describe() for t in found.best[:MAX_LISTED])
                + f"? Say, for example, 'what if {named[0]} is ...'."
            ),
            candidates=named,
            intent="whatif",
            reason="the words name several targets",
        )
    target = found.best[0]
    value = _value(text, target)
    if value is None:
        return Route(
            "clarify",
            text,
            question=(
                f"What value should {target.describe()} take? Give one number, e.g. "
                f"'what if {target.key} is 10?'."
            ),
            candidates=[target.key],
            intent="whatif",
            reason="a target but no single value",
        )
    return Route(
        "edit",
        text,
        edits=[target.edit(value)],
        candidates=[target.key],
        intent="whatif",
        reason=f"a what-if on {target.key}",
    )


def _value(text: str, target: Target) -> float | None:
    """The new value from the user's words: relative, scaled, or the one free number."""
    relative = _RELATIVE.search(text)
    if relative and target.current is not None:
        amount = float(relative["value"])
        if relative["pct"]:
            amount = target.current * amount / 100.0
        sign = 1.0 if relative["verb"].lower() in ("increase", "raise") else -1.0
        return target.current + sign * amount
    scale = _SCALE.search(text)
    numbers = free_numbers(text, target)
    if scale and target.current is not None and not numbers:
        factor = {"double": 2.0, "halve": 0.5, "triple": 3.0}[scale["verb"].lower()]
        return target.current * factor
    if len(numbers) != 1:
        return None
    return numbers[0]


def parse_whatif(text: str, formulation: Formulation) -> list[Edit]:
    """The edits a what-if reads into, or [] when the words are not clear enough."""
    decided = read_whatif(text, formulation)
    return decided.edits if decided.kind == "edit" else []


# -- removing and adding constraints -------------------------------------------------------


def read_remove(text: str, formulation: Formulation) -> Route:
    """``remove|drop|without ... CONSTRAINT``: one named constraint, or a question."""
    targets = constraint_targets(formulation)
    found = match_targets(text, targets)
    if len(found.best) == 1:
        target = found.best[0]
        return Route(
            "edit",
            text,
            edits=[target.edit(0.0)],
            candidates=[target.key],
            intent="remove_constraint",
            reason=f"remove constraint {target.key}",
        )
    listed = _listed([t.key for t in (found.best or targets)])
    return Route(
        "clarify",
        text,
        question=(
            f"Which constraint should I remove: {', '.join(listed)}? Say, for example, "
            f"'remove {listed[0]}'."
            if listed
            else "This model has no constraints to remove."
        ),
        candidates=listed,
        intent="remove_constraint",
        reason="remove, but not one constraint named",
    )


def read_add(text: str, formulation: Formulation) -> Route:
    """``add a constraint [NAME:] EXPRESSION`` over the model's own names and the user's
    numbers (``at most``/``at least`` read as ``<=``/``>=``); else a question."""
    expression = constraint_expression(text, formulation)
    if expression is None:
        names = [v.name for v in formulation.variables]
        return Route(
            "clarify",
            text,
            question=(
                "Write the new constraint with the model's names and a number, e.g. 'add "
                f"constraint {' + '.join(names[:2])} <= 10' (variables: {', '.join(names)})."
            ),
            intent="add_constraint",
            reason="add, but no constraint I could read",
        )
    existing = {c.name for c in formulation.constraints}
    named = re.search(r"\b(?:called|named)\s+([A-Za-z_]\w*)", text)
    name = named[1] if named else "added"
    base, k = name, 1
    while name in existing:
        k += 1
        name = f"{base}_{k}"
    edit = Edit(op="add_constraint", name=name, expression=expression)
    return Route(
        "edit",
        text,
        edits=[edit],
        candidates=[name],
        intent="add_constraint",
        reason="add a constraint written in the turn",
    )


def constraint_expression(text: str, formulation: Formulation) -> str | None:
    """The one comparison written in ``text`` whose names are all the model's (variables and
    parameters) and whose numbers are the user's; None when there is none such."""
    rewritten = text
    for pattern, symbol in _COMPARE_WORDS:
        rewritten = pattern.sub(f" {symbol} ", rewritten)
    rewritten = re.sub(r"\s+", " ", rewritten)
    # "at most 5 doors" -> "doors <= 5": a comparison before a number and one name.
    flipped = re.search(r"(<=|>=|==)\s*(-?\d+(?:\.\d+)?)\s+([A-Za-z_]\w*)\b", rewritten)
    known = {v.name for v in formulation.variables} | {p.name for p in formulation.parameters}
    if flipped and flipped[3] in known:
        rewritten = rewritten.replace(flipped[0], f"{flipped[3]} {flipped[1]} {flipped[2]}")
    variables = {v.name for v in formulation.variables}
    allowed = known | {s.name for s in formulation.sets} | {"sum", "for", "in"}
    ops = list(re.finditer(r"<=|>=|==", rewritten))
    if len(ops) != 1:
        return None
    op = ops[0]
    left = re.search(r"[\w\[\],\s.*+\-()]*$", rewritten[: op.start()])
    right = re.match(r"[\w\[\],\s.*+\-()]*", rewritten[op.end() :])
    left_tokens = (left[0] if left else "").split()
    right_tokens = (right[0] if right else "").split()
    # Words around the comparison that are not the model's names are the sentence's.
    while (
        left_tokens
        and re.fullmatch(r"[A-Za-z_]\w*:?", left_tokens[0])
        and (left_tokens[0] not in allowed)
    ):
        left_tokens.pop(0)
    while (
        right_tokens
        and re.fullmatch(r"[A-Za-z_]\w*[.!?]?", right_tokens[-1])
        and (right_tokens[-1].rstrip(".!?") not in allowed)
    ):
        right_tokens.pop()
    lhs, rhs = " ".join(left_tokens), " ".join(right_tokens).rstrip(".!?")
    if not lhs or not rhs:
        return None
    candidate = f"{lhs} {op[0]} {rhs}"
    names = set(re.findall(r"[A-Za-z_]\w*", candidate))
    names -= set(re.findall(r"\bfor\s+([A-Za-z_]\w*)\s+in\b", candidate))  # loop indices
    if not names & variables or not names <= allowed:
        return None
    return candidate


def _listed(keys: list[str]) -> list[str]:
    return keys[:MAX_LISTED]
