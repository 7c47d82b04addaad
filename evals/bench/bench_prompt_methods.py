"""Prompt optimization methods on a built-in task with the embedded model as scorer.

For each method: test-split accuracy of the baseline instruction and of the optimized prompt,
scorer calls (bootstrap + validation search, and test), backend calls and wall time. All
methods share one response cache, so prompts seen before (the baseline, above all) cost no
model time, but every scorer call is still counted.

With ``--racing both`` every method runs twice, with minibatch racing and with full
validation scoring of every candidate, side by side in one table.

Usage:
    python evals/bench/bench_prompt_methods.py --task arithmetic
    python evals/bench/bench_prompt_methods.py --task arithmetic --racing both
    python evals/bench/bench_prompt_methods.py --task sentiment --sizes 24,16,40 --steps 2
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from agent.llm import load
from agent.tasks.prompt import METHODS, builtin_task, optimize_prompt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="arithmetic")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--model", default="local")
    parser.add_argument("--sizes", default=None, help="TRAIN,VAL,TEST (default: the task's)")
    parser.add_argument("--steps", type=int, default=None, help="default: per method")
    parser.add_argument("--candidates", type=int, default=4)
    parser.add_argument("--bootstrap", type=int, default=24)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--racing", choices=("on", "off", "both"), default="on")
    parser.add_argument("--min-batch", type=int, default=8)
    parser.add_argument("--runs-dir", type=Path, default=None)
    args = parser.parse_args()

    item = builtin_task(args.task)
    sizes = tuple(int(x) for x in args.sizes.split(",")) if args.sizes else None
    splits = item.splits(seed=args.seed, sizes=sizes)  # type: ignore[arg-type]  # sizes from the command line: a tuple of ints of unknown length
    runs = args.runs_dir or Path(tempfile.mkdtemp(prefix="bench_prompt_"))
    cache = str(runs / "shared-cache.sqlite")
    console = Console()
    console.print(f"task {args.task}, splits {splits.sizes()}, runs in {runs}")

    table = Table(title=f"prompt methods on builtin:{args.task} (scorer: {args.model})")
    for column in (
        "method",
        "racing",
        "baseline test",
        "optimized test",
        "gain",
        "val best",
        "demos",
        "scorer calls search",
        "scorer calls test",
        "backend calls",
        "wall s",
        "status",
    ):
        table.add_column(column)
    modes = {"on": (True,), "off": (False,), "both": (True, False)}[args.racing]
    for method, racing in ((m, r) for m in args.methods.split(",") for r in modes):
        llm = load(args.model, cache=cache)
        started = time.perf_counter()
        result = optimize_prompt(
            item.task,
            splits.train,
            splits.val,
            model=llm,
            method=method,  # type: ignore[arg-type]  # a str from METHODS; mypy cannot narrow it to the Literal
            steps=args.steps,
            candidates_per_step=args.candidates,
            bootstrap=args.bootstrap,
            testset=splits.test,
            seed=args.seed,
            racing=racing,
            min_batch=args.min_batch,
            run_dir=runs / f"{method}-{'racing' if racing else 'full'}",
            cache=cache,
        )
        wall = time.perf_counter() - started
        calls = result.scorer_calls
        base, best = result.baseline_test_score or 0.0, result.test_score or 0.0
        table.add_row(
            method,
            "on" if racing else "off",
            f"{base:.3f}",
            f"{best:.3f}",
            f"{best - base:+.3f}",
            f"{result.val_score or 0.0:.3f}",
            str(len(result.demos)),
            str(calls.get("bootstrap", 0) + calls.get("search", 0)),
            str(calls.get("test", 0)),
            str(result.usage.get("calls")),
            f"{wall:.0f}",
            result.status,
        )
        console.print(
            f"{method} (racing {racing}): instruction {result.instruction!r}, "
            f"{len(result.demos)} demos"
        )
    console.print(table)


if __name__ == "__main__":
    main()
