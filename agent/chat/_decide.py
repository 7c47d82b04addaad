"""The model's part of routing: a constrained choice, never free text.

What the rules in ``_router`` cannot place is classified by the model under a JSON schema
whose enums are the intents and the loaded model's own target names (the llama.cpp backend
compiles the schema to a grammar; an OpenAI-compatible endpoint gets it as JSON-schema
output). So the model can only answer with an intent that exists and a target the model has;
the caller still decides what that choice may do (a what-if target chosen by the model is
offered back as a question, never applied).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import prompts
from agent.chat._targets import Target
from agent.llm import LLM, Message

INTENTS = (
    "greeting",
    "new_problem",
    "whatif",
    "why",
    "add_constraint",
    "remove_constraint",
    "solve",
    "unclear",
)
NO_TARGET = "none"


@dataclass(frozen=True)
class Decision:
    """The model's choice: one of ``INTENTS`` and a target key (or ``NO_TARGET``)."""

    intent: str
    target: str


def decision_schema(targets: list[Target]) -> dict[str, Any]:
    """The JSON schema of a decision: enums only, so a grammar admits nothing else."""
    keys = [*dict.fromkeys(t.key for t in targets), NO_TARGET]
    return {
        "type": "object",
        "properties": {
            "intent": {"type": "string", "enum": list(INTENTS)},
            "target": {"type": "string", "enum": keys},
        },
        "required": ["intent", "target"],
        "additionalProperties": False,
    }


def decide(llm: LLM, text: str, *, name: str, targets: list[Target]) -> Decision:
    """Ask ``llm`` for the intent of ``text`` and the target it is about.

    Raises:
        LLMError: the call failed (``StructuredOutputError`` when the reply did not parse,
            which a grammar-constrained backend never produces).
    """
    message = prompts.render(
        "chat/route",
        name=name,
        targets=", ".join(dict.fromkeys(t.key for t in targets)) or NO_TARGET,
        text=text,
    )
    schema = decision_schema(targets)
    reply = llm.complete([Message("user", message)], schema=schema, max_tokens=48)[0]
    parsed = reply.parsed
    return Decision(intent=str(parsed["intent"]), target=str(parsed["target"]))
