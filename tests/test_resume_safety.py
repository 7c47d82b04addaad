"""Resume refuses a run directory written by another optimizer, task or config, and says
what differs; ``force=True`` overrides; the fingerprint ignores what a resume may change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.core import JsonlRunStore, Run, config_fingerprint
from agent.errors import ConfigError, OptagentError
from agent.optimizers import RandomSearch


def search(seed: int = 1, per_step: int = 3) -> RandomSearch:
    return RandomSearch(lambda r: r.randint(0, 10**6), candidates_per_step=per_step, seed=seed)


class Other(RandomSearch):
    name = "other"


def first_run(directory: Path) -> dict:
    Run(float, search(), store=directory, steps=2, config={"task": "sum"}).optimize()
    return json.loads((directory / "config.json").read_text())


def test_config_json_records_a_stable_fingerprint(tmp_path: Path) -> None:
    config = first_run(tmp_path / "r")
    assert config["fingerprint"] == config_fingerprint(config)
    assert len(config["fingerprint"]) == 16
    again = first_run(tmp_path / "s")
    assert again["fingerprint"] == config["fingerprint"], "same request, same fingerprint"


def test_resume_refuses_another_optimizer_and_names_both(tmp_path: Path) -> None:
    config = first_run(tmp_path / "r")
    other = Other(lambda r: 1, candidates_per_step=3, seed=1)
    with pytest.raises(OptagentError) as caught:
        Run.resume(tmp_path / "r", float, other)
    message = str(caught.value)
    assert isinstance(caught.value, ConfigError)
    fingerprint = config["fingerprint"]
    assert f"was written by optimizer 'random' with config fingerprint {fingerprint}" in message
    assert "this run is 'other'" in message
    assert "optimizer.name: 'random' -> 'other'" in message
    assert "--name" in message and "force=True" in message


def test_resume_refuses_other_settings_or_task(tmp_path: Path) -> None:
    first_run(tmp_path / "r")
    with pytest.raises(ConfigError, match=r"optimizer\.seed: 1 -> 2"):
        Run.resume(tmp_path / "r", float, search(seed=2))
    with pytest.raises(ConfigError, match=r"optimizer\.candidates_per_step: 3 -> 4"):
        Run.resume(tmp_path / "r", float, search(per_step=4))
    with pytest.raises(ConfigError, match=r"task: 'sum' -> 'product'"):
        Run.resume(tmp_path / "r", float, search(), config={"task": "product"})
    before = (tmp_path / "r" / "trials.jsonl").read_text()
    assert (tmp_path / "r" / "trials.jsonl").read_text() == before, "a refusal changes nothing"


def test_resume_with_the_same_setup_and_more_steps_or_budget_is_accepted(tmp_path: Path) -> None:
    config = first_run(tmp_path / "r")
    result = Run.resume(
        tmp_path / "r", float, search(), steps=3, config={"task": "sum", "budget": {"calls": 9}}
    ).optimize()
    assert {t.step for t in result.trials} == {0, 1, 2}
    stored = json.loads((tmp_path / "r" / "config.json").read_text())
    assert stored["fingerprint"] == config["fingerprint"] and stored["steps"] == 3


def test_force_continues_and_records_the_new_fingerprint(tmp_path: Path) -> None:
    config = first_run(tmp_path / "r")
    Run.resume(tmp_path / "r", float, search(seed=2), steps=3, force=True).optimize()
    stored = json.loads((tmp_path / "r" / "config.json").read_text())
    assert stored["optimizer"]["seed"] == 2
    assert stored["fingerprint"] != config["fingerprint"]
    Run.resume(tmp_path / "r", float, search(seed=2), steps=4).optimize()  # now it matches


def test_runs_written_before_fingerprints_still_resume(tmp_path: Path) -> None:
    first_run(tmp_path / "r")
    path = tmp_path / "r" / "config.json"
    legacy = json.loads(path.read_text())
    del legacy["fingerprint"]
    path.write_text(json.dumps(legacy))
    Run.resume(tmp_path / "r", float, search(), steps=3).optimize()
    with pytest.raises(ConfigError, match="seed"):
        Run.resume(tmp_path / "r", float, search(seed=5))


def test_a_fresh_run_with_force_starts_over(tmp_path: Path) -> None:
    first_run(tmp_path / "r")
    (tmp_path / "r" / "cache.sqlite").write_bytes(b"kept")
    result = Run(
        float, Other(lambda r: 7, candidates_per_step=1), store=tmp_path / "r", steps=1, force=True
    ).optimize()
    assert [t.candidate for t in result.trials] == [7]
    assert [t.candidate for t in JsonlRunStore(tmp_path / "r").load_trials()] == [7]
    assert (tmp_path / "r" / "cache.sqlite").read_bytes() == b"kept"
