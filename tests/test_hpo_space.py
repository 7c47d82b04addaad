"""Reading and repairing proposed configurations: fixed cases and hypothesis fuzzing.

Whatever a model writes, every proposal that comes out lies inside the search space, and nothing
raises: unreadable parts are dropped (and counted), the rest is clipped, rounded or snapped.
"""

from __future__ import annotations

import json
import math
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.hpo import Param, parse_proposals, repair_config, repair_value
from agent.hpo._space import format_hint, is_near

SPACE = [
    Param("C", "float", 1e-3, 1e3, log=True),
    Param("lr", "float", 0.0, 1.0, step=0.05),
    Param("layers", "int", 1, 8),
    Param("units", "int", 8, 512, log=True),
    Param("batch", "int", 16, 256, step=16),
    Param("kernel", "categorical", choices=("rbf", "linear", "poly")),
    Param("depth", "categorical", choices=(2, 4, 8, None)),
    Param("flag", "categorical", choices=(True, False)),
]


def in_domain(p: Param, value: Any) -> bool:
    """What Optuna would accept for this parameter."""
    if p.kind == "categorical":
        return any(type(c) is type(value) and c == value for c in p.choices)
    if p.kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            return False
        return p.low <= value <= p.high and (value - p.low) % int(p.step or 1) == 0
    if not isinstance(value, float) or not math.isfinite(value):
        return False
    if not p.low <= value <= p.high:
        return False
    if p.step is not None:
        k = (value - p.low) / p.step
        return math.isclose(k, round(k), abs_tol=1e-8)
    return True


def assert_in_space(params: dict[str, Any]) -> None:
    assert list(params) == [p.name for p in SPACE]
    for p in SPACE:
        assert in_domain(p, params[p.name]), (p, params[p.name])


# -- fixed cases --------------------------------------------------------------------------------


def test_a_clean_json_object_is_taken_as_is() -> None:
    config = {
        "C": 1.5,
        "lr": 0.25,
        "layers": 3,
        "units": 64,
        "batch": 32,
        "kernel": "rbf",
        "depth": None,
        "flag": True,
    }
    found, rejected = parse_proposals(json.dumps(config), SPACE, random.Random(0))
    assert rejected == 0
    assert found[0].params == config
    assert found[0].repaired == ()


def test_out_of_range_values_are_clipped_rounded_and_snapped() -> None:
    raw = {
        "C": 5e6,
        "lr": 0.33,
        "layers": 3.6,
        "units": 2,
        "batch": 41,
        "kernel": " RBF ",
        "depth": 5,
        "flag": "false",
    }
    proposal = repair_config(raw, SPACE, random.Random(0))
    assert proposal is not None
    assert proposal.params == {
        "C": 1e3,
        "lr": pytest.approx(0.35),
        "layers": 4,
        "units": 8,
        "batch": 48,
        "kernel": "rbf",
        "depth": 4,
        "flag": False,
    }
    assert set(proposal.repaired) == {
        "C",
        "lr",
        "layers",
        "units",
        "batch",
        "kernel",
        "depth",
        "flag",
    }
    assert_in_space(proposal.params)


def test_misspelled_category_snaps_to_the_nearest_and_nonsense_is_dropped() -> None:
    p = Param("kernel", "categorical", choices=("rbf", "linear", "poly"))
    assert repair_value(p, "linaer") == ("linear", True)
    assert repair_value(p, "quantum") is None
    assert repair_value(Param("x", "float", 0, 1), "n/a") is None
    assert repair_value(Param("x", "float", 0, 1), float("nan")) is None


def test_missing_values_are_filled_when_most_of_the_space_was_given() -> None:
    space = SPACE[:4]
    half = repair_config({"C": 1.0, "lr": 0.5}, space, random.Random(0))
    assert half is not None and set(half.filled) == {"layers", "units"}
    assert repair_config({"C": 1.0}, space, random.Random(0)) is None  # too little to use


def test_prose_with_name_value_lines_and_loose_objects_are_read() -> None:
    text = "Sure! Try:\n- C = 10\n- lr: 0.1\n- layers: 2\n- units: 128\n- batch: 64\n- kernel: poly"
    found, _ = parse_proposals(text, SPACE, random.Random(0))
    assert found and found[0].params["C"] == 10.0 and found[0].params["kernel"] == "poly"
    loose = "{'C': 2, 'lr': .5, layers: 7, units: 9, batch: 16, kernel: linear, flag: True}"
    found, _ = parse_proposals(loose, SPACE, random.Random(0))
    assert found[0].params["kernel"] == "linear" and found[0].params["flag"] is True


def test_several_objects_on_several_lines_are_all_read_and_keys_match_loosely() -> None:
    lines = "\n".join(json.dumps({"c": c, "LR": 0.1, "Layers": 1, "units": 8}) for c in (1, 2, 3))
    found, rejected = parse_proposals(lines, SPACE[:4], random.Random(0))
    assert [f.params["C"] for f in found] == [1.0, 2.0, 3.0] and rejected == 0


