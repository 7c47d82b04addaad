"""``PromptResult``: the outcome of prompt optimization, saved and loaded as JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from agent.errors import DataError
from agent.llm import LLM, Message, load
from agent.tasks.prompt._builtin import BUILTIN_TASKS
from agent.tasks.prompt._candidate import PromptCandidate, format_messages
from agent.tasks.prompt._task import Demo, Position, PromptTask

RESULT_FORMAT = 1


def task_to_dict(task: PromptTask) -> dict[str, Any]:
    """The JSON form of a task (a user metric callable is not saved; its name is)."""
    return {
        "name": task.name,
        "input_fields": list(task.input_fields),
        "answer_kind": task.answer_kind,
        "labels": list(task.labels),
        "instruction": task.instruction,
        "position": task.position,
        "max_tokens": task.max_tokens,
        "metric": getattr(task.metric, "__name__", "custom") if task.metric else None,
        "description": task.description,
        "stop": list(task.stop),
        "pattern": task.pattern,
    }


def task_from_dict(data: Mapping[str, Any]) -> PromptTask:
    """Rebuild a task saved by ``task_to_dict``.

    A built-in task's own metric is restored by name; any other custom metric falls back to
    the answer kind's default (callables are not saved).
    """
    builtin = BUILTIN_TASKS.get(str(data.get("name")))
    metric = None
    builtin_metric = builtin.task.metric if builtin is not None else None
    if builtin_metric is not None and builtin_metric.__name__ == data.get("metric"):
        metric = builtin_metric
    return PromptTask(
        name=str(data["name"]),
        input_fields=tuple(data["input_fields"]),
        answer_kind=data.get("answer_kind", "exact"),
        labels=tuple(data.get("labels", ())),
        instruction=str(data.get("instruction", "")),
        position=data.get("position", "Q_begin"),
        max_tokens=int(data.get("max_tokens", 32)),
        description=str(data.get("description", "")),
        stop=tuple(data.get("stop", ())),
        pattern=str(data.get("pattern", "")),
        metric=metric,
    )


@dataclass
class PromptResult:
    """The best prompt found, how it scored, and how it was found.

    Attributes:
        task: the task definition.
        method: exemplars, opro, joint or reflective.
        model: the scoring model spec.
        instruction, demos, position: the best prompt.
        val_score: its validation accuracy; ``baseline_val_score`` that of the baseline prompt.
        test_score, baseline_test_score: test accuracies when a test split was given.
        scorer_calls: scorer calls by phase (``bootstrap``, ``search``, ``test``).
        usage: backend usage of the search (calls, tokens, cache hits...); the budget
            applies to it.
        test_usage: backend usage of scoring the test split, which runs after the search
            and outside its budget (empty without a test split).
        status, reason: how the search ended (``finished`` or ``stopped`` by a budget).
        history: one row per trial (number, step, status, score, instruction, demos, source).
        run_dir: the run directory, if any.
        search_wall_s, test_wall_s: wall time of the search (bootstrap included) and of
            scoring the test split, in seconds.

    Example:
        >>> from agent.tasks.prompt import PromptResult, builtin_task
        >>> r = PromptResult(task=builtin_task("arithmetic").task, instruction="Add.")
        >>> r.format({"question": "2 plus 3?"})[-1].content
        'Add.\\n\\n2 plus 3?'
    """

    task: PromptTask
    method: str = "exemplars"
    model: str = "local"
    instruction: str = ""
    demos: tuple[Demo, ...] = ()
    position: Position = "Q_begin"
    val_score: float | None = None
    baseline_val_score: float | None = None
    test_score: float | None = None
    baseline_test_score: float | None = None
    test_size: int = 0
    scorer_calls: dict[str, int] = field(default_factory=dict)
    usage: dict[str, Any] = field(default_factory=dict)
    test_usage: dict[str, Any] = field(default_factory=dict)
    status: str = "finished"
    reason: str = ""
    history: list[dict[str, Any]] = field(default_factory=list)
    run_dir: str | None = None
    search_wall_s: float | None = None
    test_wall_s: float | None = None

    @property
    def candidate(self) -> PromptCandidate:
        """The best prompt as a candidate."""
        return PromptCandidate(self.instruction, tuple(self.demos), self.position)

    def format(self, inputs: Mapping[str, str] | str) -> list[Message]:
        """The chat messages for a new input (a plain string fills the only input field)."""
        return format_messages(self.task, self.candidate, self._inputs(inputs))

    def run(self, inputs: Mapping[str, str] | str, model: str | LLM | None = None) -> str:
        """Answer a new input with the best prompt on ``model`` (default: the scoring model)."""
        llm = model if isinstance(model, LLM) else load(model or self.model)
        reply = llm.complete(
            self.format(inputs),
            temperature=0.0,
            max_tokens=self.task.max_tokens,
            stop=self.task.stop or None,
        )
        return reply[0].text

    def _inputs(self, inputs: Mapping[str, str] | str) -> dict[str, str]:
        if isinstance(inputs, str):
            if len(self.task.input_fields) != 1:
                raise DataError(
                    f"task {self.task.name!r} has input fields "
                    f"{', '.join(self.task.input_fields)}; pass a dict"
                )
            return {self.task.input_fields[0]: inputs}
        missing = [f for f in self.task.input_fields if f not in inputs]
        if missing:
            raise DataError(f"input lacks field(s) {', '.join(missing)}")
        return {k: str(v) for k, v in inputs.items()}

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["format"] = RESULT_FORMAT
        data["task"] = task_to_dict(self.task)
        data["demos"] = [d.to_dict() for d in self.demos]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PromptResult:
        """Rebuild from ``to_dict`` output; fields added later get their defaults.

        Raises:
            DataError: required fields are missing.
        """
        if "task" not in data:
            raise DataError("not a prompt result: no 'task' field")
        known = {f for f in cls.__dataclass_fields__ if f not in ("task", "demos")}
        values = {k: v for k, v in data.items() if k in known}
        return cls(
            task=task_from_dict(data["task"]),
            demos=tuple(Demo.from_dict(d) for d in data.get("demos", ())),
            **values,
        )

    def save(self, path: str | Path) -> Path:
        """Write the result as JSON (creates parent folders)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | Path) -> PromptResult:
        """Read a result saved by ``save``.

        Raises:
            DataError: the file is missing or not a prompt result.
        """
        path = Path(path)
        if not path.is_file():
            raise DataError(f"prompt result not found: {path}")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DataError(f"{path}: not valid JSON ({exc.msg})") from None
        try:
            return cls.from_dict(data)
        except (KeyError, TypeError) as exc:
            raise DataError(f"{path}: not a prompt result ({exc})") from None
