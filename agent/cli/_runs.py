"""`optagent runs list|show`: every kind of run lives in a run directory; these read them."""

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
from agent.core import JsonlRunStore, Trial
from agent.errors import ConfigError

app = typer.Typer(help="List and inspect run directories.", no_args_is_help=True)

RunsDirOpt = Annotated[Path, typer.Option("--runs-dir", help="Folder holding run directories.")]


def _status_counts(trials: list[Trial]) -> dict[str, int]:
    """Trials that were skipped, failed or raced out (pruned), by status."""
    return {s: sum(1 for t in trials if t.status == s) for s in ("skipped", "failed", "pruned")}


def _summary(directory: Path) -> dict[str, Any]:
    store = JsonlRunStore(directory)
    config = store.read_config()
    state = store.read_state()
    usage = store.read_usage()
    trials = store.load_trials()
    best_path = directory / "best.json"
    best = store._read_json("best.json") if best_path.is_file() else {}
    task = config.get("task", {})
    if config.get("kind") == "solve":
        return _solve_summary(directory, config, state, usage, trials, best)
    return {
        "name": directory.name,
        "kind": config.get("kind", "-"),
        "task": task.get("name", "-") if isinstance(task, dict) else str(task),
        "optimizer": config.get("optimizer", {}).get("name", "-"),
        "model": config.get("model", config.get("optimizer", {}).get("model", "-")),
        "status": state.get("status", "new"),
        "reason": state.get("reason", ""),
        "step": state.get("step", 0),
        "steps": config.get("steps", "-"),
        "trials": len(trials),
        **_status_counts(trials),
        "best": best.get("score"),
        "best_candidate": best.get("candidate"),
        "calls": usage.get("calls", 0),
        "tokens": usage.get("total_tokens", 0),
        "cost": usage.get("cost_usd", 0.0),
        "updated": state.get("updated"),
        "direction": config.get("direction", "maximize"),
        "trial_objects": trials,
        "config": config,
    }


def _solve_summary(
    directory: Path,
    config: dict[str, Any],
    state: dict[str, Any],
    usage: dict[str, Any],
    trials: list[Trial],
    answer: dict[str, Any],
) -> dict[str, Any]:
    """A formulation run in the same shape: a step is a correction round, a trial a round of
    one chain, the best score the answer's objective."""
    problem = " ".join(str(config.get("problem", "")).split())
    return {
        "name": directory.name,
        "kind": "solve",
        "task": problem[:40] + ("..." if len(problem) > 40 else ""),
        "optimizer": f"{config.get('method', '-')} x{config.get('votes', 1)}",
        "model": config.get("model", "-"),
        "status": state.get("status", "new"),
        "reason": state.get("reason", ""),
        "step": int(state.get("step", 0)) + (1 if trials else 0),
        "steps": config.get("max_rounds", "-"),
        "trials": len(trials),
        **_status_counts(trials),
        "best": answer.get("objective"),
        "best_candidate": answer.get("status", "no answer yet"),
        "calls": usage.get("calls", 0),
        "tokens": usage.get("total_tokens", 0),
        "cost": usage.get("cost_usd", 0.0),
        "updated": state.get("updated"),
        "direction": "maximize",
        "trial_objects": trials,
        "config": config,
        "answer": answer,
    }


def _show_solve(s: dict[str, Any]) -> None:
    """The rounds of a formulation run, chain by chain, and its answer."""
    config, answer = s["config"], s["answer"]
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
    for trial in sorted(s["trial_objects"], key=lambda t: (t.index, t.step)):
        record = trial.artifacts
        table.add_row(
            str(trial.index),
            str(trial.step + 1),
            escape(str(record.get("status", trial.status))),
            _score(record.get("objective")),
            escape(str(record.get("error", ""))[:100]),
        )
    console.print(table)
    if s["status"] not in ("finished", "new"):
        console.print(f"continue with: optagent solve --resume {escape(str(s['directory']))}")


def _run_dirs(runs_dir: Path) -> list[Path]:
    if not runs_dir.is_dir():
        return []
    return sorted(p for p in runs_dir.iterdir() if (p / "config.json").is_file())


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
    dirs = _run_dirs(runs_dir)
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
        s = _summary(directory)
        table.add_row(
            s["name"],
            s["kind"],
            s["task"],
            s["optimizer"],
            s["status"],
            f"{s['step']}/{s['steps']}",
            str(s["trials"]),
            _score(s["best"]),
            str(s["calls"]),
            str(s["tokens"]),
            f"{s['cost']:.4f}",
            _when(s["updated"]),
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
    if not (directory / "config.json").is_file():
        raise ConfigError(
            f"no run {name!r}: {directory} has no config.json (see optagent runs list)"
        )
    s = _summary(directory)
    s["directory"] = directory
    console.print(f"[bold]{s['name']}[/]  ({directory})")
    console.print(
        f"kind {s['kind']}  task {s['task']}  optimizer {s['optimizer']}  model {s['model']}"
    )
    console.print(
        f"status [bold]{s['status']}[/] at step {s['step']}/{s['steps']}"
        + (f" ({s['reason']})" if s["reason"] else "")
    )
    console.print(
        f"trials {s['trials']} (skipped {s['skipped']}, failed {s['failed']}, "
        f"pruned {s['pruned']})  "
        f"calls {s['calls']}  tokens {s['tokens']}  cost ${s['cost']:.4f}"
    )
    if s["kind"] == "solve":
        _show_solve(s)
        return
    console.print(f"best {_score(s['best'])}: {s['best_candidate']!s:.200}")
    from agent.core import History

    history = History(s["trial_objects"], direction=s["direction"])
    table = Table(title=f"best {top} trials")
    for column in ("#", "step", "score", "candidate"):
        table.add_column(column)
    for trial in history.top_k(top):
        table.add_row(
            str(trial.number), str(trial.step), _score(trial.score), f"{trial.candidate!s:.80}"
        )
    console.print(table)
    reasons = Counter(
        re.sub(r"\s*\(.*\)$", "", t.reason.split(":")[0]) if t.reason else "-"
        for t in s["trial_objects"]
        if t.status != "ok"
    )
    if reasons:
        console.print("not scored: " + ", ".join(f"{r} x{c}" for r, c in reasons.most_common()))
    plots = sorted((directory / "plots").glob("*.png"))
    for plot in plots:
        console.print(f"plot: {plot}")


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
