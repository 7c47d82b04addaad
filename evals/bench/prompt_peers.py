"""Our prompt optimizers against DSPy's on one llama.cpp server: same splits, metric and cap.

Starts llama.cpp's OpenAI-compatible server (``python -m llama_cpp.server``) on 127.0.0.1 with
the embedded SmolLM2-135M GGUF, then, per task and seed, runs every method as one *cell*:
optimize on the task's train/validation splits under a cap on optimization LLM calls, then
score the optimized prompt (or program) on the test split. Caches are off on both sides,
answers are greedy (temperature 0) and the server honours max_tokens. A cell's result is a JSON
file in ``--out``; a rerun skips finished cells, so a killed benchmark resumes.

Ours: ``exemplars``, ``mipro`` (Optuna TPE joint search) and ``gepa`` (reflective Pareto), each
with its default steps and the cap as a hard budget. DSPy (the ``optagent[peers]`` extra, imported
only here): ``dspy-bfrs`` (BootstrapFewShotWithRandomSearch), ``dspy-mipro`` (MIPROv2
``auto="light"``) and ``dspy-gepa`` (GEPA with ``max_metric_calls`` = cap, where DSPy ships it),
on ``dspy.Predict("FIELDS -> answer")`` with DSPy's defaults (ChatAdapter, JSON fallback). DSPy
has no call budget, so its LM raises once the cap is spent; DSPy scores those calls as errors
(no server call is made), so it can never use more calls than ours may.

The table: per task and method, mean ± sd over seeds of test accuracy, optimization calls and
search wall time, and, for our best method, its accuracy and calls relative to DSPy's best.

Usage (the full benchmark: 3 tasks, 5 seeds on arithmetic and 3 on the others, cap 300,
100 test items; about 2 hours on 2 cores):
    python evals/bench/prompt_peers.py
A small check (one seed, one task, a small cap):
    python evals/bench/prompt_peers.py --tasks arithmetic --seeds 1 --max-calls 60 \
        --test-size 20 --out runs/prompt_peers_small
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from agent.llm import Budget, load
from agent.llm.backends._embedded import require_embedded_model_path
from agent.tasks.prompt import PromptTask, Splits, builtin_task, optimize_prompt

OURS = ("exemplars", "mipro", "gepa")
PEERS = ("dspy-bfrs", "dspy-mipro", "dspy-gepa")
TASKS = ("arithmetic", "compare", "sentiment")
MODEL_ALIAS = "smollm2"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def llama_server(threads: int, log: Path) -> Iterator[str]:
    """llama.cpp's OpenAI-compatible server with the embedded model; yields its base URL."""
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        require_embedded_model_path(),
        "--model_alias",
        MODEL_ALIAS,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "2048",
        "--n_threads",
        str(threads),
    ]
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as sink:
        server = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 180
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited with {server.returncode}; see {log}")
            try:
                with urllib.request.urlopen(f"{url}/models", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"llama_cpp.server not up after 180 s; see {log}") from None
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def run_ours(
    method: str, task: PromptTask, splits: Splits, url: str, seed: int, cap: int
) -> dict[str, Any]:
    """One of our methods: optimize under the cap, then score on test (outside the cap)."""
    llm = load(f"openai:{MODEL_ALIAS}@{url}", cache=False)
    result = optimize_prompt(
        task,
        splits.train,
        splits.val,
        model=llm,
        method=method,  # type: ignore[arg-type]  # one of OURS
        budget=Budget(max_calls=cap),
        testset=splits.test,
        seed=seed,
        cache=False,
    )
    return {
        "test_accuracy": result.test_score,
        "baseline_test_accuracy": result.baseline_test_score,
        "calls": int(result.usage.get("calls", 0)),
        "search_wall_s": result.search_wall_s,
        "test_wall_s": result.test_wall_s,
        "status": result.status,
        "demos": len(result.demos),
        "instruction": result.instruction,
    }


def _dspy() -> Any:
    from agent.errors import MissingExtraError

    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no network for litellm
    try:
        import dspy
    except ImportError:
        raise MissingExtraError("dspy", "peers") from None
    dspy.configure_cache(enable_disk_cache=False, enable_memory_cache=False)
    return dspy


