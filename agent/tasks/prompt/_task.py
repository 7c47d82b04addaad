"""What a prompt task is: input fields to one output, an answer kind and a metric."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from agent.errors import ConfigError, DataError
from agent.tasks.prompt._answers import ANSWER_KINDS, AnswerKind, Metric, metric_for

Position = Literal["Q_begin", "Q_end", "A_begin"]
POSITIONS: tuple[str, ...] = ("Q_begin", "Q_end", "A_begin")


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled record: named input fields and the target answer (as text).

    Example:
        >>> from agent.tasks.prompt import Example
        >>> Example.from_dict({"inputs": {"question": "2+2?"}, "target": 4}).target
        '4'
    """

    inputs: Mapping[str, str]
    target: str

    def to_dict(self) -> dict[str, Any]:
        return {"inputs": dict(self.inputs), "target": self.target}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Example:
        return cls(
            inputs={str(k): str(v) for k, v in data["inputs"].items()}, target=str(data["target"])
        )


@dataclass(frozen=True, slots=True)
class Demo:
    """An exemplar shown before the question: inputs and the answer text to show.

    ``origin`` is ``"gold"`` (the dataset's target) or ``"bootstrap"`` (the model's own
    correct output on a train input, as in Wan et al.).
    """

    inputs: Mapping[str, str]
    answer: str
    origin: str = "gold"

    def to_dict(self) -> dict[str, Any]:
        return {"inputs": dict(self.inputs), "answer": self.answer, "origin": self.origin}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Demo:
        return cls(
            inputs={str(k): str(v) for k, v in data["inputs"].items()},
            answer=str(data["answer"]),
            origin=str(data.get("origin", "gold")),
        )


@dataclass(frozen=True, slots=True)
class PromptTask:
    """A task for prompt optimization.

    Args:
        name: short name (shown in reports).
        input_fields: names of the input fields, in the order they are shown.
        answer_kind: how answers are extracted and compared: number, choice, yesno, label,
            exact or regex.
        labels: the label set for ``answer_kind="label"``.
        pattern: the regular expression for ``answer_kind="regex"`` (its first group, else
            its whole match, is the answer).
        instruction: the baseline instruction (may be empty).
        position: where the instruction goes (OPRO): ``Q_begin`` before the question,
            ``Q_end`` after it, ``A_begin`` at the start of the answer.
        max_tokens: longest model answer, in tokens (keep small: evaluation speed).
        metric: a callable ``(prediction_text, target) -> float | bool``; the answer kind's
            exact-match metric when ``None``.
        description: one line for ``optagent prompt tasks``.
        stop: stop strings for the model's answer (``("\\n",)`` ends at the first line: much
            faster scoring when the answer is one line).

    Raises:
        ConfigError: an unknown answer kind or position, no input fields, or labels missing.

    Example:
        >>> from agent.tasks.prompt import PromptTask
        >>> task = PromptTask(name="sums", input_fields=("question",), answer_kind="number",
        ...                   instruction="Answer with a number.")
        >>> task.score("2 + 3 = 5", "5"), task.score("six", "5")
        (1.0, 0.0)
    """

    name: str
    input_fields: tuple[str, ...]
    answer_kind: AnswerKind = "exact"
    labels: tuple[str, ...] = ()
    instruction: str = ""
    position: Position = "Q_begin"
    max_tokens: int = 32
    metric: Metric | None = field(default=None, compare=False)
    description: str = ""
    stop: tuple[str, ...] = ()
    pattern: str = ""

    def __post_init__(self) -> None:
        if not self.input_fields:
            raise ConfigError(f"task {self.name!r}: give at least one input field")
        if self.answer_kind not in ANSWER_KINDS:
            raise ConfigError(
                f"task {self.name!r}: unknown answer kind {self.answer_kind!r}; "
                f"use one of {', '.join(ANSWER_KINDS)}"
            )
        if self.position not in POSITIONS:
            raise ConfigError(
                f"task {self.name!r}: unknown instruction position {self.position!r}; "
                f"use one of {', '.join(POSITIONS)}"
            )
        if self.answer_kind == "label" and not self.labels:
            raise ConfigError(f"task {self.name!r}: answer kind 'label' needs labels=[...]")
        if self.answer_kind == "regex":
            if not self.pattern:
                raise ConfigError(f"task {self.name!r}: answer kind 'regex' needs a pattern")
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ConfigError(
                    f"task {self.name!r}: bad answer pattern {self.pattern!r}: {exc}"
                ) from None
        if self.max_tokens < 1:
            raise ConfigError(f"task {self.name!r}: max_tokens must be >= 1")

    def score(self, prediction: str, target: str) -> float:
        """Score one model output against its target, in [0, 1]."""
        metric = self.metric or metric_for(self.answer_kind, self.labels, self.pattern)
        return float(metric(prediction, target))

    def check_examples(self, examples: Sequence[Example], *, source: str = "data") -> None:
        """Raise ``DataError`` naming the first example that lacks an input field."""
        for number, example in enumerate(examples, start=1):
            missing = [name for name in self.input_fields if name not in example.inputs]
            if missing:
                raise DataError(
                    f"{source}: example {number} lacks input field(s) {', '.join(missing)}; "
                    f"it has {', '.join(example.inputs) or 'none'}"
                )
