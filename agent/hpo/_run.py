"""``optagent hpo``'s engine: an Optuna study on a Python objective file, with a run folder.

The objective file is the user's own code and runs in this process, like any Optuna script
(model-written code never does). The run folder is a ``RunSession`` of kind ``hpo``
(agent/core): config.json, trials.jsonl (one fsynced row per finished Optuna trial, not
``Trial`` lines), best.json, summary.json, the response cache and, without ``storage``, the
study's journal. Rerunning in the same folder continues the study; a folder holding another
kind of run, or another objective file, study, storage or direction, is refused.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.core import RunKind, RunSession
from agent.core._store import TRIALS_FILE
from agent.core._user_file import import_user_file
from agent.errors import ConfigError, MissingExtraError
from agent.hpo._report import summarize
from agent.hpo._sampler import LLMSampler

try:
    import optuna
    from optuna.storages.journal import JournalFileBackend
except ImportError:  # pragma: no cover - exercised only without the extra
    raise MissingExtraError("optuna", "hpo") from None

if TYPE_CHECKING:
    from agent.llm import LLM

__all__ = ["ObjectiveFile", "load_objective_file", "run_study"]

_DIRECTIONS = ("minimize", "maximize")
HPO = RunKind(
    "hpo",
    unit="trials",
    free=("seed", "n_jobs", "sampler", "model"),
    resume_hint="rerun the same command to continue the study",
    trial_journal=False,
)
"""An hpo run: the objective file, study, storage and direction define it; the sampler's
model, seed and settings may change between parts of one study."""


@dataclass(frozen=True)
class ObjectiveFile:
    """What an objective file defines.

    Attributes:
        path: the file.
        objective: its ``objective(trial) -> float``.
        problem: its ``PROBLEM`` text ("" when absent), the sampler's problem description.
        direction: its ``DIRECTION`` ("minimize" when absent).
    """

    path: Path
    objective: Callable[[Any], float]
    problem: str = ""
    direction: str = "minimize"


def load_objective_file(path: str | Path) -> ObjectiveFile:
    """Import a Python file and read ``objective``, ``PROBLEM`` and ``DIRECTION`` from it.

    Raises:
        ConfigError: the file is missing or defines no callable ``objective``, or a bad
            ``PROBLEM``/``DIRECTION``.
        DataError: importing the file raised (the message carries the error).
    """
    path = Path(path).expanduser()
    module = import_user_file(
        path,
        what="objective file",
        hint="pass a Python file defining objective()",
        prefix="optagent_hpo_objective",
    )
    objective = getattr(module, "objective", None)
    if not callable(objective):
        raise ConfigError(
            f"{path} defines no objective(trial) function; add one that returns "
            "the score of trial's parameters"
        )
    problem = getattr(module, "PROBLEM", "")
    if not isinstance(problem, str):
        raise ConfigError(f"{path}: PROBLEM must be a string, got {type(problem).__name__}")
    direction = getattr(module, "DIRECTION", "minimize")
    if direction not in _DIRECTIONS:
        raise ConfigError(f"{path}: DIRECTION must be 'minimize' or 'maximize', got {direction!r}")
    return ObjectiveFile(path, objective, problem.strip(), direction)


def run_study(
    objective_file: ObjectiveFile,
    *,
    llm: LLM,
    run_dir: Path,
    n_trials: int,
    storage: str | None = None,
    study_name: str | None = None,
    direction: str | None = None,
    seed: int = 0,
    n_jobs: int = 1,
    sampler_options: dict[str, Any] | None = None,
    on_trial: Callable[[optuna.Study, optuna.trial.FrozenTrial], None] | None = None,
) -> dict[str, Any]:
    """Run (or continue) the study and write the run folder.

    A study that already exists in the storage under ``study_name`` is continued: its trials
    stay, and ``n_trials`` more are run. Without ``storage`` the study lives in
    ``run_dir/study.journal`` (Optuna's JournalStorage), so rerunning the same command resumes.
    Objective errors fail that trial only (Optuna records it as FAIL); the study goes on.

    Returns:
        the JSON-safe summary also written to ``run_dir/summary.json``.

    Raises:
        ConfigError: a bad direction, trial count or storage URL.
    """
    if n_trials < 1:
        raise ConfigError(f"--trials must be >= 1, got {n_trials}")
    if n_jobs < 1:
        raise ConfigError(f"--n-jobs must be >= 1, got {n_jobs}")
    direction = direction or objective_file.direction
    if direction not in _DIRECTIONS:
        raise ConfigError(f"direction must be 'minimize' or 'maximize', got {direction!r}")
    run_dir.mkdir(parents=True, exist_ok=True)
    study_name = study_name or objective_file.path.stem
    if storage is None:
        journal = run_dir / "study.journal"
        study_storage: Any = optuna.storages.JournalStorage(JournalFileBackend(str(journal)))
        storage_text = f"journal:{journal}"
    else:
        study_storage, storage_text = storage, storage
    sampler = LLMSampler(
        llm=llm,
        problem_description=objective_file.problem,
        seed=seed,
        **(sampler_options or {}),
    )
    try:
        study = optuna.create_study(
            study_name=study_name,
            storage=study_storage,
            sampler=sampler,
            direction=direction,
            load_if_exists=True,
        )
    except ValueError as exc:
        raise ConfigError(f"storage {storage_text!r}: {exc}") from None
    if study.direction.name.lower() != direction:
        raise ConfigError(
            f"study {study_name!r} in {storage_text} was created to {study.direction.name.lower()}"
            f", not {direction}; pass --study-name for a new study"
        )
    session = RunSession.open(
        run_dir,
        HPO,
        {
            "objective_file": str(objective_file.path.resolve()),
            "study_name": study_name,
            "storage": storage_text,
            "direction": direction,
            "model": llm.spec,
            "seed": seed,
            "n_jobs": n_jobs,
            "sampler": sampler_options or {},
            "budget": llm.usage.budget.to_dict(),
        },
        resume=True,
    )

    def record(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        row = {
            "number": trial.number,
            "state": trial.state.name,
            "value": trial.value if trial.values and len(trial.values) == 1 else None,
            "params": trial.params,
            "user_attrs": trial.user_attrs,
            "seconds": trial.duration.total_seconds() if trial.duration else None,
        }
        session.append_record(TRIALS_FILE, row)
        if on_trial is not None:
            on_trial(study, trial)

    try:
        study.optimize(
            objective_file.objective,
            n_trials=n_trials,
            n_jobs=n_jobs,
            callbacks=[record],
            catch=(Exception,),
            gc_after_trial=False,
        )
    finally:
        summary = _summary(study, llm, sampler)
        session.write_json("summary.json", _jsonable(summary), strict=False)
        if summary["best"] is not None:
            session.write_json("best.json", _jsonable(summary["best"]), strict=False)
    return summary


def _summary(study: optuna.Study, llm: LLM, sampler: LLMSampler) -> dict[str, Any]:
    states = [t.state for t in study.get_trials(deepcopy=False)]
    complete = [
        t for t in study.get_trials(deepcopy=False) if t.state == optuna.trial.TrialState.COMPLETE
    ]
    best = None
    if complete:
        b = study.best_trial
        best = {"number": b.number, "value": b.value, "params": b.params}
    return {
        "study_name": study.study_name,
        "trials": len(states),
        "complete": len(complete),
        "failed": sum(s == optuna.trial.TrialState.FAIL for s in states),
        "best": best,
        "llm": summarize(study),
        "this_run": sampler.stats(),
        "usage": llm.usage.snapshot().to_dict(),
    }


def _jsonable(data: Any) -> Any:
    """``data`` with anything JSON cannot hold (dates, objects) as its ``str``."""
    return json.loads(json.dumps(data, default=str))
