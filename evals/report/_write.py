"""Write a run's report (report.md, report.json, charts) into its ``report/`` folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agent.core import JsonlRunStore
from evals.report._render import charts, comparison_chart, comparison_markdown, markdown
from evals.report._summary import compare, summarize
from evals.runner import load_records

REPORT_DIR = "report"


def write_report(run: str | Path, *, plots: bool = True) -> dict[str, Any]:
    """Summarize an eval run and write ``RUN/report/report.{md,json}`` and its charts.

    Returns:
        The summary, with ``files`` (the paths written).

    Raises:
        ConfigError: ``run`` is not an eval run directory.
    """
    config, records = load_records(run)
    store = JsonlRunStore(Path(run))
    summary = summarize(config, records, state=store.read_state(), usage=store.read_usage())
    folder = Path(run) / REPORT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / "report.md", folder / "report.json"]
    files[0].write_text(markdown(summary), encoding="utf-8")
    files[1].write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    if plots and records:
        files += charts(summary, folder)
    return {**summary, "files": [str(f) for f in files]}


def write_comparison(
    run_a: str | Path, run_b: str | Path, *, plots: bool = True, force: bool = False
) -> dict[str, Any]:
    """Compare two eval runs; writes ``RUN_A/report/compare_<B>.{md,json,png}``.

    Raises:
        ConfigError: either directory is not an eval run, or the runs are over different
            datasets or modes and ``force`` is off.
    """
    cmp = compare(load_records(run_a), load_records(run_b), force=force)
    folder = Path(run_a) / REPORT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    name = cmp["b"]["name"]
    files = [folder / f"compare_{name}.md", folder / f"compare_{name}.json"]
    files[0].write_text(comparison_markdown(cmp), encoding="utf-8")
    files[1].write_text(json.dumps(cmp, indent=2) + "\n", encoding="utf-8")
    if plots:
        files.append(comparison_chart(cmp, folder))
    return {**cmp, "files": [str(f) for f in files]}
