"""What a problem text admits in a compact formulation: its numbers and its names.

A tiny model must not invent a coefficient. Every number a compact formulation may contain is
one written in the text, or a simple derivation of one (a percent as a fraction, "twice" as 2,
"$1.2 million" as 1200000), or 0 and 1. Variable names are words of the text, optionally joined
with ``_`` to another word or a short number.
"""

from __future__ import annotations

import keyword
import math
import re
from dataclasses import dataclass

from solvers.expressions._parse import RESERVED

#: Words of the compact language itself; never variable names.
KEYWORDS: frozenset[str] = frozenset(
    {"var", "int", "bin", "max", "min", "report", "objective", "none", "nonlinear"}
)

_WORD_NUMBERS: dict[str, float] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "dozen": 12,
    "twice": 2, "double": 2, "doubled": 2, "thrice": 3, "triple": 3, "tripled": 3,
    "quadruple": 4, "half": 0.5, "quarter": 0.25, "third": 1 / 3,
}  # fmt: skip
_SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "billion": 1e9}
_NUMBER = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:\s*(%|percent\b|per cent\b))?"
    r"(?:\s*(thousand|million|billion|k\b|m\b))?",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_WORDISH = re.compile(r"[a-z]+")

#: Longest variable name: a word joined with at most this many parts.
MAX_NAME_PARTS = 3


def canonical(value: float) -> str:
    """The one way a number is written in a compact formulation: no exponent, no trailing zeros.

    >>> canonical(1200.0), canonical(0.3), canonical(1 / 3)
    ('1200', '0.3', '0.3333333333')
    """
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {value!r}")
    value = float(f"{value:.12g}")  # 4.1 * 1e6 is 4100000.0000000005 in binary floating point
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.10f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class Vocabulary:
    """The numbers (canonical strings, non-negative) and words one problem text admits."""

    numbers: tuple[str, ...]
    words: tuple[str, ...]

    def admits_number(self, text: str) -> bool:
        return text in self.numbers

    def admits_name(self, name: str) -> bool:
        """A text word, then at most two more parts, each a text word or a 1-2 digit number."""
        parts = name.split("_")
        if not parts or len(parts) > MAX_NAME_PARTS or parts[0] not in self.words:
            return False
        return all(p in self.words or re.fullmatch(r"\d{1,2}", p) for p in parts[1:])


def text_vocabulary(text: str) -> Vocabulary:
    """The numbers and names that ``text`` admits (see the module docstring)."""
    return Vocabulary(numbers=tuple(sorted(text_numbers(text), key=_order)), words=_words(text))


def text_numbers(text: str) -> set[str]:
    """Canonical strings of every number the text states, and their simple derivations."""
    values: set[float] = {0.0, 1.0}
    for match in _NUMBER.finditer(text):
        whole, fraction, percent, scale = match.groups()
        value = float(whole.replace(",", "") + (fraction or ""))
        values.add(value)
        if scale:
            values.add(value * _SCALES[scale.lower()])
        if percent:
            _add_percent(values, value)
    lowered = text.lower()
    for word in _WORDISH.findall(lowered):
        if word in _WORD_NUMBERS:
            values.add(_WORD_NUMBERS[word])
    if "per cent" in lowered or "percent" in lowered or "%" in text:
        # "20 percent" handled above; a bare "percent" near a word number ("five percent")
        for word, number in _WORD_NUMBERS.items():
            if re.search(rf"\b{word}\s*(%|percent|per cent)", lowered):
                _add_percent(values, number)
    return {canonical(v) for v in values if v >= 0 and math.isfinite(v)}


def _add_percent(values: set[float], percent: float) -> None:
    share = percent / 100
    values.update({share, 1 + share})
    if share < 1:
        values.add(1 - share)


def _words(text: str) -> tuple[str, ...]:
    banned = KEYWORDS | set(RESERVED) | set(keyword.kwlist)
    seen: dict[str, None] = {}
    for word in _WORD.findall(text):
        if word not in banned and word.lower() not in KEYWORDS:
            seen.setdefault(word, None)
    return tuple(seen)


def _order(number: str) -> tuple[int, str]:
    return (len(number), number)
