"""bench_llambo's harness on the scripted HPO fake: cells, resume, the table and its regret."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.bench.bench_llambo import TASKS, build_table, main, normalized_regret
from tests.fakes.hpo import hpo_fake_replies
from tests.fakes.openai_server import FakeOpenAIServer


def test_normalized_regret_is_zero_at_the_optimum_and_one_at_the_reference() -> None:
    values = [5.0, 3.0, 1.0]
    assert normalized_regret(values, 1, optimum=1.0, reference=5.0) == 1.0
    assert normalized_regret(values, 3, optimum=1.0, reference=5.0) == 0.0
    assert normalized_regret(values, 2, optimum=1.0, reference=5.0) == pytest.approx(0.5)
    assert normalized_regret(values, 2, optimum=1.0, reference=1.0) == 0.0


def test_functions_reach_their_known_optima() -> None:
    class Fixed:
        def __init__(self, x: dict[str, float]) -> None:
            self.x = x

        def suggest_float(self, name: str, low: float, high: float) -> float:
            return self.x[name]

    assert TASKS["branin"].objective(Fixed({"x1": 3.14159, "x2": 2.275})) == pytest.approx(
        0.397887, abs=1e-4
    )
    h6 = dict(
        zip(
            [f"x{i}" for i in range(1, 7)],
            [0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573],
            strict=True,
        )
    )
    assert TASKS["hartmann6"].objective(Fixed(h6)) == pytest.approx(-3.32237, abs=1e-4)
    ones = {f"x{i}": 1.0 for i in range(1, 5)}
    assert TASKS["rosenbrock"].objective(Fixed(ones)) == 0.0


def test_a_smoke_run_writes_cells_and_table_and_resumes(tmp_path: Path) -> None:
    args = [
        "--model",
        "scripted",
        "--tasks",
        "branin",
        "--seeds",
        "2",
        "--trials",
        "8",
        "--checkpoints",
        "4,8",
        "--out",
        str(tmp_path),
    ]
    assert main(args) == 0
    cells = json.loads((tmp_path / "cells.json").read_text())
    assert len(cells) == 6 and all(len(c["values"]) == 8 for c in cells.values())
    table = json.loads((tmp_path / "table.json").read_text())
    branin = table["tasks"]["branin"]
    assert set(branin["samplers"]) == {"llm", "random", "tpe"}
    assert all(f >= 0.5 for f in branin["llm_fraction"])  # the fallback is not doing the work
    assert set(branin["ratios"]) == {"4", "8"}

    before = (tmp_path / "cells.json").read_text()
    assert main(args) == 0  # every cell is done: nothing reruns
    assert (tmp_path / "cells.json").read_text() == before
    more = build_table(cells, ["branin"], [8], "another-model")
    assert "llm" not in more["tasks"]["branin"]["samplers"]


def test_the_gap_to_tpe_is_given_in_standard_errors() -> None:
    """LLM minus TPE regret over the two means' combined standard error (the noise yardstick)."""

    def cell(sampler: str, seed: int, best: float) -> dict:
        return {"task": "branin", "sampler": sampler, "seed": seed, "values": [100.0, best]}

    optimum, reference = TASKS["branin"].optimum, 100.0
    cells = {
        f"{s}{i}": cell(s, i, b)
        for s, bests in (("llm", (20.0, 40.0)), ("tpe", (10.0, 10.0)), ("random", (100.0, 100.0)))
        for i, b in enumerate(bests)
    }
    gap = build_table(cells, ["branin"], [2], "m")["tasks"]["branin"]["gaps"]["2"]
    llm = [normalized_regret([100.0, b], 2, optimum, reference) for b in (20.0, 40.0)]
    tpe = normalized_regret([100.0, 10.0], 2, optimum, reference)
    assert gap["llm-tpe"] == pytest.approx((llm[0] + llm[1]) / 2 - tpe)
    assert gap["se"] == pytest.approx(abs(llm[1] - llm[0]) / 2)  # TPE's seeds agree: its SE is 0
    assert gap["z"] == pytest.approx(gap["llm-tpe"] / gap["se"])


def test_one_task_through_an_openai_compatible_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The LLM cells talk HTTP to the fake server (scripted HPO replies), as a real endpoint."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-fake")
    with FakeOpenAIServer(hpo_fake_replies()) as server:
        args = [
            "--model",
            f"openai:fake@{server.url}",
            "--tasks",
            "branin",
            "--seeds",
            "1",
            "--trials",
            "6",
            "--checkpoints",
            "3,6",
            "--out",
            str(tmp_path),
        ]
        assert main(args) == 0
        assert server.request_count > 0
    table = json.loads((tmp_path / "table.json").read_text())
    assert table["tasks"]["branin"]["llm_fraction"][0] >= 0.5


def test_served_scripted_runs_the_llm_cells_through_the_fake_openai_server(
    tmp_path: Path,
) -> None:
    """``--model served-scripted``: the tests' fake server, loaded by path (no tests import)."""
    args = ["--model", "served-scripted", "--tasks", "branin", "--samplers", "llm"]
    args += ["--seeds", "1", "--trials", "6", "--checkpoints", "6", "--out", str(tmp_path)]
    assert main(args) == 0
    cell = json.loads((tmp_path / "cells.json").read_text())["branin|llm@served-scripted|0"]
    assert cell["llm"]["calls"] > 0 and cell["llm"]["llm_fraction"] >= 0.5
    assert cell["model"] == "served-scripted"


def test_gate_variants_are_separate_cells(tmp_path: Path) -> None:
    base = ["--model", "scripted", "--tasks", "branin", "--samplers", "llm", "--seeds", "1"]
    base += ["--trials", "4", "--checkpoints", "4", "--out", str(tmp_path)]
    assert main(base) == 0
    assert main([*base, "--no-gate"]) == 0
    cells = json.loads((tmp_path / "cells.json").read_text())
    assert set(cells) == {"branin|llm@scripted|0", "branin|llm@scripted[no-gate]|0"}
    with pytest.raises(SystemExit):
        main([*base, "--gate-prior", "0,1"])
