"""``Run``: the facade over one optimization run (like an Optuna ``Study``)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.core._history import History
from agent.core._loop import Loop, LoopSettings
from agent.core._objective import Objective
from agent.core._progress import LoopProgress
from agent.core._session import OPTIMIZE, RunSession, plain
from agent.core._store import PLOTS_DIR, JsonlRunStore, MemoryRunStore, RunStore
from agent.core._trial import Direction, Trial
from agent.errors import ConfigError
from agent.llm import UsageMeter

if TYPE_CHECKING:
    from agent.optimizers import Optimizer

log = logging.getLogger(__name__)


@dataclass
class RunResult:
    """What ``Run.optimize`` returns.

    Attributes:
        status: ``finished`` or ``stopped`` (a budget or the target ended it).
        reason: why it ended, in words.
        best: the best trial, or ``None`` when nothing scored.
        trials: every trial in journal order.
        usage: usage counters at the end (``UsageSnapshot.to_dict()``), ``{}`` without a meter.
        directory: the run directory, ``None`` for in-memory runs.
        direction: ``maximize`` or ``minimize``.

    Example:
        >>> from agent.core import Run
        >>> from agent.optimizers import RandomSearch
        >>> search = RandomSearch(lambda r: r.randint(0, 9), candidates_per_step=3, seed=1)
        >>> result = Run(float, search, steps=2).optimize()
        >>> result.status, result.best.candidate, result.best.score
        ('finished', 7, 7.0)
        >>> [t.status for t in result.trials]  # a repeated candidate is not evaluated again
        ['ok', 'ok', 'ok', 'skipped', 'ok', 'ok']
    """

    status: str
    reason: str
    best: Trial | None
    trials: list[Trial]
    usage: dict[str, Any] = field(default_factory=dict)
    directory: Path | None = None
    direction: Direction = "maximize"

    @property
    def history(self) -> History:
        return History(self.trials, direction=self.direction)


class Run:
    """One optimization run: an objective, an optimizer and a store.

    Args:
        objective: scores a candidate (see ``Objective``).
        optimizer: proposes candidates from the history.
        store: a ``RunStore``, a run directory path (a ``JsonlRunStore``), or ``None`` for an
            in-memory run.
        direction: ``"maximize"`` or ``"minimize"``.
        steps: optimizer steps to run in total (a resumed run counts earlier steps).
        concurrency: evaluations running at once (threads).
        target: stop once the best score reaches this value.
        max_evaluations: stop after this many evaluated (not skipped) trials, mid-step if
            needed (equal-budget baselines).
        usage: the usage meter the run's LLMs share (progress, usage.json, budgets).
        config: extra JSON-safe fields for config.json (task, model spec, budgets) that a
            resume needs to rebuild the objective and optimizer.
        progress: show a live progress line on stderr.
        plot: write ``plots/best.png`` when the run ends (run directories only).
        on_trial: called after each trial is recorded.
        force: start over in a run directory that already holds trials (its journal, state
            and best are discarded; the response cache is kept).

    Raises:
        ConfigError: a bad option, or a run directory that already holds trials (use
            ``Run.resume``, another directory, or ``force=True``).

    Example:
        >>> from agent.core import Run
        >>> from agent.optimizers import RandomSearch
        >>> opt = RandomSearch(lambda r: r.randint(0, 99), candidates_per_step=4, seed=1)
        >>> result = Run(lambda x: -((x - 30) ** 2), opt, steps=3).optimize()
        >>> result.status, len(result.trials)
        ('finished', 12)
    """

    def __init__(
        self,
        objective: Objective,
        optimizer: Optimizer,
        *,
        store: RunStore | str | Path | None = None,
        direction: Direction = "maximize",
        steps: int = 10,
        concurrency: int = 1,
        target: float | None = None,
        max_evaluations: int | None = None,
        usage: UsageMeter | None = None,
        config: Mapping[str, Any] | None = None,
        progress: bool = False,
        plot: bool = True,
        on_trial: Callable[[Trial], None] | None = None,
        force: bool = False,
        _resuming: bool = False,
    ) -> None:
        if direction not in ("maximize", "minimize"):
            raise ConfigError(f"direction must be 'maximize' or 'minimize', got {direction!r}")
        if steps < 0:
            raise ConfigError(f"steps must be >= 0, got {steps}")
        if concurrency < 1:
            raise ConfigError(f"concurrency must be >= 1, got {concurrency}")
        if not callable(objective):
            raise ConfigError(f"objective must be callable, got {type(objective).__name__}")
        if store is None:
            self.store: RunStore = MemoryRunStore()
        elif isinstance(store, RunStore):
            self.store = store
        else:
            self.store = JsonlRunStore(store)
        self.objective = objective
        self.optimizer = optimizer
        self.direction: Direction = direction
        self.steps = steps
        self.concurrency = concurrency
        if max_evaluations is not None and max_evaluations < 0:
            raise ConfigError(f"max_evaluations must be >= 0, got {max_evaluations}")
        self.target = target
        self.max_evaluations = max_evaluations
        self.usage = usage
        self.extra_config = dict(config or {})
        self.progress = progress
        self.plot = plot
        self.on_trial = on_trial
        self._trials: list[Trial] = []
        self._start_step = 0
        if not _resuming:
            self.session = RunSession.start(self.store, OPTIMIZE, self._config(), force=force)

    # -- construction ------------------------------------------------------------------

    def _config(self) -> dict[str, Any]:
        """The config.json fields of this run (the session adds kind, name, created and the
        fingerprint)."""
        config = {
            "direction": self.direction,
            "steps": self.steps,
            "concurrency": self.concurrency,
            "target": self.target,
            "max_evaluations": self.max_evaluations,
            "optimizer": self.optimizer.describe(),
        }
        config.update(self.extra_config)
        return plain(config)

    @classmethod
    def resume(
        cls,
        store: RunStore | str | Path,
        objective: Objective,
        optimizer: Optimizer,
        *,
        steps: int | None = None,
        usage: UsageMeter | None = None,
        progress: bool = False,
        plot: bool = True,
        on_trial: Callable[[Trial], None] | None = None,
        config: Mapping[str, Any] | None = None,
        force: bool = False,
    ) -> Run:
        """Continue a run from its directory.

        Replays trials.jsonl (a torn last line is dropped), restores the optimizer state saved
        at the start of the step that was running and the usage counters, and restarts that
        step: the optimizer proposes again (its LLM requests are answered by the response
        cache), finished slots are not evaluated again.

        Args:
            store: the run directory (or store).
            objective: the same objective as the first run (rebuild it from ``config.json``).
            optimizer: a fresh optimizer configured as in the first run.
            steps: a new total number of steps (default: the stored one).
            usage: the meter to restore the stored counters into.
            config: the caller's config.json fields (task, model...) as for a fresh run; they
                must match the stored ones (``None``: not checked, the stored ones are kept).
            force: continue even when the optimizer or config differs from the stored one.

        Raises:
            ConfigError: the directory holds no run, or it was written by another kind of
                run, optimizer, task or config (the message names the difference and the
                config fingerprints; ``force=True`` continues anyway).
        """
        asked: dict[str, Any] = {**dict(config or {}), "optimizer": optimizer.describe()}
        if steps is not None:
            asked["steps"] = steps
        session = RunSession.resume(store, OPTIMIZE, asked, force=force)
        stored = session.config
        run = cls(
            objective,
            optimizer,
            store=session.store,
            direction=stored.get("direction", "maximize"),
            steps=int(stored.get("steps", 0)),
            concurrency=int(stored.get("concurrency", 1)),
            target=stored.get("target"),
            max_evaluations=stored.get("max_evaluations"),
            usage=usage,
            config={k: v for k, v in stored.items() if k not in _LOOP_KEYS},
            progress=progress,
            plot=plot,
            on_trial=on_trial,
            _resuming=True,
        )
        run.session = session
        state = session.store.read_state()
        if "optimizer" in state:
            optimizer.load_state_dict(state["optimizer"])
        run._trials = session.trials
        run._start_step = int(state.get("step", 0))
        if usage is not None:
            usage.restore(session.store.read_usage())
        log.info("resuming %s at step %d", session.directory, run._start_step)
        return run

    # -- running -----------------------------------------------------------------------

    @property
    def history(self) -> History:
        """The trials so far (copies)."""
        return History(self._trials, direction=self.direction, step=self._start_step)

    @property
    def directory(self) -> Path | None:
        return self.store.directory

    def optimize(self) -> RunResult:
        """Run until all steps are done, a budget or the target stops it.

        Returns:
            The outcome; finished work is in the store whatever happened.

        Raises:
            KeyboardInterrupt: on Ctrl-C, after marking the run interrupted (resumable).
            LLMError: a model failed after its retries (the run is marked failed, resumable).
        """
        with LoopProgress(self.steps, usage=self.usage, enabled=self.progress) as progress:
            loop = Loop(
                objective=self.objective,
                optimizer=self.optimizer,
                session=self.session,
                settings=LoopSettings(
                    steps=self.steps,
                    direction=self.direction,
                    concurrency=self.concurrency,
                    target=self.target,
                    max_evaluations=self.max_evaluations,
                ),
                trials=self._trials,
                start_step=self._start_step,
                usage=self.usage,
                progress=progress,
                on_trial=self.on_trial,
            )
            try:
                outcome = loop.run()
            finally:
                self._trials = loop.trials
                self._start_step = loop.step
                self._write_plot()
        history = self.history
        return RunResult(
            status=outcome.status,
            reason=outcome.reason,
            best=history.best,
            trials=history.trials,
            usage=self.usage.snapshot().to_dict() if self.usage is not None else {},
            directory=self.store.directory,
            direction=self.direction,
        )

    def _write_plot(self) -> None:
        directory = self.store.directory
        if not self.plot or directory is None:
            return
        curve = self.history.best_curve()
        if not curve:
            return
        from agent.core._plots import plot_curves

        try:
            plot_curves(
                {self.optimizer.name: curve},
                directory / PLOTS_DIR / "best.png",
                title=f"{directory.name}: best score per step",
            )
        except ImportError:
            log.warning("matplotlib is not installed; no plot written")


_LOOP_KEYS = frozenset(
    {
        "format",
        "kind",
        "name",
        "created",
        "direction",
        "steps",
        "concurrency",
        "target",
        "max_evaluations",
        "optimizer",
        "fingerprint",
    }
)
