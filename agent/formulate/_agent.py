"""The formulation agent: words -> typed formulation -> solve and verify -> correct -> vote."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import prompts
from agent.core import Trial
from agent.errors import BudgetExceeded, ConfigError, StructuredOutputError
from agent.formulate._answer import AgentAnswer, explain, pick_quantities
from agent.formulate._check import (
    CODE_ERROR,
    FINISHED,
    FORMULATION_ERROR,
    NOT_VERIFIED,
    PARSE_ERROR,
    Check,
    check_reply,
)
from agent.formulate._code import check_code_reply
from agent.formulate._compact import (
    COMPACT_MAX_TOKENS,
    REFUSED,
    check_compact_reply,
    precheck,
    real_line_breaks,
    sample_compact,
)
from agent.formulate._compact_prompt import compact_messages
from agent.formulate._examples import worked_examples
from agent.formulate._run import TRUNCATED, SolveJournal, check_from_artifacts, rounds_by_chain
from agent.formulate._schema import bounded_formulation_schema
from agent.formulate._vote import Ballot, vote
from agent.llm import LLM, Budget, Message, load

METHODS = ("auto", "formulation", "compact", "code")

VOTE_TEMPERATURE = 0.7


@dataclass
class _Chain:
    """One independent formulation and its correction rounds."""

    index: int
    rounds: list[dict[str, Any]] = field(default_factory=list)
    last_reply: str = ""
    last: Check | None = None
    verified: Check | None = None  # the latest verified round, even a doubted one

    @property
    def done(self) -> bool:
        """Verified and not doubted, or refused (no problem: more rounds change nothing)."""
        last = self.last
        return last is not None and ((last.ok and not last.suspect) or last.status == REFUSED)

    @property
    def final(self) -> Check | None:
        """The round the answer stands on: the last, unless it failed after a verified one."""
        if self.last is not None and not self.last.ok and self.verified is not None:
            return self.verified
        return self.last

    def record(self, reply: _Reply, check: Check) -> dict[str, Any]:
        """Add a finished round; returns its public record (the answer's trace row)."""
        self.last_reply, self.last = reply.text, check
        if check.ok:
            self.verified = check
        entry = {
            "round": len(self.rounds) + 1,
            "reply": reply.text,
            "finish_reason": reply.finish_reason,
            "truncated": reply.truncated,
            "formulation": (
                check.formulation.model_dump(mode="json") if check.formulation else None
            ),
            "code": check.code,
            "status": check.status,
            "error": check.error,
            "objective": check.objective,
        }
        self.rounds.append(entry)
        return entry

    def restore(self, trial: Trial) -> None:
        """Take back a round finished before a resume (from its journal line)."""
        artifacts = dict(trial.artifacts)
        self.last_reply = str(artifacts.get("reply", ""))
        self.last = check_from_artifacts(artifacts)
        if self.last.ok:
            self.verified = self.last
        self.rounds.append({key: artifacts.get(key) for key in _ROUND_KEYS})

    def to_dict(self) -> dict[str, Any]:
        last = self.final
        return {
            "chain": self.index,
            "status": last.status if last else "not_run",
            "objective": last.objective if last else None,
            "verified": bool(last and last.ok),
            "rounds": list(self.rounds),
        }


_ROUND_KEYS = (
    "round",
    "reply",
    "finish_reason",
    "truncated",
    "formulation",
    "code",
    "status",
    "error",
    "objective",
)


@dataclass(frozen=True)
class _Reply:
    """One model reply as the agent uses it."""

    text: str
    parsed: Any = None
    error: str = ""
    finish_reason: str = "stop"
    cached: bool = False
    seconds: float = 0.0

    @property
    def truncated(self) -> bool:
        """Cut off at ``max_tokens`` (finish reason ``length``)."""
        return self.finish_reason == "length"


def solve(
    text: str,
    *,
    model: str | LLM = "local",
    votes: int = 1,
    max_rounds: int = 3,
    quantities: Sequence[str] | None = None,
    budget: Budget | None = None,
    run_dir: str | Path | None = None,
    max_tokens: int = 1024,
    time_limit: float | None = 30.0,
    method: str = "auto",
    resume: bool = False,
) -> AgentAnswer:
    """Formulate a problem given in words, solve and verify it, correct it from the solvers'
    own error texts, vote over independent formulations and explain the answer.

    Args:
        text: the problem in plain words.
        model: a model spec (``local``, ``openai:NAME``...) or a ready ``LLM``. A spec with
            ``run_dir`` uses the run's own response cache (``cache.sqlite`` in it); an ``LLM``
            keeps its own cache (give it the run's for a resume that pays no request twice).
        votes: independent formulations (sampled at temperature 0.7 when more than one).
        max_rounds: attempts per formulation, the first included (on resume: a new total).
        quantities: names of the quantities to report (phrases such as "The number of
            chairs"); they go into the prompt (never values) and the formulation's ``report``
            maps each to an expression. ``objective``, a variable label or a variable name
            are answered directly when the formulation does not report them.
        budget: hard limits on model use (with a spec string; an ``LLM`` carries its own).
            A resume counts from the stored usage.
        run_dir: the run directory: config.json, one trials.jsonl line per finished round,
            state.json, answer.json and best.json (the whole answer), usage.json, the cache.
        max_tokens: longest reply per sample; a reply cut off there is reported as
            ``truncated``.
        time_limit: solver seconds per formulation.
        method: ``formulation`` (typed JSON, verified), ``compact`` (the few-token language
            under a grammar of the text's numbers and words, for small local models; a failed
            round is sampled again rather than corrected), ``code`` (PuLP/SciPy code run only
            in the sandbox, for what the formulation cannot express; its answer is
            unverified), or ``auto``: ``compact`` on llama.cpp models, else ``formulation``.
        resume: continue the run in ``run_dir``: finished rounds are taken from its journal,
            the rest (and the vote) continue. The problem and options must be the first run's.

    Returns:
        An ``AgentAnswer``; ``status`` is ``optimal`` only for a verified optimum.

    Raises:
        ConfigError: an empty problem, a bad option, ``resume`` without ``run_dir``, a
            resume whose problem, options or model differ from the run's, or a new run in a
            directory that already holds rounds.
        DataError: a damaged run journal.
        LLMError: the model backend failed (the run is marked failed and stays resumable).
        KeyboardInterrupt: Ctrl-C (the run is marked interrupted and stays resumable).

    Example:
        >>> from agent.llm import LLM, ScriptedFakeBackend
        >>> reply = ('{"variables": [{"name": "x", "upper": 4}],'
        ...          ' "objective": {"sense": "maximize", "expression": "3*x"}}')
        >>> llm = LLM(ScriptedFakeBackend([reply]))
        >>> solve("Maximise 3x with x at most 4.", model=llm).objective
        12.0
    """
    if not text or not text.strip():
        raise ConfigError("the problem text is empty: pass the problem in words")
    if votes < 1:
        raise ConfigError(f"votes must be at least 1, got {votes}")
    if max_rounds < 1:
        raise ConfigError(f"max_rounds must be at least 1, got {max_rounds}")
    if max_tokens < 1:
        raise ConfigError(f"max_tokens must be at least 1, got {max_tokens}")
    if method not in METHODS:
        raise ConfigError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    if resume and run_dir is None:
        raise ConfigError("resume=True needs run_dir (the directory of the run to continue)")
    journal = SolveJournal.at(run_dir) if run_dir is not None else None
    if isinstance(model, LLM):
        llm = model
    else:
        cache = str(journal.cache_path) if journal is not None else None
        llm = load(model, budget=budget, cache=cache)
    if method == "auto":
        method = "compact" if hasattr(llm.backend, "engine_for") else "formulation"
    options = {
        "problem": text,
        "method": method,
        "votes": votes,
        "max_rounds": max_rounds,
        "max_tokens": max_tokens,
        "time_limit": time_limit,
        "quantities": list(quantities or ()),
    }
    chains = [_Chain(i) for i in range(votes)]
    if journal is not None and resume:
        journal.check_resume(options, model=llm.spec)
        for index, trials in rounds_by_chain(journal.rounds(), votes).items():
            for trial in trials:
                chains[index].restore(trial)
        journal.restore_usage(llm.usage)
    elif journal is not None:
        journal.start(options, model=llm.spec, budget=llm.usage.budget.to_dict())
    agent = _Agent(
        llm,
        text.strip(),
        quantities=tuple(quantities or ()),
        code_path=method == "code",
        compact_path=method == "compact",
        votes=votes,
        max_tokens=max_tokens,
        time_limit=time_limit,
        journal=journal,
    )
    try:
        stopped = agent.run(chains, max_rounds)
    except KeyboardInterrupt:
        if journal is not None:
            journal.write_state(
                "interrupted", round_=agent.round, reason="interrupted by the user (Ctrl-C)"
            )
        raise
    except BaseException as exc:
        if journal is not None:
            journal.write_state("failed", round_=agent.round, reason=f"{type(exc).__name__}: {exc}")
        raise
    answer = _answer(chains, llm.spec, quantities or (), stopped)
    if journal is not None:
        journal.finish(
            answer,
            problem=text,
            status="stopped" if stopped else "finished",
            reason=stopped,
            round_=agent.round,
            usage=llm.usage,
        )
    return answer


class _Agent:
    """The rounds of one solve: sample, check, record; a resume skips what the chains hold."""

    def __init__(
        self,
        llm: LLM,
        problem: str,
        *,
        quantities: tuple[str, ...] = (),
        code_path: bool,
        compact_path: bool = False,
        votes: int,
        max_tokens: int,
        time_limit: float | None,
        journal: SolveJournal | None,
    ) -> None:
        self.llm = llm
        self.code_path = code_path
        self.compact_path = compact_path
        self.quantities = quantities
        self.refusal = precheck(problem) if compact_path else None
        self.problem = problem
        self.votes = votes
        self.max_tokens = max_tokens
        self.time_limit = time_limit
        self.journal = journal
        self.round = 0
        self._entered: int | None = None
        self.schema = None if code_path else bounded_formulation_schema()
        self.feedback_template = "formulate/code_feedback" if code_path else "formulate/feedback"
        self.temperature = 0.0 if votes == 1 else VOTE_TEMPERATURE
        if compact_path:
            messages = compact_messages(real_line_breaks(problem), quantities)
            self.base: tuple[Message, ...] = tuple(messages)
            self.schema = None
            self.max_tokens = min(max_tokens, COMPACT_MAX_TOKENS)
        elif code_path:
            self.base = (
                Message("user", prompts.render("formulate/code", problem=problem).strip()),
            )
        else:
            self.base = (
                Message("system", prompts.render("formulate/system").strip()),
                Message(
                    "user",
                    prompts.render(
                        "formulate/problem",
                        examples=worked_examples(),
                        problem=problem,
                        quantities=list(quantities),
                    ),
                ),
            )

    def run(self, chains: list[_Chain], max_rounds: int) -> str:
        """Do every round the chains lack; returns why a budget stopped the work, else ""."""
        try:
            missing = [c for c in chains if not c.rounds]
            if missing:
                self._enter(0)
                replies = self._sample(self.base, n=self.votes, seed=None)
                for chain in missing:
                    self._finish_round(chain, replies[chain.index])
            for number in range(2, max_rounds + 1):
                for chain in chains:
                    if chain.done or len(chain.rounds) >= number:
                        continue
                    self._enter(number - 1)
                    self._correct(chain)
        except BudgetExceeded as exc:
            return str(exc)
        return ""

    def _enter(self, round_: int) -> None:
        if round_ != self._entered:
            self.round = self._entered = round_
            if self.journal is not None:
                self.journal.write_state("running", round_=round_)

    def _correct(self, chain: _Chain) -> None:
        assert chain.last is not None
        if self.compact_path:  # a small model does not read feedback: sample again
            seed = 1000 * len(chain.rounds) + chain.index
            (reply,) = self._sample(self.base, n=1, seed=seed, temperature=VOTE_TEMPERATURE)
            self._finish_round(chain, reply)
            return
        doubted = chain.last.suspect
        feedback = prompts.render(
            self.feedback_template,
            status="doubtful optimum" if doubted else chain.last.status,
            error=doubted or chain.last.error,
            truncated=chain.last.status == TRUNCATED,
            max_tokens=self.max_tokens,
        ).strip()
        messages = (
            *self.base,
            Message("assistant", chain.last_reply),
            Message("user", feedback),
        )
        seed = chain.index if self.votes > 1 else None
        (reply,) = self._sample(messages, n=1, seed=seed)
        self._finish_round(chain, reply)

    def _finish_round(self, chain: _Chain, reply: _Reply) -> None:
        started = time.perf_counter()
        check = self._check(reply)
        seconds = time.perf_counter() - started
        record = chain.record(reply, check)
        if self.journal is not None:
            self.journal.append(
                chain=chain.index,
                record=record,
                check=check,
                timings={"propose_s": reply.seconds, "eval_s": seconds},
                meta={"cached": reply.cached},
                usage=self.llm.usage,
            )

    def _check(self, reply: _Reply) -> Check:
        if self.refusal is not None:
            return self.refusal
        if self.compact_path:
            check = check_compact_reply(reply.text, self.quantities, time_limit=self.time_limit)
        elif self.code_path:
            check = check_code_reply(reply.text)
        elif reply.parsed is None:
            check = Check(PARSE_ERROR, reply.error)
        else:
            check = check_reply(reply.parsed, time_limit=self.time_limit)
        if reply.truncated and check.status in (PARSE_ERROR, FORMULATION_ERROR, CODE_ERROR):
            return Check(
                TRUNCATED,
                f"the reply was cut off at the {self.max_tokens}-token limit (finish reason "
                f"'length') before it was complete: {check.error}",
                check.formulation,
                code=check.code,
            )
        return check

    def _sample(
        self,
        messages: Sequence[Message],
        *,
        n: int,
        seed: int | None,
        temperature: float | None = None,
    ) -> list[_Reply]:
        """``n`` replies; one unusable sample does not cost the others (they are asked for
        again one by one, with distinct seeds)."""
        if self.refusal is not None:  # no model call for a text that is no problem
            return [_Reply("") for _ in range(n)]
        if self.compact_path:
            started = time.perf_counter()
            completions = sample_compact(
                self.llm, messages, self.problem, self.quantities, n=n, seed=seed,
                temperature=self.temperature if temperature is None else temperature,
                max_tokens=self.max_tokens,
            )  # fmt: skip
            seconds = (time.perf_counter() - started) / max(1, n)
            return [
                _Reply(c.text, None, "", c.finish_reason, cached=c.cached, seconds=seconds)
                for c in completions
            ]
        options: dict[str, Any] = {
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "schema": self.schema,
        }
        started = time.perf_counter()
        try:
            completions = self.llm.complete(list(messages), n=n, seed=seed, **options)
        except StructuredOutputError as exc:
            if n == 1:
                seconds = time.perf_counter() - started
                reason = exc.finish_reason or "stop"
                return [_Reply(exc.text, None, str(exc), reason, seconds=seconds)]
            out: list[_Reply] = []
            for i in range(n):
                out.extend(self._sample(messages, n=1, seed=1000 + i))
            return out
        seconds = (time.perf_counter() - started) / max(1, n)
        return [
            _Reply(c.text, c.parsed, "", c.finish_reason, cached=c.cached, seconds=seconds)
            for c in completions
        ]


def _answer(
    chains: list[_Chain], spec: str, quantities: Sequence[str], stopped: str
) -> AgentAnswer:
    voting = (*FINISHED, NOT_VERIFIED)
    finals = [c.final for c in chains]
    ballots = [
        Ballot(
            c.index,
            final.objective if final and final.status in voting else None,
            bool(final and final.status == "optimal"),
        )
        for c, final in zip(chains, finals, strict=True)
    ]
    result = vote(ballots)
    lead = chains[0]
    if result.winners:
        lead = min((chains[i] for i in result.winners), key=lambda c: (not c.done, c.index))
    check = lead.final
    has_value = check is not None and check.status in voting
    solution = check.solution if check and has_value else None
    status = check.status if check else "not_run"
    values = check.values if check and has_value else {}
    sensitivity = solution.sensitivity if solution else None
    sense = check.formulation.objective.sense if check and check.formulation else ""
    objective = result.objective if has_value else None
    reported = dict(solution.reported) if solution is not None else {}
    formulation = check.formulation if check else None
    objective_name = (
        next(
            (r.name.strip() for r in formulation.report if r.expression.strip() == "objective"),
            "",
        )
        if formulation is not None
        else ""
    )
    explanation = explain(
        status=status,
        error=(check.suspect or check.error) if check else stopped,
        sense=sense,
        solution=solution,
        votes=len(chains),
        agreeing=len(result.winners),
        objective=objective,
        values=values,
    )
    return AgentAnswer(
        status=status,
        objective=objective,
        values=values,
        binding=[r.label for r in sensitivity.binding] if sensitivity else [],
        explanation=explanation,
        quantities=pick_quantities(quantities, objective, values, reported),
        reported=reported,
        objective_name=objective_name,
        formulation=(
            check.formulation.model_dump(mode="json") if check and check.formulation else None
        ),
        chains=[c.to_dict() for c in chains],
        vote={"winners": result.winners, "clusters": result.clusters},
        model=spec,
        sensitivity=sensitivity.to_dict() if sensitivity else None,
        stopped=stopped,
        extra={"code": check.code} if check and check.code else {},
        truncated_rounds=sum(1 for c in chains for r in c.rounds if r.get("truncated")),
    )
