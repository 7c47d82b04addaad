"""`optagent runs list|show|serve|mlflow`: every kind of run lives in a run directory; all four
read it through ``agent.core.RunReader``."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from agent.cli._common import console, user_errors
from agent.core import RunReader, find_runs
from agent.core._store import CONFIG_FILE
from agent.errors import ConfigError

app = typer.Typer(help="List and inspect run directories.", no_args_is_help=True)

RunsDirOpt = Annotated[Path, typer.Option("--runs-dir", help="Folder holding run directories.")]


def _show_solve(reader: RunReader) -> None:
    """The rounds of a formulation run, chain by chain, and its answer."""
    config, answer = reader.config, reader.best_file
    console.print(f"problem: {escape(str(config.get('problem', '')))}", soft_wrap=True)
    if answer:
        console.print(
            f"answer [bold]{escape(str(answer.get('status')))}[/]  objective "
            f"{_score(answer.get('objective'))}  rounds used {answer.get('rounds_used', '-')}"
            + (
                f"  truncated replies {answer['truncated_rounds']}"
                if answer.get("truncated_rounds")
                else ""
            )
        )
    table = Table(title="rounds")
    for column in ("chain", "round", "status", "objective", "error"):
        table.add_column(column)
    for trial in sorted(reader.trials, key=lambda t: (t.index, t.step)):
        record = trial.artifacts
        table.add_row(
            str(trial.index),
            str(trial.step + 1),
            escape(str(record.get("status", trial.status))),
            _score(record.get("objective")),
            escape(str(record.get("error", ""))[:100]),
        )
    console.print(table)
    if reader.status not in ("finished", "new"):
        console.print(f"continue with: optagent solve --resume {escape(str(reader.directory))}")


def _when(stamp: float | None) -> str:
    if not stamp:
        return "-"
    return dt.datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M")


def _score(value: Any) -> str:
    return "-" if value is None else f"{value:.6g}"


@app.command("list")
@user_errors
def list_runs(runs_dir: RunsDirOpt = Path("runs")) -> None:
    """One line per run: status, progress, best score, usage."""
    dirs = [d for d in find_runs([runs_dir]) if (d / CONFIG_FILE).is_file()]
    if not dirs:
        console.print(f"no runs in {runs_dir}/ (start one with: optagent opro linreg)")
        return
    table = Table(title=f"runs in {runs_dir}/")
    for column in (
        "name",
        "kind",
        "task",
        "optimizer",
        "status",
        "step",
        "trials",
        "best",
        "calls",
        "tokens",
        "cost $",
        "updated",
    ):
        table.add_column(column)
    for directory in dirs:
        reader = RunReader(directory)
        s = reader.summary()
        step, steps = reader.progress()
        table.add_row(
            s["name"],
            s["kind"],
            s["task"],
            s["optimizer"],
            s["status"],
            f"{step}/{steps}",
            str(s["trials"]),
            _score(s["best"]),
            str(s["calls"]),
            str(s["tokens"]),
            f"{s['cost']:.4f}",
            _when(reader.state.get("updated")),
        )
    console.print(table)


@app.command("show")
@user_errors
def show(
    name: Annotated[str, typer.Argument(help="Run name (in --runs-dir) or a run directory.")],
    runs_dir: RunsDirOpt = Path("runs"),
    top: Annotated[int, typer.Option("--top", help="Best trials to list.")] = 10,
) -> None:
    """Details of one run: configuration, status, best trials, skip reasons, plots."""
    directory = Path(name) if Path(name).is_dir() else runs_dir / name
    if not (directory / CONFIG_FILE).is_file():
        raise ConfigError(
            f"no run {name!r}: {directory} has no config.json (see optagent runs list)"
        )
    reader = RunReader(directory)
    s = reader.summary()
    step, steps = reader.progress()
    counts = s["counts"]
    console.print(f"[bold]{s['name']}[/]  ({directory})")
    console.print(
        f"kind {s['kind']}  task {s['task']}  optimizer {s['optimizer']}  model {s['model']}"
    )
    console.print(
        f"status [bold]{s['status']}[/] at step {step}/{steps}"
        + (f" ({s['reason']})" if s["reason"] else "")
    )
    console.print(
        f"trials {s['trials']} (skipped {counts.get('skipped', 0)}, failed "
        f"{counts.get('failed', 0)}, pruned {counts.get('pruned', 0)})  "
        f"calls {s['calls']}  tokens {s['tokens']}  cost ${s['cost']:.4f}"
    )
    for note in s["notes"]:
        console.print(f"note: {escape(note)}")
    if s["kind"] == "solve":
        _show_solve(reader)
        return
    best = reader.best_index()
    best_candidate = reader.best_file.get(
        "candidate", None if best is None else reader.trials[best].candidate
    )
    console.print(f"best {_score(s['best'])}: {best_candidate!s:.200}")
    table = Table(title=f"best {top} trials")
    for column in ("#", "step", "score", "candidate"):
        table.add_column(column)
    for trial in reader.top(top):
        table.add_row(
            str(trial.number), str(trial.step), _score(trial.score), f"{trial.candidate!s:.80}"
        )
    console.print(table)
    reasons = Counter(
        re.sub(r"\s*\(.*\)$", "", t.reason.split(":")[0]) if t.reason else "-"
        for t in reader.trials
        if t.status != "ok"
    )
    if reasons:
        console.print("not scored: " + ", ".join(f"{r} x{c}" for r, c in reasons.most_common()))
    for plot in reader.plots():
        console.print(f"plot: {directory / 'plots' / plot}")


@app.command("serve")
@user_errors
def serve_command(
    dirs: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Run folders, or folders holding runs (default: runs/). New runs that appear "
            "in them show up on the next page load."
        ),
    ] = None,
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to bind. The default serves this machine only; 0.0.0.0 shows your "
            "runs (prompts, data, replies) to the whole network.",
        ),
    ] = "127.0.0.1",
) -> None:
    """Watch and compare runs in the browser (needs: pip install 'optagent\\[serve]').

    Lists runs (kind, model, status, best score, calls, cost). A run page draws the
    best-so-far curve, which grows while the run is in progress, and the trial table: each
    candidate, its diff against the previous best and the model's reasoning. Eval runs show
    accuracy by category and their failures with links to each item's record; trace runs the
    graph the optimizer saw; /compare puts two runs side by side. Read-only: it never writes
    into run folders. Works offline (plotly.js comes from the installed plotly package).
    """
    from agent.serve import serve

    paths = list(dirs or [Path("runs")])
    console.print(
        f"serving {', '.join(map(str, paths))} at [bold]http://{host}:{port}/[/] (Ctrl-C stops)",
        highlight=False,
    )
    serve(paths, host=host, port=port)


@app.command("mlflow")
@user_errors
def mlflow_command(
    dirs: Annotated[list[Path], typer.Argument(help="Run folders to log.")],
    tracking_uri: Annotated[
        str | None,
        typer.Option(
            "--tracking-uri",
            help="Where to log (default: MLFLOW_TRACKING_URI, else the SQLite database "
            "./mlruns/mlflow.db with artifacts in ./mlruns/artifacts).",
        ),
    ] = None,
    experiment: Annotated[
        str, typer.Option("--experiment", help="MLflow experiment (created if missing).")
    ] = "optagent",
) -> None:
    """Log finished runs to MLflow (needs: pip install 'optagent\\[mlflow]').

    Each run folder becomes one MLflow run: config.json as params, each trial's score and the
    best-so-far curve as metrics (step = the trial's position in the journal), calls, tokens
    and cost, and config.json, the best candidate and the plots as artifacts. Any run kind
    works (opro, prompt, trace, solve, eval, hpo). See them with: mlflow ui --backend-store-uri
    URI. To log a run while it runs, pass --tracking mlflow to the command that starts it.
    """
    from agent.tracking import default_tracking_uri, log_run

    uri = tracking_uri or default_tracking_uri()
    for directory in dirs:
        run_id = log_run(directory, tracking_uri=uri, experiment=experiment)
        console.print(f"{directory}: MLflow run {run_id}", highlight=False)
    console.print(f"tracking URI: {uri}", highlight=False)
