"""Slash commands: deterministic actions on the session, no model unless the command says so."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.table import Table
from rich.text import Text

from agent.chat._edits import EditError, parse_set, set_table
from agent.chat._render import (
    code_renderables,
    formulation_renderables,
    lines_renderable,
    trace_renderables,
)
from agent.chat._store import write_session
from agent.errors import ConfigError, DataError
from solvers.errors import SolverError
from solvers.formulation import compile_formulation, formulation_from_dict

if TYPE_CHECKING:
    from agent.chat._session import ChatSession


@dataclass(frozen=True)
class Command:
    """One slash command: its usage line, what it does, and its handler."""

    usage: str
    help: str
    run: Callable[[ChatSession, str], None]


def run_command(session: ChatSession, text: str) -> None:
    """Run ``/NAME ARGS``.

    Raises:
        ConfigError: an unknown command or bad arguments (the message gives the usage).
    """
    name, _, arg = text[1:].partition(" ")
    command = COMMANDS.get(name.lower()) or COMMANDS.get(ALIASES.get(name.lower(), ""))
    if command is None:
        raise ConfigError(f"unknown command /{name}; /help lists the commands")
    command.run(session, arg.strip())


def _help(session: ChatSession, arg: str) -> None:
    table = Table(title="commands", show_header=False)
    table.add_column("command", style="bold", no_wrap=True)
    table.add_column("what it does")
    for command in COMMANDS.values():
        table.add_row(escape(command.usage), escape(command.help))
    session.show(table)
    session.note(
        "Anything else is a turn in words: a new problem (formulated and solved), a what-if "
        "(edits a copy of the current model, re-solves it and shows what changed), 'remove "
        "CONSTRAINT', 'add constraint EXPRESSION', a question such as 'why is x zero?', "
        "'solve', 'undo', or 'optimize the prompt \"...\" on FILE'. 'hello' shows examples."
    )


def _model(session: ChatSession, arg: str) -> None:
    if arg:
        session.switch_model(arg)
    session.note(f"model: {session.state.model}")


def _show(session: ChatSession, arg: str) -> None:
    what = arg or "formulation"
    if what == "formulation":
        formulation = session.require_formulation()
        session.show(*formulation_renderables(formulation))
        if session.state.stale:
            session.note("changed since the last solve: /solve to re-solve", style="yellow")
    elif what == "json":
        formulation = session.require_formulation()
        session.show(Text(json.dumps(formulation.model_dump(mode="json"), indent=2)))
    elif what == "code":
        session.show(*code_renderables(session.state.answer))
    elif what == "trace":
        session.show(*trace_renderables(session.state.answer))
        if session.state.edits:
            session.show(lines_renderable("edits since:", [f"  {e}" for e in session.state.edits]))
        routes = [f"  {t.index}: {t.route}: {t.text}" for t in session.state.turns[-10:]]
        if routes:
            session.show(lines_renderable("recent turns and their routes:", routes))
    else:
        raise ConfigError(f"/show takes formulation, json, code or trace; got {what!r}")


def _set(session: ChatSession, arg: str) -> None:
    formulation = session.require_formulation()
    parsed = parse_set(arg)
    if isinstance(parsed, tuple):
        name, index, value = parsed
        if index:
            raise EditError(f"give one number for {name}[{index}], or {name}=[...] for all")
        new, note = set_table(formulation, name, value)
        session.state.formulation = new
        session.state.edits.append(note)
        session.show(lines_renderable("edited (/set, no model):", [f"  {note}"]))
    else:
        session.apply([parsed], source="/set, no model")
    session.note("/solve re-solves and shows what changed", style="dim")


def _solve(session: ChatSession, arg: str) -> None:
    session.action = "solve"
    session.solve()


def _undo(session: ChatSession, arg: str) -> None:
    session.undo()


def _why(session: ChatSession, arg: str) -> None:
    session.explain(arg, use_model=False)


def _edit(session: ChatSession, arg: str) -> None:
    formulation = session.require_formulation()
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        raise ConfigError("set $EDITOR (e.g. export EDITOR=nano) to use /edit")
    with tempfile.TemporaryDirectory(prefix="optagent-edit-") as folder:
        path = Path(folder) / f"{formulation.name}.json"
        path.write_text(json.dumps(formulation.model_dump(mode="json"), indent=2), "utf-8")
        result = subprocess.run([*shlex.split(editor), str(path)], check=False)
        if result.returncode != 0:
            session.note(
                f"the editor exited with status {result.returncode}; the formulation is unchanged",
                style="yellow",
            )
            return
        text = path.read_text(encoding="utf-8")
    try:
        new = formulation_from_dict(json.loads(text))
        compile_formulation(new)
    except json.JSONDecodeError as exc:
        raise DataError(
            f"the edited file is not JSON (line {exc.lineno}: {exc.msg}); the old formulation "
            "is kept"
        ) from None
    except SolverError as exc:
        raise DataError(
            f"the edited formulation is not valid: {exc}; the old one is kept"
        ) from None
    if new == formulation:
        session.note("no change")
        return
    session.state.formulation = new
    session.state.edits.append("edited by hand (/edit)")
    session.show(*formulation_renderables(new))
    session.note("/solve re-solves and shows what changed", style="dim")


def _save(session: ChatSession, arg: str) -> None:
    path = session.store.save(session.state)
    if arg:
        path = write_session(session.state, Path(arg).expanduser())
    session.note(
        f"saved {path} (reload with /load {path}, or optagent chat --resume "
        f"{session.store.run_dir})"
    )


def _load(session: ChatSession, arg: str) -> None:
    if not arg:
        raise ConfigError("/load needs a path: /load FILE.json (a formulation or a session)")
    session.load(Path(arg).expanduser())


def _budget(session: ChatSession, arg: str) -> None:
    snap = session.usage.snapshot()
    budget = session.usage.budget
    table = Table(title="budget")
    for column in ("limit", "used", "maximum"):
        table.add_column(column, justify="left" if column == "limit" else "right")
    rows = (
        ("calls", snap.calls, budget.max_calls),
        ("tokens", snap.total_tokens, budget.max_tokens),
        ("cost (USD)", round(snap.cost_usd, 6), budget.max_cost),
        ("time (s)", round(snap.elapsed_s, 1), budget.max_time),
    )
    for name, used, limit in rows:
        table.add_row(name, str(used), "unlimited" if limit is None else str(limit))
    session.show(table)


def _usage(session: ChatSession, arg: str) -> None:
    snap = session.usage.snapshot()
    table = Table(title=f"model usage ({session.state.model})", show_header=False)
    table.add_column("counter", style="bold")
    table.add_column("value", justify="right")
    table.add_row("calls", str(snap.calls))
    table.add_row("cache hits", str(snap.cache_hits))
    table.add_row("prompt tokens", str(snap.prompt_tokens))
    table.add_row("completion tokens", str(snap.completion_tokens))
    table.add_row("repairs", str(snap.repairs))
    table.add_row("errors", str(snap.errors))
    table.add_row("cost (USD)", f"{snap.cost_usd:.6f}")
    table.add_row("backend seconds", f"{snap.backend_seconds:.2f}")
    session.show(table)


def _reset(session: ChatSession, arg: str) -> None:
    session.reset()
    session.note("reset: no formulation, no solution (the transcript keeps the turns)")


def _quit(session: ChatSession, arg: str) -> None:
    session.running = False
    session.note(f"session saved in {session.store.run_dir}")


COMMANDS: dict[str, Command] = {
    "help": Command("/help", "this list", _help),
    "model": Command("/model [SPEC]", "show the model, or switch to SPEC", _model),
    "show": Command(
        "/show formulation|json|code|trace",
        "the formulation as tables or JSON, the agent's code, or the trace of attempts and edits",
        _show,
    ),
    "edit": Command(
        "/edit", "open $EDITOR on the formulation JSON; a bad edit keeps the old one", _edit
    ),
    "set": Command(
        "/set NAME=VALUE",
        "change a parameter (NAME[i]=V for one entry, NAME=[...] for a table, VAR.upper=V for "
        "a bound); no model",
        _set,
    ),
    "solve": Command("/solve", "solve the current formulation and show what changed", _solve),
    "undo": Command(
        "/undo", "take back the last what-if (formulation and solutions, as before it)", _undo
    ),
    "why": Command(
        "/why [NAME]",
        "explain the optimum (or the infeasibility) from binding constraints, duals, slacks, "
        "reduced costs and allowable ranges",
        _why,
    ),
    "save": Command("/save [PATH]", "write the session (also to PATH)", _save),
    "load": Command("/load PATH", "load a formulation JSON or a saved session", _load),
    "budget": Command("/budget", "model budget: limits and use", _budget),
    "usage": Command("/usage", "model calls, tokens and cost so far", _usage),
    "reset": Command("/reset", "forget the formulation and solution", _reset),
    "quit": Command("/quit", "save and leave (also /exit, Ctrl-D)", _quit),
}
ALIASES = {"exit": "quit", "q": "quit", "h": "help", "?": "help"}
