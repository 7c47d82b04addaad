"""The chat's deterministic parts: routing rules, structured edits, solution diffs, computed
explanations and the session file round trip."""

from __future__ import annotations

import pytest

from agent.chat import (
    ChatState,
    Edit,
    EditError,
    SessionStore,
    Turn,
    apply_edits,
    compare_solutions,
    explain_solution,
    parse_set,
    parse_whatif,
    route,
    set_table,
)
from solvers import compile_formulation, linear_form, load_formulation, solve
from tests._cli import ROOT

PLANNING = ROOT / "solvers" / "examples" / "lp_production_planning.json"
KNAPSACK = ROOT / "solvers" / "examples" / "milp_knapsack.json"


@pytest.fixture
def planning():
    return load_formulation(PLANNING)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("/solve", "command"),
        ('optimize the prompt "Answer briefly." on data/qa.jsonl with opro', "optimize_prompt"),
        ("why is stock[3] zero?", "explain"),
        ("Which constraints bind?", "explain"),
        ("what is the objective?", "explain"),
        ("what if capacity is 40?", "edit"),
        ("add a constraint that make[1] <= make[2]", "edit"),
        (
            "A bakery produces bread and cakes; bread earns 2 and cakes 5, the oven has 40 hours. "
            "Maximize profit.",
            "new_problem",
        ),
        ("hello there", "greeting"),
        ("tell me about plant capacity", "unsure"),
    ],
)
def test_routing_rules(planning, text: str, kind: str) -> None:
    assert route(text, planning).kind == kind


def test_without_a_formulation_words_are_a_new_problem() -> None:
    assert route("Maximize 3x + 5y with x at most 4 and y at most 6.", None).kind == "new_problem"
    # short follow-ups and questions are not formulated as problems of their own
    assert route("why is x zero?", None).kind == "explain"
    assert route("what if labor is 120 hours?", None).kind == "edit"
    decided = route('optimise this prompt "Be brief" on qa.csv.', None)
    assert (decided.file, decided.instruction, decided.method) == ("qa.csv", "Be brief", "")


@pytest.mark.parametrize(
    ("text", "edit"),
    [
        ("what if capacity is 40?", ("set_parameter", "capacity", "", 40.0)),
        ("what if the plant capacity were 45 units", ("set_parameter", "capacity", "", 45.0)),
        ("increase capacity by 10%", ("set_parameter", "capacity", "", 38.5)),
        ("reduce capacity by 5", ("set_parameter", "capacity", "", 30.0)),
        ("double hold", ("set_parameter", "hold", "", 2.0)),
        ("what if demand[2] = 50", ("set_parameter", "demand", "2", 50.0)),
        ("make is at most 30", ("set_bound", "make", "", 30.0)),
    ],
)
def test_whatif_rules(planning, text: str, edit: tuple) -> None:
    (got,) = parse_whatif(text, planning)
    assert (got.op, got.name, got.index, got.value) == edit


def test_whatif_rules_do_not_guess(planning) -> None:
    assert parse_whatif("what if we had 14 more hours in period 2 and 3?", planning) == []
    assert parse_whatif("what if demand is 50?", planning) == []  # indexed: which entry?


def test_set_syntax_and_its_errors(planning) -> None:
    assert parse_set("hold = 2.5") == Edit(op="set_parameter", name="hold", value=2.5)
    assert parse_set("make.upper=none") == Edit(op="set_bound", name="make", bound="upper")
    assert parse_set("demand=[1, 2, 3, 4]") == ("demand", "", [1, 2, 3, 4])
    with pytest.raises(EditError, match="cannot read"):
        parse_set("hold")
    with pytest.raises(EditError, match="not a number"):
        parse_set("hold=cheap")
    new, note = set_table(planning, "demand", [1, 2, 3, 4])
    assert note == "demand: [20.0, 30.0, 40.0, 25.0] -> [1, 2, 3, 4]"
    assert new.parameters[0].value == [1, 2, 3, 4]
    with pytest.raises(EditError, match="shape"):
        set_table(planning, "demand", [1, 2])


