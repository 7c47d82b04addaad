"""What the LLM did in a study, read back from the trials' user attributes.

Works on any study: several processes sharing one storage, or a study resumed later, because
the sampler writes everything per trial into the storage.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

__all__ = ["summarize"]

_LLM_SOURCES = ("warmstart", "llm")


def summarize(study: Any) -> dict[str, Any]:
    """Per-source trial counts of an Optuna study, the LLM-proposed fraction, cost, repairs
    and fallbacks.

    Returns:
        a JSON-safe dict: ``trials`` (with a recorded source), ``sources`` (count per
        ``llm_source``), ``llm_fraction`` (warm start + LLM candidates over ``trials``),
        ``calls``, ``cache_hits``, ``tokens``, ``repairs``, ``rejected``, ``seconds`` (spent
        choosing configurations, model calls included) and ``fallbacks``
        (count per reason, the reason's first words).
    """
    sources: Counter[str] = Counter()
    fallbacks: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for trial in study.get_trials(deepcopy=False):
        attrs = trial.user_attrs
        source = attrs.get("llm_source")
        if source is None:
            continue
        sources[str(source)] += 1
        for key in ("calls", "cache_hits", "tokens", "repairs", "rejected"):
            value = attrs.get(f"llm_{key}", 0)
            totals[key] += int(value) if isinstance(value, int | float) else 0
        seconds = attrs.get("llm_seconds", 0.0)
        totals["seconds"] += float(seconds) if isinstance(seconds, int | float) else 0.0
        reason = attrs.get("llm_fallback")
        if reason:
            fallbacks[str(reason).split(":")[0]] += 1
    n = sum(sources.values())
    llm = sum(sources[s] for s in _LLM_SOURCES)
    return {
        "trials": n,
        "sources": dict(sorted(sources.items())),
        "llm_fraction": llm / n if n else 0.0,
        **{key: totals[key] for key in ("calls", "cache_hits", "tokens", "repairs", "rejected")},
        "seconds": round(totals["seconds"], 3),
        "fallbacks": dict(sorted(fallbacks.items())),
    }
