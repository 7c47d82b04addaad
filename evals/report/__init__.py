"""Reports of eval runs: accuracy overall and by category, execution rate, model use,
failures and time, as Markdown, JSON and charts; two runs side by side.

Example:
    >>> from evals.report import write_report                  # doctest: +SKIP
    >>> write_report("runs/mamo").read_text()[:20]              # doctest: +SKIP
"""

from evals.report._render import (
    chart_labels,
    charts,
    comparison_chart,
    comparison_markdown,
    markdown,
)
from evals.report._summary import SOLVED, comparability, compare, summarize
from evals.report._write import REPORT_DIR, write_comparison, write_report

__all__ = [
    "REPORT_DIR",
    "SOLVED",
    "chart_labels",
    "charts",
    "comparability",
    "compare",
    "comparison_chart",
    "comparison_markdown",
    "markdown",
    "summarize",
    "write_comparison",
    "write_report",
]
