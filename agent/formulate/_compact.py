"""The compact path of the formulation agent, for small local models.

The model writes the compact language (solvers.compact) under a grammar built from the problem
text, so it can use no number or name the text does not hold; the reply is parsed into the
typed formulation and checked like any other (solve, verify, diagnose). A model may also answer
``none`` (no optimization problem) or ``nonlinear`` (outside what it formulates).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agent.formulate._check import PARSE_ERROR, Check, check_formulation
from agent.formulate._compact_prompt import compact_messages
from agent.llm import Message
from solvers.compact import CompactSyntaxError, Refusal, compact_grammar, parse_compact

REFUSED = "refused"
#: The model answered ``none``/``nonlinear`` to a text that looks like a problem: another
#: sample may still formulate it, so unlike ``refused`` this does not end a chain.
MODEL_REFUSED = "model_refused"
#: The adapter task a compact request asks for (``Request.adapter``).
ADAPTER_TASK = "formulate"
#: Replies of the compact language are short (quotes included); this bounds a runaway sample.
COMPACT_MAX_TOKENS = 768
MIN_WORDS = 12

NOT_A_PROBLEM = (
    "this does not read as an optimization problem: describe what to decide, the limits and "
    "what to maximize or minimize (e.g. 'A bakery makes bread and cakes ... maximize profit')"
)
NONLINEAR = (
    "outside what the local model formulates: it writes linear and integer-linear models "
    "only; use an endpoint (--model openai:NAME) or write the formulation as JSON (/edit)"
)


def compact_request(problem: str, quantities: Sequence[str]) -> tuple[list[Message], str]:
    """The messages and the GBNF grammar of one compact formulation request."""
    problem = real_line_breaks(problem)
    return compact_messages(problem, quantities), compact_grammar(problem, len(quantities))


def real_line_breaks(problem: str) -> str:
    """The text with written-out line breaks (a backslash and ``n``) made real.

    Texts copied out of JSON twice carry them (most of MAMO's do): the model was trained on
    real line breaks, and the grammar quotes whole lines and sentences.
    """
    return problem.replace("\\r\\n", "\n").replace("\\n", "\n")


def precheck(problem: str) -> Check | None:
    """A refusal without asking the model: no numbers, or too few words to be a problem."""
    if len(problem.split()) < MIN_WORDS or not re.search(r"\d", problem):
        return Check(REFUSED, NOT_A_PROBLEM)
    return None


def check_compact_reply(
    text: str, quantities: Sequence[str], *, time_limit: float | None = 30.0
) -> Check:
    """Parse a compact reply and check it (see ``check_formulation``); never raises."""
    try:
        parsed = parse_compact(text)
    except CompactSyntaxError as exc:
        return Check(PARSE_ERROR, str(exc))
    if isinstance(parsed, Refusal):
        return Check(MODEL_REFUSED, NOT_A_PROBLEM if parsed.kind == "none" else NONLINEAR)
    from solvers.compact import compact_to_formulation

    try:
        formulation = compact_to_formulation(parsed, quantities=quantities)
    except CompactSyntaxError as exc:
        return Check(PARSE_ERROR, str(exc))
    return check_formulation(formulation, time_limit=time_limit)
