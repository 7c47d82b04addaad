"""Child process of the SIGKILL tests (tests/test_resume_kill_kinds.py, tests/test_kill9.py):
a formulation run, an eval run, a chat session or an ``optagent hpo`` study on a fake model
that logs every answered sample and hangs at a chosen call.

Usage:
    python tests/_resume_kinds_child.py solve RUN_DIR LOG_FILE READY_FILE HANG_AT
    python tests/_resume_kinds_child.py eval RUN_DIR LOG_FILE READY_FILE HANG_AT DATA ORACLE
    python tests/_resume_kinds_child.py chat RUN_DIR LOG_FILE READY_FILE HANG_AT
    python tests/_resume_kinds_child.py hpo RUN_DIR LOG_FILE READY_FILE HANG_AT

``KillSwitchFake`` (fault injection) wraps the scripted or oracle fake: it appends the cache
key of every sample it answers to LOG_FILE; its HANG_AT-th call creates READY_FILE and hangs
before answering, so the parent SIGKILLs the process with that request in flight.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from agent.llm import LLM, Backend, Completion, Request, ResponseCache, ScriptedFakeBackend
from tests.fakes.formulation import BAD, GOOD, PROBLEM

VOTES, ROUNDS = 3, 4
SPEC = "scripted:kinds"
#: The chat session's turns: three new problems (a model call each), explanations the model
#: rephrases (a call each) and rule-placed turns between them (no call).
CHAT_TURNS = (
    PROBLEM,
    "/solve",
    "why is doors 2?",
    "A bakery makes bread and cakes; bread earns 2, cakes 3; the oven limits production.",
    "what if plant1 is 6?",
    "why?",
    "A shop sells tables and chairs; tables earn 7, chairs 4; wood and labour are limited.",
    "why?",
)
HPO_TRIALS = 8

if TYPE_CHECKING:
    from agent.formulate import AgentAnswer
    from evals.runner import EvalRunResult


def reply(request: Request, index: int) -> str:
    """BAD until the solvers' error has been fed back twice, then GOOD: every chain takes
    three rounds, so a kill lands between journaled rounds."""
    fed_back = sum(m.content.count("did not work") for m in request.messages)
    return GOOD if fed_back >= 2 else BAD


class KillSwitchFake(Backend):
    """Wraps a fake: logs each answered sample's cache key, hangs at call ``hang_at``."""

    def __init__(self, inner: Backend, log_file: Path, ready: Path, hang_at: int) -> None:
        self.inner, self.log_file, self.ready, self.hang_at = inner, log_file, ready, hang_at
        self.spec = inner.spec
        self.max_concurrency = inner.max_concurrency
        self._calls = 0
        self._lock = threading.Lock()

    @property
    def calls(self) -> int:
        """Calls made so far (the one hanging included)."""
        return self._calls

    def generate(self, request: Request, sample_indices: Sequence[int]) -> list[Completion]:
        with self._lock:
            self._calls += 1
            call = self._calls
        if call == self.hang_at:
            self.ready.write_text("ready")
            time.sleep(600)
        out = self.inner.generate(request, sample_indices)
        with self._lock, open(self.log_file, "a", encoding="utf-8") as fh:
            for i in sample_indices:
                fh.write(request.cache_key(self.spec, i) + "\n")
        return out


def run_solve(run_dir: Path, backend: Backend, *, resume: bool = False) -> AgentAnswer:
    from agent.formulate import solve

    llm = LLM(backend, cache=ResponseCache(run_dir / "cache.sqlite"))
    return solve(PROBLEM, model=llm, votes=VOTES, max_rounds=ROUNDS, run_dir=run_dir, resume=resume)


def run_eval_items(
    run_dir: Path, data: Path, oracle: Path, *, resume: bool = False
) -> EvalRunResult:
    from evals.datasets import load_items
    from evals.runner import AgentSettings, run_eval

    settings = AgentSettings(f"oracle:{oracle}", cache=str(run_dir / "cache.sqlite"))
    return run_eval(
        load_items(data),
        out=run_dir,
        settings=settings,
        mode="mamo",
        dataset=str(data),
        executor="thread",
        workers=2,
        resume=resume,
    )


