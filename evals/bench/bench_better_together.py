"""BetterTogether on a built-in task with the embedded model: prompts, weights, or both.

For each seed (it draws the splits and seeds every search) and each strategy, a fresh run
(its own response cache, so wall times do not borrow from another run) optimizes the prompt,
the LoRA weights, or both in turn, then scores the final program on the test split. Recorded
per run: test accuracy, LLM calls (search and trace stages; the test scoring apart), wall
time, and for the weights stage the traces kept, training tokens, dev loss before and after,
why training stopped, and how many dev-split outputs the adapter changed. The zero-shot
baseline prompt on the base model is scored once per seed. Results are written to JSON after
every run, so an interrupted bench keeps what it finished; run again with the same --out
and settings (more --seeds or --strategies allowed), it keeps the finished runs and their
figures and does only the rest. Other settings are refused, naming them.

Usage:
    python evals/bench/bench_better_together.py --model local --seeds 0 \
        --strategies p,w,p->w->p --out evals/bench/results/better_together.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from agent.llm import load
from agent.tasks.prompt import PromptCandidate, PromptScorer, builtin_task
from agent.together import better_together
from agent.tune import ChatTuneSettings, LoraSettings, TrainSettings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="arithmetic")
    parser.add_argument("--model", default="local")
    parser.add_argument("--strategies", default="p,w,p->w->p")
    parser.add_argument("--seeds", default="0", help="comma-separated seeds")
    parser.add_argument("--sizes", default="120,24,60", help="TRAIN,VAL,TEST")
    parser.add_argument("--prompt-method", default="exemplars")
    parser.add_argument("--steps", type=int, default=2, help="prompt search steps per p stage")
    parser.add_argument("--candidates", type=int, default=3)
    parser.add_argument("--bootstrap", type=int, default=16)
    parser.add_argument("--max-epochs", type=int, default=6)
    parser.add_argument("--patience", type=int, default=2)
    parser.add_argument("--learning-rate", type=float, default=5e-4)
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--first-layer", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--runs-dir", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=Path("better_together.json"))
    args = parser.parse_args()

    item = builtin_task(args.task)
    sizes = tuple(int(x) for x in args.sizes.split(","))
    strategies = [s.strip() for s in args.strategies.split(",") if s.strip()]
    seeds = [int(s) for s in args.seeds.split(",")]
    runs = args.runs_dir or Path(tempfile.mkdtemp(prefix="bench_better_together_"))
    tune = ChatTuneSettings(
        batch_size=args.batch_size,
        max_epochs=args.max_epochs,
        evals_per_epoch=1,
        lora=LoraSettings(rank=args.rank, alpha=2.0 * args.rank, first_layer=args.first_layer),
        train=TrainSettings(
            learning_rate=args.learning_rate, warmup_steps=5, patience=args.patience
        ),
    )
    report: dict[str, Any] = {
        "bench": "better_together",
        "task": args.task,
        "model": args.model,
        "sizes": dict(zip(("train", "val", "test"), sizes, strict=True)),
        "settings": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "baseline": {},
        "runs": [],
    }
    _resume(args.out, report)
    report["summary"] = _summary(report["runs"])
    for seed in seeds:
        splits = item.splits(seed=seed, sizes=sizes)  # type: ignore[arg-type]  # sizes from the command line: three ints
        kept = report["baseline"].get(str(seed))
        if kept is not None:
            print(
                f"seed {seed}: zero-shot baseline test {kept['test_score']:.3f} (kept)", flush=True
            )
        else:
            _score_baseline(args.model, runs, item, splits, seed, report)
            _write(args.out, report)
        for strategy in strategies:
            if any(r["seed"] == seed and r["strategy"] == strategy for r in report["runs"]):
                print(f"seed {seed} {strategy}: kept from {args.out}", flush=True)
                continue
            run_dir = runs / f"seed{seed}" / strategy.replace("->", "-")
            started = time.perf_counter()
            result = better_together(
                item.task, splits.train, splits.val, testset=splits.test, strategy=strategy,
                model=args.model, prompt_method=args.prompt_method, steps=args.steps,
                candidates_per_step=args.candidates, bootstrap=args.bootstrap, seed=seed,
                tune=tune, device="cpu", run_dir=run_dir, resume=(run_dir / "config.json").exists(),
                notify=lambda line: print(f"  {line}", flush=True),
            )  # fmt: skip
            row = {
                "seed": seed,
                **result.to_dict(),
                "wall_s": round(time.perf_counter() - started, 1),
            }
            report["runs"].append(row)
            print(
                f"seed {seed} {strategy}: test {result.test_score:.3f}  calls {result.calls}  "
                f"wall {row['wall_s']:.0f} s",
                flush=True,
            )
            report["summary"] = _summary(report["runs"])
            _write(args.out, report)
    print(json.dumps(report["summary"], indent=2))


def _score_baseline(
    model: str, runs: Path, item: Any, splits: Any, seed: int, report: dict[str, Any]
) -> None:
    """The zero-shot prompt on the base model, on the seed's test split."""
    started = time.perf_counter()
    base = load(model, cache=str(runs / f"baseline-{seed}.sqlite"))
    zero_shot = PromptCandidate(item.task.instruction, (), item.task.position)
    score = PromptScorer(base, item.task).evaluate(zero_shot, splits.test).score
    report["baseline"][str(seed)] = {
        "test_score": score,
        "calls": base.usage.snapshot().calls,
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(f"seed {seed}: zero-shot baseline test {score:.3f}", flush=True)


#: Settings that may differ between a finished report and its continuation.
_GROWABLE = ("seeds", "strategies", "out", "runs_dir")


def _resume(path: Path, report: dict[str, Any]) -> None:
    """Take the finished baselines and runs of an earlier report at ``path`` into ``report``.

    Only when every setting but the seeds and strategies is the same; otherwise the figures
    would mix two benchmarks, so it is refused, naming the settings that differ.
    """
    if not path.is_file():
        return
    try:
        earlier = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise SystemExit(
            f"{path}: not a bench report ({exc}); move it away or pick --out"
        ) from None
    old, new = earlier.get("settings", {}), report["settings"]
    differ = sorted(
        k for k in set(old) | set(new) if k not in _GROWABLE and old.get(k) != new.get(k)
    )
    if differ:  # the settings hold the task and model too
        raise SystemExit(
            f"{path} holds a bench with other settings ({', '.join(differ)}): "
            "pick another --out, or rerun with its settings"
        )
    report["baseline"].update(earlier.get("baseline", {}))
    report["runs"].extend(earlier.get("runs", []))


def _write(path: Path, report: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for strategy in dict.fromkeys(r["strategy"] for r in runs):
        rows = [r for r in runs if r["strategy"] == strategy]
        scores = [r["test_score"] for r in rows]
        out[strategy] = {
            "seeds": [r["seed"] for r in rows],
            "test_scores": scores,
            "mean_test": statistics.mean(scores),
            "stdev_test": statistics.stdev(scores) if len(scores) > 1 else None,
            "mean_calls": statistics.mean(r["calls"] for r in rows),
            "mean_wall_s": statistics.mean(r["wall_s"] for r in rows),
        }
    return out


if __name__ == "__main__":
    main()
