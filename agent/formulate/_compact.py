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
from agent.llm import LLM, Completion, Message
from agent.llm._types import request_of
from solvers.compact import (
    CompactSyntaxError,
    Refusal,
    body_grammar,
    compact_grammar,
    head_grammar,
    parse_compact,
)

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


def sample_compact(
    llm: LLM,
    messages: Sequence[Message],
    problem: str,
    quantities: Sequence[str],
    *,
    n: int,
    temperature: float,
    seed: int | None,
    max_tokens: int = COMPACT_MAX_TOKENS,
) -> list[Completion]:
    """``n`` compact formulations of ``problem``, each decoded in two passes.

    The first pass writes the declarations and the objective's sense (or a refusal); the
    second writes the whole formulation from that head on, under a grammar whose names are only
    the declared ones. A single grammar cannot tie a row's names to the declarations, and the
    135M model often writes a row over a name it never declared. The second pass costs one more
    call but few more tokens: the head is forced and the prompt prefix is cached.
    """
    problem = real_line_breaks(problem)
    head_request = request_of(
        list(messages), n=n, temperature=temperature, max_tokens=max_tokens, seed=seed,
        grammar=head_grammar(problem), adapter=ADAPTER_TASK,
    )  # fmt: skip
    heads = llm.batch([head_request])[0]
    replies: list[Completion] = list(heads)
    body_requests, indices = [], []
    for index, head in enumerate(heads):
        if head.finish_reason == "length" or not head.text.endswith(("max", "min")):
            continue  # a refusal (``none``/``nonlinear``) or a runaway head: the reply as is
        body_requests.append(request_of(
            list(messages), n=1, temperature=temperature, max_tokens=max_tokens,
            seed=head_request.sample_seed(index), adapter=ADAPTER_TASK,
            grammar=body_grammar(problem, head.text, len(quantities)),
        ))  # fmt: skip
        indices.append(index)
    for index, (body,) in zip(indices, llm.batch(body_requests), strict=True):
        replies[index] = body
    return replies


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
