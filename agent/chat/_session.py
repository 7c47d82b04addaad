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
from typing import Any

from rich.console import Console, RenderableType
from rich.markup import escape
from rich.text import Text

import prompts
from agent.chat._decide import NO_TARGET, decide
from agent.chat._diff import compare_solutions
from agent.chat._edits import Edit, EditError, apply_edits
from agent.chat._examples import greeting_examples
from agent.chat._explain import (
    constraint_labels,
    explain_solution,
    fmt,
    rephrasing_ok,
    subject_labels,
)
from agent.chat._render import (
    answer_renderables,
    change_renderables,
    formulation_renderables,
    lines_renderable,
    solution_renderables,
)
from agent.chat._router import SHORTEST_PROBLEM, Route, read_add, read_remove, read_whatif, route
from agent.chat._state import ChatState, Turn
from agent.chat._store import SessionStore, read_session
from agent.chat._targets import Target, constraint_targets, edit_targets, free_numbers
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
MAX_UNDO = 20
# Specs of models too small to rephrase reliably: their explanations stay the template's.
OFFLINE_SPECS = ("local", "local-base", "llamacpp:", "hf:")
LLMFactory = Callable[[str, UsageMeter], LLM]


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
        phrase: let the model rephrase computed explanations after the facts (a rephrasing
            that names a number or name the facts lack is dropped); None: only for models
            that are not embedded (``OFFLINE_SPECS``), whose templates read well enough.

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
        phrase: bool | None = None,
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
        self.phrase = (
            phrase if phrase is not None else not self.state.model.startswith(OFFLINE_SPECS)
        )
        self._pending: list[Edit] = []
        self.action = ""  # what the last turn did: greeting, solve, edit, clarify, explain...
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
        self.action = ""
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
        offered, self._pending = self._pending, []  # an offer holds for the next turn only
        if decided.kind == "command":
            self._route = "command " + text.split()[0]
            self.action = "command"
            run_command(self, text)
        elif decided.kind == "optimize_prompt":
            from agent.chat._optimize import optimize_turn

            optimize_turn(self, decided)
        elif decided.kind == "greeting":
            self.greet()
        elif decided.kind == "solve":
            self.action = "solve"
            self.solve()
        elif decided.kind == "undo":
            self.undo()
        elif decided.kind == "confirm":
            self.confirm(offered)
        elif decided.kind == "new_problem":
            self.formulate(text)
        elif decided.kind == "explain":
            self.explain(text, use_model=True)
        elif decided.kind == "edit":
            self.edit(decided)
        elif decided.kind == "clarify":
            self.clarify(decided.question)
        else:
            self._unsure(decided)

    def _unsure(self, decided: Route) -> None:
        """No rule decided: the model chooses an intent and a target among the valid ones
        (a schema of enums, a grammar on llama.cpp). Its choice routes questions and answers;
        an edit it implies is offered back as a question, never applied."""
        assert self.state.formulation is not None
        f = self.state.formulation
        targets = edit_targets(f) + constraint_targets(f)
        try:
            llm = self.llm  # loads first, under its own spinner
            with self.spinner(f"asking {self.state.model} what this asks for"):
                choice = decide(llm, decided.text, name=f.name, targets=targets)
        except LLMError as exc:
            self.clarify(
                f"I could not tell what you ask for, and the model ({self.state.model}) could not "
                f"either ({exc}). Rephrase, or say 'help'."
            )
            return
        about = f", about {choice.target}" if choice.target != NO_TARGET else ""
        read = f"{choice.intent}{about}"
        self.note(f"(the model {self.state.model} read this as: {read})", style="dim")
        self._route = f"unsure->{choice.intent}"
        if choice.intent == "greeting":
            self.greet()
        elif choice.intent == "solve" and self._solved_as_is():
            # Re-solving an unchanged model answers nothing: the model misread the turn.
            self.clarify(
                "The model is already solved as it stands (/show prints it). Ask 'why is NAME "
                "zero?' or 'why is CONSTRAINT binding?' for an explanation, or 'what if NAME is "
                "VALUE?' for a change."
            )
        elif choice.intent == "solve":
            self.action = "solve"
            self.solve()
        elif choice.intent == "why":
            self.explain(decided.text, use_model=True)
        elif choice.intent == "new_problem" and len(decided.text.split()) >= SHORTEST_PROBLEM:
            self.formulate(decided.text)
        elif choice.intent in ("whatif", "add_constraint", "remove_constraint"):
            self._offer(choice.intent, choice.target, decided.text, targets)
        else:
            self.clarify(
                "I am not sure what you ask for. Ask 'what if NAME is VALUE?', 'why is NAME "
                "zero?', 'remove CONSTRAINT', 'add constraint EXPRESSION', or say 'help'."
            )

    def _solved_as_is(self) -> bool:
        """Whether the last solve is of the formulation as it stands now."""
        f = self.state.formulation
        return (
            f is not None
            and self.state.solution is not None
            and self.state.solved_formulation == f.model_dump(mode="json")
        )

    def _offer(self, intent: str, key: str, text: str, targets: list[Target]) -> None:
        """Turn the model's reading of an edit into a question the user confirms with 'yes'."""
        f = self.require_formulation()
        by_key: dict[str, Target] = {}
        for t in targets:  # a number before the constraint of the same name
            by_key.setdefault(t.key, t)
        target = by_key.get(key)
        if intent == "add_constraint":
            self.clarify(read_add(text, f).question or "Write the constraint to add.")
            return
        if intent == "remove_constraint":
            names = [c.name for c in f.constraints]
            if target is not None and target.kind != "constraint":
                target = by_key.get(target.name) if target.name in names else None
            if target is None or target.kind != "constraint":
                self.clarify(read_remove(text, f).question)
                return
            self._pending = [target.edit(0.0)]
            self.clarify(f"Do you mean: remove constraint {target.key}? Say 'yes' to do it.")
            return
        numbers = free_numbers(text, target)
        if target is None or target.kind == "constraint" or len(numbers) != 1:
            asked = read_whatif(text, f).question
            self.clarify(asked or "Which number should change, and to what?")
            return
        self._pending = [target.edit(numbers[0])]
        self.clarify(
            f"Do you mean: set {target.describe()} to {fmt(numbers[0])}? Say 'yes' to do it, "
            f"or 'what if NAME is VALUE' with another name."
        )

    def clarify(self, question: str) -> None:
        """Ask back instead of guessing; the model is left unchanged."""
        self.action = "clarify"
        self.show(lines_renderable("to be sure:", [question]))

    def greet(self) -> None:
        """What the chat can do, with examples built from the loaded model's own names."""
        self.action = "greeting"
        f = self.state.formulation
        examples: list[str] = []
        if f is not None:
            examples = greeting_examples(f, self.state.solution)
        text = prompts.render(
            "chat/greeting",
            name=f.name if f is not None else "",
            solved=self.state.solution is not None and not self.state.stale,
            examples=examples,
        )
        self.show(Text(text))

    def confirm(self, pending: list[Edit]) -> None:
        """'yes' right after a question that offered one edit: apply it."""
        if not pending:
            self.note("There is nothing to confirm: no edit was offered.", style="yellow")
            return
        self._route = "edit (confirmed)"
        self.whatif(pending, source="offered, confirmed by you")

    # -- the routes ----------------------------------------------------------------------
    def formulate(self, text: str) -> None:
        """A new problem in words: the formulation agent formulates, solves and verifies."""
        from agent.formulate import solve as formulate

        self.action = "new_problem"
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
        self.state.undo = []
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
        self.state.diagnosis = diagnosis.to_dict() if diagnosis is not None else None
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
        """A what-if the rules read: edit a copy, re-solve, verify, show what changed."""
        self.require_formulation()
        if not decided.edits:  # a follow-up before any model exists
            self.require_formulation()
            return
        self.whatif(decided.edits, source=f"by rules: {decided.reason}; no model call")

    def whatif(self, edits: list[Edit], *, source: str) -> None:
        """Apply ``edits`` to a copy of the formulation, solve it, verify it and show the
        difference from the solve before (objective, values, binding constraints). The state
        before is kept for ``/undo``; an edit that cannot be applied changes nothing."""
        formulation = self.require_formulation()
        if self.state.solution is None or self.state.stale:
            self.solve(show=False)  # the baseline the difference is taken against
        try:
            edited, notes = apply_edits(formulation, edits)
        except EditError as exc:
            self.action = "refused"
            self.note(
                f"That edit could not be applied: {exc}. The formulation is unchanged.",
                style="yellow",
            )
            return
        self.action = "edit"
        self.state.undo.append(self.state.snapshot("; ".join(notes)))
        del self.state.undo[:-MAX_UNDO]
        self.state.formulation = edited
        self.state.edits.extend(notes)
        self.show(lines_renderable(f"what if ({source}):", [f"  {n}" for n in notes]))
        before = self.state.solution
        with self.spinner("solving the edited copy"):
            checked = solve_and_check(edited, time_limit=self.time_limit)
        after = checked.solution
        ok = checked.report is not None and checked.report.ok
        verified = "verified" if ok else "NOT verified"
        status = after.status.value
        self.note(
            f"re-solved: {status}"
            + (f", objective {fmt(after.objective)}" if after.objective is not None else "")
            + (f" ({verified} against every constraint)" if checked.report is not None else "")
        )
        if checked.diagnosis is not None:
            self.show(f"[yellow]diagnosis:[/] {escape(checked.diagnosis.message)}")
        assert before is not None
        self.show(*change_renderables(compare_solutions(before, after)))
        self.state.previous = before
        self.state.solution = after
        self.state.solved_formulation = edited.model_dump(mode="json")
        self.state.diagnosis = checked.diagnosis.to_dict() if checked.diagnosis else None
        self.note("/undo takes this back", style="dim")

    def undo(self) -> None:
        """Go back to the state before the last what-if (formulation and solutions)."""
        self.action = "undo"
        if not self.state.undo:
            self.note("Nothing to undo: no what-if was applied.", style="yellow")
            return
        snap = self.state.undo.pop()
        now = self.state.solution
        self.state.restore(snap)
        self.note(f"undone: {snap.get('label', 'the last edit')}")
        back = self.state.solution
        if now is not None and back is not None:
            self.show(*change_renderables(compare_solutions(now, back)))

    def explain(self, question: str, *, use_model: bool) -> None:
        """Answer from the solve: the template's lines; the model may only rephrase them, and
        a rephrasing naming a number or a name the lines do not hold is dropped."""
        self.action = "explain"
        formulation = self.require_formulation()
        if self.state.solution is None:
            self.note("(not solved yet: solving first)", style="dim")
            self.solve(show=False)
        solution = self.state.solution
        assert solution is not None
        if self.state.stale:
            self.note(
                "The formulation changed since the last solve; this explains the last solve "
                "(/solve to update).",
                style="yellow",
            )
        solved = formulation_from_dict(self.state.solved_formulation or {})
        lines = explain_solution(
            solved,
            solution,
            subjects=subject_labels(question, solution),
            rows=constraint_labels(question, solution),
            diagnosis=self.state.diagnosis,
        )
        self.show(lines_renderable("why (computed from the solution):", lines))
        if not (use_model and self.phrase):
            return
        message = prompts.render("chat/phrase", question=question, facts=lines)
        try:
            llm = self.llm
            with self.spinner(f"{self.state.model} rephrases the computed lines"):
                text = llm.complete([Message("user", message)], max_tokens=160)[0].text
        except LLMError as exc:
            self.note(f"(the model could not phrase it: {exc})", style="dim")
            return
        names = _names(formulation)
        if text.strip() and rephrasing_ok(text, lines, names):
            self.show(lines_renderable(f"in words ({self.state.model}):", [text.strip()]))
        else:
            self.note(
                "(the model's rephrasing was dropped: it named a number or a name that the "
                "computed lines do not hold)",
                style="dim",
            )

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
        self.state.undo = []
        self.state.diagnosis = None
        self.note(f"loaded formulation {path}")
        self.show(*formulation_renderables(formulation))


def _names(formulation: Formulation) -> list[str]:
    """Every name of a formulation (sets, parameters, variables, constraints)."""
    return [
        *(x.name for x in formulation.sets),
        *(x.name for x in formulation.parameters),
        *(x.name for x in formulation.variables),
        *(x.name for x in formulation.constraints),
    ]


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
