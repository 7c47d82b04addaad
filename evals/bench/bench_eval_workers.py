"""Eval runner throughput: items per second with 1 and 2 workers, in the same run.

Solver-bound part: the synthetic generator's ``large`` knapsack and assignment MILPs
(``--workload synthetic``, default) or tight generalized assignment MILPs built here
(``--workload gap``, 12 workers x 24 tasks), whose formulations the oracle fake backend
returns instantly, so an item's time is compiling, solving and verifying. Workers are processes,
started before the clock (pool startup is printed separately). LLM-bound part
(``--llm-items N``): small synthetic items on a real model (``--model local`` by default),
1 vs 2 workers, reported separately.

Usage:
    python -m evals.bench.bench_eval_workers [--items 16] [--llm-items 0] [--model local]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from pathlib import Path

from evals.datasets import load_items
from evals.runner import AgentSettings, ProcessExecutor, ThreadExecutor, run_eval
from evals.synthetic import generate


def gap_rows(count: int, *, seed: int, workers: int = 12, tasks: int = 24) -> list[dict]:
    """Generalized assignment instances as JSONL rows with their formulations (answer 0: the
    bench measures throughput, not accuracy)."""
    rows = []
    for k in range(count):
        rng = random.Random(seed * 100_003 + k)
        hours = [[rng.randint(2, 9) for _ in range(tasks)] for _ in range(workers)]
        cost = [[rng.randint(10, 60) for _ in range(tasks)] for _ in range(workers)]
        least = sum(min(hours[w][t] for w in range(workers)) for t in range(tasks))
        capacity = [least // workers + rng.randint(0, 3) for _ in range(workers)]
        formulation = {
            "sets": [
                {"name": "W", "elements": list(range(1, workers + 1))},
                {"name": "T", "elements": list(range(1, tasks + 1))},
            ],
            "parameters": [
                {"name": "hours", "index": ["W", "T"], "value": hours},
                {"name": "cost", "index": ["W", "T"], "value": cost},
                {"name": "capacity", "index": ["W"], "value": capacity},
            ],
            "variables": [{"name": "assign", "index": ["W", "T"], "type": "binary"}],
            "objective": {
                "sense": "minimize",
                "expression": "sum(cost[w,t]*assign[w,t] for w in W for t in T)",
            },
            "constraints": [
                {
                    "name": "one_worker",
                    "for_all": "t in T",
                    "expression": "sum(assign[w,t] for w in W) == 1",
                },
                {
                    "name": "hours",
                    "for_all": "w in W",
                    "expression": "sum(hours[w,t]*assign[w,t] for t in T) <= capacity[w]",
                },
            ],
        }
        question = (
            f"Assignment instance {seed}-{k}: give each of {tasks} tasks to one of {workers} "
            "workers within each worker's hours, at least cost."
        )
        rows.append({"question": question, "answer": 0, "index": k, "formulation": formulation})
    return rows


def _spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def cpu_ceiling(n: int = 10_000_000) -> float:
    """The speed-up two processes of pure Python get over one right now: what the machine
    (its cores and the load on them) allows any 2-worker run, measured in the same run."""
    import multiprocessing

    began = time.perf_counter()
    _spin(n)
    _spin(n)
    serial = time.perf_counter() - began
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(_spin, [1000, 1000])  # start both workers before the clock
        began = time.perf_counter()
        pool.map(_spin, [n, n], chunksize=1)
        parallel = time.perf_counter() - began
    return serial / parallel


def _write(rows: list[dict], folder: Path) -> Path:
    path = folder / "items.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _throughput(
    data: Path, model: str, workers: int, executor: str, folder: Path, **agent: object
) -> tuple[float, float, float]:
    """(items per second, pool startup seconds, accuracy) of one run."""
    items = load_items(data)
    began = time.perf_counter()
    pool = (
        ProcessExecutor(workers=workers)
        if executor == "process"
        else ThreadExecutor(workers=workers)
    )
    startup = time.perf_counter() - began
    began = time.perf_counter()
    result = run_eval(
        items,
        out=folder / f"{executor}{workers}-{time.time_ns()}",
        settings=AgentSettings(model, **agent),  # type: ignore[arg-type]  # the bench forwards AgentSettings keywords as **object
        mode="mamo",
        executor=pool,
        workers=workers,
    )
    seconds = time.perf_counter() - began
    pool.close()
    return len(items) / seconds, startup, result.accuracy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=16, help="solver-bound items")
    parser.add_argument("--llm-items", type=int, default=0, help="LLM-bound items (0: skip)")
    parser.add_argument("--model", default="local", help="model of the LLM-bound part")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workload", choices=("synthetic", "gap"), default="synthetic")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}; cpus: {os.cpu_count()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = (
            gap_rows(args.items, seed=args.seed)
            if args.workload == "gap"
            else generate(
                args.items, seed=args.seed, templates=["knapsack", "assignment"], size="large"
            )
        )
        data = _write(rows, folder)
        oracle = f"oracle:{data}"
        _throughput(data, oracle, 1, "process", folder)  # warm caches and imports once
        one, start1, acc1 = _throughput(data, oracle, 1, "process", folder)
        two, start2, acc2 = _throughput(data, oracle, 2, "process", folder)
        print(f"solver-bound, {args.items} {args.workload} MILPs, process workers (oracle fake)")
        note = " (gap rows carry no labels)" if args.workload == "gap" else ""
        for workers, rate, start, acc in ((1, one, start1, acc1), (2, two, start2, acc2)):
            print(
                f"  {workers} worker(s): {rate:.3f} items/s  (pool startup {start:.2f} s, not "
                f"timed; accuracy {acc:.0%}{note})"
            )
        ceiling = cpu_ceiling()
        print(f"  speed-up 2 vs 1: {two / one:.2f}x (target >= 1.8x)")
        print(
            f"  machine ceiling now (pure-Python spin, 2 vs 1 processes): {ceiling:.2f}x; "
            f"runner efficiency {two / one / ceiling:.0%} of it"
        )
        if args.llm_items:
            small = generate(args.llm_items, seed=args.seed, templates=["production_mix"])
            (folder / "llm").mkdir()
            llm_data = _write(small, folder / "llm")
            for executor in ("thread", "process"):
                rates = []
                for workers in (1, 2):
                    rate, _, acc = _throughput(
                        llm_data, args.model, workers, executor, folder, max_rounds=1,
                        max_tokens=512,
                    )  # fmt: skip
                    rates.append(rate)
                    print(
                        f"LLM-bound ({args.model}), {executor} x{workers}: "
                        f"{rate * 60:.2f} items/min, accuracy {acc:.0%}"
                    )
                print(f"  LLM-bound {executor} speed-up 2 vs 1: {rates[1] / rates[0]:.2f}x")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
