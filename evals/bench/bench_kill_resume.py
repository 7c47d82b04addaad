"""kill -9 per run kind: a formulation run and an eval run SIGKILLed at a random model call,
resumed, and compared with the same run left alone.

For each repetition a child process (tests/_resume_kinds_child.py) runs until its fake model
hangs at a call drawn at random, and is SIGKILLed there; the run is resumed in this process on
a fake that counts what it is asked. Figures per kind: finished journal lines lost (the resumed
journal must start with every line written before the kill), answered calls paid twice (a
resumed request whose answer the first part had received), and paid calls against the
uninterrupted run (a request in flight at the kill is the only one that may be sent again).

Usage:
    python -m evals.bench.bench_kill_resume [--repeats 3] [--seed 0] [--out kill_resume.json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from agent.core import JsonlRunStore
from agent.llm import ScriptedFakeBackend
from agent.llm.backends._oracle import OracleFakeBackend
from evals.bench._test_harness import harness

write_dataset = harness("_eval_support").write_dataset
_child = harness("_resume_kinds_child")
SPEC = _child.SPEC
KillSwitchFake = _child.KillSwitchFake
oracle_key = _child.oracle_key
reply = _child.reply
run_eval_items = _child.run_eval_items
run_solve = _child.run_solve

ROOT = Path(__file__).resolve().parents[2]
CHILD = ROOT / "tests" / "_resume_kinds_child.py"
ITEMS = 8


def _kill(folder: Path, kind: str, hang_at: int, *extra: Path) -> tuple[Path, set[str]]:
    run_dir, log_file, ready = folder / "run", folder / "answered.log", folder / "ready"
    args = [sys.executable, str(CHILD), kind, str(run_dir), str(log_file), str(ready)]
    child = subprocess.Popen(
        [*args, str(hang_at), *map(str, extra)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stderr=subprocess.DEVNULL,
    )
    while not ready.exists():
        if child.poll() is not None:
            raise RuntimeError(f"the {kind} child ended before call {hang_at}")
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    return run_dir, set(log_file.read_text().split() if log_file.exists() else [])


def _lines(run_dir: Path) -> list[dict[str, Any]]:
    return [t.to_dict() for t in JsonlRunStore(run_dir).load_trials()]


def _figures(before: list, after: list, answered: set[str], log: Path, reference_paid: int) -> dict:
    resent = log.read_text().split() if log.exists() else []
    kept = sum(1 for a, b in zip(before, after, strict=False) if a == b)
    return {
        "lines_before_kill": len(before),
        "lines_after_resume": len(after),
        "lost": len(before) - kept,
        "paid_twice": len(set(resent) & answered),
        "paid_total": len(answered) + len(resent),
        "paid_uninterrupted": reference_paid,
    }


def solve_once(folder: Path, rng: random.Random) -> dict[str, Any]:
    inner = ScriptedFakeBackend(reply, spec=SPEC)
    reference = KillSwitchFake(inner, folder / "reference.log", folder / "x", 0)
    run_solve(folder / "reference", reference)
    hang_at = rng.randint(2, reference.calls)  # a model call of the run, drawn at random
    run_dir, answered = _kill(folder, "solve", hang_at)
    before = _lines(run_dir)
    log = folder / "resumed.log"
    fake = KillSwitchFake(ScriptedFakeBackend(reply, spec=SPEC), log, folder / "x", 0)
    run_solve(run_dir, fake, resume=True)
    figures = _figures(before, _lines(run_dir), answered, log, len(inner.requests))
    return {"hang_at": hang_at, "calls": reference.calls, **figures}


def eval_once(folder: Path, rng: random.Random) -> dict[str, Any]:
    from evals.runner import _work

    data, oracle = write_dataset(folder, ITEMS)
    hang_at = rng.randint(2, ITEMS)  # one call per item
    run_dir, answered = _kill(folder, "eval", hang_at, data, oracle)
    before = _lines(run_dir)
    log = folder / "resumed.log"
    inner = OracleFakeBackend.from_path(oracle.resolve())
    _work._BACKENDS[oracle_key(oracle)] = KillSwitchFake(inner, log, folder / "x", 0)
    try:
        run_eval_items(run_dir, data, oracle, resume=True)
    finally:
        _work._BACKENDS.pop(oracle_key(oracle), None)
    return {"hang_at": hang_at, **_figures(before, _lines(run_dir), answered, log, ITEMS)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("kill_resume.json"))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    results: dict[str, list[dict[str, Any]]] = {"solve": [], "eval": []}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.repeats):
            folder = Path(tmp) / f"solve{r}"
            folder.mkdir()
            results["solve"].append(solve_once(folder, rng))
            folder = Path(tmp) / f"eval{r}"
            folder.mkdir()
            results["eval"].append(eval_once(folder, rng))
    summary = {
        kind: {
            "repeats": len(rows),
            "lost": sum(row["lost"] for row in rows),
            "paid_twice": sum(row["paid_twice"] for row in rows),
            "extra_paid_in_flight": sum(
                row["paid_total"] - row["paid_uninterrupted"] for row in rows
            ),
        }
        for kind, rows in results.items()
    }
    args.out.write_text(json.dumps({"summary": summary, "runs": results}, indent=2) + "\n")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
