"""A dataset's fingerprint: the same content gives the same value, whatever its path."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from evals.datasets._item import EvalItem


def file_fingerprint(path: str | Path) -> str:
    """``sha256:`` of a data file's bytes, or of a folder's files (relative path and bytes,
    in sorted order), so runs over the same benchmark copied elsewhere still match.

    Raises:
        FileNotFoundError: the path does not exist.
    """
    path = Path(path)
    digest = hashlib.sha256()
    if path.is_dir():
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            digest.update(file.relative_to(path).as_posix().encode() + b"\0")
            digest.update(file.read_bytes())
    else:
        digest.update(path.read_bytes())
    return "sha256:" + digest.hexdigest()[:32]


def items_fingerprint(items: Sequence[EvalItem]) -> str:
    """``sha256:`` of the items' ids, questions and labels (for items not read from a file)."""
    digest = hashlib.sha256()
    for item in items:
        row = [item.id, item.question, item.gold.to_dict()]
        digest.update(json.dumps(row, sort_keys=True, default=str).encode() + b"\n")
    return "sha256:" + digest.hexdigest()[:32]
