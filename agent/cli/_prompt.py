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
    ANSWER_KINDS,
    BUILTIN_TASKS,
    DEFAULT_MAX_TOKENS,
    DEFAULT_STOP,
    METHODS,
    Example,
    PromptTask,
    Splits,
    builtin_task,
    infer_answer_kind,
    load_examples,
    optimize_prompt,
    report_table,
    split_by_sizes,
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


def _read(path: str, spec: dict[str, Any]) -> list[Example]:
    return load_examples(
        Path(path),
        input_fields=spec.get("input_fields"),
        target_field=spec.get("target_field"),
        format=spec.get("format"),  # type: ignore[arg-type]  # a CLI string; load_examples validates it and names the formats
    )


def _generation(
    spec: dict[str, Any],
    kind: str,
    default_max: int | None = None,
    default_stop: tuple[str, ...] = DEFAULT_STOP,
) -> dict[str, Any]:
    """max_tokens and stop: the user's, else the answer kind's defaults (files and built-ins)."""
    stop = spec.get("stop")
    if stop is None:
        stops: tuple[str, ...] = default_stop
    else:
        stops = tuple(x for x in stop if x.lower() != "none")
    return {
        "max_tokens": spec.get("max_new_tokens") or default_max or DEFAULT_MAX_TOKENS[kind],
        "stop": stops,
    }


def _build(spec: dict[str, Any]) -> tuple[PromptTask, Splits, str]:
    """Task, splits and the answer-kind note from the CLI arguments stored in config.json
    (first run and resume)."""
    if spec.get("task"):
        item = builtin_task(spec["task"])
        base = item.task
        fields = {f: getattr(base, f) for f in base.__dataclass_fields__}
        fields.update(_generation(spec, base.answer_kind, base.max_tokens, base.stop))
        if spec.get("instruction") is not None:
            fields["instruction"] = spec["instruction"]
        if spec.get("position"):
            fields["position"] = spec["position"]
        task = PromptTask(**fields)
        sizes = tuple(spec["sizes"]) if spec.get("sizes") else None
        note = f"{task.answer_kind} (built-in task)"
        return task, item.splits(seed=spec["seed"], sizes=sizes), note  # type: ignore[arg-type]  # sizes read from JSON: a tuple of ints of unknown length
    if spec.get("train"):
        train = _read(spec["train"], spec)
        val = _read(spec["val"], spec)
        test = _read(spec["test"], spec) if spec.get("test") else []
        splits = Splits(train=tuple(train), val=tuple(val), test=tuple(test))
        first = Path(spec["train"])
        # train.jsonl in a folder named for the data set: name the run after the folder
        name = first.stem if first.stem.lower() != "train" else first.resolve().parent.name
        source = first.name
    elif spec.get("data"):
        examples = _read(spec["data"], spec)
        if spec.get("sizes"):
            splits = split_by_sizes(
                examples, spec["sizes"], seed=spec["seed"], source=str(spec["data"])
            )
        else:
            splits = split_examples(examples, seed=spec["seed"])
        name, source = Path(spec["data"]).stem, Path(spec["data"]).name
    else:
        raise ConfigError(
            "give --task builtin:NAME, --data FILE, or --train FILE --val FILE [--test FILE] "
            "(see `optagent prompt tasks`)"
        )
    kind = spec.get("answer_kind")
    labels = tuple(x.strip() for x in (spec.get("labels") or "").split(",") if x.strip())
    if kind:
        note = f"{kind} (--answer)"
    elif spec.get("format") == "gsm8k":
        kind, note = "number", "number (GSM8K format)"
    else:
        kind, labels = infer_answer_kind([e.target for e in (*splits.train, *splits.val)])
        note = f"{kind} (inferred from the targets; choose with --answer)"
    if labels:
        note += f", labels {', '.join(labels)}"
    fields_shown = tuple(splits.train[0].inputs)
    task = PromptTask(
        name=name,
        input_fields=fields_shown,
        answer_kind=kind,  # type: ignore[arg-type]  # a CLI string; PromptTask validates it and names the kinds
        labels=labels,
        pattern=spec.get("pattern") or "",
        instruction=spec.get("instruction") or "",
        position=spec.get("position") or "Q_begin",  # type: ignore[arg-type]  # a CLI string; PromptTask validates it and names the positions
        description=f"answer the {', '.join(fields_shown)} from {source}",
        **_generation(spec, kind),
    )
    return task, splits, note


