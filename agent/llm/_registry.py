"""Model spec string -> backend instance, importing heavy engines only when asked for."""

from __future__ import annotations

from typing import Any

from agent.errors import ConfigError
from agent.llm._backend import Backend
from agent.llm._spec import ModelSpec, parse_spec


def load_backend(spec: str | ModelSpec, **options: Any) -> Backend:
    """Build the backend a spec names.

    Args:
        spec: a model spec string (see ``agent.llm._spec``) or a parsed ``ModelSpec``.
        **options: backend-specific keywords (``timeout``, ``max_concurrency``, ``n_ctx``...).

    Raises:
        ConfigError: the spec is malformed or names a missing file.
        MissingExtraError: the backend's optional dependency is not installed.
    """
    parsed = parse_spec(spec) if isinstance(spec, str) else spec
    if parsed.kind == "local":
        from agent.llm.backends._embedded import EmbeddedBackend, shipped_adapters

        return EmbeddedBackend(task_adapters=shipped_adapters(), **options)
    if parsed.kind == "local-base":
        from agent.llm.backends._embedded import EmbeddedBackend

        return EmbeddedBackend(spec="local-base", **options)
    if parsed.kind == "llamacpp":
        from agent.llm.backends._embedded import EmbeddedBackend

        return EmbeddedBackend(model_path=parsed.name, lora=parsed.lora, **options)
    if parsed.kind == "openai":
        from agent.llm.backends._openai import OpenAIBackend

        return OpenAIBackend(parsed.name, base_url=parsed.base_url, **options)
    if parsed.kind == "hf":
        from agent.llm.backends._transformers import TransformersBackend

        return TransformersBackend(parsed.name, **options)
    if parsed.kind == "echo":
        from agent.llm.backends._scripted import EchoBackend

        return EchoBackend(**options)
    if parsed.kind == "oracle":
        from agent.llm.backends._oracle import OracleFakeBackend

        return OracleFakeBackend.from_path(parsed.name)
    raise ConfigError(
        f"model spec {str(parsed)!r} cannot be loaded by name; build that backend in Python"
    )
