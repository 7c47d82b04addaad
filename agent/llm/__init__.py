"""Model access: one interface over OpenAI-compatible servers, the embedded model,
transformers and LangChain, with a response cache, usage accounting and budgets.

Example:
    >>> from agent.llm import load
    >>> llm = load("echo", cache=False)
    >>> [c.text for c in llm.complete("hi", n=2)]
    ['hi', 'hi']
"""

import importlib
from typing import Any

from agent.llm._backend import Backend
from agent.llm._cache import ResponseCache
from agent.llm._llm import LLM
from agent.llm._load import load
from agent.llm._registry import load_backend
from agent.llm._spec import ModelSpec, parse_spec
from agent.llm._structured import Schema, extract_json
from agent.llm._types import Completion, Message, Request, Usage, as_messages
from agent.llm._usage import Budget, UsageMeter, UsageSnapshot
from agent.llm.backends._scripted import EchoBackend, ScriptedFakeBackend

# Backends with optional or heavy dependencies load on first use.
_LAZY = {
    "OpenAIBackend": "agent.llm.backends._openai",
    "OracleFakeBackend": "agent.llm.backends._oracle",
    "LangChainBackend": "agent.llm.backends._langchain",
    "OptagentChatModel": "agent.llm._langchain_chat",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'agent.llm' has no attribute {name!r}")


__all__ = [
    "LLM",
    "Backend",
    "Budget",
    "Completion",
    "EchoBackend",
    "LangChainBackend",
    "Message",
    "ModelSpec",
    "OpenAIBackend",
    "OptagentChatModel",
    "OracleFakeBackend",
    "Request",
    "ResponseCache",
    "Schema",
    "ScriptedFakeBackend",
    "Usage",
    "UsageMeter",
    "UsageSnapshot",
    "as_messages",
    "extract_json",
    "load",
    "load_backend",
    "parse_spec",
]
