"""Usage accounting and hard budgets, shared by every call of a run."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from agent.errors import BudgetExceeded, ConfigError

# USD per million tokens (prompt, completion) for common hosted models; override per run.
DEFAULT_PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "o3-mini": (1.10, 4.40),
    "o4-mini": (1.10, 4.40),
    "gpt-3.5-turbo": (0.50, 1.50),
}


def price_of(model_name: str, prices: Mapping[str, tuple[float, float]]) -> tuple[float, float]:
    """Price for a model name: exact match, else the longest known prefix, else free."""
    if model_name in prices:
        return prices[model_name]
    matches = [key for key in prices if model_name.startswith(key)]
    return prices[max(matches, key=len)] if matches else (0.0, 0.0)


@dataclass(frozen=True, slots=True)
class Budget:
    """Hard limits for a run; ``None`` means unlimited.

    Args:
        max_calls: backend calls (cache hits are free).
        max_tokens: prompt plus completion tokens.
        max_cost: estimated USD.
        max_time: wall-clock seconds since the run started.

    Example:
        >>> from agent.errors import BudgetExceeded
        >>> from agent.llm import LLM, Budget, ScriptedFakeBackend, UsageMeter
        >>> llm = LLM(ScriptedFakeBackend(["a", "b"]), usage=UsageMeter(Budget(max_calls=1)))
        >>> llm.complete("one")[0].text
        'a'
        >>> try:
        ...     llm.complete("two")
        ... except BudgetExceeded as exc:
        ...     print(exc.kind)
        calls
    """

    max_calls: int | None = None
    max_tokens: int | None = None
    max_cost: float | None = None
    max_time: float | None = None

    def __post_init__(self) -> None:
        for name in ("max_calls", "max_tokens", "max_cost", "max_time"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ConfigError(f"budget {name} must be >= 0, got {value}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class UsageSnapshot:
    """Counters at one moment, JSON-safe (written to usage.json)."""

    calls: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    backend_seconds: float = 0.0
    repairs: int = 0
    errors: int = 0
    elapsed_s: float = 0.0
    by_model: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["total_tokens"] = self.total_tokens
        return data


class UsageMeter:
    """Thread-safe usage counters plus budget enforcement.

    ``reserve_call`` is called before each backend call and raises ``BudgetExceeded`` when a
    limit is already reached, so N concurrent workers can never exceed a call budget of N.
    """

    def __init__(
        self,
        budget: Budget | None = None,
        *,
        prices: Mapping[str, tuple[float, float]] | None = None,
        started_at: float | None = None,
    ) -> None:
        self.budget = budget or Budget()
        self.prices = dict(DEFAULT_PRICES if prices is None else prices)
        self._lock = threading.Lock()
        self._started = time.monotonic() if started_at is None else started_at
        self._usage = UsageSnapshot()
        self._reserved = 0

    def check(self) -> None:
        """Raise ``BudgetExceeded`` if any limit is already reached."""
        with self._lock:
            self._check_locked(extra_calls=0)

    def _check_locked(self, *, extra_calls: int) -> None:
        b, u = self.budget, self._usage
        calls = u.calls + self._reserved + extra_calls
        if b.max_calls is not None and calls > b.max_calls:
            raise BudgetExceeded("calls", b.max_calls, u.calls + self._reserved)
        if b.max_tokens is not None and u.total_tokens >= b.max_tokens:
            raise BudgetExceeded("tokens", b.max_tokens, u.total_tokens)
        if b.max_cost is not None and u.cost_usd >= b.max_cost:
            raise BudgetExceeded("cost", b.max_cost, u.cost_usd)
        elapsed = time.monotonic() - self._started
        if b.max_time is not None and elapsed >= b.max_time:
            raise BudgetExceeded("time", b.max_time, round(elapsed, 3))

    def reserve_call(self) -> None:
        """Claim one backend call against the budget, or raise ``BudgetExceeded``."""
        with self._lock:
            self._check_locked(extra_calls=1)
            self._reserved += 1

    def release_call(self) -> None:
        """Give back a reservation whose call was never made."""
        with self._lock:
            self._reserved = max(0, self._reserved - 1)

    def record_call(
        self,
        model: str,
        model_name: str,
        *,
        prompt_tokens: int,
        completion_tokens: int,
        seconds: float,
        failed: bool = False,
    ) -> None:
        """Account one finished (reserved) backend call."""
        cost_in, cost_out = price_of(model_name, self.prices)
        cost = (prompt_tokens * cost_in + completion_tokens * cost_out) / 1e6
        with self._lock:
            self._reserved = max(0, self._reserved - 1)
            u = self._usage
            u.calls += 1
            u.errors += int(failed)
            u.prompt_tokens += prompt_tokens
            u.completion_tokens += completion_tokens
            u.cost_usd += cost
            u.backend_seconds += seconds
            row = u.by_model.setdefault(
                model, {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0, "cost_usd": 0.0}
            )
            row["calls"] += 1
            row["prompt_tokens"] += prompt_tokens
            row["completion_tokens"] += completion_tokens
            row["cost_usd"] += cost

    def record_cache_hits(self, count: int) -> None:
        with self._lock:
            self._usage.cache_hits += count

    def record_repair(self) -> None:
        with self._lock:
            self._usage.repairs += 1

    def snapshot(self) -> UsageSnapshot:
        """A copy of the counters, with elapsed time filled in."""
        with self._lock:
            u = self._usage
            return UsageSnapshot(
                calls=u.calls,
                cache_hits=u.cache_hits,
                prompt_tokens=u.prompt_tokens,
                completion_tokens=u.completion_tokens,
                cost_usd=u.cost_usd,
                backend_seconds=u.backend_seconds,
                repairs=u.repairs,
                errors=u.errors,
                elapsed_s=time.monotonic() - self._started,
                by_model={k: dict(v) for k, v in u.by_model.items()},
            )

    def restore(self, data: Mapping[str, Any]) -> None:
        """Load counters saved by an earlier process (resume keeps counting from there)."""
        with self._lock:
            u = self._usage
            for name in (
                "calls",
                "cache_hits",
                "prompt_tokens",
                "completion_tokens",
                "repairs",
                "errors",
            ):
                setattr(u, name, int(data.get(name, 0)))
            u.cost_usd = float(data.get("cost_usd", 0.0))
            u.backend_seconds = float(data.get("backend_seconds", 0.0))
            u.by_model = {k: dict(v) for k, v in data.get("by_model", {}).items()}
