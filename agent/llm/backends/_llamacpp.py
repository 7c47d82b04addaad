"""A batched llama.cpp engine on the low-level C API: many sequences in one context.

One ``LlamaEngine`` per (GGUF file, settings) per process, loaded lazily under a lock. A
worker thread owns the llama.cpp context (contexts are not thread-safe) and runs continuous
batching: every step decodes one token for each running sequence in a single
``llama_decode`` call, admits waiting jobs as soon as KV cells free up, and samples each
sequence with its own sampler chain (grammar, top-k, top-p, temperature, seeded draw, or
greedy). Jobs with the same prompt admitted together share the prompt's KV cells, so
``n`` samples of one request cost one prompt evaluation; jobs whose prompts share a long prefix
(the same few-shot demos before different questions) share the prefix's cells, so it is
evaluated once for the group. Callers on any thread submit jobs
and wait on futures, so concurrent callers are batched together too.
"""

from __future__ import annotations

import codecs
import ctypes
import logging
import os
import queue
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from agent.errors import ConfigError, ContextWindowError, LLMError

_ENGINES: dict[tuple[str, int, int, int, int, str], LlamaEngine] = {}
_ENGINES_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class GenerationJob:
    """One sequence to generate.

    Attributes:
        prompt: prompt token ids (already templated and tokenized).
        max_tokens: most tokens to generate.
        temperature: 0 means greedy.
        top_p: nucleus mass, 1 disables it.
        top_k: keep the k most likely tokens before sampling, 0 disables it.
        seed: seed of this sequence's draw, so a sample reproduces whatever else runs.
        grammar: a GBNF grammar (root rule ``root``) the output must match, or ``None``.
        stop: strings that end the output (not included in it).
        on_text: called from the engine thread with each new piece of text (streaming).
        cancel: set it to stop the job early (finish reason "cancelled").
    """

    prompt: tuple[int, ...]
    max_tokens: int
    temperature: float = 0.0
    top_p: float = 1.0
    top_k: int = 40
    seed: int = 0
    grammar: str | None = None
    stop: tuple[str, ...] = ()
    on_text: Callable[[str], None] | None = None
    cancel: threading.Event | None = None


