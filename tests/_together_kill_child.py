"""Child of tests/test_together.py: a tiny BetterTogether `w` run on the embedded model.

``python tests/_together_kill_child.py RUN_DIR [resume]``. The parent SIGKILLs it once the
fine-tune's first checkpoint exists, then runs it again with ``resume``.
"""

from __future__ import annotations

import json
import sys

from agent.tasks.prompt import builtin_task
from agent.together import better_together
from agent.tune import ChatTuneSettings, LoraSettings, TrainSettings

#: Enough steps after the first checkpoint for the parent to kill mid-training; patience
#: high so the run always reaches the end (the resume, not early stopping, is under test).
TUNE = ChatTuneSettings(
    batch_size=4,
    max_epochs=3,
    evals_per_epoch=2,
    lora=LoraSettings(rank=4, first_layer=26),
    train=TrainSettings(learning_rate=5e-4, warmup_steps=2, patience=100),
)
SIZES = (32, 12, 12)


def main() -> None:
    run_dir, resume = sys.argv[1], len(sys.argv) > 2 and sys.argv[2] == "resume"
    item = builtin_task("arithmetic")
    splits = item.splits(seed=0, sizes=SIZES)
    result = better_together(
        item.task,
        splits.train,
        splits.val,
        testset=splits.test,
        strategy="w",
        tune=TUNE,
        device="cpu",
        run_dir=run_dir,
        resume=resume,
    )
    print(json.dumps(result.to_dict()))


if __name__ == "__main__":
    main()
