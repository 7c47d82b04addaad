"""OptoPrime-style optimizer: show the LLM the traced subgraph and feedback, apply its
suggested values after checking each against its parameter's type."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import prompts
from agent.errors import BudgetExceeded, ConfigError, ParseError
from agent.llm import LLM, Message, extract_json
from agent.trace._backward import FeedbackRecord
from agent.trace._errors import SandboxUnavailableError
from agent.trace._module import Module
from agent.trace._node import Node, use_values
from agent.trace._render import (
    ProblemView,
    ValueView,
    problem_view,
    values_text,
    variable_list,
)
from agent.trace._values import show
from agent.trace.optimizers._base import Proposal, StepReport, TraceOptimizer

Evaluate = Callable[[], float]
_JSON_TYPES = {
    "bool": {"type": "boolean"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "str": {"type": "string"},
    "code": {"type": "string"},
    "dict": {"type": "object"},
    "list": {"type": "array"},
}


class OptoPrime(TraceOptimizer):
    """Updates parameters from the execution trace and feedback left by ``backward``.

    Args:
        parameters: a ``Module``, a ``{name: node}`` mapping, or nodes.
        llm: the proposing model.
        instruction: the task in one or two sentences (a default explains the setting).
        n: candidate updates sampled per step (in one batched request).
        temperature: sampling temperature; 0 for one candidate, 0.7 for several by default.
        max_tokens: longest reply.
        memory: how many past feedback items to show (0: none).
        evaluate: returns the score of the current parameter values (higher is better);
            with ``n > 1`` each candidate is scored under ``use_values`` and the best applied.
            It must not call ``backward``.
        workers: threads for scoring candidates in parallel.
        max_value_chars: longest value shown in the prompt.
        constrained: ask backends that can for decoding constrained to the answer's schema.
        max_reasoning_chars: longest reasoning the constrained schema allows (small models
            otherwise spend their token budget reasoning).
        seed: base seed of the requests.

    Example:
        >>> from agent.llm import LLM, ScriptedFakeBackend
        >>> from agent.trace import backward, graph, node
        >>> a = node(1.0, trainable=True, name="a")
        >>> with graph():
        ...     y = a * 2
        >>> opt = OptoPrime([a], llm=LLM(ScriptedFakeBackend(['{"suggestion": {"a": 5.0}}'])))
        >>> opt.zero_feedback(); _ = backward(y, "y should be 10")
        >>> opt.step().applied, a.value
        ({'a': 5.0}, 5.0)
    """

    def __init__(
        self,
        parameters: Module | Mapping[str, Node] | Iterable[Node],
        *,
        llm: LLM,
        instruction: str | None = None,
        n: int = 1,
        temperature: float | None = None,
        max_tokens: int = 512,
        memory: int = 0,
        evaluate: Evaluate | None = None,
        workers: int = 4,
        max_value_chars: int = 400,
        constrained: bool = True,
        max_reasoning_chars: int = 400,
        seed: int = 0,
    ) -> None:
        super().__init__(parameters, llm=llm)
        if n < 1:
            raise ConfigError(f"n must be at least 1, got {n}")
        if memory < 0:
            raise ConfigError(f"memory must be 0 or more, got {memory}")
        if workers < 1:
            raise ConfigError(f"workers must be at least 1, got {workers}")
        if max_tokens < 16:
            raise ConfigError(f"max_tokens must be at least 16, got {max_tokens}")
        self.instruction = instruction or prompts.render("trace/instruction")
        self.n = n
        self.temperature = (0.0 if n == 1 else 0.7) if temperature is None else temperature
        self.max_tokens = max_tokens
        self.memory_size = memory
        self.memory: deque[dict[str, str]] = deque(maxlen=memory or None)
        self.evaluate = evaluate
        self.workers = workers
        self.max_value_chars = max_value_chars
        self.constrained = constrained
        self.max_reasoning_chars = max_reasoning_chars
        self.seed = seed

    # -- prompt ------------------------------------------------------------------------

    def messages(self, *, direction: str = "") -> list[Message]:
        """The prompt for the current feedback (system and user message)."""
        records = self.feedback_records()
        problems = [
            prompts.render(
                "trace/problem",
                problem=problem_view(record, self.names, max_value_chars=self.max_value_chars),
            )
            for record in records
        ]
        if not problems:
            problems = [prompts.render("trace/problem", problem=self._bare_view())]
        user = prompts.render(
            "trace/optoprime",
            instruction=self.instruction,
            problems=problems,
            memory=list(self.memory) if self.memory_size else [],
            direction=direction,
            names=self._names_in(records),
        )
        return [Message("system", prompts.render("trace/system")), Message("user", user)]

    def _names_in(self, records: list[FeedbackRecord]) -> list[ValueView]:
        listed = variable_list(self.names, records)
        if listed:
            return listed
        return [ValueView(name, p.param_type or "str", "") for name, p in self.params.items()]

    def _bare_view(self) -> ProblemView:
        view = ProblemView(feedback=prompts.render("trace/no_feedback"))
        for name, param in self.params.items():
            shown = problem_value(param, name, self.max_value_chars)
            view.variables.append(shown)
        return view

    def schema(self, records: list[FeedbackRecord] | None = None) -> dict[str, Any]:
        """JSON schema of the answer, used for constrained decoding where supported."""
        listed = self._names_in(self.feedback_records() if records is None else records)
        return suggestion_schema(listed, max_reasoning_chars=self.max_reasoning_chars)

    # -- proposals ---------------------------------------------------------------------

    def propose(self, *, direction: str = "") -> list[Proposal]:
        """Ask the model for ``n`` candidate updates and parse each; never raises on bad text."""
        request = LLM.request(
            self.messages(direction=direction),
            n=self.n,
            temperature=self.temperature,
            max_tokens=self.max_tokens,
            seed=self.seed + len(self.history),
            json_schema=self.schema() if self.constrained else None,
        )
        completions = self.llm.batch([request])[0]
        return [self.parse(c.text) for c in completions]

    def parse(self, text: str) -> Proposal:
        """Parse one reply tolerantly: unknown keys and bad values are dropped with a reason."""
        proposal = Proposal(text=text if isinstance(text, str) else repr(text))
        try:
            data = extract_json(text)
        except (ParseError, RecursionError, ValueError) as exc:
            proposal.error = f"no JSON object in the reply ({exc})"
            return proposal
        if not isinstance(data, dict):
            proposal.error = f"the reply's JSON is a {type(data).__name__}, not an object"
            return proposal
        reasoning = data.get("reasoning")
        proposal.reasoning = reasoning if isinstance(reasoning, str) else ""
        suggestion = data.get("suggestion")
        if suggestion is None and any(key in self.params for key in data):
            suggestion = {k: v for k, v in data.items() if k != "reasoning"}
        if not isinstance(suggestion, dict):
            proposal.error = "the reply has no 'suggestion' object"
            return proposal
        for key, value in suggestion.items():
            name = str(key)
            if name not in self.params:
                proposal.rejected.append((name, "unknown parameter"))
                continue
            try:
                proposal.values[name] = self.validate(name, value)
            except (ValueError, TypeError, RecursionError) as exc:
                proposal.rejected.append((name, str(exc)))
        if not proposal.values and proposal.error is None:
            proposal.error = "no usable value in the suggestion"
        return proposal

    # -- step --------------------------------------------------------------------------

    def score(self, values: Mapping[str, Any]) -> float:
        """The evaluated score with ``values`` in place (only in this thread); -inf on error."""
        if self.evaluate is None:
            raise ConfigError("this optimizer has no evaluate function to score candidates")
        overrides = {self.params[name]: value for name, value in values.items()}
        try:
            with use_values(overrides):
                result = float(self.evaluate())
        except (SandboxUnavailableError, BudgetExceeded):
            raise
        except Exception:  # a candidate that crashes the workflow scores worst
            return -math.inf
        return result if not math.isnan(result) else -math.inf

    def score_all(self, candidates: list[dict[str, Any]]) -> list[float]:
        """Score candidates in parallel threads, each with its own parameter values."""
        if len(candidates) == 1 or self.workers == 1:
            return [self.score(c) for c in candidates]
        with ThreadPoolExecutor(max_workers=min(self.workers, len(candidates))) as pool:
            return list(pool.map(self.score, candidates))

    def step(self) -> StepReport:
        """Propose ``n`` updates from the current feedback and apply the best usable one."""
        report = StepReport(step=len(self.history) + 1)
        self.history.append(report)
        records = self.feedback_records()
        if not records:
            report.note = "no feedback on the parameters; call backward(output, feedback) first"
            return report
        report.proposals = self.propose()
        usable = [i for i, p in enumerate(report.proposals) if p.values]
        report.scores = [None] * len(report.proposals)
        if not usable:
            report.note = "no usable suggestion: " + "; ".join(
                p.error or "empty" for p in report.proposals
            )
            self._remember(records)
            return report
        chosen = usable[0]
        if self.evaluate is not None and len(usable) > 1:
            merged = [self._merged(report.proposals[i].values) for i in usable]
            scores = self.score_all(merged)
            for i, s in zip(usable, scores, strict=True):
                report.scores[i] = s
            chosen = usable[max(range(len(usable)), key=lambda k: scores[k])]
        self._remember(records)
        report.chosen = chosen
        report.applied = dict(report.proposals[chosen].values)
        self.apply(report.applied)
        return report

    def _merged(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return {**self.values(), **values}

    def _remember(self, records: list[FeedbackRecord]) -> None:
        if not self.memory_size:
            return
        shown = values_text(self.values(), limit=self.max_value_chars)
        for record in records:
            self.memory.append({"settings": shown, "feedback": record.feedback})


def problem_value(param: Node, name: str, limit: int) -> ValueView:
    """A parameter as the #Variables section shows it."""
    shown_limit = 4000 if param.param_type == "code" else limit
    return ValueView(
        name, param.param_type or "str", show(param.value, limit=shown_limit), param.description
    )


def suggestion_schema(listed: list[ValueView], *, max_reasoning_chars: int) -> dict[str, Any]:
    """JSON schema of a ``{"reasoning": ..., "suggestion": {name: value}}`` reply."""
    properties = {v.name: _JSON_TYPES.get(v.type, {}) for v in listed}
    return {
        "type": "object",
        "properties": {
            "reasoning": {"type": "string", "maxLength": max_reasoning_chars},
            "suggestion": {
                "type": "object",
                "properties": properties,
                "required": list(properties),
            },
        },
        "required": ["reasoning", "suggestion"],
    }
