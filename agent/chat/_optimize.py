"""The "optimize the prompt ... on FILE" turn: prompt optimization from the chat."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from agent.errors import ConfigError, DataError
from agent.tasks.prompt import (
    METHODS,
    PromptTask,
    load_examples,
    optimize_prompt,
    report_table,
    split_examples,
    write_report,
)

if TYPE_CHECKING:
    from agent.chat._router import Route
    from agent.chat._session import ChatSession

DEFAULT_METHOD = "exemplars"
CHAT_STEPS = 2


def optimize_turn(session: ChatSession, decided: Route) -> None:
    """Optimize a prompt on a data file (JSONL, JSON, CSV, GSM8K, BBH) with the session's model
    and budget; the run goes into the session's run directory.

    Raises:
        DataError: the file is missing or unreadable.
        ConfigError: an unknown method.
    """
    path = Path(decided.file).expanduser()
    if not path.is_file():
        raise DataError(f"data file not found: {path}; give a JSONL/JSON/CSV file of examples")
    method = decided.method or DEFAULT_METHOD
    if method not in METHODS:
        raise ConfigError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    examples = load_examples(path)
    fields = tuple(examples[0].inputs)
    task = PromptTask(
        name=path.stem,
        input_fields=fields,
        instruction=decided.instruction,
        max_tokens=48,
        description=f"answer the {', '.join(fields)} from {path.name}",
    )
    splits = split_examples(examples, seed=0)
    run_dir = session.store.run_dir / f"prompt-{len(session.state.turns) + 1}"
    session.note(
        f"optimizing the prompt for {path.name} ({method}, {CHAT_STEPS} steps, splits "
        f"{splits.sizes()}) with {session.state.model}; run directory {run_dir}"
    )
    started = time.perf_counter()
    with session.spinner("optimizing the prompt"):
        result = optimize_prompt(
            task,
            splits.train,
            splits.val,
            model=session.llm,
            method=method,  # type: ignore[arg-type]  # a str checked against METHODS above; mypy cannot narrow it to the Literal
            steps=CHAT_STEPS,
            testset=splits.test,
            run_dir=run_dir,
        )
    wall = time.perf_counter() - started
    session.show(report_table(result, wall_s=wall))
    report = write_report(result, run_dir, wall_s=wall)
    session.note(f"report: {report}")
    if result.status != "finished":
        session.note(f"search {result.status}: {result.reason}; the best prompt so far is kept")
