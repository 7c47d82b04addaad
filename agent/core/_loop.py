"""The loop body: propose, de-duplicate, evaluate concurrently, record, repeat.

``Run`` is the facade; this module holds the mechanics so they can be read in one place.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agent.core._history import History
from agent.core._objective import (
    Objective,
    StepEvaluator,
    StepResult,
    as_evaluation,
    step_evaluator,
)
from agent.core._progress import LoopProgress
from agent.core._session import RunSession
from agent.core._trial import (
    Candidate,
    Direction,
    Evaluation,
    PartialEvaluation,
    Proposal,
    Trial,
    candidate_key,
    to_json_value,
)
from agent.errors import BudgetExceeded
from agent.llm import UsageMeter

if TYPE_CHECKING:
    from agent.optimizers import Optimizer

log = logging.getLogger(__name__)


@dataclass
class LoopSettings:
    """How the loop runs; validated by ``Run``."""

    steps: int
    direction: Direction
    concurrency: int = 1
    target: float | None = None
    max_evaluations: int | None = None


@dataclass
class LoopOutcome:
    """How the loop ended: ``finished``, ``stopped`` (budget, target) or ``interrupted``."""

    status: str
    reason: str = ""
    trials: list[Trial] = field(default_factory=list)


@dataclass
class _Slot:
    step: int
    index: int
    candidate: Candidate
    meta: Mapping[str, Any]
    propose_s: float


def _usage_numbers(usage: UsageMeter | None) -> tuple[int, int, float]:
    if usage is None:
        return 0, 0, 0.0
    u = usage.snapshot()
    return u.calls, u.total_tokens, u.cost_usd


def fatal_errors(objective: Objective) -> tuple[type[BaseException], ...]:
    """The exception types an objective declares as the setup's fault: they end the run."""
    declared = getattr(objective, "fatal_errors", ())
    return tuple(declared) if isinstance(declared, tuple | list) else ()


def _evaluate(
    objective: Objective, slot: _Slot, usage: UsageMeter | None
) -> tuple[Evaluation | None, str, float, dict[str, float]]:
    """Run the objective on one slot in a worker thread; never raises except budget/Ctrl-C."""
    before = _usage_numbers(usage)
    started = time.perf_counter()
    evaluation: Evaluation | None = None
    reason = ""
    try:
        evaluation = as_evaluation(objective(slot.candidate))
    except (BudgetExceeded, KeyboardInterrupt):
        raise
    except fatal_errors(objective):
        raise
    except Exception as exc:  # the objective is user code: any failure marks the trial
        reason = f"{type(exc).__name__}: {exc}"[:2000]
    seconds = time.perf_counter() - started
    after = _usage_numbers(usage)
    delta = {
        "calls": after[0] - before[0],
        "tokens": after[1] - before[1],
        "cost_usd": after[2] - before[2],
    }
    return evaluation, reason, seconds, delta