def test_edits_apply_in_order_and_a_bad_one_changes_nothing(planning) -> None:
    edits = [
        Edit(op="set_parameter", name="capacity", value=30),
        Edit(op="replace_constraint", name="plant", expression="make[t] <= capacity + 1"),
        Edit(op="add_constraint", name="cap_total", expression="sum(make[t] for t in T) <= 200"),
        Edit(op="remove_constraint", name="cap_total"),
    ]
    new, notes = apply_edits(planning, edits)
    assert notes[0] == "capacity: 35 -> 30"
    assert new.constraints[-1].expression == "make[t] <= capacity + 1"
    assert new.constraints[-1].for_all == "t in T"  # the row scope stays
    assert [c.name for c in new.constraints] == ["first_balance", "balance", "plant"]
    with pytest.raises(EditError, match="unknown symbol 'price'"):
        apply_edits(planning, [Edit(op="add_constraint", name="c", expression="price <= 3")])
    with pytest.raises(EditError, match="no variable named 'y'"):
        apply_edits(planning, [Edit(op="set_bound", name="y", bound="upper", value=1)])
    assert planning == load_formulation(PLANNING)  # frozen: the original never changes


def test_changes_and_explanations_are_computed(planning) -> None:
    """Only what every optimum shares is asserted: with hold 1 making early and storing ties
    with making later (many optimal vertices, and HiGHS versions pick different ones); with
    hold 2 the primal optimum is unique but degenerate, so its duals are not."""
    before = solve(planning)
    after_model, _ = apply_edits(planning, [Edit(op="set_parameter", name="hold", value=2)])
    after = solve(after_model)
    change = compare_solutions(before, after)
    assert change.objective == (710.0, 715.0)
    unique = {"make[1]": 20, "make[2]": 35, "make[3]": 35, "make[4]": 25, "stock[2]": 5}
    assert {k: v for k, v in after.values.items() if abs(v) > 1e-9} == pytest.approx(unique)
    for name, old, new in change.values:  # each listed change is real and ends at the optimum
        assert old == pytest.approx(before.values[name]) and new == pytest.approx(
            unique.get(name, 0)
        )
        assert abs(new - old) > 1e-9
    binding_after = {r.label for r in after.sensitivity.binding}
    binding_before = {r.label for r in before.sensitivity.binding}
    assert set(change.now_binding) == binding_after - binding_before
    assert set(change.now_slack) == binding_before - binding_after
    assert {"plant[t=2]", "plant[t=3]"} <= binding_after and "plant[t=1]" not in binding_after
    assert compare_solutions(after, after).unchanged
    # Strong duality holds for whichever duals the solver returns: b . y = objective.
    rows = linear_form(compile_formulation(after_model)).rows
    duals = [r.dual for r in after.sensitivity.rows]
    assert sum(row.rhs * y for row, y in zip(rows, duals, strict=True)) == pytest.approx(715.0)
    lines = explain_solution(after_model, after, subjects=["stock[3]"])
    assert lines[0] == "the optimum minimizes the objective at 715"
    cost = after.sensitivity.reduced_costs["stock[3]"]
    assert cost > 0  # at its bound, leaving it costs something in every optimum
    assert lines[1].startswith(f"stock[3] = 0, at its lower bound 0; its reduced cost is {cost:g}")
    dual3 = next(r.dual for r in after.sensitivity.rows if r.label == "plant[t=3]")
    assert dual3 < 0  # more capacity in period 3 always helps: make[3] is the cheapest source
    assert any(line.startswith(f"  plant[t=3]: dual {dual3:g}, so one more unit") for line in lines)
    assert "  plant[t=1]: slack 15" in lines


def test_milp_explanation_says_there_are_no_duals() -> None:
    knapsack = load_formulation(KNAPSACK)
    lines = explain_solution(knapsack, solve(knapsack))
    assert any("no duals" in line and "MILP" in line for line in lines)


def test_session_file_round_trip(planning, tmp_path) -> None:
    state = ChatState(formulation=planning, model="echo")
    state.solution = solve(planning)
    state.solved_formulation = planning.model_dump(mode="json")
    state.turns.append(Turn(index=1, text="/solve", route="command /solve", output="ok ```x```"))
    store = SessionStore(tmp_path / "run")
    store.save(state)
    store.append_turn(state.turns[0])
    back = store.load()
    assert back.formulation == planning and back.model == "echo"
    assert back.solution == state.solution  # sensitivity and reduced costs included
    assert not back.stale
    assert "````text\nok ```x```\n````" in store.transcript_path.read_text(encoding="utf-8")
