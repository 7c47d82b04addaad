"""What a problem family is: a seeded builder of one drafted problem, text and target together.

A family draws the numbers of one problem and writes, sentence by sentence, both the text a
person would read and the compact rows each sentence states. The engine (``evals.synthetic.
_engine``) then dresses the draft (sentence order, distractors, requested quantities), solves
it with solvers/ and keeps it only when it is optimal, non-trivial and admissible under the
problem's grammar.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

DeclKind = Literal["var", "int", "bin"]


@dataclass(frozen=True)
class Clause:
    """One sentence of the problem text and the compact constraint rows it states.

    Attributes:
        text: the sentence(s), ending in punctuation.
        rows: compact rows such as ``"2 chairs + 5 tables <= 100"`` (canonical spacing, numbers
            via ``phrasing.num``); empty for a sentence that only gives data (coefficients).
        movable: the engine may move it among the other movable clauses.
    """

    text: str
    rows: tuple[str, ...] = ()
    movable: bool = True


@dataclass(frozen=True)
class Draft:
    """One drawn problem before the engine dresses it.

    Attributes:
        intro: the opening sentence(s); always first.
        clauses: the body, in the family's order.
        question: the closing sentence asking for the optimum; always last.
        declarations: ``(kind, names)`` pairs, e.g. ``[("int", ["chairs", "tables"])]``.
        objective: the compact objective line, e.g. ``"max 30 chairs + 50 tables"``.
        quantities: quantities a reader may ask for, as ``(phrase, expression)``; the
            expression is compact (``"chairs"``, ``"2 chairs + tables"``) or ``"objective"``.
            Phrases never contain "maximum"/"minimum" words for the objective.
        refusal: ``none`` (no optimization problem) or ``nonlinear`` (outside linear
            models): the target is that one word, and nothing is solved.
    """

    intro: str
    clauses: list[Clause]
    question: str
    declarations: list[tuple[DeclKind, list[str]]]
    objective: str
    quantities: list[tuple[str, str]] = field(default_factory=list)
    refusal: str = ""

    @property
    def kind(self) -> str:
        """``MILP`` when any variable is integer or binary, else ``LP``."""
        if self.refusal:
            return self.refusal
        return "MILP" if any(k != "var" for k, _ in self.declarations) else "LP"


Builder = Callable[[random.Random], Draft]


@dataclass(frozen=True)
class Family:
    """A registered problem family.

    Attributes:
        name: snake_case identifier, e.g. ``production_mix``.
        build: draws one draft from a seeded ``random.Random``.
        kinds: problem classes it can produce (``LP``, ``MILP``).
        summary: one line on what it models.
    """

    name: str
    build: Builder
    kinds: tuple[str, ...]
    summary: str


FAMILIES: dict[str, Family] = {}


def family(name: str, *, kinds: tuple[str, ...] = ("LP", "MILP")) -> Callable[[Builder], Builder]:
    """Register a builder as a family; its docstring's first line becomes the summary."""

    def register(build: Builder) -> Builder:
        if name in FAMILIES:
            raise ValueError(f"family {name!r} is registered twice")
        summary = (build.__doc__ or name).strip().splitlines()[0]
        FAMILIES[name] = Family(name=name, build=build, kinds=kinds, summary=summary)
        return build

    return register
