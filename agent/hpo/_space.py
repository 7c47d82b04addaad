"""Search spaces as plain data, and the tolerant reading and repair of proposed configurations.

Pure Python on purpose: no Optuna import here, so parsing and repair are tested (and fuzzed)
without the ``hpo`` extra. ``_sampler`` converts Optuna distributions to ``Param``.

A model's reply is read leniently (JSON objects first, then ``name = value`` lines); every value
is then *repaired* into the space: numbers are clipped to the bounds, ints rounded, stepped
values snapped to the grid, categories matched to the nearest choice. What could not be read or
repaired is dropped, and the caller counts it.
"""

from __future__ import annotations

import difflib
import json
import math
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["float", "int", "categorical"]
Choice = None | bool | int | float | str

__all__ = [
    "Param",
    "Proposal",
    "format_config",
    "format_hint",
    "is_near",
    "on_corner",
    "parse_number",
    "parse_proposals",
    "random_config",
    "repair_config",
    "repair_value",
]


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter of a search space.

    Args:
        name: the parameter's name.
        kind: ``"float"``, ``"int"`` or ``"categorical"``.
        low: lower bound (numbers).
        high: upper bound (numbers).
        log: sampled on a log scale (numbers; needs ``low > 0``).
        step: grid step (numbers), ``None`` for none; ints default to 1.
        choices: the choices (categorical), in order.

    Raises:
        ValueError: the bounds, step or choices are inconsistent.
    """

    name: str
    kind: Kind
    low: float = 0.0
    high: float = 0.0
    log: bool = False
    step: float | None = None
    choices: tuple[Choice, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in ("float", "int", "categorical"):
            raise ValueError(
                f"param {self.name!r}: kind must be float, int or categorical, got {self.kind!r}"
            )
        if self.kind == "categorical":
            if not self.choices:
                raise ValueError(f"param {self.name!r}: categorical needs at least one choice")
            return
        if not (math.isfinite(self.low) and math.isfinite(self.high)) or self.low > self.high:
            raise ValueError(
                f"param {self.name!r}: bounds must be finite with low <= high, "
                f"got [{self.low}, {self.high}]"
            )
        if self.log and self.low <= 0:
            raise ValueError(f"param {self.name!r}: a log scale needs low > 0, got {self.low}")
        if self.step is not None and not self.step > 0:
            raise ValueError(f"param {self.name!r}: step must be > 0, got {self.step}")

    def describe(self) -> str:
        """One line for a prompt: ``C: float in [0.001, 1000] (log scale)``."""
        if self.kind == "categorical":
            return f"{self.name}: one of {json.dumps(list(self.choices))}"
        extras = []
        if self.log:
            extras.append("log scale")
        if self.step is not None and not (self.kind == "int" and self.step == 1):
            extras.append(f"step {_fmt(self.step)}")
        suffix = f" ({', '.join(extras)})" if extras else ""
        return f"{self.name}: {self.kind} in [{_fmt(self.low)}, {_fmt(self.high)}]{suffix}"


def format_hint(space: Sequence[Param]) -> str:
    """The answer format with a placeholder per value: ``{"C": <float from 0.001 to 1000>}``."""
    parts = []
    for p in space:
        if p.kind == "categorical":
            hole = "one of " + ", ".join(json.dumps(c) for c in p.choices)
        else:
            hole = f"{p.kind} from {_fmt(p.low)} to {_fmt(p.high)}"
        parts.append(f"{json.dumps(p.name)}: <{hole}>")
    return "{" + ", ".join(parts) + "}"


@dataclass(frozen=True, slots=True)
class Proposal:
    """A configuration read from a reply, repaired into the space.

    Attributes:
        params: a value for every parameter of the space, in the space's order.
        repaired: names whose value was changed to fit (clipped, rounded, snapped, filled).
        filled: names the reply did not give, filled with a random value.
    """

    params: dict[str, Any]
    repaired: tuple[str, ...] = ()
    filled: tuple[str, ...] = field(default=())


def _fmt(value: float) -> str:
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"


def format_config(params: Mapping[str, Any], space: Sequence[Param]) -> str:
    """A configuration as one JSON object, in the space's order, numbers kept short."""
    out: dict[str, Any] = {}
    for p in space:
        if p.name not in params:
            continue
        value = params[p.name]
        if p.kind == "float" and isinstance(value, int | float) and not isinstance(value, bool):
            value = float(f"{float(value):.6g}")
        out[p.name] = value
    return json.dumps(out, ensure_ascii=False)


