"""`optagent solve --formulation FILE.json`: solve, verify and diagnose a formulation."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.text import Text

from agent.chat import SHOW, answer_renderables, solution_renderables
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
from agent.errors import ConfigError, LLMError
from agent.formulate import AgentAnswer
from solvers import solve_and_check
from solvers.backends import Solution
from solvers.diagnosis import Diagnosis
from solvers.formulation import load_formulation
from solvers.verification import VerificationReport


@user_errors
def solve_command(
    problem: Annotated[
        str | None,
        typer.Argument(help="A problem in plain words, formulated by the model."),
    ] = None,
    formulation: Annotated[
        Path | None, typer.Option("--formulation", "-f", help="A formulation JSON file.")
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Read the problem in words from this file.")
    ] = None,
    show: Annotated[
        list[str] | None,
        typer.Option("--show", help="Also print: formulation, code or trace (repeatable)."),
    ] = None,
    votes: Annotated[
        int | None,
        typer.Option("--votes", help="Independent formulations that vote on the answer [1]."),
    ] = None,
    max_rounds: Annotated[
        int | None,
        typer.Option(
            "--max-rounds",
            help="Attempts per formulation, the first included [3]; with --resume, a new total.",
        ),
    ] = None,
    method: Annotated[
        str | None,
        typer.Option(
            "--method",
            help="auto (compact on llama.cpp models, else formulation), formulation (typed "
            "JSON, verified), compact (few-token language under the text's grammar) or code "
            "(PuLP/SciPy code run in the sandbox) [auto].",
        ),
    ] = None,
    max_new_tokens: Annotated[
        int | None,
        typer.Option("--max-new-tokens", help="Longest model reply per sample [1024]."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="The run directory (default: RUNS_DIR/solve-DATE-TIME)."),
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="Run name under --runs-dir.")] = None,
    runs_dir: Annotated[
        Path, typer.Option("--runs-dir", help="Folder holding run directories.")
    ] = Path("runs"),
    resume: Annotated[
        Path | None,
        typer.Option(
            "--resume",
            help="Continue the solve run in RUN_DIR (killed, interrupted or stopped by a "
            "budget); the problem and options come from its config.json.",
        ),
    ] = None,
    model: ModelOpt = None,
    max_calls: MaxCallsOpt = None,
    max_tokens: MaxTokensOpt = None,
    max_cost: MaxCostOpt = None,
    max_time: MaxTimeOpt = None,
    no_cache: NoCacheOpt = False,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print one JSON object instead of tables.")
    ] = False,
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit", help="Solver time limit in seconds [30 for a problem in words]."
        ),
    ] = None,
    solver: Annotated[
        str | None,
        typer.Option("--solver", help="Force a backend: highs, cbc, scipy, scipy-trust-constr."),
    ] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Also list variables whose value is zero.")
    ] = False,
    tracker: TrackingOpt = None,
) -> None:
    """Solve a problem in words (the model formulates it) or a formulation JSON file; verify
    the answer independently and explain failures.

    Exit status: 0 for a verified optimum, 1 for any other outcome, 2 for a bad input.
    """
    flags = {
        "model": model,
        "max_calls": max_calls,
        "max_tokens": max_tokens,
        "max_cost": max_cost,
        "max_time": max_time,
        "no_cache": no_cache,
    }
    given = {
        "votes": votes,
        "max_rounds": max_rounds,
        "method": method,
        "max_tokens": max_new_tokens,
        "time_limit": time_limit,
    }
    if resume is not None:
        if problem or file is not None or formulation is not None:
            raise ConfigError(
                "--resume takes the problem from RUN_DIR/config.json; drop the problem text, "
                "--file and --formulation"
            )
        if out is not None or name is not None:
            raise ConfigError("--resume continues RUN_DIR in place; drop --out and --name")
        run = resume_options(resume, given, model=model)
        _solve_text(
            run,
            flags=flags,
            show=show or [],
            json_output=json_output,
            run_dir=resume,
            resume=True,
            tracker=tracker,
        )
        return
    if file is not None:
        if problem:
            raise ConfigError("give the problem either as TEXT or with --file, not both")
        if not file.is_file():
            raise ConfigError(f"problem file not found: {file}")
        problem = file.read_text(encoding="utf-8")
    if formulation is None:
        if not problem:
            raise ConfigError('nothing to solve: pass "problem text", --file or --formulation')
        if out is not None and name is not None:
            raise ConfigError("give the run directory either with --out or with --name, not both")
        run = {**DEFAULTS, **{k: v for k, v in given.items() if v is not None}}
        run["problem"] = problem
        _solve_text(
            run,
            flags=flags,
            show=show or [],
            json_output=json_output,
            run_dir=out or new_run_dir(runs_dir, name),
            resume=False,
            tracker=tracker,
        )
        return
    if problem:
        raise ConfigError("give either a problem in words or --formulation, not both")
    if time_limit is not None and time_limit <= 0:
        raise ConfigError(f"--time-limit must be positive, got {time_limit}")
    if not formulation.is_file():
        raise ConfigError(f"formulation file not found: {formulation}")
    loaded = load_formulation(formulation)
    checked = solve_and_check(loaded, solver=solver, time_limit=time_limit)
    model, solution, report, diagnosis, note = (
        checked.model,
        checked.solution,
        checked.report,
        checked.diagnosis,
        checked.note,
    )
    if json_output:
        payload: dict[str, Any] = {
            "formulation": loaded.name,
            "problem_class": model.problem_class.value,
            "solution": solution.to_dict(),
            "verification": report.to_dict() if report else None,
            "diagnosis": diagnosis.to_dict() if diagnosis else None,
        }
        if note:
            payload["note"] = note
        console.print_json(json.dumps(payload))
    else:
        _print_tables(loaded.name, solution, report, diagnosis, note, show_all=show_all)
    if not checked.verified_optimum:
        raise typer.Exit(1)


def _print_tables(
    name: str,
    solution: Solution,
    report: VerificationReport | None,
    diagnosis: Diagnosis | None,
    note: str,
    *,
    show_all: bool,
) -> None:
    for item in solution_renderables(name, solution, report, diagnosis, note, show_all=show_all):
        console.print(item)


_SHOW = SHOW


DEFAULTS: dict[str, Any] = {
    "votes": 1,
    "max_rounds": 3,
    "method": "auto",
    "max_tokens": 1024,
    "time_limit": 30.0,
}
_FLAG_OF = {
    "votes": "--votes",
    "method": "--method",
    "max_tokens": "--max-new-tokens",
    "time_limit": "--time-limit",
}


def new_run_dir(runs_dir: Path, name: str | None) -> Path:
    """``RUNS_DIR/NAME``, or a fresh ``RUNS_DIR/solve-DATE-TIME`` (suffixed when taken)."""
    if name:
        return runs_dir / name
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    candidate = runs_dir / f"solve-{stamp}"
    suffix = 2
    while candidate.exists():
        candidate = runs_dir / f"solve-{stamp}-{suffix}"
        suffix += 1
    return candidate


def resume_options(run_dir: Path, given: dict[str, Any], *, model: str | None) -> dict[str, Any]:
    """The problem and options of the solve run in ``run_dir``, checked against the flags.

    Raises:
        ConfigError: not a solve run, or a flag that contradicts its config.json.
    """
    from agent.formulate import SolveJournal

    if not (run_dir / "config.json").is_file():
        raise ConfigError(
            f"--resume {run_dir}: no config.json there, so it is not a run directory "
            "(optagent runs list shows the runs)"
        )
    config = SolveJournal.at(run_dir).config()
    for key, flag in _FLAG_OF.items():
        value = given[key]
        if value is not None and value != config.get(key):
            raise ConfigError(
                f"{flag} {value} contradicts the run in {run_dir}, started with {key}="
                f"{config.get(key)!r}; drop {flag} (a resume keeps the run's options)"
            )
    if model is not None and model != config.get("model"):
        raise ConfigError(
            f"--model {model} contradicts the run in {run_dir}, started with model "
            f"{config.get('model')!r}; drop --model to resume it"
        )
    run = {key: config.get(key, default) for key, default in DEFAULTS.items()}
    run["problem"] = config["problem"]
    run["quantities"] = config.get("quantities") or []
    run["model"] = config.get("model")
    if given["max_rounds"] is not None:
        run["max_rounds"] = given["max_rounds"]
    return run


def _solve_text(
    run: dict[str, Any],
    *,
    flags: dict[str, Any],
    show: list[str],
    json_output: bool,
    run_dir: Path,
    resume: bool,
    tracker: str | None = None,
) -> None:
    """Run the formulation agent in ``run_dir`` and print its answer; exit 1 unless a verified
    optimum."""
    from agent.formulate import solve as formulate
    from agent.llm import load

    for item in show:
        if item not in _SHOW:
            raise ConfigError(f"--show takes {', '.join(_SHOW)}; got {item!r}")
    if run["time_limit"] is not None and run["time_limit"] <= 0:
        raise ConfigError(f"--time-limit must be positive, got {run['time_limit']}")
    if resume and flags.get("model") is None:
        flags = {**flags, "model": run.get("model")}
    settings = settings_from_flags(**flags)
    cache: bool | str = str(JsonlRunStore(run_dir).cache_path) if settings.cache else False
    llm = load(settings.model, cache=cache, budget=settings.budget, settings=settings)
    if not json_output:
        verb = "resuming" if resume else "run directory:"
        err_console.print(f"[dim]{verb} {escape(str(run_dir))}  model: {escape(llm.spec)}[/]")
    try:
        with tracking(tracker, run_dir):
            answer = formulate(
                run["problem"],
                model=llm,
                votes=run["votes"],
                max_rounds=run["max_rounds"],
                quantities=run.get("quantities") or None,
                max_tokens=run["max_tokens"],
                time_limit=run["time_limit"],
                method=run["method"],
                run_dir=run_dir,
                resume=resume,
            )
    except (KeyboardInterrupt, LLMError):
        if (run_dir / "trials.jsonl").is_file():
            err_console.print(
                f"[dim]finished rounds are kept; continue with: optagent solve --resume "
                f"{escape(str(run_dir))}[/]"
            )
        raise
    if json_output:
        console.print_json(json.dumps({**answer.to_dict(), "run_dir": str(run_dir)}))
    else:
        _print_answer(answer, show)
        console.print(f"run: {escape(str(run_dir))}")
    if answer.stopped:
        err_console.print(
            f"[yellow]stopped[/]: {escape(answer.stopped)}; continue with: optagent solve "
            f"--resume {escape(str(run_dir))}"
        )
    if not answer.ok:
        raise typer.Exit(1)


def _print_answer(answer: AgentAnswer, show: list[str]) -> None:
    for item in answer_renderables(answer, show):
        console.print(item, soft_wrap=isinstance(item, Text))
