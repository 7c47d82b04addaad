"""LoRA on any chat examples (messages -> reply), trained to early stopping on a dev split.

The formulation recipe (``run_recipe``) draws its data from the synthetic generator; this is
the same pipeline for data a caller already has, such as a prompt program's own accepted
traces (BetterTogether). Several epochs are laid out as one seeded batch sequence, so the
checkpoint of ``train`` (step, optimizer, adapter) resumes them exactly after a kill.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from agent.errors import ConfigError, MissingExtraError
from agent.tune._data import Batch, batches, encode_chat
from agent.tune._export import export_gguf_lora, file_sha256
from agent.tune._model import LoraSettings, add_lora, load_base, pick_device, pick_dtype
from agent.tune._train import TrainSettings, evaluate, train

BASE_DEV_FILE = "base_dev_loss.json"
RESULT_FILE = "result.json"
ADAPTER_FILE = "adapter.gguf"


@dataclass(frozen=True)
class ChatExample:
    """One training example: chat messages (``role``/``content`` dicts) and the reply."""

    messages: tuple[Mapping[str, str], ...]
    target: str

    def to_dict(self) -> dict[str, Any]:
        return {"messages": [dict(m) for m in self.messages], "target": self.target}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChatExample:
        return cls(tuple(dict(m) for m in data["messages"]), str(data["target"]))


@dataclass(frozen=True)
class ChatTuneSettings:
    """What decides a chat adapter besides its data (JSON-safe through ``asdict``).

    ``max_epochs`` bounds training; it normally ends earlier, when the dev loss (measured
    ``evals_per_epoch`` times an epoch) has not improved ``train.patience`` times in a row.
    """

    batch_size: int = 8
    max_length: int = 512
    max_epochs: int = 8
    evals_per_epoch: int = 2
    order_seed: int = 0
    lora: LoraSettings = field(default_factory=lambda: LoraSettings(rank=8, first_layer=15))
    train: TrainSettings = field(
        default_factory=lambda: TrainSettings(learning_rate=3e-4, warmup_steps=10, patience=2)
    )

    def __post_init__(self) -> None:
        for name in ("batch_size", "max_length", "max_epochs", "evals_per_epoch"):
            if getattr(self, name) < 1:
                raise ConfigError(f"tune setting {name} must be >= 1, got {getattr(self, name)}")


def epoch_batches(
    encoded: Sequence[Any], settings: ChatTuneSettings, *, pad_id: int
) -> tuple[list[Batch], int]:
    """``max_epochs`` epochs of length-grouped batches, each epoch in its own seeded order.

    Returns:
        The batches and the number per epoch.
    """
    one = [
        batches(encoded, batch_size=settings.batch_size, seed=settings.order_seed + epoch,
                pad_id=pad_id, max_length=settings.max_length)
        for epoch in range(settings.max_epochs)
    ]  # fmt: skip
    return [b for epoch in one for b in epoch], len(one[0]) if one else 0


def tune_chat(
    train_examples: Sequence[ChatExample],
    dev_examples: Sequence[ChatExample],
    folder: Path,
    *,
    base_gguf: str,
    settings: ChatTuneSettings | None = None,
    device: str = "auto",
    resume: bool = False,
    description: str = "optagent chat adapter",
    on_step: Callable[[int, float, float], None] | None = None,
) -> dict[str, Any]:
    """Train a LoRA adapter on chat examples and export ``folder/adapter.gguf``.

    Checkpoints go to ``folder/checkpoints`` (``latest`` every evaluation, ``best`` by dev
    loss); with ``resume`` a killed run continues from ``latest``. The adapter exported is the
    best by dev loss.

    Returns:
        What ``folder/result.json`` holds: examples, tokens, the dev loss of the base model and
        of the adapter, steps, epochs, why training stopped, and the adapter's SHA-256.

    Raises:
        ConfigError: no training or no dev examples, or none fits ``max_length``.
        MissingExtraError: the ``tune`` extra is not installed.
    """
    settings = settings or ChatTuneSettings()
    if not train_examples or not dev_examples:
        raise ConfigError(
            f"fine-tuning needs training and dev examples, got {len(train_examples)} and "
            f"{len(dev_examples)}: bootstrap more traces (a larger train split or a better prompt)"
        )
    try:
        import torch
    except ImportError:
        raise MissingExtraError("torch", "tune") from None
    from agent.llm.backends._llamacpp import shared_engine

    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = shared_engine(base_gguf, n_parallel=1, kv_size=512, n_ctx=512)
    encoded = [encode_chat(e.messages, e.target, tokenizer) for e in train_examples]
    dev_encoded = [encode_chat(e.messages, e.target, tokenizer) for e in dev_examples]
    pad = tokenizer.eos_id
    train_batches, per_epoch = epoch_batches(encoded, settings, pad_id=pad)
    dev_batches = batches(dev_encoded, batch_size=settings.batch_size, seed=0, pad_id=pad,
                          max_length=settings.max_length)  # fmt: skip
    if not train_batches or not dev_batches:
        raise ConfigError(
            f"no example fits max_length {settings.max_length} tokens; raise it or shorten them"
        )
    every = max(1, math.ceil(per_epoch / settings.evals_per_epoch))
    train_settings = TrainSettings(**{**asdict(settings.train), "eval_every": every})
    chosen = pick_device(device)
    torch.manual_seed(settings.order_seed)
    model = add_lora(load_base(base_gguf, device=chosen, dtype=pick_dtype(chosen)), settings.lora)
    base_file = folder / BASE_DEV_FILE
    if base_file.is_file():
        base_dev = float(json.loads(base_file.read_text())["dev_loss"])
    else:
        # the LoRA starts at zero, so this is the base model's loss on the dev replies
        base_dev = evaluate(model, dev_batches, chosen)
        base_file.write_text(json.dumps({"dev_loss": base_dev}) + "\n")
    checkpoints = folder / "checkpoints"
    result = train(model, train_batches, dev_batches, train_settings, checkpoints,
                   device=chosen, resume=resume, on_step=on_step)  # fmt: skip
    from agent.tune._train import _load_adapter

    _load_adapter(model, checkpoints / "best")
    adapter = export_gguf_lora(model, folder / ADAPTER_FILE, description=description)
    summary = {
        "settings": asdict(settings),
        "device": chosen,
        "train_examples": len(train_examples),
        "dev_examples": len(dev_examples),
        "train_tokens_per_epoch": sum(len(e.input_ids) for e in encoded),
        "target_tokens_per_epoch": sum(e.target_tokens for e in encoded),
        "steps_per_epoch": per_epoch,
        "eval_every": every,
        "base_dev_loss": base_dev,
        "result": asdict(result),
        "epochs": round(result.steps / per_epoch, 2),
        "tokens_per_second": round(result.tokens_per_second, 1),
        "adapter": ADAPTER_FILE,
        "adapter_sha256": file_sha256(adapter),
    }
    (folder / RESULT_FILE).write_text(json.dumps(summary, indent=2) + "\n")
    return summary
