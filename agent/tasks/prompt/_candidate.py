"""A prompt candidate (instruction, exemplars, position) and how it becomes chat messages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import prompts
from agent.errors import ConfigError
from agent.llm import Message
from agent.tasks.prompt._task import POSITIONS, Demo, Position, PromptTask


@dataclass(frozen=True, slots=True)
class PromptCandidate:
    """What prompt optimization searches over.

    Args:
        instruction: the instruction text (may be empty).
        demos: exemplars shown as earlier user/assistant turns, in order.
        position: where the instruction goes in the final question (see ``PromptTask``).
    """

    instruction: str = ""
    demos: tuple[Demo, ...] = ()
    position: Position = "Q_begin"

    def __post_init__(self) -> None:
        if self.position not in POSITIONS:
            raise ConfigError(
                f"unknown instruction position {self.position!r}; use one of {', '.join(POSITIONS)}"
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "instruction": self.instruction,
            "demos": [d.to_dict() for d in self.demos],
            "position": self.position,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PromptCandidate:
        return cls(
            instruction=str(data.get("instruction", "")),
            demos=tuple(Demo.from_dict(d) for d in data.get("demos", ())),
            position=data.get("position", "Q_begin"),
        )

    def replace(self, **changes: Any) -> PromptCandidate:
        """A copy with some fields changed."""
        values: dict[str, Any] = {
            "instruction": self.instruction,
            "demos": self.demos,
            "position": self.position,
        }
        values.update(changes)
        return PromptCandidate(**values)


def render_question(
    task: PromptTask,
    inputs: Mapping[str, str],
    *,
    instruction: str = "",
    position: Position = "Q_begin",
) -> str:
    """The user text for one input, with the instruction at ``position``."""
    fields = [(name, inputs[name]) for name in task.input_fields]
    return prompts.render(
        "prompt_task/question",
        instruction=instruction,
        position=position,
        fields=fields,
        show_names=len(fields) > 1,
    )


def format_messages(
    task: PromptTask, candidate: PromptCandidate, inputs: Mapping[str, str]
) -> list[Message]:
    """Chat messages for one input: each demo as a user/assistant pair, then the question.

    The instruction appears in every user turn at the candidate's position, so demos show
    exactly the form of the final question.
    """
    messages: list[Message] = []
    for demo in candidate.demos:
        question = render_question(
            task, demo.inputs, instruction=candidate.instruction, position=candidate.position
        )
        messages.append(Message("user", question))
        messages.append(Message("assistant", demo.answer))
    question = render_question(
        task, inputs, instruction=candidate.instruction, position=candidate.position
    )
    messages.append(Message("user", question))
    return messages


def demos_from(examples: Sequence[Any]) -> tuple[Demo, ...]:
    """Gold demos from examples: each target shown as the answer."""
    return tuple(Demo(inputs=dict(e.inputs), answer=e.target, origin="gold") for e in examples)
