"""Server time of `optagent runs serve` pages for runs of 10,000 trials.

Writes two synthetic run folders of N trials each (prompt-like candidates, the journal format
``JsonlRunStore`` writes), then fetches every page through the app in-process (Starlette's
TestClient: the time is the app's work plus a thin in-process transport, no network) and
reports, per page, the first load (the journal parsed from scratch) and the median and worst
of the following loads (the reader reads only what was appended).

Pass: every page under 1 s server time, first loads included.

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

    from starlette.testclient import TestClient

    from agent.serve import create_app

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        write_run(root / "a", args.trials, seed=1)
        write_run(root / "b", args.trials, seed=2)
        written_s = time.perf_counter() - started
        client = TestClient(create_app([root]))
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
            times = []
            for _ in range(args.repeats + 1):
                t0 = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - t0)
                assert response.status_code == 200, (url, response.status_code)
            rows[name] = {
                "url": url,
                "bytes": len(response.content),
                "first_s": times[0],
                "median_s": statistics.median(times[1:]),
                "max_s": max(times),
            }
    worst = max(r["max_s"] for r in rows.values())
    result = {
        "trials": args.trials,
        "repeats": args.repeats,
        "write_s": written_s,
        "pages": rows,
        "worst_s": worst,
        "pass": worst < 1.0,
    }
    width = max(map(len, rows))
    print(f"{args.trials} trials per run; seconds of server time per page")
    print(f"{'page':<{width}}  first    median   worst    bytes")
    for name, r in rows.items():
        print(
            f"{name:<{width}}  {r['first_s']:.4f}   {r['median_s']:.4f}   {r['max_s']:.4f}   "
            f"{r['bytes']}"
        )
    print(f"worst {worst:.3f} s: {'PASS' if result['pass'] else 'FAIL'} (target < 1 s)")
    if args.out is not None:
        args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
