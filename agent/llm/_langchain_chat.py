"""Our models where LangChain expects a chat model: ``OptagentChatModel`` wraps an ``LLM``.

Calls go through the facade, so LCEL chains on it get our cache, usage accounting and budgets,
and run on any of our backends (the embedded ``local`` model included).

Example:
    >>> from langchain_core.output_parsers import StrOutputParser  # doctest: +SKIP
    >>> from langchain_core.prompts import ChatPromptTemplate  # doctest: +SKIP
    >>> prompt = ChatPromptTemplate.from_messages([("human", "{question}")])  # doctest: +SKIP
    >>> chain = prompt | OptagentChatModel(llm=load("local")) | StrOutputParser()  # doctest: +SKIP
    >>> chain.invoke({"question": "Say hi"})  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from agent.errors import ConfigError, MissingExtraError
from agent.llm._llm import LLM
from agent.llm._types import Message

try:
    from langchain_core.callbacks import CallbackManagerForLLMRun
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import (
        AIMessage,
        AIMessageChunk,
        BaseMessage,
        ChatMessage,
        HumanMessage,
        SystemMessage,
    )
    from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
except ImportError:  # pragma: no cover - exercised only without the extra
    raise MissingExtraError("langchain-core", "langchain") from None

from pydantic import ConfigDict, Field

from agent.llm.backends._langchain import message_text

_ROLES = {
    "system": "system",
    "user": "user",
    "human": "user",
    "assistant": "assistant",
    "ai": "assistant",
}


def from_langchain_message(message: BaseMessage) -> Message:
    """A LangChain message as ours; raises ``ConfigError`` for roles we cannot send."""
    if isinstance(message, SystemMessage):
        role = "system"
    elif isinstance(message, HumanMessage):
        role = "user"
    elif isinstance(message, AIMessage):
        role = "assistant"
    elif isinstance(message, ChatMessage) and message.role in _ROLES:
        role = _ROLES[message.role]
    else:
        raise ConfigError(
            f"OptagentChatModel cannot send a {type(message).__name__} (tools are not "
            "supported); use system, human and AI messages"
        )
    return Message(role, message_text(message))  # type: ignore[arg-type]  # role is one of the Literal's values, mapped just above


class OptagentChatModel(BaseChatModel):
    """A LangChain chat model backed by an ``agent.llm.LLM``.

    Args:
        llm: the facade to call (``agent.llm.load("local")``, ``load("openai:...")``...).
        temperature: sampling temperature; a call keyword overrides it.
        max_tokens: completion token limit; a call keyword overrides it.
        seed: sampling seed; a call keyword overrides it.
    """

    llm: LLM = Field(exclude=True)
    temperature: float = 0.0
    max_tokens: int = 256
    seed: int | None = None

    model_config = ConfigDict(arbitrary_types_allowed=True)

    @property
    def _llm_type(self) -> str:
        return "optagent"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "spec": self.llm.spec,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "seed": self.seed,
        }

    def _options(self, stop: list[str] | None, kwargs: dict[str, Any]) -> dict[str, Any]:
        unknown = set(kwargs) - {"temperature", "max_tokens", "seed"}
        if unknown:
            raise ConfigError(
                f"OptagentChatModel does not take {sorted(unknown)}; "
                "use temperature, max_tokens, seed or stop"
            )
        return {
            "temperature": kwargs.get("temperature", self.temperature),
            "max_tokens": kwargs.get("max_tokens", self.max_tokens),
            "seed": kwargs.get("seed", self.seed),
            "stop": stop,
        }

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        ours = [from_langchain_message(m) for m in messages]
        [completion] = self.llm.complete(ours, **self._options(stop, kwargs))
        usage = completion.usage
        message = AIMessage(
            content=completion.text,
            usage_metadata={
                "input_tokens": usage.prompt_tokens,
                "output_tokens": usage.completion_tokens,
                "total_tokens": usage.total_tokens,
            },
            response_metadata={
                "model_name": self.llm.spec,
                "finish_reason": completion.finish_reason,
                "cached": completion.cached,
            },
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        ours = [from_langchain_message(m) for m in messages]
        for piece in self.llm.stream(ours, **self._options(stop, kwargs)):
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
            if run_manager is not None:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk
