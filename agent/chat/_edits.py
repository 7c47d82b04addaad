"""Small structured edits of a formulation, applied deterministically.

A what-if ("what if labor is 120 hours?") changes a parameter, a bound, a right-hand side, an
objective coefficient or a constraint; the rest of the model stays as it is. Edits come from
the rules in ``_router`` (or a model's choice the user confirmed) and are checked and applied
by this code, on a copy: a formulation is never changed in place.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agent.errors import OptagentError
from solvers.errors import SolverError
from solvers.formulation import (
    ConstraintDef,
    Formulation,
    compile_formulation,
    formulation_from_dict,
)

EditOp = Literal[
    "set_parameter",
    "set_bound",
    "set_rhs",
    "set_objective_coefficient",
    "add_constraint",
    "remove_constraint",
    "replace_constraint",
]


class EditError(OptagentError):
    """An edit that cannot be applied; the formulation is left as it was."""


class Edit(BaseModel):
    """One change to a formulation.

    ``set_parameter``: ``name``, optional ``index`` ("2" or "1,a"), ``value``.
    ``set_bound``: variable ``name``, ``bound`` (lower or upper), ``value`` (null: no bound).
    ``set_rhs``: constraint ``name`` whose right-hand side is a number, the new ``value``.
    ``set_objective_coefficient``: variable ``name`` (a scalar with a literal coefficient in
    the objective), the new ``value``.
    ``add_constraint`` / ``replace_constraint``: ``name``, ``expression``, optional ``for_all``.
    ``remove_constraint``: ``name``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    op: EditOp
    name: str = Field(max_length=40)
    index: str = Field(default="", max_length=40)
    value: float | None = None
    bound: Literal["lower", "upper", ""] = ""
    expression: str = Field(default="", max_length=300)
    for_all: str = Field(default="", max_length=80)

    def describe(self) -> str:
        """One line saying what the edit asks for (shown when a model's edit is refused)."""
        target = self.name + (f"[{self.index}]" if self.index else "")
        if self.op == "set_bound":
            target += f".{self.bound or '?'}"
        if self.op in ("set_parameter", "set_bound", "set_rhs", "set_objective_coefficient"):
            return f"{self.op} {target} = {self.value}"
        if self.op == "remove_constraint":
            return f"{self.op} {target}"
        return f"{self.op} {target}: {self.expression}"


