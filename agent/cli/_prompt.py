"""`optagent prompt optimize|tasks`: prompt optimization from the command line, resumable."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from agent.cli._common import (
    MaxCallsOpt,
    MaxCostOpt,
    MaxTimeOpt,
    MaxTokensOpt,
    ModelOpt,
    NoCacheOpt,
    TrackingOpt,
    console,
    err_console,
    settings_from_flags,
    tracking,
    user_errors,
)
from agent.core import JsonlRunStore
from agent.errors import ConfigError
from agent.llm import load
from agent.tasks.prompt import (
    BUILTIN_TASKS,
    METHODS,
    PromptTask,
    Splits,
    builtin_task,
    load_examples,
    optimize_prompt,
    report_table,
    split_examples,
    write_report,
)

app = typer.Typer(
    help="Prompt optimization for any LLM task: exemplars, OPRO instructions, joint, reflective.",
    no_args_is_help=True,
)


@app.command("tasks")
@user_errors
def tasks() -> None:
    """List the built-in tasks (use them as --task builtin:NAME)."""
    table = Table(title="built-in prompt tasks")
    table.add_column("task", no_wrap=True)
    table.add_column("answer", no_wrap=True)
    table.add_column("train/val/test", no_wrap=True)
    table.add_column("baseline instruction")
    table.add_column("what")
    for name in sorted(BUILTIN_TASKS):
        item = BUILTIN_TASKS[name]
        t = item.task
        kind = t.answer_kind + (f" ({'/'.join(t.labels)})" if t.labels else "")
        sizes = "/".join(map(str, item.sizes))
        table.add_row(f"builtin:{name}", kind, sizes, t.instruction, t.description)
    console.print(table)


def _data_task(
    data: Path,
    *,
    input_fields: list[str] | None,
    target_field: str | None,
    data_format: str | None,
    answer_kind: str | None,
    labels: str | None,
    instruction: str,
    position: str,
    max_new_tokens: int | None,
    seed: int,
) -> tuple[PromptTask, Splits]:
    examples = load_examples(
        data,
        input_fields=input_fields,
        target_field=target_field,
        format=data_format,  # type: ignore[arg-type]  # a CLI string; load_examples validates it and names the formats
    )
    fields = tuple(examples[0].inputs)
    kind = answer_kind or ("number" if data_format == "gsm8k" else "exact")
    task = PromptTask(
        name=data.stem,
        input_fields=fields,
        answer_kind=kind,  # type: ignore[arg-type]  # a CLI string; PromptTask validates it and names the kinds
        labels=tuple(x.strip() for x in (labels or "").split(",") if x.strip()),
        instruction=instruction,
        position=position,  # type: ignore[arg-type]  # a CLI string; PromptTask validates it and names the positions
        max_tokens=max_new_tokens or 48,
        description=f"answer the {', '.join(fields)} from {data.name}",
    )
    return task, split_examples(examples, seed=seed)


def _build(spec: dict[str, Any]) -> tuple[PromptTask, Splits]:
    """Task and splits from the CLI arguments stored in config.json (first run and resume)."""
    if spec.get("task"):
        item = builtin_task(spec["task"])
        task = item.task
        if spec.get("instruction") is not None:
            task = PromptTask(
                **{
                    **{f: getattr(task, f) for f in task.__dataclass_fields__},
                    "instruction": spec["instruction"],
                }
            )
        sizes = tuple(spec["sizes"]) if spec.get("sizes") else None
        return task, item.splits(seed=spec["seed"], sizes=sizes)  # type: ignore[arg-type]  # sizes read from JSON: a tuple of ints of unknown length
    if not spec.get("data"):
        raise ConfigError("give --task builtin:NAME or --data FILE (see `optagent prompt tasks`)")
    return _data_task(
        Path(spec["data"]),
        input_fields=spec.get("input_fields"),
        target_field=spec.get("target_field"),
        data_format=spec.get("format"),
        answer_kind=spec.get("answer_kind"),
        labels=spec.get("labels"),
        instruction=spec.get("instruction") or "",
        position=spec.get("position") or "Q_begin",
        max_new_tokens=spec.get("max_new_tokens"),
        seed=spec["seed"],
    )


@app.command("optimize")
@user_errors
def optimize(
    task: Annotated[
        str | None,
        typer.Option("--task", help="A built-in task: builtin:NAME (see `prompt tasks`)."),
    ] = None,
    data: Annotated[
        Path | None, typer.Option("--data", help="A data file: JSONL, JSON, CSV, GSM8K or BBH.")
    ] = None,
    input_field: Annotated[
        list[str] | None,
        typer.Option("--input-field", help="Record field shown to the model (repeatable)."),
    ] = None,
    target_field: Annotated[
        str | None, typer.Option("--target-field", help="Record field holding the answer.")
    ] = None,
    data_format: Annotated[
        str | None,
        typer.Option("--format", help="jsonl, json, csv, gsm8k or bbh (default: detected)."),
    ] = None,
    answer_kind: Annotated[
        str | None,
        typer.Option("--answer", help="number, choice, yesno, label or exact (data files)."),
    ] = None,
    labels: Annotated[
        str | None, typer.Option("--labels", help="Comma-separated label set for --answer label.")
    ] = None,
    instruction: Annotated[
        str | None, typer.Option("--instruction", help="The baseline instruction.")
    ] = None,
    position: Annotated[
        str | None, typer.Option("--position", help="Q_begin, Q_end or A_begin (data files).")
    ] = None,
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help=f"One of {', '.join(METHODS)}, or better-together (prompts and LoRA weights).",
        ),
    ] = "exemplars",
    strategy: Annotated[
        str,
        typer.Option("--strategy", help="better-together: p, w, p->w, w->p or p->w->p (default)."),
    ] = "p->w->p",
    prompt_method: Annotated[
        str,
        typer.Option("--prompt-method", help="better-together: the method of each p stage."),
    ] = "exemplars",
    max_epochs: Annotated[
        int,
        typer.Option("--max-epochs", help="better-together: most fine-tune epochs (early stop)."),
    ] = 8,
    device: Annotated[
        str, typer.Option("--device", help="better-together: auto, cpu or cuda for training.")
    ] = "auto",
    optimizer_model: Annotated[
        str | None,
        typer.Option(
            "--optimizer-model", help="Model that writes instructions (default: --model)."
        ),
    ] = None,
    steps: Annotated[
        int | None, typer.Option("--steps", help="Loop steps (default per method).")
    ] = None,
    candidates: Annotated[int, typer.Option("--candidates", "-k", help="Candidates per step.")] = 4,
    max_demos: Annotated[int, typer.Option("--max-demos", help="Most demos in a prompt.")] = 4,
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", help="Train inputs tried when bootstrapping demos.")
    ] = 24,
    sizes: Annotated[
        str | None,
        typer.Option("--sizes", help="Built-in split sizes TRAIN,VAL,TEST (default per task)."),
    ] = None,
    max_new_tokens: Annotated[
        int | None, typer.Option("--max-new-tokens", help="Longest answer (data files).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seeds splits, searches and requests.")] = 0,
    racing: Annotated[
        bool,
        typer.Option(
            "--racing/--no-racing",
            help="Race each step's candidates on growing validation minibatches; only "
            "finalists get the whole split.",
        ),
    ] = True,
    min_batch: Annotated[
        int, typer.Option("--min-batch", help="First racing minibatch (validation examples).")
    ] = 8,
    name: Annotated[
        str | None, typer.Option("--name", help="Run name (default: TASK-METHOD-TIME).")
    ] = None,
    runs_dir: Annotated[Path, typer.Option("--runs-dir", help="Folder holding runs.")] = Path(
        "runs"
    ),
    resume: Annotated[
        Path | None, typer.Option("--resume", help="Continue the run in RUN_DIR.")
    ] = None,
    progress: Annotated[
        bool, typer.Option("--progress/--no-progress", help="Live progress.")
    ] = True,
    model: ModelOpt = None,
    max_calls: MaxCallsOpt = None,
    max_tokens: MaxTokensOpt = None,
    max_cost: MaxCostOpt = None,
    max_time: MaxTimeOpt = None,
    no_cache: NoCacheOpt = False,
    tracker: TrackingOpt = None,
) -> None:
    """Optimize a prompt and compare it with the baseline on the held-out test split."""
    started = time.perf_counter()
    if resume is not None:
        config = JsonlRunStore(resume).read_config()
        if config.get("kind") == "better-together" and "cli" in config:
            from agent.cli._together import run_together

            spec = dict(config["cli"])
            prompt_task, splits = _build(spec)
            run_together(spec, prompt_task, splits, resume, resume=True, progress=progress)
            return
        if config.get("kind") != "prompt" or "cli" not in config:
            raise ConfigError(
                f"{resume} is not an `optagent prompt optimize` run (no config.json with "
                "kind='prompt'); check the path"
            )
        spec = dict(config["cli"])
        run_dir = resume
    else:
        if method not in (*METHODS, "better-together"):
            raise ConfigError(
                f"unknown --method {method!r}; use one of {', '.join(METHODS)} or better-together"
            )
        split_sizes = None
        if sizes:
            try:
                split_sizes = [int(x) for x in sizes.split(",")]
            except ValueError:
                split_sizes = []
            if len(split_sizes) != 3 or min(split_sizes) < 1:
                raise ConfigError(
                    f"--sizes wants TRAIN,VAL,TEST as three positive integers, got {sizes!r}"
                )
        spec = {
            "task": task,
            "data": str(data) if data else None,
            "input_fields": input_field,
            "target_field": target_field,
            "format": data_format,
            "answer_kind": answer_kind,
            "labels": labels,
            "instruction": instruction,
            "position": position,
            "max_new_tokens": max_new_tokens,
            "sizes": split_sizes,
            "seed": seed,
            "method": method,
            "optimizer_model": optimizer_model,
            "steps": steps,
            "candidates": candidates,
            "max_demos": max_demos,
            "bootstrap": bootstrap,
            "racing": racing,
            "min_batch": min_batch,
        }
        if method == "better-together":
            spec.update(
                strategy=strategy,
                prompt_method=prompt_method,
                max_epochs=max_epochs,
                device=device,
                model=model or "local",
            )
        run_dir = None
    prompt_task, splits = _build(spec)
    if run_dir is None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        run_dir = runs_dir / (name or f"{prompt_task.name}-{spec['method']}-{stamp}")
    if spec["method"] == "better-together":
        from agent.cli._together import run_together

        run_together(spec, prompt_task, splits, run_dir, resume=False, progress=progress)
        return
    settings = settings_from_flags(
        model=model or (config.get("model") if resume is not None else None),
        max_calls=max_calls,
        max_tokens=max_tokens,
        max_cost=max_cost,
        max_time=max_time,
        no_cache=no_cache,
    )
    cache: bool | str = str(JsonlRunStore(run_dir).cache_path) if settings.cache else False
    llm = load(settings.model, cache=cache, budget=settings.budget, settings=settings)
    console.print(
        f"run directory: [bold]{run_dir}[/]  task: {prompt_task.name}  method: {spec['method']}"
        f"  model: {llm.spec}  splits: {splits.sizes()}"
    )
    with tracking(tracker, run_dir):
        result = optimize_prompt(
            prompt_task,
            splits.train,
            splits.val,
            model=llm,
            optimizer_model=spec.get("optimizer_model"),
            method=spec["method"],
            steps=steps if steps is not None else spec.get("steps"),
            candidates_per_step=spec["candidates"],
            max_demos=spec["max_demos"],
            bootstrap=spec["bootstrap"],
            testset=splits.test,
            seed=spec["seed"],
            racing=spec.get("racing", False),
            min_batch=spec.get("min_batch", 8),
            run_dir=run_dir,
            resume=resume is not None,
            progress=progress,
            config={"cli": spec},
            notify=lambda line: err_console.print(f"[dim]{line}[/]") if progress else None,
        )
    wall = time.perf_counter() - started
    console.print(report_table(result, wall_s=wall))
    report = write_report(result, run_dir, wall_s=wall)
    console.print(f"report: {report}  result: {Path(run_dir) / 'result.json'}")
    if result.status != "finished":
        err_console.print(
            f"[yellow]search {result.status}[/]: {result.reason}; the best prompt so far is kept. "
            f"Continue with: optagent prompt optimize --resume {run_dir}"
        )


__all__ = ["app"]
