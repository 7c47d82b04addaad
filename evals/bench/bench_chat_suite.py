"""The chat's scripted conversation suite: does each turn take the right action, on the right
target, with the right value? Checked against the solver, not against stored text.

The suite (``evals/bench/chat_suite.json``, written for this project) holds formulations and
conversations; each turn names the expected action (greeting, solve, edit, clarify, explain,
undo) and, for an edit, the expected structured edit. The bench runs a real ``ChatSession``
turn by turn (``--model local`` by default: the embedded model decides what no rule can) and
keeps its own copy of the formulation: the expected edit is applied to that copy and solved
independently, and the session must end the turn with the same formulation and objective. A
why-answer must state, for each variable asked about, the value and reduced cost of the
independent solve, for each row asked about whether it binds there, and for an infeasible
model the constraints of the independent diagnosis.

A turn is *correct* when it did the expected thing; *clarified* when it asked back instead;
a *wrong edit* when the session's formulation changed other than expected. Writes JSON.

    python3 evals/bench/bench_chat_suite.py --model local --out runs/bench-chat/result.json
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SUITE = Path(__file__).with_name("chat_suite.json")
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402

from agent.chat import ChatSession, Edit, SessionStore, apply_edits  # noqa: E402
from agent.chat._explain import fmt  # noqa: E402
from agent.config import load_settings  # noqa: E402
from solvers import SolveStatus, solve_and_check  # noqa: E402
from solvers.formulation import Formulation, formulation_from_dict  # noqa: E402

TOL = 1e-6


def _solve(formulation: Formulation) -> Any:
    return solve_and_check(formulation, time_limit=30)


def _same_objective(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= TOL * (1 + abs(a))


def check_explanation(expect: dict[str, Any], output: str, reference: Any) -> str:
    """ "" when the why-answer agrees with the independent solve, else what disagrees."""
    solution = reference.solution
    if expect.get("infeasible"):
        if solution.status is not SolveStatus.INFEASIBLE or reference.diagnosis is None:
            return f"the reference solve is {solution.status.value}, not infeasible"
        conflict = reference.diagnosis.detail.constraints
        missing = [c for c in conflict if c not in output]
        return f"conflict rows missing: {missing}" if missing else ""
    if solution.status is not SolveStatus.OPTIMAL:
        return f"the reference solve is {solution.status.value}"
    if f"objective at {fmt(solution.objective)}" not in output:
        return f"objective {fmt(solution.objective)} not stated"
    for label in expect.get("subjects", []):
        line = f"{label} = {fmt(solution.values[label])}"
        if line not in output:
            return f"missing {line!r}"
        cost = solution.sensitivity.reduced_costs.get(label, 0.0)
        if abs(cost) > 1e-9 and f"reduced cost is {fmt(cost)}" not in output:
            return f"reduced cost {fmt(cost)} of {label} not stated"
    rows = {r.label: r for r in solution.sensitivity.rows}
    for label in expect.get("rows", []):
        binds = rows[label].binding
        said = f"{label} binds" in output
        if said != binds or (not binds and f"{label} does not bind" not in output):
            return f"{label} binding is {binds} in the reference solve"
    binding = [r.label for r in solution.sensitivity.rows if r.binding and abs(r.dual) > 1e-9]
    missing = [b for b in binding if f"{b}: dual {fmt(rows[b].dual)}" not in output]
    return f"binding rows missing: {missing}" if missing else ""


def run_suite(model: str, suite_path: Path = SUITE) -> dict[str, Any]:
    """Run every conversation; returns the per-turn records and the totals."""
    suite = json.loads(suite_path.read_text(encoding="utf-8"))
    records: list[dict[str, Any]] = []
    settings = load_settings({"model": model, "cache": False})
    for number, conversation in enumerate(suite["conversations"], start=1):
        name = conversation["formulation"]
        data = {"formulation": suite["formulations"][name]}
        with tempfile.TemporaryDirectory(prefix="bench-chat-") as folder:
            path = Path(folder) / f"{name}.json"
            path.write_text(json.dumps(data), encoding="utf-8")
            buffer = io.StringIO()
            session = ChatSession(
                store=SessionStore(Path(folder) / "session"),
                settings=settings,
                console=Console(file=buffer, width=100, color_system=None),
                phrase=False,
            )
            session.handle(f"/load {path}")
            mine = formulation_from_dict(suite["formulations"][name])
            history: list[Formulation] = []
            for turn in conversation["turns"]:
                records.append(_turn(session, buffer, turn, mine, history, number, name))
                mine = _advance(turn, mine, history)
    return _totals(records, model)


def _advance(turn: dict[str, Any], mine: Formulation, history: list[Formulation]) -> Formulation:
    """The bench's own copy after the turn, as the turn should leave it."""
    expect = turn
    if expect["action"] == "edit":
        history.append(mine)
        return apply_edits(mine, [Edit(**expect["edit"])])[0]
    if expect["action"] == "undo" and history:
        return history.pop()
    return mine


