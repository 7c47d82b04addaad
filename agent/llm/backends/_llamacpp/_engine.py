"""A GGUF model on the low-level llama.cpp C API: loading, the context, tokens and chat template.

One ``LlamaEngine`` per (GGUF file, settings) per process, loaded lazily under a lock
(``shared_engine``). Generation runs in the engine's ``Batcher`` (``_batching``), which owns
the context from its worker thread.
"""

from __future__ import annotations

import ctypes
import logging
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

from agent.errors import ConfigError, ContextWindowError
from agent.llm.backends._llamacpp._batching import Batcher
from agent.llm.backends._llamacpp._jobs import GenerationJob, GenerationResult, Running

_ENGINES: dict[tuple[str, int, int, int, int, str], LlamaEngine] = {}
_ENGINES_LOCK = threading.Lock()


class LlamaEngine:
    """A GGUF model with one multi-sequence context and a batching worker thread.

    Args:
        path: the GGUF file.
        n_ctx: window of one sequence (prompt + output) in tokens.
        n_parallel: most sequences decoded together.
        kv_size: KV cells shared by all sequences (unified KV cache).
        n_threads: CPU threads; default ``default_threads()``.
        lora: a GGUF LoRA adapter applied to this engine's whole context (a base model without
            the adapter needs an engine of its own).

    Raises:
        ConfigError: the file is not a loadable GGUF model, or the adapter does not fit it.
    """

    def __init__(
        self,
        path: str,
        *,
        n_ctx: int = 4096,
        n_parallel: int = 32,
        kv_size: int = 16384,
        n_threads: int | None = None,
        lora: str | None = None,
    ) -> None:
        try:
            import llama_cpp
        except ImportError:
            raise ConfigError(
                "llama-cpp-python is not installed: pip install llama-cpp-python"
            ) from None
        self._lib = llama_cpp
        self.path = path
        self.n_parallel = max(1, min(n_parallel, llama_cpp.llama_max_parallel_sequences()))
        self.kv_size = max(kv_size, n_ctx)
        threads = n_threads or default_threads()
        quiet = logging.getLogger("llama-cpp-python")
        if quiet.level == logging.NOTSET:
            # llama-cpp-python maps ggml's WARN to logging.ERROR (off by one), so only
            # CRITICAL keeps load-time warnings off the user's terminal; failures still raise.
            quiet.setLevel(logging.CRITICAL)
        llama_cpp.llama_backend_init()
        self._model = llama_cpp.llama_model_load_from_file(
            path.encode("utf-8"), llama_cpp.llama_model_default_params()
        )
        if not self._model:
            raise ConfigError(f"llama.cpp could not load {path!r}: is it a GGUF model file?")
        self.n_ctx = min(n_ctx, llama_cpp.llama_model_n_ctx_train(self._model) or n_ctx)
        self._vocab = llama_cpp.llama_model_get_vocab(self._model)
        params = llama_cpp.llama_context_default_params()
        params.n_ctx = self.kv_size
        params.n_batch = self.n_ctx
        params.n_ubatch = min(512, self.n_ctx)
        params.n_seq_max = self.n_parallel
        params.n_threads = threads
        params.n_threads_batch = threads
        params.no_perf = True
        if hasattr(params, "kv_unified"):
            params.kv_unified = True
        # Flash attention skips the masked cells of other sequences in the shared KV cache.
        if hasattr(params, "flash_attn_type"):
            params.flash_attn_type = llama_cpp.LLAMA_FLASH_ATTN_TYPE_ENABLED
        elif hasattr(params, "flash_attn"):
            params.flash_attn = True
        self._ctx = llama_cpp.llama_init_from_model(self._model, params)
        if not self._ctx:
            raise ConfigError(f"llama.cpp could not create a context for {path!r}")
        self.lora = lora
        if lora:
            self._attach_lora(lora)
        self._memory = llama_cpp.llama_get_memory(self._ctx)
        self._batch = llama_cpp.llama_batch_init(self.n_ctx, 0, self.n_parallel)
        self._batcher = Batcher(
            llama_cpp,
            self._ctx,
            self._vocab,
            self._memory,
            self._batch,
            n_ctx=self.n_ctx,
            n_parallel=self.n_parallel,
            kv_size=self.kv_size,
            piece_buf=ctypes.create_string_buffer(256),
        )
        self.formatter = _chat_formatter(llama_cpp, self._model, self._vocab)

    def _attach_lora(self, lora: str) -> None:
        lib = self._lib
        self._adapter = lib.llama_adapter_lora_init(self._model, lora.encode("utf-8"))
        if not self._adapter:
            raise ConfigError(
                f"llama.cpp could not load the LoRA adapter {lora!r} for {self.path!r}: is it a "
                "GGUF LoRA file made for this base model?"
            )
        if hasattr(lib, "llama_set_adapters_lora"):
            adapters = (lib.llama_adapter_lora_p_ctypes * 1)(self._adapter)
            scales = (ctypes.c_float * 1)(1.0)
            status = lib.llama_set_adapters_lora(self._ctx, adapters, 1, scales)
        else:  # llama-cpp-python before the plural API
            status = lib.llama_set_adapter_lora(self._ctx, self._adapter, 1.0)
        if status != 0:
            raise ConfigError(f"llama.cpp refused the LoRA adapter {lora!r} (status {status})")

    # -- public ---------------------------------------------------------------------------

    def tokenize(self, text: str) -> list[int]:
        """Token ids of ``text``; special tokens in it (chat markup) are parsed."""
        data = text.encode("utf-8")
        size = len(data) + 16
        buf = (self._lib.llama_token * size)()
        n = self._lib.llama_tokenize(self._vocab, data, len(data), buf, size, False, True)
        if n < 0:
            buf = (self._lib.llama_token * -n)()
            n = self._lib.llama_tokenize(self._vocab, data, len(data), buf, -n, False, True)
        return list(buf[:n])

    @property
    def eos_id(self) -> int:
        """The token that ends a reply (the model's end-of-sequence token)."""
        return int(self._lib.llama_vocab_eos(self._vocab))

    def chat_prompt(self, messages: Sequence[dict[str, str]]) -> list[int]:
        """Token ids of ``messages`` under the model's chat template, ready for a reply."""
        return self.tokenize(self.formatter(messages=list(messages)).prompt)

    def submit(self, jobs: Sequence[GenerationJob]) -> list[Future[GenerationResult]]:
        """Queue jobs for the worker; each future gets its result (or the engine's error)."""
        futures: list[Future[GenerationResult]] = []
        for job in jobs:
            if len(job.prompt) + 1 > self.n_ctx:
                raise ContextWindowError(
                    f"the prompt has {len(job.prompt)} tokens; the window is {self.n_ctx} "
                    "(shorten the prompt or pass a larger n_ctx)"
                )
            if job.max_tokens < 1:
                raise ConfigError(f"max_tokens must be at least 1, got {job.max_tokens}")
            futures.append(Future())
        self._batcher.put(
            [Running(job=job, future=future) for job, future in zip(jobs, futures, strict=True)]
        )
        return futures

    @property
    def evaluated_tokens(self) -> int:
        """Tokens put through ``llama_decode`` so far (prompts and outputs)."""
        return self._batcher.evaluated_tokens

    def generate(self, jobs: Sequence[GenerationJob]) -> list[GenerationResult]:
        """Run jobs to completion, batched together (and with other callers' jobs)."""
        return [f.result() for f in self.submit(jobs)]


