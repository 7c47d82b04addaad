"""Child of the BetterTogether SIGKILL tests (tests/test_together.py) and of the
``better-together`` row of evals/bench/bench_kill9.py: a tiny `w` run on the embedded model.

Usage:
    python tests/_together_kill_child.py RUN_DIR [resume]
    python tests/_together_kill_child.py bench RUN_DIR LOG_FILE READY_FILE HANG_AT [resume]

The first form is the test's run: its parent SIGKILLs it once the fine-tune's first checkpoint
exists, then runs it again with ``resume``. The ``bench`` form is the smallest run the code
allows (``BENCH_TUNE`` on ``BENCH_SIZES``) with fault injection: its kill points are the model
requests (each logged to LOG_FILE by cache key once answered) and the training steps, counted
together; at kill point HANG_AT (0: none) it creates READY_FILE and hangs for the parent's
SIGKILL. It prints the run's result and its kill points as JSON.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

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
#: The bench's run: one example a step (a training step costs about as much as a request, so
#: a random kill point lands in the fine-tune about as often as in the traces), one epoch, a
#: checkpoint every few steps.
BENCH_TUNE = ChatTuneSettings(
    batch_size=1,
    max_length=256,
    max_epochs=1,
    evals_per_epoch=3,
    lora=LoraSettings(rank=2, first_layer=28),
    train=TrainSettings(learning_rate=5e-4, warmup_steps=1, patience=100),
)
BENCH_SIZES = (16, 4, 4)


class KillPoints:
    """Counts kill points across threads; at number ``hang_at`` creates ``ready`` and hangs."""

    def __init__(self, ready: Path | None, hang_at: int) -> None:
        self.ready, self.hang_at, self.count = ready, hang_at, 0
        self._lock = threading.Lock()

    def reach(self) -> None:
        with self._lock:
            self.count += 1
            now = self.count
        if now == self.hang_at:
            assert self.ready is not None
            self.ready.write_text("ready")
            time.sleep(600)


def inject(points: KillPoints, log_file: Path) -> None:
    """Fault injection: every backend ``agent.llm.load`` builds logs the cache key of each
    sample it answers to ``log_file`` and counts a kill point after it (the answer is cached by
    then); every fine-tune step counts one too."""
    import agent.llm._load as load_module
    import agent.tune
    from agent.llm import Backend, Completion, Request
    from agent.llm._backend import ItemResult, ResultCallback

    class Logged(Backend):
        def __init__(self, inner: Backend) -> None:
            self.inner, self.spec = inner, inner.spec
            self.supports_schema = inner.supports_schema
            self.max_concurrency = inner.max_concurrency

        def _answered(self, request: Request, indices: Sequence[int]) -> None:
            with open(log_file, "a", encoding="utf-8") as fh:
                fh.writelines(request.cache_key(self.spec, i) + "\n" for i in indices)

        def generate(self, request: Request, sample_indices: Sequence[int]) -> list[Completion]:
            out = self.inner.generate(request, sample_indices)
            self._answered(request, sample_indices)
            points.reach()
            return out

        def generate_batch(
            self,
            items: Sequence[tuple[Request, Sequence[int]]],
            *,
            on_result: ResultCallback | None = None,
        ) -> Sequence[ItemResult]:
            def finished(pos: int, result: ItemResult) -> None:
                if on_result is not None:
                    on_result(pos, result)  # the facade caches it here
                if not isinstance(result, Exception):
                    self._answered(*items[pos])
                points.reach()

            return self.inner.generate_batch(items, on_result=finished)

        def close(self) -> None:
            self.inner.close()

    real_backend, real_tune = load_module.load_backend, agent.tune.tune_chat

    def load_backend(spec: Any, **options: Any) -> Backend:
        return Logged(real_backend(spec, **options))

    def tune_chat(*args: Any, **kwargs: Any) -> dict[str, Any]:
        return real_tune(*args, **kwargs, on_step=lambda step, loss, speed: points.reach())

    load_module.load_backend = load_backend  # type: ignore[assignment]  # fault injection
    agent.tune.tune_chat = tune_chat  # type: ignore[assignment]  # fault injection


def run(
    run_dir: Path, *, resume: bool, tune: ChatTuneSettings, sizes: tuple[int, int, int]
) -> dict[str, Any]:
    """The `w` run on builtin:arithmetic in ``run_dir``; its result as a dict."""
    item = builtin_task("arithmetic")
    splits = item.splits(seed=0, sizes=sizes)
    result = better_together(
        item.task,
        splits.train,
        splits.val,
        testset=splits.test,
        strategy="w",
        tune=tune,
        device="cpu",
        run_dir=run_dir,
        resume=resume,
    )
    return result.to_dict()


def records(run_dir: Path) -> list[dict[str, Any]]:
    """The run's finished work, in order: the fine-tune's checkpointed dev evaluations (rows of
    train_log.jsonl; a checkpoint follows each), then the stages of stages.jsonl."""
    rows: list[dict[str, Any]] = []
    for path, keep in (
        (run_dir / "1-weights" / "checkpoints" / "train_log.jsonl", _is_dev),
        (run_dir / "stages.jsonl", _is_record),
    ):
        if path.is_file():
            lines = path.read_text(encoding="utf-8").splitlines()
            rows += [r for r in map(_parse, lines) if r is not None and keep(r)]
    return rows


def slot(record: dict[str, Any]) -> tuple[str, Any]:
    """What one record is the work of: a stage, or the evaluation at a training step."""
    return ("stage", record["stage"]) if "stage" in record else ("dev", record["step"])


def _parse(line: str) -> dict[str, Any] | None:
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        return None  # a line cut by the kill


def _is_dev(row: dict[str, Any]) -> bool:
    return "dev_loss" in row


def _is_record(row: dict[str, Any]) -> bool:
    return "stage" in row


def main(argv: list[str]) -> None:
    if argv[0] != "bench":
        resume = len(argv) > 1 and argv[1] == "resume"
        print(json.dumps(run(Path(argv[0]), resume=resume, tune=TUNE, sizes=SIZES)))
        return
    run_dir, log_file, ready = map(Path, argv[1:4])
    points = KillPoints(ready, int(argv[4]))
    inject(points, log_file)
    resume = len(argv) > 5 and argv[5] == "resume"
    result = run(run_dir, resume=resume, tune=BENCH_TUNE, sizes=BENCH_SIZES)
    print(json.dumps({"result": result, "kill_points": points.count}))


if __name__ == "__main__":
    main(sys.argv[1:])
