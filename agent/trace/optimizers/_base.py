"""Trace optimizers on the core lifecycle.

A trace optimizer is an ``agent.optimizers.Optimizer``: a candidate is the JSON dict of every
parameter's value (``{name: value}``), the objective is a ``TraceObjective`` (it runs the
workflow with those values and returns the score, the feedback and the rendered trace), and
``agent.core.Run`` does the rest: run folder, journal, budgets, Ctrl-C, resume, plots.

The PyTorch-like ``zero_feedback()`` / ``backward`` / ``step()`` use is kept: ``step()`` reads
the feedback ``backward`` left on the parameters and runs one more step of the same core loop
on an in-memory run that the optimizer keeps.
"""

from __future__ import annotations

import abc
import ast
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import prompts
from agent.core import (
    Candidate,
    History,
    MemoryRunStore,
    Proposal,
    Run,
    RunResult,
    Trial,
    candidate_key,
)
from agent.errors import ConfigError, SettingError
from agent.llm import LLM
from agent.optimizers import Optimizer
from agent.trace._backward import FeedbackRecord
from agent.trace._module import Module, named
from agent.trace._node import Node, use_values
from agent.trace._render import ProblemView, ValueView, render_problems, variable_list
from agent.trace._values import coerce, show

Evaluate = Callable[[], float]


@dataclass
class Suggestion:
    """One parsed reply of the optimizer model.

    Attributes:
        values: accepted new values by parameter name.
        rejected: ``(key, reason)`` for every suggested key that was ignored.
        reasoning: the model's reasoning text, if any.
        error: why the whole reply was unusable, else ``None``.
        text: the raw reply.
    """

    values: dict[str, Any] = field(default_factory=dict)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    reasoning: str = ""
    error: str | None = None
    text: str = ""

    def to_meta(self) -> dict[str, Any]:
        """The JSON form kept in the trial's ``meta`` (the journal)."""
        return {
            "suggested": dict(self.values),
            "rejected": [[key, reason] for key, reason in self.rejected],
            "reasoning": self.reasoning[:2000],
            "error": self.error,
            "raw": self.text[:4000],
        }

    @classmethod
    def from_meta(cls, meta: Mapping[str, Any]) -> Suggestion:
        return cls(
            values=dict(meta.get("suggested") or {}),
            rejected=[(str(k), str(r)) for k, r in meta.get("rejected") or []],
            reasoning=str(meta.get("reasoning") or ""),
            error=meta.get("error"),
            text=str(meta.get("raw") or ""),
        )


@dataclass
class StepReport:
    """What one step did (built from the step's journal lines).

    Attributes:
        step: the step number, from 1.
        applied: the suggested values that the step adopted (empty when nothing changed).
        proposals: every parsed reply.
        scores: the evaluated score of each reply's candidate (``None`` where not scored).
        chosen: index of the reply adopted, if any.
        best_score: the best score known after the step (scored optimizers only).
        note: a short reason when nothing was applied.
    """

    step: int
    applied: dict[str, Any] = field(default_factory=dict)
    proposals: list[Suggestion] = field(default_factory=list)
    scores: list[float | None] = field(default_factory=list)
    chosen: int | None = None
    best_score: float | None = None
    note: str = ""


@dataclass(frozen=True)
class Context:
    """The point a step starts from: values, their rendered traces and feedback."""

    values: dict[str, Any]
    problems: list[str]
    feedback: list[str]
    variables: list[str]


