"""The llama.cpp engine's pure parts, without a model: prefix-sharing arithmetic, which waiting
jobs are admitted together, stop strings and what streaming may show."""

from __future__ import annotations

import pytest

from agent.llm.backends._llamacpp._prefix import (
    MIN_SHARED,
    admit,
    common_prefix,
    group_cells,
    group_tokens,
    shared_length,
)
from agent.llm.backends._llamacpp._text import cut_at_stop, streamable

DEMOS = tuple(range(100, 100 + 80))  # a few-shot prefix longer than MIN_SHARED


def ask(*question: int) -> tuple[int, ...]:
    return DEMOS + question


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((), (), 0),
        ((1, 2, 3), (), 0),
        ((1, 2, 3), (1, 2, 3), 3),
        ((1, 2, 3), (1, 2), 2),
        ((1, 2, 3), (1, 9, 3), 1),
        ((7,), (8,), 0),
    ],
)
def test_common_prefix(a: tuple[int, ...], b: tuple[int, ...], expected: int) -> None:
    assert common_prefix(a, b) == expected == common_prefix(b, a)


def test_one_prompt_shares_all_its_cells() -> None:
    head = ask(1, 2)
    assert shared_length(head, [head, head, head]) == len(head)
    assert group_tokens(head, [head, head, head]) == len(head)  # decoded once for all


def test_different_prompts_share_their_common_prefix() -> None:
    head, other = ask(1, 2), ask(3, 4, 5)
    assert shared_length(head, [head, other]) == len(DEMOS)
    assert group_tokens(head, [head, other]) == len(DEMOS) + 2 + 3


def test_a_prompt_that_is_a_prefix_of_another_still_decodes_its_last_token() -> None:
    short, long = ask(1), ask(1, 2, 3)
    shared = shared_length(short, [short, long])
    assert shared == len(short) - 1  # the short one samples from its own last position
    assert group_tokens(short, [short, long]) == shared + 1 + 3


def test_group_cells_add_each_members_output_budget() -> None:
    head, other = ask(1, 2), ask(3)
    assert group_cells(head, [head, head], [10, 20]) == len(head) + 30
    assert group_cells(head, [head, other], [5, 7]) == len(DEMOS) + 2 + 1 + 12


def _admit(prompts, budgets=None, **limits):  # type: ignore[no-untyped-def]  # test shorthand
    settings = {
        "slots": 8,
        "n_tokens": 0,
        "reserved": 0,
        "capacity": 10_000,
        "busy": False,
        "n_ctx": 4096,
    }
    settings.update(limits)
    return admit(prompts, budgets or [16] * len(prompts), **settings)


def test_same_prompts_are_admitted_together() -> None:
    p = ask(1)
    assert _admit([p, p, p]) == [0, 1, 2]


def test_prompts_sharing_a_long_prefix_join_the_first_job() -> None:
    assert _admit([ask(1), ask(2), ask(3, 4)]) == [0, 1, 2]


def test_an_unrelated_prompt_is_skipped_and_later_matches_still_join() -> None:
    assert _admit([ask(1), (5, 6, 7), ask(2)]) == [0, 2]


def test_a_short_common_prefix_is_not_shared() -> None:
    head = (*range(MIN_SHARED - 1), 1)
    other = (*range(MIN_SHARED - 1), 2)
    assert _admit([head, other]) == [0]


def test_the_shared_prefix_must_cover_half_the_first_prompt() -> None:
    head = DEMOS + tuple(range(500, 500 + len(DEMOS) + 2))
    assert _admit([head, ask(9)]) == [0]  # 80 shared tokens < half of 162


def test_the_group_stops_at_the_free_sequences() -> None:
    p = ask(1)
    assert _admit([p] * 5, slots=3) == [0, 1, 2]


def test_the_group_stops_when_kv_cells_run_out() -> None:
    p = ask(1)
    cells_one = len(p) + 16
    assert _admit([p] * 4, capacity=len(p) + 16 * 2) == [0, 1]
    assert _admit([p] * 4, capacity=cells_one, reserved=1, busy=True) == []


def test_a_first_job_alone_on_an_idle_engine_is_admitted_even_if_too_big() -> None:
    p = ask(1)
    assert _admit([p, p], capacity=10) == [0]
    assert _admit([p, p], capacity=10, busy=True) == []
    assert _admit([p, p], capacity=10, reserved=1) == []


def test_the_group_stops_when_the_batch_is_full() -> None:
    head, other = ask(1, 2), ask(3, 4)
    # The first job is always considered; the second would overflow the batch's n_ctx tokens.
    assert _admit([head, other], n_ctx=len(DEMOS) + 3) == [0]
    assert _admit([head, other], n_ctx=len(DEMOS) + 4) == [0, 1]


def test_a_group_stops_at_the_first_job_that_does_not_fit() -> None:
    p = ask(1)
    budgets = [16, 4000, 16]
    assert _admit([p, p, p], budgets, capacity=len(p) + 100) == [0]


@pytest.mark.parametrize(
    ("text", "piece", "stops", "expected"),
    [
        ("hello", "lo", (), None),
        ("hello", "lo", ("x",), None),
        ("hello\nworld", "world", ("\n",), "hello"),
        ("a.b.c", ".c", (".",), "a.b"),  # the first stop in the newly searched tail
        ("ab cd", " cd", ("END", " c"), "ab"),  # whichever stop comes first
        ("xxEN", "EN", ("END",), None),  # a stop not yet complete
        ("xxEND", "D", ("END",), "xx"),  # completed across pieces
    ],
)
def test_cut_at_stop(text: str, piece: str, stops: tuple[str, ...], expected: str | None) -> None:
    assert cut_at_stop(text, piece, stops) == expected


def test_streaming_holds_back_what_could_start_a_stop_string() -> None:
    assert streamable("hello", ()) == 5
    assert streamable("hello", ("\n",)) == 5
    assert streamable("hello", ("END", "\n")) == 3
