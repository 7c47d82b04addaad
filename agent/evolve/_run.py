"""``evolve``: one program-evolution run in a run folder, on the shared lifecycle.

The run is a core ``Run`` (kind ``evolve``) of an ``EvolutionOptimizer`` with a
``ProgramEvaluator`` objective, so it gets the journal (every candidate, its score or failure
reason, its operator, island and parents in the trial's meta), budgets, Ctrl-C, resume after
a kill and the plot of the best score per generation. Beside the core files the folder holds
``baselines.json`` (the baselines scored once, by the same harness), ``summary.json``
(valid-program rate, failures by kind) and ``best.py`` (the best program as a plain file).
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from agent.core import JsonlRunStore, Run, Trial
from agent.core._store import PLOTS_DIR, write_json_atomic
from agent.errors import ConfigError
from agent.evolve._evaluate import ProgramEvaluator
from agent.evolve._optimizer import OPERATORS, EvolutionOptimizer
from agent.evolve._problem import Problem
from agent.llm import LLM

log = logging.getLogger(__name__)

KIND = "evolve"


@dataclass
class EvolveSettings:
    """The settings of an evolution run (all JSON-safe; stored in config.json).

    ``generations`` excludes step 0 (the seed program). A resume may raise ``generations``
    and ``concurrency``; any other change is refused.
    """

    generations: int = 5
    islands: int = 2
    operators: list[str] = field(default_factory=lambda: list(OPERATORS))
    population_size: int = 6
    parents: int = 2
    reset_every: int = 4
    reset_fraction: float = 0.5
    temperature: float = 0.8
    max_tokens: int = 400
    failures_shown: int = 2
    seed: int = 0
    timeout_s: float = 20.0
    memory_mb: int = 1024
    concurrency: int = 1
    baselines: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EvolveSettings:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def identity(self) -> dict[str, Any]:
        """The fields a resume must keep (what config.json fingerprints)."""
        return {k: v for k, v in self.to_dict().items() if k not in ("generations", "concurrency")}


@dataclass
class EvolveResult:
    """What ``evolve`` returns.

    Attributes:
        status, reason: how the run ended (``finished`` or ``stopped``, and why).
        best: the best trial (its candidate is ``{"idea", "code"}``), ``None`` if none worked.
        baselines: ``{name: score}`` of the problem's baselines.
        summary: counts and rates (``summary.json``).
        directory: the run folder (``None`` in memory).
        best_program: path of ``best.py``.
        trials: every trial in journal order.
        evaluator: the objective (its ``sandbox_runs`` counts sandbox evaluations).
    """

    status: str
    reason: str
    best: Trial | None
    baselines: dict[str, float]
    summary: dict[str, Any]
    directory: Path | None
    best_program: Path | None
    trials: list[Trial]
    evaluator: ProgramEvaluator


def summarize(trials: list[Trial], baselines: dict[str, float], direction: str) -> dict[str, Any]:
    """Counts of one run: replies, valid programs, failures by kind, skips by reason."""
    replies = [t for t in trials if t.step >= 1]
    valid = [t for t in replies if t.status == "ok"]
    failures = Counter(
        t.reason.removeprefix("ProgramFailure: ").split(":", 1)[0]
        for t in replies
        if t.status == "failed"
    )
    skipped = Counter(
        "duplicate" if "duplicate" in t.reason else "unparseable"
        for t in replies
        if t.status == "skipped"
    )
    scored = [t for t in trials if t.status == "ok" and t.score is not None]
    pick = min if direction == "minimize" else max
    best = pick(scored, key=lambda t: t.score) if scored else None  # type: ignore[arg-type, return-value]  # scores are not None here
    seed = next((t for t in trials if t.step == 0), None)
    return {
        "replies": len(replies),
        "valid": len(valid),
        "valid_rate": round(len(valid) / len(replies), 4) if replies else None,
        "failures": dict(sorted(failures.items())),
        "skipped": dict(sorted(skipped.items())),
        "seed_score": seed.score if seed is not None else None,
        "best_score": best.score if best is not None else None,
        "best_trial": best.number if best is not None else None,
        "best_from_model": bool(best is not None and best.step >= 1),
        "baselines": baselines,
        "generations": max((t.step for t in trials), default=0),
    }


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def best_program_text(best: Trial, problem: Problem) -> str:
    """``best.py``: the program with a header saying what it is and how it scored."""
    candidate = best.candidate if isinstance(best.candidate, dict) else {}
    idea = " ".join(str(candidate.get("idea", "")).split())
    return (
        f"# Best program of an optagent evolve run on {problem.name} ({problem.direction}).\n"
        f"# Score {best.score:.6g} (trial {best.number}, generation {best.step}).\n"
        f"# Idea: {idea}\n\n{str(candidate.get('code', '')).rstrip()}\n"
    )


def evolve(
    problem: Problem,
    llm: LLM,
    settings: EvolveSettings | None = None,
    *,
    run_dir: str | Path | None = None,
    resume: bool = False,
    progress: bool = False,
    sandbox: Any = None,
    extra_config: dict[str, Any] | None = None,
    on_trial: Callable[[Trial], None] | None = None,
) -> EvolveResult:
    """Evolve programs for ``problem`` with ``llm``; every program runs only in the sandbox.

    Args:
        problem: a built-in (``builtin_problem``) or a user file (``load_problem_file``).
        llm: the model; its usage meter carries the budget (``--max-calls``).
        settings: generations, islands, operators, limits (``EvolveSettings``).
        run_dir: the run folder (``None``: in memory).
        resume: continue the run in ``run_dir`` (killed, stopped or finished; a larger
            ``generations`` extends it).
        progress: show a live progress line.
        sandbox: a configured ``solvers.sandbox.Sandbox`` (default: built with the limits).
        extra_config: more config.json fields (e.g. the budget).
        on_trial: called after each candidate is recorded in the journal.

    Raises:
        ConfigError: a bad setting, a folder that holds another run, or a resume with other
            settings.
        SandboxError: the sandbox cannot run here.
    """
    settings = settings or EvolveSettings()
    if settings.generations < 0:
        raise ConfigError(f"evolve: generations must be >= 0, got {settings.generations}")
    evaluator = ProgramEvaluator(
        problem, timeout_s=settings.timeout_s, memory_mb=settings.memory_mb, sandbox=sandbox
    )
    optimizer = EvolutionOptimizer(
        llm,
        problem,
        islands=settings.islands,
        operators=settings.operators,
        population_size=settings.population_size,
        parents=settings.parents,
        reset_every=settings.reset_every,
        reset_fraction=settings.reset_fraction,
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,
        failures_shown=settings.failures_shown,
        seed=settings.seed,
    )
    config = {
        "kind": KIND,
        "problem": problem.describe(),
        "evolve": settings.identity(),
        "model": llm.spec,
        **(extra_config or {}),
    }
    directory = Path(run_dir) if run_dir is not None else None
    steps = settings.generations + 1
    if resume:
        if directory is None:
            raise ConfigError("evolve: resume needs the run directory")
        run = Run.resume(
            directory,
            evaluator,
            optimizer,
            steps=steps,
            usage=llm.usage,
            config=config,
            progress=progress,
            plot=False,  # _plot draws it with the baselines
            on_trial=on_trial,
        )
    else:
        run = Run(
            evaluator,
            optimizer,
            store=directory,
            direction=problem.direction,
            steps=steps,
            concurrency=settings.concurrency,
            usage=llm.usage,
            config=config,
            progress=progress,
            plot=False,  # _plot draws it with the baselines
            on_trial=on_trial,
        )
    baselines = _baselines(problem, evaluator, directory, enabled=settings.baselines)
    outcome = run.optimize()
    summary = summarize(outcome.trials, baselines, problem.direction)
    best_path = None
    if directory is not None:
        write_json_atomic(directory / "summary.json", summary)
        if outcome.best is not None:
            best_path = directory / "best.py"
            _write_text(best_path, best_program_text(outcome.best, problem))
        _plot(directory, outcome.history.best_curve(), baselines, problem)
    return EvolveResult(
        status=outcome.status,
        reason=outcome.reason,
        best=outcome.best,
        baselines=baselines,
        summary=summary,
        directory=directory,
        best_program=best_path,
        trials=outcome.trials,
        evaluator=evaluator,
    )


def _baselines(
    problem: Problem, evaluator: ProgramEvaluator, directory: Path | None, *, enabled: bool
) -> dict[str, float]:
    """The baselines' scores: read from ``baselines.json`` on resume, else scored once."""
    if not enabled:
        return {}
    path = directory / "baselines.json" if directory is not None else None
    if path is not None and path.is_file():
        stored = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): float(v) for k, v in stored.items()}
    scores = dict(problem.reference_scores)
    for name, code in problem.baselines.items():
        outcome = evaluator.evaluate(code)
        if outcome.score is None:
            log.warning("baseline %r failed: %s: %s", name, outcome.failure, outcome.message)
            continue
        scores[name] = outcome.score
    if path is not None:
        write_json_atomic(path, scores)
    return scores


