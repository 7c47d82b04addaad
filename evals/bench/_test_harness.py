"""The test suite's harness files and fakes, loaded by path for the benchmarks.

The kill benchmark kills the same child scripts the resume tests kill, and the LLAMBO
benchmark's served smoke run uses the tests' fake OpenAI-compatible server, so each fake and
harness exists once. ``tests/`` is not an installed package (a checkout has it, an install
does not), so the benchmarks load its files by path here instead of importing ``tests``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

TESTS = Path(__file__).resolve().parents[2] / "tests"


def harness(name: str) -> ModuleType:
    """The module ``tests/NAME.py`` (loaded once), e.g. ``harness("_resume_child")`` or
    ``harness("fakes/openai_server")``."""
    key = f"_optagent_test_harness.{name.replace('/', '.')}"
    if key in sys.modules:
        return sys.modules[key]
    path = TESTS / f"{name}.py"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: this benchmark needs a checkout with tests/")
    spec = importlib.util.spec_from_file_location(key, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[key] = module
    spec.loader.exec_module(module)
    return module
