"""The compact formulation language: parsing, conversion, named results, vocabulary, grammar."""

from __future__ import annotations

import pytest

from solvers import SolveStatus, solve
from solvers.compact import (
    CompactSyntaxError,
    Refusal,
    admissible,
    canonical,
    compact_grammar,
    compact_to_formulation,
    parse_compact,
    split_sentences,
    text_numbers,
    text_vocabulary,
)

TEXT = (
    "A shop sells chairs and tables. Each chair earns $30 and each table $1,200. A chair "
    "takes 2 hours and a table 5 hours; 100 hours are available. Chairs must be at least "
    "twice the tables, and tables at most 30% of all units. Only whole numbers are possible."
)
TARGET = (
    "int chairs tables\n"
    "max 30 chairs + 1200 tables\n"
    "2 chairs + 5 tables <= 100\n"
    "chairs >= 2 tables\n"
    "tables <= 0.3 (chairs + tables)\n"
    "report 1 = chairs\n"
    "report 2 = objective\n"
)


def test_target_parses_solves_and_reports() -> None:
    formulation = compact_to_formulation(TARGET, quantities=["Chairs made", "Total profit"])
    assert [v.type for v in formulation.variables] == ["integer", "integer"]
    assert [c.expression for c in formulation.constraints] == [
        "2*chairs + 5*tables <= 100",
        "chairs - 2*tables >= 0",
        "0.7*tables - 0.3*chairs <= 0",
    ]
    solution = solve(formulation)
    assert solution.status is SolveStatus.OPTIMAL
    # t <= 0.3(c + t) means c >= 7t/3; with 2c + 5t <= 100 the best is t = 10, c = 25
    assert solution.objective == pytest.approx(12750)
    assert solution.reported == {"Chairs made": 25.0, "Total profit": 12750.0}


def test_parser_is_lenient_about_spacing_and_star() -> None:
    model = parse_compact("var x   y\nmin 3*x + 2 * y\nx+y>=4\n")
    assert not isinstance(model, Refusal)
    assert model.objective.terms == {"x": 3.0, "y": 2.0}
    assert model.rows[0].op == ">="


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("min 3\n", "no variables declared"),
        ("var x\nx <= 3\n", "no objective"),
        ("var x x\nmax x\n", "line 1: variable 'x' is declared twice"),
        ("var x\nmax x + y\n", "line 2: undeclared variable 'y'"),
        ("var x\nmax x\nx <= (3\n", r"line 3: missing '\)'"),
        ("var x\nmax x\nx 3\n", "line 3: expected a constraint"),
        ("var x\nmax x\nreport 1 =\n", "line 3: expected 'report K = EXPR'"),
        ("var for\nmax 1\n", "line 1: 'for' is a reserved word"),
    ],
)
def test_syntax_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(CompactSyntaxError, match=message):
        compact_to_formulation(text)


def test_report_of_an_unrequested_quantity_is_an_error() -> None:
    with pytest.raises(CompactSyntaxError, match="'report 2' names no requested quantity"):
        compact_to_formulation("var x\nmax x\nx <= 1\nreport 2 = x\n", quantities=["x"])


def test_refusals_parse() -> None:
    assert parse_compact("none\n") == Refusal("none")
    assert parse_compact("nonlinear") == Refusal("nonlinear")
    with pytest.raises(CompactSyntaxError, match="refusal"):
        compact_to_formulation("none\n")


def test_numbers_the_text_admits() -> None:
    numbers = text_numbers(
        "Costs are $1,200 and \\$45.50; 30% at most; twice as many; 2.5 million dollars."
    )
    assert {"1200", "45.5", "0.3", "1.3", "0.7", "30", "2", "2500000", "0", "1"} <= numbers
    assert "1201" not in numbers and "12" not in numbers


def test_canonical_numbers() -> None:
    assert [canonical(v) for v in (3.0, 0.25, 4.1 * 1e6, 1 / 3, -2.0)] == [
        "3",
        "0.25",
        "4100000",
        "0.3333333333",
        "-2",
    ]


def test_names_come_from_text_words() -> None:
    vocabulary = text_vocabulary("Ship from Plant A to Store 2 and from Plant B.")
    assert vocabulary.admits_name("Plant") and vocabulary.admits_name("A_Store_2")
    assert not vocabulary.admits_name("Warehouse")
    assert not vocabulary.admits_name("A_B_Store_2")  # at most three parts


def test_admissible_rejects_invented_numbers_and_names() -> None:
    assert admissible(TARGET, TEXT, quantities=2)
    assert not admissible(TARGET.replace("100\n", "101\n"), TEXT, quantities=2)
    assert not admissible(TARGET.replace("tables", "desks"), TEXT, quantities=2)
    assert not admissible(TARGET, TEXT, quantities=1)  # a report line too many
    assert not admissible(TARGET.replace("2 chairs +", "2  chairs +"), TEXT, quantities=2)


def test_grammar_lists_only_the_text_vocabulary() -> None:
    grammar = compact_grammar(TEXT, quantities=2)
    assert '"1200"' in grammar and '"0.3"' in grammar and '"chairs"' in grammar
    assert '"report 1 = "' in grammar and '"report 2 = "' in grammar
    assert '"1201"' not in grammar and '"desks"' not in grammar
    assert 'root ::= program | "none\\n" | "nonlinear\\n"' in grammar


QUOTED = TARGET.replace(
    "2 chairs + 5 tables <= 100\n",
    "> A chair takes 2 hours and a table 5 hours; 100 hours are available.\n"
    "2 chairs + 5 tables <= 100\n",
)


def test_sentences_split_at_ends_not_at_decimals_or_abbreviations() -> None:
    assert split_sentences("Costs are $2.50 each, e.g. Plan A. Buy 3.\n- x >= 2") == (
        "Costs are $2.50 each, e.g. Plan A.",
        "Buy 3.",
        "- x >= 2",
    )


def test_quoted_sentences_are_admitted_and_ignored_by_the_parser() -> None:
    assert admissible(QUOTED, TEXT, quantities=2)
    quantities = ["Chairs made", "Total profit"]
    quoted, plain = (compact_to_formulation(t, quantities=quantities) for t in (QUOTED, TARGET))
    assert quoted.constraints == plain.constraints and quoted.objective == plain.objective
    invented = QUOTED.replace("100 hours are available", "200 hours are available")
    assert not admissible(invented, TEXT, quantities=2)  # a quote must copy a sentence exactly
    too_many = QUOTED.replace("> A chair", "> Only whole numbers are possible.\n" * 3 + "> A chair")
    assert not admissible(too_many, TEXT, quantities=2)  # at most MAX_QUOTES before one row


def test_grammar_lists_the_text_sentences_as_quotes() -> None:
    grammar = compact_grammar(TEXT, quantities=2)
    assert '"Only whole numbers are possible."' in grammar
    assert "quote{0,3} row" in grammar
