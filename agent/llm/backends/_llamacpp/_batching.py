"""Continuous batching on one llama.cpp context, in a worker thread that owns the context.

Every step decodes one token for each running sequence in a single ``llama_decode`` call,
admits waiting jobs as soon as sequences and KV cells free up (groups sharing a prompt prefix,
see ``_prefix``), and samples each sequence with its own sampler chain. Callers on any thread
queue jobs and wait on futures, so concurrent callers are batched together too.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Sequence
from typing import Any

from agent.errors import LLMError
from agent.llm.backends._llamacpp._jobs import GenerationResult, Group, Running
from agent.llm.backends._llamacpp._prefix import admit, group_cells, shared_length
from agent.llm.backends._llamacpp._sampling import sampler_chain
from agent.llm.backends._llamacpp._text import cut_at_stop, streamable


class Batcher:
    """The batching worker of one context.

    Args:
        lib: the ``llama_cpp`` module.
        ctx, vocab, memory: the context, its model's vocabulary and its KV memory.
        batch: a ``llama_batch`` of ``n_ctx`` tokens for ``n_parallel`` sequences.
        n_ctx: window of one sequence; also the most tokens in one decode.
        n_parallel: most sequences decoded together.
        kv_size: KV cells shared by all sequences.
        piece_buf: a 256-byte buffer for token pieces (owned by the engine thread).
    """

    def __init__(
        self,
        lib: Any,
        ctx: Any,
        vocab: Any,
        memory: Any,
        batch: Any,
        *,
        n_ctx: int,
        n_parallel: int,
        kv_size: int,
        piece_buf: Any,
    ) -> None:
        self._lib, self._ctx, self._vocab = lib, ctx, vocab
        self._memory, self._batch = memory, batch
        self.n_ctx, self.n_parallel, self.kv_size = n_ctx, n_parallel, kv_size
        self._piece_buf = piece_buf
        self._inbox: queue.SimpleQueue[Running] = queue.SimpleQueue()
        self._worker: threading.Thread | None = None
        self._worker_lock = threading.Lock()
        self.evaluated_tokens = 0  # tokens put through llama_decode (prompts and outputs)

    def put(self, runs: Sequence[Running]) -> None:
        """Queue jobs for admission, starting the worker thread when needed."""
        self._ensure_worker()
        for run in runs:
            self._inbox.put(run)

    def _ensure_worker(self) -> None:
        with self._worker_lock:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(
                    target=self._loop, name="optagent-llama", daemon=True
                )
                self._worker.start()

    def _loop(self) -> None:
        waiting: deque[Running] = deque()
        active: list[Running] = []
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
        self, waiting: deque[Running], active: list[Running], free: list[int], reserved: int
    ) -> int:
        lib = self._lib
        batch = self._batch
        n_tokens = 0
        outputs: list[tuple[Running, int]] = []

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
            shared_len = shared_length(head, prompts)
            shared = Group(prompt_len=shared_len, members=len(group))
            for run in group:
                run.seq = free.pop()
                run.group = shared
            reserved += group_cells(head, prompts, [self._budget(r) for r in group])
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
        waiting: deque[Running],
        slots: int,
        n_tokens: int,
        reserved: int,
        capacity: int,
        busy: bool,
    ) -> list[Running]:
        """Waiting jobs to admit with the first one (see ``_prefix.admit``)."""
        runs = list(waiting)
        chosen = admit(
            [run.job.prompt for run in runs],
            [self._budget(run) for run in runs],
            slots=slots,
            n_tokens=n_tokens,
            reserved=reserved,
            capacity=capacity,
            busy=busy,
            n_ctx=self.n_ctx,
        )
        return [runs[i] for i in chosen]

    def _start(self, run: Running) -> bool:
        """Build the run's sampler; a bad grammar fails that job alone."""
        try:
            run.sampler = sampler_chain(self._lib, self._vocab, run.job)
        except LLMError as exc:
            run.future.set_exception(exc)
            return False
        return True

    def _budget(self, run: Running) -> int:
        return min(run.job.max_tokens, self.n_ctx - len(run.job.prompt))

    def _advance(self, run: Running, token: int) -> str | None:
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
        cut = cut_at_stop(run.text, piece, run.job.stop)
        if cut is not None:
            run.text = cut
            return "stop"
        if run.job.on_text is not None:
            upto = streamable(run.text, run.job.stop)
            if upto > run.emitted:
                run.job.on_text(run.text[run.emitted : upto])
                run.emitted = upto
        if run.n_generated >= self._budget(run):
            return "length"
        return None

    def _finish(self, run: Running, reason: str, free: list[int]) -> int:
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

    def _release(self, run: Running) -> None:
        if run.sampler is not None:
            self._lib.llama_sampler_free(run.sampler)
            run.sampler = None
