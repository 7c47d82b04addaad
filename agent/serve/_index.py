"""The runs a server shows: folders given on the command line, rescanned for new runs."""

from __future__ import annotations

import threading
from pathlib import Path

from agent.core import RunReader, find_runs


class RunIndex:
    """Maps short run ids (folder names, made unique) to ``RunReader``s.

    Readers are kept between requests, so a page reads only what a run appended since the
    last one. ``rescan`` picks up runs that appeared in the folders since.

    Args:
        paths: run folders, or folders holding run folders.
    """

    def __init__(self, paths: list[Path]) -> None:
        self.paths = [Path(p) for p in paths]
        self._lock = threading.Lock()
        self._readers: dict[Path, RunReader] = {}
        self._ids: dict[str, Path] = {}
        self.rescan()

    def rescan(self) -> None:
        with self._lock:
            ids: dict[str, Path] = {}
            for path in find_runs(self.paths):
                key = path.resolve() if path.exists() else path.absolute()
                if key not in self._readers:
                    self._readers[key] = RunReader(path)
                known = [i for i, p in self._ids.items() if p == key]
                run_id = known[0] if known else path.name or "run"
                base, n = run_id, 2
                while run_id in ids:
                    run_id, n = f"{base}-{n}", n + 1
                ids[run_id] = key
            self._ids = ids

    def ids(self) -> list[str]:
        return list(self._ids)

    def get(self, run_id: str) -> RunReader | None:
        """The reader for ``run_id``, refreshed; ``None`` when there is no such run."""
        key = self._ids.get(run_id)
        if key is None:
            return None
        with self._lock:
            return self._readers[key].refresh()

    def all(self) -> list[tuple[str, RunReader]]:
        self.rescan()
        return [(run_id, r) for run_id in self.ids() if (r := self.get(run_id)) is not None]
