"""Rich renderables for formulations, solutions, answers and changes.

Shared by ``optagent solve`` and ``optagent chat``: each function returns renderables instead
of printing, so the chat can show them live and record them in the transcript.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from rich.console import RenderableType
from rich.markup import escape
from rich.rule import Rule
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from solvers.backends import Solution, SolveStatus

if TYPE_CHECKING:
    from agent.chat._diff import SolutionChange
    from agent.formulate import AgentAnswer
    from solvers.diagnosis import Diagnosis
    from solvers.formulation import Formulation
    from solvers.verification import VerificationReport

SHOW = ("formulation", "code", "trace")


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.10g}"


def solution_renderables(
    name: str,
    solution: Solution,
    report: VerificationReport | None,
    diagnosis: Diagnosis | None = None,
    note: str = "",
    *,
    show_all: bool = False,
) -> list[RenderableType]:
    """The summary table, the non-zero variables and the LP sensitivity of one solve."""
    out: list[RenderableType] = []
    summary = Table(title=f"solve: {escape(name)}", show_header=False)
    summary.add_column("field", style="bold")
    summary.add_column("value")
    colour = "green" if solution.status is SolveStatus.OPTIMAL else "red"
    summary.add_row("status", f"[{colour}]{solution.status.value}[/]")
    summary.add_row("objective", _num(solution.objective))
    summary.add_row("class", solution.problem_class.value)
    summary.add_row("solver", f"{solution.solver} ({solution.runtime_s:.3f}s)")
    if solution.message:
        summary.add_row("note", escape(solution.message))
    if report is not None:
        verdict = "[green]ok[/]" if report.ok else f"[red]{len(report.violations)} violation(s)[/]"
        summary.add_row("verified", f"{verdict} ({report.rows_checked} rows checked)")
    out.append(summary)
    if solution.values:
        values = Table(title="variables")
        values.add_column("variable")
        values.add_column("value", justify="right")
        shown = 0
        for label, value in solution.values.items():
            if show_all or abs(value) > 1e-9:
                values.add_row(escape(label), f"{value:.10g}")
                shown += 1
        if shown:
            out.append(values)
        hidden = len(solution.values) - shown
        if hidden:
            out.append(f"[dim]{hidden} variable(s) at zero not shown (--all shows them)[/]")
    if solution.reported:
        named = Table(title="named results")
        named.add_column("quantity")
        named.add_column("value", justify="right")
        for name, value in solution.reported.items():
            named.add_row(escape(name), f"{value:.10g}")
        out.append(named)
    if solution.sensitivity is not None:
        rows = Table(title="constraints (LP sensitivity)")
        for column in ("constraint", "dual", "slack", "binding"):
            rows.add_column(column, justify="left" if column == "constraint" else "right")
        for row in solution.sensitivity.rows:
            rows.add_row(
                escape(row.label),
                f"{row.dual:.6g}",
                f"{row.slack:.6g}",
                "yes" if row.binding else "",
            )
        out.append(rows)
    if report is not None:
        out.extend(f"[red]violation:[/] {escape(v.message)}" for v in report.violations)
    if diagnosis is not None:
        out.append(f"[yellow]diagnosis:[/] {escape(diagnosis.message)}")
    if note:
        out.append(f"[dim]{escape(note)}[/]")
    return out


def answer_renderables(
    answer: AgentAnswer, show: list[str] | tuple[str, ...] = ()
) -> list[RenderableType]:
    """The formulation agent's answer: summary, values, explanation and what ``show`` asks."""
    out: list[RenderableType] = []
    summary = Table(title="solve", show_header=False)
    summary.add_column("field", style="bold")
    summary.add_column("value")
    colour = "green" if answer.ok else "red"
    summary.add_row("status", f"[{colour}]{escape(answer.status)}[/]")
    summary.add_row("objective", _num(answer.objective))
    summary.add_row("rounds", str(answer.rounds_used))
    if len(answer.chains) > 1:
        summary.add_row("votes", f"{len(answer.vote['winners'])} of {len(answer.chains)} agree")
    summary.add_row("model", escape(answer.model))
    if answer.stopped:
        summary.add_row("stopped", escape(answer.stopped))
    out.append(summary)
    if answer.values:
        values = Table(title="variables")
        values.add_column("variable")
        values.add_column("value", justify="right")
        for label, value in answer.values.items():
            values.add_row(escape(label), f"{value:.10g}")
        out.append(values)
    out.append(escape(answer.explanation))
    if "formulation" in show:
        out.append(Rule("formulation"))
        out.append(Syntax(json.dumps(answer.formulation, indent=2), "json", word_wrap=True))
    if "code" in show:
        out.append(Rule("code"))
        out.extend(code_renderables(answer.to_dict()))
    if "trace" in show:
        out.append(Rule("trace"))
        out.extend(trace_renderables(answer.to_dict()))
    return out


