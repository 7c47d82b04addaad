"""Export a peft LoRA adapter as a GGUF LoRA file that llama.cpp loads beside the base model.

llama.cpp names tensors ``blk.N.attn_q.weight.lora_a`` / ``.lora_b`` and stores the query and
key projections with their rows permuted (its rotary layout); transformers un-permutes them when
it reads a GGUF, so the adapter's B matrices of q and k are permuted back here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from agent.errors import MissingExtraError
from agent.llm._digest import file_sha256

__all__ = ["export_gguf_lora", "file_sha256"]

_GGUF_NAMES = {
    "self_attn.q_proj": "attn_q",
    "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
}
_KEY = re.compile(r"layers\.(\d+)\.(self_attn\.\w+|mlp\.\w+)\.lora_([AB])\.weight$")


def export_gguf_lora(model: Any, path: str | Path, *, description: str = "") -> Path:
    """Write the LoRA weights of peft ``model`` to ``path`` as a GGUF adapter (F32).

    Returns:
        The path written.
    """
    try:
        import gguf
        from peft import get_peft_model_state_dict
    except ImportError as exc:
        raise MissingExtraError(exc.name or "gguf", "tune") from None
    import numpy as np

    config = model.peft_config["default"]
    base = model.get_base_model().config
    heads, kv_heads = base.num_attention_heads, base.num_key_value_heads
    state = get_peft_model_state_dict(model, save_embedding_layers=False)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = gguf.GGUFWriter(str(path), arch="llama")
    writer.add_string("general.type", "adapter")
    writer.add_string("adapter.type", "lora")
    writer.add_float32("adapter.lora.alpha", float(config.lora_alpha))
    if description:
        writer.add_string("general.description", description)
    for key in sorted(state, key=_order):
        match = _KEY.search(key)
        if match is None:
            raise ValueError(f"unexpected adapter tensor {key!r}")
        layer, module, part = match.groups()
        weight = state[key].detach().float().cpu().numpy()
        if part == "B" and module == "self_attn.q_proj":
            weight = _permute(weight, heads, heads)
        elif part == "B" and module == "self_attn.k_proj":
            weight = _permute(weight, heads, kv_heads)
        name = f"blk.{layer}.{_GGUF_NAMES[module]}.weight.lora_{part.lower()}"
        writer.add_tensor(name, np.ascontiguousarray(weight, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def _permute(weight: Any, heads: int, kv_heads: int) -> Any:
    """HF rows -> llama.cpp rows for q/k (the inverse of transformers' reverse permute)."""
    groups = kv_heads if kv_heads != heads else heads
    rows = weight.shape[0]
    return (
        weight.reshape(groups, 2, rows // groups // 2, *weight.shape[1:])
        .swapaxes(1, 2)
        .reshape(weight.shape)
    )


def _order(key: str) -> tuple[int, str]:
    match = re.search(r"layers\.(\d+)\.", key)
    return (int(match.group(1)) if match else -1, key)
