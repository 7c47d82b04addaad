"""RunReader on real run folders of each kind, and the viewer's pages on good and bad input.

The pages are fetched in-process (Starlette's TestClient); the browser test drives a real
chromium (tests/test_runs_serve_browser.py).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from starlette.testclient import TestClient

from agent.core import History, JsonlRunStore, RunReader, Trial
from agent.serve import create_app
from tests._runs_support import scripted_run


def _pages(client: TestClient, run_id: str, trials: int) -> list[str]:
    urls = ["/", f"/runs/{run_id}", f"/api/runs/{run_id}/curve", "/api/runs", "/compare"]
    urls += [f"/runs/{run_id}/trials/{i}" for i in range(min(trials, 5))]
    urls.append(f"/compare?a={run_id}&b={run_id}")
    return urls


def _snapshot(folder: Path) -> dict[str, tuple[int, int, bytes]]:
    return {
        str(p): (p.stat().st_size, p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_core_run_reads_as_its_journal(tmp_path: Path) -> None:
    result = scripted_run(tmp_path / "run")
    reader = RunReader(tmp_path / "run")
    stored = JsonlRunStore(tmp_path / "run").load_trials()
    assert [(t.number, t.status, t.score, t.candidate) for t in reader.trials] == [
        (t.number, t.status, t.score, t.candidate) for t in stored
    ]
    assert reader.best_score == History(stored).best_score == result.best.score
    values = [y for _, y in reader.curve()]
    assert values == sorted(values) and values[-1] == reader.best_score
    assert reader.status == "finished" and reader.kind == "optimize" and reader.notes == []
    # the diff base of each trial is the best one before it
    best: Trial | None = None
    for i, trial in enumerate(stored):
        before = reader.best_before(i)
        assert (before is None and best is None) or stored[before] == best
        if trial.ok and (best is None or trial.score > best.score):
            best = trial


def test_appended_and_half_written_lines(tmp_path: Path) -> None:
    scripted_run(tmp_path / "run", steps=2)
    reader = RunReader(tmp_path / "run")
    n, journal = len(reader.trials), tmp_path / "run" / "trials.jsonl"
    line = json.dumps(Trial(n, 9, 0, "Think step by step.", score=99.0).to_dict())
    with open(journal, "a", encoding="utf-8") as fh:
        fh.write(line[:25])  # a run writing its next line right now
    reader.refresh()
    assert len(reader.trials) == n
    assert any("half-written" in note for note in reader.notes)
    with open(journal, "a", encoding="utf-8") as fh:
        fh.write(line[25:] + "\n")
    reader.refresh()
    assert len(reader.trials) == n + 1 and reader.best_score == 99.0
    assert not any("half-written" in note for note in reader.notes)


def test_a_damaged_middle_line_is_skipped_with_a_note(tmp_path: Path) -> None:
    scripted_run(tmp_path / "run", steps=2)
    journal = tmp_path / "run" / "trials.jsonl"
    lines = journal.read_text(encoding="utf-8").splitlines()
    lines[1] = "{not json"
    journal.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reader = RunReader(tmp_path / "run")
    assert len(reader.trials) == len(lines) - 1
    assert any("line 2: unreadable" in note for note in reader.notes)


def _older_run(folder: Path) -> Path:
    """A run as an older optagent wrote it: no format field, trials with few fields."""
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"optimizer": {"name": "opro"}}))
    rows = [{"number": 0, "step": 0, "candidate": [1, 2], "score": 1.5}]
    rows.append({"number": 1, "step": 1, "candidate": [2, 2], "score": 3.0})
    (folder / "trials.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return folder


def _hpo_run(folder: Path) -> Path:
    """Rows as agent/hpo/_run.py writes them (an Optuna study's callback)."""
    folder.mkdir()
    config = {"kind": "hpo", "direction": "minimize", "model": "local", "objective_file": "x.py"}
    (folder / "config.json").write_text(json.dumps(config))
    rows = [
        {"number": 0, "state": "COMPLETE", "value": 4.0, "params": {"x": 2}, "user_attrs": {}},
        {"number": 1, "state": "FAIL", "value": None, "params": {"x": 9}, "user_attrs": {}},
        {"number": 2, "state": "COMPLETE", "value": 1.0, "params": {"x": 1}, "user_attrs": {}},
    ]
    (folder / "trials.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return folder


def test_older_versions_and_hpo_rows(tmp_path: Path) -> None:
    old = RunReader(_older_run(tmp_path / "old"))
    assert [t.score for t in old.trials] == [1.5, 3.0] and old.best_score == 3.0
    assert any("older version" in note for note in old.notes)
    hpo = RunReader(_hpo_run(tmp_path / "hpo"))
    assert [t.status for t in hpo.trials] == ["ok", "failed", "ok"]
    assert hpo.best_score == 1.0 and hpo.status == "running"  # no summary.json yet


def test_an_eval_run_shows_accuracy_by_category(tmp_path: Path) -> None:
    from evals.datasets import load_items
    from evals.report import summarize
    from evals.runner import AgentSettings, load_records, run_eval
    from tests._eval_support import write_dataset

    data, oracle = write_dataset(tmp_path, 6, wrong=(1, 4))
    run_eval(
        load_items(data),
        out=tmp_path / "eval",
        settings=AgentSettings(f"oracle:{oracle}"),
        mode="mamo",
        dataset=str(data),
    )
    reader = RunReader(tmp_path / "eval")
    config, records = load_records(tmp_path / "eval")
    expected = summarize(config, records)
    breakdown = reader.eval_breakdown()
    assert reader.kind == "eval" and reader.best_score == expected["accuracy"]
    assert {k: v["accuracy"] for k, v in breakdown["by_category"].items()} == {
        k: v["accuracy"] for k, v in expected["by_category"].items()
    }
    assert {k: len(v) for k, v in breakdown["failures"].items()} == expected["failures"]
    client = TestClient(create_app([tmp_path / "eval"]))
    page = client.get("/runs/eval")
    assert page.status_code == 200 and 'id="categories"' in page.text
    wrong = breakdown["failures"]["wrong_value"][0]
    assert f'href="/runs/eval/trials/{wrong}"' in page.text
    record = client.get(f"/runs/eval/trials/{wrong}")
    assert record.status_code == 200 and reader.trials[wrong].candidate in record.text


def test_every_page_answers_on_bad_input_and_nothing_is_written(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    runs.mkdir()
    scripted_run(runs / "good", steps=2)
    _older_run(runs / "old")
    _hpo_run(runs / "hpo")
    (runs / "torn").mkdir()
    (runs / "torn" / "config.json").write_text('{"format": 1, "kind": "optimize"}')
    (runs / "torn" / "trials.jsonl").write_text('{"number": 0, "step": 0, "cand')
    (runs / "badconfig").mkdir()
    (runs / "badconfig" / "config.json").write_text("{oops")
    (runs / "newer").mkdir()
    (runs / "newer" / "config.json").write_text('{"format": 99, "kind": "optimize"}')
    stray = tmp_path / "not-a-run"
    stray.mkdir()
    (stray / "notes.txt").write_text("hello")
    before = _snapshot(tmp_path)
    client = TestClient(create_app([runs, stray, tmp_path / "missing"]))
    listing = client.get("/")
    assert listing.status_code == 200
    for name in ("good", "old", "hpo", "torn", "badconfig", "newer", "not-a-run", "missing"):
        assert f'href="/runs/{name}"' in listing.text
        for url in _pages(client, name, 3):
            response = client.get(url)
            assert response.status_code < 500, (url, response.text[-500:])
    notes = {name: client.get(f"/runs/{name}").text for name in ("torn", "badconfig", "newer")}
    assert "half-written" in notes["torn"]
    assert "config.json is not valid JSON" in notes["badconfig"]
    assert "newer optagent (format 99" in notes["newer"]
    assert "not a run folder" in client.get("/runs/not-a-run").text
    assert "older version" in client.get("/runs/old").text
    assert client.get("/runs/nothing-here").status_code == 404
    assert client.get("/runs/good/trials/9999").status_code == 404
    assert client.get("/runs/good/plots/..%2Fconfig.json").status_code == 404
    assert _snapshot(tmp_path) == before, "the viewer wrote into a run folder"


def test_plotly_comes_from_the_installed_package() -> None:
    from agent.serve import plotly_js

    path = plotly_js()
    assert path.is_file() and path.stat().st_size > 1_000_000
    assert os.fspath(path).endswith(os.path.join("plotly", "package_data", "plotly.min.js"))