def run_chat(run_dir: Path, backend: Backend, *, resume: bool = False) -> list[dict]:
    """Run ``CHAT_TURNS`` in a chat session (on resume: the turns the session lacks); the
    session's turns as session.json holds them."""
    import io

    from rich.console import Console

    from agent.chat._session import ChatSession
    from agent.chat._store import SessionStore
    from agent.config import Settings

    store = SessionStore(run_dir)
    state = store.load() if resume else None
    session = ChatSession(
        store=store,
        settings=Settings(model=SPEC, cache=False),
        console=Console(file=io.StringIO(), width=100, color_system=None),
        state=state,
        llm_factory=lambda spec, usage: LLM(
            backend, cache=ResponseCache(run_dir / "cache.sqlite"), usage=usage
        ),
        phrase=True,
    )
    for text in CHAT_TURNS[len(session.state.turns) :]:
        session.handle(text)
    return [turn.to_dict() for turn in store.load().turns]


def chat_turns(run_dir: Path) -> list[dict]:
    """The turns session.json holds (none before the first turn ended)."""
    from agent.chat._store import SESSION_FILE, read_session

    path = run_dir / SESSION_FILE
    return [t.to_dict() for t in read_session(path).turns] if path.is_file() else []


def hpo_objective(trial: object) -> float:
    """A cheap two-parameter objective (minimum 0 at x=2, y=-1)."""
    x = trial.suggest_float("x", -5.0, 5.0)  # type: ignore[attr-defined]  # an optuna.Trial
    y = trial.suggest_float("y", -5.0, 5.0)  # type: ignore[attr-defined]  # an optuna.Trial
    return (x - 2) ** 2 + (y + 1) ** 2


def run_hpo(run_dir: Path, backend: Backend, *, resume: bool = False) -> list[dict]:
    """An ``optagent hpo`` study of ``HPO_TRIALS`` complete trials in ``run_dir`` (the run
    folder's own journal storage and response cache, as the command sets them up); on resume
    the trials it lacks. Returns the complete rows of trials.jsonl."""
    import optuna

    from agent.hpo._run import ObjectiveFile, run_study

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    done = len(hpo_rows(run_dir)) if resume else 0
    llm = LLM(backend, cache=ResponseCache(run_dir / "cache.sqlite"))
    objective = ObjectiveFile(Path(__file__), hpo_objective, "x near 2, y near -1", "minimize")
    options = {"gate": False, "n_warmstart": 3}
    run_study(objective, llm=llm, run_dir=run_dir, n_trials=HPO_TRIALS - done,
              sampler_options=options)  # fmt: skip
    return hpo_rows(run_dir)


def hpo_rows(run_dir: Path) -> list[dict]:
    """The complete trials' rows of an hpo run's trials.jsonl."""
    import json

    path = run_dir / "trials.jsonl"
    if not path.is_file():
        return []
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [row for row in rows if row.get("state") == "COMPLETE"]


def hpo_backend() -> Backend:
    from agent.hpo import ScriptedHPOFakeBackend

    return ScriptedHPOFakeBackend(seed=3, garbage_rate=0.0)


def oracle_key(oracle: Path) -> str:
    """The spec run_eval gives the workers (the oracle path made absolute)."""
    return f"oracle:{oracle.resolve()}"


def main() -> None:
    kind, run_dir, log_file, ready = sys.argv[1], *map(Path, sys.argv[2:5])
    hang_at = int(sys.argv[5])
    if kind == "solve":
        run_solve(
            run_dir, KillSwitchFake(ScriptedFakeBackend(reply, spec=SPEC), log_file, ready, hang_at)
        )
        return
    if kind == "chat":
        inner = ScriptedFakeBackend(lambda request, index: GOOD, spec=SPEC)
        run_chat(run_dir, KillSwitchFake(inner, log_file, ready, hang_at))
        return
    if kind == "hpo":
        run_hpo(run_dir, KillSwitchFake(hpo_backend(), log_file, ready, hang_at))
        return
    from agent.llm.backends._oracle import OracleFakeBackend
    from evals.runner import _work

    data, oracle = Path(sys.argv[6]), Path(sys.argv[7])
    inner = OracleFakeBackend.from_path(oracle.resolve())
    _work._BACKENDS[oracle_key(oracle)] = KillSwitchFake(inner, log_file, ready, hang_at)
    run_eval_items(run_dir, data, oracle)


if __name__ == "__main__":
    main()
