"""Every generated target is admitted by llama.cpp's own grammar engine under its text's grammar
(teacher-forced token by token), and the Python check the data engine uses agrees with it."""

from __future__ import annotations

import ctypes

import numpy as np
import pytest

from agent.formulate._compact import compact_request
from agent.llm.backends._embedded import embedded_model_path
from evals.synthetic._engine import synthesize
from evals.synthetic.families import FAMILIES
from solvers.compact import admissible, body_grammar, head_grammar

DECLARED = ("var", "int", "bin")

# The embedded model and llama-cpp-python are core dependencies: a missing one fails here.
pytestmark = pytest.mark.llm

_TOKEN_DATA = np.dtype([("id", "<i4"), ("logit", "<f4"), ("p", "<f4")])


@pytest.fixture(scope="module")
def engine():  # type: ignore[no-untyped-def]  # llama_cpp ships no types for the engine
    from agent.llm.backends._llamacpp import LlamaEngine

    return LlamaEngine(embedded_model_path(), n_parallel=1, kv_size=512, n_ctx=512, n_threads=1)


def grammar_admits(engine, grammar: str, text: str) -> bool:  # type: ignore[no-untyped-def]  # llama_cpp ships no types for the engine
    """Feed ``text``'s tokens, then end-of-sequence, through a llama.cpp grammar sampler."""
    import llama_cpp as lib

    vocab = engine._vocab
    n_vocab = lib.llama_vocab_n_tokens(vocab)
    sampler = lib.llama_sampler_init_grammar(vocab, grammar.encode("utf-8"), b"root")
    assert sampler, "llama.cpp rejected the grammar"
    buffer = (lib.llama_token_data * n_vocab)()
    view = np.frombuffer(buffer, dtype=_TOKEN_DATA)
    try:
        for token in [*engine.tokenize(text), engine.eos_id]:
            view["id"] = np.arange(n_vocab, dtype=np.int32)
            view["logit"] = 0.0
            data = lib.llama_token_data_array(buffer, n_vocab, -1, False)
            lib.llama_sampler_apply(sampler, ctypes.byref(data))
            if not np.isfinite(view["logit"][token]):
                return False
            if token != engine.eos_id:
                lib.llama_sampler_accept(sampler, token)
        return True
    finally:
        lib.llama_sampler_free(sampler)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_generated_targets_pass_llamacpp_grammar(engine, family: str) -> None:  # type: ignore[no-untyped-def]  # llama_cpp ships no types for the engine
    for index in range(2):
        example = synthesize(family, index, seed=21)
        _, grammar = compact_request(example.text, example.quantities)
        assert admissible(example.target, example.text, len(example.quantities))
        assert grammar_admits(engine, grammar, example.target), example.target


def test_llamacpp_grammar_rejects_what_the_python_check_rejects(engine) -> None:  # type: ignore[no-untyped-def]  # llama_cpp ships no types for the engine
    example = synthesize("production_mix", 0, seed=21)
    _, grammar = compact_request(example.text, example.quantities)
    invented = example.target.replace("\n", " + 98765 x\n", 1).replace("int ", "int x ", 1)
    bad_name = example.target.replace("max ", "max 1 zzqq + ", 1)
    for target in (invented, bad_name):
        assert not admissible(target, example.text, len(example.quantities))
        assert not grammar_admits(engine, grammar, target)


def test_written_out_line_breaks_become_quotable_lines(engine) -> None:  # type: ignore[no-untyped-def]  # llama_cpp ships no types for the engine
    text = (
        "A shop makes $X$ and $Y$, earning $3 and $5 each.\\n\\nThe limits:\\n"
        "- X plus Y cannot exceed 10.\\n- X must be at least 2. What is the maximum profit?"
    )
    messages, grammar = compact_request(text, [])
    assert "\\n" not in messages[-1].content and "\n- X plus Y" in messages[-1].content
    quoted = "var X Y\nmax 3 X + 5 Y\n> - X plus Y cannot exceed 10.\nX + Y <= 10\n"
    assert grammar_admits(engine, grammar, quoted)
    assert not grammar_admits(engine, grammar, quoted.replace("10.", "12."))


def test_two_pass_grammars_tie_rows_to_the_declared_names(engine) -> None:  # type: ignore[no-untyped-def]  # llama_cpp ships no types for the engine
    example = synthesize("production_mix", 0, seed=21)
    text, target = example.text, example.target
    declarations = [line for line in target.splitlines() if line.split(" ")[0] in DECLARED]
    head = "\n".join(declarations) + "\n" + target.splitlines()[len(declarations)][:3]
    assert grammar_admits(engine, head_grammar(text), head)
    body = body_grammar(text, head, len(example.quantities))
    assert grammar_admits(engine, body, target)
    name = declarations[0].split(" ")[1]
    undeclared = target.replace(f" {name}\n", f" {name}s\n", 1) if f" {name}\n" in target else None
    if undeclared is not None:
        assert not grammar_admits(engine, body, undeclared)
    other_head = head.replace(name, name + "_2", 1)
    assert not grammar_admits(engine, body_grammar(text, other_head), target)


def test_a_name_declared_twice_is_declared_once_in_the_second_pass(engine) -> None:  # type: ignore[no-untyped-def]  # llama_cpp ships no types for the engine
    text = "A shop makes chairs and tables, earning 3 and 5 each; at most 10 items in all."
    body = body_grammar(text, "int chairs tables chairs\nmax")
    fixed = "int chairs tables\nmax 3 chairs + 5 tables\nchairs + tables <= 10\n"
    assert grammar_admits(engine, body, fixed)
    assert not grammar_admits(engine, body, fixed.replace("tables <=", "table <="))
