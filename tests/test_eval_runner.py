"""The eval runner: the same records from every executor, per-item timeouts, resume, budgets."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.errors import ConfigError
from agent.llm import Budget
from evals.datasets import load_items
from evals.runner import TIMEOUT, AgentSettings, run_eval, select_items
from tests._eval_support import journal_ids, stable, write_dataset

HAS_RAY = importlib.util.find_spec("ray") is not None
EXECUTORS = [
    "thread",
    "process",
    pytest.param("ray", marks=pytest.mark.skipif(not HAS_RAY, reason="ray is not installed")),
]


@pytest.fixture(scope="module")
def ray_instance() -> Iterator[None]:
    """One small local Ray instance for the module's Ray tests (2 CPUs, 100 MB store)."""
    if not HAS_RAY:
        yield
        return
    import ray

    from evals.runner import start_ray

    start_ray(cpus=2, object_store_mb=100)
    try:
        yield
    finally:
        ray.shutdown()


@pytest.fixture
def executor(request: pytest.FixtureRequest) -> str:
    name = request.param
    if name == "ray":
        request.getfixturevalue("ray_instance")
    return name


def _run(tmp_path: Path, data: Path, oracle: Path, name: str, **options: object):
    items = load_items(data)
    return run_eval(
        items,
        out=tmp_path / name,
        settings=AgentSettings(f"oracle:{oracle}"),
        mode="mamo",
        dataset=str(data),
        **options,  # type: ignore[arg-type]  # keyword options of mixed types, per test
    )


@pytest.mark.parametrize("executor", EXECUTORS, indirect=True)
def test_executors_give_the_same_records(tmp_path: Path, executor: str) -> None:
    data, oracle = write_dataset(tmp_path, 6, wrong=(2,))
    reference = _run(tmp_path, data, oracle, "reference", executor="thread", workers=1)
    result = _run(tmp_path, data, oracle, "run", executor=executor, workers=2)
    assert result.status == "finished"
    assert stable(result.records) == stable(reference.records)
    by_id = {r["id"]: r for r in result.records}
    assert [by_id[str(i)]["correct"] for i in range(6)] == [True, True, False, True, True, True]
    assert by_id["2"]["failure"] == "wrong_value"
    record = by_id["0"]
    assert record["formulation"]["objective"]["sense"] in ("maximize", "minimize")
    assert record["rounds"] == [[{"status": "optimal", "error": ""}]]
    assert record["calls"] == 1 and record["tokens"] > 0
    assert record["prediction"]["status"] == "optimal"
    assert sorted(journal_ids(result.directory)) == [str(i) for i in range(6)]


@pytest.mark.parametrize("executor", EXECUTORS, indirect=True)
def test_a_slow_item_times_out_and_the_run_goes_on(tmp_path: Path, executor: str) -> None:
    data, oracle = write_dataset(tmp_path, 4, delays={1: 60.0})
    result = _run(tmp_path, data, oracle, "run", executor=executor, workers=2, item_timeout=3.0)
    by_id = {r["id"]: r for r in result.records}
    assert result.status == "finished" and len(by_id) == 4
    assert by_id["1"]["failure"] == TIMEOUT and not by_id["1"]["correct"]
    assert "timeout" in by_id["1"]["error"]
    assert all(by_id[i]["correct"] for i in ("0", "2", "3"))
    trials = [json.loads(x) for x in (result.directory / "trials.jsonl").read_text().splitlines()]
    assert {t["candidate"]: t["status"] for t in trials}["1"] == "failed"


def test_resume_runs_only_the_missing_items(tmp_path: Path) -> None:
    data, oracle = write_dataset(tmp_path, 6)
    items = load_items(data)
    settings = AgentSettings(f"oracle:{oracle}")
    first = run_eval(
        select_items(items, limit=2),
        out=tmp_path / "run",
        settings=settings,
        mode="mamo",
        dataset=str(data),
        selection={"limit": 2},
    )
    assert [r["id"] for r in first.records] == ["0", "1"]
    with pytest.raises(ConfigError, match="--resume"):
        run_eval(items, out=tmp_path / "run", settings=settings, mode="mamo", dataset=str(data))
    # A torn last line (a kill mid-append) is dropped; its item runs again.
    with open(tmp_path / "run" / "trials.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"number": 2, "step": 0, "candidate": "2", "artif')
    second = run_eval(
        items,
        out=tmp_path / "run",
        settings=settings,
        mode="mamo",
        dataset=str(data),
        resume=True,
    )
    assert second.skipped == 2
    assert journal_ids(tmp_path / "run") == ["0", "1", "2", "3", "4", "5"]
    assert second.records[:2] == first.records


def test_resume_refuses_other_settings(tmp_path: Path) -> None:
    data, oracle = write_dataset(tmp_path, 2)
    items = load_items(data)
    run_eval(
        items,
        out=tmp_path / "run",
        settings=AgentSettings(f"oracle:{oracle}"),
        mode="mamo",
        dataset=str(data),
    )
    with pytest.raises(ConfigError, match="votes"):
        run_eval(
            items,
            out=tmp_path / "run",
            settings=AgentSettings(f"oracle:{oracle}", votes=3),
            mode="mamo",
            dataset=str(data),
            resume=True,
        )
    with pytest.raises(ConfigError, match="mode"):
        run_eval(
            items,
            out=tmp_path / "run",
            settings=AgentSettings(f"oracle:{oracle}"),
            mode="strict",
            dataset=str(data),
            resume=True,
        )


@pytest.mark.parametrize("executor", ["thread", "process"])
def test_a_call_budget_stops_the_run_within_it(tmp_path: Path, executor: str) -> None:
    data, oracle = write_dataset(tmp_path, 6)
    result = _run(
        tmp_path,
        data,
        oracle,
        "run",
        executor=executor,
        workers=2,
        budget=Budget(max_calls=3),
    )
    assert result.status == "stopped"
    assert sum(r["calls"] for r in result.records) <= 3
    assert 1 <= len(result.records) < 6


def test_sample_is_seeded_and_kept_in_file_order(tmp_path: Path) -> None:
    data, _ = write_dataset(tmp_path, 6)
    items = load_items(data)
    a = select_items(items, sample=3, seed=4)
    assert [i.id for i in a] == [i.id for i in select_items(items, sample=3, seed=4)]
    assert [i.id for i in a] == sorted((i.id for i in a), key=int)
    assert [i.id for i in select_items(items, sample=3, seed=4, limit=2)] == [i.id for i in a][:2]
    with pytest.raises(ConfigError, match="sample"):
        select_items(items, sample=0)


def test_the_gold_never_reaches_a_job(tmp_path: Path) -> None:
    from dataclasses import fields

    from evals.runner import Job

    assert {f.name for f in fields(Job)} == {"id", "question", "quantities", "settings", "budget"}
