"""The `optagent` command: one Typer app; each concept registers its own commands."""

from __future__ import annotations

import typer

from agent.cli import (
    _chat,
    _eval,
    _evolve,
    _hpo,
    _llm_commands,
    _opro,
    _prompt,
    _runs,
    _solve,
    _trace,
    _tune,
)
from agent.cli._sandbox import sandbox_app

app = typer.Typer(
    name="optagent",
    help="An LLM-driven optimization agent. Runs offline on the embedded model by default "
    "(--model local); point --model at openai:NAME or openai:NAME@URL for a real endpoint.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

app.command("models")(_llm_commands.models)
app.command("ask")(_llm_commands.ask)
app.command("solve")(_solve.solve_command)
app.command("chat")(_chat.chat_command)
app.command("hpo")(_hpo.hpo_command)
app.command("evolve", help=_evolve.app_help)(_evolve.evolve_command)
app.add_typer(sandbox_app, name="sandbox")
app.add_typer(_trace.app, name="trace")
app.add_typer(_opro.app, name="opro")
app.add_typer(_runs.app, name="runs")
app.add_typer(_prompt.app, name="prompt")
app.add_typer(_eval.app, name="eval")
app.add_typer(_tune.app, name="tune")
