"""The final report of a prompt optimization: baseline vs optimized, with scorer calls."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.table import Table

from agent.tasks.prompt._result import PromptResult

REPORT_JSON = "report.json"
REPORT_MD = "report.md"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _walls(data: dict[str, Any]) -> str:
    """Wall time, search and test apart (the total includes loading the model)."""
    parts = []
    if data.get("search_wall_s") is not None:
        parts.append(f"search {data['search_wall_s']:.0f}s")
    if data.get("test_wall_s") is not None:
        parts.append(f"test {data['test_wall_s']:.0f}s")
    if data.get("wall_s") is not None:
        parts.append(f"total {data['wall_s']:.0f}s")
    return "wall " + (", ".join(parts) or "-")


def report_dict(result: PromptResult, *, wall_s: float | None = None) -> dict[str, Any]:
    """The report as JSON-safe data (what report.json holds)."""
    calls = dict(result.scorer_calls)
    return {
        "task": result.task.name,
        "method": result.method,
        "model": result.model,
        "status": result.status,
        "reason": result.reason,
        "test_size": result.test_size,
        "baseline": {
            "instruction": result.task.instruction,
            "demos": 0,
            "val_accuracy": result.baseline_val_score,
            "test_accuracy": result.baseline_test_score,
        },
        "optimized": {
            "instruction": result.instruction,
            "demos": len(result.demos),
            "bootstrapped_demos": sum(1 for d in result.demos if d.origin == "bootstrap"),
            "position": result.position,
            "val_accuracy": result.val_score,
            "test_accuracy": result.test_score,
        },
        "gain_test": (
            None
            if result.test_score is None or result.baseline_test_score is None
            else result.test_score - result.baseline_test_score
        ),
        "scorer_calls": {
            **calls,
            "search_total": calls.get("bootstrap", 0) + calls.get("search", 0),
        },
        # Every backend call of the run: the search's and the test split's.
        "backend_calls": int(result.usage.get("calls", 0)) + int(result.test_usage.get("calls", 0)),
        "backend_calls_test": int(result.test_usage.get("calls", 0)),
        "cache_hits": int(result.usage.get("cache_hits", 0))
        + int(result.test_usage.get("cache_hits", 0)),
        "trials": len(result.history),
        "wall_s": wall_s,
        "search_wall_s": result.search_wall_s,
        "test_wall_s": result.test_wall_s,
    }


def report_table(result: PromptResult, *, wall_s: float | None = None) -> Table:
    """A Rich table comparing the baseline and the optimized prompt."""
    data = report_dict(result, wall_s=wall_s)
    calls = data["scorer_calls"]
    title = f"prompt optimization: {data['task']} / {data['method']} / {data['model']}"
    table = Table(title=title)
    for column in ("prompt", "demos", "val acc", f"test acc (n={data['test_size']})"):
        table.add_column(column)
    table.add_row(
        "baseline",
        "0",
        _pct(data["baseline"]["val_accuracy"]),
        _pct(data["baseline"]["test_accuracy"]),
    )
    table.add_row(
        "optimized",
        str(data["optimized"]["demos"]),
        _pct(data["optimized"]["val_accuracy"]),
        _pct(data["optimized"]["test_accuracy"]),
    )
    table.caption = (
        f"scorer calls: bootstrap {calls.get('bootstrap', 0)}, search {calls.get('search', 0)}, "
        f"test {calls.get('test', 0)}; backend calls {data['backend_calls']} "
        f"(test {data['backend_calls_test']}); "
        f"status {data['status']}; " + _walls(data)
    )
    return table


def report_markdown(result: PromptResult, *, wall_s: float | None = None) -> str:
    """The report as Markdown (what report.md holds)."""
    data = report_dict(result, wall_s=wall_s)
    calls = data["scorer_calls"]
    lines = [
        f"# Prompt optimization: {data['task']} ({data['method']}, model {data['model']})",
        "",
        f"Status: {data['status']}" + (f" ({data['reason']})" if data["reason"] else ""),
        "",
        f"| prompt | demos | val accuracy | test accuracy (n={data['test_size']}) |",
        "|---|---|---|---|",
        f"| baseline | 0 | {_pct(data['baseline']['val_accuracy'])} | "
        f"{_pct(data['baseline']['test_accuracy'])} |",
        f"| optimized | {data['optimized']['demos']} | {_pct(data['optimized']['val_accuracy'])} | "
        f"{_pct(data['optimized']['test_accuracy'])} |",
        "",
        f"Scorer calls: bootstrap {calls.get('bootstrap', 0)}, search {calls.get('search', 0)}, "
        f"test {calls.get('test', 0)}. Backend calls: {data['backend_calls']} (test split "
        f"{data['backend_calls_test']}), cache hits: "
        f"{data['cache_hits']}. Wall time: {_walls(data)}.",
        "",
        "## Optimized prompt",
        "",
        f"Instruction ({result.position}): {result.instruction or '(none)'}",
        "",
    ]
    for number, demo in enumerate(result.demos, start=1):
        shown = " | ".join(f"{k}: {v}" for k, v in demo.inputs.items())
        lines.append(f"{number}. ({demo.origin}) {shown} -> {demo.answer}")
    return "\n".join(lines) + "\n"


def write_report(
    result: PromptResult, directory: str | Path, *, wall_s: float | None = None
) -> Path:
    """Write report.json and report.md into the run directory; returns report.md's path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / REPORT_JSON).write_text(
        json.dumps(report_dict(result, wall_s=wall_s), indent=2, ensure_ascii=False),
        encoding="utf-8",
    )
    path = directory / REPORT_MD
    path.write_text(report_markdown(result, wall_s=wall_s), encoding="utf-8")
    return path
