"""The formulation adapter's recipe, end to end: data, encoding, training, GGUF export.

Everything that decides the adapter is in ``Recipe`` and is written to ``result.json`` beside it,
so a rerun of the same recipe reproduces it (up to thread scheduling in floating point).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from agent.errors import ConfigError, MissingExtraError
from agent.tune._data import batches, encode
from agent.tune._export import export_gguf_lora, file_sha256
from agent.tune._model import LoraSettings, add_lora, load_base, pick_device, pick_dtype
from agent.tune._train import TrainResult, TrainSettings, train

#: Families kept out of training: the adapter is scored on them as unseen kinds of problem.
HELD_OUT: tuple[str, ...] = ("bakery_batches", "cargo_plane", "loan_mix", "recycling")

#: Families listed more than once in the training mix. The allocation families hold the generic
#: linear statements ("the combined hours of X and Y", "twice X plus Y") that most problems are
#: made of, whatever their domain; together they make about 40% of the examples.
FAMILY_WEIGHTS: dict[str, int] = {
    "allocation_indexed": 9,
    "allocation_letters": 9,
    "allocation_named": 9,
}


@dataclass(frozen=True)
class Recipe:
    """What decides the adapter (JSON-safe through ``asdict``).

    ``train_examples`` is sized for the 75-minute CPU budget: about 330 tokens per example
    (targets quote their constraint sentences) at about 250 tokens/s on 2 quiet cores (bf16,
    LoRA on the upper 15 of 30 layers), about 1M tokens in all.
    """

    train_examples: int = 3000
    dev_examples: int = 96
    train_seed: int = 1
    dev_seed: int = 2
    held_out: tuple[str, ...] = HELD_OUT
    family_weights: dict[str, int] = field(default_factory=lambda: dict(FAMILY_WEIGHTS))
    #: Self-training files (``optagent tune bootstrap``): their kept formulations join the
    #: training examples, each ``extra_weight`` times.
    extra_data: tuple[str, ...] = ()
    extra_weight: int = 1
    batch_size: int = 8
    max_length: int = 768
    order_seed: int = 0
    lora: LoraSettings = field(default_factory=LoraSettings)
    train: TrainSettings = field(
        default_factory=lambda: TrainSettings(learning_rate=6e-4, max_minutes=70)
    )


def run_recipe(
    recipe: Recipe,
    folder: Path,
    *,
    base_gguf: str,
    device: str = "auto",
    resume: bool = False,
    workers: int | None = None,
    console: Console | None = None,
) -> dict[str, Any]:
    """Generate the data, train, export ``adapter.gguf``; returns what ``result.json`` holds."""
    from evals.synthetic._dataset import family_names

    console = console or Console(stderr=True)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "recipe.json").write_text(json.dumps(asdict(recipe), indent=2) + "\n")
    names = family_names(exclude=recipe.held_out, weights=recipe.family_weights)
    train_rows = _data(folder / "data" / "train.jsonl", recipe.train_examples,
                       recipe.train_seed, names, workers, console)  # fmt: skip
    extra_rows = _extra(recipe)
    train_rows = train_rows + extra_rows * recipe.extra_weight
    dev_rows = _data(folder / "data" / "dev.jsonl", recipe.dev_examples,
                     recipe.dev_seed, names, workers, console)  # fmt: skip
    from agent.llm.backends._llamacpp import shared_engine

    tokenizer = shared_engine(base_gguf, n_parallel=1, kv_size=512, n_ctx=512)
    encoded = [encode(row, tokenizer) for row in train_rows]
    dev_encoded = [encode(row, tokenizer) for row in dev_rows]
    pad = tokenizer.eos_id
    train_batches = batches(encoded, batch_size=recipe.batch_size, seed=recipe.order_seed,
                            pad_id=pad, max_length=recipe.max_length)  # fmt: skip
    dev_batches = batches(dev_encoded, batch_size=recipe.batch_size, seed=0, pad_id=pad,
                          max_length=recipe.max_length)  # fmt: skip
    chosen = pick_device(device)
    try:
        import torch
    except ImportError:
        raise MissingExtraError("torch", "tune") from None

    if chosen == "cpu":
        torch.set_num_threads(max(1, torch.get_num_threads()))
    torch.manual_seed(recipe.order_seed)
    model = add_lora(load_base(base_gguf, device=chosen, dtype=pick_dtype(chosen)), recipe.lora)
    result = _train_with_progress(model, train_batches, dev_batches, recipe, folder, chosen,
                                  resume, console)  # fmt: skip
    from agent.tune._train import _load_adapter

    _load_adapter(model, folder / "checkpoints" / "best")
    adapter = export_gguf_lora(model, folder / "adapter.gguf", description="optagent formulate")
    summary = {
        "recipe": asdict(recipe),
        "device": chosen,
        "dtype": str(pick_dtype(chosen)),
        "families": sorted(set(names)),
        "extra_examples": len(extra_rows),
        "extra_sha256": {path: file_sha256(Path(path)) for path in recipe.extra_data},
        "train_tokens_available": sum(len(e.input_ids) for e in encoded),
        "result": asdict(result),
        "tokens_per_second": round(result.tokens_per_second, 1),
        "adapter": adapter.name,
        "adapter_sha256": file_sha256(adapter),
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    (folder / "result.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def _data(path: Path, n: int, seed: int, names: list[str], workers: int | None,
          console: Console) -> list[dict[str, Any]]:  # fmt: skip
    from evals.synthetic._dataset import generate_examples, read_examples, write_examples

    if path.is_file():
        rows = list(read_examples(path))
        if len(rows) == n:
            return rows
    with _progress(console) as progress:
        task = progress.add_task(f"generating {path.stem} examples", total=n)
        examples = generate_examples(n, seed=seed, families=names, workers=workers,
                                     on_progress=lambda k: progress.advance(task, k))  # fmt: skip
    write_examples(examples, path)
    return [e.to_dict() for e in examples]


def _extra(recipe: Recipe) -> list[dict[str, Any]]:
    from agent.tune._bootstrap import training_rows

    if recipe.extra_weight < 1:
        raise ConfigError(f"extra_weight must be at least 1, got {recipe.extra_weight}")
    rows: list[dict[str, Any]] = []
    for path in recipe.extra_data:
        if not Path(path).is_file():
            raise ConfigError(f"extra training data {path} does not exist")
        rows.extend(training_rows(Path(path)))
    return rows


def _train_with_progress(model: Any, train_batches: list[Any], dev_batches: list[Any],
                         recipe: Recipe, folder: Path, device: str, resume: bool,
                         console: Console) -> TrainResult:  # fmt: skip
    with _progress(console, "loss {task.fields[loss]:.3f}  {task.fields[speed]:.0f} tok/s") as bar:
        task = bar.add_task("training", total=len(train_batches), loss=0.0, speed=0.0)

        def on_step(step: int, loss: float, speed: float) -> None:
            bar.update(task, completed=step, loss=loss, speed=speed)

        return train(model, train_batches, dev_batches, recipe.train, folder / "checkpoints",
                     device=device, resume=resume, on_step=on_step)  # fmt: skip


def _progress(console: Console, extra: str = "") -> Progress:
    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]
    if extra:
        columns.append(TextColumn(extra))
    return Progress(*columns, console=console)


def recipe_with(**changes: Any) -> Recipe:
    """The default recipe with top-level fields replaced (``train=``/``lora=`` take dicts)."""
    base = Recipe()
    if isinstance(changes.get("train"), dict):
        changes["train"] = replace(base.train, **changes["train"])
    if isinstance(changes.get("lora"), dict):
        changes["lora"] = replace(base.lora, **changes["lora"])
    return replace(base, **changes)
