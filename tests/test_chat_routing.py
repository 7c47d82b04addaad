"""Routing and what-ifs: targets are the model's own numbers, values come from the words, and
anything the words do not decide is asked back. The model's part (a choice among enums) is
exercised with a scripted fake reply: the fake stands in for the reply, not for the code under
test, which is the schema it must fill and what the session does with the choice."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from agent.chat import ChatSession, SessionStore, decision_schema, edit_targets, route
from agent.chat._edits import Edit, EditError, apply_edits
from agent.config import Settings
from agent.llm import LLM, ScriptedFakeBackend
from solvers import load_formulation, solve
from solvers.formulation import formulation_from_dict
from tests._cli import ROOT

MIX = ROOT / "solvers" / "examples" / "lp_product_mix.json"
SUITE = json.loads((ROOT / "evals" / "bench" / "chat_suite.json").read_text(encoding="utf-8"))


@pytest.fixture
def mix():
    return load_formulation(MIX)


@pytest.fixture
def diet():
    return formulation_from_dict(SUITE["formulations"]["diet"])


def _edit(text, formulation):
    decided = route(text, formulation)
    assert decided.kind == "edit", decided
    (edit,) = decided.edits
    return edit.describe()


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Hello! What can you do?", "greeting"),
        ("thanks", "greeting"),
        ("solve it", "solve"),
        ("undo", "undo"),
        ("yes", "confirm"),
        ("why is doors 2?", "explain"),
        ("what if the plant had 14 hours", "clarify"),
        ("remove a constraint", "clarify"),
        ("what if profit doubles", "clarify"),
        ("tell me about plant3", "unsure"),
    ],
)
def test_routes(mix, text, kind) -> None:
    assert route(text, mix).kind == kind


def test_without_a_model_a_greeting_is_not_a_problem() -> None:
    assert route("Hello! What can you do?", None).kind == "greeting"
    assert route("tell me more", None).kind == "greeting"


@pytest.mark.parametrize(
    ("text", "edit"),
    [
        ("what if plant 2 had 14 hours?", "set_rhs plant2 = 14.0"),
        ("what if the second plant had 14 hours", "set_rhs plant2 = 14.0"),
        ("what if doors earned 4?", "set_objective_coefficient doors = 4.0"),
        ("what if windows profit is 7", "set_objective_coefficient windows = 7.0"),
        ("what if windows is at most 5", "set_bound windows.upper = 5.0"),
        ("remove plant1", "remove_constraint plant1"),
        ("drop the plant 3 limit", "remove_constraint plant3"),
        (
            "add a constraint that doors + windows <= 7",
            "add_constraint added: doors + windows <= 7",
        ),
        ("add a constraint: at most 3 doors", "add_constraint added: doors <= 3"),
    ],
)
def test_whatifs_read_by_rules(mix, text, edit) -> None:
    assert _edit(text, mix) == edit


def test_indexed_entries_and_ties(diet) -> None:
    assert _edit("what if milk price is 0.4?", diet) == "set_parameter price[milk] = 0.4"
    assert _edit("increase the energy need by 10%", diet) == "set_parameter need[energy] = 2200.0"
    asked = route("what if the price were 0.3", diet)
    assert asked.kind == "clarify"
    assert asked.candidates == ["price[oats]", "price[milk]", "price[eggs]"]
    assert "price[milk] (now 0.9)" in asked.question


def test_a_target_without_one_value_is_asked_back(mix) -> None:
    asked = route("what if plant2 had 14 or 16 hours", mix)
    assert asked.kind == "clarify" and asked.candidates == ["plant2"]
    assert "What value should the right-hand side of constraint plant2 (now 12) take?" in (
        asked.question
    )


def test_new_edits_change_the_solved_model(mix) -> None:
    edited, notes = apply_edits(
        mix,
        [
            Edit(op="set_rhs", name="plant2", value=14),
            Edit(op="set_objective_coefficient", name="windows", value=7),
        ],
    )
    assert notes == ["plant2: right-hand side 12 -> 14", "objective coefficient of windows: 5 -> 7"]
    assert edited.objective.expression == "3*doors + 7*windows"
    assert solve(edited).objective == pytest.approx(3 * 4 / 3 + 7 * 7)
    with pytest.raises(EditError, match="no single literal coefficient"):
        apply_edits(mix, [Edit(op="set_objective_coefficient", name="plant1", value=1)])


def test_the_decision_schema_lists_only_valid_choices(mix) -> None:
    schema = decision_schema(edit_targets(mix))
    intents = schema["properties"]["intent"]["enum"]
    targets = schema["properties"]["target"]["enum"]
    assert "whatif" in intents and "greeting" in intents
    assert targets[:5] == ["doors", "windows", "plant1", "plant2", "plant3"]
    assert targets[-1] == "none" and schema["additionalProperties"] is False


def _session(tmp_path, replies):
    backend = ScriptedFakeBackend(replies)
    out = io.StringIO()
    session = ChatSession(
        store=SessionStore(tmp_path / "s"),
        settings=Settings(model="scripted:fake", cache=False),
        console=Console(file=out, width=100, color_system=None),
        llm_factory=lambda spec, usage: LLM(backend, usage=usage),
    )
    return session, out, backend


def test_a_model_chosen_edit_is_offered_never_applied(tmp_path) -> None:
    session, out, backend = _session(tmp_path, ['{"intent": "whatif", "target": "plant2"}'])
    session.handle(f"/load {MIX}")
    session.handle("/solve")
    session.handle("could the second shop get 14")
    text = " ".join(out.getvalue().split())
    assert "(the model scripted:fake read this as: whatif, about plant2)" in text
    assert "Do you mean: set the right-hand side of constraint plant2 (now 12) to 14?" in text
    assert session.state.formulation == load_formulation(MIX)  # nothing applied
    request = backend.requests[0][0]
    assert request.json_schema["properties"]["target"]["enum"][3] == "plant2"
    session.handle("yes")
    assert session.action == "edit"
    assert session.state.formulation.constraints[1].expression == "2*windows <= 14"
    assert session.state.solution.objective == pytest.approx(39)
    session.handle("undo")
    assert session.state.formulation == load_formulation(MIX)
    assert session.state.solution.objective == pytest.approx(36)
    session.handle("yes")  # the offer held for one turn only
    assert "nothing to confirm" in " ".join(out.getvalue().split())
