"""Program evolution (``optagent evolve``) on bin packing and TSP, over several seeds.

For each (problem, seed) cell one evolution run with a small LLM call budget: step 0 scores
the seed program, then generations of EoH operators until the budget stops the run. Every
program runs in the sandbox. The script reports, per cell and in total: the valid-program rate
(model replies that gave a program that ran and was scored), failures by kind, the best score
found against the baselines (scored by the same harness in the same run), LLM calls and wall
time, and writes it all as JSON (``--out``).

``--model local`` is the embedded SmolLM2-135M: the honest figure of a tiny model.
``--model served-scripted`` sends the requests over HTTP to a local OpenAI-compatible server
that answers with a known-better heuristic (FunSearch's OR-Library bin packing priority; a
TSP rule that also weighs the way back to the start) on every call: a check that the loop
finds, keeps and writes out the better program through the served path, not a measurement of
any model.

Usage:
    python evals/bench/bench_evolve.py --model local --seeds 2 --max-calls 20
    python evals/bench/bench_evolve.py --model served-scripted --seeds 1 --max-calls 4
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from agent.evolve import EvolveSettings, builtin_problem, evolve
from agent.evolve.problems import binpack
from agent.llm import Budget, Request, load

#: Known-better programs for the served-scripted check (not shown to any model).
BETTER = {
    "priority": binpack.FUNSEARCH_OR,
    "select_next_node": (
        "def select_next_node(current_node, destination_node, unvisited_nodes, "
        "distance_matrix):\n"
        "    return min(\n"
        "        unvisited_nodes,\n"
        "        key=lambda n: distance_matrix[current_node][n]\n"
        "        - 0.3 * distance_matrix[n][destination_node],\n"
        "    )\n"
    ),
}


def better_reply(request: Request, index: int) -> str:
    """The scripted server's reply: the known-better program for the function asked for."""
    text = request.messages[-1].content
    function = "select_next_node" if "select_next_node" in text else "priority"
    return "{A known-better heuristic.}\n```python\n" + BETTER[function] + "```"


def run_cell(
    problem_name: str, seed: int, args: argparse.Namespace, spec: str, out: Path
) -> dict[str, Any]:
    problem = builtin_problem(problem_name, seed=seed)
    run_dir = out / f"{problem_name}-seed{seed}"
    llm = load(
        spec,
        cache=str(run_dir / "cache.sqlite"),
        budget=Budget(max_calls=args.max_calls),
    )
    settings = EvolveSettings(
        generations=args.generations,
        islands=args.islands,
        max_tokens=args.max_new_tokens,
        seed=seed,
        timeout_s=args.timeout,
    )
    started = time.perf_counter()
    result = evolve(problem, llm, settings, run_dir=run_dir, extra_config={"bench": True})
    wall = time.perf_counter() - started
    usage = llm.usage.snapshot().to_dict()
    summary = result.summary
    return {
        "problem": problem_name,
        "seed": seed,
        "status": result.status,
        "reason": result.reason,
        "llm_calls": usage.get("calls"),
        "tokens": usage.get("total_tokens"),
        "wall_s": round(wall, 1),
        "sandbox_runs": result.evaluator.sandbox_runs,
        **{k: summary[k] for k in ("replies", "valid", "valid_rate", "failures", "skipped")},
        "seed_score": summary["seed_score"],
        "best_score": summary["best_score"],
        "best_from_model": summary["best_from_model"],
        "baselines": result.baselines,
        "beats_all_baselines": bool(
            summary["best_score"] is not None
            and result.baselines
            and all(summary["best_score"] < v for v in result.baselines.values())
        ),
        "run_dir": str(run_dir),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="local", help="local, served-scripted or a spec")
    parser.add_argument("--problems", default="binpack-weibull,tsp")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--max-calls", type=int, default=20)
    parser.add_argument(
        "--generations", type=int, default=50, help="upper bound; the budget ends runs"
    )
    parser.add_argument("--islands", type=int, default=2)
    parser.add_argument("--max-new-tokens", type=int, default=300)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--out", type=Path, default=Path("runs/bench_evolve"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    server = None
    spec = args.model
    if args.model == "served-scripted":
        from evals.bench._scripted_server import ScriptedFakeOpenAIServer

        server = ScriptedFakeOpenAIServer(better_reply).__enter__()
        spec = f"openai:scripted-fake@{server.url}"
    cells = []
    try:
        for problem_name in [p.strip() for p in args.problems.split(",") if p.strip()]:
            for seed in range(args.seeds):
                cell = run_cell(problem_name, seed, args, spec, args.out)
                cells.append(cell)
                print(json.dumps(cell), flush=True)
    finally:
        if server is not None:
            server.__exit__(None, None, None)
    replies = sum(c["replies"] for c in cells)
    valid = sum(c["valid"] for c in cells)
    report = {
        "model": args.model,
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "cells": cells,
        "total": {
            "replies": replies,
            "valid": valid,
            "valid_rate": round(valid / replies, 4) if replies else None,
            "llm_calls": sum(c["llm_calls"] or 0 for c in cells),
            "wall_s": round(sum(c["wall_s"] for c in cells), 1),
            "cells_beating_all_baselines": sum(c["beats_all_baselines"] for c in cells),
            "cells_best_from_model": sum(c["best_from_model"] for c in cells),
            "median_cell_wall_s": statistics.median(c["wall_s"] for c in cells) if cells else None,
        },
    }
    path = args.out / f"bench_evolve_{args.model.replace(':', '_').replace('/', '_')}.json"
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report["total"]))
    print(f"written {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
