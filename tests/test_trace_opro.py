"""TraceOPRO on scripted replies (fakes, not model tests): golden meta-prompt, improving the
``numeric`` example, ignoring worse and malformed proposals, and generated replies."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from agent.errors import ConfigError
from agent.llm import LLM, Request, ScriptedFakeBackend
from agent.trace import backward, node
from agent.trace.examples import EXAMPLES, Setup, run_example
from agent.trace.optimizers import TraceOPRO
from tests._cli import run_cli
from tests._trace_support import llm_replies, scripted, typed_params

GOLDEN = Path(__file__).parent / "golden"


def line(slope: float, intercept: float) -> str:
    return json.dumps({"reasoning": "fit", "suggestion": {"slope": slope, "intercept": intercept}})


def numeric(llm: LLM) -> Setup:
    return EXAMPLES["numeric"][1](llm)


def feedback_round(setup: Setup, optimizer: TraceOPRO) -> None:
    optimizer.zero_feedback()
    _, pairs = setup.run()
    for output, text in pairs:
        backward(output, text)


def test_meta_prompt_matches_golden_best_last_and_top_k_cut() -> None:
    # scores: start (0.5, 0) -53.17, (1, 1) -27.67, (2, 1) -9.67, (0, 0) -70, (2.5, 2) -1.17
    replies = [line(1, 1), line(2, 1), line(0, 0), line(2.5, 2)]
    llm = scripted(*replies)
    setup = numeric(llm)
    optimizer = TraceOPRO(
        setup.module, llm=llm, evaluate=setup.score, n=1, top_k=3, instruction=setup.instruction
    )
    for _ in replies:
        feedback_round(setup, optimizer)
        optimizer.step()
    feedback_round(setup, optimizer)
    messages = optimizer.messages()
    text = "\n".join(f"=== {m.role} ===\n{m.content}" for m in messages) + "\n"
    golden = GOLDEN / "trace_opro_prompt.txt"
    if os.environ.get("OPTAGENT_UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
    shown = [row for row in text.splitlines() if row.startswith("score: ")]
    assert shown == ["score: -27.666667", "score: -9.666667", "score: -1.166667"]
    assert "slope=0.5" not in text.split("#Latest feedback")[0], "cut by top_k"
    assert "slope=0.0" not in text, "the worst trial is cut"
    assert "With slope=2.5, intercept=2.0:" in text
    assert "The mean squared error is 1.1667" in text


def test_duplicate_value_sets_are_shown_once() -> None:
    a = node(0.0, trainable=True, name="a")
    replies = [json.dumps({"suggestion": {"a": v}}) for v in (1.0, 1.0, 2.0)]
    optimizer = TraceOPRO([a], llm=scripted(*replies), evaluate=lambda: -abs(a.value - 3), n=1)
    for _ in replies:
        optimizer.step()
    assert [t.candidate["a"] for t in optimizer.shown_trials()] == [0.0, 1.0, 2.0]
    assert len(optimizer.trials) == 3, "the repeated 1.0 is a skipped duplicate, not re-scored"


def test_scripted_replies_improve_numeric_and_ignore_worse_or_malformed() -> None:
    replies = [
        line(1, 1),  # better: applied
        "I would make the line steeper.",  # no JSON: nothing changes
        line(0, 0),  # worse: scored and remembered, not applied
        json.dumps({"suggestion": {"slope": 2.5, "intercept": "two", "bias": 1}}),  # partial
        line(3, 2),  # perfect fit
    ]
    result = run_example("numeric", scripted(*replies), steps=6, n=1, optimizer="opro")
    assert result.before < -50
    assert result.after == 0.0
    assert result.values == {"slope": 3.0, "intercept": 2.0}
    assert result.steps == 5, "the loop stops once the feedback is empty"
    first, junk, worse, partial, perfect = result.reports
    assert first.applied == {"slope": 1.0, "intercept": 1.0}
    assert junk.applied == {} and "no JSON object" in junk.note
    assert worse.applied == {} and worse.note == "no candidate beat the best score"
    assert worse.scores == [-70.0] and worse.best_score == pytest.approx(-83 / 3)
    assert partial.applied == {"slope": 2.5}
    rejected = dict(partial.proposals[0].rejected)
    assert rejected["bias"] == "unknown parameter"
    assert "expected a number" in rejected["intercept"]
    assert perfect.applied == {"slope": 3.0, "intercept": 2.0}
    assert [r.best_score for r in result.reports] == sorted(r.best_score for r in result.reports)


def test_n_candidates_per_step_are_scored_and_the_best_applied() -> None:
    def by_sample(request: Request, index: int) -> str:
        return [line(2, 1), line(2.5, 2), "oops"][index]

    backend = ScriptedFakeBackend(by_sample)
    llm = LLM(backend)
    setup = numeric(llm)
    optimizer = TraceOPRO(setup.module, llm=llm, evaluate=setup.score, n=3, workers=3)
    feedback_round(setup, optimizer)
    report = optimizer.step()
    assert report.scores[:2] == [pytest.approx(-29 / 3), pytest.approx(-3.5 / 3)]
    assert report.scores[2] is None and report.proposals[2].error
    assert report.chosen == 1
    assert optimizer.values() == {"slope": 2.5, "intercept": 2.0}
    request = backend.requests[0][0]
    assert request.n == 3
    assert request.json_schema["properties"]["suggestion"]["required"] == ["slope", "intercept"]
    feedback_round(setup, optimizer)
    user = optimizer.messages()[0].content
    order = [user.index(f"values: {v}") for v in ("slope=0.5", "slope=2.0", "slope=2.5")]
    assert order == sorted(order), "worst first, best last"


def test_state_round_trips_through_json_and_bad_state_changes_nothing() -> None:
    # The scored history lives in the run's journal (core Run); the optimizer's own state is
    # the feedback memory its prompt shows.
    a = node(0.0, trainable=True, name="a")
    replies = [json.dumps({"suggestion": {"a": v}}) for v in (1.0, 5.0)]
    optimizer = TraceOPRO(
        [a], llm=scripted(*replies), evaluate=lambda: -abs(a.value - 3), n=1, memory=4
    )
    for remark in ("too low", "still too low"):
        optimizer.zero_feedback()
        backward(a + 0, remark)
        optimizer.step()
    state = json.loads(json.dumps(optimizer.state_dict()))
    assert [item["feedback"] for item in state["memory"]] == ["too low", "still too low"]
    assert optimizer.describe()["top_k"] == 10
    assert [t.candidate["a"] for t in optimizer.shown_trials()] == [0.0, 5.0, 1.0]
    b = node(0.0, trainable=True, name="a")
    restored = TraceOPRO([b], llm=scripted("{}"), evaluate=lambda: -abs(b.value - 3), n=1, memory=4)
    restored.load_state_dict(state)
    assert restored.state_dict() == state
    for bad in ({"memory": [{"settings": "a=1"}]}, {"memory": "all"}, {"memory": [1]}, [1]):
        with pytest.raises(ConfigError, match="state"):
            restored.load_state_dict(bad)  # type: ignore[arg-type]  # the point: a list must be refused
    assert restored.state_dict() == state


def test_constructor_validates_options() -> None:
    a = node(1.0, trainable=True)
    with pytest.raises(ConfigError, match="needs evaluate"):
        TraceOPRO([a], llm=scripted("{}")).step()  # core runs score with a TraceObjective
    with pytest.raises(ConfigError, match="top_k"):
        TraceOPRO([a], llm=scripted("{}"), evaluate=lambda: 0.0, top_k=0)
    with pytest.raises(ConfigError, match="n must be"):
        TraceOPRO([a], llm=scripted("{}"), evaluate=lambda: 0.0, n=0)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reply=llm_replies)
def test_a_thousand_generated_replies_never_crash_and_keep_values_typed(reply: str) -> None:
    params = typed_params()

    def objective() -> float:
        return -abs(params["a"].value - 2) - abs(params["n"].value - 5) - params["hp"].value["lr"]

    optimizer = TraceOPRO(params, llm=scripted(reply), evaluate=objective, n=2, workers=1)
    report = optimizer.step()
    assert set(report.applied) <= set(params)
    assert report.best_score == max(t.score for t in optimizer.trials)
    assert objective() == report.best_score
    for proposal in report.proposals:
        assert (proposal.error is None) == bool(proposal.values)
    assert type(params["a"].value) is float and math.isfinite(params["a"].value)
    assert type(params["n"].value) is int
    assert type(params["flag"].value) is bool
    assert set(params["hp"].value) == {"lr", "name"}
    assert isinstance(params["tags"].value, list)
    assert "def f(" in params["code"].value


def test_cli_runs_an_example_with_the_opro_optimizer(tmp_path: Path) -> None:
    base = ["trace", "example", "numeric", "--model", "echo"]
    ran = run_cli(*base, "--optimizer", "opro", "--steps", "1", "-n", "1", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert "score before -53.17, after -53.17" in ran.stdout
    assert "step 1: changed nothing" in ran.stderr
    bad = run_cli(*base, "--optimizer", "sgd", cwd=tmp_path)
    assert bad.returncode == 2
    assert "unknown optimizer 'sgd'; choose one of directional, optoprime, opro" in bad.stderr
    assert "Traceback" not in bad.stderr
