"""`optagent chat`, the natural-language route: a new problem in words, a what-if in words and a
why-question, against the scripted model server (``fake_openai_server``, a fake that replays
scripted replies over real HTTP). Checks that a follow-up edits the model and never
re-formulates it."""

from __future__ import annotations

import json
from pathlib import Path

from tests._cli import run_cli
from tests.fakes.openai_server import FakeOpenAIServer

PROBLEM = (
    "A workshop makes doors and windows. A door earns 3 and a window 5. Plant 1 has 4 hours, "
    "plant 2 has 12 hours and plant 3 has 18 hours. A door takes 1 hour in plant 1 and 3 hours "
    "in plant 3; a window takes 2 hours in plant 2 and 2 hours in plant 3. Maximize profit."
)
FORMULATION = json.dumps(
    {
        "name": "wyndor",
        "parameters": [{"name": "plant3_hours", "value": 18}],
        "variables": [{"name": "doors"}, {"name": "windows"}],
        "objective": {"sense": "maximize", "expression": "3*doors + 5*windows"},
        "constraints": [
            {"name": "plant1", "expression": "doors <= 4"},
            {"name": "plant2", "expression": "2*windows <= 12"},
            {"name": "plant3", "expression": "3*doors + 2*windows <= plant3_hours"},
        ],
    }
)
EDIT = json.dumps(
    {"edits": [{"op": "replace_constraint", "name": "plant2", "expression": "2*windows <= 14"}]}
)
PHRASING = "Doors stay below 4 because plant 3 is full."


def _chat(server: FakeOpenAIServer, tmp_path: Path, turns: list[str]) -> tuple[str, dict]:
    script = tmp_path / "turns.txt"
    script.write_text("\n".join(turns) + "\n", encoding="utf-8")
    out = tmp_path / "session"
    result = run_cli(
        "chat",
        "--script",
        str(script),
        "--out",
        str(out),
        "--model",
        f"openai:fake@{server.url}",
        "--no-cache",
        cwd=tmp_path,
        env_extra={"OPENAI_API_KEY": "test-key-not-secret"},
    )
    assert result.returncode == 0, result.stderr + result.stdout
    state = json.loads((out / "session.json").read_text(encoding="utf-8"))
    return " ".join(result.stdout.split()), state


def test_new_problem_then_whatif_edits_instead_of_reformulating(
    fake_openai_server: FakeOpenAIServer, tmp_path: Path
) -> None:
    fake_openai_server.set_replies([FORMULATION, EDIT, PHRASING])
    stdout, state = _chat(
        fake_openai_server,
        tmp_path,
        [
            PROBLEM,
            "what if the second plant had 14 hours instead?",
            "what if plant3_hours is 20?",
            "why are doors below 4?",
        ],
    )
    requests = fake_openai_server.requests
    # formulate (1), the model's edit (2), the phrasing of the computed answer (3); the second
    # what-if is read by the rules and costs no call.
    assert len(requests) == 3
    first = json.dumps(requests[0].body["messages"])
    edit_request = json.dumps(requests[1].body["messages"])
    assert "Maximize profit" in first
    assert "The user's request: what if the second plant had 14 hours instead?" in edit_request
    assert "smallest list of edits" in edit_request
    assert "Maximize profit" not in edit_request  # the problem text is not formulated again
    schema = requests[1].body["response_format"]["json_schema"]["schema"]
    assert "edits" in schema["properties"]
    assert requests[2].body.get("stream") is True

    assert "edited (by the model" in stdout and "2*windows <= 12 -> 2*windows <= 14" in stdout
    assert "checked and applied by code" in stdout
    assert "edited (by rules, no model call)" in stdout and "plant3_hours: 18 -> 20" in stdout
    assert "what changed" in stdout
    assert "why (computed from the solution)" in stdout and PHRASING in stdout

    routes = [t["route"] for t in state["turns"]]
    assert routes == ["new_problem", "edit", "edit", "explain"]
    constraints = {c["name"]: c["expression"] for c in state["formulation"]["constraints"]}
    assert constraints["plant2"] == "2*windows <= 14"
    assert state["formulation"]["parameters"][0]["value"] == 20
    assert len(state["answer"]["chains"]) == 1  # the one formulation from turn 1, kept
    # plant2: windows <= 7; plant3: 3 doors + 2 windows <= 20 -> doors = 2, objective 41.
    assert abs(state["solution"]["objective"] - 41.0) < 1e-6
    assert abs(state["previous"]["objective"] - 39.0) < 1e-6
    transcript = (tmp_path / "session" / "transcript.md").read_text(encoding="utf-8")
    assert "## Turn 2 (edit," in transcript and "> what if the second plant" in transcript