def function_name(source: str) -> str:
    """The first function a code parameter defines (what a rewrite must keep defining)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return ""
    for item in tree.body:
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
            return item.name
    return ""


class TraceOptimizer(Optimizer):
    """Base of optimizers over traced parameters.

    Subclasses say how a reply is asked for (``messages``) and which point a step starts
    from; the base turns replies into candidates, keeps the memory of past feedback as
    optimizer state, and runs ``step()`` on the core loop.

    Args:
        parameters: a ``Module``, a ``{name: node}`` mapping, or nodes.
        llm: the model that proposes updates.
        evaluate: the score of the current parameter values (higher is better), used by
            ``step()``; runs built with ``agent.core.Run`` score with a ``TraceObjective``.
        workers: evaluations at once in ``step()``.
    """

    name = "trace"
    #: Scored optimizers keep the best values seen; plain ones adopt each step's best reply.
    scored = False

    def __init__(
        self,
        parameters: Module | Mapping[str, Node] | Iterable[Node],
        *,
        llm: LLM,
        evaluate: Evaluate | None = None,
        workers: int = 4,
    ) -> None:
        if workers < 1:
            raise SettingError(f"workers must be at least 1, got {workers}")
        if evaluate is not None and not callable(evaluate):
            raise SettingError(f"evaluate must be callable, got {type(evaluate).__name__}")
        self.params: dict[str, Node] = named(parameters)
        self.names: dict[Node, str] = {param: name for name, param in self.params.items()}
        self.llm = llm
        self.evaluate = evaluate
        self.workers = workers
        self.max_value_chars = 400
        self.history: list[StepReport] = []
        self._pending: Context | None = None
        self._store: MemoryRunStore | None = None
        self._steps_run = 0

    # -- parameters --------------------------------------------------------------------

    def zero_feedback(self) -> None:
        """Forget the feedback on every parameter (call before each evaluation round)."""
        for param in self.params.values():
            param.zero_feedback()

    def feedback_records(self) -> list[FeedbackRecord]:
        """Records on the parameters, each once, in the order ``backward`` made them."""
        seen: dict[int, FeedbackRecord] = {}
        for param in self.params.values():
            for record in param.feedback:
                seen.setdefault(id(record), record)
        return sorted(seen.values(), key=lambda r: r.output.seq)

    def values(self) -> dict[str, Any]:
        """Current parameter values by name."""
        return {name: param.value for name, param in self.params.items()}

    def apply(self, values: Mapping[str, Any]) -> None:
        for name, value in values.items():
            self.params[name].value = value

    def validate(self, name: str, value: Any) -> Any:
        """Check a suggested value against the parameter's type; raises ``ValueError``."""
        param = self.params[name]
        function = function_name(param.value) if param.param_type == "code" else ""
        return coerce(param.param_type or "str", value, current=param.value, function=function)

    def overrides(self, values: Mapping[str, Any]) -> dict[Node, Any]:
        """``{node: value}`` for ``use_values``; unknown names are a ``ValueError``."""
        unknown = [name for name in values if name not in self.params]
        if unknown:
            raise ValueError(f"unknown parameters {unknown}; known: {list(self.params)}")
        return {self.params[name]: value for name, value in values.items()}

    # -- the point a step starts from --------------------------------------------------

    def node_context(self, records: list[FeedbackRecord] | None = None) -> Context:
        """The current values with the feedback ``backward`` left on the parameters."""
        records = self.feedback_records() if records is None else records
        return Context(
            values=self.values(),
            problems=render_problems(records, self.names, max_value_chars=self.max_value_chars),
            feedback=[record.feedback for record in records],
            variables=[v.name for v in variable_list(self.names, records)],
        )

    def current_trial(self, history: History) -> Trial | None:
        """The trial a step starts from: the best of the latest step that scored anything."""
        ok = history.ok()
        if not ok:
            return None
        last = max(t.step for t in ok)
        return History([t for t in ok if t.step == last], direction=history.direction).best

    def context(self, history: History) -> Context | None:
        """The point this step starts from; ``None`` before anything was evaluated."""
        if self._pending is not None:
            return self._pending
        trial = self.current_trial(history)
        if trial is None:
            return None
        artifacts = trial.artifacts
        feedback = [text for text in artifacts.get("feedback", []) if text]
        return Context(
            values=dict(trial.candidate),
            problems=[str(p) for p in artifacts.get("problems", [])],
            feedback=feedback,
            variables=[str(v) for v in artifacts.get("variables", [])],
        )

    # -- proposing ---------------------------------------------------------------------

    @abc.abstractmethod
    def suggestions(self, context: Context, history: History) -> list[Suggestion]:
        """Ask the model for this step's replies and parse each."""

    def remember(self, context: Context) -> None:
        """Keep what a later prompt shows of this step (no-op here)."""

    def propose(self, history: History) -> list[Candidate | Proposal]:
        """Step 0 evaluates the starting values; later steps ask the model from the current
        point's trace and feedback. Nothing left to fix (no feedback) ends the run."""
        context = self.context(history)
        if context is None:
            return [Proposal(candidate=self.values(), meta={"source": "start"})]
        if self._pending is None and not context.feedback:
            return []
        out: list[Candidate | Proposal] = []
        if self.scored and candidate_key(context.values) not in history.seen():
            out.append(Proposal(candidate=context.values, meta={"source": "current"}))
        replies = self.suggestions(context, history)
        self.remember(context)
        for sample, reply in enumerate(replies):
            meta = {"source": "llm", "sample": sample, **reply.to_meta()}
            if not reply.values:
                out.append(Proposal(skip_reason=reply.error or "empty suggestion", meta=meta))
                continue
            out.append(Proposal(candidate={**context.values, **reply.values}, meta=meta))
        return out

    # -- step(): one more step of the core loop on an in-memory run -------------------

    def step(self) -> StepReport:
        """Propose updates from the feedback on the parameters, evaluate them and apply.

        One step of ``agent.core.Run`` on an in-memory run the optimizer keeps (so the
        history, de-duplication and scoring are the core loop's).
        """
        if self.scored and self.evaluate is None:
            raise ConfigError(
                f"{type(self).__name__}.step() needs evaluate=, a function returning the score "
                "of the current values (or run it with agent.core.Run and a TraceObjective)"
            )
        report = StepReport(step=len(self.history) + 1)
        self.history.append(report)
        records = self.feedback_records()
        if not records and not self.scored:
            report.note = "no feedback on the parameters; call backward(output, feedback) first"
            return report
        self._pending = self.node_context(records)
        try:
            objective = _ScoreValues(self)
            if self._store is None:
                self._store = MemoryRunStore()
                run = Run(objective, self, store=self._store, steps=1, concurrency=self.workers)
            else:
                run = Run.resume(self._store, objective, self, steps=self._steps_run + 1)
            result = run.optimize()
        finally:
            self._pending = None
        step = self._steps_run
        self._steps_run += 1
        filled = step_report(result, step, scored=self.scored, evaluated=self.evaluate is not None)
        filled.step = report.step
        self.history[-1] = filled
        adopted = self.adopted(result, step)
        if adopted is not None:
            self.apply(adopted)
        return filled

    def adopted(self, result: RunResult, step: int) -> dict[str, Any] | None:
        """The values ``step()`` writes to the parameters after core step ``step``."""
        if self.scored:
            best = result.history.best
            return None if best is None else dict(best.candidate)
        trials = [t for t in result.trials if t.step == step and t.meta.get("source") == "llm"]
        chosen = _plain_choice(trials, result.trials, evaluated=self.evaluate is not None)
        return None if chosen is None else dict(chosen.candidate)

    @property
    def trials(self) -> list[Trial]:
        """The scored trials of ``step()`` calls so far (journal order)."""
        if self._store is None:
            return []
        return [t for t in self._store.load_trials() if t.ok]

    @property
    def best_score(self) -> float | None:
        trials = self.trials
        return History(trials).best_score if trials else None

    # -- state -------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """JSON-safe state beyond the journal (none here; see subclasses)."""
        return {}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        super().load_state_dict(state)

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "model": self.llm.spec,
            "parameters": {name: p.param_type or "str" for name, p in self.params.items()},
        }

    def bare_view(self, context: Context) -> ProblemView:
        """The #Variables-only problem shown when no feedback reached a parameter."""
        view = ProblemView(feedback=prompts.render("trace/no_feedback"))
        for name, param in self.params.items():
            value = context.values.get(name, param.value)
            limit = 4000 if param.param_type == "code" else self.max_value_chars
            view.variables.append(
                ValueView(
                    name,
                    param.param_type or "str",
                    show(value, limit=limit),
                    param.description,
                )
            )
        return view


