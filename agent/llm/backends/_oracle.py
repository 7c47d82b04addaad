"""A scripted fake that answers a formulation prompt with a formulation known in advance.

Evaluation harness tests and the oracle check need a backend that "formulates" a problem
exactly as a person did by hand (or as the synthetic generator did by construction), so that
everything after the model (checks, solving, voting, scoring, records) runs for real. It is a
fake: it never stands in for a model in a test of model behaviour.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from agent.data import read_text
from agent.errors import ConfigError, DataError
from agent.llm._backend import Backend
from agent.llm._types import Completion, Request, Usage

NO_MATCH_REPLY = "I have no formulation for this problem."
_SPACES = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def read_oracle_rows(path: str | Path) -> list[dict[str, Any]]:
    """Rows with ``question`` and ``formulation`` from a JSONL/JSON file or a folder of JSON files.

    Rows without a ``formulation`` are skipped (a synthetic file may mix in plain rows).

    Raises:
        ConfigError: the path does not exist.
        DataError: a file is not valid JSON, or no row carries a question and a formulation.
    """
    source = Path(path).expanduser()
    if not source.exists():
        raise ConfigError(f"oracle source {source} does not exist: give a JSONL file or a folder")
    files = sorted(source.glob("*.json")) if source.is_dir() else [source]
    rows: list[Any] = []
    for file in files:
        text = read_text(file)
        try:
            data = json.loads(text)
            rows.extend(data if isinstance(data, list) else [data])
        except json.JSONDecodeError:
            for number, line in enumerate(text.splitlines(), 1):
                if not line.strip():
                    continue
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise DataError(f"{file}:{number}: not valid JSON ({exc})") from None
    usable = [
        dict(r)
        for r in rows
        if isinstance(r, Mapping) and r.get("question") and r.get("formulation") is not None
    ]
    if not usable:
        raise DataError(
            f"{source}: no row has both 'question' and 'formulation'; an oracle source needs "
            "the problem text and its hand-written or generated formulation"
        )
    return usable


class OracleFakeBackend(Backend):
    """Answers with the formulation whose question appears in the prompt.

    The prompt of the formulation agent quotes the problem verbatim; this fake looks for each
    known question (whitespace-normalised) in the conversation's first user message and replies
    with that question's formulation as JSON. The longest match wins (a question that contains
    another). Without a match it replies with a sentence, which the agent records as a parse
    error. Correction rounds get the same formulation again.

    Fault injection: a row's optional ``delay_s`` makes the reply to that question that many
    seconds slow (per-item timeout tests of the eval runner). ``started_file`` names a file the
    fake writes (its process id) when it starts that reply, and ``hold_until`` a file it waits
    for before replying: a test then knows an item is in flight and can kill its worker there.

    Args:
        rows: dicts with ``question`` (text), ``formulation`` (a dict, or JSON text) and
            optionally ``delay_s``, ``started_file`` and ``hold_until``.
        spec: the spec string to report (``oracle:PATH``; part of cache keys).

    Example:
        >>> fake = OracleFakeBackend([{"question": "Max x, x <= 2.", "formulation": {"a": 1}}])
        >>> from agent.llm import LLM
        >>> LLM(fake).complete("Problem: Max x, x <= 2.")[0].text
        '{"a": 1}'
    """

    max_concurrency = 8

    def __init__(self, rows: Iterable[Mapping[str, Any]], *, spec: str = "oracle:memory") -> None:
        self.spec = spec
        self._answers: list[tuple[str, str, float]] = []
        self._faults: dict[str, tuple[str, str]] = {}
        for row in rows:
            question = _norm(str(row.get("question", "")))
            formulation = row.get("formulation")
            if not question or formulation is None:
                raise ConfigError("every oracle row needs a non-empty 'question' and 'formulation'")
            reply = formulation if isinstance(formulation, str) else json.dumps(formulation)
            self._answers.append((question, reply, float(row.get("delay_s") or 0.0)))
            if row.get("started_file") or row.get("hold_until"):
                started, hold = str(row.get("started_file") or ""), str(row.get("hold_until") or "")
                self._faults[question] = (started, hold)
        self._answers.sort(key=lambda qa: -len(qa[0]))
        self._lock = threading.Lock()
        self.unmatched = 0

    @classmethod
    def from_path(cls, path: str | Path) -> OracleFakeBackend:
        """Build from a JSONL/JSON file or a folder of JSON files (see ``read_oracle_rows``)."""
        return cls(read_oracle_rows(path), spec=f"oracle:{path}")

    def _answer(self, request: Request) -> str:
        users = [m.content for m in request.messages if m.role == "user"]
        prompt = _norm(users[0] if users else "")
        for question, reply, delay in self._answers:
            if question in prompt:
                if question in self._faults:
                    _started_then_hold(*self._faults[question])
                if delay > 0:
                    time.sleep(delay)
                return reply
        with self._lock:
            self.unmatched += 1
        return NO_MATCH_REPLY

    def generate(self, request: Request, sample_indices: Sequence[int]) -> list[Completion]:
        text = self._answer(request)
        words = sum(len(m.content.split()) for m in request.messages)
        return [
            Completion(text=text, usage=Usage(words, len(text.split())), sample_index=i)
            for i in sample_indices
        ]


def _started_then_hold(started_file: str, hold_until: str) -> None:
    """Say this reply started (the process id into ``started_file``), then wait for the file
    ``hold_until`` to exist. A test's fault injection, so it polls instead of timing out."""
    if started_file:
        Path(started_file).write_text(str(os.getpid()), encoding="utf-8")
    while hold_until and not Path(hold_until).exists():
        time.sleep(0.05)