def is_near(
    a: Mapping[str, Any], b: Mapping[str, Any], space: Sequence[Param], *, tol: float = 1e-3
) -> bool:
    """Whether two configurations are the same up to ``tol`` of each float's range (on its
    scale): a model that copies a tried configuration with fewer digits proposes nothing new."""
    for p in space:
        if p.name not in a or p.name not in b:
            return False
        x, y = a[p.name], b[p.name]
        if p.kind != "float":
            if x != y or type(x) is not type(y):
                return False
            continue
        try:
            fx, fy = float(x), float(y)
        except (TypeError, ValueError):
            return False
        if p.log and fx > 0 and fy > 0:
            fx, fy, width = math.log(fx), math.log(fy), math.log(p.high) - math.log(p.low)
        else:
            width = p.high - p.low
        if abs(fx - fy) > tol * width:
            return False
    return True


# -- reading numbers --------------------------------------------------------------------------

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def parse_number(value: Any) -> float | None:
    """A finite float from a number or the first number in a string; ``None`` otherwise."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
        return number if math.isfinite(number) else None
    if not isinstance(value, str):
        return None
    match = _NUMBER.search(value.replace(",", "").replace("_", ""))
    if match is None:
        return None
    try:
        number = float(match.group(0))
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


# -- repair -----------------------------------------------------------------------------------


def repair_value(param: Param, raw: Any) -> tuple[Any, bool] | None:
    """Bring one proposed value into ``param``'s domain.

    Returns:
        ``(value, changed)``, or ``None`` when nothing usable could be read.
    """
    if param.kind == "categorical":
        return _repair_choice(param, raw)
    number = parse_number(raw)
    if number is None:
        return None
    value = min(max(number, param.low), param.high)
    changed = value != number
    if param.kind == "int":
        step = int(param.step or 1)
        low, high = int(param.low), int(param.high)
        snapped = low + round((value - low) / step) * step
        while snapped > high:
            snapped -= step
        snapped = max(snapped, low)
        changed = changed or snapped != number
        return int(snapped), changed
    if param.step is not None:
        n = round((value - param.low) / param.step)
        snapped = param.low + n * param.step
        if snapped > param.high + 1e-12 * max(1.0, abs(param.high)):
            snapped -= param.step
        snapped = min(max(snapped, param.low), param.high)
        changed = changed or not math.isclose(snapped, number, rel_tol=1e-9, abs_tol=1e-12)
        value = snapped
    return float(value), changed


def _repair_choice(param: Param, raw: Any) -> tuple[Any, bool] | None:
    for choice in param.choices:
        if type(choice) is type(raw) and choice == raw:
            return choice, False
    text = raw if isinstance(raw, str) else json.dumps(raw) if _jsonable(raw) else str(raw)
    text = text.strip().strip("'\"`").strip()
    for choice in param.choices:
        if text.lower() == _choice_text(choice).lower():
            return choice, choice != raw or type(choice) is not type(raw)
    numeric = [c for c in param.choices if isinstance(c, int | float) and not isinstance(c, bool)]
    number = parse_number(raw)
    if numeric and number is not None:
        best = min(numeric, key=lambda c: abs(float(c) - number))
        return best, True
    names = [_choice_text(c) for c in param.choices]
    close = difflib.get_close_matches(text.lower(), [n.lower() for n in names], n=1, cutoff=0.6)
    if close:
        return param.choices[[n.lower() for n in names].index(close[0])], True
    return None


def _choice_text(choice: Choice) -> str:
    return choice if isinstance(choice, str) else json.dumps(choice)


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def random_config(space: Sequence[Param], rng: random.Random) -> dict[str, Any]:
    """A uniform draw (log-uniform where the parameter is on a log scale)."""
    return {p.name: random_value(p, rng) for p in space}


def random_value(param: Param, rng: random.Random) -> Any:
    """One uniform draw from ``param``'s domain, already on its grid."""
    if param.kind == "categorical":
        return param.choices[rng.randrange(len(param.choices))]
    if param.log:
        draw = math.exp(rng.uniform(math.log(param.low), math.log(param.high)))
    else:
        draw = rng.uniform(param.low, param.high)
    repaired = repair_value(param, draw)
    assert repaired is not None
    return repaired[0]


def repair_config(
    raw: Mapping[str, Any],
    space: Sequence[Param],
    rng: random.Random,
    *,
    min_given: float = 0.5,
) -> Proposal | None:
    """Repair a proposed mapping into a full configuration of ``space``.

    Keys match exactly, then ignoring case, spaces and quotes; unknown keys are ignored.
    Parameters the reply left out (or gave unusable values for) are drawn at random, as long as
    at least ``min_given`` of the space was usable; otherwise the proposal is rejected.

    Returns:
        the repaired ``Proposal``, or ``None`` when too little of it was usable.
    """
    lookup = {_norm_key(k): v for k, v in raw.items() if isinstance(k, str)}
    params: dict[str, Any] = {}
    repaired: list[str] = []
    filled: list[str] = []
    for p in space:
        if p.name in raw:
            given = raw[p.name]
        elif _norm_key(p.name) in lookup:
            given = lookup[_norm_key(p.name)]
        else:
            filled.append(p.name)
            continue
        fixed = repair_value(p, given)
        if fixed is None:
            filled.append(p.name)
            continue
        params[p.name] = fixed[0]
        if fixed[1]:
            repaired.append(p.name)
    if not space or len(params) < max(1, math.ceil(min_given * len(space))):
        return None
    for name in filled:
        p = next(q for q in space if q.name == name)
        params[name] = random_value(p, rng)
    ordered = {p.name: params[p.name] for p in space}
    return Proposal(ordered, tuple(repaired + filled), tuple(filled))


