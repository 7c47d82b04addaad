"""The compact formulation language: a few tokens a model writes, parsed into the typed formulation.

A small model writes far fewer tokens here than in the JSON formulation, and a per-problem
grammar admits only numbers and words found in the problem text::

    from solvers.compact import compact_grammar, compact_to_formulation
    formulation = compact_to_formulation("int x y\\nmax 3 x + 2 y\\nx + y <= 4\\n")
"""

from solvers.compact._convert import compact_to_formulation, report_expressions
from solvers.compact._grammar import (
    MAX_QUOTES,
    admissible,
    body_grammar,
    compact_grammar,
    grammar_pattern,
    head_grammar,
    vocabulary_grammar,
)
from solvers.compact._parse import (
    CompactModel,
    CompactSyntaxError,
    Linear,
    Refusal,
    Row,
    parse_compact,
)
from solvers.compact._sentences import split_sentences
from solvers.compact._vocabulary import Vocabulary, canonical, text_numbers, text_vocabulary

__all__ = [
    "MAX_QUOTES",
    "CompactModel",
    "CompactSyntaxError",
    "Linear",
    "Refusal",
    "Row",
    "Vocabulary",
    "admissible",
    "body_grammar",
    "canonical",
    "compact_grammar",
    "compact_to_formulation",
    "grammar_pattern",
    "head_grammar",
    "parse_compact",
    "report_expressions",
    "split_sentences",
    "text_numbers",
    "text_vocabulary",
    "vocabulary_grammar",
]
