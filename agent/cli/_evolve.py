"""`optagent evolve`: evolve a heuristic program with the model; programs run only in the
sandbox."""

from __future__ import annotations

import datetime as dt
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
    console,
    err_console,
    settings_from_flags,
    user_errors,
)
from agent.core import JsonlRunStore
from agent.errors import ConfigError

_HELP = "\n\n".join(
    [
        "Evolve a heuristic program with the model (EoH operators on FunSearch-style islands).",
        "PROBLEM is a built-in: binpack-weibull or binpack-or (online bin packing: score = % "
        "excess bins over the L1 bound, baselines first fit and best fit) or tsp (a "
        "constructive TSP heuristic: score = % gap to 2-opt, baselines nearest neighbour and "
        "greedy edge). Or pass --problem FILE.py, a file defining FUNCTION (the evolved "
        "function's name), SIGNATURE, DESCRIPTION, SEED (the starting program), INSTANCES or "
        "instances(seed), run(function, instance) (runs in the sandbox beside the candidate; "
        "imports inside it) and score(instance, output) -> float (runs here); optional "
        "DIRECTION ('minimize' default), BASELINES ({name: program}) and "
        "baseline_scores(instances).",
        "Every program runs only in the sandbox (a separate unprivileged process with CPU, "
        "memory and wall limits, no network, no secrets). The run folder holds every "
        "candidate with its score or failure reason (trials.jsonl), baselines.json, "
        "summary.json, plots/best.png and best.py. Resume a killed or stopped run with "
        "--resume RUN_DIR (a larger --generations extends it).",
    ]
)

app_help = _HELP


def _table(result: Any) -> Table:
    table = Table(title=f"evolve: {result.summary.get('generations', 0)} generations")
    table.add_column("program")
    table.add_column("score", justify="right")
    for name, value in result.baselines.items():
        table.add_row(f"baseline: {name}", f"{value:.4g}")
    seed = result.summary.get("seed_score")
    table.add_row("seed program", "-" if seed is None else f"{seed:.4g}")
    best = result.summary.get("best_score")
    table.add_row("[bold]best evolved[/]", "-" if best is None else f"[bold]{best:.4g}[/]")
    return table


@user_errors
def evolve_command(
    problem_name: Annotated[
        str | None,
        typer.Argument(
            metavar="PROBLEM", help="binpack-weibull, binpack-or or tsp (or use --problem)."
        ),
    ] = None,
    problem_file: Annotated[
        Path | None, typer.Option("--problem", help="A problem file (see above).")
    ] = None,
    generations: Annotated[
        int, typer.Option("--generations", "-g", help="Generations after the seed program.")
    ] = 5,
    islands: Annotated[int, typer.Option("--islands", help="Number of islands.")] = 2,
    operators: Annotated[
        str, typer.Option("--operators", help="Comma-separated EoH operators per island.")
    ] = "e1,e2,m1,m2",
    population: Annotated[
        int, typer.Option("--population", help="Best programs an island keeps as parents.")
    ] = 6,
    reset_every: Annotated[
        int, typer.Option("--reset-every", help="Generations between island resets (0: never).")
    ] = 4,
    temperature: Annotated[
        float, typer.Option("--temperature", help="Sampling temperature.")
    ] = 0.8,
    max_new_tokens: Annotated[
        int, typer.Option("--max-new-tokens", help="Longest reply per call.")
    ] = 400,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Wall/CPU seconds per program evaluation.")
    ] = 20.0,
    memory_mb: Annotated[
        int, typer.Option("--memory-mb", help="Memory limit of a program, MiB.")
    ] = 1024,
    concurrency: Annotated[
        int, typer.Option("--concurrency", help="Programs evaluated at once.")
    ] = 1,
    seed: Annotated[int, typer.Option("--seed", help="Seeds instances and requests.")] = 0,
    name: Annotated[
        str | None, typer.Option("--name", help="Run name (default: PROBLEM-DATE-TIME).")
    ] = None,
    runs_dir: Annotated[
        Path, typer.Option("--runs-dir", help="Folder holding run directories.")
    ] = Path("runs"),
    resume: Annotated[
        Path | None, typer.Option("--resume", help="Continue the run in RUN_DIR.")
    ] = None,
    progress: Annotated[
        bool, typer.Option("--progress/--no-progress", help="Show live progress.")
    ] = True,
    model: ModelOpt = None,
    max_calls: MaxCallsOpt = None,
    max_tokens: MaxTokensOpt = None,
    max_cost: MaxCostOpt = None,
    max_time: MaxTimeOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    from agent.evolve import (
        EvolveSettings,
        builtin_problem,
        evolve,
        load_problem_file,
        read_settings,
    )
    from agent.llm import load

    flags: dict[str, Any] = {
        "model": model,
        "max_calls": max_calls,
        "max_tokens": max_tokens,
        "max_cost": max_cost,
        "max_time": max_time,
        "no_cache": no_cache,
    }
    if resume is not None:
        stored, settings = read_settings(resume)
        settings.generations = generations
        settings.concurrency = concurrency
        source = str(stored.get("problem", {}).get("source", ""))
        if source.startswith("builtin:"):
            problem = builtin_problem(source.removeprefix("builtin:"), seed=settings.seed)
        else:
            problem = load_problem_file(source, seed=settings.seed)
        run_dir = resume
        flags["model"] = flags["model"] or stored.get("model")
    else:
        if (problem_name is None) == (problem_file is None):
            raise ConfigError("name a built-in PROBLEM or pass --problem FILE.py (one of them)")
        problem = (
            load_problem_file(problem_file, seed=seed)
            if problem_file is not None
            else builtin_problem(str(problem_name), seed=seed)
        )
        settings = EvolveSettings(
            generations=generations,
            islands=islands,
            operators=[op.strip() for op in operators.split(",") if op.strip()],
            population_size=population,
            reset_every=reset_every,
            temperature=temperature,
            max_tokens=max_new_tokens,
            seed=seed,
            timeout_s=timeout,
            memory_mb=memory_mb,
            concurrency=concurrency,
        )
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        run_dir = runs_dir / (name or f"{problem.name}-{stamp}")
    resolved = settings_from_flags(**flags)
    cache: bool | str = str(JsonlRunStore(run_dir).cache_path) if resolved.cache else False
    llm = load(resolved.model, cache=cache, budget=resolved.budget, settings=resolved)
    console.print(f"run directory: [bold]{run_dir}[/]  model: {llm.spec}  problem: {problem.name}")
    result = evolve(
        problem,
        llm,
        settings,
        run_dir=run_dir,
        resume=resume is not None,
        progress=progress,
        extra_config={"budget": llm.usage.budget.to_dict()},
    )
    console.print(_table(result))
    summary = result.summary
    console.print(
        f"programs from the model: {summary['replies']}, valid: {summary['valid']}"
        f" ({summary['valid_rate'] if summary['valid_rate'] is not None else '-'}); "
        f"failures: {summary['failures'] or 'none'}; skipped: {summary['skipped'] or 'none'}"
    )
    if result.best_program is not None:
        console.print(f"best program: {result.best_program}")
    console.print(f"plot: {run_dir / 'plots' / 'best.png'}")
    if result.status != "finished":
        err_console.print(
            f"[yellow]run {result.status}[/]: {result.reason}; resume with "
            f"optagent evolve --resume {run_dir}"
        )
