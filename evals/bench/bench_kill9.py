"""Benchmark: kill -9 at random points of every run kind, then resume.

The kinds: OPRO, prompt optimization, Trace, a formulation run (solve), an eval run, a chat
session, an ``optagent hpo`` study, an ``optagent evolve`` run and (opt-in, ``--kinds
better-together``: it fine-tunes a real tiny LoRA adapter on the embedded model, minutes of CPU
a kill) a BetterTogether `w` run. Each runs as a child process on a fake backend that logs
every request it answers (better-together: the embedded model, wrapped to log); the child is
SIGKILLed at a random backend request (OPRO: an objective call; better-together: a request or
a training step), the run is resumed (in this process, or a fresh one for better-together) and
compared with an uninterrupted run. Per kind it prints and writes:

- trials lost: finished work (trials, rounds, items, turns, Optuna trials, evolved programs,
  checkpointed fine-tune evaluations and stages) recorded before the kill and not kept
  exactly, plus work of the uninterrupted run missing after the resume;
- trials scored twice: slots recorded more than once;
- calls paid twice: requests answered before the kill that reached the backend again.

    python evals/bench/bench_kill9.py [--runs 5] [--seed 0] [--kinds opro,chat] [--out F.json]

The child scripts and the kill helper are the resume tests' own (tests/_resume_child.py,
tests/_prompt_resume_child.py, tests/_trace_resume_child.py, tests/_resume_kinds_child.py,
tests/_evolve_kill_child.py, tests/_together_kill_child.py, tests/_kill.py).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
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
_kinds_child = harness("_resume_kinds_child")
_evolve_child = harness("_evolve_kill_child")
kill_when_ready = harness("_kill").kill_when_ready

KINDS = ("opro", "prompt", "trace", "solve", "eval", "chat", "hpo", "evolve")
#: Kinds run only when --kinds names them: ``better-together`` fine-tunes a real (tiny) LoRA
#: adapter on the embedded model, minutes of CPU per kill.
OPT_IN = ("better-together",)
EVAL_ITEMS = 8


def _journal(run_dir: Path) -> list[dict[str, Any]]:
    return [t.to_dict() for t in JsonlRunStore(run_dir).load_trials()]


def _slot(record: dict[str, Any]) -> Any:
    return record["step"], record.get("index")


@dataclass(frozen=True)
class Kind:
    """How to run one kind uninterrupted, kill it, and resume it."""

    script: Path
    clean: Callable[[Path], int]  # run uninterrupted in the folder; return its kill points
    resume: Callable[[Path], set[str]]  # resume the run folder; the cache keys it requested
    args: tuple[str, ...] = ()  # the child's arguments before RUN_DIR
    extra: Callable[[Path], list[str]] = lambda folder: []  # ... and after HANG_AT
    records: Callable[[Path], list[dict[str, Any]]] = _journal  # the finished work, in order
    slot: Callable[[dict[str, Any]], Any] = _slot  # what one record is the work of
    timeout: float = 600  # seconds the child may take to reach its kill point


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


def _resent(backend: ScriptedFakeBackend, spec: str) -> set[str]:
    return {request.cache_key(spec, i) for request, i in backend.requests}


def _opro_resume(run_dir: Path) -> set[str]:
    counting = ScriptedFakeBackend(_resume_child.scripted_reply, spec="scripted:resume")
    task, opro = _resume_child.build(run_dir, counting)
    Run.resume(run_dir, task, opro, usage=opro.llm.usage).optimize()
    return _resent(counting, "scripted:resume")


def _requests_of(backend: ScriptedFakeBackend) -> int:
    """Backend requests of an uncached run (each asks for its samples from index 0)."""
    return sum(1 for _, index in backend.requests if index == 0)


def _logging_clean(child: ModuleType, run_dir: Path) -> int:
    """Run a child module's search uninterrupted on its logging fake; its request count."""
    backend = child.LoggingFakeBackend(None)
    child.run(run_dir, backend)
    return _requests_of(backend)


def _logging_resume(child: ModuleType, spec: str, run_dir: Path) -> set[str]:
    """Resume a child module's search in this process on its logging fake."""
    backend = child.LoggingFakeBackend(None)
    child.run(run_dir, backend, resume=True)
    return _resent(backend, spec)


# -- the kinds of tests/_resume_kinds_child.py: the fake is wrapped in its KillSwitchFake,
# which logs what it answers (to a file) and counts calls.


def _switch(folder: Path, inner: Any) -> Any:
    return _kinds_child.KillSwitchFake(inner, folder / "resumed.log", folder / "never", 0)


def _logged(folder: Path) -> set[str]:
    log = folder / "resumed.log"
    return set(log.read_text().split()) if log.exists() else set()


