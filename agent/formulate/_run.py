"""The formulation agent's run directory, kept through agent/core's ``RunStore``.

One finished correction round is one journal line (a ``Trial``: ``step`` is the round from 0,
``index`` the chain), appended, flushed and fsynced before the next request goes out, so a
Ctrl-C, a crash or a SIGKILL loses no finished round. Resume rebuilds every chain from the
journal; the rounds still to do send their requests through the run's response cache
(``cache.sqlite``), so a request answered before the kill is not paid again.

Layout::

    config.json    kind "solve": the problem, the options and the model spec (enough to resume)
    trials.jsonl   one line per finished round: chain, round, reply, finish reason, formulation,
                   code, status, error text, objective, the solution's numbers
    state.json     running / finished / stopped / interrupted / failed, the round, the reason
    answer.json    the whole AgentAnswer (with the problem text); best.json holds the same
    usage.json     model calls, tokens, cost, cache hits
    cache.sqlite   the run's response cache
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from agent.core import JsonlRunStore, RunKind, RunSession, RunStore, Trial
from agent.errors import ConfigError, DataError
from agent.formulate._answer import AgentAnswer
from agent.formulate._check import FINISHED, PARSE_ERROR, Check
from agent.llm import UsageMeter
from solvers.backends import Solution
from solvers.formulation import load_formulation

KIND = "solve"
ANSWER_FILE = "answer.json"
TRUNCATED = "truncated"
SOLVE = RunKind(
    KIND,
    unit="rounds",
    free=("max_rounds",),
    resume_hint="resume it (optagent solve --resume DIR, or solve(..., resume=True))",
)
"""A solve run: the problem, options and model define the work; a resume may set a new
``max_rounds`` total (like ``Run.resume(steps=)``) and a new budget."""


def json_safe(value: Any) -> Any:
    """``value`` with every non-finite float replaced by ``None`` (run files hold strict JSON)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def round_trial(
    number: int,
    *,
    chain: int,
    record: Mapping[str, Any],
    check: Check,
    timings: Mapping[str, float],
    meta: Mapping[str, Any],
) -> Trial:
    """The journal line of one finished round.

    Args:
        number: its position in the journal.
        chain: the chain (independent formulation) it belongs to.
        record: the public round record (``round``, ``reply``, ``status``, ``error``...).
        check: the round's outcome, whose solution numbers are kept for resume.
        timings: ``propose_s`` (the model request) and ``eval_s`` (the check).
        meta: notes such as ``cached`` (the reply came from the response cache).
    """
    status = check.status
    if status in FINISHED:
        trial_status, score, reason = "ok", check.objective, ""
    else:
        skipped = status in (PARSE_ERROR, TRUNCATED)
        trial_status = "skipped" if skipped else "failed"
        score, reason = None, f"{status}: {record['error']}"[:500]
    candidate: Any = record.get("formulation")
    if candidate is None and check.code:
        candidate = {"code": check.code}
    artifacts = {
        "chain": chain,
        **record,
        "solution": check.solution.to_dict() if check.solution is not None else None,
        "code_values": check.code_values,
        "code_objective": check.code_objective,
    }
    return Trial(
        number=number,
        step=int(record["round"]) - 1,
        index=chain,
        candidate=json_safe(candidate),
        score=None if score is None or not math.isfinite(score) else float(score),
        feedback=str(record["error"]),
        artifacts=json_safe(artifacts),
        status=trial_status,  # type: ignore[arg-type]
        reason=reason,
        meta=json_safe(dict(meta)),
        timings=dict(timings),
        finished_at=time.time(),
    )


def check_from_artifacts(artifacts: Mapping[str, Any]) -> Check:
    """Rebuild a round's ``Check`` from its journal line, without solving again.

    Raises:
        DataError: the line does not hold a round record.
    """
    try:
        formulation = artifacts.get("formulation")
        solution = artifacts.get("solution")
        code_values = artifacts.get("code_values")
        code_objective = artifacts.get("code_objective")
        return Check(
            status=str(artifacts["status"]),
            error=str(artifacts.get("error", "")),
            formulation=load_formulation(formulation) if formulation else None,
            solution=Solution.from_dict(solution) if solution else None,
            code=str(artifacts.get("code") or ""),
            code_values=(
                {str(k): float(v) for k, v in code_values.items()} if code_values else None
            ),
            code_objective=None if code_objective is None else float(code_objective),
        )
    except Exception as exc:  # a damaged record: say which, do not guess
        raise DataError(
            f"a trials.jsonl round record cannot be read back ({type(exc).__name__}: {exc}); "
            "the run cannot be resumed from it"
        ) from None