class _ScoreValues:
    """``step()``'s objective: ``evaluate()`` with the candidate's values in place."""

    def __init__(self, optimizer: TraceOptimizer) -> None:
        self.optimizer = optimizer

    def __call__(self, candidate: Candidate) -> float:
        if self.optimizer.evaluate is None:
            return 0.0
        assert isinstance(candidate, Mapping)
        with use_values(self.optimizer.overrides(candidate)):
            score = float(self.optimizer.evaluate())
        if math.isnan(score):
            raise ValueError("evaluate() returned NaN")
        return score


def _plain_choice(replies: list[Trial], journal: list[Trial], *, evaluated: bool) -> Trial | None:
    """A plain optimizer adopts the best-scoring usable reply of the step (the first when
    nothing is scored); a reply that repeats an earlier candidate counts with its score."""
    scores = {t.key: t.score for t in journal if t.ok}
    usable = [t for t in replies if t.candidate is not None]
    if not usable:
        return None
    if not evaluated:
        return usable[0]
    ranked = [t for t in usable if scores.get(t.key) is not None]
    if not ranked:
        return usable[0]
    return max(ranked, key=lambda t: scores[t.key] or 0.0)


def step_report(
    result: RunResult, step: int, *, scored: bool, evaluated: bool = True
) -> StepReport:
    """The ``StepReport`` of core step ``step`` of a trace run, read from its journal."""
    journal = result.trials
    trials = [t for t in journal if t.step == step]
    replies = sorted((t for t in trials if t.meta.get("source") == "llm"), key=lambda t: t.index)
    report = StepReport(step=step, proposals=[Suggestion.from_meta(t.meta) for t in replies])
    scores = {t.key: t.score for t in journal if t.ok}
    failed = {t.key for t in journal if t.status == "failed"}

    def score_of(trial: Trial) -> float | None:
        if trial.candidate is None or not evaluated:
            return None
        if trial.key in failed and trial.key not in scores:
            return -math.inf
        return scores.get(trial.key)

    report.scores = [score_of(t) for t in replies]
    usable = [i for i, t in enumerate(replies) if t.candidate is not None]
    if scored:
        before = History(
            [t for t in journal if t.step < step or (t.step == step and t not in replies)],
            direction=result.direction,
        ).best
        after = History([t for t in journal if t.step <= step], direction=result.direction).best
        report.best_score = None if after is None else after.score
        if after is not None and (before is None or after.key != before.key):
            for i in usable:
                if replies[i].key == after.key:
                    report.chosen = i
                    break
    else:
        chosen = _plain_choice(replies, journal, evaluated=evaluated)
        report.chosen = None if chosen is None else replies.index(chosen)
    if report.chosen is not None:
        report.applied = dict(report.proposals[report.chosen].values)
    elif usable and scored:
        report.note = "no candidate beat the best score"
    else:
        report.note = "no usable suggestion: " + "; ".join(
            p.error or "empty" for p in report.proposals
        )
    return report
