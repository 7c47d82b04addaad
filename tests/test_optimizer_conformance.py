"""One battery over every optimizer (as PyTorch's test_optim runs over its registry): each
proposes within its budget, its state round-trips through JSON, a run resumed from saved state
continues exactly as an uninterrupted one, its settings are keyword-only and a bad one is a
``ValueError`` naming the value. All on scripted fake backends (no model).

A new optimizer is covered by adding one entry to ``REGISTRY``; a test fails when an
optimizer class exists that the registry does not name.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import json
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import agent
from agent.core import Candidate, Evaluation, JsonlRunStore, Objective, Run
from agent.evolve import EvolutionOptimizer, builtin_problem
from agent.llm import LLM, Budget, Request, ScriptedFakeBackend, UsageMeter
from agent.optimizers import (
    OPRO,
    BayesianJointSearch,
    ExemplarSearch,
    JointSearch,
    Optimizer,
    RandomSearch,
    ReflectivePareto,
    ReflectiveRewrite,
    instruction_opro,
    parse_tagged,
)
from agent.trace import TraceObjective, node
from agent.trace.optimizers import DirectionalOptimizer, OptoPrime, ScoredOptimizer, TraceOPRO


def _digest(request: Request, index: int) -> bytes:
    return hashlib.sha256(request.cache_key("conformance", index).encode()).digest()


def number_reply(request: Request, index: int) -> str:
    """A reply that depends on the whole request (so resumed requests must be identical)."""
    d = _digest(request, index)
    return "no idea" if d[0] % 5 == 0 else f"<solution>{d[1] % 60}</solution>"


def instruction_reply(request: Request, index: int) -> str:
    d = _digest(request, index)
    return "hmm" if d[0] % 5 == 0 else f"<INS>Answer with the number only, style {d[1] % 9}.</INS>"


def value_reply(request: Request, index: int) -> str:
    d = _digest(request, index)
    if d[0] % 5 == 0:
        return "not json"
    return json.dumps({"reasoning": "r", "suggestion": {"a": float(d[1] % 11), "b": d[2] % 4}})


POOL = [{"inputs": {"q": f"{i} + 1"}, "answer": str(i + 1), "origin": "train"} for i in range(6)]
BASELINE = {"instruction": "Answer.", "demos": [], "position": "Q_begin"}


def prompt_objective(candidate: Candidate) -> Evaluation:
    """A deterministic score of a prompt candidate, with failures for reflective rewriting."""
    assert isinstance(candidate, dict)
    text = json.dumps(candidate, sort_keys=True)
    score = (int(hashlib.sha256(text.encode()).hexdigest()[:4], 16) % 100) / 100
    failures = [{"question": "2 + 2", "target": "4", "output": "four"}] if score < 0.9 else []
    return Evaluation(score, "", {"failures": failures})


def pareto_objective(candidate: Candidate) -> Evaluation:
    """Like ``prompt_objective``, with per-example scores on four examples (for GEPA)."""
    assert isinstance(candidate, dict)
    digest = hashlib.sha256(json.dumps(candidate, sort_keys=True).encode()).digest()
    scores = [float(digest[e] % 2) for e in range(4)]
    failures = [
        {"question": f"{e} + 2", "target": str(e + 2), "output": "?"}
        for e in range(4)
        if scores[e] < 1
    ]
    return Evaluation(sum(scores) / 4, "", {"scores": scores, "failures": failures})


def program_reply(request: Request, index: int) -> str:
    """A program for the evolution optimizer (some replies hold no code)."""
    d = _digest(request, index)
    if d[0] % 5 == 0:
        return "no code today"
    return (
        "{Go to a node.}\n```python\ndef select_next_node(c, d, u, m):\n"
        f"    return u[{d[1] % 3}] if len(u) > {d[2] % 4} else u[0]\n```"
    )


def program_objective(candidate: Candidate) -> float:
    """A deterministic score of a program's text (the optimizer is under test, not the
    sandbox evaluation, which tests/test_evolve.py covers)."""
    assert isinstance(candidate, dict)
    return float(int(hashlib.sha256(candidate["code"].encode()).hexdigest()[:4], 16) % 100)


def _evolution(llm: LLM, **kw: Any) -> EvolutionOptimizer:
    return EvolutionOptimizer(
        llm, builtin_problem("tsp"), islands=2, operators=["m1", "e1"], reset_every=2, **kw
    )


def number_objective(candidate: Candidate) -> float:
    return -abs(int(str(candidate)) - 42)


def trace_case(cls: type[OptoPrime]) -> Callable[[LLM], Case]:
    def make(llm: LLM) -> Case:
        a = node(0.0, trainable=True, name="a", description="a number")
        b = node(1, trainable=True, name="b")

        def workflow() -> tuple[float, list[Any]]:
            loss = (a - 7) ** 2 + b * 3
            return -loss.value, [(loss, f"the loss is {loss.value}; make it 0")]

        optimizer = cls([a, b], llm=llm, n=2, seed=3, memory=2)
        return Case(optimizer, TraceObjective([a, b], workflow))

    return make


@dataclass
class Case:
    optimizer: Optimizer
    objective: Objective


@dataclass
class Entry:
    """How the battery builds one optimizer.

    Attributes:
        make: ``make(llm) -> Case``, a fresh optimizer and objective over the scripted model.
        reply: the scripted model's reply function (``None``: the optimizer asks no model).
        bad: ``(build, setting, value)`` constructions that must raise ``ValueError``.
    """

    make: Callable[[LLM], Case]
    reply: Callable[[Request, int], str] | None
    bad: list[tuple[Callable[[LLM], object], str, object]] = field(default_factory=list)


def _opro(llm: LLM, **kw: Any) -> OPRO:
    return OPRO(
        llm,
        parse=parse_tagged,
        candidates_per_step=3,
        initial=["7"],
        variables={"description": "Guess my number.", "output_format": ""},
        **kw,
    )


def _exemplars(**kw: Any) -> ExemplarSearch:
    return ExemplarSearch(POOL, instruction="Answer.", candidates_per_step=3, seed=5, **kw)


def _instructions(llm: LLM) -> OPRO:
    return instruction_opro(
        llm, task="add numbers", baseline="Answer.", position="Q_begin", candidates_per_step=3
    )


#: Every optimizer class, keyed by its class name.
REGISTRY: dict[str, Entry] = {
    "RandomSearch": Entry(
        lambda llm: Case(
            RandomSearch(lambda r: r.randint(0, 60), candidates_per_step=3, seed=2),
            number_objective,
        ),
        None,
        [(lambda llm: RandomSearch(lambda r: 1, candidates_per_step=0), "candidates_per_step", 0)],
    ),
    "OPRO": Entry(
        lambda llm: Case(_opro(llm), lambda c: number_objective(c)),
        number_reply,
        [
            (lambda llm: _opro(llm, top_k=0), "top_k", 0),
            (lambda llm: _opro(llm, temperature=3.5), "temperature", 3.5),
        ],
    ),
    "ExemplarSearch": Entry(
        lambda llm: Case(_exemplars(), prompt_objective),
        None,
        [(lambda llm: _exemplars(explore=1.5), "explore", 1.5)],
    ),
    "ReflectiveRewrite": Entry(
        lambda llm: Case(
            ReflectiveRewrite(llm, task="add", baseline=BASELINE, candidates_per_step=3),
            prompt_objective,
        ),
        instruction_reply,
        [
            (
                lambda llm: ReflectiveRewrite(llm, task="t", baseline=BASELINE, max_failures=0),
                "max_failures",
                0,
            )
        ],
    ),
    "BayesianJointSearch": Entry(
        lambda llm: Case(
            BayesianJointSearch(
                llm,
                task="add",
                baseline="Answer.",
                position="Q_begin",
                pool=POOL,
                n_instructions=3,
                candidates_per_step=3,
                seed=1,
            ),
            prompt_objective,
        ),
        instruction_reply,
        [
            (
                lambda llm: BayesianJointSearch(
                    llm, task="t", baseline="", position="Q_begin", pool=POOL, n_demo_sets=0
                ),
                "n_demo_sets",
                0,
            )
        ],
    ),
    "ReflectivePareto": Entry(
        lambda llm: Case(
            ReflectivePareto(
                llm,
                task="add",
                baseline=BASELINE,
                examples=[(f"{e} + 2", str(e + 2)) for e in range(4)],
                candidates_per_step=3,
            ),
            pareto_objective,
        ),
        instruction_reply,
        [
            (
                lambda llm: ReflectivePareto(llm, task="t", baseline=BASELINE, merge_every=-1),
                "merge_every",
                -1,
            )
        ],
    ),
    "JointSearch": Entry(
        lambda llm: Case(JointSearch(_instructions(llm), _exemplars()), prompt_objective),
        instruction_reply,
        [(lambda llm: JointSearch(_instructions(llm), "pool"), "exemplars", "pool")],  # type: ignore[arg-type]  # the point: a wrong type must raise
    ),
    "OptoPrime": Entry(
        trace_case(OptoPrime),
        value_reply,
        [(lambda llm: OptoPrime([node(1.0, trainable=True)], llm=llm, n=0), "n", 0)],
    ),
    "DirectionalOptimizer": Entry(
        trace_case(DirectionalOptimizer),
        value_reply,
        [
            (
                lambda llm: DirectionalOptimizer([node(1.0, trainable=True)], llm=llm, history=0),
                "history",
                0,
            )
        ],
    ),
    "ScoredOptimizer": Entry(
        trace_case(ScoredOptimizer),
        value_reply,
        [
            (
                lambda llm: ScoredOptimizer([node(1.0, trainable=True)], llm=llm, workers=0),
                "workers",
                0,
            )
        ],
    ),
    "EvolutionOptimizer": Entry(
        lambda llm: Case(_evolution(llm), program_objective),
        program_reply,
        [
            (lambda llm: _evolution(llm, population_size=0), "population_size", 0),
            (lambda llm: _evolution(llm, reset_fraction=1.5), "reset_fraction", 1.5),
        ],
    ),
    "TraceOPRO": Entry(
        trace_case(TraceOPRO),
        value_reply,
        [(lambda llm: TraceOPRO([node(1.0, trainable=True)], llm=llm, top_k=0), "top_k", 0)],
    ),
}

NAMES = sorted(REGISTRY)


def scripted(entry: Entry, budget: Budget | None = None) -> tuple[LLM, ScriptedFakeBackend]:
    backend = ScriptedFakeBackend(entry.reply or (lambda request, index: ""))
    return LLM(backend, usage=UsageMeter(budget or Budget())), backend


def journal(trials: list[Any]) -> list[tuple[Any, ...]]:
    return [(t.step, t.index, t.candidate, t.score, t.status, t.reason) for t in trials]


def _optimizer_classes() -> set[type[Optimizer]]:
    for info in pkgutil.walk_packages(agent.__path__, "agent."):
        if info.name.startswith(("agent.formulate", "agent.cli", "agent.llm.backends")):
            continue  # no optimizers there; importing them needs heavy extras
        importlib.import_module(info.name)
    found: set[type[Optimizer]] = set()
    stack = list(Optimizer.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("agent.") and not inspect.isabstract(cls):
            found.add(cls)
    return found


def test_every_optimizer_class_is_in_the_registry() -> None:
    public = {c.__name__ for c in _optimizer_classes() if not c.__name__.startswith("_")}
    assert public - set(REGISTRY) == set(), "add these optimizers to REGISTRY"
    assert set(REGISTRY) - public == set(), "REGISTRY names a class that no longer exists"


@pytest.mark.parametrize("name", NAMES)
def test_proposes_within_budget(name: str) -> None:
    entry = REGISTRY[name]
    llm, backend = scripted(entry, Budget(max_calls=2))
    case = entry.make(llm)
    result = Run(case.objective, case.optimizer, steps=6, max_evaluations=8, usage=llm.usage)
    outcome = result.optimize()
    evaluated = [t for t in outcome.trials if t.status != "skipped"]
    assert len(evaluated) <= 8
    assert llm.usage.snapshot().calls <= 2
    assert len({request.cache_key("x", 0) for request, _ in backend.requests}) <= 2
    assert outcome.status in ("finished", "stopped")
    if entry.reply is not None and outcome.status == "stopped":
        assert "calls" in outcome.reason
    json.dumps(case.optimizer.describe(), allow_nan=False)


@pytest.mark.parametrize("name", NAMES)
def test_state_round_trips_through_json(name: str) -> None:
    entry = REGISTRY[name]
    llm, _ = scripted(entry)
    case = entry.make(llm)
    Run(case.objective, case.optimizer, steps=3).optimize()
    state = case.optimizer.state_dict()
    assert isinstance(state, dict)
    copy = json.loads(json.dumps(state, allow_nan=False))
    fresh = entry.make(scripted(entry)[0]).optimizer
    fresh.load_state_dict(copy)
    assert fresh.state_dict() == state
    with pytest.raises(ValueError):
        fresh.load_state_dict(["not", "a", "mapping"])  # type: ignore[arg-type]  # the point
    assert fresh.state_dict() == state, "a refused state changes nothing"


@pytest.mark.parametrize("name", NAMES)
def test_resume_continues_the_uninterrupted_sequence(name: str, tmp_path: Path) -> None:
    entry = REGISTRY[name]
    first, more = 2, 2
    llm, _ = scripted(entry)
    case = entry.make(llm)
    whole = Run(case.objective, case.optimizer, steps=first + more).optimize()

    llm, _ = scripted(entry)
    case = entry.make(llm)
    Run(case.objective, case.optimizer, store=tmp_path / "r", steps=first).optimize()
    saved = JsonlRunStore(tmp_path / "r").read_state()["optimizer"]
    assert saved == json.loads(json.dumps(case.optimizer.state_dict()))
    llm, _ = scripted(entry)
    again = entry.make(llm)  # a new instance; Run.resume calls load_state_dict(saved)
    resumed = Run.resume(
        tmp_path / "r", again.objective, again.optimizer, steps=first + more
    ).optimize()
    assert journal(resumed.trials) == journal(whole.trials)


@pytest.mark.parametrize("name", NAMES)
def test_settings_are_keyword_only_and_bad_ones_are_value_errors(name: str) -> None:
    entry = REGISTRY[name]
    cls = type(entry.make(scripted(entry)[0]).optimizer)
    defaulted = [
        p
        for p in inspect.signature(cls.__init__).parameters.values()
        if p.default is not inspect.Parameter.empty
    ]
    positional = [p.name for p in defaulted if p.kind is not inspect.Parameter.KEYWORD_ONLY]
    assert positional == [], f"{name}: settings must be keyword-only (after *)"
    assert entry.bad, f"{name}: give REGISTRY at least one bad setting to check"
    for build, setting, value in entry.bad:
        with pytest.raises(ValueError, match=re.escape(setting)) as caught:
            build(scripted(entry)[0])
        assert str(value) in str(caught.value), f"the message names the bad value {value!r}"