class CallCap:
    """A shared counter of optimization calls; past the cap, calls raise before the server."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.calls = 0
        self.refused = 0

    def spend(self) -> None:
        if self.calls >= self.cap:
            self.refused += 1
            raise RuntimeError(f"optimization call cap of {self.cap} reached")
        self.calls += 1


def _capped_lm(dspy: Any, url: str, max_tokens: int, temperature: float, cap: CallCap) -> Any:
    class CappedLM(dspy.LM):  # type: ignore[misc, name-defined]  # DSPy is untyped here
        def forward(self, prompt: Any = None, messages: Any = None, **kwargs: Any) -> Any:
            cap.spend()
            return super().forward(prompt=prompt, messages=messages, **kwargs)

    return CappedLM(
        f"openai/{MODEL_ALIAS}",
        api_base=url,
        api_key="local",
        temperature=temperature,
        max_tokens=max_tokens,
        cache=False,
        num_retries=0,
    )


def run_peer(
    method: str, task: PromptTask, splits: Splits, url: str, seed: int, cap: int
) -> dict[str, Any]:
    """One DSPy optimizer on ``dspy.Predict`` with the task's metric, capped, then test."""
    dspy = _dspy()
    counter = CallCap(cap)
    # DSPy's field markers need room beyond the bare answer; proposals need a paragraph.
    task_lm = _capped_lm(dspy, url, task.max_tokens + 48, 0.0, counter)
    prompt_lm = _capped_lm(dspy, url, 256, 1.0, counter)
    fields = ", ".join(task.input_fields)
    program = dspy.Predict(f"{fields} -> answer")
    if task.instruction:
        program.signature = program.signature.with_instructions(task.instruction)

    def examples(split: Any) -> list[Any]:
        return [
            dspy.Example(**dict(e.inputs), answer=e.target).with_inputs(*task.input_fields)
            for e in split
        ]

    train, val, test = examples(splits.train), examples(splits.val), examples(splits.test)

    def metric(gold: Any, pred: Any, trace: Any = None, *rest: Any) -> Any:
        score = task.score(str(getattr(pred, "answer", "") or ""), gold.answer)
        if method == "dspy-gepa":
            note = "correct" if score >= 1 else f"wrong: the answer is {gold.answer}"
            return dspy.Prediction(score=score, feedback=note)
        return score

    started = time.perf_counter()
    error = ""
    compiled = program
    with dspy.context(lm=task_lm, max_errors=10**6):
        try:
            if method == "dspy-bfrs":
                # (candidates + 3 fixed seeds) x |val| evaluations plus bootstrapping: sized
                # so the cap, not the candidate count, is what stops it.
                optimizer = dspy.BootstrapFewShotWithRandomSearch(
                    metric=metric,
                    max_bootstrapped_demos=4,
                    max_labeled_demos=4,
                    num_candidate_programs=8,
                    num_threads=1,
                    max_errors=10**6,
                )
                compiled = optimizer.compile(program, trainset=train, valset=val)
            elif method == "dspy-mipro":
                optimizer = dspy.MIPROv2(
                    metric=metric,
                    prompt_model=prompt_lm,
                    task_model=task_lm,
                    auto="light",
                    num_threads=1,
                    max_errors=10**6,
                    seed=seed,
                )
                compiled = optimizer.compile(program, trainset=train, valset=val)
            elif method == "dspy-gepa":
                if not hasattr(dspy, "GEPA"):
                    return {"skipped": "this DSPy has no GEPA"}
                optimizer = dspy.GEPA(
                    metric=metric,
                    max_metric_calls=cap,
                    reflection_lm=prompt_lm,
                    num_threads=1,
                    seed=seed,
                )
                compiled = optimizer.compile(program, trainset=train, valset=val)
            else:
                raise ValueError(f"unknown peer method {method!r}")
        except Exception as exc:  # a peer's crash is a result to report, not a bench failure
            error = f"{type(exc).__name__}: {exc}"[:500]
    search_wall = time.perf_counter() - started

    test_counter = CallCap(10**9)
    test_lm = _capped_lm(dspy, url, task.max_tokens + 48, 0.0, test_counter)
    started = time.perf_counter()
    with dspy.context(lm=test_lm):
        scores = []
        for example in test:
            try:
                pred = compiled(**example.inputs())
                scores.append(task.score(str(getattr(pred, "answer", "") or ""), example.answer))
            except Exception:  # an unparseable reply is a wrong answer
                scores.append(0.0)
    return {
        "test_accuracy": sum(scores) / len(scores) if scores else None,
        "calls": counter.calls,
        "calls_refused_over_cap": counter.refused,
        "search_wall_s": search_wall,
        "test_wall_s": time.perf_counter() - started,
        "status": "error" if error else "finished",
        "error": error,
    }


