"""Prompt optimization behind a small settings object, in the style of DSPy's ``compile``.

The implementation is ``agent.tasks.prompt.optimize_prompt``; this module gives it a stable
shape: the search knobs live in one frozen, validated ``PromptSettings``, the models and data
are arguments, and the caller's ``LLM`` is never changed (a budget applies to a copy that
shares its backend and cache).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from agent.errors import ConfigError
from agent.llm import LLM, Budget
from agent.tasks.prompt import METHODS, Example, Metric, PromptResult, PromptTask
from agent.tasks.prompt import optimize_prompt as _optimize_prompt

Method = Literal["exemplars", "opro", "joint", "reflective"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PromptSettings:
    """How a prompt search runs; validated when built.

    Args:
        method: ``exemplars`` (bootstrapped demo sets), ``opro`` (instruction search),
            ``joint`` (both, alternating) or ``reflective`` (rewrite from failures).
        steps: loop steps; ``None`` for the method's default.
        candidates_per_step: proposals per step.
        max_demos: the most demos a prompt shows.
        bootstrap: train inputs tried when bootstrapping demos.
        racing: race each step's candidates on growing minibatches of the validation split
            (weak ones stop early); ``False`` scores every candidate on the whole split.
        min_batch: the first rung's minibatch size when racing.
        seed: seeds every random choice and request.
        budget: hard limits for the search; a stop keeps the best prompt so far.

    Raises:
        ConfigError: an unknown method or a count out of range.

    Example:
        >>> from optagent import PromptSettings
        >>> PromptSettings(method="opro", steps=2).candidates_per_step
        4
        >>> PromptSettings(method="magic")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        agent.errors.ConfigError: unknown method 'magic'; use one of exemplars, opro, ...
    """

    method: Method = "exemplars"
    steps: int | None = None
    candidates_per_step: int = 4
    max_demos: int = 4
    bootstrap: int = 24
    racing: bool = True
    min_batch: int = 8
    seed: int = 0
    budget: Budget | None = None

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ConfigError(f"unknown method {self.method!r}; use one of {', '.join(METHODS)}")
        if self.steps is not None and self.steps < 0:
            raise ConfigError(f"steps must be >= 0 (or None for the default), got {self.steps}")
        for name in ("candidates_per_step", "max_demos", "min_batch"):
            value = getattr(self, name)
            if value < 1:
                raise ConfigError(f"{name} must be >= 1, got {value}")
        if self.bootstrap < 0:
            raise ConfigError(f"bootstrap must be >= 0, got {self.bootstrap}")


class PromptOptimizer:
    """A prompt optimizer: configure once, ``compile`` a task into a ``PromptResult``.

    Args:
        model: the scoring model: a spec (``local``, ``openai:NAME``...) or a ready ``LLM``.
            An ``LLM`` is used, never changed: with a budget in ``settings`` the search
            meters a copy over the same backend and cache.
        optimizer_model: the model that writes instructions (``opro``, ``joint``,
            ``reflective``); default the scoring model.
        settings: the search knobs.

    Example:
        >>> from optagent import LLM, Example, PromptOptimizer, PromptSettings, PromptTask
        >>> from optagent import ScriptedFakeBackend
        >>> task = PromptTask(name="echo", input_fields=("text",), instruction="Repeat.")
        >>> data = [Example({"text": w}, w) for w in ("a", "b", "c", "d")]
        >>> llm = LLM(ScriptedFakeBackend(lambda r, i: r.messages[-1].content.splitlines()[-1]))
        >>> result = PromptOptimizer(model=llm, settings=PromptSettings(steps=1)).compile(
        ...     task, trainset=data, valset=data)
        >>> result.status, result.val_score
        ('finished', 1.0)
    """

    def __init__(
        self,
        *,
        model: str | LLM = "local",
        optimizer_model: str | LLM | None = None,
        settings: PromptSettings | None = None,
    ) -> None:
        if not isinstance(model, str | LLM):
            raise ConfigError(f"model must be a spec string or an LLM, got {type(model).__name__}")
        self.model = model
        self.optimizer_model = optimizer_model
        self.settings = settings if settings is not None else PromptSettings()

    def __repr__(self) -> str:
        return f"PromptOptimizer(model={self.model!r}, settings={self.settings!r})"

    def compile(
        self,
        task: PromptTask,
        *,
        trainset: Sequence[Example],
        valset: Sequence[Example],
        testset: Sequence[Example] = (),
        metric: Metric | None = None,
        run_dir: str | Path | None = None,
        resume: bool = False,
        progress: bool = False,
    ) -> PromptResult:
        """Search for the best prompt for ``task``.

        Args:
            task: the task (input fields, answer kind, baseline instruction and position).
            trainset: demos and bootstrapping come from here.
            valset: every candidate is scored on it (the search objective).
            testset: if given, the baseline and the best prompt are scored on it after the
                search, outside the budget; the search never sees it.
            metric: ``(prediction, target) -> float | bool``; overrides the task's metric.
            run_dir: the run directory (journal, state, cache, pool.json, result.json).
            resume: continue the run in ``run_dir`` (same task, data and settings).
            progress: show live progress on stderr.

        Returns:
            A ``PromptResult``: the best prompt, its scores and how it was found; ``save``
            and ``PromptResult.load`` round-trip it through JSON.

        Raises:
            ConfigError: ``resume`` without ``run_dir``, or a directory of another run.
            DataError: examples lack the task's input fields.
        """
        s = self.settings
        return _optimize_prompt(
            task,
            trainset,
            valset,
            metric,
            model=self.model,
            optimizer_model=self.optimizer_model,
            method=s.method,
            budget=s.budget,
            steps=s.steps,
            candidates_per_step=s.candidates_per_step,
            max_demos=s.max_demos,
            bootstrap=s.bootstrap,
            testset=testset,
            seed=s.seed,
            racing=s.racing,
            min_batch=s.min_batch,
            run_dir=run_dir,
            resume=resume,
            progress=progress,
        )


def optimize_prompt(
    task: PromptTask,
    *,
    trainset: Sequence[Example],
    valset: Sequence[Example],
    model: str | LLM = "local",
    settings: PromptSettings | None = None,
    testset: Sequence[Example] = (),
    run_dir: str | Path | None = None,
    resume: bool = False,
) -> PromptResult:
    """Optimize a prompt in one call: ``PromptOptimizer(model=..., settings=...).compile(...)``.

    Args:
        task: the task to optimize the prompt of.
        trainset, valset, testset: the splits (see ``PromptOptimizer.compile``).
        model: a model spec or a ready ``LLM`` (never changed by the call).
        settings: the search knobs (``PromptSettings``); the defaults if omitted.
        run_dir, resume: keep the run in a directory, or continue it.

    Returns:
        A ``PromptResult``.

    Example:
        >>> from optagent import LLM, Budget, Example, PromptSettings, PromptTask
        >>> from optagent import ScriptedFakeBackend, optimize_prompt
        >>> task = PromptTask(name="echo", input_fields=("text",), instruction="Repeat.")
        >>> data = [Example({"text": w}, w) for w in ("a", "b", "c", "d")]
        >>> llm = LLM(ScriptedFakeBackend(lambda r, i: r.messages[-1].content.splitlines()[-1]))
        >>> result = optimize_prompt(task, trainset=data, valset=data, model=llm,
        ...                          settings=PromptSettings(steps=1, budget=Budget(max_calls=50)))
        >>> result.val_score, llm.usage.budget.max_calls is None
        (1.0, True)
    """
    optimizer = PromptOptimizer(model=model, settings=settings)
    return optimizer.compile(
        task, trainset=trainset, valset=valset, testset=testset, run_dir=run_dir, resume=resume
    )
