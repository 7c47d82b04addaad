"""`optagent tune formulate`: fine-tune the embedded model's formulation adapter (LoRA)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from agent.cli._common import console, err_console, user_errors

app = typer.Typer(help="Fine-tune the embedded model (needs pip install 'optagent\\[tune]').",
                  no_args_is_help=True)  # fmt: skip


def _default_out() -> Path:
    # Through agent.config, the one place that knows the user cache folder (looked up at call
    # time, so the test session's isolation applies).
    from agent.config import default_cache_dir

    return default_cache_dir() / "tune" / "formulate"


@app.command("formulate")
@user_errors
def formulate(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Work folder (data, checkpoints, adapter.gguf); "
            "default: the user cache, never the repository.",
        ),
    ] = None,
    examples: Annotated[
        int | None, typer.Option("--examples", help="Training examples (default: the recipe's).")
    ] = None,
    max_minutes: Annotated[
        float | None, typer.Option("--max-minutes", help="Stop training after this long.")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the training examples.")] = 1,
    device: Annotated[str, typer.Option("--device", help="auto, cpu or cuda.")] = "auto",
    workers: Annotated[
        int | None, typer.Option("--workers", help="Processes generating data (default: cores).")
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue from the folder's last checkpoint.")
    ] = False,
) -> None:
    """Generate verified synthetic problems, train a LoRA adapter on them and export it as GGUF.

    The adapter lands in OUT/adapter.gguf with OUT/result.json (recipe, steps, tokens, dev
    loss). Use it with --model 'llamacpp:BASE.gguf+lora:OUT/adapter.gguf'; the shipped
    adapter behind --model local was made by this command with the default recipe.
    """
    from agent.llm.backends._embedded import require_embedded_model_path
    from agent.tune import recipe_with, require_tune_extra, run_recipe

    require_tune_extra()
    changes: dict[str, object] = {"train_seed": seed}
    if examples is not None:
        changes["train_examples"] = examples
    if max_minutes is not None:
        changes["train"] = {"max_minutes": max_minutes}
    folder = (out or _default_out()).expanduser()
    summary = run_recipe(
        recipe_with(**changes),
        folder,
        base_gguf=require_embedded_model_path(),
        device=device,
        resume=resume,
        workers=workers,
        console=err_console,
    )
    console.print_json(json.dumps({k: summary[k] for k in ("result", "tokens_per_second",
                                                            "adapter_sha256")}))  # fmt: skip
    console.print(f"adapter: {folder / 'adapter.gguf'}")
