"""The LoRA training loop: AdamW, warmup and cosine decay, dev-loss early stopping, checkpoints.

Every ``eval_every`` steps the dev loss is measured and a checkpoint written (adapter, optimizer,
step); ``resume`` continues from the last one with the same batch order, so a killed run loses
at most one interval. The best adapter by dev loss is kept apart from the latest.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from agent.errors import MissingExtraError
from agent.tune._data import Batch

LOG_NAME = "train_log.jsonl"


@dataclass(frozen=True)
class TrainSettings:
    """Optimisation settings (JSON-safe; part of the recipe)."""

    learning_rate: float = 3e-4
    warmup_steps: int = 30
    min_lr_ratio: float = 0.1
    weight_decay: float = 0.0
    grad_clip: float = 1.0
    eval_every: int = 100
    patience: int = 4
    max_minutes: float | None = None


@dataclass(frozen=True)
class TrainResult:
    """What a training run did."""

    steps: int
    tokens: int
    seconds: float
    best_dev_loss: float
    best_step: int
    stopped: str

    @property
    def tokens_per_second(self) -> float:
        return self.tokens / self.seconds if self.seconds else 0.0


def train(
    model: Any,
    batches: Sequence[Batch],
    dev_batches: Sequence[Batch],
    settings: TrainSettings,
    folder: Path,
    *,
    device: str,
    resume: bool = False,
    on_step: Callable[[int, float, float], None] | None = None,
) -> TrainResult:
    """Train ``model`` (a peft model) over ``batches`` once; checkpoints go to ``folder``.

    Args:
        on_step: called with (step, loss, tokens per second) after each step (progress).

    Returns:
        Steps and tokens done, time, best dev loss and why it stopped (``done``,
        ``early_stop``, ``time_limit``).
    """
    try:
        import torch
    except ImportError:
        raise MissingExtraError("torch", "tune") from None

    folder.mkdir(parents=True, exist_ok=True)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(
        trainable, lr=settings.learning_rate, weight_decay=settings.weight_decay
    )
    total = len(batches)
    state = {"step": 0, "tokens": 0, "seconds": 0.0, "best": math.inf, "best_step": 0, "bad": 0}
    latest = folder / "latest"
    if resume and (latest / "trainer.pt").is_file():
        saved = torch.load(latest / "trainer.pt", weights_only=False)
        optimizer.load_state_dict(saved["optimizer"])
        state = saved["state"]
        _load_adapter(model, latest)
    started = time.monotonic() - state["seconds"]
    stopped = "done"
    model.train()
    for step in range(state["step"], total):
        batch = batches[step]
        lr = settings.learning_rate * _lr_factor(step, total, settings, state["seconds"])
        for group in optimizer.param_groups:
            group["lr"] = lr
        loss = _loss(model, batch, device)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, settings.grad_clip)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        state["step"] = step + 1
        state["tokens"] += batch.tokens
        state["seconds"] = time.monotonic() - started
        speed = state["tokens"] / state["seconds"]
        _log(
            folder,
            {
                "step": step + 1,
                "loss": round(loss.item(), 5),
                "tokens": state["tokens"],
                "tokens_per_s": round(speed, 1),
                "lr": lr,
            },
        )
        if on_step:
            on_step(step + 1, loss.item(), speed)
        last = step + 1 == total
        if (step + 1) % settings.eval_every == 0 or last:
            dev = evaluate(model, dev_batches, device)
            model.train()
            improved = dev < state["best"] - 1e-4
            if improved:
                state.update(best=dev, best_step=step + 1, bad=0)
                _save_adapter(model, folder / "best")
            else:
                state["bad"] += 1
            _log(folder, {"step": step + 1, "dev_loss": round(dev, 5), "best": improved})
            _checkpoint(model, optimizer, state, latest)
            if state["bad"] >= settings.patience:
                stopped = "early_stop"
                break
        limit = settings.max_minutes
        if limit is not None and state["seconds"] > limit * 60:
            _checkpoint(model, optimizer, state, latest)
            stopped = "time_limit"
            break
    result = TrainResult(
        steps=state["step"], tokens=state["tokens"], seconds=state["seconds"],
        best_dev_loss=state["best"], best_step=state["best_step"], stopped=stopped,
    )  # fmt: skip
    _log(folder, {"result": asdict(result)})
    return result


def evaluate(model: Any, batches: Sequence[Batch], device: str) -> float:
    """Mean per-token loss over ``batches`` (targets only), without gradients."""
    import torch

    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for batch in batches:
            tokens = sum(1 for row in batch.labels for label in row[1:] if label != -100)
            total += _loss(model, batch, device).item() * tokens
            count += tokens
    return total / max(count, 1)


def _loss(model: Any, batch: Batch, device: str) -> Any:
    import torch

    out = model(
        input_ids=torch.tensor(batch.input_ids, device=device),
        attention_mask=torch.tensor(batch.attention_mask, device=device),
        labels=torch.tensor(batch.labels, device=device),
    )
    return out.loss


def _lr_factor(step: int, total: int, settings: TrainSettings, seconds: float) -> float:
    """Linear warmup, then cosine decay over steps or over the time limit, whichever is ahead
    (a run cut short by ``max_minutes`` still ends at the low learning rate)."""
    if step < settings.warmup_steps:
        return (step + 1) / settings.warmup_steps
    progress = (step - settings.warmup_steps) / max(1, total - settings.warmup_steps)
    if settings.max_minutes:
        progress = max(progress, seconds / (settings.max_minutes * 60))
    cosine = 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))
    return settings.min_lr_ratio + (1 - settings.min_lr_ratio) * cosine


def _save_adapter(model: Any, folder: Path) -> None:
    model.save_pretrained(str(folder), save_embedding_layers=False)


def _load_adapter(model: Any, folder: Path) -> None:
    from peft import set_peft_model_state_dict
    from safetensors.torch import load_file

    set_peft_model_state_dict(model, load_file(str(folder / "adapter_model.safetensors")))


def _checkpoint(model: Any, optimizer: Any, state: dict[str, Any], folder: Path) -> None:
    import torch

    folder.mkdir(parents=True, exist_ok=True)
    _save_adapter(model, folder)
    partial = folder / "trainer.pt.tmp"
    torch.save(
        {"optimizer": optimizer.state_dict(), "state": state},
        partial,
    )
    partial.replace(folder / "trainer.pt")


def _log(folder: Path, record: dict[str, Any]) -> None:
    with (folder / LOG_NAME).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")
