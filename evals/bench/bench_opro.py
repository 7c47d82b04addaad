"""Benchmark: OPRO on the embedded model against random search at equal evaluations.

Runs the linear-regression showcase and TSP (n = 5, 8, 10 by default) and prints, side by side
for each task: steps to the optimum (linear regression) or the best optimality gap (TSP), LLM
calls, tokens, wall time and the framework's overhead share (wall time spent neither in the
model backend nor in the objective). Random search gets exactly as many evaluations as OPRO
made, so the LLM's contribution is visible honestly.

Usage:
    python evals/bench/bench_opro.py                      # defaults: ~10 min at ~100 tokens/s
    python evals/bench/bench_opro.py --model echo         # framework overhead only
    python evals/bench/bench_opro.py --tsp-sizes 5 --linreg-steps 4 --candidates 4

Each run uses a fresh response cache (``--cache`` to reuse one), so every LLM call is real.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from agent.llm import load
from agent.tasks import (
    LinearRegressionTask,
    OproSettings,
    ShowcaseResult,
    TSPTask,
    run_showcase,
    showcase_table,
)


def _args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", default="local", help="model spec (default: the embedded model)")
    p.add_argument("--linreg-steps", type=int, default=8, help="OPRO steps for linreg")
    p.add_argument("--tsp-steps", type=int, default=5, help="OPRO steps per TSP size")
    p.add_argument("--tsp-sizes", type=int, nargs="*", default=[5, 8, 10])
    p.add_argument("--candidates", type=int, default=8, help="candidates per step")
    p.add_argument("--max-new-tokens", type=int, default=None, help="reply length cap")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--cache", default=None, help="response cache file (default: fresh)")
    p.add_argument("--runs-dir", default=None, help="keep the run directories here")
    p.add_argument("--json", default=None, help="also write the figures to this JSON file")
    p.add_argument("--skip-linreg", action="store_true")
    return p.parse_args(argv)


def _result_cell(task: str, result: ShowcaseResult, label: str) -> str:
    arm = next(a for a in result.arms if a.label == label)
    if task == "linreg":
        steps = "not reached" if arm.steps_to_optimum is None else f"{arm.steps_to_optimum}"
        return f"steps to optimum: {steps} (best loss {arm.best:,.1f})"
    return f"best gap {arm.gap_pct:.2f}%"


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    console = Console(width=170)
    workdir = Path(args.runs_dir or tempfile.mkdtemp(prefix="bench-opro-"))
    cache = args.cache or str(workdir / "bench-cache.sqlite")
    llm = load(args.model, cache=cache)
    settings = OproSettings(
        candidates_per_step=args.candidates, seed=args.seed, max_tokens=args.max_new_tokens
    )
    jobs: list[tuple[str, object, int]] = []
    if not args.skip_linreg:
        jobs.append(("linreg", LinearRegressionTask(seed=args.seed), args.linreg_steps))
    jobs += [(f"tsp-{n}", TSPTask(n=n, seed=args.seed), args.tsp_steps) for n in args.tsp_sizes]

    rows: list[dict[str, object]] = []
    started = time.perf_counter()
    for name, task, steps in jobs:
        settings.steps = steps
        result = run_showcase(task, llm, settings, run_dir=workdir / name)  # type: ignore[arg-type]  # jobs hold the task typed object (a linreg or TSP task)
        console.print(showcase_table(result))
        for arm in result.arms:
            rows.append(
                {
                    "task": name,
                    "method": arm.label,
                    "result": _result_cell(name.split("-")[0], result, arm.label),
                    "steps_to_optimum": arm.steps_to_optimum,
                    "gap_pct": arm.gap_pct,
                    "evaluations": arm.evaluations,
                    "unique": arm.unique,
                    "skipped": arm.skipped,
                    "llm_calls": arm.calls,
                    "tokens": arm.tokens,
                    "wall_s": round(arm.wall_s, 2),
                    "overhead_share": round(arm.overhead_share, 4),
                }
            )

    table = Table(title=f"OPRO ({llm.spec}) vs random search at equal evaluations")
    for column in (
        "task",
        "method",
        "result",
        "evals",
        "unique",
        "skipped replies",
        "LLM calls",
        "tokens",
        "wall s",
        "overhead %",
    ):
        table.add_column(column)
    for r in rows:
        table.add_row(
            str(r["task"]),
            str(r["method"]),
            str(r["result"]),
            str(r["evaluations"]),
            str(r["unique"]),
            str(r["skipped"]),
            str(r["llm_calls"]),
            str(r["tokens"]),
            f"{r['wall_s']:.1f}",
            f"{100 * float(r['overhead_share']):.2f}",  # type: ignore[arg-type]  # a row value typed object; the bench wrote a float there
        )
    console.print(table)
    console.print(f"total wall {time.perf_counter() - started:.1f} s; run directories in {workdir}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
