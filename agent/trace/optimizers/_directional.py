"""Directional-feedback optimizer (after Nie et al., "The Importance of Directional Feedback
for LLM-based Optimizers"): tell the model which way each parameter should move, judged from
the scored history, and keep the best-so-far so the accepted value never gets worse."""

from __future__ import annotations

from typing import Any

import prompts
from agent.core import History, Trial
from agent.trace._render import values_text
from agent.trace._values import show
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

    name = "directional"

    def direction(self, history: History | None = None) -> str:
        """The directional-feedback section for the next prompt (default: ``step()``'s run)."""
        history = self.run_history() if history is None else history
        best = history.best
        if best is None:
            return ""
        trials = [
            {"score": plain(t.score), "settings": values_text(t.candidate, limit=120)}
            for t in history.ranked()[: self.history_size]
        ]
        return prompts.render("trace/directional", trials=trials, hints=self._hints(history))

    def direction_text(self, history: History) -> str:
        return self.direction(history)

    def _hints(self, history: History) -> list[dict[str, Any]]:
        """Per parameter: the last accepted move (keep going) or the last rejected one."""
        scored = [t for t in history.ok() if t.score is not None]
        accepted: list[Trial] = []
        best_index = 0
        for index, trial in enumerate(scored):
            if not accepted or history.is_better(
                float(trial.score or 0.0), accepted[-1].score or 0.0
            ):
                accepted.append(trial)
                best_index = index
        best = accepted[-1]
        before = accepted[-2] if len(accepted) > 1 else None
        hints: list[dict[str, Any]] = []
        since = scored[best_index + 1 :]
        for name in self.params:
            # Parameter values are any JSON value; _numeric checks before they are compared.
            now: Any = best.candidate.get(name)
            if before is not None and before.candidate.get(name) != now:
                old: Any = before.candidate.get(name)
                hint = _hint(name, old, now, before.score, best.score, kind="improved")
                if _numeric(old, now):
                    hint["move"] = "increase it further" if now > old else "decrease it further"
                else:
                    hint["move"] = "keep changing it in the same spirit"
                hints.append(hint)
            changed = [t for t in since if t.candidate.get(name) != now]
            if not changed:
                continue
            last = changed[-1]
            new: Any = last.candidate.get(name)
            hint = _hint(name, now, new, best.score, last.score, kind="worse")
            if _numeric(now, new):
                way = "decrease" if new > now else "increase"
                hint["move"] = f"try to {way} it from {show(now, limit=40)}, or take a smaller step"
            else:
                hint["kind"] = "other"
            hints.append(hint)
        return hints


def _numeric(*values: Any) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def _hint(
    name: str, old: Any, new: Any, old_score: float | None, new_score: float | None, *, kind: str
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
