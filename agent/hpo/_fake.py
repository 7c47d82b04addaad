"""``ScriptedHPOFakeBackend``: a scripted fake model that answers the sampler's three prompts.

A fake for tests, demos and the benchmark's smoke run, never evidence of what a real model
does. It reads the parameter lines and the history out of the prompt and answers like a
plausible proposer: warm start = spread random configurations; candidate = the best
configuration so far, perturbed (sometimes a fresh random one); surrogate = the score of the
nearest scored configuration plus noise. With ``garbage_rate`` it mangles replies (values out of
range, misspelled categories, prose) so repair and fallback get exercised. Replies depend only
on the prompt, the request seed and the sample index, so runs repeat. With ``informed=False`` it
ignores the history altogether (random configurations, random predictions): a stand-in for a
model no better than random search, to check that such a model costs the study nothing.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
from typing import Any

from agent.hpo._space import Param, random_config, repair_value
from agent.llm._types import Request
from agent.llm.backends._scripted import ScriptedFakeBackend

__all__ = ["ScriptedHPOFakeBackend", "read_space"]

_NUMERIC = re.compile(r"^- (\S+): (float|int) in \[([^,\]]+), ([^\]]+)\](?: \((.*)\))?$")
_CATEGORICAL = re.compile(r"^- (\S+): one of (\[.*\])$")
_HISTORY = re.compile(r"^(\{.*\}) score: (\S+)$")


def read_space(prompt: str) -> list[Param]:
    """The parameters listed in one of the sampler's prompts."""
    space = []
    for line in prompt.splitlines():
        if match := _NUMERIC.match(line):
            name, kind, low, high, extras = match.groups()
            extras = extras or ""
            step = re.search(r"step ([^,)]+)", extras)
            space.append(
                Param(
                    name,
                    kind,  # type: ignore[arg-type]  # the prompt parser read one of the Param kinds
                    float(low),
                    float(high),
                    "log scale" in extras,
                    float(step.group(1)) if step else None,
                )
            )
        elif match := _CATEGORICAL.match(line):
            choices = tuple(json.loads(match.group(2)))
            space.append(Param(match.group(1), "categorical", choices=choices))
    return space


class ScriptedHPOFakeBackend(ScriptedFakeBackend):
    """A fake model for ``LLMSampler``'s prompts (see the module docstring).

    Args:
        seed: varies the fake's choices.
        garbage_rate: fraction of replies mangled on purpose, in [0, 1].
        informed: read the history (perturb the best, predict from the nearest); ``False``:
            answer at random, like a model that has learned nothing.
        spec: the spec reported (part of cache keys); default ``scripted:hpo-fake`` or
            ``scripted:hpo-fake-random``.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        garbage_rate: float = 0.1,
        informed: bool = True,
        spec: str | None = None,
    ) -> None:
        if not 0.0 <= garbage_rate <= 1.0:
            raise ValueError(f"garbage_rate must be in [0, 1], got {garbage_rate!r}")
        self.seed = seed
        self.garbage_rate = garbage_rate
        self.informed = informed
        spec = spec or ("scripted:hpo-fake" if informed else "scripted:hpo-fake-random")
        super().__init__(self._answer, spec=spec, max_concurrency=4)

    def _answer(self, request: Request, index: int) -> str:
        prompt = request.messages[-1].content
        digest = hashlib.sha256(f"{self.seed}|{request.seed}|{index}|{prompt}".encode()).digest()
        rng = random.Random(int.from_bytes(digest[:8], "big"))
        space = read_space(prompt)
        history = [
            (json.loads(m.group(1)), float(m.group(2)))
            for line in prompt.splitlines()
            if (m := _HISTORY.match(line.strip()))
        ]
        if "Predict the score" in prompt:
            return self._predict(prompt, space, history, rng)
        if not space:
            return "I am not sure."
        if "different configurations" in prompt:
            n = int(re.search(r"Suggest (\d+)", prompt).group(1))  # type: ignore[union-attr]  # the prompt template always says it
            return "\n".join(self._mangle(random_config(space, rng), space, rng) for _ in range(n))
        minimize = "Lower scores are better" in prompt
        if history and self.informed and rng.random() < 0.8:
            best = min(history, key=lambda h: h[1] if minimize else -h[1])[0]
            config = _perturb(best, space, rng, scale=0.15)
        else:
            config = random_config(space, rng)
        return self._mangle(config, space, rng)

    def _mangle(self, config: dict[str, Any], space: list[Param], rng: random.Random) -> str:
        if rng.random() >= self.garbage_rate:
            return json.dumps(config)
        kind = rng.randrange(4)
        if kind == 0:
            return "Sure! Here is a configuration that should work well."
        p = space[rng.randrange(len(space))]
        bad = dict(config)
        if kind == 1 and p.kind != "categorical":
            bad[p.name] = p.high * 10 + 1  # out of range: clipped
        elif kind == 1 or p.kind == "categorical":
            bad[p.name] = str(bad[p.name]).upper() + "x" if p.kind == "categorical" else "?"
        else:
            return "Config: " + ", ".join(f"{k} = {v}" for k, v in config.items())
        return json.dumps(bad)

    def _predict(
        self,
        prompt: str,
        space: list[Param],
        history: list[tuple[dict[str, Any], float]],
        rng: random.Random,
    ) -> str:
        query = re.search(r"^(\{.*\}) score:\s*$", prompt, re.MULTILINE)
        if not history or query is None:
            return "unknown"
        point = json.loads(query.group(1))
        nearest = min(history, key=lambda h: _distance(h[0], point, space))
        scores = [h[1] for h in history]
        spread = (max(scores) - min(scores)) or 1.0
        if rng.random() < self.garbage_rate:
            return "It is hard to say."
        if not self.informed:
            return f"{rng.uniform(min(scores), max(scores)):.4g}"
        return f"{nearest[1] + rng.gauss(0.0, 0.1 * spread):.4g}"


def _unit(p: Param, value: Any) -> float:
    if p.kind == "categorical":
        return float(p.choices.index(value)) if value in p.choices else 0.0
    v = float(value)
    if p.log:
        return (math.log(max(v, p.low)) - math.log(p.low)) / (
            (math.log(p.high) - math.log(p.low)) or 1.0
        )
    return (v - p.low) / ((p.high - p.low) or 1.0)


def _distance(a: dict[str, Any], b: dict[str, Any], space: list[Param]) -> float:
    total = 0.0
    for p in space:
        if p.name in a and p.name in b:
            if p.kind == "categorical":
                total += 0.0 if a[p.name] == b[p.name] else 1.0
            else:
                total += (_unit(p, a[p.name]) - _unit(p, b[p.name])) ** 2
    return total


def _perturb(
    config: dict[str, Any], space: list[Param], rng: random.Random, *, scale: float
) -> dict[str, Any]:
    out = {}
    for p in space:
        value = config.get(p.name)
        if p.kind == "categorical":
            out[p.name] = value if rng.random() < 0.8 else rng.choice(p.choices)
            continue
        if value is None:
            value = p.low
        if p.log:
            lo, hi = math.log(p.low), math.log(p.high)
            raw = math.exp(math.log(max(float(value), p.low)) + rng.gauss(0, scale) * (hi - lo))
        else:
            raw = float(value) + rng.gauss(0, scale) * (p.high - p.low)
        fixed = repair_value(p, raw)
        out[p.name] = fixed[0] if fixed else value
    return out
