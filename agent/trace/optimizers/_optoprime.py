"""OptoPrime-style optimizer: show the LLM the traced subgraph and feedback, apply its
suggested values after checking each against its parameter's type."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any

import prompts
from agent.core import History
from agent.errors import ParseError, SettingError
from agent.llm import LLM, Message, extract_json
from agent.trace._module import Module
from agent.trace._node import Node
from agent.trace._render import ValueView, values_text
from agent.trace._values import show, type_name
from agent.trace.optimizers._base import Context, Evaluate, Suggestion, TraceOptimizer

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
        super().__init__(parameters, llm=llm, evaluate=evaluate, workers=workers)
        if n < 1:
            raise SettingError(f"n must be at least 1, got {n}")
        if memory < 0:
            raise SettingError(f"memory must be 0 or more, got {memory}")
        if max_tokens < 16:
            raise SettingError(f"max_tokens must be at least 16, got {max_tokens}")
        if max_value_chars < 1 or max_reasoning_chars < 1:
            raise SettingError(
                "max_value_chars and max_reasoning_chars must be at least 1, got "
                f"{max_value_chars} and {max_reasoning_chars}"
            )
        if temperature is not None and not 0.0 <= temperature <= 2.0:
            raise SettingError(f"temperature must be in [0, 2], got {temperature}")
        self.instruction = instruction or prompts.render("trace/instruction")
        self.n = n
        self.temperature = (0.0 if n == 1 else 0.7) if temperature is None else temperature
        self.max_tokens = max_tokens
        self.memory_size = memory
        self.memory: deque[dict[str, str]] = deque(maxlen=memory or None)
        self.max_value_chars = max_value_chars
        self.constrained = constrained
        self.max_reasoning_chars = max_reasoning_chars
        self.seed = seed

    name = "optoprime"

    # -- prompt ------------------------------------------------------------------------

    def messages(
        self, context: Context | None = None, history: History | None = None, *, direction: str = ""
    ) -> list[Message]:
        """The prompt for ``context`` (default: the feedback on the parameters now)."""
        context = self.node_context() if context is None else context
        problems = context.problems or [
            prompts.render("trace/problem", problem=self.bare_view(context))
        ]
        user = prompts.render(
            "trace/optoprime",
            instruction=self.instruction,
            problems=problems,
            memory=list(self.memory) if self.memory_size else [],
            direction=direction,
            names=self.answer_names(context),
        )
        return [Message("system", prompts.render("trace/system")), Message("user", user)]

    def answer_names(self, context: Context) -> list[ValueView]:
        """The parameters the answer form lists: those the feedback reached, else all."""
        if context.variables:
            return [
                ValueView(n, self.params[n].param_type or type_name(context.values.get(n)), "")
                for n in context.variables
            ]
        return [ValueView(n, p.param_type or "str", "") for n, p in self.params.items()]

    def schema(self, context: Context | None = None) -> dict[str, Any]:
        """JSON schema of the answer, used for constrained decoding where supported."""
        context = self.node_context() if context is None else context
        listed = self.answer_names(context)
        return suggestion_schema(listed, max_reasoning_chars=self.max_reasoning_chars)

    # -- proposals ---------------------------------------------------------------------

    def direction_text(self, history: History) -> str:
        """An extra prompt section (directional feedback); none here."""
        return ""

    def suggestions(self, context: Context, history: History) -> list[Suggestion]:
        """Ask the model for ``n`` candidate updates and parse each; never raises on bad text."""
        request = LLM.request(
            self.messages(context, history, direction=self.direction_text(history)),
            n=self.n,
            temperature=self.temperature,
            max_tokens=self.max_tokens,
            seed=self.seed + history.step,
            json_schema=self.schema(context) if self.constrained else None,
        )
        completions = self.llm.batch([request])[0]
        return [self.parse(c.text) for c in completions]

    def parse(self, text: str) -> Suggestion:
        """Parse one reply tolerantly: unknown keys and bad values are dropped with a reason."""
        proposal = Suggestion(text=text if isinstance(text, str) else repr(text))
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

    # -- memory (the optimizer's state) -----------------------------------------------

    def remember(self, context: Context) -> None:
        if not self.memory_size:
            return
        shown = values_text(context.values, limit=self.max_value_chars)
        for feedback in context.feedback:
            self.memory.append({"settings": shown, "feedback": feedback})

    def state_dict(self) -> dict[str, Any]:
        """The remembered feedback (JSON-safe); the scored history is the run's journal."""
        return {"memory": [dict(item) for item in self.memory]}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore ``state_dict`` output, validated before anything changes.

        Raises:
            SettingError: ``memory`` is not a list of ``{"settings", "feedback"}`` strings.
        """
        super().load_state_dict(state)
        raw = state.get("memory", [])
        if not isinstance(raw, list) or not all(
            isinstance(item, Mapping)
            and isinstance(item.get("settings"), str)
            and isinstance(item.get("feedback"), str)
            for item in raw
        ):
            raise SettingError(
                f"{self.name}: optimizer state 'memory' must be a list of "
                f'{{"settings": str, "feedback": str}} objects, got {raw!r:.200}'
            )
        self.memory = deque(
            ({"settings": i["settings"], "feedback": i["feedback"]} for i in raw),
            maxlen=self.memory_size or None,
        )

    def describe(self) -> dict[str, Any]:
        return {
            **super().describe(),
            "instruction": self.instruction[:500],
            "n": self.n,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "memory": self.memory_size,
            "max_value_chars": self.max_value_chars,
            "constrained": self.constrained,
            "max_reasoning_chars": self.max_reasoning_chars,
            "seed": self.seed,
        }


def problem_value(param: Node, name: str, limit: int, value: Any = None) -> ValueView:
    """A parameter as the #Variables section shows it (``value``: instead of its own)."""
    shown_limit = 4000 if param.param_type == "code" else limit
    shown = param.value if value is None else value
    return ValueView(
        name, param.param_type or "str", show(shown, limit=shown_limit), param.description
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
