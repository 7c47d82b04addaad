"""Child process of the batch SIGKILL test: one ``LLM.batch`` of N prompts on a logging fake.

Usage: python tests/_batch_child.py CACHE_FILE LOG_FILE READY_FILE N HANG_AT

The fake (``_resume_child.LoggingFakeBackend``) logs the cache key of every sample it answers to
LOG_FILE. Request HANG_AT (1-based) creates READY_FILE and hangs instead of answering, so the
parent can SIGKILL the process mid-batch with HANG_AT - 1 requests finished.
"""

from __future__ import annotations

import itertools
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from agent.llm import LLM, Completion, Request, ResponseCache
from tests._resume_child import LoggingFakeBackend


def batch_requests(n: int) -> list[Request]:
    """The batch both the killed and the resumed run send."""
    return [LLM.request(f"Question {i}: what is {i} + {i}?") for i in range(n)]


class HangingFakeBackend(LoggingFakeBackend):
    """The logging fake, hanging on its HANG_AT-th request (the kill point)."""

    def __init__(self, log_file: Path, ready: Path, hang_at: int) -> None:
        super().__init__(log_file)
        self.ready, self.hang_at = ready, hang_at
        self.calls = itertools.count(1)

    def generate(self, request: Request, sample_indices: Sequence[int]) -> list[Completion]:
        if next(self.calls) == self.hang_at:
            self.ready.write_text("ready")
            time.sleep(600)
        return super().generate(request, sample_indices)


if __name__ == "__main__":
    cache, log_file, ready, n, hang_at = sys.argv[1:6]
    backend = HangingFakeBackend(Path(log_file), Path(ready), int(hang_at))
    LLM(backend, cache=ResponseCache(cache)).batch(batch_requests(int(n)))
