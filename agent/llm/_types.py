"""Plain data for model access: messages, requests, completions, usage."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True, slots=True)
class Message:
    """One chat message."""

    role: Role
    content: str

    def to_dict(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


MessagesLike = str | Message | Mapping[str, str] | Iterable[Message | Mapping[str, str]]


def as_messages(messages: MessagesLike) -> tuple[Message, ...]:
    """Normalise a prompt string, one message or a list of messages/dicts to a tuple."""
    if isinstance(messages, str):
        return (Message("user", messages),)
    if isinstance(messages, Message):
        return (messages,)
    if isinstance(messages, Mapping):
        return (Message(messages["role"], messages["content"]),)  # type: ignore[arg-type]  # a user's dict: Message validates the role
    out: list[Message] = []
    for item in messages:
        if isinstance(item, Message):
            out.append(item)
        else:
            out.append(Message(item["role"], item["content"]))  # type: ignore[arg-type]  # a user's dict: Message validates the role
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Request:
    """Everything that determines a model's answer, and so the cache key.

    ``json_schema`` asks for a JSON object matching that schema; backends that can constrain
    decoding do so, the others get the schema in the prompt and the facade validates.
    ``grammar`` is a GBNF grammar for backends that decode under one (llama.cpp); ``adapter``
    names a task adapter (``formulate``) a backend applies when it has one for that task.
    """

    messages: tuple[Message, ...]
    n: int = 1
    temperature: float = 0.0
    max_tokens: int = 256
    stop: tuple[str, ...] = ()
    seed: int | None = None
    json_schema: Mapping[str, Any] | None = None
    top_p: float = 1.0
    grammar: str | None = None
    adapter: str = ""

    def canonical(self) -> dict[str, Any]:
        """JSON-safe dict of every field except ``n`` (samples are keyed one by one); the
        grammar and adapter only when set, so older cache keys stay valid."""
        extra: dict[str, Any] = {}
        if self.grammar is not None:
            extra["grammar"] = self.grammar
        if self.adapter:
            extra["adapter"] = self.adapter
        return extra | {
            "messages": [m.to_dict() for m in self.messages],
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "stop": list(self.stop),
            "seed": self.seed,
            "json_schema": self.json_schema,
            "top_p": self.top_p,
        }

    def cache_key(self, model: str, sample_index: int) -> str:
        """Stable hash of the model spec, the full request and the sample index."""
        payload = {"model": model, "request": self.canonical(), "sample": sample_index}
        blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def sample_seed(self, sample_index: int) -> int:
        """A per-sample seed so n samples differ yet a rerun reproduces each one."""
        base = 0 if self.seed is None else self.seed
        return (base * 1_000_003 + sample_index * 7_919) % (2**31 - 1)


@dataclass(frozen=True, slots=True)
class Usage:
    """Tokens one completion cost (zero when it came from the cache)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True, slots=True)
class Completion:
    """One sample of a model's answer.

    Attributes:
        text: the raw text.
        parsed: the validated object when a schema was asked for, else ``None``.
        usage: tokens spent on this sample by the backend.
        cached: whether it came from the response cache (no backend call).
        latency_s: seconds the backend took (0 for cache hits).
        finish_reason: "stop", "length" or what the backend reported.
        sample_index: which of the n samples this is.
        repairs: how many repair rounds structured output needed.
    """

    text: str
    parsed: Any = None
    usage: Usage = field(default_factory=Usage)
    cached: bool = False
    latency_s: float = 0.0
    finish_reason: str = "stop"
    sample_index: int = 0
    repairs: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "usage": [self.usage.prompt_tokens, self.usage.completion_tokens],
            "finish_reason": self.finish_reason,
            "latency_s": self.latency_s,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, sample_index: int) -> Completion:
        prompt, completion = data.get("usage", (0, 0))
        return cls(
            text=data["text"],
            usage=Usage(int(prompt), int(completion)),
            cached=True,
            finish_reason=data.get("finish_reason", "stop"),
            sample_index=sample_index,
        )


def request_of(
    messages: MessagesLike,
    *,
    n: int = 1,
    temperature: float = 0.0,
    max_tokens: int = 256,
    stop: Sequence[str] | str | None = None,
    seed: int | None = None,
    json_schema: Mapping[str, Any] | None = None,
    top_p: float = 1.0,
    grammar: str | None = None,
    adapter: str = "",
) -> Request:
    """Build a validated ``Request``; raises ``ConfigError`` naming the bad value."""
    from agent.errors import ConfigError

    if n < 1:
        raise ConfigError(f"n must be at least 1, got {n}")
    if not 0.0 <= temperature <= 2.0:
        raise ConfigError(f"temperature must be in [0, 2], got {temperature}")
    if max_tokens < 1:
        raise ConfigError(f"max_tokens must be at least 1, got {max_tokens}")
    stops = (stop,) if isinstance(stop, str) else tuple(stop or ())
    return Request(
        messages=as_messages(messages),
        n=n,
        temperature=float(temperature),
        max_tokens=int(max_tokens),
        stop=stops,
        seed=seed,
        json_schema=json_schema,
        top_p=float(top_p),
        grammar=grammar,
        adapter=adapter,
    )
