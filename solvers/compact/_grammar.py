"""A per-problem GBNF grammar for the compact language: only the text's numbers and words.

Decoding under it, a model can write nothing but canonical compact formulations whose numbers
come from the problem text (see ``text_vocabulary``) and whose names are built from its words;
with requested quantities it must write one ``report`` line for each, in order. Before a
constraint row it may quote sentences of the text (``> `` lines, copied exactly), the sentence
the row comes from: a small model translates a sentence it has just copied more reliably.
"""

from __future__ import annotations

import functools
import re

from solvers.compact._sentences import split_sentences
from solvers.compact._vocabulary import MAX_NAME_PARTS, Vocabulary, text_vocabulary

#: Bounds that make every grammar-valid output end: a 135M model may otherwise loop.
MAX_DECLARATION_NAMES = 12
MAX_ROWS = 16
MAX_TERMS = 12
#: Quoted sentences before one row.
MAX_QUOTES = 3
_DECL = f'decl ::= ("var" | "int" | "bin") (" " name){{1,{MAX_DECLARATION_NAMES}}} "\\n"'


def compact_grammar(text: str, quantities: int = 0, *, allow_refusal: bool = True) -> str:
    """GBNF (root rule ``root``) for compact formulations of ``text``.

    Args:
        text: the problem text (the source of admissible numbers and words).
        quantities: how many requested quantities need a ``report`` line.
        allow_refusal: admit the one-line answers ``none`` and ``nonlinear``.
    """
    return vocabulary_grammar(
        text_vocabulary(text), quantities, allow_refusal=allow_refusal,
        sentences=split_sentences(text),
    )  # fmt: skip


def head_grammar(text: str) -> str:
    """GBNF for the head of a compact formulation: its declaration lines and the objective's
    sense (or a refusal). The first of two decoding passes (see ``body_grammar``)."""
    vocabulary = text_vocabulary(text)
    words = vocabulary.words or ("x",)
    rules = [
        'root ::= decl decl? decl? ("max" | "min") | "none\\n" | "nonlinear\\n"',
        _DECL,
        f'name ::= word ("_" part){{0,{MAX_NAME_PARTS - 1}}}',
        "part ::= word | [0-9] [0-9]?",
        "word ::= " + " | ".join(_literal(w) for w in words),
    ]
    return "\n".join(rules) + "\n"


def body_grammar(text: str, head: str, quantities: int = 0) -> str:
    """GBNF for a whole compact formulation that starts with ``head`` (declarations and sense,
    as ``head_grammar`` admits it), whose rows may name only the declared variables.

    A name declared twice is kept once. The second decoding pass: a small model otherwise
    writes rows over names it never declared (``nurse`` for the declared ``nurses``).
    """
    *lines, sense = head.split("\n")
    seen: dict[str, None] = {}
    declarations = []
    for line in lines:
        kind, *names = line.split(" ")
        fresh = [name for name in dict.fromkeys(names) if name not in seen]
        seen.update(dict.fromkeys(fresh))
        if fresh:
            declarations.append(" ".join([kind, *fresh]) + "\n")
    return vocabulary_grammar(
        text_vocabulary(text), quantities, allow_refusal=False, sentences=split_sentences(text),
        head="".join(declarations) + sense, names=tuple(seen),
    )  # fmt: skip


