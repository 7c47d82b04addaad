"""``TogetherProgram``: an optimized prompt and a LoRA adapter, saved and loaded as one program.

A program folder holds ``program.json`` (the prompt result, the base model, the adapter's
SHA-256 and scores) and ``adapter.gguf`` when the weights were tuned. Loading checks the
adapter against its hash, so a program never runs with another adapter than the one scored.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.errors import ConfigError, DataError
from agent.llm import LLM, load
from agent.llm._digest import file_sha256
from agent.llm._spec import parse_spec
from agent.tasks.prompt import EvalResult, Example, PromptResult, PromptScorer

PROGRAM_FILE = "program.json"
ADAPTER_FILE = "adapter.gguf"
PROGRAM_FORMAT = 1


def base_gguf(model: str) -> str:
    """The GGUF file behind a base model spec that LoRA can be trained for and served with.

    Raises:
        ConfigError: the spec is not a local GGUF model (``local``, ``local-base``,
            ``llamacpp:PATH.gguf``) or already carries an adapter.
    """
    spec = parse_spec(model)
    if spec.kind in ("local", "local-base"):
        from agent.llm.backends._embedded import require_embedded_model_path

        return require_embedded_model_path()
    if spec.kind == "llamacpp" and not spec.lora:
        return spec.name
    raise ConfigError(
        f"model {model!r}: tuning weights needs a local GGUF model without an adapter "
        "(local, local-base or llamacpp:PATH.gguf)"
    )


def adapter_spec(model: str, adapter: str | Path | None) -> str:
    """The model spec that serves ``model`` with ``adapter`` through llama.cpp (or ``model``)."""
    if adapter is None:
        return model
    return f"llamacpp:{base_gguf(model)}+lora:{Path(adapter).resolve()}"


@dataclass
class TogetherProgram:
    """A prompt (instruction, demos, position) for a task, served on a base model with an
    optional LoRA adapter.

    Attributes:
        prompt: the prompt result (task definition and the chosen prompt).
        base_model: the base model spec (``local``, ``local-base``, ``llamacpp:PATH.gguf``).
        adapter: the GGUF LoRA file, or ``None`` (prompt-only programs).
        strategy: the BetterTogether strategy that made it (``p``, ``w``, ``p->w->p``...).
        val_score, test_score: its scores when it was made (``None`` if not measured).
        test_size: examples in the test split it was scored on.
        meta: anything else worth keeping (adapter hash, run directory).
    """

    prompt: PromptResult
    base_model: str = "local"
    adapter: Path | None = None
    strategy: str = "p"
    val_score: float | None = None
    test_score: float | None = None
    test_size: int = 0
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def model_spec(self) -> str:
        """The spec of the model this program runs on (base plus adapter)."""
        return adapter_spec(self.base_model, self.adapter)

    def llm(self, *, cache: bool | str = False) -> LLM:
        """The model this program runs on."""
        return load(self.model_spec, cache=cache)

    def evaluate(self, examples: Sequence[Example], *, llm: LLM | None = None) -> EvalResult:
        """Score the program on ``examples`` (greedy, the task's metric)."""
        scorer = PromptScorer(llm or self.llm(), self.prompt.task)
        return scorer.evaluate(self.prompt.candidate, examples)

    def run(self, inputs: Mapping[str, str] | str, *, llm: LLM | None = None) -> str:
        """Answer one new input."""
        return self.prompt.run(inputs, model=llm or self.llm())

    def save(self, folder: str | Path) -> Path:
        """Write ``program.json`` (and a copy of the adapter) into ``folder``; returns it."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        digest = None
        if self.adapter is not None:
            target = folder / ADAPTER_FILE
            if Path(self.adapter).resolve() != target.resolve():
                shutil.copyfile(self.adapter, target)
            digest = file_sha256(target)
        data = {
            "format": PROGRAM_FORMAT,
            "strategy": self.strategy,
            "base_model": self.base_model,
            "adapter": ADAPTER_FILE if self.adapter is not None else None,
            "adapter_sha256": digest,
            "val_score": self.val_score,
            "test_score": self.test_score,
            "test_size": self.test_size,
            "prompt": self.prompt.to_dict(),
            "meta": self.meta,
        }
        path = folder / PROGRAM_FILE
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if self.adapter is not None:
            self.adapter = folder / ADAPTER_FILE
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> TogetherProgram:
        """Read a program saved by ``save`` (a folder, or its ``program.json``).

        Raises:
            DataError: no program there, or its adapter is missing or not the one saved.
        """
        folder = Path(folder)
        if folder.name == PROGRAM_FILE:
            folder = folder.parent
        path = folder / PROGRAM_FILE
        if not path.is_file():
            raise DataError(f"{folder}: no {PROGRAM_FILE}; is it a better-together program?")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            prompt = PromptResult.from_dict(data["prompt"])
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise DataError(f"{path}: not a better-together program ({exc})") from None
        adapter = None
        if data.get("adapter"):
            adapter = folder / str(data["adapter"])
            if not adapter.is_file():
                raise DataError(f"{path}: its adapter {adapter} is missing")
            if data.get("adapter_sha256") and file_sha256(adapter) != data["adapter_sha256"]:
                raise DataError(
                    f"{adapter}: SHA-256 differs from the one in {path}; the adapter was changed"
                )
        return cls(
            prompt=prompt,
            base_model=str(data.get("base_model", "local")),
            adapter=adapter,
            strategy=str(data.get("strategy", "p")),
            val_score=data.get("val_score"),
            test_score=data.get("test_score"),
            test_size=int(data.get("test_size", 0)),
            meta=dict(data.get("meta", {})),
        )
