"""Every family of the data engine draws solvable, verified, admissible, deterministic examples."""

from __future__ import annotations

import re

import pytest

from evals.synthetic._engine import synthesize
from evals.synthetic.families import FAMILIES
from solvers import SolveStatus, solve, verify
from solvers.compact import (
    Refusal,
    compact_grammar,
    compact_to_formulation,
    parse_compact,
    split_sentences,
    text_vocabulary,
)

DRAWS = 12


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_family_draws_verified_admissible_examples(name: str) -> None:
    kinds = set()
    for index in range(DRAWS):
        example = synthesize(name, index, seed=7)
        kinds.add(example.kind)
        assert example.target.endswith("\n")
        parsed = parse_compact(example.target)
        if isinstance(parsed, Refusal):
            assert example.kind == parsed.kind
            continue
        formulation = compact_to_formulation(parsed, quantities=example.quantities)
        solution = solve(formulation)
        assert solution.status is SolveStatus.OPTIMAL
        assert solution.objective == pytest.approx(example.objective, rel=1e-6, abs=1e-6)
        assert verify(formulation, solution).ok
        vocabulary = text_vocabulary(example.text)
        # Quote lines copy whole sentences of the text; the rest must use only its numbers.
        quotes = re.findall(r"(?m)^> (.*)$", example.target)
        assert set(quotes) <= set(split_sentences(example.text)), (name, quotes)
        body = re.sub(r"(?m)^(report \d+ = |> .*$)", "", example.target)
        for number in re.findall(r"(?<![\w.])\d+(?:\.\d+)?", body):
            assert vocabulary.admits_number(number), (name, number, example.text)
        for variable in parsed.variables:
            assert vocabulary.admits_name(variable), (name, variable, example.text)
        assert solution.reported == pytest.approx(example.reported)
        assert len(example.reported) == len(example.quantities)
    assert kinds <= set(FAMILIES[name].kinds) | {"none", "nonlinear"}


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_family_is_deterministic_and_varied(name: str) -> None:
    first = [synthesize(name, i, seed=3) for i in range(6)]
    again = [synthesize(name, i, seed=3) for i in range(6)]
    assert [e.to_dict() for e in first] == [e.to_dict() for e in again]
    assert len({e.text for e in first}) == 6
    other_seed = synthesize(name, 0, seed=4)
    assert other_seed.text != first[0].text


def test_grammar_is_built_from_the_text() -> None:
    text = "Make at most 40 chairs and 25 tables; profit $12 per chair, twice that per table."
    grammar = compact_grammar(text, quantities=1)
    assert '"40"' in grammar and '"25"' in grammar and '"12"' in grammar and '"2"' in grammar
    assert '"chairs"' in grammar and '"report 1 = "' in grammar
    assert '"13"' not in grammar


def test_weighted_family_list_takes_its_share_and_keeps_indices_distinct() -> None:
    from evals.synthetic._dataset import family_names, generate_examples

    names = family_names(include=["production_mix", "allocation_letters"],
                         weights={"allocation_letters": 3})  # fmt: skip
    assert names == ["allocation_letters"] * 3 + ["production_mix"]
    examples = generate_examples(8, seed=5, families=names, workers=1)
    taken = [(e.family, e.index) for e in examples]
    assert [f for f, _ in taken].count("allocation_letters") == 6
    assert len(set(taken)) == 8  # a family listed twice never repeats an example
    assert [e.to_dict() for e in generate_examples(8, seed=5, families=names, workers=2)] == [
        e.to_dict() for e in examples
    ]
    with pytest.raises(KeyError, match="no_such_family"):
        family_names(weights={"no_such_family": 2})


def test_unweighted_set_is_example_i_div_f_of_family_i_mod_f() -> None:
    from evals.synthetic._dataset import family_names, generate_examples

    names = family_names(include=["production_mix", "diet"])
    examples = generate_examples(5, seed=2, families=names, workers=1)
    assert [(e.family, e.index) for e in examples] == [(names[i % 2], i // 2) for i in range(5)]
