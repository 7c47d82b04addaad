"""MLflow tracking against a local tracking store: the logged metrics equal the journal's."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from agent.core import JsonlRunStore
from agent.errors import ConfigError
from agent.tracking import follow_run, log_run
from tests._cli import run_cli
from tests._runs_support import GatedRun, scripted_run

pytest.importorskip("mlflow")
from mlflow.tracking import MlflowClient


@pytest.fixture(scope="module")
def uri(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One SQLite tracking store for the module (creating its tables takes seconds)."""
    folder = tmp_path_factory.mktemp("mlruns")
    return f"sqlite:///{folder / 'mlflow.db'}"


def _history(client: MlflowClient, run_id: str, key: str) -> list[tuple[int, float]]:
    return sorted((m.step, m.value) for m in client.get_metric_history(run_id, key))


def _journal(run: Path) -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
    """(position, score) of each scored trial, and the best so far after each."""
    scores, best, curve = [], None, []
    for i, trial in enumerate(JsonlRunStore(run).load_trials()):
        if trial.ok:
            scores.append((i, trial.score))
            best = trial.score if best is None else max(best, trial.score)
            curve.append((i, best))
    return scores, curve


def test_logged_metrics_equal_the_journal(tmp_path: Path, uri: str) -> None:
    scripted_run(tmp_path / "run", steps=5)
    run_id = log_run(tmp_path / "run", tracking_uri=uri, experiment="tests")
    client = MlflowClient(tracking_uri=uri)
    scores, curve = _journal(tmp_path / "run")
    assert _history(client, run_id, "score") == scores
    assert _history(client, run_id, "best_so_far") == curve
    run = client.get_run(run_id)
    assert run.info.status == "FINISHED"
    assert run.data.params["optimizer.name"] == "random"
    assert run.data.tags["optagent.kind"] == "optimize"
    assert run.data.metrics["best"] == curve[-1][1]
    names = {a.path for a in client.list_artifacts(run_id)}
    assert {"config.json", "best_candidate.txt", "plots"} <= names


def test_following_a_run_logs_trials_while_it_runs(tmp_path: Path, uri: str) -> None:
    client = MlflowClient(tracking_uri=uri)
    run = tmp_path / "live"
    with follow_run(run, tracking_uri=uri, experiment="tests", poll_s=0.2) as logger:
        live = GatedRun(run, steps=3)
        try:
            live.release(3)
            deadline = time.monotonic() + 900  # generous: CI machines may be loaded
            while logger.run_id is None or len(_history(client, logger.run_id, "score")) < 3:
                assert time.monotonic() < deadline, "the follower logged nothing mid-run"
                time.sleep(0.2)
            assert client.get_run(logger.run_id).info.status == "RUNNING"
        finally:
            live.stop()
    assert not logger.error
    scores, curve = _journal(run)
    assert _history(client, logger.run_id, "score") == scores
    assert _history(client, logger.run_id, "best_so_far") == curve
    assert client.get_run(logger.run_id).info.status == "FINISHED"


def test_a_folder_that_is_not_a_run_is_refused(tmp_path: Path, uri: str) -> None:
    with pytest.raises(ConfigError, match="not a run folder"):
        log_run(tmp_path, tracking_uri=uri, experiment="tests")


def test_eval_run_with_tracking_flag(tmp_path: Path, uri: str) -> None:
    """`optagent eval run --tracking mlflow`: the CLI hook, on a real eval run."""
    from tests._eval_support import write_dataset

    data, oracle = write_dataset(tmp_path, 4, wrong=(2,))
    done = run_cli(
        "eval", "run", "--dataset", str(data), "--model", f"oracle:{oracle}", "--out", "run",
        "--no-progress", "--no-cache", "--tracking", "mlflow",
        cwd=tmp_path,
        env_extra={"MLFLOW_TRACKING_URI": uri},
        timeout=1800,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "logged to MLflow run" in done.stderr
    run_id = done.stderr.split("logged to MLflow run ")[1].split()[0]
    client = MlflowClient(tracking_uri=uri)
    records = [t.artifacts for t in JsonlRunStore(tmp_path / "run").load_trials()]
    correct = [(i, float(r["correct"])) for i, r in enumerate(records)]
    assert _history(client, run_id, "correct") == correct
    assert correct[2] == (2, 0.0)
    accuracy = _history(client, run_id, "accuracy")
    assert accuracy[-1] == (4, sum(v for _, v in correct) / 4)
