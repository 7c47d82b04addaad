"""Markdown text and matplotlib charts (PNG, Agg backend) of eval run summaries."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any


def _pct(value: float) -> str:
    return f"{value:.1%}"


def markdown(summary: Mapping[str, Any]) -> str:
    """One run's report as Markdown."""
    s = summary
    agent = s.get("agent") or {}
    usage = s.get("usage") or {}
    status = s.get("status") or ""
    notice: list[str] = []
    if status in ("interrupted", "stopped", "running", "failed"):
        word = {"running": "not finished (still running, or killed)"}.get(status, status)
        notice = [
            f"**This run was {word}**: {s.get('status_reason') or 'no reason recorded'}. "
            f"Usage so far: {usage.get('calls', 0)} LLM calls, {usage.get('tokens', 0)} tokens, "
            f"${usage.get('cost_usd', 0.0):.4f}.",
            "",
        ]
    mode_line = f"- scoring mode: {s['mode']}; executor {s['executor']} x{s['workers']}"
    if s.get("mode_reason"):
        mode_line += f" (mode: {s['mode_reason']})"
    lines = [
        f"# Eval run {s['name']}",
        "",
        *notice,
        f"- dataset: `{s['dataset']}`",
        f"- model: `{s['model']}`, votes {agent.get('votes', '-')}, "
        f"max rounds {agent.get('max_rounds', '-')}, method {agent.get('method', '-')}",
        mode_line,
        f"- items: {s['items']} of {s['selected']} selected"
        + ("" if s["complete"] else " (run not complete)"),
        "",
        "| metric | value |",
        "|---|---|",
        f"| accuracy | {_pct(s['accuracy'])} ({s['correct']}/{s['items']}) |",
        f"| execution rate (solver ran to a result) | {_pct(s['execution_rate'])} |",
        f"| LLM calls per item | {s['calls_per_item']:.2f} |",
        f"| tokens per item | {s['tokens_per_item']:.0f} |",
        f"| cost | ${s['cost_usd']:.4f} |",
        f"| seconds per item (mean / median / max) | {s['seconds']['mean']:.2f} / "
        f"{s['seconds']['median']:.2f} / {s['seconds']['max']:.2f} |",
        "",
        "## By category",
        "",
        "| category | items | correct | accuracy |",
        "|---|---|---|---|",
    ]
    for name, row in s["by_category"].items():
        lines.append(f"| {name} | {row['items']} | {row['correct']} | {_pct(row['accuracy'])} |")
    lines += ["", "## Failures", ""]
    if s["failures"]:
        lines += ["| failure | items |", "|---|---|"]
        lines += [f"| {name} | {count} |" for name, count in s["failures"].items()]
    else:
        lines.append("none")
    if s["wrong"]:
        lines += ["", "## Wrong items", "", "| id | failure | detail |", "|---|---|---|"]
        for w in s["wrong"]:
            detail = str(w.get("detail") or "").replace("|", "/")[:160]
            lines.append(f"| {w['id']} | {w['failure']} | {detail} |")
    return "\n".join(lines) + "\n"


def comparison_markdown(cmp: Mapping[str, Any]) -> str:
    """Two runs side by side as Markdown."""
    a, b = cmp["a"], cmp["b"]
    warnings = [
        f"**Not comparable (compared with --force)**: {w}." for w in cmp.get("warnings") or []
    ]
    lines = [
        f"# {a['name']} vs {b['name']}",
        "",
        *(f"{w}\n" for w in warnings),
        f"| | {a['name']} | {b['name']} |",
        "|---|---|---|",
        f"| model | `{a['model']}` | `{b['model']}` |",
        f"| scoring mode | {a['mode']} | {b['mode']} |",
        f"| items | {a['items']} | {b['items']} |",
        f"| accuracy (own items) | {_pct(a['accuracy'])} | {_pct(b['accuracy'])} |",
        f"| accuracy (the {cmp['common']} items in both) | {_pct(cmp['accuracy_a'])} "
        f"| {_pct(cmp['accuracy_b'])} |",
        f"| execution rate | {_pct(a['execution_rate'])} | {_pct(b['execution_rate'])} |",
        f"| LLM calls per item | {a['calls_per_item']:.2f} | {b['calls_per_item']:.2f} |",
        f"| tokens per item | {a['tokens_per_item']:.0f} | {b['tokens_per_item']:.0f} |",
        f"| seconds per item | {a['seconds']['mean']:.2f} | {b['seconds']['mean']:.2f} |",
        "",
        f"- wrong in {a['name']}, right in {b['name']} ({len(cmp['fixed'])}): "
        + (", ".join(cmp["fixed"]) or "none"),
        f"- right in {a['name']}, wrong in {b['name']} ({len(cmp['broken'])}): "
        + (", ".join(cmp["broken"]) or "none"),
    ]
    if cmp["only_a"] or cmp["only_b"]:
        lines.append(
            f"- only in {a['name']}: {len(cmp['only_a'])}; only in {b['name']}: "
            f"{len(cmp['only_b'])} (left out of the side-by-side accuracy)"
        )
    return "\n".join(lines) + "\n"