class SolveJournal:
    """Writes and reads one formulation run through a ``RunSession`` of kind ``solve``.

    Args:
        store: the run's store (a ``JsonlRunStore`` for a run directory).
    """

    def __init__(self, store: RunStore) -> None:
        self.store = store
        self.session: RunSession | None = None
        self._count = 0

    @classmethod
    def at(cls, directory: str | Path) -> SolveJournal:
        """The journal of the run directory ``directory`` (created if missing)."""
        return cls(JsonlRunStore(directory))

    @property
    def directory(self) -> Path | None:
        return self.store.directory

    @property
    def cache_path(self) -> Path | None:
        directory = self.store.directory
        return None if directory is None else JsonlRunStore(directory).cache_path

    # -- starting and resuming -----------------------------------------------------------

    def start(self, options: Mapping[str, Any], *, model: str, budget: Mapping[str, Any]) -> None:
        """Write config.json for a new run.

        Raises:
            ConfigError: the directory already holds rounds (resume it instead).
        """
        fields = json_safe({**dict(options), "model": model, "budget": dict(budget)})
        self.session = RunSession.start(self.store, SOLVE, fields)
        self.write_state("running", round_=0)

    def config(self) -> dict[str, Any]:
        """The stored config of a solve run.

        Raises:
            ConfigError: no config.json, or one written by another kind of run.
        """
        return dict(RunSession.resume(self.store, SOLVE).config)

    def check_resume(self, options: Mapping[str, Any], *, model: str) -> dict[str, Any]:
        """Open the stored run for a resume with these options and model.

        Returns:
            The stored config (``max_rounds`` updated when the resume sets a new total).

        Raises:
            ConfigError: naming the fields that differ, with both values.
        """
        self.session = RunSession.resume(
            self.store, SOLVE, json_safe({**dict(options), "model": model})
        )
        return dict(self.session.config)

    def rounds(self) -> list[Trial]:
        """Every finished round in journal order (a torn last line is dropped)."""
        trials = self.session.trials if self.session is not None else self.store.load_trials()
        self._count = len(trials)
        return list(trials)

    def restore_usage(self, usage: UsageMeter) -> None:
        """Load the stored usage counters into ``usage`` (budgets count from there)."""
        usage.restore(self.store.read_usage())

    # -- recording -----------------------------------------------------------------------

    def _session(self) -> RunSession:
        if self.session is None:
            raise ConfigError("the solve run was neither started nor resumed")
        return self.session

    def append(
        self,
        *,
        chain: int,
        record: Mapping[str, Any],
        check: Check,
        timings: Mapping[str, float],
        meta: Mapping[str, Any],
        usage: UsageMeter,
    ) -> None:
        """Append one finished round durably, then refresh usage.json."""
        trial = round_trial(
            self._count, chain=chain, record=record, check=check, timings=timings, meta=meta
        )
        self._session().append(trial)
        self._count += 1
        self.store.write_usage(usage.snapshot().to_dict())

    def write_state(self, status: str, *, round_: int, reason: str = "") -> None:
        """Store the run status and the round (from 0) being worked on."""
        self._session().status(status, step=round_, reason=reason, trials=self._count)

    def finish(
        self,
        answer: AgentAnswer,
        *,
        problem: str,
        status: str,
        reason: str,
        round_: int,
        usage: UsageMeter,
    ) -> None:
        """Write answer.json and best.json (the whole answer), usage.json and the end state."""
        record = json_safe({"problem": problem, **answer.to_dict()})
        self.store.write_best(record)
        self._session().write_json(ANSWER_FILE, record)
        self.store.write_usage(usage.snapshot().to_dict())
        self.write_state(status, round_=round_, reason=reason)


def rounds_by_chain(trials: Sequence[Trial], votes: int) -> dict[int, list[Trial]]:
    """Journal lines grouped by chain, each chain's rounds in order.

    Raises:
        DataError: a line names a chain outside ``votes`` or the rounds of a chain have a gap.
    """
    out: dict[int, list[Trial]] = {i: [] for i in range(votes)}
    for trial in trials:
        if trial.index not in out:
            raise DataError(
                f"trials.jsonl line {trial.number + 1} belongs to chain {trial.index}, but the "
                f"run has {votes} chains; the journal does not match its config.json"
            )
        chain = out[trial.index]
        if trial.step != len(chain):
            raise DataError(
                f"trials.jsonl line {trial.number + 1}: chain {trial.index} round "
                f"{trial.step + 1} follows {len(chain)} rounds; the journal is damaged"
            )
        chain.append(trial)
    return out
