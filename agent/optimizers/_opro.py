"""OPRO ("Large Language Models as Optimizers", Yang et al. 2023).

Each step renders a meta-prompt holding the best past solutions with their (bucketed) scores,
sorted so the best comes last, optionally some exemplars, and asks the model for a new,
better solution; ``candidates_per_step`` samples at temperature 1.0 give the step's proposals.
Replies that do not parse become skipped trials with the parser's reason; duplicates are
dropped by the loop.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jinja2

import prompts
from agent.core import Candidate, History, Proposal
from agent.errors import ParseError, SettingError
from agent.llm import LLM, Message
from agent.optimizers._base import Optimizer

Exemplars = Sequence[str] | Callable[[History], Sequence[str]]


def _default_format(candidate: Candidate) -> str:
    if isinstance(candidate, str):
        return candidate
    return json.dumps(candidate, ensure_ascii=False)


def bucket_score(value: float, *, scale: float = 1.0, bucket: float | None = None) -> str:
    """Format a score for the meta-prompt as the paper does: scaled, then rounded to buckets.

    Args:
        value: the raw score.
        scale: multiply first (100 turns an accuracy in [0, 1] into a percentage).
        bucket: round to a multiple of this (1 for integers, as the paper does for losses,
            tour lengths and accuracies); ``None`` keeps 6 significant digits.

    Example:
        >>> bucket_score(0.7349, scale=100, bucket=1)
        '73'
        >>> bucket_score(1234.6, bucket=10)
        '1230'
    """
    scaled = value * scale
    if bucket is None:
        return f"{scaled:.6g}"
    rounded = round(scaled / bucket) * bucket
    if float(bucket).is_integer():
        return str(int(rounded))
    decimals = max(0, len(f"{bucket:.10f}".rstrip("0").split(".")[1]))
    return f"{rounded:.{decimals}f}"


class OPRO(Optimizer):
    """The OPRO optimizer.

    Args:
        llm: the optimizer model (its usage meter carries the run's budget).
        parse: reply -> candidate; raises ``ParseError`` with a reason for junk.
        template: prompt template name under ``prompts/`` (``opro/linreg``, ``opro/tsp``,
            ``opro/generic`` or your own).
        variables: extra template variables (``points``, ``description``, ``output_format``...).
        format_candidate: candidate -> text shown in the meta-prompt (``solutions[i].text``).
        top_k: past solutions shown (best unique ones), default 20 as in the paper.
        candidates_per_step: samples per step, default 8.
        temperature: sampling temperature, default 1.0.
        max_tokens: longest reply.
        stop: stop strings for the reply.
        score_scale, score_bucket: how scores are shown (see ``bucket_score``).
        exemplars: fixed texts, or a function of the history, rendered in the meta-prompt.
        initial: candidates evaluated at step 0 before the model is asked anything.
        system: optional system message.
        seed: the run seed; the request seed of step ``s`` is derived from it and ``s``.

    Raises:
        ConfigError: a bad option.

    Example:
        >>> from agent.core import Run
        >>> from agent.llm import LLM, ScriptedFakeBackend
        >>> from agent.optimizers import OPRO, parse_tagged
        >>> llm = LLM(ScriptedFakeBackend(["<solution>42</solution>"]))
        >>> opt = OPRO(llm, parse=parse_tagged, candidates_per_step=2, initial=["7"],
        ...            variables={"description": "Guess my number.", "output_format": ""})
        >>> Run(lambda c: -abs(int(c) - 42), opt, steps=2).optimize().best.candidate
        '42'
    """

    name = "opro"

    def __init__(
        self,
        llm: LLM,
        *,
        parse: Callable[[str], Candidate],
        template: str = "opro/generic",
        variables: Mapping[str, Any] | None = None,
        format_candidate: Callable[[Candidate], str] = _default_format,
        top_k: int = 20,
        candidates_per_step: int = 8,
        temperature: float = 1.0,
        max_tokens: int = 256,
        stop: Sequence[str] = (),
        score_scale: float = 1.0,
        score_bucket: float | None = None,
        exemplars: Exemplars | None = None,
        initial: Sequence[Candidate] = (),
        system: str | None = None,
        seed: int = 0,
    ) -> None:
        if top_k < 1:
            raise SettingError(f"opro: top_k must be >= 1, got {top_k}")
        if candidates_per_step < 1:
            raise SettingError(f"opro: candidates_per_step must be >= 1, got {candidates_per_step}")
        if not 0.0 <= temperature <= 2.0:
            raise SettingError(f"opro: temperature must be in [0, 2], got {temperature}")
        if max_tokens < 1:
            raise SettingError(f"opro: max_tokens must be >= 1, got {max_tokens}")
        if score_bucket is not None and score_bucket <= 0:
            raise SettingError(f"opro: score_bucket must be > 0, got {score_bucket}")
        if template not in prompts.available():
            raise SettingError(
                f"opro: no prompt template {template!r}; available: "
                f"{', '.join(t for t in prompts.available() if t.startswith('opro/'))}"
            )
        self.llm = llm
        self.parse = parse
        self.template = template
        self.variables = dict(variables or {})
        self.format_candidate = format_candidate
        self.top_k = top_k
        self.candidates_per_step = candidates_per_step
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.stop = tuple(stop)
        self.score_scale = score_scale
        self.score_bucket = score_bucket
        self.exemplars = exemplars
        self.initial = list(initial)
        self.system = system
        self.seed = seed
        try:
            self.meta_prompt(History())
        except jinja2.UndefinedError as exc:
            raise SettingError(
                f"opro: template {template!r} needs a variable that was not given ({exc}); "
                "pass it in variables={...}"
            ) from None

    # -- the meta-prompt ---------------------------------------------------------------

    def meta_prompt(self, history: History) -> str:
        """Render the meta-prompt for the next step of ``history``."""
        shown = history.sorted_ascending(self.top_k)
        solutions = [
            {
                "candidate": t.candidate,
                "text": self.format_candidate(t.candidate),
                "score": bucket_score(
                    float(t.score or 0.0), scale=self.score_scale, bucket=self.score_bucket
                ),
                "feedback": t.feedback,
            }
            for t in shown
        ]
        if callable(self.exemplars):
            exemplars = list(self.exemplars(history))
        else:
            exemplars = list(self.exemplars or [])
        goal = "higher" if history.direction == "maximize" else "lower"
        return prompts.render(
            self.template,
            **{"goal": goal, **self.variables},
            solutions=solutions,
            exemplars=exemplars,
        )

    def messages(self, history: History) -> list[Message]:
        """The chat messages sent to the model for the next step."""
        out = [Message("system", self.system)] if self.system else []
        out.append(Message("user", self.meta_prompt(history)))
        return out

    def request_seed(self, step: int) -> int:
        """The request seed of a step: reproducible, different per step."""
        return (self.seed * 1_000_003 + step) % (2**31 - 1)

    # -- proposing ---------------------------------------------------------------------

    def propose(self, history: History) -> list[Candidate | Proposal]:
        if history.step == 0 and self.initial and not history.ok():
            return [Proposal(candidate=c, meta={"source": "initial"}) for c in self.initial]
        completions = self.llm.complete(
            self.messages(history),
            n=self.candidates_per_step,
            temperature=self.temperature,
            max_tokens=self.max_tokens,
            stop=self.stop or None,
            seed=self.request_seed(history.step),
        )
        out: list[Candidate | Proposal] = []
        for completion in completions:
            meta = {
                "sample": completion.sample_index,
                "raw": completion.text[:500],
                "cached": completion.cached,
            }
            try:
                candidate = self.parse(completion.text)
            except ParseError as exc:
                out.append(Proposal(skip_reason=f"unparseable reply: {exc}", meta=meta))
                continue
            except Exception as exc:  # a user parser must not crash the run either
                out.append(
                    Proposal(skip_reason=f"parser raised {type(exc).__name__}: {exc}", meta=meta)
                )
                continue
            out.append(Proposal(candidate=candidate, meta=meta))
        return out

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "model": self.llm.spec,
            "template": self.template,
            "top_k": self.top_k,
            "candidates_per_step": self.candidates_per_step,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "stop": list(self.stop),
            "score_scale": self.score_scale,
            "score_bucket": self.score_bucket,
            "initial": len(self.initial),
            "seed": self.seed,
        }
