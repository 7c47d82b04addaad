"""Hugging Face transformers backend: any checkpoint folder or GGUF file, CPU or CUDA.

Prompts go through the tokenizer's chat template; many prompts are generated together with
left padding (``max_batch`` rows per ``generate`` call). Each sample draws its tokens from its
own seeded ``torch.Generator``, so a sample reproduces whatever else shares its batch. JSON
schemas are enforced while decoding by xgrammar's transformers logits processor (one
compiled grammar per row). Needs the ``hf`` extra.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from agent.errors import ConfigError, LLMError, MissingExtraError
from agent.llm._backend import Backend, ResultCallback
from agent.llm._types import Completion, Request, Usage


def _require_hf() -> tuple[Any, Any]:
    try:
        import torch
        import transformers
    except ImportError:
        raise MissingExtraError("transformers", "hf") from None
    return torch, transformers


def _require_gguf() -> None:
    """transformers reads GGUF files through `gguf`; say which extra brings it when missing."""
    try:
        import gguf  # noqa: F401
    except ImportError:
        raise MissingExtraError("gguf", "hf") from None


class TransformersBackend(Backend):
    """A causal LM through transformers.

    Args:
        path: a checkpoint folder, a ``.gguf`` file (read by transformers' GGUF loader), or a
            hub model id that is already in the local cache.
        device: ``"cpu"``, ``"cuda"``, ``"cuda:1"``...; default CUDA when available.
        dtype: ``"float32"``, ``"bfloat16"``, ``"float16"`` or ``"auto"``; default float32 on
            CPU and bfloat16 on CUDA.
        max_batch: most rows in one ``generate`` call.
        top_k: sampling keeps the k most likely tokens (0: all); unused when greedy.

    Raises:
        MissingExtraError: transformers or torch (or gguf, for a ``.gguf`` file) is not
            installed.
        ConfigError: the path does not exist or an option is out of range.
    """

    supports_schema = True
    max_concurrency = 1

    def __init__(
        self,
        path: str,
        *,
        device: str | None = None,
        dtype: str | None = None,
        max_batch: int = 32,
        top_k: int = 0,
    ) -> None:
        torch, _ = _require_hf()
        if max_batch < 1:
            raise ConfigError(f"max_batch must be at least 1, got {max_batch}")
        if top_k < 0:
            raise ConfigError(f"top_k must be 0 (off) or positive, got {top_k}")
        target = Path(path).expanduser()
        self._gguf: str | None  # the GGUF file name in _folder, or None for a checkpoint folder
        if target.suffix == ".gguf":
            if not target.is_file():
                raise ConfigError(f"GGUF file not found: {target} (check the hf:PATH spec)")
            _require_gguf()
            self._folder, self._gguf = str(target.parent), target.name
        else:
            if not target.exists() and "/" not in path:
                raise ConfigError(f"model folder not found: {target} (check the hf:PATH spec)")
            self._folder, self._gguf = str(target) if target.exists() else path, None
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        if dtype is None:
            dtype = "bfloat16" if self.device.startswith("cuda") else "float32"
        if dtype != "auto" and not isinstance(getattr(torch, dtype, None), torch.dtype):
            raise ConfigError(f"unknown dtype {dtype!r}: use float32, bfloat16, float16 or auto")
        self.dtype = dtype
        self.max_batch = max_batch
        self.top_k = top_k
        self.spec = f"hf:{path}"
        self.model_name = target.stem if self._gguf else target.name
        self._lock = threading.Lock()
        self._loaded: tuple[Any, Any] | None = None
        self._grammar_compiler: Any = None

    # -- loading --------------------------------------------------------------------------

    def _load(self) -> tuple[Any, Any]:
        """Model and tokenizer, loaded on first use under the lock."""
        if self._loaded is not None:
            return self._loaded
        torch, transformers = _require_hf()
        extra = {"gguf_file": self._gguf} if self._gguf else {}
        try:
            tokenizer = transformers.AutoTokenizer.from_pretrained(self._folder, **extra)
            model = transformers.AutoModelForCausalLM.from_pretrained(
                self._folder,
                dtype=self.dtype if self.dtype == "auto" else getattr(torch, self.dtype),
                **extra,
            )
        except (OSError, ValueError) as exc:
            raise ConfigError(f"transformers could not load {self.spec}: {exc}") from None
        model.to(self.device)
        model.eval()
        tokenizer.padding_side = "left"
        if tokenizer.pad_token_id is None:
            tokenizer.pad_token = tokenizer.eos_token
        model.generation_config.pad_token_id = tokenizer.pad_token_id
        self._loaded = (model, tokenizer)
        return self._loaded

    def _prompt(self, tokenizer: Any, request: Request) -> str:
        messages = [m.to_dict() for m in request.messages]
        if tokenizer.chat_template:
            return str(
                tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
            )
        return "\n\n".join(m["content"] for m in messages)

    def _grammar(self, model: Any, tokenizer: Any, schema: Any) -> Any:
        """A compiled xgrammar grammar for a JSON schema (``None`` when there is none)."""
        if schema is None:
            return None
        try:
            import xgrammar
        except ImportError:
            raise MissingExtraError("xgrammar", "hf") from None
        if self._grammar_compiler is None:
            info = xgrammar.TokenizerInfo.from_huggingface(
                tokenizer, vocab_size=model.config.vocab_size
            )
            self._grammar_compiler = xgrammar.GrammarCompiler(info)
        return self._grammar_compiler.compile_json_schema(json.dumps(schema, sort_keys=True))

    # -- generation -----------------------------------------------------------------------

    def generate(self, request: Request, sample_indices: Sequence[int]) -> list[Completion]:
        return self.generate_batch([(request, sample_indices)])[0]

    def generate_batch(
        self,
        items: Sequence[tuple[Request, Sequence[int]]],
        *,
        on_result: ResultCallback | None = None,
    ) -> list[list[Completion]]:
        """Every sample of every request, ``max_batch`` rows per ``generate`` call.

        Rows are grouped by stop strings (``generate`` takes one list per call) and by whether
        they have a schema; each row keeps its own temperature, top-p, seed, token limit and
        schema. ``on_result`` hears of each item once its last row's chunk is done.
        """
        left = [len(indices) for _, indices in items]
        with self._lock:
            model, tokenizer = self._load()
            rows = [
                (pos, request, index)
                for pos, (request, indices) in enumerate(items)
                for index in indices
            ]
            done: dict[tuple[int, int], Completion] = {}
            groups: dict[tuple[tuple[str, ...], bool], list[tuple[int, Request, int]]] = {}
            for row in rows:
                key = (row[1].stop, row[1].json_schema is not None)
                groups.setdefault(key, []).append(row)
            for group in groups.values():
                for start in range(0, len(group), self.max_batch):
                    chunk = group[start : start + self.max_batch]
                    for (pos, _, index), completion in zip(
                        chunk, self._run_chunk(model, tokenizer, chunk), strict=True
                    ):
                        done[(pos, index)] = completion
                        left[pos] -= 1
                        if left[pos] == 0 and on_result is not None:
                            on_result(pos, [done[(pos, i)] for i in items[pos][1]])
        return [[done[(pos, i)] for i in indices] for pos, (_, indices) in enumerate(items)]

    def _run_chunk(
        self, model: Any, tokenizer: Any, chunk: Sequence[tuple[int, Request, int]]
    ) -> list[Completion]:
        torch, transformers = _require_hf()
        started = time.perf_counter()
        prompts = [self._prompt(tokenizer, request) for _, request, _ in chunk]
        encoded = tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False)
        encoded = encoded.to(self.device)
        processors = transformers.LogitsProcessorList()
        schemas = [request.json_schema for _, request, _ in chunk]
        if schemas[0] is not None:
            from xgrammar.contrib.hf import LogitsProcessor as GrammarProcessor

            processors.append(
                GrammarProcessor([self._grammar(model, tokenizer, s) for s in schemas])
            )
        processors.append(
            SeededSampling(
                temperatures=[request.temperature for _, request, _ in chunk],
                top_ps=[request.top_p for _, request, _ in chunk],
                seeds=[request.sample_seed(index) for _, request, index in chunk],
                top_k=self.top_k,
                device=self.device,
            )
        )
        limits = [request.max_tokens for _, request, _ in chunk]
        stop = list(chunk[0][1].stop)
        try:
            with torch.inference_mode():
                output = model.generate(
                    **encoded,
                    max_new_tokens=max(limits),
                    do_sample=False,
                    logits_processor=processors,
                    stop_strings=stop or None,
                    tokenizer=tokenizer if stop else None,
                    temperature=None,
                    top_p=None,
                    top_k=None,
                )
        except RuntimeError as exc:
            raise LLMError(f"transformers generate failed: {exc}", model=self.spec) from None
        prompt_width = encoded["input_ids"].shape[1]
        latency = time.perf_counter() - started
        stops = {tokenizer.eos_token_id, tokenizer.pad_token_id}
        stops |= set(_as_list(model.generation_config.eos_token_id))
        out: list[Completion] = []
        for row, limit in enumerate(limits):
            tokens = output[row, prompt_width:].tolist()[:limit]
            finish = "length"
            for k, token in enumerate(tokens):
                if token in stops:
                    tokens, finish = tokens[:k], "stop"
                    break
            text = tokenizer.decode(tokens, skip_special_tokens=True)
            for s in stop:
                if s in text:
                    text, finish = text[: text.index(s)], "stop"
            out.append(
                Completion(
                    text=text,
                    usage=Usage(int(encoded["attention_mask"][row].sum()), len(tokens)),
                    latency_s=latency,
                    finish_reason=finish,
                    sample_index=chunk[row][2],
                )
            )
        return out

    def stream(self, request: Request) -> Iterator[str]:
        """Text pieces of sample 0 from transformers' ``TextIteratorStreamer``."""
        _, transformers = _require_hf()
        model, tokenizer = self._load()
        streamer = transformers.TextIteratorStreamer(
            tokenizer, skip_prompt=True, skip_special_tokens=True
        )
        failure: list[BaseException] = []

        def work() -> None:
            try:
                self._stream_into(model, tokenizer, request, streamer)
            except BaseException as exc:  # re-raised in the consumer thread
                failure.append(exc)
                streamer.end()

        worker = threading.Thread(target=work, daemon=True)
        worker.start()
        yield from streamer
        worker.join()
        if failure:
            raise failure[0]

    def _stream_into(self, model: Any, tokenizer: Any, request: Request, streamer: Any) -> None:
        torch, transformers = _require_hf()
        with self._lock:
            encoded = tokenizer(
                [self._prompt(tokenizer, request)], return_tensors="pt", add_special_tokens=False
            ).to(self.device)
            processors = transformers.LogitsProcessorList()
            if request.json_schema is not None:
                from xgrammar.contrib.hf import LogitsProcessor as GrammarProcessor

                processors.append(
                    GrammarProcessor(self._grammar(model, tokenizer, request.json_schema))
                )
            processors.append(
                SeededSampling(
                    temperatures=[request.temperature],
                    top_ps=[request.top_p],
                    seeds=[request.sample_seed(0)],
                    top_k=self.top_k,
                    device=self.device,
                )
            )
            with torch.inference_mode():
                model.generate(
                    **encoded,
                    max_new_tokens=request.max_tokens,
                    do_sample=False,
                    logits_processor=processors,
                    streamer=streamer,
                    stop_strings=list(request.stop) or None,
                    tokenizer=tokenizer if request.stop else None,
                    temperature=None,
                    top_p=None,
                    top_k=None,
                )

    def describe(self) -> dict[str, str]:
        return {"spec": self.spec, "backend": "transformers", "device": self.device}


def _as_list(value: Any) -> list[int]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [int(value)]


class SeededSampling:
    """Draw each row's next token with the row's own generator; greedy rows take the argmax.

    Used as the last logits processor of a ``do_sample=False`` generate call: it leaves only
    the drawn token finite, so the greedy step picks it. Temperature, top-k and top-p use
    transformers' own logits warpers.

    Args:
        temperatures, top_ps, seeds: one per row.
        top_k: shared top-k (0: off).
        device: where the logits live.
    """

    def __init__(
        self,
        *,
        temperatures: Sequence[float],
        top_ps: Sequence[float],
        seeds: Sequence[int],
        top_k: int,
        device: str,
    ) -> None:
        torch, transformers = _require_hf()
        self._torch = torch
        self._rows: list[tuple[Any, Any] | None] = []
        for temperature, top_p, seed in zip(temperatures, top_ps, seeds, strict=True):
            if temperature <= 0.0:
                self._rows.append(None)
                continue
            warpers = transformers.LogitsProcessorList(
                [transformers.TemperatureLogitsWarper(temperature)]
            )
            if top_k > 0:
                warpers.append(transformers.TopKLogitsWarper(top_k))
            if top_p < 1.0:
                warpers.append(transformers.TopPLogitsWarper(top_p))
            generator = torch.Generator(device=device)
            generator.manual_seed(int(seed))
            self._rows.append((warpers, generator))

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        torch = self._torch
        if all(row is None for row in self._rows):
            return scores
        out = torch.full_like(scores, float("-inf"))
        for i, row in enumerate(self._rows):
            if row is None:
                out[i] = scores[i]
                continue
            warpers, generator = row
            warped = warpers(input_ids[i : i + 1], scores[i : i + 1].float())
            probs = torch.softmax(warped, dim=-1)
            token = torch.multinomial(probs[0], 1, generator=generator)
            out[i, token] = 0.0
        return out
