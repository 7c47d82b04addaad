"""The work of one item, the same in a thread, a worker process or a Ray task.

A job carries the item's id, question and quantity names only: the gold answer stays in the
parent, which scores the prediction, so no retry and no prompt can ever see it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from agent.llm import LLM, Backend, Budget, ResponseCache, UsageMeter, load_backend

_BACKENDS: dict[str, Backend] = {}
_BACKENDS_LOCK = threading.Lock()
MAX_ERROR_CHARS = 500


@dataclass(frozen=True, slots=True)
class AgentSettings:
    """How the formulation agent runs on every item (stored in config.json).

    Attributes:
        model: the model spec string; worker processes and Ray tasks build their model from it.
        votes: independent formulations per item.
        max_rounds: attempts per formulation.
        max_tokens: longest reply per sample.
        time_limit: solver seconds per formulation.
        method: ``formulation`` or ``code``.
        cache: the response cache file, or ``None`` for none.
    """

    model: str
    votes: int = 1
    max_rounds: int = 3
    max_tokens: int = 1024
    time_limit: float | None = 30.0
    method: str = "auto"
    cache: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AgentSettings:
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(frozen=True, slots=True)
class RunDefaults:
    """Defaults of an eval run that depend on the model, chosen so that runs finish.

    Attributes:
        max_rounds: attempts per formulation.
        max_tokens: longest reply per sample.
        item_timeout: seconds per item before it is stopped and recorded as ``timeout``.
        executor: where items run (``process`` can kill a late item; a thread cannot).
    """

    max_rounds: int
    max_tokens: int
    item_timeout: float
    executor: str


# An embedded engine (SmolLM2-135M on llama.cpp, 2 cores) writes a grammar-constrained
# formulation at about 10 tokens/s after the ~900-token formulation prompt on a quiet machine:
# one 256-token round (the worked examples' formulations are ~250 tokens) takes ~30 s. Three
# rounds of 1,024 tokens took over 7 minutes for one item and outgrew the 4,096-token window.
# 40 s per item bounds 20 items by ~14 minutes even when other work slows the cores (the item
# is then recorded as a timeout). A killed worker process frees the engine at once; an
# abandoned thread would keep it busy for the next item.
EMBEDDED_DEFAULTS = RunDefaults(max_rounds=1, max_tokens=256, item_timeout=40.0, executor="process")
# Endpoints answer elsewhere: threads, full correction rounds, a generous per-item limit.
ENDPOINT_DEFAULTS = RunDefaults(
    max_rounds=3, max_tokens=1024, item_timeout=300.0, executor="thread"
)


def run_defaults(model: str) -> RunDefaults:
    """The eval-run defaults for a model spec: embedded engines (``local``, ``llamacpp:``)
    get short single rounds in a killable worker, everything else the endpoint defaults."""
    kind = model.strip().partition(":")[0] if ":" in model else model.strip()
    return EMBEDDED_DEFAULTS if kind in ("", "local", "default", "llamacpp") else ENDPOINT_DEFAULTS


@dataclass(frozen=True, slots=True)
class Job:
    """One item's work order: never the gold answer.

    Attributes:
        id: the item id.
        question: the problem text the agent sees.
        quantities: names of values to report.
        settings: the agent settings.
        budget: the limits for this item alone (``None``: unlimited, or a shared meter).
    """

    id: str
    question: str
    quantities: tuple[str, ...] = ()
    settings: AgentSettings = field(default_factory=lambda: AgentSettings("local"))
    budget: Budget | None = None


class SharedBudgetMeter(UsageMeter):
    """An item's own meter that also charges the run's shared meter (threads share a budget).

    Reservations go through the shared meter first, so concurrent items can never exceed the
    run's call budget; this meter's counters are the item's own usage.
    """

    def __init__(self, shared: UsageMeter) -> None:
        super().__init__(prices=shared.prices)
        self.shared = shared

    def reserve_call(self) -> None:
        self.shared.reserve_call()
        super().reserve_call()

    def release_call(self) -> None:
        self.shared.release_call()
        super().release_call()

    def record_call(self, model: str, model_name: str, **kwargs: Any) -> None:
        self.shared.record_call(model, model_name, **kwargs)
        super().record_call(model, model_name, **kwargs)

    def record_cache_hits(self, count: int) -> None:
        self.shared.record_cache_hits(count)
        super().record_cache_hits(count)

    def record_repair(self) -> None:
        self.shared.record_repair()
        super().record_repair()


def backend_for(spec: str) -> Backend:
    """The backend for a spec, built once per process (the embedded model loads once)."""
    with _BACKENDS_LOCK:
        if spec not in _BACKENDS:
            _BACKENDS[spec] = load_backend(spec)
        return _BACKENDS[spec]


def run_job(job: Job, *, shared: UsageMeter | None = None) -> dict[str, Any]:
    """Run the formulation agent on one job; never raises for the item's own failures.

    Args:
        job: the work order.
        shared: the run's meter when items share one budget (thread executor).

    Returns:
        A JSON-safe dict: ``id``, ``answer`` (the agent's answer dict, or ``None``),
        ``prediction`` (``Prediction.to_dict()``), ``error`` (text when the agent raised),
        ``seconds`` and ``usage`` (this item's calls, tokens, cost).
    """
    from agent.formulate import solve
    from evals.scoring import Prediction

    started = time.perf_counter()
    meter: UsageMeter = SharedBudgetMeter(shared) if shared else UsageMeter(job.budget)
    settings = job.settings
    cache = ResponseCache(settings.cache) if settings.cache else None
    answer: dict[str, Any] | None = None
    error = ""
    try:
        llm = LLM(backend_for(settings.model), cache=cache, usage=meter)
        result = solve(
            job.question,
            model=llm,
            votes=settings.votes,
            max_rounds=settings.max_rounds,
            quantities=list(job.quantities) or None,
            max_tokens=settings.max_tokens,
            time_limit=settings.time_limit,
            method=settings.method,
        )
        answer = result.to_dict()
        prediction = Prediction.from_answer(result).to_dict()
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS]
        prediction = Prediction.failed("error", error).to_dict()
    usage = meter.snapshot()
    return {
        "id": job.id,
        "answer": answer,
        "prediction": prediction,
        "error": error,
        "seconds": time.perf_counter() - started,
        "usage": {
            "calls": usage.calls,
            "cache_hits": usage.cache_hits,
            "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens,
            "tokens": usage.total_tokens,
            "cost_usd": usage.cost_usd,
        },
    }
