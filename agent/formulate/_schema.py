"""A bounded copy of the formulation schema for constrained decoding.

A grammar built from an unbounded schema lets a small model emit strings and lists forever;
bounding every string and array makes every grammar-valid sample end within a token limit.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from solvers import formulation_schema

MAX_NAME = 40
MAX_TEXT = 120
MAX_EXPRESSION = 400
MAX_ITEMS = 24
MAX_REPORT_NAME = 200  # a requested quantity's phrase, copied exactly, may be long

_TEXT_FIELDS = {"description": MAX_TEXT, "expression": MAX_EXPRESSION, "for_all": 120}


@functools.cache
def _bounded() -> dict[str, Any]:
    schema = copy.deepcopy(formulation_schema())
    _bound(schema, field="")
    report = schema.get("properties", {}).get("report", {}).get("items", {})
    if "name" in report.get("properties", {}):
        report["properties"]["name"]["maxLength"] = MAX_REPORT_NAME
    return schema


def bounded_formulation_schema() -> dict[str, Any]:
    """The solvers' formulation JSON schema with ``maxLength``/``maxItems`` on every string
    and array (a fresh copy each call).

    Returns:
        A JSON schema dict accepted by ``LLM.complete(..., schema=...)``.
    """
    return copy.deepcopy(_bounded())


def _bound(node: Any, *, field: str) -> None:
    if isinstance(node, list):
        for item in node:
            _bound(item, field=field)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind == "string" and "enum" not in node:
        node.setdefault("maxLength", _TEXT_FIELDS.get(field, MAX_NAME))
    elif kind == "array":
        node.setdefault("maxItems", MAX_ITEMS)
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            for name, sub in value.items():
                _bound(sub, field=name)
        elif key in ("items", "anyOf", "oneOf", "allOf"):
            _bound(value, field=field)
