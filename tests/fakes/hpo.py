"""Replies of the scripted HPO fake for ``FakeOpenAIServer``: the server then answers
LLMSampler's prompts as ``ScriptedHPOFakeBackend`` would (a fake, never a model)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agent.hpo import ScriptedHPOFakeBackend
from agent.llm import Message, Request


def hpo_fake_replies(seed: int = 3, garbage_rate: float = 0.1) -> Callable[[dict[str, Any]], str]:
    """A reply function of the request JSON for ``FakeOpenAIServer(replies=...)``."""
    fake = ScriptedHPOFakeBackend(seed=seed, garbage_rate=garbage_rate)

    def reply(body: dict[str, Any]) -> str:
        messages = tuple(Message(m["role"], m["content"]) for m in body["messages"])
        return fake._answer(Request(messages=messages, seed=body.get("seed")), 0)

    return reply
