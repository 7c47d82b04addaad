"""Import a user's Python file (an objective, a problem) as a module, with errors naming it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from agent.errors import ConfigError, DataError


def import_user_file(path: Path, *, what: str, hint: str, prefix: str) -> ModuleType:
    """The module a user's ``.py`` file defines (``what`` it is and a ``hint`` name it in
    the error when the file is missing).

    Raises:
        ConfigError: no file at ``path``, or it cannot be imported as Python.
        DataError: importing it raised (the message carries the error).
    """
    if not path.is_file():
        raise ConfigError(f"no {what} at {path}; {hint}")
    name = f"{prefix}_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ConfigError(f"{path} cannot be imported as Python; give it a .py name")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise DataError(f"importing {path} failed: {type(exc).__name__}: {exc}") from exc
    return module