def _stats(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    return statistics.fmean(values), (statistics.stdev(values) if len(values) > 1 else 0.0)


def summarize(
    cells: dict[str, dict[str, Any]], tasks: list[str], methods: list[str]
) -> list[dict[str, Any]]:
    """Per task and method: mean and sd of accuracy, calls and search wall over seeds."""
    rows = []
    for task in tasks:
        for method in methods:
            done = [
                c for k, c in cells.items()
                if k.startswith(f"{task}/{method}/") and c.get("test_accuracy") is not None
            ]  # fmt: skip
            acc, acc_sd = _stats([c["test_accuracy"] for c in done])
            calls, calls_sd = _stats([float(c["calls"]) for c in done])
            wall, wall_sd = _stats([float(c["search_wall_s"]) for c in done])
            rows.append(
                {
                    "task": task,
                    "method": method,
                    "ours": method in OURS,
                    "seeds": len(done),
                    "test_accuracy": acc,
                    "test_accuracy_sd": acc_sd,
                    "calls": calls,
                    "calls_sd": calls_sd,
                    "search_wall_s": wall,
                    "search_wall_s_sd": wall_sd,
                    "errors": sum(1 for c in done if c.get("status") == "error"),
                }
            )
    return rows


def verdicts(rows: list[dict[str, Any]], tasks: list[str]) -> list[dict[str, Any]]:
    """Our best vs DSPy's best per task: accuracy gap and call ratio (the issue's test)."""
    out = []
    for task in tasks:
        mine = [r for r in rows if r["task"] == task and r["ours"] and r["seeds"]]
        theirs = [r for r in rows if r["task"] == task and not r["ours"] and r["seeds"]]
        if not mine or not theirs:
            continue
        best = max(mine, key=lambda r: (r["test_accuracy"], -r["calls"]))
        peer = max(theirs, key=lambda r: (r["test_accuracy"], -r["calls"]))
        ratio = best["calls"] / peer["calls"] if peer["calls"] else None
        out.append(
            {
                "task": task,
                "our_best": best["method"],
                "dspy_best": peer["method"],
                "accuracy_gap": best["test_accuracy"] - peer["test_accuracy"],
                "call_ratio": ratio,
                "wall_ratio": (
                    best["search_wall_s"] / peer["search_wall_s"] if peer["search_wall_s"] else None
                ),
                "meets_bar": best["test_accuracy"] >= peer["test_accuracy"]
                and ratio is not None
                and ratio <= 0.5,
            }
        )
    return out


def _fmt(mean: float | None, sd: float | None, scale: float = 1.0, digits: int = 1) -> str:
    if mean is None:
        return "-"
    return f"{mean * scale:.{digits}f} ± {(sd or 0.0) * scale:.{digits}f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--methods", default=",".join(OURS + PEERS))
    parser.add_argument("--seeds", type=int, default=None, help="seeds per task (default 5/3)")
    parser.add_argument("--max-calls", type=int, default=300, help="optimization call cap")
    parser.add_argument("--test-size", type=int, default=100)
    parser.add_argument("--train-size", type=int, default=40)
    parser.add_argument("--val-size", type=int, default=30)
    parser.add_argument("--threads", type=int, default=2, help="llama.cpp server threads")
    parser.add_argument("--out", type=Path, default=Path("runs/prompt_peers"))
    args = parser.parse_args()

    tasks = [t.strip() for t in args.tasks.split(",") if t.strip()]
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = [m for m in methods if m not in OURS + PEERS]
    if unknown:
        raise SystemExit(f"unknown method(s) {unknown}; use {', '.join(OURS + PEERS)}")
    console = Console()
    cells_dir = args.out / "cells"
    cells_dir.mkdir(parents=True, exist_ok=True)
    dspy_version = None
    if any(m in PEERS for m in methods):
        dspy_version = _dspy().__version__

    plan = []
    for task_name in tasks:
        seeds = args.seeds or (5 if task_name == "arithmetic" else 3)
        for seed in range(seeds):
            for method in methods:
                plan.append((task_name, method, seed))
    todo = [p for p in plan if not (cells_dir / f"{p[0]}-{p[1]}-seed{p[2]}.json").is_file()]
    console.print(f"{len(plan)} cells, {len(plan) - len(todo)} already done; results in {args.out}")
    if todo:
        with llama_server(args.threads, args.out / "server.log") as url:
            for task_name, method, seed in todo:
                item = builtin_task(task_name)
                splits = item.splits(
                    seed=seed, sizes=(args.train_size, args.val_size, args.test_size)
                )
                runner: Callable[..., dict[str, Any]] = run_ours if method in OURS else run_peer
                console.print(f"[bold]{task_name}[/] {method} seed {seed} ...")
                started = time.perf_counter()
                cell = runner(method, item.task, splits, url, seed, args.max_calls)
                cell.update(
                    task=task_name,
                    method=method,
                    seed=seed,
                    cell_wall_s=time.perf_counter() - started,
                )
                console.print(
                    f"  test {cell.get('test_accuracy')}, calls {cell.get('calls')}, "
                    f"search {cell.get('search_wall_s', 0):.0f}s {cell.get('error', '')}"
                )
                path = cells_dir / f"{task_name}-{method}-seed{seed}.json"
                tmp = path.with_suffix(".tmp")
                tmp.write_text(json.dumps(cell, indent=1), encoding="utf-8")
                tmp.replace(path)  # a killed cell leaves no half-written result

    cells = {}
    for path in sorted(cells_dir.glob("*.json")):
        cell = json.loads(path.read_text(encoding="utf-8"))
        cells[f"{cell['task']}/{cell['method']}/{cell['seed']}"] = cell
    rows = summarize(cells, tasks, methods)
    table_data = {
        "benchmark": "prompt_peers",
        "model": "SmolLM2-135M-Instruct Q4_1 on llama_cpp.server",
        "dspy_version": dspy_version,
        "max_calls": args.max_calls,
        "sizes": {"train": args.train_size, "val": args.val_size, "test": args.test_size},
        "rows": rows,
        "verdicts": verdicts(rows, tasks),
        "cells": cells,
    }
    out_file = args.out / "prompt_peers.json"
    out_file.write_text(json.dumps(table_data, indent=1), encoding="utf-8")

    table = Table(title=f"ours vs DSPy {dspy_version or '(not run)'}, cap {args.max_calls} calls")
    for column in ("task", "method", "seeds", "test acc %", "opt. calls", "search s"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            r["task"],
            r["method"],
            str(r["seeds"]),
            _fmt(r["test_accuracy"], r["test_accuracy_sd"], 100),
            _fmt(r["calls"], r["calls_sd"], digits=0),
            _fmt(r["search_wall_s"], r["search_wall_s_sd"], digits=0),
        )
    console.print(table)
    for v in table_data["verdicts"]:
        console.print(
            f"{v['task']}: ours {v['our_best']} vs DSPy {v['dspy_best']}: accuracy "
            f"{100 * v['accuracy_gap']:+.1f} points, calls x{v['call_ratio'] or 0:.2f}, "
            f"wall x{v['wall_ratio'] or 0:.2f}; bar met: {v['meets_bar']}"
        )
    console.print(f"table: {out_file}")


if __name__ == "__main__":
    main()
