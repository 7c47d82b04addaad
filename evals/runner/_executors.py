"""Where items run: threads (API-bound work), worker processes (solver-bound work) or Ray tasks.

Every executor has the same small surface, driven by the runner from one thread:
``start(job)``, ``wait(timeout)`` for finished jobs, ``cancel(job_id)`` for a job past its
time, ``close()``. Hard stops: a process or Ray worker running a cancelled job is killed; a
thread cannot be killed, so a timed-out thread item is abandoned (recorded as timed out, its
late result dropped) and keeps a core busy until it ends by itself.
"""

from __future__ import annotations

import abc
import contextlib
import multiprocessing
import multiprocessing.connection
import os
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.errors import ConfigError, MissingExtraError
from agent.llm import UsageMeter
from evals.runner._work import Job, run_job

EXECUTORS = ("thread", "process", "ray")
Outcome = dict[str, Any] | BaseException
_ROOT = Path(__file__).resolve().parents[2]


class Executor(abc.ABC):
    """Runs jobs concurrently; ``wait`` hands back ``(job_id, result or exception)`` pairs."""

    name: str = ""
    hard_timeouts: bool = True

    def __init__(self, *, workers: int) -> None:
        if workers < 1:
            raise ConfigError(f"workers must be at least 1, got {workers}")
        self.workers = workers

    @abc.abstractmethod
    def start(self, job: Job) -> None:
        """Begin one job (the runner never starts more than ``workers`` at once)."""

    @abc.abstractmethod
    def wait(self, timeout: float) -> list[tuple[str, Outcome]]:
        """Finished jobs, waiting up to ``timeout`` seconds for the first one."""

    @abc.abstractmethod
    def cancel(self, job_id: str) -> None:
        """Stop a running job for good; its result never comes back."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release workers."""


class ThreadExecutor(Executor):
    """One daemon thread per running job; items share the run's usage meter and budget."""

    name = "thread"
    hard_timeouts = False

    def __init__(self, *, workers: int, usage: UsageMeter | None = None) -> None:
        super().__init__(workers=workers)
        self.usage = usage
        self._done: queue.Queue[tuple[str, Outcome]] = queue.Queue()
        self._abandoned: set[str] = set()
        self._lock = threading.Lock()

    def start(self, job: Job) -> None:
        def target() -> None:
            try:
                outcome: Outcome = run_job(job, shared=self.usage)
            except BaseException as exc:
                outcome = exc
            self._done.put((job.id, outcome))

        threading.Thread(target=target, name=f"eval-{job.id}", daemon=True).start()

    def wait(self, timeout: float) -> list[tuple[str, Outcome]]:
        out: list[tuple[str, Outcome]] = []
        try:
            out.append(self._done.get(timeout=max(timeout, 0.0)))
            while True:
                out.append(self._done.get_nowait())
        except queue.Empty:
            pass
        with self._lock:
            return [(job_id, o) for job_id, o in out if job_id not in self._abandoned]

    def cancel(self, job_id: str) -> None:
        with self._lock:
            self._abandoned.add(job_id)


def _worker_main(conn: multiprocessing.connection.Connection, llama_threads: int) -> None:
    """A worker process: import once, say ready, then run jobs until told to stop.

    ``llama_threads`` is this worker's share of the cores for an embedded model, unless the
    user set ``OPTAGENT_LLAMA_THREADS``: llama.cpp threads spin at barriers, so workers that
    each took every core would slow one another down (measured 0.30x with 2 workers).
    """
    os.environ.setdefault("OPTAGENT_LLAMA_THREADS", str(llama_threads))
    import evals.scoring  # noqa: F401 - pay the imports before the first item's clock starts

    conn.send(("ready", None))
    while True:
        try:
            job = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if job is None:
            return
        try:
            outcome: Outcome = run_job(job)
        except Exception as exc:
            outcome = RuntimeError(f"{type(exc).__name__}: {exc}")
        conn.send((job.id, outcome))


@dataclass
class _Worker:
    process: Any
    conn: multiprocessing.connection.Connection
    job_id: str | None = None


