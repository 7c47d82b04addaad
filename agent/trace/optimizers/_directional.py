"""Directional-feedback optimizer (after Nie et al., "The Importance of Directional Feedback
for LLM-based Optimizers"): tell the model which way each parameter should move, judged from
the scored history, and keep the best-so-far so the accepted value never gets worse."""

from __future__ import annotations

from typing import Any

import prompts
from agent.trace._render import values_text
from agent.trace._values import show
from agent.trace.optimizers._base import Proposal
from agent.trace.optimizers._scored import ScoredOptimizer, plain


class DirectionalOptimizer(ScoredOptimizer):
    """OptoPrime plus synthesized directional feedback and a best-so-far guard.

    Every candidate is re-evaluated; it is accepted only when it scores strictly higher than
    the best value so far, so the parameters always hold the best values seen (see
    ``ScoredOptimizer``).

    Takes ``ScoredOptimizer``'s arguments.

    Example:
        >>> from agent.llm import LLM, ScriptedFakeBackend
        >>> from agent.trace import node
        >>> from agent.trace.optimizers import DirectionalOptimizer
        >>> a = node(0.0, trainable=True, name="a")
        >>> llm = LLM(ScriptedFakeBackend(['{"suggestion": {"a": 2.0}}']))
        >>> opt = DirectionalOptimizer([a], llm=llm, evaluate=lambda: -abs(a.value - 3), n=1)
        >>> opt.step().best_score, a.value
        (-1.0, 2.0)
    """

    def direction(self) -> str:
        """The directional-feedback section for the next prompt."""
        if self.best is None:
            return ""
        ranked = sorted(self.trials, key=lambda t: -t.score)[: self.history_size]
        trials = [
            {"score": plain(t.score), "settings": values_text(t.values, limit=120)} for t in ranked
        ]
        return prompts.render("trace/directional", trials=trials, hints=self._hints())

    def _hints(self) -> list[dict[str, Any]]:
        """Per parameter: the last accepted move (keep going) or the last rejected one."""
        assert self.best is not None
        best = self.best
        before = self.accepted[-2] if len(self.accepted) > 1 else None
        hints: list[dict[str, Any]] = []
        since = self.trials[self._best_index + 1 :]
        for name in self.params:
            # Parameter values are any JSON value; _numeric checks before they are compared.
            now: Any = best.values.get(name)
            if before is not None and before.values.get(name) != now:
                old: Any = before.values.get(name)
                hint = _hint(name, old, now, before.score, best.score, kind="improved")
                if _numeric(old, now):
                    hint["move"] = "increase it further" if now > old else "decrease it further"
                else:
                    hint["move"] = "keep changing it in the same spirit"
                hints.append(hint)
            changed = [t for t in since if t.values.get(name) != now]
            if not changed:
                continue
            last = changed[-1]
            new: Any = last.values.get(name)
            hint = _hint(name, now, new, best.score, last.score, kind="worse")
            if _numeric(now, new):
                way = "decrease" if new > now else "increase"
                hint["move"] = f"try to {way} it from {show(now, limit=40)}, or take a smaller step"
            else:
                hint["kind"] = "other"
            hints.append(hint)
        return hints

    def candidates(self) -> list[Proposal]:
        """Ask with the synthesized direction section in the prompt."""
        return self.propose(direction=self.direction())


def _numeric(*values: Any) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def _hint(
    name: str, old: Any, new: Any, old_score: float, new_score: float, *, kind: str
) -> dict[str, Any]:
    return {
        "name": name,
        "kind": kind,
        "old": show(old, limit=80),
        "new": show(new, limit=80),
        "old_score": plain(old_score),
        "new_score": plain(new_score),
        "move": "",
    }