def _plot(
    directory: Path, curve: list[tuple[int, float]], baselines: dict[str, float], problem: Problem
) -> None:
    """plots/best.png: best score per generation, with the baselines as flat lines."""
    if not curve:
        return
    from agent.core import plot_curves

    last = max(step for step, _ in curve)
    curves = {"evolved": curve}
    for name, value in baselines.items():
        curves[name] = [(0, value), (max(last, 1), value)]
    try:
        with warnings.catch_warnings():
            # matplotlib warns when placing the legend is slow (a loaded machine): not an error
            warnings.simplefilter("ignore", UserWarning)
            plot_curves(
                curves,
                directory / PLOTS_DIR / "best.png",
                title=f"{problem.name}: best score per generation ({problem.direction})",
            )
    except ImportError:
        log.warning("matplotlib is not installed; no plot written")


def read_settings(directory: Path) -> tuple[dict[str, Any], EvolveSettings]:
    """The stored config.json and settings of an evolve run (for ``--resume``).

    Raises:
        ConfigError: not an evolve run folder.
    """
    config = JsonlRunStore(directory).read_config()
    if config.get("kind") != KIND:
        raise ConfigError(
            f"{directory} is not an `optagent evolve` run (config.json kind="
            f"{config.get('kind')!r}); resume it with its own command"
        )
    return config, EvolveSettings.from_dict(dict(config.get("evolve", {})))