def code_renderables(answer: dict[str, Any] | None) -> list[RenderableType]:
    """The code the agent wrote on the code path, or why there is none."""
    if answer is None:
        return ["[dim]no code: nothing was formulated by the model in this session[/]"]
    code = answer.get("code")
    if not code:
        return ["[dim]no code: the typed formulation was used[/]"]
    return [Syntax(code, "python", word_wrap=True)]


def trace_renderables(answer: dict[str, Any] | None) -> list[RenderableType]:
    """One line per round of every chain of a formulation-agent answer."""
    if not answer or not answer.get("chains"):
        return ["[dim]no trace: nothing was formulated by the model in this session[/]"]
    out: list[RenderableType] = []
    for chain in answer["chains"]:
        for record in chain["rounds"]:
            line = f"chain {chain['chain']} round {record['round']}: {record['status']}"
            text = f"{line} (objective {_num(record['objective'])}) {record['error']}".rstrip()
            out.append(Text(text))
    return out


def formulation_renderables(formulation: Formulation) -> list[RenderableType]:
    """Tables of the five elements: sets, parameters, variables, objective, constraints."""
    out: list[RenderableType] = []
    head = f"formulation: {escape(formulation.name)}"
    if formulation.description:
        head += f" [dim]({escape(formulation.description)})[/]"
    out.append(head)
    if formulation.sets:
        sets = Table(title="sets")
        sets.add_column("set")
        sets.add_column("elements")
        for s in formulation.sets:
            sets.add_row(escape(s.name), escape(", ".join(str(e) for e in s.elements)))
        out.append(sets)
    if formulation.parameters:
        params = Table(title="parameters")
        params.add_column("parameter")
        params.add_column("index")
        params.add_column("value")
        for p in formulation.parameters:
            value = json.dumps(p.value) if isinstance(p.value, list) else f"{p.value:g}"
            params.add_row(escape(p.name), escape(", ".join(p.index)), escape(value))
        out.append(params)
    variables = Table(title="variables")
    for column in ("variable", "index", "type", "lower", "upper"):
        variables.add_column(column)
    for v in formulation.variables:
        variables.add_row(
            escape(v.name),
            escape(", ".join(v.index)),
            v.type,
            "-" if v.lower is None else f"{v.lower:g}",
            "-" if v.upper is None else f"{v.upper:g}",
        )
    out.append(variables)
    out.append(f"[bold]{formulation.objective.sense}[/] {escape(formulation.objective.expression)}")
    if formulation.constraints:
        rows = Table(title="constraints")
        rows.add_column("constraint")
        rows.add_column("for all")
        rows.add_column("expression")
        for c in formulation.constraints:
            scope = c.for_all + (f" if {c.where}" if c.where else "")
            rows.add_row(escape(c.name), escape(scope), escape(c.expression))
        out.append(rows)
    return out


def change_renderables(change: SolutionChange) -> list[RenderableType]:
    """What changed between two solves, as a table (or one line when nothing did)."""
    if change.unchanged:
        return ["[dim]what changed: nothing (same objective, values and binding constraints)[/]"]
    table = Table(title="what changed")
    table.add_column("item")
    table.add_column("before", justify="right")
    table.add_column("after", justify="right")
    table.add_column("change", justify="right")
    if change.status[0] != change.status[1]:
        table.add_row("status", change.status[0], change.status[1], "")
    old, new = change.objective
    table.add_row("objective", _num(old), _num(new), _delta(old, new), style="bold")
    for label, before, after in change.values:
        table.add_row(escape(label), _num(before), _num(after), _delta(before, after))
    for label in change.now_binding:
        table.add_row(escape(label), "slack", "binding", "")
    for label in change.now_slack:
        table.add_row(escape(label), "binding", "slack", "")
    return [table]


def _delta(before: float | None, after: float | None) -> str:
    if before is None or after is None:
        return ""
    diff = after - before
    return "0" if abs(diff) <= 1e-9 else f"{diff:+.6g}"


def lines_renderable(title: str, lines: list[str]) -> RenderableType:
    """A titled block of plain lines (explanations, edit notes)."""
    text = Text()
    text.append(f"{title}\n", style="bold")
    text.append("\n".join(lines))
    return text