class EditPlan(BaseModel):
    """A list of edits in order (the shape a capable endpoint may be asked to fill)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    edits: list[Edit] = Field(min_length=1, max_length=4)


_SET = re.compile(r"^\s*([A-Za-z_]\w*)\s*(?:\[([^\]]*)\]|\.(lower|upper))?\s*=\s*(.+?)\s*$")


def parse_set(text: str) -> Edit | tuple[str, str, Any]:
    """Read ``NAME=VALUE``, ``NAME[i]=VALUE`` or ``VAR.upper=VALUE`` (the /set syntax).

    Returns:
        An ``Edit`` for a number; ``(name, index, value)`` for a JSON list (a whole table).

    Raises:
        EditError: the text does not have that form, or the value is not a number or a list.
    """
    match = _SET.match(text)
    if not match:
        raise EditError(
            f"cannot read {text!r}: write /set NAME=VALUE, /set NAME[INDEX]=VALUE "
            "or /set VARIABLE.upper=VALUE"
        )
    name, index, bound, raw = match.groups()
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        if raw.lower() in ("none", "inf", "infinity") and bound:
            value = None
        else:
            raise EditError(f"{raw!r} is not a number or a JSON list (in {text!r})") from None
    if bound:
        if value is not None and not _is_number(value):
            raise EditError(f"a bound must be a number or none, got {raw!r}")
        return Edit(op="set_bound", name=name, bound=bound, value=value)
    if isinstance(value, list):
        return (name, index or "", value)
    if not _is_number(value):
        raise EditError(f"{raw!r} is not a number (in {text!r})")
    return Edit(op="set_parameter", name=name, index=index or "", value=float(value))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def apply_edits(formulation: Formulation, edits: list[Edit]) -> tuple[Formulation, list[str]]:
    """Apply ``edits`` in order and check the result compiles.

    Returns:
        The new formulation and one line per edit saying what changed.

    Raises:
        EditError: an edit names something the formulation lacks, or the result does not
            compile (the message says which); nothing is changed.
    """
    data = formulation.model_dump(mode="json")
    notes: list[str] = []
    for edit in edits:
        notes.append(_apply(data, edit))
    return _checked(data), notes


def set_table(formulation: Formulation, name: str, value: list[Any]) -> tuple[Formulation, str]:
    """Replace a whole indexed parameter (``/set demand=[20, 30, 40]``).

    Raises:
        EditError: no such parameter, or the shape does not match its index sets.
    """
    data = formulation.model_dump(mode="json")
    param = _parameter(data, name)
    old = param["value"]
    if _shape(old) != _shape(value):
        raise EditError(
            f"{name} has shape {_shape(old)} but the new value has shape {_shape(value)}; "
            "give the same number of entries"
        )
    param["value"] = value
    return _checked(data), f"{name}: {json.dumps(old)} -> {json.dumps(value)}"


def _shape(value: Any) -> tuple[int, ...]:
    if isinstance(value, list):
        return (len(value), *(_shape(value[0]) if value else ()))
    return ()


def _checked(data: dict[str, Any]) -> Formulation:
    try:
        new = formulation_from_dict(data)
        compile_formulation(new)
    except SolverError as exc:
        raise EditError(
            f"the edited model is not valid: {exc}; the old formulation is kept"
        ) from None
    return new


def _apply(data: dict[str, Any], edit: Edit) -> str:
    if edit.op == "set_parameter":
        return _set_parameter(data, edit)
    if edit.op == "set_bound":
        return _set_bound(data, edit)
    if edit.op == "set_rhs":
        return _set_rhs(data, edit)
    if edit.op == "set_objective_coefficient":
        return _set_objective_coefficient(data, edit)
    constraints: list[dict[str, Any]] = data["constraints"]
    names = [c["name"] for c in constraints]
    if edit.op == "remove_constraint":
        if edit.name not in names:
            raise EditError(_unknown("constraint", edit.name, names))
        del constraints[names.index(edit.name)]
        return f"removed constraint {edit.name}"
    if not edit.expression.strip():
        raise EditError(f"{edit.op} {edit.name!r} needs an expression such as 'x + y <= 10'")
    row = ConstraintDef(
        name=edit.name, expression=edit.expression, for_all=edit.for_all
    ).model_dump(mode="json")
    if edit.op == "add_constraint":
        if edit.name in names:
            raise EditError(f"constraint {edit.name!r} exists already; replace it instead")
        constraints.append(row)
        return f"added constraint {edit.name}: {edit.expression}"
    if edit.name not in names:
        raise EditError(_unknown("constraint", edit.name, names))
    old = constraints[names.index(edit.name)]
    # A new expression keeps the row scope unless the edit gives one.
    constraints[names.index(edit.name)] = {
        **old,
        "expression": edit.expression,
        "for_all": edit.for_all or old.get("for_all", ""),
    }
    return f"constraint {edit.name}: {old['expression']} -> {edit.expression}"


def _unknown(kind: str, name: str, names: list[str]) -> str:
    if not names:
        return f"no {kind} named {name!r} (the model has no {kind}s)"
    return f"no {kind} named {name!r} (the model has: {', '.join(names)})"


def _parameter(data: dict[str, Any], name: str) -> dict[str, Any]:
    for param in data["parameters"]:
        if param["name"] == name:
            return param
    raise EditError(_unknown("parameter", name, [p["name"] for p in data["parameters"]]))


def _set_parameter(data: dict[str, Any], edit: Edit) -> str:
    param = _parameter(data, edit.name)
    if edit.value is None:
        raise EditError(f"set_parameter {edit.name!r} needs a number")
    value = _plain(edit.value)
    if not param["index"]:
        if edit.index:
            raise EditError(f"{edit.name} is a scalar: write {edit.name}=VALUE without an index")
        old = param["value"]
        param["value"] = value
        return f"{edit.name}: {_num(old)} -> {_num(value)}"
    sets = {s["name"]: s["elements"] for s in data["sets"]}
    keys = [k.strip() for k in edit.index.split(",") if k.strip()]
    if len(keys) != len(param["index"]):
        dims = ", ".join(param["index"])
        raise EditError(
            f"{edit.name} is indexed over {dims}: write {edit.name}[{dims}]=VALUE with one "
            f"element of each set, or {edit.name}=[...] for the whole table"
        )
    cell = param["value"]
    positions = [
        _position(sets[s], k, edit.name, s) for s, k in zip(param["index"], keys, strict=True)
    ]
    for pos in positions[:-1]:
        cell = cell[pos]
    old = cell[positions[-1]]
    cell[positions[-1]] = value
    return f"{edit.name}[{','.join(keys)}]: {_num(old)} -> {_num(value)}"


def _position(elements: list[Any], key: str, name: str, set_name: str) -> int:
    for pos, element in enumerate(elements):
        if str(element) == key:
            return pos
    shown = ", ".join(str(e) for e in elements)
    raise EditError(f"{key!r} is not in set {set_name} of {name} (elements: {shown})")


def _set_bound(data: dict[str, Any], edit: Edit) -> str:
    names = [v["name"] for v in data["variables"]]
    if edit.name not in names:
        raise EditError(_unknown("variable", edit.name, names))
    if edit.bound not in ("lower", "upper"):
        raise EditError(f"set_bound {edit.name!r} needs bound 'lower' or 'upper'")
    var = data["variables"][names.index(edit.name)]
    old = var.get(edit.bound)
    var[edit.bound] = None if edit.value is None else _plain(edit.value)
    return f"{edit.name}.{edit.bound}: {_num(old)} -> {_num(var[edit.bound])}"


def _set_rhs(data: dict[str, Any], edit: Edit) -> str:
    from agent.chat._targets import numeric, split_comparison

    names = [c["name"] for c in data["constraints"]]
    if edit.name not in names:
        raise EditError(_unknown("constraint", edit.name, names))
    row = data["constraints"][names.index(edit.name)]
    split = split_comparison(row["expression"])
    if split is None or numeric(split[2]) is None or row.get("for_all"):
        raise EditError(
            f"constraint {edit.name} ({row['expression']}) has no single numeric right-hand "
            "side; replace the constraint instead"
        )
    if edit.value is None:
        raise EditError(f"set_rhs {edit.name!r} needs a number")
    left, op, right = split
    row["expression"] = f"{left} {op} {_num(_plain(edit.value))}"
    return f"{edit.name}: right-hand side {right} -> {_num(_plain(edit.value))}"


def _set_objective_coefficient(data: dict[str, Any], edit: Edit) -> str:
    from agent.chat._targets import coefficient_term, objective_coefficient

    expression = data["objective"]["expression"]
    old = objective_coefficient(expression, edit.name)
    if old is None:
        raise EditError(
            f"{edit.name} has no single literal coefficient in the objective ({expression}); "
            "edit the parameter that holds it, or the objective by hand (/edit)"
        )
    if edit.value is None:
        raise EditError(f"set_objective_coefficient {edit.name!r} needs a number")
    new = _num(_plain(edit.value))
    term = coefficient_term(expression, edit.name)
    assert term is not None  # objective_coefficient found it
    lead = " " if term.start() > 0 else ""
    data["objective"]["expression"] = (
        f"{expression[: term.start()]}{lead}{new}*{edit.name}{expression[term.end() :]}"
    )
    return f"objective coefficient of {edit.name}: {_num(old)} -> {new}"


def _plain(value: float) -> float | int:
    return int(value) if float(value).is_integer() else float(value)


def _num(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, int | float):
        return f"{value:g}"
    return json.dumps(value)


__all__ = [
    "Edit",
    "EditError",
    "EditPlan",
    "apply_edits",
    "parse_set",
    "set_table",
]
