"""The live progress bar of an eval run: items done, accuracy so far, failures."""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)


class EvalProgress:
    """A rich progress bar over items on stderr; a no-op when disabled.

    Args:
        total: items in the run.
        done: items already finished (a resumed run).
        enabled: ``False`` draws nothing.
    """

    def __init__(self, total: int, *, done: int = 0, enabled: bool = True) -> None:
        self.total, self.done, self.enabled = total, done, enabled
        self.correct = 0
        self.failures = 0
        self.seen = 0
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> EvalProgress:
        if self.enabled:
            self._progress = Progress(
                TextColumn("eval"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[acc]}"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
            )
            self._progress.start()
            self._task = self._progress.add_task(
                "eval", total=self.total, completed=self.done, acc=self._acc()
            )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def _acc(self) -> str:
        if not self.seen:
            return "accuracy -"
        return f"accuracy {self.correct / self.seen:.1%}  failures {self.failures}"

    def advance(self, record: Mapping[str, Any], *, count: bool = True) -> None:
        """Account one finished item (``count=False`` for items of an earlier part)."""
        self.seen += 1
        self.correct += bool(record.get("correct"))
        self.failures += record.get("failure") is not None
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, advance=1 if count else 0, acc=self._acc())
