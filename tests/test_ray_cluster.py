"""The eval runner's Ray executor on a two-node local cluster (one CPU per node): a worker node
killed while it runs an item costs that item alone, which is recorded as failed; no item is lost
or scored twice, and the other node finishes the rest."""

from __future__ import annotations

import importlib.util
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.llm.backends._oracle import NO_MATCH_REPLY
from evals.datasets import load_items
from evals.runner import AgentSettings, run_eval
from tests._eval_support import journal_ids, write_dataset

pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="ray is not installed"),
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)"),
]
ROOT = Path(__file__).resolve().parents[1]
N, HELD = 5, 2


@pytest.fixture
def cluster() -> Iterator[Any]:
    """A head node with no CPUs (the driver's) and two worker nodes of one CPU each, with short
    health checks; shut down however the test ends, so no Ray stays behind for other tests."""
    import ray
    from ray.cluster_utils import Cluster

    if ray.is_initialized():
        ray.shutdown()  # a module's own instance: this test needs to drive its cluster
    cluster = Cluster(initialize_head=False)
    try:  # the head is added inside, so a node that fails to start is shut down too
        cluster.add_node(
            num_cpus=0,
            include_dashboard=False,
            object_store_memory=80 * 1024 * 1024,
            _system_config={
                "health_check_initial_delay_ms": 0,
                "health_check_period_ms": 500,
                "health_check_failure_threshold": 3,
            },
        )
        for _ in range(2):
            cluster.add_node(num_cpus=1, object_store_memory=80 * 1024 * 1024)
        path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
        ray.init(
            address=cluster.address,
            runtime_env={"env_vars": {"PYTHONPATH": path}},
            include_dashboard=False,
            log_to_driver=False,
            configure_logging=False,
        )
        cluster.wait_for_nodes()
        yield cluster
    finally:
        ray.shutdown()
        cluster.shutdown()


def _ancestors(pid: int) -> set[int]:
    """Process ids above ``pid`` (Linux: read from /proc)."""
    out: set[int] = set()
    while pid > 1:
        stat = Path(f"/proc/{pid}/stat").read_text()
        pid = int(stat.rsplit(")", 1)[1].split()[1])  # the field after the state: the parent
        out.add(pid)
    return out


def _node_running(cluster: Any, pid: int) -> Any:
    """The worker node whose raylet started the worker process ``pid``."""
    ancestors = _ancestors(pid)
    for node in cluster.worker_nodes:
        raylets = node.all_processes.get("raylet", [])
        if any(info.process.pid in ancestors for info in raylets):
            return node
    raise AssertionError(f"no worker node of the cluster runs process {pid}")


def test_a_worker_node_killed_mid_item_loses_no_item_and_scores_none_twice(
    tmp_path: Path, cluster: Any
) -> None:
    started, release = tmp_path / "started", tmp_path / "release"
    faults = {HELD: {"started_file": str(started), "hold_until": str(release)}}
    data, oracle = write_dataset(tmp_path, N, faults=faults)
    killed: list[Any] = []

    def kill_the_node_running_the_held_item() -> None:
        deadline = time.monotonic() + 120
        while not started.exists() or not started.read_text():
            if time.monotonic() > deadline:
                release.write_text("give up")  # let the run end; the asserts below fail
                return
            time.sleep(0.05)
        node = _node_running(cluster, int(started.read_text()))
        cluster.remove_node(node, allow_graceful=False)
        killed.append(node)

    killer = threading.Thread(target=kill_the_node_running_the_held_item, daemon=True)
    killer.start()
    try:
        result = run_eval(
            load_items(data),
            out=tmp_path / "run",
            settings=AgentSettings(f"oracle:{oracle}"),
            mode="mamo",
            dataset=str(data),
            executor="ray",
            workers=2,
            item_timeout=120.0,
        )
    finally:
        release.write_text("done")
        killer.join(timeout=30)
    assert killed, "the held item's worker node was never killed"
    assert result.status == "finished"
    ids = [r["id"] for r in result.records]
    assert sorted(ids) == [str(i) for i in range(N)], "every item has exactly one record"
    assert sorted(journal_ids(result.directory)) == sorted(ids), "journaled exactly once each"
    by_id = {r["id"]: r for r in result.records}
    held = by_id[str(HELD)]
    assert not held["correct"] and held["failure"] == "agent_error"
    assert any(word in held["error"] for word in ("Died", "Crashed", "died", "crashed"))
    assert all(by_id[str(i)]["correct"] for i in range(N) if i != HELD)
    assert NO_MATCH_REPLY not in str(result.records)
