"""Load a formulation from a JSON file, a JSON string or a dict, with element-naming errors."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from solvers.errors import FormulationError
from solvers.formulation._model import Formulation

_ELEMENTS = {
    "sets": "set",
    "parameters": "parameter",
    "variables": "variable",
    "constraints": "constraint",
    "objective": "objective",
    "report": "report",
}


def _first_error(exc: ValidationError, raw: Mapping[str, Any]) -> FormulationError:
    err = exc.errors()[0]
    loc = list(err["loc"])
    message = err["msg"]
    if err["type"] == "extra_forbidden":
        message = "unknown field (remove it)"
    elif err["type"] == "missing":
        message = "required field is missing"
    if not loc:
        return FormulationError(message)
    head = str(loc[0])
    element = _ELEMENTS.get(head)
    if element is None:
        return FormulationError(message, field=head)
    if element == "objective":
        field = ".".join(str(p) for p in loc[1:] if not isinstance(p, int))
        return FormulationError(message, element="objective", field=field)
    if len(loc) < 2 or not isinstance(loc[1], int):
        return FormulationError(message, field=head)
    position = loc[1]
    items = raw.get(head)
    name = ""
    if isinstance(items, list) and position < len(items) and isinstance(items[position], dict):
        name = str(items[position].get("name", ""))
    field = ".".join(str(p) for p in loc[2:3]) or ""
    if not name:
        return FormulationError(message, element=f"{element} #{position + 1}", field=field)
    return FormulationError(message, element=element, name=name, field=field)


def formulation_from_dict(data: Mapping[str, Any]) -> Formulation:
    """Validate a dict as a `Formulation`.

    A wrapper ``{"formulation": {...}, "check": {...}}`` (the shipped examples) is accepted too.

    Raises:
        FormulationError: naming the element and field of the first problem.
    """
    if not isinstance(data, Mapping):
        raise FormulationError(f"expected a JSON object, got {type(data).__name__}")
    if "formulation" in data and isinstance(data["formulation"], Mapping):
        data = data["formulation"]
    try:
        return Formulation.model_validate(dict(data))
    except ValidationError as exc:
        raise _first_error(exc, data) from None


def load_formulation(source: str | Path | Mapping[str, Any] | Formulation) -> Formulation:
    """Load a formulation from a path, a JSON text, a dict or an existing `Formulation`.

    Raises:
        FormulationError: the file is missing, is not JSON, or is not a valid formulation.
    """
    if isinstance(source, Formulation):
        return source
    if isinstance(source, Mapping):
        return formulation_from_dict(source)
    text: str
    if isinstance(source, Path) or not str(source).lstrip().startswith("{"):
        path = Path(source)
        if not path.is_file():
            raise FormulationError(f"file not found: {path}")
        text = path.read_text(encoding="utf-8")
    else:
        text = str(source)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormulationError(f"invalid JSON at line {exc.lineno}: {exc.msg}") from None
    return formulation_from_dict(data)
