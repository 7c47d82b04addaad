"""``opro()``: OPRO on any user objective in one call."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

from agent.core import Candidate, Direction, JsonlRunStore, Objective, Run, RunResult
from agent.errors import ConfigError
from agent.llm import LLM, Budget, load
from agent.optimizers._opro import OPRO, Exemplars
from agent.optimizers._parse import parse_json_tagged, parse_tagged

DEFAULT_OUTPUT_FORMAT = "Write the new solution between <solution> and </solution>."


def opro(
    objective: Objective,
    *,
    description: str,
    output_format: str = DEFAULT_OUTPUT_FORMAT,
    parse: Literal["text", "json"] | Callable[[str], Candidate] = "text",
    direction: Direction = "maximize",
    model: str | LLM | None = None,
    steps: int = 10,
    candidates_per_step: int = 8,
    top_k: int = 20,
    temperature: float = 1.0,
    max_tokens: int = 256,
    initial: Sequence[Candidate] = (),
    exemplars: Exemplars | None = None,
    score_scale: float = 1.0,
    score_bucket: float | None = None,
    format_candidate: Callable[[Candidate], str] | None = None,
    template: str = "opro/generic",
    concurrency: int = 1,
    target: float | None = None,
    run_dir: str | Path | None = None,
    resume: bool = False,
    budget: Budget | None = None,
    cache: bool | str | None = None,
    seed: int = 0,
    progress: bool = False,
) -> RunResult:
    """Optimize ``objective`` with OPRO.

    Args:
        objective: ``score(candidate) -> float`` or ``-> (float, feedback)``.
        description: what a solution is and what the score means (top of the meta-prompt).
        output_format: how the model must write a solution (end of the meta-prompt); the
            default asks for ``<solution>...</solution>``, which ``parse`` understands.
        parse: ``"text"`` (the tag's text), ``"json"`` (the tag's body as JSON) or a function
            ``reply -> candidate`` raising ``agent.errors.ParseError`` for junk.
        direction: ``"maximize"`` or ``"minimize"``.
        model: a model spec (``local``, ``openai:NAME``...) or a ready ``LLM``.
        steps, candidates_per_step, top_k, temperature, max_tokens: OPRO knobs (paper
            defaults: 8 per step, top 20, temperature 1.0).
        initial: candidates evaluated at step 0.
        exemplars: texts (or a function of the history) shown in the meta-prompt.
        score_scale, score_bucket: how scores are shown (see ``bucket_score``).
        format_candidate: candidate -> text in the meta-prompt (default: the string, or JSON).
        template: the meta-prompt template.
        concurrency: objective evaluations at once.
        target: stop when the best score reaches it.
        run_dir: keep the run in this directory (journal, state, plots, and its own response
            cache ``cache.sqlite`` unless ``cache`` says otherwise); ``None`` keeps it in memory.
        resume: continue the run in ``run_dir``.
        budget: hard limits on calls, tokens, cost, time.
        cache: ``None`` for the run's cache (or the shared one without ``run_dir``), ``False``
            for none, or a path.
        seed: seeds the model requests.
        progress: show live progress on stderr.

    Returns:
        The run's result (status, best trial, every trial, usage).

    Example:
        >>> from agent.llm import LLM, ScriptedFakeBackend
        >>> llm = LLM(ScriptedFakeBackend(["<solution>42</solution>"]))
        >>> result = opro(lambda c: -abs(int(c) - 42), description="Guess my number.",
        ...               model=llm, steps=2, candidates_per_step=2, initial=["7"])
        >>> result.best.candidate
        '42'
    """
    if parse == "text":
        parser: Callable[[str], Candidate] = parse_tagged
    elif parse == "json":
        parser = parse_json_tagged
    elif callable(parse):
        parser = parse
    else:
        raise ConfigError(f"parse must be 'text', 'json' or a function, got {parse!r}")
    if resume and run_dir is None:
        raise ConfigError("resume=True needs run_dir (the directory of the run to continue)")
    llm = _model(model, run_dir, cache, budget)
    extra: dict[str, Any] = {}
    if format_candidate is not None:
        extra["format_candidate"] = format_candidate
    optimizer = OPRO(
        llm,
        parse=parser,
        template=template,
        variables={"description": description, "output_format": output_format},
        top_k=top_k,
        candidates_per_step=candidates_per_step,
        temperature=temperature,
        max_tokens=max_tokens,
        score_scale=score_scale,
        score_bucket=score_bucket,
        exemplars=exemplars,
        initial=initial,
        seed=seed,
        **extra,
    )
    config = {"kind": "opro", "model": llm.spec, "description": description[:2000]}
    if resume:
        assert run_dir is not None
        run = Run.resume(
            run_dir, objective, optimizer, usage=llm.usage, progress=progress, config=config
        )
    else:
        run = Run(
            objective,
            optimizer,
            store=run_dir,
            direction=direction,
            steps=steps,
            concurrency=concurrency,
            target=target,
            usage=llm.usage,
            config=config,
            progress=progress,
        )
    return run.optimize()


def _model(
    model: str | LLM | None,
    run_dir: str | Path | None,
    cache: bool | str | None,
    budget: Budget | None,
) -> LLM:
    if isinstance(model, LLM):
        if budget is not None:
            model.usage.budget = budget
        return model
    if cache is None and run_dir is not None:
        cache = str(JsonlRunStore(run_dir).cache_path)
    return load(model, cache=cache, budget=budget)
