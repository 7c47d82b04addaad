"""Explanations computed from a solve: binding constraints, duals, reduced costs, allowable
ranges and the infeasibility or unboundedness diagnosis.

``why_facts`` gathers the numbers as data (each already formatted as it will be shown), and
``prompts/chat/why.txt`` renders them into sentences. Nothing here asks a model; a model may
only rephrase the rendered lines, and ``rephrasing_ok`` drops a rephrasing that mentions a
name or a number the facts do not hold.
"""

from __future__ import annotations

import re
from typing import Any

import prompts
from solvers import Solution, SolveStatus
from solvers.errors import SolverError
from solvers.formulation import Formulation, compile_formulation

ZERO = 1e-9
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def fmt(value: float) -> str:
    """How every number of an explanation is written: six significant digits."""
    return f"{value + 0.0:.6g}"


def subject_labels(text: str, solution: Solution) -> list[str]:
    """Variable labels a question names: an exact label (``x[1]``) or a variable name (all
    of its entries), in the solution's order."""
    words = set(_words(text))
    exact = [label for label in solution.values if label in text]
    if exact:
        return exact
    named = [label for label in solution.values if label.split("[", 1)[0] in words]
    if named:
        return named
    # "why are eggs zero?" names servings[eggs] by its index element.
    from agent.chat._targets import words_of

    stems = set(words_of(text))
    return [
        label
        for label in solution.values
        if "[" in label
        and all(
            stem in stems
            for element in label.split("[", 1)[1].rstrip("]").split(",")
            for stem in words_of(element)
            if not stem.isdigit()
        )
        and any(not w.isdigit() for w in words_of(label.split("[", 1)[1]))
    ]


def constraint_labels(text: str, solution: Solution) -> list[str]:
    """Constraint rows a question names: an exact row label, or a constraint name."""
    if solution.sensitivity is None:
        return []
    rows = solution.sensitivity.rows
    exact = [r.label for r in rows if r.label in text]
    if exact:
        return exact
    words = set(_words(text))
    return [r.label for r in rows if r.constraint in words]


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z_0-9]+", text)


