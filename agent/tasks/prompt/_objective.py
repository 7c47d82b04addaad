"""The loop objectives for prompt candidates: validation accuracy, failures as feedback.

``PromptObjective`` scores each candidate on the whole validation split. ``RacingObjective``
adds the loop's step hook: a step's candidates race on growing minibatches of the validation
split (successive halving), weak ones stop early as ``pruned`` trials with their minibatch
mean, and only the finalists are scored on the whole split.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from agent.core import Candidate, Evaluation, PartialEvaluation
from agent.optimizers import RaceVerdict, race
from agent.tasks.prompt._candidate import PromptCandidate, render_question
from agent.tasks.prompt._scorer import EvalResult, ExampleResult, PromptScorer
from agent.tasks.prompt._task import Example


class PromptObjective:
    """Scores a prompt candidate dict on a fixed example list (the validation split).

    The evaluation carries ``artifacts``: ``n`` and ``calls`` (scorer calls spent), ``stderr``,
    ``scores`` (per example, in order: the Pareto frontier of ``gepa`` reads them) and up to
    ``keep_failures`` failed examples (``question``, ``target``, ``output``) that
    reflective rewriting reads.

    Args:
        scorer: the scorer (model + task).
        examples: the examples every candidate is scored on.
        keep_failures: failed examples kept per trial.
    """

    def __init__(
        self, scorer: PromptScorer, examples: Sequence[Example], *, keep_failures: int = 4
    ) -> None:
        if not examples:
            raise ValueError("the objective needs at least one validation example")
        self.scorer = scorer
        self.examples = list(examples)
        self.keep_failures = keep_failures

    def evaluate(self, candidate: Mapping[str, Any]) -> EvalResult:
        """The full per-example result of a candidate dict."""
        return self.scorer.evaluate(PromptCandidate.from_dict(candidate), self.examples)

    def evaluation(self, prompt: PromptCandidate, result: EvalResult) -> Evaluation:
        """The loop's record of a full-split result: score, feedback, artifacts."""
        failures = [
            {
                "question": render_question(self.scorer.task, r.inputs),
                "target": r.target,
                "output": r.output.strip()[:300],
            }
            for r in result.failures()[: self.keep_failures]
        ]
        feedback = (
            f"accuracy {result.score:.3f} on {result.n} examples "
            f"({len(prompt.demos)} demos, {len(result.failures())} wrong)"
        )
        return Evaluation(
            score=result.score,
            feedback=feedback,
            artifacts={
                "n": result.n,
                "calls": result.n,
                "stderr": result.stderr,
                "scores": [r.score for r in result.results],
                "failures": failures,
            },
        )

    def __call__(self, candidate: Any, /) -> Evaluation:
        return self.evaluation(PromptCandidate.from_dict(candidate), self.evaluate(candidate))


class RacingObjective(PromptObjective):
    """A ``PromptObjective`` whose steps race (see ``agent.optimizers.race``).

    The first rung scores every candidate on the first ``min_batch`` validation examples; the
    better ``1/eta`` go on to a batch ``eta`` times larger, until ``finalists`` remain, who get
    the whole split and a full score. Raced-out candidates become ``pruned`` trials whose
    ``artifacts`` hold ``partial_score`` (their minibatch mean), ``n``, ``calls``, ``scores``
    and ``race`` (rung, split size). Every rung goes to the model as one batch. A single
    candidate called directly (``objective(candidate)``) is scored on the whole split.

    Args:
        scorer: the scorer (model + task).
        examples: the validation examples, in a fixed order (minibatches are prefixes).
        min_batch: the first rung's size.
        eta: the halving factor.
        finalists: candidates per step that get the whole split.
        keep_failures: failed examples kept per full trial.
    """

    def __init__(
        self,
        scorer: PromptScorer,
        examples: Sequence[Example],
        *,
        min_batch: int = 8,
        eta: float = 2.0,
        finalists: int = 2,
        keep_failures: int = 4,
    ) -> None:
        super().__init__(scorer, examples, keep_failures=keep_failures)
        if min_batch < 1 or eta <= 1 or finalists < 1:
            raise ValueError(
                f"racing needs min_batch >= 1, eta > 1, finalists >= 1; "
                f"got {min_batch}, {eta}, {finalists}"
            )
        self.min_batch = min_batch
        self.eta = eta
        self.finalists = finalists

    def evaluate_step(self, candidates: Sequence[Candidate]) -> Iterator[tuple[int, Any]]:
        """The loop's step hook: race ``candidates``; yield ``(position, result)`` per fate."""
        prompts: dict[int, PromptCandidate] = {}
        for position, candidate in enumerate(candidates):
            try:
                prompts[position] = PromptCandidate.from_dict(candidate)
            except Exception as exc:  # a malformed candidate fails alone, like in __call__
                yield position, exc
        if not prompts:
            return
        order = sorted(prompts)
        rows: dict[int, list[ExampleResult]] = {position: [] for position in order}

        def score_rung(jobs: Sequence[tuple[int, int, int]]) -> list[list[float]]:
            pairs = [
                (prompts[order[i]], ex)
                for i, start, stop in jobs
                for ex in self.examples[start:stop]
            ]
            texts = iter(self.scorer.outputs_many(pairs))
            out: list[list[float]] = []
            for i, start, stop in jobs:
                part = self.examples[start:stop]
                graded = self.scorer.grade(part, [next(texts) for _ in part])
                rows[order[i]].extend(graded.results)
                out.append([r.score for r in graded.results])
            return out

        for verdict in race(
            len(order),
            len(self.examples),
            score_rung,
            min_batch=self.min_batch,
            eta=self.eta,
            finalists=self.finalists,
        ):
            position = order[verdict.index]
            yield position, self._verdict(prompts[position], rows[position], verdict)

    def _verdict(
        self, prompt: PromptCandidate, results: list[ExampleResult], verdict: RaceVerdict
    ) -> Evaluation | PartialEvaluation:
        total = len(self.examples)
        race_info = {"rung": verdict.rung, "finalist": verdict.finalist, "of": total}
        if verdict.finalist:
            full = EvalResult(score=verdict.mean, results=tuple(results))
            evaluation = self.evaluation(prompt, full)
            return Evaluation(
                score=evaluation.score,
                feedback=evaluation.feedback,
                artifacts={**evaluation.artifacts, "race": race_info},
            )
        n = len(verdict.scores)
        return PartialEvaluation(
            score=verdict.mean,
            reason=(
                f"raced out at rung {verdict.rung}: mean {verdict.mean:.3f} on the first {n} "
                f"of {total} validation examples"
            ),
            feedback=f"minibatch accuracy {verdict.mean:.3f} on {n} of {total} examples",
            artifacts={"n": n, "calls": n, "scores": list(verdict.scores), "race": race_info},
        )