def _check_sources(spec: dict[str, Any]) -> None:
    """Refuse option mixes that would be ignored or contradict each other (never silently)."""
    fixed = [f"--{k}" for k in ("train", "val", "test") if spec.get(k)]
    if spec.get("task") and (spec.get("data") or fixed):
        raise ConfigError(
            f"--task {spec['task']} and {' '.join(fixed) or '--data'} are two data sources; "
            "give one"
        )
    if spec.get("data") and fixed:
        raise ConfigError(
            f"--data splits one file by itself and {' '.join(fixed)} give fixed splits; "
            "use one or the other"
        )
    if fixed and not spec.get("train"):
        raise ConfigError(f"{' '.join(fixed)} need --train FILE (demos come from it)")
    if spec.get("train") and not spec.get("val"):
        raise ConfigError("--train needs --val FILE (every candidate is scored on it)")
    if spec.get("sizes") and spec.get("train"):
        raise ConfigError(
            "--sizes cuts a built-in task or one --data file; fixed --train/--val/--test "
            "files keep their own sizes: drop --sizes"
        )
    if spec.get("task"):
        own = [
            flag
            for flag, key in (
                ("--input-field", "input_fields"),
                ("--target-field", "target_field"),
                ("--format", "format"),
                ("--answer", "answer_kind"),
                ("--labels", "labels"),
                ("--answer-pattern", "pattern"),
            )
            if spec.get(key)
        ]
        if own:
            raise ConfigError(
                f"{', '.join(own)} apply to data files; {spec['task']} has its own fields, "
                "answer kind and metric"
            )
    kind = spec.get("answer_kind")
    if spec.get("labels") and kind not in (None, "label"):
        raise ConfigError(f"--labels is for --answer label, not --answer {kind}")
    if spec.get("pattern") and kind != "regex":
        raise ConfigError("--answer-pattern is for --answer regex; add it or drop the pattern")
    if kind == "regex" and not spec.get("pattern"):
        raise ConfigError("--answer regex needs --answer-pattern REGEX (its first group answers)")
    if kind is not None and kind not in ANSWER_KINDS:
        raise ConfigError(f"unknown --answer {kind!r}; use one of {', '.join(ANSWER_KINDS)}")


def _unescape(text: str) -> str:
    r"""``\n`` and ``\t`` typed on a command line become the characters."""
    return text.replace("\\n", "\n").replace("\\t", "\t")


@app.command("optimize")
@user_errors
def optimize(
    task: Annotated[
        str | None,
        typer.Option("--task", help="A built-in task: builtin:NAME (see `prompt tasks`)."),
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data", help="One data file (JSONL, JSON, CSV, GSM8K, BBH, TSV), split by --seed."
        ),
    ] = None,
    train: Annotated[
        Path | None, typer.Option("--train", help="Fixed train split file (demos come from it).")
    ] = None,
    val: Annotated[
        Path | None, typer.Option("--val", help="Fixed validation split file (search score).")
    ] = None,
    test: Annotated[
        Path | None, typer.Option("--test", help="Fixed test split file (scored after search).")
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
        typer.Option(
            "--answer",
            help="number, choice, yesno, label, exact or regex (data files; default: inferred "
            "from the targets).",
        ),
    ] = None,
    answer_pattern: Annotated[
        str | None,
        typer.Option("--answer-pattern", help="Regex for --answer regex (group 1 answers)."),
    ] = None,
    stop: Annotated[
        list[str] | None,
        typer.Option(
            "--stop",
            help="Stop string for answers (repeatable; '\\n' escapes work; 'none' for no "
            "stop). Default: a line break.",
        ),
    ] = None,
    labels: Annotated[
        str | None, typer.Option("--labels", help="Comma-separated label set for --answer label.")
    ] = None,
    instruction: Annotated[
        str | None, typer.Option("--instruction", help="The baseline instruction.")
    ] = None,
    position: Annotated[
        str | None, typer.Option("--position", help="Q_begin, Q_end or A_begin.")
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
        typer.Option(
            "--sizes",
            help="Split sizes TRAIN,VAL,TEST of a built-in task or a --data file.",
        ),
    ] = None,
    max_new_tokens: Annotated[
        int | None,
        typer.Option(
            "--max-new-tokens", help="Longest answer in tokens (default per answer kind)."
        ),
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
    if resume is None and max_new_tokens is not None and max_new_tokens < 1:
        raise ConfigError(f"--max-new-tokens must be >= 1, got {max_new_tokens}")
    if resume is not None:
        config = JsonlRunStore(resume).read_config()
        if config.get("kind") == "better-together" and "cli" in config:
            from agent.cli._together import run_together

            spec = dict(config["cli"])
            prompt_task, splits, _ = _build(spec)
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
            "train": str(train) if train else None,
            "val": str(val) if val else None,
            "test": str(test) if test else None,
            "pattern": answer_pattern,
            "stop": None if stop is None else [_unescape(x) for x in stop],
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
        _check_sources(spec)
        if method == "better-together":
            spec.update(
                strategy=strategy,
                prompt_method=prompt_method,
                max_epochs=max_epochs,
                device=device,
                model=model or "local",
            )
        run_dir = None
    prompt_task, splits, answer_note = _build(spec)
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
    console.print(
        f"answer: {answer_note}; generation: temperature 0, max new tokens "
        f"{prompt_task.max_tokens}, stop {list(prompt_task.stop) or 'none'}"
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