class Loop:
    """One run's loop state between ``Run`` and the optimizer, objective and store.

    Args:
        objective: scores candidates (may run on several threads).
        optimizer: proposes candidates.
        session: the run folder trials and state go to.
        settings: steps, direction, concurrency, target.
        trials: trials already in the journal (resume), in journal order.
        start_step: the first step to run (resume: the step that was running).
        usage: the run's usage meter, for progress, usage.json and per-trial deltas.
        progress: the progress display.
        on_trial: called after each trial is recorded (for callers that stream results).
    """

    def __init__(
        self,
        *,
        objective: Objective,
        optimizer: Optimizer,
        session: RunSession,
        settings: LoopSettings,
        trials: list[Trial],
        start_step: int,
        usage: UsageMeter | None,
        progress: LoopProgress,
        on_trial: Callable[[Trial], None] | None = None,
    ) -> None:
        self.objective = objective
        self.optimizer = optimizer
        self.session = session
        self.store = session.store
        self.settings = settings
        self.trials = list(trials)
        self.step = start_step
        self.usage = usage
        self.progress = progress
        self.on_trial = on_trial
        self._step_state: dict[str, Any] = optimizer.state_dict()
        self._best: Trial | None = History(self.trials, direction=settings.direction).best

    # -- recording ---------------------------------------------------------------------

    def _record(self, **fields: Any) -> Trial:
        trial = Trial(number=len(self.trials), finished_at=time.time(), **fields)
        self.session.append(trial)
        self.trials.append(trial)
        history = History((), direction=self.settings.direction)
        if (
            trial.ok
            and trial.score is not None
            and (
                self._best is None
                or self._best.score is None
                or history.is_better(trial.score, self._best.score)
            )
        ):
            self._best = trial
            self.store.write_best(trial.to_dict())
        if self.usage is not None:
            self.store.write_usage(self.usage.snapshot().to_dict())
        self.optimizer.observe(trial)
        if self.on_trial is not None:
            self.on_trial(trial)
        self._refresh()
        return trial

    def _refresh(self) -> None:
        self.progress.update(
            step=self.step,
            steps_done=self.step,
            best=None if self._best is None else self._best.score,
            trials=len(self.trials),
        )

    def _write_state(self, status: str, reason: str = "") -> None:
        self.store.write_state(
            {
                "status": status,
                "reason": reason,
                "step": self.step,
                "trials": len(self.trials),
                "optimizer": self._step_state,
                "updated": time.time(),
            }
        )
        if self.usage is not None:
            self.store.write_usage(self.usage.snapshot().to_dict())

    # -- the loop ----------------------------------------------------------------------

    def run(self) -> LoopOutcome:
        """Run steps until done, a budget or target stops it, or Ctrl-C.

        Raises:
            KeyboardInterrupt: after marking the run ``interrupted``; finished trials are kept.
        """
        pool = ThreadPoolExecutor(
            max_workers=self.settings.concurrency, thread_name_prefix="optagent-eval"
        )
        try:
            outcome = self._steps(pool)
        except KeyboardInterrupt:
            pool.shutdown(wait=False, cancel_futures=True)
            self._write_state("interrupted", "interrupted by the user (Ctrl-C)")
            raise
        except BaseException as exc:
            pool.shutdown(wait=False, cancel_futures=True)
            self._write_state("failed", f"{type(exc).__name__}: {exc}")
            raise
        pool.shutdown(wait=True)
        self._write_state(outcome.status, outcome.reason)
        outcome.trials = list(self.trials)
        return outcome

    def _steps(self, pool: ThreadPoolExecutor) -> LoopOutcome:
        for trial in self.trials:
            if trial.step == self.step:
                self.optimizer.observe(trial)
        self._refresh()
        while self.step < self.settings.steps:
            self._step_state = self.optimizer.state_dict()
            self._write_state("running")
            history = History(
                [t for t in self.trials if t.step < self.step],
                direction=self.settings.direction,
                step=self.step,
            )
            started = time.perf_counter()
            try:
                proposals = self.optimizer.propose(history)
            except BudgetExceeded as exc:
                return LoopOutcome("stopped", str(exc))
            propose_s = time.perf_counter() - started
            if not proposals:
                return LoopOutcome("finished", "the optimizer proposed nothing more")
            stop = self._run_step(pool, history, proposals, propose_s)
            if stop is not None:
                return stop
            self.step += 1
            self._step_state = self.optimizer.state_dict()
            self._refresh()
            if self._target_reached():
                return LoopOutcome("finished", f"target {self.settings.target:g} reached")
            if self._evaluations_left() == 0:
                return LoopOutcome(
                    "finished", f"evaluation limit {self.settings.max_evaluations} reached"
                )
        return LoopOutcome("finished", f"all {self.settings.steps} steps done")

    def _evaluations_left(self) -> int | None:
        limit = self.settings.max_evaluations
        if limit is None:
            return None
        return max(0, limit - sum(1 for t in self.trials if t.status != "skipped"))

    def _target_reached(self) -> bool:
        target = self.settings.target
        if target is None or self._best is None or self._best.score is None:
            return False
        history = History((), direction=self.settings.direction)
        return not history.is_better(target, self._best.score)

    def _run_step(
        self,
        pool: ThreadPoolExecutor,
        history: History,
        proposals: list[Candidate | Proposal],
        propose_s: float,
    ) -> LoopOutcome | None:
        done = {t.index: t for t in self.trials if t.step == self.step}
        seen: dict[str, int] = {t.key: t.number for t in history.trials if t.status != "skipped"}
        pending: list[_Slot] = []
        timing = {"propose_s": propose_s}
        left = self._evaluations_left()
        for index, item in enumerate(proposals):
            proposal = item if isinstance(item, Proposal) else Proposal(candidate=item)
            if index in done:
                if done[index].status != "skipped":
                    seen.setdefault(done[index].key, done[index].number)
                continue
            base = {"step": self.step, "index": index, "meta": dict(proposal.meta)}
            if proposal.skip_reason is not None:
                log.info("step %d slot %d skipped: %s", self.step, index, proposal.skip_reason)
                self._record(
                    **base,
                    candidate=None,
                    status="skipped",
                    reason=proposal.skip_reason,
                    timings=timing,
                )
                continue
            try:
                candidate = to_json_value(proposal.candidate)
            except (TypeError, ValueError) as exc:
                self._record(
                    **base,
                    candidate=None,
                    status="skipped",
                    reason=f"candidate is not JSON-safe: {exc}",
                    timings=timing,
                )
                continue
            key = candidate_key(candidate)
            if key in seen:
                self._record(
                    **base,
                    candidate=candidate,
                    status="skipped",
                    reason=f"duplicate of an earlier candidate (trial {seen[key]})"
                    if seen[key] >= 0
                    else "duplicate within this step",
                    timings=timing,
                )
                continue
            if left is not None and len(pending) >= left:
                break
            seen[key] = -1
            pending.append(_Slot(self.step, index, candidate, proposal.meta, propose_s))
        evaluate_step = step_evaluator(self.objective)
        if evaluate_step is not None:
            recorded = [done[i] for i in sorted(done) if done[i].status != "skipped"]
            return self._evaluate_step(evaluate_step, pending, recorded)
        return self._evaluate_all(pool, pending)

    def _evaluate_step(
        self, evaluate_step: StepEvaluator, pending: list[_Slot], recorded: Sequence[Trial]
    ) -> LoopOutcome | None:
        """Hand the whole step to the objective's step evaluator and record what it yields.

        The step's slots already in the journal (resume) enter again, so the evaluator sees
        the same list as in the first run; only the missing slots are recorded. Usage and
        time are charged to each trial as spent since the previous trial was recorded.
        """
        if not pending:
            return None
        entrants: list[tuple[int, Candidate, _Slot | None]] = sorted(
            [(t.index, t.candidate, None) for t in recorded]
            + [(slot.index, slot.candidate, slot) for slot in pending],
            key=lambda entry: entry[0],
        )
        todo = {pos: slot for pos, (_, _, slot) in enumerate(entrants) if slot is not None}
        usage_mark = _usage_numbers(self.usage)
        time_mark = time.perf_counter()
        try:
            for position, result in evaluate_step([c for _, c, _ in entrants]):
                slot = todo.pop(position, None)
                if slot is None:
                    continue
                now, usage_now = time.perf_counter(), _usage_numbers(self.usage)
                delta = {
                    "calls": usage_now[0] - usage_mark[0],
                    "tokens": usage_now[1] - usage_mark[1],
                    "cost_usd": usage_now[2] - usage_mark[2],
                }
                self._record_step_result(slot, result, delta, now - time_mark)
                usage_mark, time_mark = usage_now, now
                if not todo:
                    break
        except (BudgetExceeded, KeyboardInterrupt) as exc:
            if isinstance(exc, BudgetExceeded):
                return LoopOutcome("stopped", str(exc))
            raise
        except Exception as exc:  # the evaluator is user code: its failure marks the rest
            reason = f"step evaluator failed: {type(exc).__name__}: {exc}"[:2000]
            for slot in list(todo.values()):
                self._record_step_result(slot, RuntimeError(reason), {}, 0.0)
            todo.clear()
        for slot in todo.values():
            self._record_step_result(
                slot, RuntimeError("the step evaluator reported no result for it"), {}, 0.0
            )
        return None

    def _record_step_result(
        self, slot: _Slot, result: StepResult, usage: dict[str, float], seconds: float
    ) -> None:
        base = {
            "step": slot.step,
            "index": slot.index,
            "candidate": slot.candidate,
            "meta": dict(slot.meta),
            "usage": usage,
            "timings": {"propose_s": slot.propose_s, "eval_s": seconds},
        }
        if isinstance(result, PartialEvaluation):
            artifacts = {**dict(result.artifacts), "partial_score": float(result.score)}
            self._record(
                **base,
                status="pruned",
                reason=result.reason,
                feedback=result.feedback,
                artifacts=artifacts,
            )
            return
        if isinstance(result, Exception):
            reason = f"{type(result).__name__}: {result}"[:2000]
            self._record(**base, status="failed", reason=reason)
            return
        try:
            evaluation = as_evaluation(result)
        except (TypeError, ValueError) as exc:
            self._record(**base, status="failed", reason=f"{type(exc).__name__}: {exc}")
            return
        self._record(
            **base,
            score=evaluation.score,
            feedback=evaluation.feedback,
            artifacts=dict(evaluation.artifacts),
        )

    def _evaluate_all(self, pool: ThreadPoolExecutor, slots: list[_Slot]) -> LoopOutcome | None:
        futures: dict[Future[Any], _Slot] = {
            pool.submit(_evaluate, self.objective, slot, self.usage): slot for slot in slots
        }
        stopped: BudgetExceeded | None = None
        remaining = set(futures)
        while remaining:
            finished, remaining = wait(remaining, return_when=FIRST_COMPLETED)
            for future in sorted(finished, key=lambda f: futures[f].index):
                slot = futures[future]
                if future.cancelled():
                    continue
                try:
                    evaluation, reason, seconds, delta = future.result()
                except BudgetExceeded as exc:
                    stopped = stopped or exc
                    for other in remaining:
                        other.cancel()
                    continue
                base = {
                    "step": slot.step,
                    "index": slot.index,
                    "candidate": slot.candidate,
                    "meta": dict(slot.meta),
                    "usage": delta,
                    "timings": {"propose_s": slot.propose_s, "eval_s": seconds},
                }
                if evaluation is None:
                    self._record(**base, status="failed", reason=reason)
                else:
                    self._record(
                        **base,
                        score=evaluation.score,
                        feedback=evaluation.feedback,
                        artifacts=dict(evaluation.artifacts),
                    )
        if stopped is not None:
            return LoopOutcome("stopped", str(stopped))
        return None
