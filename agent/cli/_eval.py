"""`optagent eval run|report|generate`: benchmark runs of the formulation agent (or of a prompt
on a prompt benchmark), their reports, and synthetic benchmark files."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

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
from agent.errors import ConfigError


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _timeout(seconds: float) -> float | None:
    """``--item-timeout 0`` turns the per-item limit off."""
    return None if seconds == 0 else seconds


app = typer.Typer(help="Evaluate the agent on benchmark datasets and report.", no_args_is_help=True)


@app.command("run")
@user_errors
def run(
    dataset: Annotated[
        Path, typer.Option("--dataset", "-d", help="Benchmark file or NLP4LP folder.")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Run directory, e.g. runs/mamo-easy.")],
    model: ModelOpt = None,
    mode: Annotated[
        str | None,
        typer.Option(
            "--mode",
            help="Scoring: mamo, orlm, optibench, llmopt, strict (default: the source's own "
            "rule; the run says which mode it chose and why).",
        ),
    ] = None,
    data_format: Annotated[
        str | None, typer.Option("--format", help="Dataset format (default: detected).")
    ] = None,
    workers: Annotated[int, typer.Option("--workers", "-w", help="Items at once.")] = 1,
    executor: Annotated[
        str | None,
        typer.Option(
            "--executor",
            help="thread (API-bound), process (solver-bound, the embedded model) or ray "
            "(scale-out). Default: process for local/llamacpp models, else thread.",
        ),
    ] = None,
    ray_address: Annotated[
        str | None,
        typer.Option("--ray-address", help="Ray cluster address; a local instance otherwise."),
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="First N items only.")] = None,
    sample: Annotated[
        int | None, typer.Option("--sample", help="A random sample of N items (with --seed).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of --sample.")] = 0,
    split: Annotated[
        Path | None,
        typer.Option(
            "--ids",
            help="A split file: the item ids to run, one per line "
            "(e.g. evals/splits/mamo_easy_lp_test.txt).",
        ),
    ] = None,
    votes: Annotated[int, typer.Option("--votes", help="Independent formulations.")] = 1,
    max_rounds: Annotated[
        int | None,
        typer.Option(
            "--max-rounds", help="Attempts per formulation (default: 1 local/llamacpp, else 3)."
        ),
    ] = None,
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help="auto (compact on llama.cpp models, else formulation), formulation (typed "
            "JSON, verified), compact (few-token language under the text's grammar) or code.",
        ),
    ] = "auto",
    max_new_tokens: Annotated[
        int | None,
        typer.Option(
            "--max-new-tokens",
            help="Longest model reply per sample (default: 256 local/llamacpp, else 1024).",
        ),
    ] = None,
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Solver seconds per formulation.")
    ] = 30.0,
    item_timeout: Annotated[
        float | None,
        typer.Option(
            "--item-timeout",
            help="Seconds per item; a later item is stopped and recorded as a timeout "
            "(default: 40 local/llamacpp, else 300; 0 for none).",
        ),
    ] = None,
    prompt: Annotated[
        Path | None,
        typer.Option(
            "--prompt", help="A prompt benchmark only: result.json of `optagent prompt optimize`."
        ),
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue a run directory; done items are kept.")
    ] = False,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar.")] = False,
    max_calls: MaxCallsOpt = None,
    max_tokens: MaxTokensOpt = None,
    max_cost: MaxCostOpt = None,
    max_time: MaxTimeOpt = None,
    no_cache: NoCacheOpt = False,
    tracker: TrackingOpt = None,
) -> None:
    """Run a benchmark through the formulation agent; one record per item in OUT."""
    signal.signal(signal.SIGTERM, _interrupt)  # like Ctrl-C: stop workers, keep finished items
    from agent.core import JsonlRunStore
    from evals.datasets import detect_format, is_prompt_format, load_items
    from evals.report import markdown, summarize
    from evals.runner import AgentSettings, load_records, run_defaults, run_eval, select_items
    from evals.scoring import SCORING_MODES, choose_mode

    settings = settings_from_flags(
        model=model,
        max_calls=max_calls,
        max_tokens=max_tokens,
        max_cost=max_cost,
        max_time=max_time,
        no_cache=no_cache,
    )
    defaults = run_defaults(settings.model)
    fmt = data_format or detect_format(dataset)
    selection = {"limit": limit, "sample": sample, "seed": seed}
    if split is not None:
        selection["ids"] = str(split)
    if is_prompt_format(fmt):
        from evals.runner import run_prompt_eval

        with tracking(tracker, out):
            result = run_prompt_eval(
                dataset,
                out=out,
                model=settings.model,
                settings=settings,
                prompt=prompt,
                selection=selection,
                resume=resume,
                progress=not no_progress,
            )
    else:
        if prompt is not None:
            raise ConfigError(
                f"--prompt applies to prompt benchmarks (bbh, gsm8k); {dataset} is {fmt}"
            )
        if mode is not None and mode not in SCORING_MODES:
            raise ConfigError(f"unknown --mode {mode!r}; use one of {', '.join(SCORING_MODES)}")
        loaded = load_items(dataset, format=fmt)
        choice = choose_mode(fmt, [item.meta for item in loaded], given=mode)
        if mode is None:
            err_console.print(
                f"scoring mode {choice.mode}"
                + (" (guessed)" if choice.guessed else "")
                + f": {choice.reason}",
                highlight=False,
            )
        from evals.runner import read_split

        split_ids = read_split(split) if split is not None else None
        items = select_items(loaded, limit=limit, sample=sample, seed=seed, ids=split_ids)
        agent = AgentSettings(
            settings.model,
            votes=votes,
            max_rounds=defaults.max_rounds if max_rounds is None else max_rounds,
            max_tokens=defaults.max_tokens if max_new_tokens is None else max_new_tokens,
            time_limit=time_limit,
            method=method,
            cache=str(out / "cache.sqlite") if settings.cache else None,
        )
        with tracking(tracker, out):
            result = run_eval(
                items,
                out=out,
                settings=agent,
                mode=choice.mode,
                dataset=str(dataset),
                dataset_format=fmt,
                mode_reason=choice.reason,
                selection=selection,
                executor=executor or defaults.executor,
                workers=workers,
                ray_address=ray_address,
                budget=settings.budget,
                item_timeout=_timeout(
                    defaults.item_timeout if item_timeout is None else item_timeout
                ),
                resume=resume,
                progress=not no_progress,
            )
    config, records = load_records(result.directory)
    store = JsonlRunStore(result.directory)
    summary = summarize(config, records, state=store.read_state(), usage=store.read_usage())
    console.print(escape(markdown(summary).split("\n## Wrong items")[0]), highlight=False)
    if result.skipped:
        err_console.print(f"resumed: {result.skipped} items were already done")
    console.print(f"{result.status}: {result.reason}; records in {result.directory}/trials.jsonl")


@app.command("report")
@user_errors
def report(
    run_dir: Annotated[Path, typer.Argument(help="An eval run directory.")],
    other: Annotated[
        Path | None, typer.Argument(help="A second eval run to compare side by side.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON instead of Markdown.")
    ] = False,
    no_plots: Annotated[bool, typer.Option("--no-plots", help="Skip the PNG charts.")] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Compare runs over different datasets or modes anyway (the report says so).",
        ),
    ] = False,
) -> None:
    """Accuracy overall and by category, execution rate, calls, tokens, failures, time;
    written to RUN/report/ (Markdown, JSON, charts). With a second run: the two side by side
    (refused for runs over different datasets or scoring modes unless --force)."""
    from evals.report import comparison_markdown, markdown, write_comparison, write_report

    if other is None:
        result = write_report(run_dir, plots=not no_plots)
        text = markdown(result)
    else:
        result = write_comparison(run_dir, other, plots=not no_plots, force=force)
        text = comparison_markdown(result)
    if as_json:
        print(json.dumps(result, indent=2))
        return
    console.print(escape(text), highlight=False)
    for file in result["files"]:
        console.print(f"wrote {file}", highlight=False)


@app.command("generate")
@user_errors
def generate(
    n: Annotated[int, typer.Option("--n", help="Instances to generate.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="JSONL file to write.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    template: Annotated[
        list[str] | None,
        typer.Option("--template", "-t", help="Template name (repeat); all by default."),
    ] = None,
    size: Annotated[
        str, typer.Option("--size", help="small (readable) or large (solver-bound).")
    ] = "small",
) -> None:
    """Write a synthetic benchmark of random LP/MILP instances with known optima (JSONL)."""
    from evals.synthetic import generate as make_rows
    from evals.synthetic import write_jsonl

    rows = make_rows(n, seed=seed, templates=template or None, size=size)
    write_jsonl(rows, out)
    console.print(f"wrote {len(rows)} items to {out}", highlight=False)
