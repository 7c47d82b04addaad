"""Numeric labels as benchmark files write them: numbers, numeric strings, "No Best Solution"."""

from __future__ import annotations

import math
import re
from typing import Any

from evals.datasets._item import Gold, GoldStatus

_NUMBER = re.compile(
    r"""^[+-]?(
        \d{1,3}(,\d{3})+(\.\d*)?    # 1,500 or 1,500.25 (thousands commas)
        | \d+(\.\d*)?               # 1500, 1500., 1500.25
        | \.\d+                     # .5
    )([eE][+-]?\d+)?$""",
    re.VERBOSE,
)
# A unit after the number: "18 kg", "1500 dollars", "250 m^2" (not "%": a share is not a count).
_WITH_UNIT = re.compile(
    r"^(?P<number>.*?\d\.?)\s*(?P<unit>[A-Za-z\u00b0\u00b2\u00b3][\w\u00b0\u00b2\u00b3/^. -]*)$"
)
_INFEASIBLE = {
    "no best solution",
    "infeasible",
    "no feasible solution",
    "no solution",
    "the problem is infeasible",
}
_UNBOUNDED = {"unbounded", "the problem is unbounded"}


def parse_number(value: Any) -> float:
    """Read one numeric label: an int or float, or a string such as ``"1500.0"``,
    ``" 1,500 "``, ``"$18"``, ``"-3e2"``, or a number with a unit (``"18 kg"``,
    ``"$1,500 dollars"``).

    Args:
        value: the label as the file wrote it.

    Returns:
        The finite float.

    Raises:
        ValueError: not a number (booleans, NaN and infinities are refused too); the message
            says what was found.

    Example:
        >>> parse_number("1,500.5")
        1500.5
    """
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got the boolean {value!r}")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if text.startswith("$"):
            text = text[1:].strip()
        elif text[:2] in ("-$", "+$"):
            text = text[0] + text[2:].strip()
        if not _NUMBER.match(text):
            unit = _WITH_UNIT.match(text)
            if unit is not None and _NUMBER.match(unit.group("number").strip()):
                text = unit.group("number").strip()
            else:
                raise ValueError(f"expected a number, got the text {value!r}")
        number = float(text.replace(",", ""))
    else:
        raise ValueError(f"expected a number, got a JSON {type(value).__name__}")
    if not math.isfinite(number):
        raise ValueError(f"expected a finite number, got {value!r}")
    return number


def label_status(value: Any) -> GoldStatus | None:
    """``infeasible`` or ``unbounded`` for labels that say no optimum exists, else None."""
    if not isinstance(value, str):
        return None
    text = value.strip().rstrip(".").lower()
    if text in _INFEASIBLE:
        return "infeasible"
    if text in _UNBOUNDED:
        return "unbounded"
    return None


def parse_label(value: Any) -> Gold:
    """A single-number label (JSONL ``answer``, MAMO ``Answer``, ORLM ``en_answer``) as a Gold.

    Raises:
        ValueError: neither a number nor a no-optimum label.
    """
    status = label_status(value)
    if status is not None:
        return Gold(status=status, raw=value)
    return Gold(objective=parse_number(value), raw=value)
