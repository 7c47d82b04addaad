"""The trainable model: the shipped GGUF read by transformers, with LoRA on the upper layers.

transformers de-quantizes the same GGUF llama.cpp serves, so the adapter is trained against the
weights it will run beside (llama.cpp computes with quantized kernels: close, not bit-equal).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from agent.errors import ConfigError, MissingExtraError

PROJECTIONS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


@dataclass(frozen=True)
class LoraSettings:
    """LoRA shape. ``first_layer``: layers below it get no adapter (backward stops early)."""

    rank: int = 16
    alpha: float = 32.0
    dropout: float = 0.0
    first_layer: int = 15
    projections: tuple[str, ...] = field(default=PROJECTIONS)


def require_tune_extra() -> None:
    """Raise ``MissingExtraError`` naming the ``tune`` extra when one of its packages is
    missing (torch, transformers, peft, gguf, accelerate, safetensors)."""
    for module in ("torch", "transformers", "peft", "gguf", "accelerate", "safetensors"):
        try:
            __import__(module)
        except ImportError:
            raise MissingExtraError(module, "tune") from None


def pick_device(requested: str = "auto") -> str:
    """``cuda`` when asked for or available under ``auto``, else ``cpu``."""
    import torch

    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested == "cuda" and not torch.cuda.is_available():
        raise ConfigError("--device cuda was given but no CUDA device is available")
    return requested


def pick_dtype(device: str) -> Any:
    """bf16 where the hardware computes it natively, else fp32."""
    import torch

    if device == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float32
    capability = torch.backends.cpu.get_cpu_capability()
    native = capability in ("AVX512",) and _cpu_has_bf16()
    return torch.bfloat16 if native else torch.float32


def _cpu_has_bf16() -> bool:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            flags = handle.read()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def load_base(gguf_path: str, *, device: str, dtype: Any) -> Any:
    """The base causal LM from a GGUF file (de-quantized), in eval mode, frozen."""
    from transformers import AutoModelForCausalLM
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    folder, name = os.path.split(os.path.abspath(gguf_path))
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=dtype)
    model.to(device)
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    return model


def add_lora(model: Any, settings: LoraSettings, *, init_zero: bool = True) -> Any:
    """Wrap ``model`` with fresh LoRA adapters (peft); ``init_zero=False`` starts non-zero."""
    from peft import LoraConfig, get_peft_model

    layers = model.config.num_hidden_layers
    if not 0 <= settings.first_layer < layers:
        raise ConfigError(f"first_layer must be in [0, {layers}), got {settings.first_layer}")
    config = LoraConfig(
        r=settings.rank,
        lora_alpha=settings.alpha,
        lora_dropout=settings.dropout,
        target_modules=list(settings.projections),
        layers_to_transform=list(range(settings.first_layer, layers)),
        init_lora_weights=init_zero,
        task_type="CAUSAL_LM",
    )
    return get_peft_model(model, config)