def _label(ax: Any, bars: Any, labels: list[str]) -> None:
    """Write each bar's value above it, so a zero bar (no height to see) still reads '0'."""
    ax.bar_label(bars, labels=labels, padding=2, fontsize=8)


def chart_labels(summary: Mapping[str, Any]) -> dict[str, list[str]]:
    """The value written above each bar of ``charts`` (zeros included), by chart."""
    cats = summary["by_category"]
    return {
        "accuracy_by_category": [_pct(row["accuracy"]) for row in cats.values()],
        "outcomes": [str(summary["correct"]), *(str(c) for c in summary["failures"].values())],
    }


def charts(summary: Mapping[str, Any], folder: str | Path) -> list[Path]:
    """Accuracy by category, failure breakdown and time per item as PNG files.

    Returns:
        The files written.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    cats = summary["by_category"]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    labels = chart_labels(summary)
    bars = ax.bar(list(cats), [row["accuracy"] for row in cats.values()], color="tab:blue")
    _label(ax, bars, labels["accuracy_by_category"])
    ax.set_ylim(0, 1.12)
    ax.set_ylabel("accuracy")
    ax.set_title(f"{summary['name']}: accuracy by category ({summary['mode']})")
    fig.tight_layout()
    written.append(out / "accuracy_by_category.png")
    fig.savefig(written[-1], dpi=100)
    plt.close(fig)
    fail = summary["failures"]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    names = ["correct", *fail]
    counts = [summary["correct"], *fail.values()]
    bars = ax.bar(names, counts, color="tab:orange")
    _label(ax, bars, labels["outcomes"])
    ax.set_ylim(0, max(counts, default=0) * 1.15 + 1)
    ax.tick_params(axis="x", labelrotation=30)
    ax.set_ylabel("items")
    ax.set_title(f"{summary['name']}: outcomes")
    fig.tight_layout()
    written.append(out / "outcomes.png")
    fig.savefig(written[-1], dpi=100)
    plt.close(fig)
    return written


def comparison_chart(cmp: Mapping[str, Any], folder: str | Path) -> Path:
    """Accuracy of two runs on their common items, overall and per category (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    a, b = cmp["a"], cmp["b"]
    cats = sorted(set(a["by_category"]) | set(b["by_category"]))
    labels = ["all (common)", *cats]
    va = [cmp["accuracy_a"], *(a["by_category"].get(c, {}).get("accuracy", 0.0) for c in cats)]
    vb = [cmp["accuracy_b"], *(b["by_category"].get(c, {}).get("accuracy", 0.0) for c in cats)]
    xs = range(len(labels))
    fig, ax = plt.subplots(figsize=(7, 3.5))
    bars_a = ax.bar([x - 0.2 for x in xs], va, width=0.4, label=a["name"])
    bars_b = ax.bar([x + 0.2 for x in xs], vb, width=0.4, label=b["name"])
    _label(ax, bars_a, [_pct(v) for v in va])
    _label(ax, bars_b, [_pct(v) for v in vb])
    ax.set_xticks(list(xs), labels)
    ax.set_ylim(0, 1.15)
    ax.set_ylabel("accuracy")
    ax.legend()
    fig.tight_layout()
    path = out / f"compare_{b['name']}.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
