"""`optagent prompt optimize --method better-together`: prompts and LoRA weights, resumable."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from rich.table import Table

from agent.cli._common import console, err_console
from agent.tasks.prompt import PromptTask, Splits


def run_together(
    spec: dict[str, Any],
    task: PromptTask,
    splits: Splits,
    run_dir: Path,
    *,
    resume: bool,
    progress: bool,
) -> None:
    """Run (or resume) a BetterTogether run from the CLI arguments in ``spec``; print a table
    of its stages and where the program was saved."""
    from agent.together import better_together
    from agent.tune import ChatTuneSettings

    started = time.perf_counter()
    console.print(
        f"run directory: [bold]{run_dir}[/]  task: {task.name}  method: better-together "
        f"{spec['strategy']}  model: {spec['model']}  splits: {splits.sizes()}"
    )
    result = better_together(
        task,
        splits.train,
        splits.val,
        testset=splits.test,
        strategy=spec["strategy"],
        model=spec["model"],
        prompt_method=spec["prompt_method"],
        steps=spec.get("steps"),
        candidates_per_step=spec["candidates"],
        max_demos=spec["max_demos"],
        bootstrap=spec["bootstrap"],
        racing=spec.get("racing", True),
        min_batch=spec.get("min_batch", 8),
        seed=spec["seed"],
        tune=ChatTuneSettings(max_epochs=spec["max_epochs"]),
        device=spec.get("device", "auto"),
        run_dir=run_dir,
        resume=resume,
        progress=progress,
        config={"cli": spec},
        notify=lambda line: err_console.print(f"[dim]{line}[/]") if progress else None,
    )
    table = Table(title=f"better-together {result.strategy} on {task.name}")
    for column in ("stage", "model", "val", "LLM calls", "traces kept", "loss (dev)", "changed"):
        table.add_column(column)
    for r in result.stages:
        weights = r["kind"] == "weights"
        table.add_row(
            r["stage"],
            "base + adapter" if weights or "+lora:" in r["model"] else "base",
            f"{r['changed']['tuned_score']:.3f}" if weights else f"{r['val_score']:.3f}",
            str(r["calls"]),
            f"{r['traces_kept']}/{r['traces_tried']}" if weights else "",
            f"{r['base_dev_loss']:.3f} -> {r['best_dev_loss']:.3f} ({r['stopped']}, "
            f"{r['train_tokens']} tokens)"
            if weights
            else "",
            f"{r['changed']['changed']}/{r['changed']['examples']}" if weights else "",
        )
    console.print(table)
    if result.test_score is not None:
        console.print(f"test accuracy: {result.test_score:.3f} on {result.test_size} examples")
    console.print(
        f"program: {Path(run_dir) / 'program'}  ({time.perf_counter() - started:.0f} s); "
        "reload it with agent.together.TogetherProgram.load"
    )


__all__ = ["run_together"]
