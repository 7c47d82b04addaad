"""The live progress line of a run: step, best score, trials, calls, tokens, cost."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from agent.llm import UsageMeter


def _fmt(score: float | None) -> str:
    if score is None:
        return "-"
    return f"{score:.6g}"


class LoopProgress:
    """A rich progress bar over steps; a no-op when disabled.

    Args:
        total_steps: steps the run will take at most.
        usage: the run's usage meter, read on each refresh.
        enabled: ``False`` shows nothing (tests, library use).
        console: where to draw; stderr by default.
    """

    def __init__(
        self,
        total_steps: int,
        *,
        usage: UsageMeter | None,
        enabled: bool = True,
        console: Console | None = None,
    ) -> None:
        self.usage = usage
        self.enabled = enabled
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._total = total_steps
        if enabled:
            self._progress = _bar("{task.fields[info]}", console)

    def __enter__(self) -> LoopProgress:
        if self._progress is not None:
            self._progress.start()
            self._task = self._progress.add_task("step 0", total=self._total, info="")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def update(self, *, step: int, steps_done: int, best: float | None, trials: int) -> None:
        """Refresh the line."""
        if self._progress is None or self._task is None:
            return
        info = f"best {_fmt(best)} | trials {trials}"
        if self.usage is not None:
            u = self.usage.snapshot()
            info += f" | calls {u.calls} | tokens {u.total_tokens} | ${u.cost_usd:.4f}"
        self._progress.update(
            self._task, description=f"step {step}", completed=steps_done, info=info
        )


class PhaseProgress:
    """A rich progress bar over the units of one phase after the loop (e.g. test scoring).

    The loop's bar stops when the search ends; without this one a long phase after it looks
    frozen. A no-op when disabled.

    Args:
        total: units the phase will do (e.g. examples to answer).
        description: the bar's label.
        usage: the phase's usage meter, read on each advance.
        enabled: ``False`` shows nothing (tests, library use).
        console: where to draw; stderr by default.
    """

    def __init__(
        self,
        total: int,
        *,
        description: str = "test split",
        usage: UsageMeter | None = None,
        enabled: bool = True,
        console: Console | None = None,
    ) -> None:
        self.usage = usage
        self.total = total
        self.done = 0
        self._description = description
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        if enabled:
            self._progress = _bar("{task.completed}/{task.total} {task.fields[info]}", console)

    def __enter__(self) -> PhaseProgress:
        if self._progress is not None:
            self._progress.start()
            self._task = self._progress.add_task(self._description, total=self.total, info="")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def advance(self, units: int = 1) -> None:
        """Count ``units`` more as done and refresh the line."""
        self.done += units
        if self._progress is None or self._task is None:
            return
        info = ""
        if self.usage is not None:
            u = self.usage.snapshot()
            info = f"| calls {u.calls} | tokens {u.total_tokens}"
        self._progress.update(self._task, completed=self.done, info=info)


def _bar(info: str, console: Console | None) -> Progress:
    """A label, a bar, the ``info`` column and the elapsed time, drawn on stderr by default."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn(info),
        TimeElapsedColumn(),
        console=console or Console(stderr=True),
        transient=False,
    )
