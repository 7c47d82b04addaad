"""Persistent response cache: one SQLite row per (model, request, sample index).

Keying each sample separately keeps n samples at temperature > 0 distinct, while a rerun of
the same work is answered entirely from disk. SQLite in WAL mode with a busy timeout makes it
safe across threads (one connection per thread) and processes. Rows hold the model spec, the
request hash and the completion text: never credentials.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import tenacity

from agent.llm._types import Completion, Request

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    payload TEXT NOT NULL,
    created REAL NOT NULL
)
"""


class ResponseCache:
    """A response cache in one SQLite file.

    Args:
        path: the database file; parent folders are created.

    Example:
        >>> cache = ResponseCache("/tmp/optagent-doc-cache.sqlite")
        >>> cache.path.name
        'optagent-doc-cache.sqlite'
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._connect() as conn:
            conn.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=60.0, isolation_level=None)
            _use_wal(conn)
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    def get_many(
        self, model: str, request: Request, sample_indices: Sequence[int]
    ) -> dict[int, Completion]:
        """Cached completions for those sample indices (missing ones are absent)."""
        keys = {request.cache_key(model, i): i for i in sample_indices}
        if not keys:
            return {}
        marks = ",".join("?" * len(keys))
        rows = (
            self._connect()
            .execute(f"SELECT key, payload FROM responses WHERE key IN ({marks})", list(keys))
            .fetchall()
        )
        return {
            keys[key]: Completion.from_json(json.loads(payload), sample_index=keys[key])
            for key, payload in rows
        }

    def put_many(self, model: str, request: Request, completions: Sequence[Completion]) -> None:
        """Store completions, each under its own sample index."""
        now = time.time()
        rows = [
            (
                request.cache_key(model, c.sample_index),
                model,
                json.dumps(c.to_json(), ensure_ascii=False),
                now,
            )
            for c in completions
        ]
        conn = self._connect()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany("INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?)", rows)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def __len__(self) -> int:
        return int(self._connect().execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def clear(self) -> None:
        self._connect().execute("DELETE FROM responses")


@tenacity.retry(
    retry=tenacity.retry_if_exception_type(sqlite3.OperationalError),
    wait=tenacity.wait_random_exponential(multiplier=0.05, max=1.0),
    stop=tenacity.stop_after_delay(60),
    reraise=True,
)
def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch the file to WAL once. The switch needs the file to itself and SQLite does not wait
    for it (no busy handler), so processes opening a new cache together retry it."""
    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        conn.execute("PRAGMA journal_mode=WAL")
