"""Prefix sharing arithmetic: which waiting jobs are admitted together, and what they cost.

Jobs with the same prompt share all of its KV cells; jobs whose prompts share a long prefix (the
same few-shot demos before different questions) share the prefix's cells, so it is decoded once
for the group. Pure functions of token ids and budgets, so they are tested without a model.
"""

from __future__ import annotations

from collections.abc import Sequence

MIN_SHARED = 64
"""Fewest shared prompt tokens for different prompts to be admitted as one group: a few-shot
prefix, not just the chat template's system turn (sharing changes a batch's arithmetic, and
short unrelated prompts gain little from it)."""


def common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    """Length of the longest common prefix of two token sequences."""
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n


def shared_length(head: Sequence[int], prompts: Sequence[Sequence[int]]) -> int:
    """KV cells a group shares: the whole prompt when all are one prompt, else the common
    prefix less at least one token, so each member decodes its own last position."""
    if all(p == head for p in prompts):
        return len(head)
    return min(min(common_prefix(head, p), len(p) - 1) for p in prompts)


def group_tokens(head: Sequence[int], prompts: Sequence[Sequence[int]]) -> int:
    """Tokens a group puts in the batch: the shared prefix once, then each member's rest."""
    shared = shared_length(head, prompts)
    if shared == len(head):
        return shared
    return shared + sum(len(p) - shared for p in prompts)


def group_cells(
    head: Sequence[int], prompts: Sequence[Sequence[int]], budgets: Sequence[int]
) -> int:
    """KV cells a group reserves: its prompt tokens plus each member's output budget."""
    return group_tokens(head, prompts) + sum(budgets)


def admit(
    prompts: Sequence[Sequence[int]],
    budgets: Sequence[int],
    *,
    slots: int,
    n_tokens: int,
    reserved: int,
    capacity: int,
    busy: bool,
    n_ctx: int,
) -> list[int]:
    """Indices of the waiting jobs to admit with the first one, sharing its prompt's KV cells.

    Members have the same prompt as the first job, or share a long prefix with it (at least
    half of it, and ``MIN_SHARED`` tokens). The group stops when the free sequences (``slots``),
    the batch (``n_ctx`` tokens, ``n_tokens`` already in it) or the KV cells (``capacity``,
    ``reserved`` already) run out; a first job alone on an idle engine is always admitted.

    Args:
        prompts: the waiting jobs' prompts, in queue order.
        budgets: each waiting job's output budget in tokens.
    """
    head = prompts[0]
    least = max(MIN_SHARED, len(head) // 2)
    group: list[int] = []
    for index, prompt in enumerate(prompts):
        if len(group) == slots:
            break
        if group and prompt != head and common_prefix(head, prompt) < least:
            continue
        trial = [prompts[i] for i in group] + [prompt]
        trial_budgets = [budgets[i] for i in group] + [budgets[index]]
        first_alone = not group and not busy and reserved == 0
        if reserved + group_cells(head, trial, trial_budgets) > capacity and not first_alone:
            break
        if group and n_tokens + group_tokens(head, trial) > n_ctx:
            break
        group.append(index)
    return group
