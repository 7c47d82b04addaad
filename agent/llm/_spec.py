"""Model spec strings: the one way to name a model in the CLI, the Python API and config.

local                               the embedded SmolLM2-135M-Instruct (default); formulation
                                    requests get the shipped LoRA adapter
local-base                          the embedded model without any adapter
llamacpp:BASE.gguf+lora:ADAPTER.gguf  a GGUF model with a GGUF LoRA adapter on every request
openai:gpt-4o-mini                  OpenAI, or OPENAI_BASE_URL when set
openai:NAME@http://host:8000/v1     any OpenAI-compatible server (vLLM, Ollama, llama.cpp)
llamacpp:PATH.gguf                  a GGUF file through llama.cpp
hf:PATH_OR_DIR                      a Hugging Face checkpoint or GGUF file via transformers
scripted:                           the scripted fake backend (tests and demos)
oracle:PATH                         a scripted fake answering each problem with the formulation
                                    a JSONL file or folder gives for it (evaluation harness tests)
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.errors import ConfigError

KINDS = ("local", "local-base", "openai", "llamacpp", "hf", "scripted", "echo", "oracle")
LORA_SEPARATOR = "+lora:"


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """A parsed model spec.

    Attributes:
        kind: one of ``KINDS``.
        name: model name (openai), file or directory (llamacpp, hf), or "" (local).
        base_url: server address for ``openai:NAME@URL``, else ``None``.
        lora: a GGUF LoRA adapter file (``llamacpp:BASE.gguf+lora:ADAPTER.gguf``), else ``None``.
    """

    kind: str
    name: str = ""
    base_url: str | None = None
    lora: str | None = None

    def __str__(self) -> str:
        if self.kind in ("local", "local-base", "echo") and not self.name:
            return self.kind
        text = f"{self.kind}:{self.name}"
        if self.lora:
            text += f"{LORA_SEPARATOR}{self.lora}"
        return f"{text}@{self.base_url}" if self.base_url else text


def parse_spec(spec: str) -> ModelSpec:
    """Parse a model spec string; raises ``ConfigError`` explaining the accepted forms."""
    text = spec.strip()
    if text in ("", "local", "default"):
        return ModelSpec("local")
    if text == "echo":
        return ModelSpec("echo")
    if text == "local-base":
        return ModelSpec("local-base")
    kind, sep, rest = text.partition(":")
    if not sep or kind not in KINDS:
        raise ConfigError(
            f"unknown model spec {spec!r}: use 'local', 'openai:NAME', 'openai:NAME@URL', "
            "'llamacpp:PATH.gguf' or 'hf:PATH'"
        )
    if kind == "openai":
        name, at, url = rest.partition("@")
        if not name:
            raise ConfigError(f"model spec {spec!r} names no model: write 'openai:NAME'")
        if at and not url.startswith(("http://", "https://")):
            raise ConfigError(
                f"model spec {spec!r}: the part after '@' must be an http(s) URL, got {url!r}"
            )
        return ModelSpec("openai", name, url or None)
    if kind in ("llamacpp", "hf", "oracle") and not rest:
        raise ConfigError(f"model spec {spec!r} names no path: write '{kind}:PATH'")
    if kind == "llamacpp" and LORA_SEPARATOR in rest:
        base, _, adapter = rest.partition(LORA_SEPARATOR)
        if not base or not adapter:
            raise ConfigError(f"model spec {spec!r}: write 'llamacpp:BASE.gguf+lora:ADAPTER.gguf'")
        return ModelSpec("llamacpp", base, lora=adapter)
    return ModelSpec(kind, rest)
