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
PHRASING = "Doors stay low because plant2 and plant3 are full."
DECIDE_WHY = '{"intent": "why", "target": "plant3"}'


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


def test_new_problem_then_whatifs_edit_instead_of_reformulating(
    fake_openai_server: FakeOpenAIServer, tmp_path: Path
) -> None:
    fake_openai_server.set_replies([FORMULATION, PHRASING])
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
    # formulate (1) and the phrasing of the computed answer (2); both what-ifs are read by the
    # rules (the second plant's right-hand side, a named parameter) and cost no call.
    assert len(requests) == 2
    assert "Maximize profit" in json.dumps(requests[0].body["messages"])
    assert "Maximize profit" not in json.dumps(requests[1].body["messages"])
    assert "what if (by rules: a what-if on plant2; no model call)" in stdout
    assert "plant2: right-hand side 12 -> 14" in stdout and "plant3_hours: 18 -> 20" in stdout
    assert "what changed" in stdout and "verified against every constraint" in stdout
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
    assert len(state["undo"]) == 2
    transcript = (tmp_path / "session" / "transcript.md").read_text(encoding="utf-8")
    assert "## Turn 2 (edit," in transcript and "> what if the second plant" in transcript


def test_a_rephrasing_with_a_number_not_in_the_facts_is_dropped(
    fake_openai_server: FakeOpenAIServer, tmp_path: Path
) -> None:
    fake_openai_server.set_replies([FORMULATION, "Doors are 7 because windows pay 11."])
    stdout, state = _chat(fake_openai_server, tmp_path, [PROBLEM, "why are doors below 4?"])
    assert "why (computed from the solution)" in stdout
    assert "the model's rephrasing was dropped" in stdout
    assert "pay 11" not in stdout
    assert abs(state["solution"]["objective"] - 36.0) < 1e-6


def test_model_that_cannot_formulate_is_reported_honestly(
    fake_openai_server: FakeOpenAIServer, tmp_path: Path
) -> None:
    fake_openai_server.set_replies(["maximize profit by making doors"])
    stdout, state = _chat(fake_openai_server, tmp_path, [PROBLEM, "/why"])
    assert "did not write a usable formulation" in stdout
    assert "no formulation yet" in stdout
    assert state["formulation"] is None


def test_unsure_turn_is_a_choice_among_enums(
    fake_openai_server: FakeOpenAIServer, tmp_path: Path
) -> None:
    fake_openai_server.set_replies([FORMULATION, DECIDE_WHY, PHRASING])
    stdout, state = _chat(fake_openai_server, tmp_path, [PROBLEM, "tell me about plant3"])
    schema = fake_openai_server.requests[1].body["response_format"]["json_schema"]["schema"]
    assert "whatif" in schema["properties"]["intent"]["enum"]
    assert schema["properties"]["target"]["enum"] == [
        "plant3_hours", "doors", "windows", "plant1", "plant2",
        "doors.upper", "doors.lower", "windows.upper", "windows.lower", "plant3", "none",
    ]  # fmt: skip
    assert "read this as: why, about plant3)" in stdout
    assert "why (computed from the solution)" in stdout and "plant3 binds" in stdout
    assert [t["route"] for t in state["turns"]] == ["new_problem", "unsure->why"]


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


def test_a_model_chosen_edit_is_asked_back_and_a_short_new_problem_refused(
    fake_openai_server: FakeOpenAIServer, tmp_path: Path
) -> None:
    fake_openai_server.set_replies(
        [
            FORMULATION,
            '{"intent": "whatif", "target": "plant2"}',
            '{"intent": "new_problem", "target": "none"}',
        ]
    )
    stdout, state = _chat(
        fake_openai_server, tmp_path, [PROBLEM, "could the second shop get 14", "more"]
    )
    assert "Do you mean: set the right-hand side of constraint plant2 (now 12) to 14?" in stdout
    assert "I am not sure what you ask for" in stdout
    assert len(fake_openai_server.requests) == 3  # no second formulation
    assert state["formulation"]["name"] == "wyndor"
    constraints = {c["name"]: c["expression"] for c in state["formulation"]["constraints"]}
    assert constraints["plant2"] == "2*windows <= 12"  # offered, not applied
