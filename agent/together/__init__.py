"""BetterTogether: optimize a task's prompt and the model's weights (LoRA) in turn, offline.

    from agent.together import better_together, TogetherProgram
    result = better_together(task, train, val, testset=test, strategy="p->w->p",
                             run_dir="runs/bt")
    program = TogetherProgram.load("runs/bt/program")   # prompt + adapter, one program

Fine-tuning needs the ``tune`` extra (imported only by a ``w`` stage).
"""

from agent.together._program import TogetherProgram, adapter_spec, base_gguf
from agent.together._run import (
    STRATEGIES,
    TOGETHER,
    TogetherResult,
    better_together,
    bootstrap_traces,
    changed_outputs,
    parse_strategy,
    split_dev,
    training_examples,
)

__all__ = [
    "STRATEGIES",
    "TOGETHER",
    "TogetherProgram",
    "TogetherResult",
    "adapter_spec",
    "base_gguf",
    "better_together",
    "bootstrap_traces",
    "changed_outputs",
    "parse_strategy",
    "split_dev",
    "training_examples",
]
