"""Fine-tuning the embedded model: LoRA on CPU (or CUDA) from the data engine or any chat
examples (``tune_chat``), GGUF export.

Needs the ``tune`` extra (torch, transformers, peft, gguf, accelerate); every heavy import is
inside a function, so ``import agent.tune`` is cheap and works without it::

    from agent.tune import Recipe, run_recipe
    run_recipe(Recipe(), Path("~/.cache/optagent/tune/formulate"), base_gguf=path)
"""

from agent.tune._chat import ChatExample, ChatTuneSettings, epoch_batches, tune_chat
from agent.tune._data import Batch, Encoded, batches, encode, encode_chat
from agent.tune._export import export_gguf_lora, file_sha256
from agent.tune._model import LoraSettings, add_lora, load_base, require_tune_extra
from agent.tune._recipe import HELD_OUT, Recipe, recipe_with, run_recipe
from agent.tune._train import TrainResult, TrainSettings, evaluate, train

__all__ = [
    "HELD_OUT",
    "Batch",
    "ChatExample",
    "ChatTuneSettings",
    "Encoded",
    "LoraSettings",
    "Recipe",
    "TrainResult",
    "TrainSettings",
    "add_lora",
    "batches",
    "encode",
    "encode_chat",
    "epoch_batches",
    "evaluate",
    "export_gguf_lora",
    "file_sha256",
    "load_base",
    "recipe_with",
    "require_tune_extra",
    "run_recipe",
    "train",
    "tune_chat",
]
