"""A batched llama.cpp engine on the low-level C API: many sequences in one context.

A worker thread owns the llama.cpp context (contexts are not thread-safe) and runs continuous
batching: every step decodes one token for each running sequence in a single
``llama_decode`` call, admits waiting jobs as soon as KV cells free up, and samples each
sequence with its own sampler chain (grammar, top-k, top-p, temperature, seeded draw, or
greedy). Jobs with the same prompt admitted together share the prompt's KV cells, so
``n`` samples of one request cost one prompt evaluation; jobs whose prompts share a long prefix
(the same few-shot demos before different questions) share the prefix's cells, so it is
evaluated once for the group. Callers on any thread submit jobs and wait on futures, so
concurrent callers are batched together too.

Modules: ``_engine`` (model load, context, tokens, chat template), ``_batching`` (the worker
loop), ``_prefix`` (which jobs share a prompt prefix, and what a group costs), ``_sampling``
(a job's sampler chain and grammar), ``_text`` (stop strings, streaming), ``_jobs`` (job and
result types).
"""

from agent.llm.backends._llamacpp._engine import LlamaEngine, default_threads, shared_engine
from agent.llm.backends._llamacpp._jobs import GenerationJob, GenerationResult

__all__ = [
    "GenerationJob",
    "GenerationResult",
    "LlamaEngine",
    "default_threads",
    "shared_engine",
]
