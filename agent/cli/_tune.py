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
    extra_data: Annotated[
        list[Path] | None,
        typer.Option("--extra-data", help="Kept formulations from `tune bootstrap` to add."),
    ] = None,
    extra_weight: Annotated[
        int, typer.Option("--extra-weight", help="How many times each extra example is used.")
    ] = 1,
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
    if extra_data:
        changes["extra_data"] = tuple(str(p.resolve()) for p in extra_data)
        changes["extra_weight"] = extra_weight
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


@app.command("bootstrap")
@user_errors
def bootstrap_command(
    data: Annotated[
        Path, typer.Option("--data", help="Labelled problems (any benchmark format evals loads).")
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="JSONL of attempts; an existing one is continued.")
    ],
    exclude: Annotated[
        list[Path] | None,
        typer.Option("--exclude", help="Split file of ids to leave out (a test split)."),
    ] = None,
    model: Annotated[str, typer.Option("--model", help="Model spec.")] = "local",
    samples: Annotated[int, typer.Option("--samples", help="Formulations per problem.")] = 4,
    temperature: Annotated[float, typer.Option("--temperature")] = 0.7,
    max_minutes: Annotated[
        float | None, typer.Option("--max-minutes", help="Stop after this long (resumable).")
    ] = None,
) -> None:
    """Sample the formulation adapter on labelled problems and keep what solves to the label.

    The kept formulations are training data for `tune formulate --extra-data` (self-training).
    Only a benchmark's training split may be used: pass its test split with --exclude.
    """
    import time

    from rich.progress import Progress

    from agent.llm import load
    from agent.tune._bootstrap import Labelled, append, bootstrap, done_ids
    from evals.datasets import load_items
    from evals.runner import read_split
    from evals.scoring._tolerance import mamo_match

    left_out = {i for path in exclude or () for i in read_split(path)}
    done = done_ids(out)
    problems = [
        Labelled(item.id, item.question, item.gold.objective)
        for item in load_items(data)
        if item.id not in left_out and item.id not in done and item.gold.objective is not None
    ]
    llm = load(model, cache=False)
    deadline = time.monotonic() + 60 * max_minutes if max_minutes else None
    kept = 0
    with Progress(console=err_console) as progress:
        task = progress.add_task("sampling", total=len(problems))
        for attempt in bootstrap(problems, llm, match=mamo_match, samples=samples,
                                 temperature=temperature):  # fmt: skip
            append(out, attempt)
            kept += attempt.kept
            progress.update(task, advance=1, description=f"sampling (kept {kept})")
            if deadline is not None and time.monotonic() > deadline:
                break
    console.print(f"kept {kept} of {len(problems)} this run; {out}")
