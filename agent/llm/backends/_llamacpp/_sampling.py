"""A job's sampler chain: its grammar, then greedy, or top-k, top-p, temperature and a seeded
draw. The chain belongs to the engine thread and is freed when the job finishes."""

from __future__ import annotations

from typing import Any

from agent.errors import LLMError
from agent.llm.backends._llamacpp._jobs import GenerationJob


def sampler_chain(lib: Any, vocab: Any, job: GenerationJob) -> Any:
    """Build the llama.cpp sampler chain for ``job``.

    Raises:
        LLMError: llama.cpp rejected the job's grammar (that job alone fails).
    """
    chain = lib.llama_sampler_chain_init(lib.llama_sampler_chain_default_params())
    if job.grammar is not None:
        grammar = lib.llama_sampler_init_grammar(vocab, job.grammar.encode("utf-8"), b"root")
        if not grammar:
            lib.llama_sampler_free(chain)
            raise LLMError("llama.cpp rejected the JSON-schema grammar")
        lib.llama_sampler_chain_add(chain, grammar)
    if job.temperature <= 0.0:
        lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_greedy())
        return chain
    if job.top_k > 0:
        lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_top_k(job.top_k))
    if job.top_p < 1.0:
        lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_top_p(job.top_p, 1))
    lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_temp(job.temperature))
    lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_dist(job.seed & 0xFFFFFFFF))
    return chain
