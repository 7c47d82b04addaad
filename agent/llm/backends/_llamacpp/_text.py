"""A sequence's output text as it grows: stop strings, and how much streaming may show yet."""

from __future__ import annotations

from collections.abc import Sequence


def cut_at_stop(text: str, piece: str, stops: Sequence[str]) -> str | None:
    """``text`` (which just grew by ``piece``) cut before the first stop string in it, or
    ``None`` when none has appeared. Only the tail a new piece can complete is searched."""
    if not stops:
        return None
    window = text[-(len(piece) + max(map(len, stops))) :]
    hits = [window.find(s) for s in stops if s in window]
    if not hits:
        return None
    return text[: len(text) - len(window) + min(hits)]


def streamable(text: str, stops: Sequence[str]) -> int:
    """How much of ``text`` may be streamed now: all but the tail that could still turn out
    to be the start of a stop string."""
    hold = max(map(len, stops), default=1) - 1
    return len(text) - hold
