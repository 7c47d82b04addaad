"""What the pages show, as plain data: diffs, pages of trials, compare rows (no web code)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from agent.core import RunReader, TrialView, candidate_text

PAGE_SIZE = 100
_WORDS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True, slots=True)
class DiffPiece:
    """One piece of a diff: ``op`` is ``same``, ``add``, ``del`` or ``hunk`` (a line diff's
    ``@@`` header); ``text`` is what it shows."""

    op: str
    text: str


def diff(old: str, new: str) -> tuple[str, list[DiffPiece]]:
    """A diff of two candidate texts: word by word for short texts (a prompt, a number pair),
    a unified line diff for longer ones (formulations, programs).

    Returns:
        ``("words", pieces)`` or ``("lines", pieces)``.
    """
    if old.count("\n") <= 2 and new.count("\n") <= 2:
        a, b = _WORDS.findall(old), _WORDS.findall(new)
        pieces: list[DiffPiece] = []
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if op == "equal":
                pieces.append(DiffPiece("same", "".join(a[i1:i2])))
                continue
            if i2 > i1:
                pieces.append(DiffPiece("del", "".join(a[i1:i2])))
            if j2 > j1:
                pieces.append(DiffPiece("add", "".join(b[j1:j2])))
        return "words", pieces
    lines = difflib.unified_diff(
        old.splitlines(), new.splitlines(), "previous best", "this trial", lineterm=""
    )
    out = []
    for line in lines:
        if line.startswith(("---", "+++")):
            continue
        kind = {"@": "hunk", "+": "add", "-": "del"}.get(line[:1], "same")
        out.append(DiffPiece(kind, line))
    return "lines", out


def trial_diff(reader: RunReader, index: int) -> dict[str, Any]:
    """The diff of trial ``index`` against the best trial recorded before it."""
    trial = reader.trials[index]
    before = reader.best_before(index)
    if before is None:
        return {"against": None, "style": "none", "pieces": []}
    style, pieces = diff(
        candidate_text(reader.trials[before].candidate), candidate_text(trial.candidate)
    )
    return {"against": reader.trials[before], "style": style, "pieces": pieces}


def page_of(trials: list[TrialView], page: int) -> tuple[int, int, list[tuple[int, TrialView]]]:
    """``(page, pages, [(journal index, trial), ...])`` for a 1-based page (clamped)."""
    pages = max(1, -(-len(trials) // PAGE_SIZE))
    page = min(max(1, page), pages)
    start = (page - 1) * PAGE_SIZE
    return page, pages, list(enumerate(trials[start : start + PAGE_SIZE], start))


def short(text: str, limit: int = 120) -> str:
    """``text`` on one line, cut to ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def curve_payload(reader: RunReader, since: int = 0) -> dict[str, Any]:
    """The JSON a run page polls: new curve points and the figures that change."""
    points = reader.curve(since)
    summary = reader.summary()
    return {
        "x": [p[0] for p in points],
        "y": [p[1] for p in points],
        "total": len(reader.curve()),
        "status": summary["status"],
        "best": summary["best"],
        "trials": summary["trials"],
        "calls": summary["calls"],
        "cost": summary["cost"],
        "notes": summary["notes"],
    }


def compare_rows(a: RunReader, b: RunReader) -> list[tuple[str, Any, Any]]:
    """Figures of two runs side by side."""
    sa, sb = a.summary(), b.summary()
    keys = ("kind", "task", "optimizer", "model", "status", "trials", "best", "calls", "cost")
    rows = [(key, sa[key], sb[key]) for key in keys]
    if a.kind == "eval" and b.kind == "eval":
        ca, cb = a.eval_breakdown()["by_category"], b.eval_breakdown()["by_category"]
        for category in sorted(set(ca) | set(cb)):
            rows.append(
                (
                    f"accuracy: {category}",
                    ca.get(category, {}).get("accuracy"),
                    cb.get(category, {}).get("accuracy"),
                )
            )
    return rows