def test_unusable_model_edit_is_reported_and_the_model_kept(
    fake_openai_server: FakeOpenAIServer, tmp_path: Path
) -> None:
    fake_openai_server.set_replies([FORMULATION, "I think you should buy more windows."])
    stdout, state = _chat(
        fake_openai_server, tmp_path, [PROBLEM, "what if the second plant had 14 hours?"]
    )
    assert "did not return a usable edit" in stdout and "formulation is unchanged" in stdout
    constraints = {c["name"]: c["expression"] for c in state["formulation"]["constraints"]}
    assert constraints["plant2"] == "2*windows <= 12"
    assert abs(state["solution"]["objective"] - 36.0) < 1e-6


def test_model_that_cannot_formulate_is_reported_honestly(
    fake_openai_server: FakeOpenAIServer, tmp_path: Path
) -> None:
    fake_openai_server.set_replies(["maximize profit by making doors"])
    stdout, state = _chat(fake_openai_server, tmp_path, [PROBLEM, "/why"])
    assert "did not write a usable formulation" in stdout
    assert "no formulation yet" in stdout
    assert state["formulation"] is None


def test_unsure_turn_is_classified_by_the_model(
    fake_openai_server: FakeOpenAIServer, tmp_path: Path
) -> None:
    fake_openai_server.set_replies([FORMULATION, '{"intent": "explain"}', PHRASING])
    stdout, state = _chat(fake_openai_server, tmp_path, [PROBLEM, "tell me about plant3"])
    assert "(the model openai:fake@" in stdout and "read this as: explain)" in stdout
    assert "why (computed from the solution)" in stdout
    assert [t["route"] for t in state["turns"]] == ["new_problem", "unsure->explain"]


def test_optimize_a_prompt_from_the_chat(
    fake_openai_server: FakeOpenAIServer, tmp_path: Path
) -> None:
    data = tmp_path / "sums.jsonl"
    rows = [{"question": f"What is {i} + {i}?", "answer": str(2 * i)} for i in range(1, 13)]
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")

    def reply(body: dict) -> str:  # a fake that answers sums right: the scores are known
        text = str(body["messages"][-1]["content"])
        numbers = [int(n) for n in text.replace("?", " ").split() if n.isdigit()]
        return str(numbers[-1] * 2) if numbers else "0"

    fake_openai_server.set_replies(reply)
    stdout, state = _chat(
        fake_openai_server, tmp_path, [f'optimize the prompt "Add the numbers." on {data}']
    )
    assert "optimizing the prompt for sums.jsonl (exemplars" in stdout
    assert "prompt optimization: sums / exemplars" in stdout
    assert state["turns"][0]["route"] == "optimize_prompt"
    run = tmp_path / "session" / "prompt-1"
    assert (run / "result.json").is_file() and (run / "report.md").is_file()


def test_refused_model_edit_and_a_short_new_problem_are_reported(
    fake_openai_server: FakeOpenAIServer, tmp_path: Path
) -> None:
    bad_edit = json.dumps({"edits": [{"op": "set_parameter", "name": "plant2", "value": 14}]})
    fake_openai_server.set_replies([FORMULATION, bad_edit, '{"intent": "new_problem"}'])
    stdout, state = _chat(
        fake_openai_server, tmp_path, [PROBLEM, "what if the second plant had 14 hours?", "more"]
    )
    assert "proposed: set_parameter plant2 = 14.0. That edit could not be applied" in stdout
    assert "no parameter named 'plant2' (the model has: plant3_hours)" in stdout
    assert "too short to be a whole problem, so nothing was formulated" in stdout
    assert len(fake_openai_server.requests) == 3  # no second formulation
    assert state["formulation"]["name"] == "wyndor"
