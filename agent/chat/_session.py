"""``ChatSession``: one conversation about one model, turn by turn.

Each turn is routed (``_router``), run, shown on the console and recorded: the state goes to
``session.json`` and the shown text to ``transcript.md`` after every turn (``_store``).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError
from rich.console import Console, RenderableType
from rich.markup import escape

import prompts
from agent.chat._diff import compare_solutions
from agent.chat._edits import Edit, EditError, EditPlan, apply_edits
from agent.chat._explain import explain_solution, subject_labels
from agent.chat._render import (
    answer_renderables,
    change_renderables,
    formulation_renderables,
    lines_renderable,
    solution_renderables,
)
from agent.chat._router import Route, route
from agent.chat._state import ChatState, Turn
from agent.chat._store import SessionStore, read_session
from agent.config import Settings
from agent.errors import ConfigError, DataError, LLMError, OptagentError
from agent.llm import LLM, Message, UsageMeter
from solvers import Solution, solve_and_check
from solvers.errors import SolverError
from solvers.formulation import (
    Formulation,
    compile_formulation,
    formulation_from_dict,
    load_formulation,
)

TRANSCRIPT_WIDTH = 100
# Fewer words than this cannot state a problem with its data, whatever a model classifies.
SHORTEST_PROBLEM = 12
LLMFactory = Callable[[str, UsageMeter], LLM]


class _Intent(BaseModel):
    """What the model reads an unclear turn as (the schema of ``prompts/chat/route``)."""

    model_config = ConfigDict(extra="forbid")
    intent: Literal["new_problem", "edit", "explain"]


class ChatSession:
    """A chat about optimization models; ``handle(text)`` runs one turn.

    Args:
        store: the run directory the session is written to.
        settings: resolved settings (model spec, budget, cache).
        console: where turns are shown.
        state: a restored state (``--resume``); a fresh one otherwise.
        llm_factory: builds an ``LLM`` for a spec and the session's usage meter (tests pass
            one; the default loads the spec with the settings' cache).
        time_limit: solver seconds per solve.
        max_rounds: formulation attempts per new problem.
        phrase: let the model rephrase computed explanations (streamed) after the facts.

    Raises:
        ConfigError: a bad option.
    """

    def __init__(
        self,
        *,
        store: SessionStore,
        settings: Settings,
        console: Console,
        state: ChatState | None = None,
        llm_factory: LLMFactory | None = None,
        time_limit: float | None = 30.0,
        max_rounds: int = 3,
        phrase: bool = True,
    ) -> None:
        if time_limit is not None and time_limit <= 0:
            raise ConfigError(f"--time-limit must be positive, got {time_limit}")
        if max_rounds < 1:
            raise ConfigError(f"--max-rounds must be at least 1, got {max_rounds}")
        self.store = store
        self.settings = settings
        self.console = console
        self.state = state or ChatState()
        if not self.state.model:
            self.state.model = settings.model
        self.time_limit = time_limit
        self.max_rounds = max_rounds
        self.phrase = phrase
        self.usage = UsageMeter(settings.budget)
        self._factory = llm_factory or _default_factory(settings)
        self._llm: LLM | None = None
        self._record: io.StringIO = io.StringIO()
        self._recorder = _recorder(self._record)
        self._route = ""
        self.running = True

    # -- the model -----------------------------------------------------------------------

    @property
    def llm(self) -> LLM:
        """The session's model, loaded on first use (a session without model calls never
        loads one)."""
        if self._llm is None:
            with self.spinner(f"loading model {self.state.model}"):
                self._llm = self._factory(self.state.model, self.usage)
        return self._llm

    def switch_model(self, spec: str) -> None:
        """Use ``spec`` from now on (the usage meter and budget carry over)."""
        llm = self._factory(spec, self.usage)
        self._llm, self.state.model = llm, llm.spec

    # -- output --------------------------------------------------------------------------

    def show(self, *items: RenderableType) -> None:
        """Print to the console and to the turn's transcript record."""
        for item in items:
            self.console.print(item)
            self._recorder.print(item)

    def note(self, text: str, *, style: str = "") -> None:
        """One line of plain text (escaped), optionally styled."""
        line = escape(text)
        self.show(f"[{style}]{line}[/]" if style else line)

    def spinner(self, message: str) -> AbstractContextManager[Any]:
        """A spinner on a terminal; nothing elsewhere (scripts, tests, transcripts)."""
        if self.console.is_terminal:
            return self.console.status(escape(message))
        return nullcontext()

    def stream_text(self, title: str, pieces: Iterable[str]) -> str:
        """Print model text as it arrives; the transcript gets the whole text at the end."""
        chunks: list[str] = []
        for piece in pieces:
            if not chunks:  # the heading waits for the first piece: a refused call shows none
                self.console.print(f"[bold]{escape(title)}[/]")
            chunks.append(piece)
            self.console.print(escape(piece), end="", soft_wrap=True, highlight=False)
        if not chunks:
            self.console.print(f"[bold]{escape(title)}[/]")
        self.console.print()
        text = "".join(chunks).strip()
        self._recorder.print(f"[bold]{escape(title)}[/]")
        self._recorder.print(escape(text))
        return text

    # -- one turn ------------------------------------------------------------------------

    def handle(self, text: str) -> bool:
        """Run one turn; returns False once the session should end (/quit).

        User errors (``OptagentError``, ``SolverError``) are shown and keep the session; the
        state and transcript are written after every turn, also after an error.
        """
        text = text.strip()
        if not text:
            return self.running
        self._record.seek(0)
        self._record.truncate()
        self._route = ""
        try:
            self._dispatch(text)
        except (OptagentError, SolverError) as exc:
            self.show(f"[bold red]error:[/] {escape(str(exc))}")
            self._route = self._route or "error"
        except KeyboardInterrupt:
            self._recorder.print("interrupted (Ctrl-C)")
            self._route = f"{self._route or 'unknown'} (interrupted)"
            raise
        finally:
            self._finish(text)
        return self.running

    def _finish(self, text: str) -> None:
        turn = Turn(
            index=len(self.state.turns) + 1,
            text=text,
            route=self._route or "unknown",
            output=self._record.getvalue(),
        )
        self.state.turns.append(turn)
        self.store.save(self.state)
        self.store.append_turn(turn)

    def _dispatch(self, text: str) -> None:
        from agent.chat._commands import run_command

        decided = route(text, self.state.formulation)
        self._route = decided.kind
        if decided.kind == "command":
            self._route = "command " + text.split()[0]
            run_command(self, text)
        elif decided.kind == "optimize_prompt":
            from agent.chat._optimize import optimize_turn

            optimize_turn(self, decided)
        elif decided.kind == "new_problem":
            self.formulate(text)
        elif decided.kind == "explain":
            self.explain(text, use_model=True)
        elif decided.kind == "edit":
            self.edit(decided)
        else:
            self._unsure(decided)

    def _unsure(self, decided: Route) -> None:
        """No rule decided: ask the model for the intent, honestly say so when it fails."""
        assert self.state.formulation is not None
        f = self.state.formulation
        summary = f"{len(f.variables)} variables, {len(f.constraints)} constraints"
        message = prompts.render("chat/route", name=f.name, summary=summary, text=decided.text)
        try:
            reply = self.llm.complete([Message("user", message)], schema=_Intent, max_tokens=32)[0]
            intent = _Intent.model_validate(reply.parsed).intent
        except (LLMError, ValidationError) as exc:
            self.note(
                f"I could not tell whether this is a new problem, a change or a question, and "
                f"the model ({self.state.model}) could not either ({exc}). Rephrase, or use "
                "/help for commands.",
                style="yellow",
            )
            return
        self.note(f"(the model {self.state.model} read this as: {intent})", style="dim")
        self._route = f"unsure->{intent}"
        if intent == "new_problem" and len(decided.text.split()) < SHORTEST_PROBLEM:
            self.note(
                "That is too short to be a whole problem, so nothing was formulated: describe "
                "the problem with its numbers, ask 'why ...?' or 'what if ...?', or see /help.",
                style="yellow",
            )
            return
        if intent == "new_problem":
            self.formulate(decided.text)
        elif intent == "explain":
            self.explain(decided.text, use_model=True)
        else:
            self.edit(decided)

    # -- the routes ----------------------------------------------------------------------

    def formulate(self, text: str) -> None:
        """A new problem in words: the formulation agent formulates, solves and verifies."""
        from agent.formulate import solve as formulate

        llm = self.llm
        folder = self.store.run_dir / f"formulate-{len(self.state.turns) + 1}"
        with self.spinner(f"formulating with {llm.spec} (up to {self.max_rounds} rounds)"):
            answer = formulate(
                text,
                model=llm,
                max_rounds=self.max_rounds,
                time_limit=self.time_limit,
                run_dir=folder,
            )
        self.show(*answer_renderables(answer))
        if answer.status in ("refused", "model_refused"):  # the explanation says why
            self.state.answer = answer.to_dict()
            return
        adopted = self._adopt(answer.formulation)
        if adopted is None:
            kept = (
                "the previous formulation stays loaded"
                if self.state.formulation
                else "no formulation is loaded"
            )
            self.note(
                f"The model ({answer.model}) did not write a usable formulation "
                f"(status {answer.status}); {kept}. A small model often fails here: "
                "try a stronger --model, rephrase, or /load a formulation JSON. "
                "/show trace shows each attempt.",
                style="yellow",
            )
            self.state.answer = answer.to_dict()
            return
        self.state.formulation = adopted
        self.state.answer = answer.to_dict()
        self.state.edits = []
        self.state.solution = self.state.previous = None
        self.solve(show=False)
        if not answer.ok:
            self.note(
                f"The model's formulation is loaded but not a verified optimum "
                f"({answer.status}); check it with /show formulation, fix it with /edit or /set.",
                style="yellow",
            )

    def _adopt(self, data: dict[str, Any] | None) -> Formulation | None:
        if not data:
            return None
        try:
            formulation = formulation_from_dict(data)
            compile_formulation(formulation)
        except SolverError:
            return None
        return formulation

    def solve(self, *, show: bool = True) -> Solution:
        """Solve the current formulation; show it and what changed since the last solve.

        Raises:
            ConfigError: there is no formulation yet.
        """
        formulation = self.require_formulation()
        with self.spinner("solving"):
            checked = solve_and_check(formulation, time_limit=self.time_limit)
        solution, report, diagnosis, note = (
            checked.solution,
            checked.report,
            checked.diagnosis,
            checked.note,
        )
        if show:
            self.show(*solution_renderables(formulation.name, solution, report, diagnosis, note))
            if self.state.solution is not None:
                self.show(*change_renderables(compare_solutions(self.state.solution, solution)))
        self.state.previous = self.state.solution
        self.state.solution = solution
        self.state.solved_formulation = formulation.model_dump(mode="json")
        return solution

    def require_formulation(self) -> Formulation:
        """The current formulation.

        Raises:
            ConfigError: none yet (says how to get one).
        """
        if self.state.formulation is None:
            raise ConfigError("no formulation yet: describe a problem in words, or /load FILE.json")
        return self.state.formulation

    def apply(self, edits: list[Edit], *, source: str) -> list[str]:
        """Apply structured edits (the old formulation stays on any error)."""
        formulation, notes = apply_edits(self.require_formulation(), edits)
        self.state.formulation = formulation
        self.state.edits.extend(notes)
        self.show(lines_renderable(f"edited ({source}):", [f"  {n}" for n in notes]))
        return notes

    def edit(self, decided: Route) -> None:
        """A follow-up: edit the current formulation (rules first, then the model), re-solve
        and show what changed. Never re-formulates from scratch."""
        formulation = self.require_formulation()
        edits = decided.edits
        source = "by rules, no model call"
        if not edits:
            edits = self._model_edits(decided.text, formulation)
            if not edits:
                return
            source = f"by the model {self.state.model}, checked and applied by code"
        try:
            self.apply(edits, source=source)
        except EditError as exc:
            proposed = ""
            if not decided.edits:
                asked = "; ".join(e.describe() for e in edits)
                proposed = f"The model ({self.state.model}) proposed: {asked}. "
            self.note(
                f"{proposed}That edit could not be applied: {exc}. The formulation is "
                "unchanged; use /set NAME=VALUE or /edit.",
                style="yellow",
            )
            return
        self.solve()

    def _model_edits(self, text: str, formulation: Formulation) -> list[Edit]:
        message = prompts.render(
            "chat/edit",
            formulation=json.dumps(formulation.model_dump(mode="json"), indent=1),
            request=text,
        )
        with self.spinner(f"asking {self.state.model} for an edit"):
            try:
                reply = self.llm.complete(
                    [Message("user", message)], schema=EditPlan, max_tokens=400
                )[0]
                plan = EditPlan.model_validate(reply.parsed)
            except (LLMError, ValidationError) as exc:
                self.note(
                    f"The model ({self.state.model}) did not return a usable edit ({exc}); "
                    "the formulation is unchanged. Use /set NAME=VALUE or /edit.",
                    style="yellow",
                )
                return []
        return list(plan.edits)

    def explain(self, question: str, *, use_model: bool) -> None:
        """Answer from the solution: computed facts; the model may only rephrase them."""
        self.require_formulation()
        solution = self.state.solution
        if solution is None:
            self.note("Nothing is solved yet: /solve first.", style="yellow")
            return
        if self.state.stale:
            self.note(
                "The formulation changed since the last solve; this explains the last solve "
                "(/solve to update).",
                style="yellow",
            )
        solved = formulation_from_dict(self.state.solved_formulation or {})
        subjects = subject_labels(question, solution)
        facts = explain_solution(solved, solution, subjects=subjects)
        self.show(lines_renderable("why (computed from the solution):", facts))
        if use_model and self.phrase:
            message = prompts.render("chat/phrase", question=question, facts=facts)
            try:
                self.stream_text(
                    f"in words ({self.state.model}; the computed lines above are the answer):",
                    self.llm.stream([Message("user", message)], max_tokens=160),
                )
            except LLMError as exc:
                self.note(f"(the model could not phrase it: {exc})", style="dim")

    def reset(self) -> None:
        """Forget the formulation and solutions (the turns stay in the transcript)."""
        turns, model = self.state.turns, self.state.model
        self.state = ChatState(turns=turns, model=model)

    def load(self, path: Path) -> None:
        """Load a formulation JSON or a saved session (/load).

        Raises:
            DataError / FormulationError: the file is missing or neither kind.
        """
        if not path.is_file():
            raise DataError(
                f"file not found: {path}; give the path of a formulation JSON or a session.json"
            )
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DataError(f"{path} is not JSON (line {exc.lineno}: {exc.msg})") from None
        if isinstance(data, dict) and "turns" in data and "version" in data:
            loaded = read_session(path)
            loaded.turns = self.state.turns
            self.state = loaded
            self.note(f"loaded session {path} (model {loaded.model})")
            if loaded.formulation is not None:
                self.show(*formulation_renderables(loaded.formulation))
            return
        formulation = load_formulation(path)
        compile_formulation(formulation)
        self.state.formulation = formulation
        self.state.solution = self.state.previous = None
        self.state.solved_formulation = None
        self.state.answer = None
        self.state.edits = []
        self.note(f"loaded formulation {path}")
        self.show(*formulation_renderables(formulation))


def _recorder(buffer: io.StringIO) -> Console:
    return Console(
        file=buffer,
        width=TRANSCRIPT_WIDTH,
        color_system=None,
        force_terminal=False,
        force_interactive=False,
        soft_wrap=False,
        emoji=False,
    )


def _default_factory(settings: Settings) -> LLMFactory:
    def factory(spec: str, usage: UsageMeter) -> LLM:
        from agent.llm import load

        return load(spec, usage=usage, settings=settings)

    return factory