class ProcessExecutor(Executor):
    """A pool of worker processes, each building its own model from the spec string.

    Workers start (and import the agent) before the first item, so an item's time is its own.
    A job past its time, or a worker that dies, costs that worker: it is killed and replaced.

    Args:
        workers: processes.
        start_method: ``forkserver`` (default where available: workers fork from a server that
            imported the agent once) or ``spawn``.
    """

    name = "process"

    def __init__(self, *, workers: int, start_method: str | None = None) -> None:
        super().__init__(workers=workers)
        methods = multiprocessing.get_all_start_methods()
        method = start_method or ("forkserver" if "forkserver" in methods else "spawn")
        # Any: typeshed's get_context(str) returns BaseContext, which declares no Process;
        # every concrete context (fork, forkserver, spawn) has one.
        self._ctx: Any = multiprocessing.get_context(method)
        if method == "forkserver":
            self._ctx.set_forkserver_preload(["evals.runner._work", "agent.formulate"])
        self._llama_threads = max(1, len(os.sched_getaffinity(0)) // workers)
        self._idle: list[_Worker] = []
        self._busy: dict[str, _Worker] = {}
        starting = [self._spawn() for _ in range(workers)]
        for worker in starting:
            self._ready(worker)
            self._idle.append(worker)

    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(
            target=_worker_main, args=(child, self._llama_threads), daemon=True
        )
        process.start()
        child.close()
        return _Worker(process, parent)

    def _ready(self, worker: _Worker) -> None:
        try:
            message = worker.conn.recv()
        except EOFError:
            raise ConfigError(
                f"an eval worker process exited at start (exit code {worker.process.exitcode}); "
                "run with --executor thread to see the error"
            ) from None
        assert message[0] == "ready"

    def start(self, job: Job) -> None:
        if not self._idle:
            worker = self._spawn()
            self._ready(worker)
        else:
            worker = self._idle.pop()
        worker.job_id = job.id
        self._busy[job.id] = worker
        worker.conn.send(job)

    def wait(self, timeout: float) -> list[tuple[str, Outcome]]:
        if not self._busy:
            time.sleep(max(timeout, 0.0))
            return []
        by_conn = {id(w.conn): w for w in self._busy.values()}
        ready = multiprocessing.connection.wait(
            [w.conn for w in self._busy.values()], timeout=max(timeout, 0.0)
        )
        out: list[tuple[str, Outcome]] = []
        for conn in ready:
            worker = by_conn[id(conn)]
            job_id = worker.job_id
            assert job_id is not None
            try:
                _, outcome = worker.conn.recv()
            except (EOFError, OSError):
                worker.process.join(timeout=1)
                worker.conn.close()
                outcome = RuntimeError(
                    f"the worker process died (exit code {worker.process.exitcode})"
                )
                del self._busy[job_id]
                out.append((job_id, outcome))
                continue
            del self._busy[job_id]
            worker.job_id = None
            self._idle.append(worker)
            out.append((job_id, outcome))
        return out

    def cancel(self, job_id: str) -> None:
        worker = self._busy.pop(job_id, None)
        if worker is None:
            return
        worker.process.kill()
        worker.process.join(timeout=5)
        worker.conn.close()

    def close(self) -> None:
        for worker in self._idle:
            with contextlib.suppress(OSError):
                worker.conn.send(None)
        for worker in [*self._idle, *self._busy.values()]:
            worker.process.join(timeout=2)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(timeout=2)
            worker.conn.close()
        self._idle, self._busy = [], {}


class RayExecutor(Executor):
    """Items as Ray tasks on a cluster (``address``) or a local instance started here.

    Ray has no per-task timeout: the runner waits with ``ray.wait(timeout=...)`` and ends a
    task past its time with ``ray.cancel(force=True)``, which kills the worker running it.

    Args:
        workers: tasks in flight at once (and the CPUs of a local instance).
        address: a cluster address (``ray://host:10001`` or ``auto``); ``None`` starts a local
            instance with ``workers`` CPUs and a small object store, shut down on ``close``.
        object_store_mb: object store size of a local instance.

    Raises:
        MissingExtraError: ray is not installed.
    """

    name = "ray"

    def __init__(
        self, *, workers: int, address: str | None = None, object_store_mb: int = 100
    ) -> None:
        super().__init__(workers=workers)
        try:
            import ray
        except ImportError:
            raise MissingExtraError("ray", "ray") from None
        self._ray = ray
        self._owns = False
        if not ray.is_initialized():
            start_ray(address=address, cpus=workers, object_store_mb=object_store_mb)
            self._owns = True
        self._task = ray.remote(num_cpus=1, max_retries=0)(run_job)
        self._refs: dict[Any, str] = {}

    def start(self, job: Job) -> None:
        self._refs[self._task.remote(job)] = job.id

    def wait(self, timeout: float) -> list[tuple[str, Outcome]]:
        if not self._refs:
            time.sleep(max(timeout, 0.0))
            return []
        ray = self._ray
        ready, _ = ray.wait(list(self._refs), num_returns=1, timeout=max(timeout, 0.0))
        if ready:
            more, _ = ray.wait(list(self._refs), num_returns=len(self._refs), timeout=0)
            ready = list(dict.fromkeys([*ready, *more]))
        out: list[tuple[str, Outcome]] = []
        for ref in ready:
            job_id = self._refs.pop(ref)
            try:
                out.append((job_id, ray.get(ref)))
            except Exception as exc:
                out.append((job_id, exc))
        return out

    def cancel(self, job_id: str) -> None:
        for ref, rid in list(self._refs.items()):
            if rid == job_id:
                del self._refs[ref]
                with contextlib.suppress(Exception):  # finished or gone: nothing to stop
                    self._ray.cancel(ref, force=True)

    def close(self) -> None:
        for job_id in list(self._refs.values()):
            self.cancel(job_id)
        if self._owns:
            self._ray.shutdown()


def start_ray(*, address: str | None = None, cpus: int = 2, object_store_mb: int = 100) -> None:
    """Connect to a Ray cluster, or start a small local instance that can import this code.

    Raises:
        MissingExtraError: ray is not installed.
    """
    try:
        import ray
    except ImportError:
        raise MissingExtraError("ray", "ray") from None
    options: dict[str, Any] = {
        "include_dashboard": False,
        "log_to_driver": False,
        "configure_logging": False,
    }
    if address:
        ray.init(address=address, **options)
        return
    path = os.environ.get("PYTHONPATH", "")
    pythonpath = os.pathsep.join(p for p in (str(_ROOT), path) if p)
    ray.init(
        num_cpus=cpus,
        object_store_memory=object_store_mb * 1024 * 1024,
        runtime_env={"env_vars": {"PYTHONPATH": pythonpath}},
        **options,
    )


def make_executor(
    name: str,
    *,
    workers: int,
    usage: UsageMeter | None = None,
    ray_address: str | None = None,
) -> Executor:
    """Build the executor named ``thread``, ``process`` or ``ray``.

    Raises:
        ConfigError: an unknown name or a bad worker count.
        MissingExtraError: ``ray`` without ray installed.
    """
    if name == "thread":
        return ThreadExecutor(workers=workers, usage=usage)
    if name == "process":
        return ProcessExecutor(workers=workers)
    if name == "ray":
        return RayExecutor(workers=workers, address=ray_address)
    raise ConfigError(f"unknown executor {name!r}: use one of {', '.join(EXECUTORS)}")
