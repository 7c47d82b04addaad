"""Shared pieces of the program-evolution tests: a small user problem file (fast to score in
the sandbox, no numpy) and reply builders for the scripted backends."""

from __future__ import annotations

from pathlib import Path

#: A user problem file: evolve ``guess(x)`` to approximate x**2 on a few points.
PROBLEM_FILE = """
FUNCTION = "guess"
SIGNATURE = "def guess(x: float) -> float"
DESCRIPTION = "Write guess(x) that returns a number as close as possible to x squared."
DIRECTION = "minimize"
SEED = "def guess(x):\\n    return x\\n"
BASELINES = {"zero": "def guess(x):\\n    return 0.0\\n"}
INSTANCES = [0.5, 1.0, 2.0, 3.0]


def run(function, instance):
    value = function(instance)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"guess must return a number, got {value!r:.60}")
    return float(value)


def score(instance, output):
    if not isinstance(output, (int, float)):
        raise ValueError("not a number")
    return abs(output - instance ** 2)
"""


def write_problem(folder: Path) -> Path:
    path = folder / "square_problem.py"
    path.write_text(PROBLEM_FILE, encoding="utf-8")
    return path


def reply(code: str, idea: str = "An idea.") -> str:
    """A reply in EoH's format: the idea in braces, then one fenced code block."""
    return "{" + idea + "}\n```python\n" + code.strip("\n") + "\n```"


def guess(expression: str) -> str:
    return f"def guess(x):\n    return {expression}\n"