def _kinds_clean(run: Callable[[Path, Any], Any], inner: Callable[[], Any], run_dir: Path) -> int:
    fake = _switch(run_dir.parent, inner())
    run(run_dir, fake)
    return int(fake.calls)


def _kinds_resume(run: Callable[..., Any], inner: Callable[[], Any], run_dir: Path) -> set[str]:
    run(run_dir, _switch(run_dir.parent, inner()), resume=True)
    return _logged(run_dir.parent)


def _scripted(reply: Callable[..., str]) -> Callable[[], ScriptedFakeBackend]:
    return lambda: ScriptedFakeBackend(reply, spec=_kinds_child.SPEC)


def _eval_files(folder: Path) -> list[str]:
    data, oracle = harness("_eval_support").write_dataset(folder, EVAL_ITEMS)
    return [str(data), str(oracle)]


def _eval_run(run_dir: Path, backend: Any = None, *, resume: bool = False) -> Any:
    """The eval child's run, its oracle fake swapped for ``backend`` (a counting one)."""
    from agent.llm.backends._oracle import OracleFakeBackend
    from evals.runner import _work

    folder = run_dir.parent
    data, oracle = (Path(p) for p in _eval_files(folder))
    key = _kinds_child.oracle_key(oracle)
    _work._BACKENDS[key] = _switch(folder, OracleFakeBackend.from_path(oracle.resolve()))
    try:
        return _kinds_child.run_eval_items(run_dir, data, oracle, resume=resume)
    finally:
        _work._BACKENDS.pop(key, None)


def _eval_clean(run_dir: Path) -> int:
    _eval_run(run_dir)
    return EVAL_ITEMS  # one call per item


def _eval_resume(run_dir: Path) -> set[str]:
    _eval_run(run_dir, resume=True)
    return _logged(run_dir.parent)


def _problem_file(folder: Path) -> list[str]:
    return [str(harness("_evolve_support").write_problem(folder))]


def _evolve_clean(run_dir: Path) -> int:
    backend = _evolve_child.fake(None)
    _evolve_child.run(Path(_problem_file(run_dir.parent)[0]), run_dir, backend)
    return _requests_of(backend)


def _evolve_resume(run_dir: Path) -> set[str]:
    backend = _evolve_child.fake(None)
    _evolve_child.run(Path(_problem_file(run_dir.parent)[0]), run_dir, backend, resume=True)
    return _resent(backend, _evolve_child.SPEC)


def _together_child() -> ModuleType:
    """The together child (imported when the kind runs: it needs the ``tune`` extra and the
    embedded model, which the other kinds do not)."""
    from agent.llm.backends._embedded import require_embedded_model_path
    from agent.tune._model import require_tune_extra

    require_tune_extra()
    require_embedded_model_path()
    return harness("_together_kill_child")


