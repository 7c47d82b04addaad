"""`optagent chat`: formulate, solve, revise and explain problems in a conversation."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from agent.chat import ChatSession, SessionStore, default_run_dir
from agent.cli._common import (
    MaxCallsOpt,
    MaxCostOpt,
    MaxTimeOpt,
    MaxTokensOpt,
    ModelOpt,
    NoCacheOpt,
    console,
    settings_from_flags,
    user_errors,
)
from agent.errors import ConfigError

PROMPT = "you> "


@user_errors
def chat_command(
    resume: Annotated[
        Path | None, typer.Option("--resume", help="Continue the session in RUN_DIR.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Session run directory (default: runs/chat-TIME)."),
    ] = None,
    script: Annotated[
        Path | None,
        typer.Option("--script", help="Read turns from FILE, one per line, then stop."),
    ] = None,
    max_rounds: Annotated[
        int, typer.Option("--max-rounds", help="Formulation attempts per new problem.")
    ] = 3,
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Solver time limit in seconds.")
    ] = 30.0,
    phrase: Annotated[
        bool | None,
        typer.Option(
            "--phrase/--no-phrase",
            help="Let the model rephrase computed explanations after them (dropped when it "
            "names a number or name they lack). Default: off for local models, on otherwise.",
            show_default=False,
        ),
    ] = None,
    model: ModelOpt = None,
    max_calls: MaxCallsOpt = None,
    max_tokens: MaxTokensOpt = None,
    max_cost: MaxCostOpt = None,
    max_time: MaxTimeOpt = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Chat with the agent: describe a problem, ask what-ifs and why-questions, use /commands.

    Turns are read from the terminal (line editing and history), or line by line from
    --script FILE or a non-terminal stdin (answers go to stdout). The session is written to
    its run directory after every turn; --resume RUN_DIR continues it.
    """
    if resume is not None and out is not None:
        raise ConfigError("give --resume RUN_DIR or --out DIR, not both")
    if script is not None and not script.is_file():
        raise ConfigError(f"script file not found: {script}")
    state = None
    if resume is not None:
        store = SessionStore(resume)
        state = store.load()
    else:
        store = SessionStore(out or default_run_dir())
    settings = settings_from_flags(
        model=model or (state.model if state is not None and state.model else None),
        max_calls=max_calls,
        max_tokens=max_tokens,
        max_cost=max_cost,
        max_time=max_time,
        no_cache=no_cache,
    )
    if state is not None:
        state.model = settings.model
    session = ChatSession(
        store=store,
        settings=settings,
        console=console,
        state=state,
        time_limit=time_limit,
        max_rounds=max_rounds,
        phrase=phrase,
    )
    store.run_dir.mkdir(parents=True, exist_ok=True)
    _banner(session, resumed=state is not None)
    if script is not None:
        with script.open(encoding="utf-8") as lines:
            _run_lines(session, lines)
    elif sys.stdin.isatty() and sys.stdout.isatty():
        _interactive(session)
    else:
        _run_lines(session, sys.stdin)
    store.save(session.state)


def _banner(session: ChatSession, *, resumed: bool) -> None:
    state = session.state
    what = "resumed" if resumed else "new session"
    console.print(
        f"[bold]optagent chat[/] ({what}) model: {escape(state.model)}  "
        f"session: {escape(str(session.store.run_dir))}  /help lists the commands"
    )
    if resumed:
        summary = f"{len(state.turns)} earlier turn(s)"
        if state.formulation is not None:
            summary += f"; formulation {state.formulation.name}"
        if state.solution is not None:
            objective = state.solution.objective
            value = "-" if objective is None else f"{objective:.10g}"
            summary += f"; last solve {state.solution.status.value}, objective {value}"
        console.print(escape(summary))


def _run_lines(session: ChatSession, lines: Iterable[str]) -> None:
    """Non-interactive mode: each non-empty line is a turn, echoed before its answer."""
    for raw in lines:
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        console.print(f"[bold]{PROMPT}[/]{escape(text)}", highlight=False)
        if not session.handle(text):
            return


def _interactive(session: ChatSession) -> None:
    """The terminal loop: prompt_toolkit line editing with history kept in the run directory."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory

    prompt: PromptSession[str] = PromptSession(history=FileHistory(str(session.store.history_path)))
    while True:
        try:
            text = prompt.prompt(f"[{len(session.state.turns) + 1}] {PROMPT}")
        except KeyboardInterrupt:
            continue
        except EOFError:
            session.handle("/quit")
            return
        try:
            if not session.handle(text):
                return
        except KeyboardInterrupt:
            console.print("[yellow]interrupted[/]; the session so far is saved")
