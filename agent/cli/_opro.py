"""`optagent opro linreg|tsp`: the OPRO paper's showcases, resumable."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

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
from agent.llm import LLM, load
from agent.tasks import (
    LinearRegressionTask,
    OproSettings,
    TSPTask,
    build_task,
    run_showcase,
    showcase_table,
)

app = typer.Typer(
    help="OPRO (LLMs as optimizers) on the paper's showcases: linear regression and TSP.",
    no_args_is_help=True,
)

StepsOpt = Annotated[int, typer.Option("--steps", help="Optimizer steps (the paper: up to 500).")]
CandidatesOpt = Annotated[
    int, typer.Option("--candidates", "-k", help="Candidates sampled per step (paper: 8).")
]
TopKOpt = Annotated[int, typer.Option("--top-k", help="Past solutions shown (paper: 20).")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seeds the problem and the requests.")]
NameOpt = Annotated[str | None, typer.Option("--name", help="Run name (default: TASK-DATE-TIME).")]
RunsDirOpt = Annotated[Path, typer.Option("--runs-dir", help="Folder holding run directories.")]
ResumeOpt = Annotated[
    Path | None,
    typer.Option("--resume", help="Continue the run in RUN_DIR (killed, stopped or finished)."),
]
BaselineOpt = Annotated[
    bool,
    typer.Option("--baseline/--no-baseline", help="Also run random search at equal evaluations."),
]
StopOpt = Annotated[
    bool, typer.Option("--stop-at-optimum", help="Stop once the optimum is reached.")
]
ConcurrencyOpt = Annotated[
    int, typer.Option("--concurrency", help="Objective evaluations at once.")
]
MaxNewOpt = Annotated[
    int | None, typer.Option("--max-new-tokens", help="Longest reply per sample.")
]
ProgressOpt = Annotated[bool, typer.Option("--progress/--no-progress", help="Show live progress.")]


def _llm(settings_flags: dict[str, Any], run_dir: Path, stored_model: str | None) -> LLM:
    if stored_model and settings_flags.get("model") is None:
        settings_flags["model"] = stored_model
    settings = settings_from_flags(**settings_flags)
    cache: bool | str = str(JsonlRunStore(run_dir).cache_path) if settings.cache else False
    return load(settings.model, cache=cache, budget=settings.budget, settings=settings)


def _run(
    task_factory: Any,
    *,
    kind: str,
    opro_settings: OproSettings,
    name: str | None,
    runs_dir: Path,
    resume: Path | None,
    baseline: bool,
    progress: bool,
    flags: dict[str, Any],
    tracker: str | None = None,
) -> None:
    if resume is not None:
        if not (resume / "config.json").is_file():
            raise ConfigError(
                f"--resume {resume}: no config.json there, so it is not a run directory "
                "(optagent runs list shows the runs)"
            )
        store = JsonlRunStore(resume)
        config = store.read_config()
        if config.get("kind") != "opro-showcase" or config.get("task", {}).get("name") != kind:
            raise ConfigError(
                f"{resume} is not an `optagent opro {kind}` run (config.json kind="
                f"{config.get('kind')!r}, task={config.get('task', {}).get('name')!r})"
            )
        task = build_task(config["task"])
        opro_settings = OproSettings.from_dict(config.get("showcase", {}))
        run_dir = resume
        llm = _llm(flags, run_dir, config.get("model"))
    else:
        task = task_factory()
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        run_dir = runs_dir / (name or f"{kind}-{stamp}")
        llm = _llm(flags, run_dir, None)
    console.print(f"run directory: [bold]{run_dir}[/]  model: {llm.spec}")
    with tracking(tracker, run_dir):
        result = run_showcase(
            task,
            llm,
            opro_settings,
            run_dir=run_dir,
            resume=resume is not None,
            baseline=baseline,
            progress=progress,
            extra_config={"model": llm.spec, "budget": llm.usage.budget.to_dict()},
        )
    console.print(showcase_table(result))
    opro_arm = result.arms[0]
    if opro_arm.status != "finished":
        err_console.print(
            f"[yellow]run {opro_arm.status}[/]: resume with optagent opro {kind} --resume {run_dir}"
        )
    if result.plot is not None:
        console.print(f"plot: {result.plot}")
    state = JsonlRunStore(run_dir).read_state()
    if state.get("reason"):
        console.print(f"[dim]{state['status']}: {state['reason']}[/]")


def _flags(
    model: str | None,
    max_calls: int | None,
    max_tokens: int | None,
    max_cost: float | None,
    max_time: float | None,
    no_cache: bool,
) -> dict[str, Any]:
    return {
        "model": model,
        "max_calls": max_calls,
        "max_tokens": max_tokens,
        "max_cost": max_cost,
        "max_time": max_time,
        "no_cache": no_cache,
    }


def _opro_settings(
    steps: int,
    candidates: int,
    top_k: int,
    seed: int,
    max_new_tokens: int | None,
    concurrency: int,
    stop_at_optimum: bool,
) -> OproSettings:
    """The showcase settings from the options every `optagent opro` command shares."""
    return OproSettings(
        steps=steps,
        candidates_per_step=candidates,
        top_k=top_k,
        seed=seed,
        max_tokens=max_new_tokens,
        concurrency=concurrency,
        stop_at_optimum=stop_at_optimum,
    )


@app.command("linreg")
@user_errors
def linreg(
    w: Annotated[float, typer.Option("--w", help="True slope.")] = 15.0,
    b: Annotated[float, typer.Option("--b", help="True intercept.")] = 14.0,
    points: Annotated[int, typer.Option("--points", help="Number of points.")] = 50,
    noise: Annotated[float, typer.Option("--noise", help="Noise standard deviation.")] = 1.0,
    steps: StepsOpt = 20,
    candidates: CandidatesOpt = 8,
    top_k: TopKOpt = 20,
    seed: SeedOpt = 0,
    max_new_tokens: MaxNewOpt = None,
    concurrency: ConcurrencyOpt = 1,
    stop_at_optimum: StopOpt = False,
    baseline: BaselineOpt = True,
    name: NameOpt = None,
    runs_dir: RunsDirOpt = Path("runs"),
    resume: ResumeOpt = None,
    progress: ProgressOpt = True,
    model: ModelOpt = None,
    max_calls: MaxCallsOpt = None,
    max_tokens: MaxTokensOpt = None,
    max_cost: MaxCostOpt = None,
    max_time: MaxTimeOpt = None,
    no_cache: NoCacheOpt = False,
    tracker: TrackingOpt = None,
) -> None:
    """Fit y = w*x + b by OPRO: steps to the least-squares optimum, unique pairs explored."""
    _run(
        lambda: LinearRegressionTask(w_true=w, b_true=b, n_points=points, noise=noise, seed=seed),
        kind="linreg",
        opro_settings=_opro_settings(
            steps, candidates, top_k, seed, max_new_tokens, concurrency, stop_at_optimum
        ),
        name=name,
        runs_dir=runs_dir,
        resume=resume,
        baseline=baseline,
        progress=progress,
        flags=_flags(model, max_calls, max_tokens, max_cost, max_time, no_cache),
        tracker=tracker,
    )


@app.command("tsp")
@user_errors
def tsp(
    n: Annotated[int, typer.Option("--n", help="Number of cities.")] = 10,
    steps: StepsOpt = 20,
    candidates: CandidatesOpt = 8,
    top_k: TopKOpt = 20,
    seed: SeedOpt = 0,
    max_new_tokens: MaxNewOpt = None,
    concurrency: ConcurrencyOpt = 1,
    stop_at_optimum: StopOpt = False,
    baseline: BaselineOpt = True,
    name: NameOpt = None,
    runs_dir: RunsDirOpt = Path("runs"),
    resume: ResumeOpt = None,
    progress: ProgressOpt = True,
    model: ModelOpt = None,
    max_calls: MaxCallsOpt = None,
    max_tokens: MaxTokensOpt = None,
    max_cost: MaxCostOpt = None,
    max_time: MaxTimeOpt = None,
    no_cache: NoCacheOpt = False,
    tracker: TrackingOpt = None,
) -> None:
    """Travelling salesman by OPRO: optimality gap against the MILP optimum and heuristics."""
    _run(
        lambda: TSPTask(n=n, seed=seed),
        kind="tsp",
        opro_settings=_opro_settings(
            steps, candidates, top_k, seed, max_new_tokens, concurrency, stop_at_optimum
        ),
        name=name,
        runs_dir=runs_dir,
        resume=resume,
        baseline=baseline,
        progress=progress,
        flags=_flags(model, max_calls, max_tokens, max_cost, max_time, no_cache),
        tracker=tracker,
    )


__all__ = ["app"]