@dataclass(frozen=True, slots=True)
class GenerationResult:
    """What one job produced."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str


@dataclass(eq=False)
class _Running:
    """Mutable state of an admitted job."""

    job: GenerationJob
    future: Future[GenerationResult]
    seq: int = -1
    group: _Group | None = None
    sampler: Any = None
    n_generated: int = 0
    last_token: int = -1
    text: str = ""
    emitted: int = 0
    decoder: Any = field(default_factory=lambda: codecs.getincrementaldecoder("utf-8")("replace"))


@dataclass(eq=False)
class _Group:
    """Jobs admitted together with one prompt; the prompt's KV cells are shared."""

    prompt_len: int
    members: int


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
        self._piece_buf = ctypes.create_string_buffer(256)
        self._inbox: queue.SimpleQueue[_Running] = queue.SimpleQueue()
        self._worker: threading.Thread | None = None
        self._worker_lock = threading.Lock()
        self.evaluated_tokens = 0  # tokens put through llama_decode (prompts and outputs)
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
        self._ensure_worker()
        for job, future in zip(jobs, futures, strict=True):
            self._inbox.put(_Running(job=job, future=future))
        return futures

    def generate(self, jobs: Sequence[GenerationJob]) -> list[GenerationResult]:
        """Run jobs to completion, batched together (and with other callers' jobs)."""
        return [f.result() for f in self.submit(jobs)]

    # -- worker ---------------------------------------------------------------------------

    def _ensure_worker(self) -> None:
        with self._worker_lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(
                    target=self._loop, name="optagent-llama", daemon=True
                )
                self._worker.start()

    def _loop(self) -> None:
        waiting: deque[_Running] = deque()
        active: list[_Running] = []
        free = list(range(self.n_parallel - 1, -1, -1))
        reserved = 0
        while True:
            if not active and not waiting:
                waiting.append(self._inbox.get())
            while True:
                try:
                    waiting.append(self._inbox.get_nowait())
                except queue.Empty:
                    break
            try:
                reserved = self._step(waiting, active, free, reserved)
            except BaseException as exc:  # the engine stays usable for later jobs
                error = exc if isinstance(exc, LLMError) else LLMError(f"llama.cpp failed: {exc}")
                for run in active + list(waiting):
                    self._release(run)
                    if not run.future.done():
                        run.future.set_exception(error)
                active.clear()
                waiting.clear()
                free[:] = range(self.n_parallel - 1, -1, -1)
                reserved = 0
                self._lib.llama_memory_clear(self._memory, False)

    def _step(
        self, waiting: deque[_Running], active: list[_Running], free: list[int], reserved: int
    ) -> int:
        lib = self._lib
        batch = self._batch
        n_tokens = 0
        outputs: list[tuple[_Running, int]] = []

        def add(token: int, pos: int, seqs: Sequence[int], logits: bool) -> None:
            nonlocal n_tokens
            batch.token[n_tokens] = token
            batch.pos[n_tokens] = pos
            batch.n_seq_id[n_tokens] = len(seqs)
            for k, s in enumerate(seqs):
                batch.seq_id[n_tokens][k] = s
            batch.logits[n_tokens] = logits
            n_tokens += 1

        for run in active:
            add(run.last_token, len(run.job.prompt) + run.n_generated - 1, [run.seq], True)
            outputs.append((run, n_tokens - 1))

        capacity = self.kv_size - min(512, self.n_ctx)
        while waiting and free:
            head = waiting[0].job.prompt
            if n_tokens and n_tokens + len(head) > self.n_ctx:
                break
            group = self._group(waiting, len(free), n_tokens, reserved, capacity, bool(active))
            if not group:
                break
            for run in group:
                waiting.remove(run)
            group = [run for run in group if self._start(run)]
            if not group:
                continue
            prompts = [run.job.prompt for run in group]
            shared_len = _shared_length(head, prompts)
            shared = _Group(prompt_len=shared_len, members=len(group))
            for run in group:
                run.seq = free.pop()
                run.group = shared
            reserved += _group_cells(head, prompts, [self._budget(r) for r in group])
            seqs = [r.seq for r in group]
            if shared_len == len(head):  # one prompt: every member samples its last logits
                for pos, token in enumerate(head):
                    add(token, pos, seqs, pos == len(head) - 1)
                for run in group:
                    outputs.append((run, n_tokens - 1))
                    active.append(run)
                continue
            for pos in range(shared_len):
                add(head[pos], pos, seqs, False)
            for run in group:
                prompt = run.job.prompt
                for pos in range(shared_len, len(prompt)):
                    add(prompt[pos], pos, [run.seq], pos == len(prompt) - 1)
                outputs.append((run, n_tokens - 1))
                active.append(run)

        if not n_tokens:
            return reserved
        batch.n_tokens = n_tokens
        self.evaluated_tokens += n_tokens
        status = lib.llama_decode(self._ctx, batch)
        if status != 0:
            raise LLMError(f"llama_decode returned {status} (KV cache full or invalid batch)")

        for run, index in outputs:
            token = lib.llama_sampler_sample(run.sampler, self._ctx, index)
            reason = self._advance(run, token)
            if reason is not None:
                reserved -= self._finish(run, reason, free)
                active.remove(run)
        return reserved

    def _group(
        self,
        waiting: deque[_Running],
        slots: int,
        n_tokens: int,
        reserved: int,
        capacity: int,
        busy: bool,
    ) -> list[_Running]:
        """Waiting jobs to admit with the first one, sharing its prompt's KV cells.

        Members have the same prompt as the first job, or share a long prefix with it (at
        least half of it, and ``_MIN_SHARED`` tokens): the prefix is decoded once for all of
        them (prompts with the same few-shot demos differ only in their last question). The
        group stops when the sequences, the batch (``n_ctx`` tokens) or the KV cells run out.
        """
        head = waiting[0].job.prompt
        least = max(_MIN_SHARED, len(head) // 2)
        group: list[_Running] = []
        for run in list(waiting):
            if len(group) == slots:
                break
            prompt = run.job.prompt
            if group and prompt != head and _common_prefix(head, prompt) < least:
                continue
            trial = [r.job.prompt for r in group] + [prompt]
            budgets = [self._budget(r) for r in group] + [self._budget(run)]
            first_alone = not group and not busy and reserved == 0
            if reserved + _group_cells(head, trial, budgets) > capacity and not first_alone:
                break
            if group and n_tokens + _group_tokens(head, trial) > self.n_ctx:
                break
            group.append(run)
        return group

    def _start(self, run: _Running) -> bool:
        """Build the run's sampler; a bad grammar fails that job alone."""
        try:
            run.sampler = self._sampler(run.job)
        except LLMError as exc:
            run.future.set_exception(exc)
            return False
        return True

    def _budget(self, run: _Running) -> int:
        return min(run.job.max_tokens, self.n_ctx - len(run.job.prompt))

    def _advance(self, run: _Running, token: int) -> str | None:
        """Take a sampled token; return a finish reason when the sequence is done."""
        if run.job.cancel is not None and run.job.cancel.is_set():
            return "cancelled"
        if self._lib.llama_vocab_is_eog(self._vocab, token):
            return "stop"
        run.n_generated += 1
        run.last_token = token
        n = self._lib.llama_token_to_piece(self._vocab, token, self._piece_buf, 256, 0, False)
        piece = run.decoder.decode(self._piece_buf.raw[: max(n, 0)])
        run.text += piece
        stops = run.job.stop
        if stops:
            window = run.text[-(len(piece) + max(map(len, stops))) :]
            hits = [window.find(s) for s in stops if s in window]
            if hits:
                run.text = run.text[: len(run.text) - len(window) + min(hits)]
                return "stop"
        if run.job.on_text is not None:
            hold = max(map(len, stops), default=1) - 1
            upto = len(run.text) - hold
            if upto > run.emitted:
                run.job.on_text(run.text[run.emitted : upto])
                run.emitted = upto
        if run.n_generated >= self._budget(run):
            return "length"
        return None

    def _finish(self, run: _Running, reason: str, free: list[int]) -> int:
        """Complete a job, free its sequence; return how many KV cells it gave back."""
        run.text += run.decoder.decode(b"", final=True)
        if run.job.on_text is not None and len(run.text) > run.emitted:
            run.job.on_text(run.text[run.emitted :])
            run.emitted = len(run.text)
        assert run.group is not None
        released = self._budget(run) + len(run.job.prompt) - run.group.prompt_len
        run.group.members -= 1
        if run.group.members == 0:
            released += run.group.prompt_len
        self._lib.llama_memory_seq_rm(self._memory, run.seq, -1, -1)
        free.append(run.seq)
        self._release(run)
        result = GenerationResult(run.text, len(run.job.prompt), run.n_generated, reason)
        if not run.future.done():
            run.future.set_result(result)
        return released

    def _release(self, run: _Running) -> None:
        if run.sampler is not None:
            self._lib.llama_sampler_free(run.sampler)
            run.sampler = None

    def _sampler(self, job: GenerationJob) -> Any:
        lib = self._lib
        chain = lib.llama_sampler_chain_init(lib.llama_sampler_chain_default_params())
        if job.grammar is not None:
            grammar = lib.llama_sampler_init_grammar(
                self._vocab, job.grammar.encode("utf-8"), b"root"
            )
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


_MIN_SHARED = 64
"""Fewest shared prompt tokens for different prompts to be admitted as one group: a few-shot
prefix, not just the chat template's system turn (sharing changes a batch's arithmetic, and
short unrelated prompts gain little from it)."""


def _common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n


def _shared_length(head: Sequence[int], prompts: Sequence[Sequence[int]]) -> int:
    """KV cells a group shares: the whole prompt when all are one prompt, else the common
    prefix less at least one token, so each member decodes its own last position."""
    if all(p == head for p in prompts):
        return len(head)
    return min(min(_common_prefix(head, p), len(p) - 1) for p in prompts)


def _group_tokens(head: Sequence[int], prompts: Sequence[Sequence[int]]) -> int:
    """Tokens a group puts in the batch: the shared prefix once, then each member's rest."""
    shared = _shared_length(head, prompts)
    if shared == len(head):
        return shared
    return shared + sum(len(p) - shared for p in prompts)


def _group_cells(
    head: Sequence[int], prompts: Sequence[Sequence[int]], budgets: Sequence[int]
) -> int:
    """KV cells a group reserves: its prompt tokens plus each member's output budget."""
    return _group_tokens(head, prompts) + sum(budgets)


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