def default_threads() -> int:
    """CPU threads for llama.cpp: the cores this process may run on, at most 8.

    ``OPTAGENT_LLAMA_THREADS`` overrides it. llama.cpp threads spin at barriers, so on a
    machine whose cores are busy with other work, fewer threads can be faster; the load
    average is no guide here (it lags, and counts this process's own earlier work).
    """
    override = os.environ.get("OPTAGENT_LLAMA_THREADS")
    if override:
        try:
            return max(1, int(override))
        except ValueError:
            raise ConfigError(
                f"OPTAGENT_LLAMA_THREADS must be a whole number, got {override!r}"
            ) from None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, 8))


def _chat_formatter(lib: Any, model: Any, vocab: Any) -> Callable[..., Any]:
    """The model's own chat template (from the GGUF), or ChatML when it has none."""
    from llama_cpp import llama_chat_format

    template = lib.llama_model_chat_template(model, None)
    if not template:
        return llama_chat_format.format_chatml
    eos_id = lib.llama_vocab_eos(vocab)
    bos_id = lib.llama_vocab_bos(vocab)
    eos = lib.llama_vocab_get_text(vocab, eos_id).decode("utf-8") if eos_id != -1 else ""
    bos = lib.llama_vocab_get_text(vocab, bos_id).decode("utf-8") if bos_id != -1 else ""
    return llama_chat_format.Jinja2ChatFormatter(
        template=template.decode("utf-8"), eos_token=eos, bos_token=bos
    )


def shared_engine(
    path: str,
    *,
    n_ctx: int = 4096,
    n_parallel: int = 32,
    kv_size: int = 16384,
    n_threads: int = 0,
    lora: str | None = None,
) -> LlamaEngine:
    """The process-wide engine for these settings, loaded on first use (thread-safe)."""
    lora_key = os.path.realpath(lora) if lora else ""
    key = (os.path.realpath(path), n_ctx, n_parallel, kv_size, n_threads, lora_key)
    with _ENGINES_LOCK:
        engine = _ENGINES.get(key)
        if engine is None:
            engine = LlamaEngine(
                path,
                n_ctx=n_ctx,
                n_parallel=n_parallel,
                kv_size=kv_size,
                n_threads=n_threads or None,
                lora=lora,
            )
            _ENGINES[key] = engine
        return engine
