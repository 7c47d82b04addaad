"""OPRO over traced parameters ("Large Language Models as Optimizers", Yang et al. 2023).

The prompt shows the best ``top_k`` distinct past value sets with their re-evaluated scores,
worst first so the best comes last, plus the latest feedback text on the current values, and
asks for new values in OptoPrime's JSON shape. Replies are parsed and type-checked by the
shared ``TraceOptimizer.parse`` path; every candidate is scored and enters the history, and
only a strict improvement is applied (``ScoredOptimizer``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import prompts
from agent.core import History, Trial
from agent.errors import SettingError
from agent.llm import LLM, Message
from agent.trace._module import Module
from agent.trace._node import Node
from agent.trace._render import ValueView, values_text
from agent.trace.optimizers._base import Context, Evaluate
from agent.trace.optimizers._optoprime import problem_value, suggestion_schema
from agent.trace.optimizers._scored import ScoredOptimizer, plain


class TraceOPRO(ScoredOptimizer):
    """Optimizes traced parameters from a scored history of their values (OPRO meta-prompt).

    Args:
        parameters: a ``Module``, a ``{name: node}`` mapping, or nodes.
        llm: the proposing model.
        evaluate: the score of the current parameter values (higher is better), which
            ``step()`` needs: every candidate is re-evaluated under ``use_values`` and must not
            call ``backward`` (runs on ``agent.core.Run`` score with a ``TraceObjective``).
        n: candidates per step (sampled in one request, scored in parallel).
        top_k: past value sets shown (the best distinct ones).
        **options: the other ``OptoPrime`` options (``instruction``, ``temperature``,
            ``max_tokens``, ``workers``, ``max_value_chars``, ``constrained``, ``seed``...).

    Raises:
        SettingError: a bad option (a ``ValueError``).

    Example:
        >>> from agent.llm import LLM, ScriptedFakeBackend
        >>> from agent.trace import node
        >>> a = node(0.0, trainable=True, name="a")
        >>> llm = LLM(ScriptedFakeBackend(['{"suggestion": {"a": 2.0}}']))
        >>> opt = TraceOPRO([a], llm=llm, evaluate=lambda: -abs(a.value - 3), n=1)
        >>> opt.step().best_score, a.value
        (-1.0, 2.0)
    """

    def __init__(
        self,
        parameters: Module | Mapping[str, Node] | Iterable[Node],
        *,
        llm: LLM,
        evaluate: Evaluate | None = None,
        n: int = 2,
        top_k: int = 10,
        **options: Any,
    ) -> None:
        if top_k < 1:
            raise SettingError(f"top_k must be at least 1, got {top_k}")
        if "history" in options:
            raise SettingError("TraceOPRO takes top_k=, not history=")
        super().__init__(parameters, llm=llm, evaluate=evaluate, n=n, history=top_k, **options)
        self.top_k = top_k

    name = "trace-opro"

    def shown_trials(self, history: History | None = None) -> list[Trial]:
        """The best ``top_k`` distinct value sets, worst first so the best comes last."""
        history = self.run_history() if history is None else history
        return history.sorted_ascending(self.top_k)

    def messages(
        self, context: Context | None = None, history: History | None = None, *, direction: str = ""
    ) -> list[Message]:
        """The meta-prompt (one user message); ``direction`` is unused: the history replaces it."""
        context = self.node_context() if context is None else context
        variables = [
            problem_value(param, name, self.max_value_chars, context.values.get(name, param.value))
            for name, param in self.params.items()
        ]
        trials = [
            {
                "score": plain(t.score),
                "settings": values_text(t.candidate, limit=self.max_value_chars),
            }
            for t in self.shown_trials(history)
        ]
        user = prompts.render(
            "trace/opro",
            instruction=self.instruction,
            variables=variables,
            trials=trials,
            current=values_text(context.values, limit=self.max_value_chars),
            feedback=list(context.feedback),
            names=self._all_names(),
        )
        return [Message("user", user)]

    def schema(self, context: Context | None = None) -> dict[str, Any]:
        """JSON schema of the answer: a suggestion for every parameter."""
        return suggestion_schema(self._all_names(), max_reasoning_chars=self.max_reasoning_chars)

    def _all_names(self) -> list[ValueView]:
        return [ValueView(name, p.param_type or "str", "") for name, p in self.params.items()]

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "top_k": self.top_k}
