"""`optagent models` and `optagent ask`: the smallest useful model commands."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from agent.cli._common import (
    MaxCallsOpt,
    MaxCostOpt,
    MaxTimeOpt,
    MaxTokensOpt,
    ModelOpt,
    NoCacheOpt,
    console,
    err_console,
    llm_from_flags,
    settings_from_flags,
    user_errors,
)
from agent.errors import ConfigError
from agent.llm._probe import probe_models


@user_errors
def models(
    model: ModelOpt = None,
    check: Annotated[
        bool,
        typer.Option("--check/--no-check", help="Load each model and send a one-token request."),
    ] = False,
) -> None:
    """Show the configured models and whether each is reachable."""
    settings = settings_from_flags(model=model)
    table = Table(title="models")
    for column in ("spec", "backend", "status", "detail"):
        table.add_column(column)
    for row in probe_models(settings, check=check):
        table.add_row(row.spec, row.backend, row.status, row.detail)
    console.print(table)
    if "OPENAI_API_KEY" not in os.environ:
        console.print("[dim]OPENAI_API_KEY is not set: hosted OpenAI models are unavailable.[/]")


@user_errors
def ask(
    prompt: Annotated[str, typer.Argument(help="The question or instruction.")],
    model: ModelOpt = None,
    system: Annotated[str | None, typer.Option(help="A system message.")] = None,
    temperature: Annotated[float, typer.Option(help="Sampling temperature.")] = 0.0,
    max_new_tokens: Annotated[
        int, typer.Option("--max-new-tokens", help="Longest answer in tokens.")
    ] = 256,
    schema: Annotated[
        str | None,
        typer.Option(
            "--schema",
            help="A JSON schema (inline JSON or a .json file): the answer is one JSON value "
            "matching it, constrained where the backend can (local models), validated always.",
        ),
    ] = None,
    max_calls: MaxCallsOpt = None,
    max_tokens: MaxTokensOpt = None,
    max_cost: MaxCostOpt = None,
    max_time: MaxTimeOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Send one prompt and stream the answer (with --schema: print one validated JSON value)."""
    target = _load_schema(schema) if schema is not None else None
    llm = llm_from_flags(
        model=model,
        max_calls=max_calls,
        max_tokens=max_tokens,
        max_cost=max_cost,
        max_time=max_time,
        no_cache=no_cache,
    )
    messages = [{"role": "system", "content": system}] if system else []
    messages.append({"role": "user", "content": prompt})
    if target is not None:
        reply = llm.complete(
            messages, temperature=temperature, max_tokens=max_new_tokens, schema=target
        )[0]
        print(json.dumps(reply.parsed))  # plain print: machine-readable, no rich wrapping
    else:
        for piece in llm.stream(messages, temperature=temperature, max_tokens=max_new_tokens):
            console.print(piece, end="", highlight=False, markup=False, soft_wrap=True)
        console.print()
    usage = llm.usage.snapshot()
    err_console.print(
        f"[dim]{llm.spec}: {usage.calls} call(s), {usage.cache_hits} cache hit(s), "
        f"{usage.elapsed_s:.1f}s[/]"
    )


def _load_schema(value: str) -> dict[str, Any]:
    """A JSON schema from inline JSON or a file path.

    Raises:
        ConfigError: the file is missing or the text is not a JSON object.
    """
    text = value
    if not value.lstrip().startswith("{"):
        path = Path(value).expanduser()
        if not path.is_file():
            raise ConfigError(f"--schema: {value!r} is neither inline JSON nor a file")
        text = path.read_text(encoding="utf-8")
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"--schema: not valid JSON ({exc})") from None
    if not isinstance(loaded, dict):
        raise ConfigError('--schema: a JSON schema is a JSON object, e.g. {"type": "object"}')
    return loaded
