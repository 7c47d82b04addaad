"""`optagent hpo OBJECTIVE_FILE.py`: an Optuna study driven by LLMSampler (LLAMBO)."""

from __future__ import annotations

import json
import logging
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


@user_errors
def hpo_command(
    objective_file: Annotated[
        Path,
        typer.Argument(
            help="A Python file defining objective(trial) -> float; optional PROBLEM (a text "
            "describing the problem for the model) and DIRECTION ('minimize' or 'maximize')."
        ),
    ],
    trials: Annotated[
        int, typer.Option("--trials", "-n", help="Trials to run (more on a continued study).")
    ] = 20,
    model: ModelOpt = None,
    storage: Annotated[
        str | None,
        typer.Option(
            "--storage",
            help="Optuna storage URL (sqlite:///study.db...); default: a journal file in the "
            "run folder. Several processes may share one.",
        ),
    ] = None,
    study_name: Annotated[
        str | None, typer.Option("--study-name", help="Default: the file's name.")
    ] = None,
    direction: Annotated[
        str | None,
        typer.Option(
            "--direction",
            help="minimize or maximize (default: the file's DIRECTION, else minimize).",
        ),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option(
            "--name",
            help="Run folder name (default: hpo-FILE_STEM); "
            "the same name continues that run's study.",
        ),
    ] = None,
    runs_dir: Annotated[
        Path, typer.Option("--runs-dir", help="Folder holding run folders.")
    ] = Path("runs"),
    seed: Annotated[int, typer.Option("--seed", help="Seeds the sampler and requests.")] = 0,
    n_jobs: Annotated[int, typer.Option("--n-jobs", help="Trials at once (threads).")] = 1,
    n_warmstart: Annotated[
        int, typer.Option("--n-warmstart", help="Trials the zero-shot warm start proposes.")
    ] = 5,
    candidates: Annotated[
        int, typer.Option("--candidates", help="Candidates the model proposes per trial.")
    ] = 8,
    warmstart: Annotated[
        bool, typer.Option("--warmstart/--no-warmstart", help="Zero-shot warm start.")
    ] = True,
    candidate_sampling: Annotated[
        bool,
        typer.Option(
            "--llm-candidates/--no-llm-candidates",
            help="Candidates from the model (else random draws).",
        ),
    ] = True,
    surrogate: Annotated[
        bool,
        typer.Option(
            "--surrogate/--no-surrogate",
            help="Rank candidates by the model's predicted score (EI).",
        ),
    ] = True,
    gate: Annotated[
        bool,
        typer.Option(
            "--gate/--no-gate",
            help="After the warm start, give the model a trial only while its proposals beat "
            "TPE's (else ask it every trial).",
        ),
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    progress: Annotated[
        bool, typer.Option("--progress/--no-progress", help="Show live progress.")
    ] = True,
    max_calls: MaxCallsOpt = None,
    max_tokens: MaxTokensOpt = None,
    max_cost: MaxCostOpt = None,
    max_time: MaxTimeOpt = None,
    no_cache: NoCacheOpt = False,
    tracker: TrackingOpt = None,
) -> None:
    """Tune OBJECTIVE_FILE's objective(trial) with an Optuna study whose sampler asks a language
    model (LLAMBO: warm start, target-conditioned candidates, LLM surrogate); TPE does what the
    model cannot. The run folder (runs/NAME) holds config.json, trials.jsonl, best.json and
    summary.json; the same --name continues the study. Needs the hpo extra.
    """
    from agent.core._progress import LoopProgress
    from agent.hpo import load_objective_file, run_study  # raises MissingExtraError
    from agent.llm import load

    logging.getLogger("optuna").setLevel(logging.WARNING)  # the progress line says it all
    objective = load_objective_file(objective_file)
    settings = settings_from_flags(
        model=model,
        max_calls=max_calls,
        max_tokens=max_tokens,
        max_cost=max_cost,
        max_time=max_time,
        no_cache=no_cache,
    )
    run_dir = runs_dir / (name or f"hpo-{objective.path.stem}")
    cache: bool | str = str(run_dir / "cache.sqlite") if settings.cache else False
    run_dir.mkdir(parents=True, exist_ok=True)
    llm = load(settings.model, cache=cache, budget=settings.budget, settings=settings)
    err_console.print(f"run directory: [bold]{run_dir}[/]  model: {llm.spec}", highlight=False)
    options: dict[str, Any] = {
        "warmstart": warmstart,
        "n_warmstart": n_warmstart,
        "candidate_sampling": candidate_sampling,
        "n_candidates": candidates,
        "surrogate": surrogate,
        "gate": gate,
    }
    done = 0
    with LoopProgress(trials, usage=llm.usage, enabled=progress and not as_json) as bar:

        def on_trial(study: Any, trial: Any) -> None:
            nonlocal done
            done += 1
            try:
                best = study.best_value
            except ValueError:
                best = None
            bar.update(step=trial.number, steps_done=done, best=best, trials=len(study.trials))

        with tracking(tracker, run_dir):
            summary = run_study(
                objective,
                llm=llm,
                run_dir=run_dir,
                n_trials=trials,
                storage=storage,
                study_name=study_name,
                direction=direction,
                seed=seed,
                n_jobs=n_jobs,
                sampler_options=options,
                on_trial=on_trial,
            )
    if as_json:
        console.print_json(json.dumps(summary, default=str))
        return
    info = summary["llm"]
    console.print(
        f"trials: {summary['trials']} ({summary['complete']} complete, {summary['failed']} "
        f"failed); proposed by the LLM: {info['llm_fraction']:.0%} "
        f"({', '.join(f'{k} {v}' for k, v in info['sources'].items())}); repaired values "
        f"{info['repairs']}, rejected proposals {info['rejected']}; fallbacks "
        f"{sum(info['fallbacks'].values())}",
        highlight=False,
    )
    if summary["best"] is not None:
        best = summary["best"]
        console.print(
            f"best: {best['value']:.6g} (trial {best['number']}) "
            f"{json.dumps(best['params'], default=str)}",
            highlight=False,
        )
