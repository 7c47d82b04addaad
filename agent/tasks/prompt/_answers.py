"""Answer extraction and normalization: turn a model's free text into a comparable answer.

Each answer kind has one extractor (``str -> str | None``); a metric compares the extracted
answer with the target and returns a score in [0, 1]. Users may pass their own metric: any
callable ``(prediction_text, target) -> float | bool``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Literal

from agent.errors import ConfigError

AnswerKind = Literal["number", "choice", "yesno", "label", "exact", "regex"]
ANSWER_KINDS: tuple[str, ...] = ("number", "choice", "yesno", "label", "exact", "regex")
#: The longest answer (new tokens) per answer kind: the same for data files and built-ins.
DEFAULT_MAX_TOKENS: dict[str, int] = {
    "number": 24,
    "choice": 8,
    "yesno": 8,
    "label": 8,
    "exact": 16,
    "regex": 32,
}
#: Answers end at the first line break unless the user says otherwise (``--stop``).
DEFAULT_STOP: tuple[str, ...] = ("\n",)
Metric = Callable[[str, str], "float | bool"]

_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")
_CHOICE = re.compile(r"\(([A-Za-z])\)|\b([A-E])\b")
_YES_NO = re.compile(r"\b(yes|no)\b", re.IGNORECASE)
_ANSWER_IS = re.compile(r"answer\s*(?:is|:)\s*", re.IGNORECASE)


def _after_answer_marker(text: str) -> str:
    """The text after the last "answer is"/"answer:" marker, else the whole text."""
    parts = _ANSWER_IS.split(text)
    return parts[-1] if len(parts) > 1 else text


def normalize_number(text: str) -> str | None:
    """Canonical form of a number string: no commas, no trailing ``.0``; ``None`` if none."""
    cleaned = text.replace(",", "").strip()
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return str(int(value)) if value.is_integer() else repr(value)


def extract_number(text: str) -> str | None:
    """The first number after an "answer is" marker; else the last number of the first
    non-empty line (chat models write "3 + 4 = 7 apples." and then ramble on)."""
    marked = _ANSWER_IS.split(text)
    if len(marked) > 1:
        match = _NUMBER.search(marked[-1])
        return normalize_number(match.group(0)) if match else None
    for line in text.strip().splitlines():
        numbers = _NUMBER.findall(line)
        if numbers:
            return normalize_number(numbers[-1])
        if line.strip():
            return None
    return None


def extract_choice(text: str) -> str | None:
    """A choice letter such as ``(B)`` or ``B``, upper-cased and without brackets."""
    match = _CHOICE.search(_after_answer_marker(text))
    if not match:
        return None
    return (match.group(1) or match.group(2)).upper()


def extract_yesno(text: str) -> str | None:
    """``yes`` or ``no``, whichever appears first (case-insensitive)."""
    match = _YES_NO.search(_after_answer_marker(text))
    return match.group(1).lower() if match else None


def normalize_exact(text: str) -> str:
    """First non-empty line, stripped of surrounding space, quotes, backticks and a final dot."""
    for line in text.strip().splitlines():
        line = line.strip().strip("`\"'").strip()
        if line:
            return line[:-1].rstrip() if line.endswith(".") else line
    return ""


def extract_label(text: str, labels: Sequence[str]) -> str | None:
    """The label that appears first in the text (whole word, case-insensitive)."""
    best: tuple[int, str] | None = None
    lowered = text.lower()
    for label in labels:
        match = re.search(rf"\b{re.escape(label.lower())}\b", lowered)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), label)
    return best[1] if best else None


def extract_regex(text: str, pattern: str) -> str | None:
    """The first match of ``pattern`` in the text: its first group if it has one, else the
    whole match, stripped; ``None`` when it does not match."""
    match = re.search(pattern, text)
    if match is None:
        return None
    return (match.group(1) if match.re.groups else match.group(0)).strip()


def extract_answer(
    text: str, kind: AnswerKind, labels: Sequence[str] = (), pattern: str = ""
) -> str | None:
    """Extract the answer of ``kind`` from model text; ``None`` when nothing fits."""
    if kind == "number":
        return extract_number(text)
    if kind == "choice":
        return extract_choice(text)
    if kind == "yesno":
        return extract_yesno(text)
    if kind == "label":
        return extract_label(text, labels)
    if kind == "exact":
        return normalize_exact(text)
    if kind == "regex":
        return extract_regex(text, pattern)
    raise ConfigError(f"unknown answer kind {kind!r}; use one of {', '.join(ANSWER_KINDS)}")


def normalize_target(target: str, kind: AnswerKind, labels: Sequence[str] = ()) -> str:
    """The target in the same canonical form the extractor produces."""
    if kind == "number":
        return extract_number(target) or target.strip()
    if kind == "choice":
        return extract_choice(target) or target.strip().upper()
    if kind == "yesno":
        return extract_yesno(target) or target.strip().lower()
    if kind == "label":
        return extract_label(target, labels) or target.strip()
    if kind == "regex":
        return target.strip()
    return normalize_exact(target)


def metric_for(kind: AnswerKind, labels: Sequence[str] = (), pattern: str = "") -> Metric:
    """The default metric of an answer kind: 1.0 when the extracted answer equals the target.

    Labels, choices and yes/no compare case-insensitively; exact strings and regex matches
    (``pattern``'s first group, else its whole match) compare as written.
    """
    if kind not in ANSWER_KINDS:
        raise ConfigError(f"unknown answer kind {kind!r}; use one of {', '.join(ANSWER_KINDS)}")
    fold = kind in ("label", "yesno", "choice")

    def metric(prediction: str, target: str) -> float:
        got = extract_answer(prediction, kind, labels, pattern)
        if got is None:
            return 0.0
        want = normalize_target(target, kind, labels)
        if fold:
            return float(got.lower() == want.lower())
        return float(got == want)

    metric.__name__ = f"{kind}_match"
    return metric


_CHOICE_TARGET = re.compile(r"^\(?([A-Za-z])\)?$")
_MAX_INFERRED_LABELS = 8


def infer_answer_kind(targets: Sequence[str]) -> tuple[AnswerKind, tuple[str, ...]]:
    """Guess the answer kind (and label set) from a data set's targets.

    Every target a number: ``number``; every target yes or no: ``yesno``; every target one
    letter, bare or in brackets: ``choice``; at most eight distinct short targets, each seen
    at least twice: ``label`` (the labels in first-seen order); otherwise ``exact``.

    Example:
        >>> infer_answer_kind(["4", "1,200", "-3"])
        ('number', ())
        >>> infer_answer_kind(["(A)", "C", "B"])
        ('choice', ())
        >>> infer_answer_kind(["cat", "dog", "dog", "cat"])
        ('label', ('cat', 'dog'))
    """
    values = [t.strip() for t in targets if t.strip()]
    if not values:
        return "exact", ()
    if all(normalize_number(v) is not None for v in values):
        return "number", ()
    if all(v.lower() in ("yes", "no") for v in values):
        return "yesno", ()
    if all(_CHOICE_TARGET.match(v) for v in values):
        return "choice", ()
    distinct = list(dict.fromkeys(values))
    if (
        len(distinct) <= _MAX_INFERRED_LABELS
        and len(values) >= 2 * len(distinct)
        and all(len(v.split()) <= 3 for v in distinct)
    ):
        return "label", tuple(distinct)
    return "exact", ()
