"""`optagent trace ...`: run the trace-optimization examples."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

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
    llm_from_flags,
    tracking,
    user_errors,
)
from agent.core import JsonlRunStore
from agent.errors import ConfigError
from agent.trace.examples import EXAMPLES, OPTIMIZERS, run_example
from agent.trace.optimizers import StepReport

#: The optimizer ``name`` in config.json -> the --optimizer choice that builds it.
_KINDS = {"directional": "directional", "optoprime": "optoprime", "trace-opro": "opro"}

app = typer.Typer(
    help="Trace-style optimization of Python workflows (nodes, bundles, feedback).",
    no_args_is_help=True,
)


@app.command("list")
@user_errors
def list_examples() -> None:
    """List the runnable examples."""
    table = Table(title="trace examples")
    table.add_column("name")
    table.add_column("what it optimizes")
    for name, (summary, _) in EXAMPLES.items():
        table.add_row(name, summary)
    console.print(table)


@app.command("example")
@user_errors
def example(
    name: Annotated[str, typer.Argument(help=f"One of: {', '.join(EXAMPLES)}.")],
    model: ModelOpt = None,
    steps: Annotated[int, typer.Option(help="Optimizer steps at most.")] = 3,
    optimizer: Annotated[
        str, typer.Option(help=f"Optimizer: {', '.join(OPTIMIZERS)}.")
    ] = "directional",
    candidates: Annotated[
        int, typer.Option("--candidates", "-n", help="Candidate updates sampled per step.")
    ] = 2,
    seed: Annotated[int, typer.Option(help="Base seed of the optimizer's requests.")] = 0,
    allow_in_process: Annotated[
        bool,
        typer.Option(
            "--allow-in-process",
            help="Run LLM-written code (example 'buggy') in this process instead of the "
            "sandbox. It then runs with your privileges.",
        ),
    ] = False,
    save: Annotated[
        Path | None, typer.Option(help="Write the optimized parameters to this JSON file.")
    ] = None,
    name_: Annotated[
        str | None, typer.Option("--name", help="Run name (default: trace-EXAMPLE-DATE-TIME).")
    ] = None,
    runs_dir: Annotated[
        Path, typer.Option("--runs-dir", help="Folder holding run directories.")
    ] = Path("runs"),
    resume: Annotated[
        Path | None,
        typer.Option(
            "--resume",
            help="Continue the run in RUN_DIR (killed, stopped or finished); its optimizer, "
            "candidates and seed come from its config.json.",
        ),
    ] = None,
    progress_bar: Annotated[
        bool, typer.Option("--progress/--no-progress", help="Live progress on stderr.")
    ] = False,
    max_calls: MaxCallsOpt = None,
    max_tokens: MaxTokensOpt = None,
    max_cost: MaxCostOpt = None,
    max_time: MaxTimeOpt = None,
    no_cache: NoCacheOpt = False,
    tracker: TrackingOpt = None,
) -> None:
    """Run one example as a run in runs/NAME: score before and after, LLM calls and tokens."""
    llm = llm_from_flags(
        model=model,
        max_calls=max_calls,
        max_tokens=max_tokens,
        max_cost=max_cost,
        max_time=max_time,
        no_cache=no_cache,
    )

    def progress(report: StepReport, score: float) -> None:
        changed = ", ".join(report.applied) or "nothing"
        note = f" ({report.note})" if report.note else ""
        err_console.print(f"[dim]step {report.step}: changed {changed}; score {score:.4g}{note}[/]")

    if resume is not None:
        stored = JsonlRunStore(resume).read_config()
        if stored.get("kind") != "trace" or stored.get("example") != name:
            raise ConfigError(
                f"--resume {resume}: not an `optagent trace example {name}` run (config.json "
                f"kind={stored.get('kind')!r}, example={stored.get('example')!r})"
            )
        described = stored.get("optimizer", {})
        optimizer = _KINDS.get(described.get("name"), optimizer)
        candidates = int(described.get("n", candidates))
        seed = int(described.get("seed", seed))
        run_dir = resume
    else:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        run_dir = runs_dir / (name_ or f"trace-{name}-{stamp}")
    err_console.print(f"[dim]run directory: {run_dir}[/]")
    with tracking(tracker, run_dir):
        result = run_example(
            name,
            llm,
            steps=steps,
            optimizer=optimizer,
            n=candidates,
            seed=seed,
            allow_in_process=allow_in_process,
            on_step=progress,
            run_dir=run_dir,
            resume=resume is not None,
            progress=progress_bar,
            config={"model": llm.spec},
        )
    console.print(
        f"{name} on {llm.spec}: score before {result.before:.4g}, after {result.after:.4g} "
        f"(higher is better; 0 is perfect) in {result.steps} step(s); "
        f"{result.calls} LLM call(s), {result.tokens} tokens",
        highlight=False,
    )
    if result.status != "finished":
        err_console.print(
            f"[yellow]run {result.status}[/] ({result.reason}): resume with "
            f"optagent trace example {name} --resume {run_dir}"
        )
    for key, value in result.values.items():
        console.print(f"  {key} = {value!r}", highlight=False, markup=False)
    if save is not None:
        import json

        save.write_text(json.dumps(result.values, indent=2, default=str) + "\n", encoding="utf-8")
        console.print(f"parameters written to {save}")