def _turn(
    session: ChatSession,
    buffer: io.StringIO,
    turn: dict[str, Any],
    mine: Formulation,
    history: list[Formulation],
    number: int,
    name: str,
) -> dict[str, Any]:
    before = session.state.formulation
    buffer.seek(0)
    buffer.truncate()
    calls = session.usage.snapshot().calls
    started = time.perf_counter()
    session.handle(turn["say"])
    seconds = time.perf_counter() - started
    output = " ".join(buffer.getvalue().split())
    after = session.state.formulation
    action = session.action
    expected = turn["action"]
    expect_after = _advance(turn, mine, list(history))
    changed = after != before
    problem = ""
    if expected == "edit":
        if action != "edit":
            problem = f"action {action!r}, expected an edit"
        elif after != expect_after:
            problem = "the edited formulation differs from the expected edit's"
        else:
            reference = _solve(expect_after)
            got = session.state.solution
            if got is None or not _same_objective(got.objective, reference.solution.objective):
                problem = "the session's objective differs from the independent solve"
            elif reference.report is not None and not reference.report.ok:
                problem = "the independent solve did not verify"
    elif expected == "undo":
        if action != "undo" or after != expect_after:
            problem = f"action {action!r}; the formulation is not the one before the last edit"
    else:
        if action != expected:
            problem = f"action {action!r}, expected {expected!r}"
        elif expected == "explain":
            problem = check_explanation(turn, output, _solve(mine))
        elif expected == "clarify":
            missing = [c for c in turn.get("candidates", []) if c not in output]
            problem = f"candidates not listed: {missing}" if missing else ""
    wrong_edit = changed and (expected not in ("edit", "undo") or after != expect_after)
    clarified = action == "clarify" and expected != "clarify"
    return {
        "conversation": number,
        "formulation": name,
        "say": turn["say"],
        "expected": expected,
        "action": action,
        "route": session.state.turns[-1].route,
        "needs_model": bool(turn.get("model")),
        "model_calls": session.usage.snapshot().calls - calls,
        "correct": not problem and not wrong_edit,
        "clarified": clarified,
        "wrong_edit": wrong_edit,
        "problem": "" if not problem and not wrong_edit else (problem or "wrong edit"),
        "seconds": round(seconds, 3),
    }


def _totals(records: list[dict[str, Any]], model: str) -> dict[str, Any]:
    n = len(records)
    correct = sum(r["correct"] for r in records)
    clarified = sum(r["clarified"] for r in records)
    wrong = sum(r["wrong_edit"] for r in records)
    return {
        "model": model,
        "suite": str(SUITE.relative_to(ROOT)),
        "turns": n,
        "formulations": len({r["formulation"] for r in records}),
        "correct": correct,
        "correct_share": round(correct / n, 4) if n else 0.0,
        "clarifying_questions": clarified,
        "wrong_edits": wrong,
        "other_failures": n - correct - clarified - wrong,
        "turns_needing_the_model": sum(r["needs_model"] for r in records),
        "model_turns_correct": sum(r["correct"] for r in records if r["needs_model"]),
        "model_calls": sum(r["model_calls"] for r in records),
        "records": records,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="local", help="model spec (default: local)")
    parser.add_argument("--suite", type=Path, default=SUITE)
    parser.add_argument("--out", type=Path, default=Path("runs/bench-chat/result.json"))
    args = parser.parse_args()
    started = time.perf_counter()
    result = run_suite(args.model, args.suite)
    result["wall_s"] = round(time.perf_counter() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    for r in result["records"]:
        mark = "ok " if r["correct"] else ("ask" if r["clarified"] else "BAD")
        print(f"{mark} [{r['formulation']}] {r['say']!r}: {r['action']} {r['problem']}".rstrip())
    print(
        f"\n{result['correct']}/{result['turns']} turns correct ({result['correct_share']:.1%}) "
        f"over {result['formulations']} formulations; clarifying questions "
        f"{result['clarifying_questions']}; wrong edits {result['wrong_edits']}; other failures "
        f"{result['other_failures']}; model calls {result['model_calls']}; turns left to the "
        f"model {result['turns_needing_the_model']}, of them correct "
        f"{result['model_turns_correct']}; {result['wall_s']} s"
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