def test_a_wrapped_object_is_unwrapped_and_an_unusable_one_counted() -> None:
    text = '{"config": {"C": 3, "lr": 0.5, "layers": 2, "units": 16}} then {"foo": 1}'
    found, rejected = parse_proposals(text, SPACE[:4], random.Random(0))
    assert len(found) == 1 and found[0].params["C"] == 3.0 and rejected == 1


def test_param_rejects_inconsistent_definitions_naming_the_value() -> None:
    with pytest.raises(ValueError, match="-1"):
        Param("x", "float", -1, 1, log=True)
    with pytest.raises(ValueError, match=r"\[2, 1\]"):
        Param("x", "int", 2, 1)
    with pytest.raises(ValueError, match="choice"):
        Param("x", "categorical")


# -- fuzzing ----------------------------------------------------------------------------------

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["rbf", "RBF", "Linear", "poly ", "8", "4.0", "1e9", "-3", "true", "None"]),
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from([p.name for p in SPACE] + ["junk", "c", "LR"]), _scalars))
def test_any_mapping_repairs_into_the_space_or_is_rejected(raw: dict[str, Any]) -> None:
    proposal = repair_config(raw, SPACE, random.Random(0))
    if proposal is not None:
        assert_in_space(proposal.params)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SPACE), _scalars)
def test_any_single_value_repairs_into_the_domain_or_is_dropped(p: Param, raw: Any) -> None:
    fixed = repair_value(p, raw)
    if fixed is not None:
        assert in_domain(p, fixed[0])


_reply_pieces = st.one_of(
    st.text(max_size=40),
    st.dictionaries(st.sampled_from([p.name for p in SPACE]), _scalars).map(
        lambda d: json.dumps(d, default=str)
    ),
    st.sampled_from(["{", "}", "{'C': 1, 'lr': 2", '{"C": }', "C = 1e400", ":", "= ="]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_reply_pieces, max_size=6).map(" \n".join))
def test_any_reply_text_parses_without_raising_into_valid_proposals(text: str) -> None:
    found, rejected = parse_proposals(text, SPACE, random.Random(0))
    assert rejected >= 0
    for proposal in found:
        assert_in_space(proposal.params)


def test_an_echoed_format_hint_is_no_proposal() -> None:
    found, rejected = parse_proposals(format_hint(SPACE), SPACE, random.Random(0))
    assert found == [] and rejected <= 1


def test_a_copy_with_fewer_digits_is_near_and_a_real_step_is_not() -> None:
    space = SPACE[:4]
    tried = {"C": 3.2322025589, "lr": 0.25, "layers": 3, "units": 64}
    assert is_near({"C": 3.2322, "lr": 0.25, "layers": 3, "units": 64}, tried, space)
    assert not is_near({"C": 3.5, "lr": 0.25, "layers": 3, "units": 64}, tried, space)
    assert not is_near({"C": 3.2322, "lr": 0.25, "layers": 4, "units": 64}, tried, space)
    assert not is_near({"C": 3.2322}, tried, space)


def test_an_echoed_parameter_listing_is_no_proposal() -> None:
    listing = "\n".join(f"- {p.describe()}" for p in SPACE)
    found, _ = parse_proposals(listing, SPACE, random.Random(0))
    assert found == []


def test_a_corner_of_the_box_is_rejected_and_counted_but_one_bound_is_fine() -> None:
    box = [Param(f"x{i}", "float", 0.0, 1.0) for i in range(6)]
    reply = "\n".join(
        json.dumps(config)
        for config in (
            {f"x{i}": 0 for i in range(6)},  # all zeros: a weak model's corner
            {f"x{i}": 7 for i in range(6)},  # clipped onto the upper corner
            {f"x{i}": (1.0 if i < 3 else 0.0) for i in range(6)},  # on a bound in all 6
            {f"x{i}": (0.0 if i < 3 else 0.4) for i in range(6)},  # 3 of 6: not more than half
            {**{f"x{i}": 0.2 for i in range(5)}, "x5": 1.0},  # one bound: a real proposal
        )
    )
    proposals, rejected = parse_proposals(reply, box, random.Random(0))
    assert rejected == 3
    assert [p.params["x5"] for p in proposals] == [0.4, 1.0]


def test_corners_need_two_numeric_dimensions_and_ignore_categories() -> None:
    from agent.hpo._space import on_corner

    assert not on_corner({"C": 1e-3}, SPACE[:1])  # one dimension: its bound may be the optimum
    params = {"C": 1e3, "lr": 0.0, "layers": 8, "units": 100, "batch": 64, "kernel": "rbf"}
    assert on_corner(params, SPACE[:6])  # 3 of 5 numeric dimensions on a bound
    assert not on_corner({**params, "layers": 4}, SPACE[:6])