def _together(run_dir: Path, log_file: Path, *resume: str) -> dict[str, Any]:
    """Run the together child's bench run in a process of its own (no kill point); its JSON."""
    _together_child()
    args = ["bench", str(run_dir), str(log_file), str(run_dir.parent / "never"), "0", *resume]
    done = subprocess.run(
        [sys.executable, str(TOGETHER_CHILD), *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{TOGETHER_CHILD.name} {' '.join(args)} failed: {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _together_clean(run_dir: Path) -> int:
    return int(_together(run_dir, run_dir.parent / "clean.log")["kill_points"])


def _together_resume(run_dir: Path) -> set[str]:
    _together(run_dir, run_dir.parent / "resumed.log", "resume")
    return _logged(run_dir.parent)


def _together_records(run_dir: Path) -> list[dict[str, Any]]:
    return _together_child().records(run_dir)


def _together_slot(record: dict[str, Any]) -> Any:
    return _together_child().slot(record)


TESTS = ROOT / "tests"
KINDS_CHILD = TESTS / "_resume_kinds_child.py"
TOGETHER_CHILD = TESTS / "_together_kill_child.py"
_GOOD = _kinds_child.GOOD
KIND: dict[str, Kind] = {
    "opro": Kind(TESTS / "_resume_child.py", _opro_clean, _opro_resume),
    "prompt": Kind(
        TESTS / "_prompt_resume_child.py",
        partial(_logging_clean, _prompt_resume_child),
        partial(_logging_resume, _prompt_resume_child, _prompt_resume_child.SPEC),
    ),
    "trace": Kind(
        TESTS / "_trace_resume_child.py",
        partial(_logging_clean, _trace_resume_child),
        partial(_logging_resume, _trace_resume_child, "scripted:trace"),
    ),
    "solve": Kind(
        KINDS_CHILD,
        partial(_kinds_clean, _kinds_child.run_solve, _scripted(_kinds_child.reply)),
        partial(_kinds_resume, _kinds_child.run_solve, _scripted(_kinds_child.reply)),
        args=("solve",),
    ),
    "eval": Kind(
        KINDS_CHILD,
        _eval_clean,
        _eval_resume,
        args=("eval",),
        extra=_eval_files,
        slot=lambda record: record["candidate"],  # the item id
    ),
    "chat": Kind(
        KINDS_CHILD,
        partial(_kinds_clean, _kinds_child.run_chat, _scripted(lambda request, index: _GOOD)),
        partial(_kinds_resume, _kinds_child.run_chat, _scripted(lambda request, index: _GOOD)),
        args=("chat",),
        records=_kinds_child.chat_turns,
        slot=lambda turn: (turn["index"], turn["route"]),  # a turn redone as an error differs
    ),
    "hpo": Kind(
        KINDS_CHILD,
        partial(_kinds_clean, _kinds_child.run_hpo, _kinds_child.hpo_backend),
        partial(_kinds_resume, _kinds_child.run_hpo, _kinds_child.hpo_backend),
        args=("hpo",),
        records=_kinds_child.hpo_rows,
        slot=lambda row: row["number"],
    ),
    "evolve": Kind(
        TESTS / "_evolve_kill_child.py",
        _evolve_clean,
        _evolve_resume,
        args=("call",),
        extra=_problem_file,
    ),
    "better-together": Kind(
        TOGETHER_CHILD,
        _together_clean,
        _together_resume,
        args=("bench",),
        records=_together_records,
        slot=_together_slot,
        timeout=3600,
    ),
}


def kill_and_resume(name: str, hang_at: int, folder: Path, clean_dir: Path) -> dict[str, Any]:
    """Kill kind ``name`` at its ``hang_at``-th kill point in ``folder``, resume, and count
    what was lost or paid twice against the uninterrupted run in ``clean_dir``."""
    kind = KIND[name]
    run_dir, log_file, ready = folder / "run", folder / "answered.log", folder / "ready"
    args = [*kind.args, str(run_dir), str(log_file), str(ready), str(hang_at)]
    kill_when_ready(kind.script, [*args, *kind.extra(folder)], ready, timeout=kind.timeout)
    before = kind.records(run_dir)
    answered = set(log_file.read_text().split()) if log_file.exists() else set()
    resent = kind.resume(run_dir)
    after = kind.records(run_dir)
    kept = sum(1 for i, t in enumerate(before) if i < len(after) and after[i] == t)
    slots = [kind.slot(t) for t in after]
    clean = [kind.slot(t) for t in kind.records(clean_dir)]
    missing = len(clean) - len(after) if name == "hpo" else len(set(clean) - set(slots))
    return {
        "hang_at": hang_at,
        "trials_before_kill": len(before),
        "trials_after_resume": len(after),
        "trials_lost": len(before) - kept + max(missing, 0),
        "trials_scored_twice": len(slots) - len(set(slots)),
        "calls_answered_before_kill": len(answered),
        "calls_after_resume": len(resent),
        "calls_paid_twice": len(resent & answered),
    }


def measure(name: str, runs: int, rng: random.Random, folder: Path) -> dict[str, Any]:
    """``runs`` kills of kind ``name`` at random kill points (from the second on, so the
    child has done some work), with totals."""
    (folder / "clean").mkdir()
    clean_dir = folder / "clean" / "run"
    points = KIND[name].clean(clean_dir)
    kills = []
    for r in range(runs):
        (folder / str(r)).mkdir()
        kills.append(kill_and_resume(name, rng.randint(2, points), folder / str(r), clean_dir))
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
    parser.add_argument(
        "--kinds",
        default=",".join(KINDS),
        help=f"comma-separated, of {', '.join(KIND)} (default: all but {', '.join(OPT_IN)})",
    )
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    unknown = [name for name in args.kinds.split(",") if name not in KIND]
    if unknown:
        parser.error(f"--kinds: unknown kind {unknown[0]!r}; use {', '.join(KIND)}")
    rng = random.Random(args.seed)
    results: dict[str, Any] = {}
    print(f"{'kind':<16}{'kills':>6}{'trials lost':>13}{'scored twice':>14}{'paid twice':>12}")
    with tempfile.TemporaryDirectory(prefix="optagent-kill9-") as tmp:
        for name in args.kinds.split(","):
            (Path(tmp) / name).mkdir()
            row = measure(name, args.runs, rng, Path(tmp) / name)
            results[name] = row
            print(
                f"{name:<16}{args.runs:>6}{row['trials_lost']:>13}"
                f"{row['trials_scored_twice']:>14}{row['calls_paid_twice']:>12}"
            )
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        payload = {"runs": args.runs, "seed": args.seed, "kinds": results}
        args.out.write_text(json.dumps(payload, indent=2) + "\n")
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