def vocabulary_grammar(
    vocabulary: Vocabulary,
    quantities: int = 0,
    *,
    allow_refusal: bool = True,
    sentences: tuple[str, ...] = (),
    head: str = "",
    names: tuple[str, ...] = (),
) -> str:
    """GBNF for compact formulations over a given vocabulary (see ``compact_grammar``).

    ``sentences`` are the quotable sentences; with none, the grammar admits no quote line.
    With ``head`` (declaration lines and ``max``/``min``) the formulation starts with exactly
    that text and its expressions may use only ``names``.
    """
    words = vocabulary.words or ("x",)
    reports = "".join(f' "report {k} = " rexpr "\\n"' for k in range(1, quantities + 1))
    refusal = ' | "none\\n" | "nonlinear\\n"' if allow_refusal else ""
    row = f"(quote{{0,{MAX_QUOTES}}} row)" if sentences else "row"
    start = f'{_literal(head)} " " expr "\\n"' if head else "decl decl? decl? obj"
    rules = [
        f"root ::= program{refusal}",
        f"program ::= {start} {row}{{0,{MAX_ROWS}}}{reports}",
        _DECL,
        'obj ::= ("max" | "min") " " expr "\\n"',
        'row ::= expr " " ("<=" | ">=" | "=") " " expr "\\n"',
        f'expr ::= "-"? term (" " [-+] " " term){{0,{MAX_TERMS - 1}}}',
        'term ::= num " " name | name | num | num " (" inner ")"',
        f'inner ::= "-"? iterm (" " [-+] " " iterm){{0,{MAX_TERMS - 1}}}',
        'iterm ::= num " " name | name | num',
        'rexpr ::= "objective" | expr',
        "num ::= " + " | ".join(_literal(n) for n in vocabulary.numbers),
    ]
    if names:
        rules.append("name ::= " + " | ".join(_literal(n) for n in names))
    else:
        rules += [
            f'name ::= word ("_" part){{0,{MAX_NAME_PARTS - 1}}}',
            "part ::= word | [0-9] [0-9]?",
            "word ::= " + " | ".join(_literal(w) for w in words),
        ]
    if sentences:
        rules.append('quote ::= "> " (' + " | ".join(_literal(t) for t in sentences) + ') "\\n"')
    return "\n".join(rules) + "\n"


def _literal(literal: str) -> str:
    return '"' + literal.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


@functools.cache
def grammar_pattern(quantities: int = 0) -> re.Pattern[str]:
    """A Python regex of the grammar's layout, with any number and any name in their slots.

    The grammar is regular, so ``admissible`` checks many targets quickly: this layout, then
    each number and name against the text's vocabulary (the data engine checks every example
    this way; a test checks the pair agrees with llama.cpp's grammar engine).
    """
    number = r"\d+(?:\.\d+)?"
    word = r"[A-Za-z][A-Za-z0-9]*"
    name = rf"{word}(?:_(?:{word}|[0-9][0-9]?)){{0,{MAX_NAME_PARTS - 1}}}"
    iterm = rf"(?:{number} {name}|{name}|{number})"
    inner = rf"-?{iterm}(?: [-+] {iterm}){{0,{MAX_TERMS - 1}}}"
    term = rf"(?:{number} {name}|{name}|{number}|{number} \({inner}\))"
    expr = rf"-?{term}(?: [-+] {term}){{0,{MAX_TERMS - 1}}}"
    decl = rf"(?:var|int|bin)(?: {name}){{1,{MAX_DECLARATION_NAMES}}}\n"
    reports = "".join(rf"report {k} = (?:objective|{expr})\n" for k in range(1, quantities + 1))
    program = (
        rf"{decl}(?:{decl})?(?:{decl})?(?:max|min) {expr}\n"
        rf"(?:(?:> [^\n]+\n){{0,{MAX_QUOTES}}}{expr} (?:<=|>=|=) {expr}\n){{0,{MAX_ROWS}}}{reports}"
    )
    return re.compile(rf"(?:{program}|none\n|nonlinear\n)")


_TOKENS = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)|([A-Za-z][A-Za-z0-9_]*)")
_LAYOUT_WORDS = frozenset(
    {"var", "int", "bin", "max", "min", "report", "objective", "none", "nonlinear"}
)


def admissible(target: str, text: str, quantities: int = 0) -> bool:
    """Whether the grammar of ``text`` admits ``target`` (a full output, newline-terminated)."""
    if grammar_pattern(quantities).fullmatch(target) is None:
        return False
    vocabulary = text_vocabulary(text)
    for line in target.splitlines():
        if line.startswith("> "):
            if line[2:] not in split_sentences(text):
                return False
            continue
        body = line.split(" = ", 1)[1] if line.startswith("report ") else line
        for number, name in _TOKENS.findall(body):
            if number and not vocabulary.admits_number(number):
                return False
            if name and name not in _LAYOUT_WORDS and not vocabulary.admits_name(name):
                return False
    return True
