"""The messages of a compact-formulation request: one rendering for training and inference.

The adapter learns exactly these messages, so the fine-tuning data and the formulate agent both
build them here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Sequence

import prompts
from agent.llm import Message


def compact_messages(problem: str, quantities: Sequence[str] = ()) -> list[Message]:
    """System and user messages asking for the compact formulation of ``problem``.

    Args:
        problem: the problem text as the user wrote it.
        quantities: names of quantities to report (``report K = ...`` lines), in order.
    """
    return [
        Message("system", prompts.render("formulate/compact_system").strip()),
        Message(
            "user",
            prompts.render(
                "formulate/compact_user", problem=problem.strip(), quantities=list(quantities)
            ).strip(),
        ),
    ]