def why_facts(
    formulation: Formulation,
    solution: Solution,
    *,
    subjects: list[str] | None = None,
    rows: list[str] | None = None,
    diagnosis: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The data of an explanation, every number formatted by ``fmt``.

    Args:
        formulation: the formulation that was solved.
        solution: its solution.
        subjects: variable labels the question names.
        rows: constraint row labels the question names.
        diagnosis: ``Diagnosis.to_dict()`` of an infeasible or unbounded solve.
    """
    facts: dict[str, Any] = {
        "status": solution.status.value,
        "sense": formulation.objective.sense,
        "problem_class": solution.problem_class.value,
        "message": solution.message,
        "diagnosis": _diagnosis_facts(diagnosis),
        "subjects": [],
        "asked_rows": [],
        "binding": [],
        "slack": [],
        "lp": solution.sensitivity is not None,
    }
    if solution.status is not SolveStatus.OPTIMAL:
        return facts
    facts["objective"] = fmt(solution.objective or 0.0)
    sens = solution.sensitivity
    ranging = _ranging(formulation, solution)
    bounds = {v.name: (v.lower, v.upper) for v in formulation.variables}
    maximize = formulation.objective.sense == "maximize"
    for label in subjects or []:
        value = solution.values[label]
        lower, upper = bounds.get(label.split("[", 1)[0], (None, None))
        item: dict[str, Any] = {"label": label, "value": fmt(value), "at": "", "bound": ""}
        if lower is not None and abs(value - lower) <= ZERO:
            item["at"], item["bound"] = "lower", fmt(lower)
        elif upper is not None and abs(value - upper) <= ZERO:
            item["at"], item["bound"] = "upper", fmt(upper)
        cost = sens.reduced_costs.get(label) if sens is not None else None
        item["reduced_cost"] = None if cost is None else fmt(cost)
        item["worse_by"] = None if cost is None else fmt(abs(cost))
        item["priced"] = cost is not None and abs(cost) > ZERO
        low, high = ranging.objective.get(label, (None, None)) if ranging else (None, None)
        item["range_low"] = None if low is None else fmt(low)
        item["range_high"] = None if high is None else fmt(high)
        # The coefficient a variable at its lower bound would need before the optimum uses it.
        item["threshold"] = None
        if item["priced"] and item["at"] == "lower":
            edge = high if maximize else low
            item["threshold"] = None if edge is None else fmt(edge)
        facts["subjects"].append(item)
    if sens is None:
        return facts
    by_label = {r.label: r for r in sens.rows}
    for label in rows or []:
        facts["asked_rows"].append(_row_facts(by_label[label], ranging))
    for row in sens.rows:
        facts["binding" if row.binding else "slack"].append(_row_facts(row, ranging))
    return facts


def _row_facts(row: Any, ranging: Any) -> dict[str, Any]:
    """A row's dual and slack; for a binding priced row, how far its right-hand side may fall
    or rise while the dual holds (None: without limit)."""
    down = up = None
    if ranging is not None and row.label in ranging.rhs and row.binding:
        low, high = ranging.rhs[row.label]
        now = ranging.rhs_now[row.label]
        down = None if low is None else fmt(max(now - low, 0.0))
        up = None if high is None else fmt(max(high - now, 0.0))
    return {
        "label": row.label,
        "binding": row.binding,
        "dual": fmt(row.dual),
        "priced": abs(row.dual) > ZERO,
        "slack": fmt(row.slack),
        "falls_by": down,
        "rises_by": up,
        "ranged": ranging is not None and row.label in ranging.rhs and row.binding,
    }


def _ranging(formulation: Formulation, solution: Solution) -> Any:
    if solution.sensitivity is None:
        return None
    from solvers.sensitivity import lp_ranging

    binding = [r.label for r in solution.sensitivity.rows if r.binding and abs(r.dual) > ZERO]
    try:
        return lp_ranging(compile_formulation(formulation), binding)
    except (SolverError, ImportError):
        return None


def _diagnosis_facts(diagnosis: dict[str, Any] | None) -> dict[str, Any] | None:
    if not diagnosis or "detail" not in diagnosis:
        return None
    detail = diagnosis["detail"]
    if detail.get("kind") == "infeasible":
        return {
            "kind": "infeasible",
            "conflict": [r["label"] for r in detail["conflict"]],
            "irreducible": detail["irreducible"],
            "involves_bounds": detail["involves_bounds"],
            "violated": [
                {"label": r["label"], "violation": fmt(r["violation"])} for r in detail["violated"]
            ],
            "total_violation": fmt(detail["total_violation"]),
        }
    return {
        "kind": "unbounded",
        "variables": list(detail["variables"]),
        "rate": fmt(detail["rate"]),
    }


def render_why(facts: dict[str, Any]) -> list[str]:
    """The explanation's lines (``prompts/chat/why.txt``)."""
    text = prompts.render("chat/why", **facts)
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def explain_solution(
    formulation: Formulation,
    solution: Solution,
    *,
    subjects: list[str] | None = None,
    rows: list[str] | None = None,
    diagnosis: dict[str, Any] | None = None,
) -> list[str]:
    """Facts about why the optimum is what it is, one sentence each (``why_facts`` rendered)."""
    facts = why_facts(formulation, solution, subjects=subjects, rows=rows, diagnosis=diagnosis)
    return render_why(facts)


# -- checking a rephrasing -----------------------------------------------------------------


def numbers_in(text: str) -> list[str]:
    """The numbers written in ``text``, normalised by ``fmt``."""
    return [fmt(float(n)) for n in _NUMBER.findall(text)]


def fact_numbers(facts: Any) -> set[str]:
    """Every number the facts hold: formatted values and the numbers inside labels."""
    out: set[str] = set()
    if isinstance(facts, dict):
        for value in facts.values():
            out |= fact_numbers(value)
    elif isinstance(facts, list | tuple):
        for value in facts:
            out |= fact_numbers(value)
    elif isinstance(facts, str):
        out.update(numbers_in(facts))
    elif isinstance(facts, int | float) and not isinstance(facts, bool):
        out.add(fmt(float(facts)))
    return out


def rephrasing_ok(text: str, lines: list[str], names: list[str]) -> bool:
    """Whether a model's rephrasing keeps to the computed lines: every number it writes is one
    of theirs, and every model name it writes (from ``names``) appears in them."""
    allowed = set(numbers_in("\n".join(lines)))
    if any(n not in allowed for n in numbers_in(text)):
        return False
    shown = "\n".join(lines)
    return all(
        name in shown for name in names if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text)
    )
