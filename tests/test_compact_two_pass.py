"""Two-pass compact decoding: the head (declarations, sense), then the body under a grammar of
the declared names. Scripted replies stand in for the model: these tests are about the
requests the formulator makes and how it joins the passes."""

from __future__ import annotations

from agent.formulate._compact import sample_compact
from agent.formulate._compact_prompt import compact_messages
from agent.llm import LLM, ScriptedFakeBackend
from agent.llm._types import Request
from solvers.compact import body_grammar, head_grammar

BAKERY = (
    "A bakery makes bread and cakes. Each bread earns $3 and each cake earns $5. "
    "The oven runs at most 40 hours; bread takes 2 hours and a cake takes 4 hours."
)
HEAD = "var bread cake\nmax"
FULL = "var bread cake\nmax 3 bread + 5 cake\n2 bread + 4 cake <= 40\n"


def _scripted(head: str) -> ScriptedFakeBackend:
    def reply(request: Request, index: int) -> str:
        return head if request.grammar == head_grammar(BAKERY) else FULL

    return ScriptedFakeBackend(reply)


def test_the_body_is_asked_under_the_grammar_of_the_declared_head() -> None:
    backend = _scripted(HEAD)
    messages = compact_messages(BAKERY, [])
    (reply,) = sample_compact(LLM(backend), messages, BAKERY, [], n=1, temperature=0.0,
                              seed=None)  # fmt: skip
    assert reply.text == FULL
    (head_request, _), (body_request, _) = backend.requests
    assert head_request.grammar == head_grammar(BAKERY)
    assert body_request.grammar == body_grammar(BAKERY, HEAD)
    assert head_request.adapter == body_request.adapter == "formulate"
    assert head_request.messages == body_request.messages


def test_each_sample_gets_its_own_body_with_its_own_seed() -> None:
    backend = _scripted(HEAD)
    replies = sample_compact(LLM(backend), compact_messages(BAKERY, []), BAKERY, [],
                             n=3, temperature=0.7, seed=5)  # fmt: skip
    assert [r.text for r in replies] == [FULL] * 3
    bodies = [request for request, _ in backend.requests if request.grammar != head_grammar(BAKERY)]
    assert len(bodies) == 3 and len({b.seed for b in bodies}) == 3


def test_a_refusal_ends_after_the_first_pass() -> None:
    backend = _scripted("none\n")
    (reply,) = sample_compact(LLM(backend), compact_messages(BAKERY, []), BAKERY, [], n=1,
                              temperature=0.0, seed=None)  # fmt: skip
    assert reply.text == "none\n" and len(backend.requests) == 1
