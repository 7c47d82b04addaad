"""Locate the shared datasets folder (kept outside the repository) for tests that need it.

Looks at ``$OPTAGENT_SHARED_DATA`` first, then ``shared/datasets`` beside the repository (or
beside one of its parent folders, for git worktrees). When absent the test is skipped, except
under ``OPTAGENT_REQUIRE_DATA=1`` (CI), where it fails so a silent skip cannot hide a problem.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def shared_root() -> Path | None:
    """The shared datasets folder (``$OPTAGENT_SHARED_DATA`` as given), or None when not found."""
    configured = os.environ.get("OPTAGENT_SHARED_DATA")
    if configured:
        return Path(configured)
    for parent in REPO.parents:
        candidate = parent / "shared" / "datasets"
        if candidate.is_dir():
            return candidate
    return None


def shared_data(*parts: str) -> Path:
    """The path ``parts`` under the shared datasets folder; skip (or fail under
    ``OPTAGENT_REQUIRE_DATA=1``) when it is not there."""
    root = shared_root()
    path = root.joinpath(*parts) if root is not None else None
    if path is not None and path.exists():
        return path
    where = str(path) if path is not None else "../shared/datasets (or $OPTAGENT_SHARED_DATA)"
    message = f"shared dataset not found: {where}"
    if os.environ.get("OPTAGENT_REQUIRE_DATA") == "1":
        pytest.fail(message + " (OPTAGENT_REQUIRE_DATA=1 requires it)")
    pytest.skip(message)