def on_corner(params: Mapping[str, Any], space: Sequence[Param]) -> bool:
    """Whether a configuration sits on a bound in more than half of its numeric dimensions
    (at least two of them).

    A weak model's degenerate answers are such corners (all zeros, all ones, or values clipped
    into the box), and they tell a surrogate or TPE little about a box chosen to hold the
    optimum inside it. The inner sampler still reaches corners when they are good.
    """
    numeric = [p for p in space if p.kind != "categorical" and p.low < p.high]
    if len(numeric) < 2:
        return False
    on_bound = sum(
        1 for p in numeric if p.name in params and float(params[p.name]) in (p.low, p.high)
    )
    return on_bound * 2 > len(numeric)


def _norm_key(key: str) -> str:
    return re.sub(r"[\s'\"`*_-]+", "", key).lower()


# -- reading replies --------------------------------------------------------------------------

# "x: float in [-5, 5]": a parameter's description echoed from the prompt, not a value.
_DESCRIPTION = re.compile(r"^\s*(?:float|int|categorical|one of)\b", re.IGNORECASE)
_LINE_PAIR = re.compile(r"^\s*[-*\d.)]*\s*[`'\"]?([A-Za-z_][\w.-]*)[`'\"]?\s*[:=]\s*(.+?)\s*,?\s*$")


def parse_proposals(
    text: str, space: Sequence[Param], rng: random.Random, *, limit: int = 50
) -> tuple[list[Proposal], int]:
    """Every configuration a reply holds, repaired into ``space``.

    JSON objects anywhere in the text are read first; when there are none, ``name = value`` /
    ``name: value`` lines are collected as one configuration.

    Returns:
        ``(proposals, rejected)``: the usable proposals in reply order, and how many objects
        were found but could not be used (too little usable, or ``on_corner`` once repaired).
    """
    objects = _json_objects(text, limit=limit)
    if not objects:
        pairs: dict[str, Any] = {}
        for line in text.splitlines():
            match = _LINE_PAIR.match(line)
            if match and not _DESCRIPTION.match(match.group(2)):
                pairs.setdefault(match.group(1), match.group(2).strip().strip("'\"`"))
        objects = [pairs] if pairs else []
    proposals: list[Proposal] = []
    rejected = 0
    for obj in objects:
        proposal = repair_config(obj, space, rng)
        if proposal is None or on_corner(proposal.params, space):
            rejected += 1
        else:
            proposals.append(proposal)
    return proposals, rejected


def _json_objects(text: str, *, limit: int) -> list[dict[str, Any]]:
    """Flat JSON objects in ``text`` (single quotes and Python literals tolerated)."""
    found: list[dict[str, Any]] = []
    decoder = json.JSONDecoder()
    start = text.find("{")
    while start != -1 and len(found) < limit:
        obj = None
        try:
            obj, end = decoder.raw_decode(text, start)
        except ValueError:
            end = text.find("}", start)
            if end != -1:
                obj = _loose_object(text[start : end + 1])
                end += 1
        if isinstance(obj, dict):
            nested = [v for v in obj.values() if isinstance(v, dict)]
            if len(obj) == 1 and nested:  # {"config": {...}}
                obj = nested[0]
            found.append(obj)
            start = text.find("{", max(end, start + 1))
        else:
            start = text.find("{", start + 1)
    return found


def _loose_object(chunk: str) -> dict[str, Any] | None:
    """``{'C': 1.5, kernel: rbf, 'x': True}`` -> a dict, or ``None``."""
    body = chunk.strip()[1:-1]
    out: dict[str, Any] = {}
    for part in body.split(","):
        if ":" not in part and "=" not in part:
            continue
        key, _, value = part.partition(":") if ":" in part else part.partition("=")
        key = key.strip().strip("'\"` ")
        value = value.strip().strip("'\"` ")
        if not key or value.startswith("<"):  # an echoed placeholder of the format hint
            continue
        out[key] = {"true": True, "false": False, "none": None, "null": None}.get(
            value.lower(), value
        )
    return out or None
