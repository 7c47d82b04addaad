"""bench_better_together's report resume: finished runs are kept, other settings refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.bench.bench_better_together import _resume, _summary


def _report(**settings: object) -> dict:
    base = {"seeds": "0", "strategies": "p", "max_epochs": 30, "out": "a.json", "runs_dir": None}
    return {
        "task": "arithmetic",
        "model": "local",
        "settings": {**base, **settings},
        "baseline": {},
        "runs": [],
    }


def test_a_report_with_the_same_settings_is_continued(tmp_path: Path) -> None:
    earlier = _report()
    earlier["baseline"]["0"] = {"test_score": 0.4, "calls": 60, "seconds": 9.0}
    earlier["runs"].append({"seed": 0, "strategy": "p", "test_score": 0.75, "calls": 128,
                            "wall_s": 64.0})  # fmt: skip
    path = tmp_path / "bt.json"
    path.write_text(json.dumps(earlier))

    report = _report(seeds="0,1", strategies="p,w")  # more seeds and strategies: allowed
    _resume(path, report)
    assert report["baseline"] == earlier["baseline"]
    assert report["runs"] == earlier["runs"]  # the wall time measured then, not a replay's
    assert _summary(report["runs"])["p"]["mean_wall_s"] == 64.0


def test_a_report_with_other_settings_is_refused_naming_them(tmp_path: Path) -> None:
    path = tmp_path / "bt.json"
    path.write_text(json.dumps(_report(max_epochs=6)))
    with pytest.raises(SystemExit, match="max_epochs"):
        _resume(path, _report())
    path.write_text("{not json")
    with pytest.raises(SystemExit, match="not a bench report"):
        _resume(path, _report())
    _resume(tmp_path / "missing.json", _report())  # nothing to continue: no error
