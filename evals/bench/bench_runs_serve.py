"""Server time of `optagent runs serve` pages for runs of 10,000 trials.

Writes two synthetic run folders of N trials each (prompt-like candidates, the journal format
``JsonlRunStore`` writes), then fetches every page through the app in-process (Starlette's
TestClient: the time is the app's work plus a thin in-process transport, no network) and
reports, per page, the first load (the runs list's first load parses both journals from
scratch: they were written after the app started) and the median and worst
of the following loads (the reader reads only what was appended). Each is given as wall time
and as CPU time of this process: on a machine shared with other work the wall time also
counts the waits for a core, the CPU time only the app's own work.

Pass: every page under 1 s server time (CPU), first loads included; the wall times are
reported beside it.

Usage:
    python evals/bench/bench_runs_serve.py --trials 10000 --out bench_runs_serve.json
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from agent.core import JsonlRunStore, Trial
from agent.errors import MissingExtraError

WORDS = ("solve", "the", "problem", "step", "by", "list", "every", "variable", "check", "each")


def write_run(folder: Path, trials: int, seed: int) -> None:
    """A finished run of ``trials`` trials (config, journal, state, usage)."""
    rng = random.Random(seed)
    store = JsonlRunStore(folder)
    store.write_config({"format": 1, "kind": "prompt", "model": "synthetic", "steps": trials})
    with open(folder / "trials.jsonl", "w", encoding="utf-8") as fh:
        for i in range(trials):
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 40)))
            ok = rng.random() > 0.1
            trial = Trial(
                number=i,
                step=i // 8,
                index=i % 8,
                candidate={"instruction": text, "demos": [rng.randint(0, 99) for _ in range(3)]},
                score=rng.random() if ok else None,
                status="ok" if ok else "skipped",
                reason="" if ok else "duplicate",
                meta={"raw": text, "sample": i % 8},
                artifacts={"per_example": [rng.randint(0, 1) for _ in range(40)]},
            )
            fh.write(json.dumps(trial.to_dict()) + "\n")
    store.write_state({"status": "finished", "step": trials // 8})
    store.write_usage({"calls": trials, "total_tokens": 300 * trials, "cost_usd": 0.0})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None, help="Write the figures as JSON.")
    args = parser.parse_args()

    try:
        from starlette.testclient import TestClient
    except ImportError:
        raise MissingExtraError("starlette", "serve") from None
    from agent.serve import create_app

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        client = TestClient(create_app([root]))  # the runs appear after it started: the
        started = time.perf_counter()  # first page reads their journals cold
        write_run(root / "a", args.trials, seed=1)
        write_run(root / "b", args.trials, seed=2)
        written_s = time.perf_counter() - started
        last = args.trials - 1
        pages = {
            "runs list": "/",
            "run page": "/runs/a",
            "run page, last trials": f"/runs/a?page={args.trials // 100}",
            "trial page with diff": f"/runs/a/trials/{last}",
            "curve JSON, all points": "/api/runs/a/curve",
            "curve JSON, new points": f"/api/runs/a/curve?since={args.trials}",
            "compare two runs": "/compare?a=a&b=b",
        }
        rows = {}
        for name, url in pages.items():
            times, cpu = [], []
            for _ in range(args.repeats + 1):
                t0, c0 = time.perf_counter(), time.process_time()
                response = client.get(url)
                times.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
                assert response.status_code == 200, (url, response.status_code)
            rows[name] = {
                "url": url,
                "bytes": len(response.content),
                "first_s": times[0],
                "median_s": statistics.median(times[1:]),
                "max_s": max(times),
                "first_cpu_s": cpu[0],
                "median_cpu_s": statistics.median(cpu[1:]),
                "max_cpu_s": max(cpu),
            }
    worst = max(r["max_cpu_s"] for r in rows.values())
    worst_wall = max(r["max_s"] for r in rows.values())
    result = {
        "trials": args.trials,
        "repeats": args.repeats,
        "write_s": written_s,
        "pages": rows,
        "worst_cpu_s": worst,
        "worst_wall_s": worst_wall,
        "pass": worst < 1.0,
    }
    width = max(map(len, rows))
    print(f"{args.trials} trials per run; seconds per page, CPU (wall)")
    print(f"{'page':<{width}}  {'first':<15}  {'median':<15}  {'worst':<15}  bytes")
    for name, r in rows.items():
        cells = [f"{r[k + '_cpu_s']:.3f} ({r[k + '_s']:.3f})" for k in ("first", "median", "max")]
        print(f"{name:<{width}}  " + "  ".join(f"{c:<15}" for c in cells) + f"  {r['bytes']}")
    verdict = "PASS" if result["pass"] else "FAIL"
    print(f"worst {worst:.3f} s CPU ({worst_wall:.3f} s wall): {verdict} (target < 1 s)")
    if args.out is not None:
        args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
