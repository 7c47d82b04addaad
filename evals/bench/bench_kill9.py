"""Benchmark: kill -9 at random points of OPRO, prompt-optimization and Trace runs, then resume.

Each kind runs as a child process on a scripted fake backend that logs every request it
answers; the child is SIGKILLed at a random request (Trace, prompt optimization) or objective
call (OPRO), the run is resumed in this process on a counting fake, and compared with an
uninterrupted run. Per kind it prints and writes:

- trials lost: trials journaled before the kill and not kept exactly, plus trials of the
  uninterrupted run missing after the resume;
- trials scored twice: (step, index) slots journaled more than once;
- calls paid twice: requests answered before the kill that reached the backend again.

    python evals/bench/bench_kill9.py [--runs 5] [--seed 0] [--out docs/figures/kill9.json]

The child scripts and the kill helper are the resume tests' own (tests/_resume_child.py,
tests/_prompt_resume_child.py, tests/_trace_resume_child.py, tests/_kill.py).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the child scripts live in tests/, beside the package folders
    sys.path.insert(0, str(ROOT))

from agent.core import JsonlRunStore, Run  # noqa: E402 - after the path set-up above
from agent.llm import ScriptedFakeBackend  # noqa: E402
from evals.bench._test_harness import harness  # noqa: E402

_resume_child = harness("_resume_child")
_prompt_resume_child = harness("_prompt_resume_child")
_trace_resume_child = harness("_trace_resume_child")
kill_when_ready = harness("_kill").kill_when_ready

KINDS = ("opro", "prompt", "trace")


@dataclass(frozen=True)
class Kind:
    """How to run one kind uninterrupted, kill it, and resume it."""

    script: Path
    spec: str
    clean: Callable[[Path], int]  # run uninterrupted in the folder; return its kill points
    resume: Callable[[Path], ScriptedFakeBackend]  # resume the folder; return the backend used


def _opro_clean(run_dir: Path) -> int:
    task, opro = _resume_child.build(
        run_dir, ScriptedFakeBackend(_resume_child.scripted_reply, spec="scripted:resume")
    )
    calls = 0

    def objective(candidate: list[float]) -> float:
        nonlocal calls
        calls += 1
        return task.loss(candidate)

    Run(
        objective,
        opro,
        store=run_dir,
        direction="minimize",
        steps=_resume_child.STEPS,
        usage=opro.llm.usage,
    ).optimize()
    return calls


def _opro_resume(run_dir: Path) -> ScriptedFakeBackend:
    counting = ScriptedFakeBackend(_resume_child.scripted_reply, spec="scripted:resume")
    task, opro = _resume_child.build(run_dir, counting)
    Run.resume(run_dir, task, opro, usage=opro.llm.usage).optimize()
    return counting


def _requests_of(backend: ScriptedFakeBackend) -> int:
    """Backend requests of an uncached run (each asks for its samples from index 0)."""
    return sum(1 for _, index in backend.requests if index == 0)


def _logging_clean(child: ModuleType, run_dir: Path) -> int:
    """Run a child module's search uninterrupted on its logging fake; its request count."""
    backend = child.LoggingFakeBackend(None)
    child.run(run_dir, backend)
    return _requests_of(backend)


def _logging_resume(child: ModuleType, run_dir: Path) -> ScriptedFakeBackend:
    """Resume a child module's search in this process on its logging fake."""
    backend = child.LoggingFakeBackend(None)
    child.run(run_dir, backend, resume=True)
    return backend


TESTS = ROOT / "tests"
KIND: dict[str, Kind] = {
    "opro": Kind(TESTS / "_resume_child.py", "scripted:resume", _opro_clean, _opro_resume),
    "prompt": Kind(
        TESTS / "_prompt_resume_child.py",
        _prompt_resume_child.SPEC,
        partial(_logging_clean, _prompt_resume_child),
        partial(_logging_resume, _prompt_resume_child),
    ),
    "trace": Kind(
        TESTS / "_trace_resume_child.py",
        "scripted:trace",
        partial(_logging_clean, _trace_resume_child),
        partial(_logging_resume, _trace_resume_child),
    ),
}


def _trials(run_dir: Path) -> list[dict[str, Any]]:
    return [t.to_dict() for t in JsonlRunStore(run_dir).load_trials()]


def _slot(trial: dict[str, Any]) -> tuple[Any, Any]:
    return trial["step"], trial.get("index")


def kill_and_resume(name: str, hang_at: int, folder: Path, clean_dir: Path) -> dict[str, Any]:
    """Kill kind ``name`` at its ``hang_at``-th kill point in ``folder``, resume, and count
    what was lost or paid twice against the uninterrupted run in ``clean_dir``."""
    kind = KIND[name]
    run_dir, log_file, ready = folder / "run", folder / "answered.log", folder / "ready"
    args = [str(run_dir), str(log_file), str(ready), str(hang_at)]
    kill_when_ready(kind.script, args, ready)
    before = _trials(run_dir)
    answered = set(log_file.read_text().split()) if log_file.exists() else set()
    backend = kind.resume(run_dir)
    after = _trials(run_dir)
    kept = sum(1 for i, t in enumerate(before) if i < len(after) and after[i] == t)
    slots = [_slot(t) for t in after]
    missing = {_slot(t) for t in _trials(clean_dir)} - set(slots)
    resent = {request.cache_key(kind.spec, i) for request, i in backend.requests}
    return {
        "hang_at": hang_at,
        "trials_before_kill": len(before),
        "trials_after_resume": len(after),
        "trials_lost": len(before) - kept + len(missing),
        "trials_scored_twice": len(slots) - len(set(slots)),
        "calls_answered_before_kill": len(answered),
        "calls_after_resume": len(backend.requests),
        "calls_paid_twice": len(resent & answered),
    }


def measure(name: str, runs: int, rng: random.Random, folder: Path) -> dict[str, Any]:
    """``runs`` kills of kind ``name`` at random kill points, with totals."""
    clean_dir = folder / "clean"
    points = KIND[name].clean(clean_dir)
    kills = []
    for r in range(runs):
        (folder / str(r)).mkdir()
        kills.append(kill_and_resume(name, rng.randint(1, points), folder / str(r), clean_dir))
    return {
        "kill_points": points,
        "trials_lost": sum(k["trials_lost"] for k in kills),
        "trials_scored_twice": sum(k["trials_scored_twice"] for k in kills),
        "calls_paid_twice": sum(k["calls_paid_twice"] for k in kills),
        "kills": kills,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    results: dict[str, Any] = {}
    print(f"{'kind':<8}{'kills':>6}{'trials lost':>13}{'scored twice':>14}{'paid twice':>12}")
    with tempfile.TemporaryDirectory(prefix="optagent-kill9-") as tmp:
        for name in args.kinds.split(","):
            (Path(tmp) / name).mkdir()
            row = measure(name, args.runs, rng, Path(tmp) / name)
            results[name] = row
            print(
                f"{name:<8}{args.runs:>6}{row['trials_lost']:>13}"
                f"{row['trials_scored_twice']:>14}{row['calls_paid_twice']:>12}"
            )
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        payload = {"runs": args.runs, "seed": args.seed, "kinds": results}
        args.out.write_text(json.dumps(payload, indent=2) + "\n")
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
