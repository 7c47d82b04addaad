"""The default scoring mode of a dataset: its source's, or a stated guess.

A file's format names its source when the format is the source's own (OptiBench, MAMO,
IndustryOR/ORLM). The unified JSONL shape (``question``, ``answer``) is LLMOPT's; its rows
say where they came from in ``ori``. NLP4LP folders come from OptiMUS, which publishes no
comparison rule. When the content does not tell, the choice is a guess and says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

DEFAULT_MODES: dict[str, str] = {
    "optibench": "optibench",
    "mamo": "mamo",
    "orlm": "orlm",
    "jsonl": "llmopt",
    "nlp4lp": "llmopt",
}


@dataclass(frozen=True, slots=True)
class ModeChoice:
    """A scoring mode and why it was chosen.

    Attributes:
        mode: one of ``SCORING_MODES``.
        reason: one sentence for the user.
        guessed: True when the content does not name the source (the run says so).
    """

    mode: str
    reason: str
    guessed: bool = False


def choose_mode(
    fmt: str, metas: Sequence[Mapping[str, Any]] = (), *, given: str | None = None
) -> ModeChoice:
    """The mode to score a dataset of format ``fmt`` with.

    Args:
        fmt: the dataset format (``evals.datasets.FORMATS``).
        metas: the items' ``meta`` fields (a JSONL row's ``ori`` names its source).
        given: the user's ``--mode``, which always wins.

    Returns:
        A ``ModeChoice``; ``guessed`` is True when the source could not be told.
    """
    if given:
        return ModeChoice(given, f"--mode {given} was given")
    if fmt in ("optibench", "mamo", "orlm"):
        return ModeChoice(fmt, f"the file is in the {fmt} format, scored by its own evaluator")
    if fmt == "jsonl":
        origins = sorted({str(m["ori"]) for m in metas if m.get("ori")})
        if origins:
            shown = ", ".join(origins[:3]) + (" ..." if len(origins) > 3 else "")
            return ModeChoice(
                "llmopt", f"the rows are LLMOPT's unified test set (ori: {shown}); LLMOPT's rule"
            )
        return ModeChoice(
            "llmopt",
            "the source cannot be told from the content (a question/answer JSONL without "
            "'ori'); chose llmopt, the rule of the unified JSONL test sets; pass --mode to "
            "choose another",
            guessed=True,
        )
    if fmt == "nlp4lp":
        return ModeChoice(
            "llmopt",
            "NLP4LP (OptiMUS) publishes no comparison rule; chose llmopt, the rule LLMOPT "
            "scores NLP4LP with; pass --mode to choose another",
            guessed=True,
        )
    return ModeChoice(
        "strict",
        f"no source rule is known for the {fmt} format; chose strict; pass --mode to choose "
        "another",
        guessed=True,
    )
