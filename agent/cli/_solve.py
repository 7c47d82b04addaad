"""`optagent solve --formulation FILE.json`: solve, verify and diagnose a formulation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from agent.chat import SHOW, answer_renderables, solution_renderables
from agent.cli._common import (
    MaxCallsOpt,
    MaxCostOpt,
    MaxTimeOpt,
    MaxTokensOpt,
    ModelOpt,
    NoCacheOpt,
    console,
    settings_from_flags,
    user_errors,
)
from agent.config import Settings
from agent.errors import ConfigError
from agent.formulate import AgentAnswer
from solvers._api import solve
from solvers.backends import Solution, SolveStatus
from solvers.diagnosis import Diagnosis, diagnose
from solvers.errors import UnsupportedProblemError
from solvers.formulation import compile_formulation, load_formulation
from solvers.verification import VerificationReport, verify


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
        int, typer.Option("--votes", help="Independent formulations that vote on the answer.")
    ] = 1,
    max_rounds: Annotated[
        int, typer.Option("--max-rounds", help="Attempts per formulation, the first included.")
    ] = 3,
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help="formulation (typed, verified) or code (PuLP/SciPy code run in the sandbox).",
        ),
    ] = "formulation",
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
        float | None, typer.Option("--time-limit", help="Solver time limit in seconds.")
    ] = None,
    solver: Annotated[
        str | None,
        typer.Option("--solver", help="Force a backend: highs, cbc, scipy, scipy-trust-constr."),
    ] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Also list variables whose value is zero.")
    ] = False,
) -> None:
    """Solve a problem in words (the model formulates it) or a formulation JSON file; verify
    the answer independently and explain failures.

    Exit status: 0 for a verified optimum, 1 for any other outcome, 2 for a bad input.
    """
    if file is not None:
        if problem:
            raise ConfigError("give the problem either as TEXT or with --file, not both")
        if not file.is_file():
            raise ConfigError(f"problem file not found: {file}")
        problem = file.read_text(encoding="utf-8")
    if formulation is None:
        if not problem:
            raise ConfigError('nothing to solve: pass "problem text", --file or --formulation')
        settings = settings_from_flags(
            model=model,
            max_calls=max_calls,
            max_tokens=max_tokens,
            max_cost=max_cost,
            max_time=max_time,
            no_cache=no_cache,
        )
        _solve_text(
            problem,
            settings=settings,
            votes=votes,
            max_rounds=max_rounds,
            method=method,
            show=show or [],
            json_output=json_output,
            time_limit=time_limit,
        )
        return
    if problem:
        raise ConfigError("give either a problem in words or --formulation, not both")
    if time_limit is not None and time_limit <= 0:
        raise ConfigError(f"--time-limit must be positive, got {time_limit}")
    if not formulation.is_file():
        raise ConfigError(f"formulation file not found: {formulation}")
    loaded = load_formulation(formulation)
    model = compile_formulation(loaded)
    solution = solve(model, solver=solver, time_limit=time_limit)
    report = verify(loaded, solution) if solution.values else None
    diagnosis: Diagnosis | None = None
    note = ""
    if solution.status in (SolveStatus.INFEASIBLE, SolveStatus.UNBOUNDED):
        try:
            diagnosis = diagnose(model, status=solution.status)
        except UnsupportedProblemError as exc:
            note = f"no diagnosis: {exc}"
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
    verified = report is not None and report.ok
    if not (solution.status is SolveStatus.OPTIMAL and verified):
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


def _solve_text(
    problem: str,
    *,
    settings: Settings,
    votes: int,
    max_rounds: int,
    method: str,
    show: list[str],
    json_output: bool,
    time_limit: float | None,
) -> None:
    """Run the formulation agent and print its answer; exit 1 unless a verified optimum."""
    from agent.formulate import solve as formulate
    from agent.llm import load

    for item in show:
        if item not in _SHOW:
            raise ConfigError(f"--show takes {', '.join(_SHOW)}; got {item!r}")
    if time_limit is not None and time_limit <= 0:
        raise ConfigError(f"--time-limit must be positive, got {time_limit}")
    llm = load(settings.model, budget=settings.budget, settings=settings)
    answer = formulate(
        problem,
        model=llm,
        votes=votes,
        max_rounds=max_rounds,
        time_limit=time_limit,
        method=method,
    )
    if json_output:
        console.print_json(json.dumps(answer.to_dict()))
    else:
        _print_answer(answer, show)
    if not answer.ok:
        raise typer.Exit(1)


def _print_answer(answer: AgentAnswer, show: list[str]) -> None:
    for item in answer_renderables(answer, show):
        console.print(item, soft_wrap=isinstance(item, Text))
