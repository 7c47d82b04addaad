"""A LangChain LCEL chain runs on the embedded model through our chat-model adapter."""

from __future__ import annotations

import pytest

from agent.llm import load

pytest.importorskip("langchain_core", reason="langchain-core is not installed")
from agent.llm import OptagentChatModel  # loads langchain-core, checked above

# The embedded model and llama-cpp-python are core dependencies: a missing one fails here.
pytestmark = pytest.mark.llm


def test_lcel_chain_runs_on_the_local_model() -> None:
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate

    llm = load("local", cache=False)
    chat_model = OptagentChatModel(llm=llm, max_tokens=16)
    prompt = ChatPromptTemplate.from_messages(
        [("system", "You answer in a few words."), ("user", "What is the capital of {country}?")]
    )
    chain = prompt | chat_model | StrOutputParser()
    answer = chain.invoke({"country": "France"})
    assert isinstance(answer, str) and answer.strip()
    direct = llm.complete(
        [
            {"role": "system", "content": "You answer in a few words."},
            {"role": "user", "content": "What is the capital of France?"},
        ],
        max_tokens=16,
    )[0].text
    assert answer == direct
    assert llm.usage.snapshot().calls >= 1
