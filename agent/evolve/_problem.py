"""What is evolved and how it is scored: a ``Problem``, from a built-in or a user file.

A problem file (``optagent evolve --problem FILE.py``) defines:

- ``FUNCTION``: the name of the evolved function, e.g. ``"heuristic"``;
- ``SIGNATURE``: its signature as text, shown to the model;
- ``DESCRIPTION``: the task in words, shown to the model;
- ``SEED``: the starting program (source text defining ``FUNCTION``);
- ``INSTANCES`` (a JSON-safe list) or ``instances(seed) -> list``;
- ``run(function, instance)``: calls the function on one instance and returns a JSON-safe
  output. Its source is sent to the sandbox and runs there beside the candidate, so it must be
  self-contained (imports inside it); raise ``TypeError``/``ValueError`` there for an output
  of the wrong type;
- ``score(instance, output) -> float``: runs here on the JSON output; raise ``ValueError`` for
  an invalid output. The problem's score is the mean over the instances;
- optional ``DIRECTION`` (``"minimize"``, the default, or ``"maximize"``), ``BASELINES``
  (``{name: program source}``, scored like candidates) and ``baseline_scores(instances) ->
  {name: score}`` (baselines computed here).

The file is imported in this process (it is the user's code, not the model's); the model's
programs only ever run in the sandbox.
"""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from agent.core import Direction
from agent.core._user_file import import_user_file
from agent.errors import ConfigError, DataError


@dataclass(frozen=True)
class Problem:
    """One program-evolution problem.

    Attributes:
        name: short name (config.json, run names).
        function: name of the evolved function.
        signature: its signature, shown to the model.
        description: the task in words, shown to the model.
        seed_program: the starting program.
        instances: JSON-safe instances handed to ``run`` in the sandbox.
        runner: source of ``run(function, instance)``, executed only in the sandbox.
        score: ``score(instance, output) -> float`` (here); raises ``ValueError`` for a bad
            output.
        direction: ``minimize`` or ``maximize``.
        baselines: ``{name: program}`` scored by the same harness as candidates.
        reference_scores: ``{name: score}`` of baselines computed here.
        source: where it came from (``builtin:NAME`` or the file path), for config.json.
    """

    name: str
    function: str
    signature: str
    description: str
    seed_program: str
    instances: list[Any]
    runner: str
    score: Callable[[Any, Any], float]
    direction: Direction = "minimize"
    baselines: Mapping[str, str] = field(default_factory=dict)
    reference_scores: Mapping[str, float] = field(default_factory=dict)
    source: str = ""

    def describe(self) -> dict[str, Any]:
        """JSON-safe identity for config.json."""
        return {
            "name": self.name,
            "source": self.source,
            "function": self.function,
            "direction": self.direction,
            "instances": len(self.instances),
        }


BUILTINS = ("binpack-weibull", "binpack-or", "tsp")


def builtin_problem(name: str, *, seed: int = 0) -> Problem:
    """A built-in problem: ``binpack-weibull``, ``binpack-or`` (online bin packing) or ``tsp``.

    Raises:
        ConfigError: an unknown name.
    """
    from agent.evolve.problems import binpack, tsp

    if name in ("binpack-weibull", "binpack-or"):
        family = name.split("-", 1)[1]
        return _from_module(
            binpack, name, binpack.instances(seed, family), source=f"builtin:{name}"
        )
    if name == "tsp":
        return _from_module(tsp, name, tsp.instances(seed), source="builtin:tsp")
    raise ConfigError(
        f"unknown problem {name!r}; built-in problems: {', '.join(BUILTINS)} "
        "(or pass --problem FILE.py)"
    )


def load_problem_file(path: str | Path, *, seed: int = 0) -> Problem:
    """Import a problem file (see the module docstring for what it defines).

    Raises:
        ConfigError: the file is missing or lacks a field, or a field has the wrong type
            (the message names the file and the field).
        DataError: importing the file, or its ``instances(seed)``, raised.
    """
    path = Path(path).expanduser()
    module = import_user_file(
        path,
        what="problem file",
        hint="pass a Python file (see --help)",
        prefix="optagent_evolve_problem",
    )
    if hasattr(module, "INSTANCES"):
        found = module.INSTANCES
    elif callable(getattr(module, "instances", None)):
        try:
            found = module.instances(seed)
        except Exception as exc:
            raise DataError(
                f"{path}: instances({seed}) raised {type(exc).__name__}: {exc}"
            ) from exc
    else:
        raise ConfigError(f"{path}: define INSTANCES (a list) or instances(seed) -> list")
    return _from_module(module, path.stem, found, source=str(path))


def _from_module(module: ModuleType, name: str, instances: Any, *, source: str) -> Problem:
    where = source

    def need(field_name: str, kind: type) -> Any:
        value = getattr(module, field_name, None)
        if value is None:
            raise ConfigError(f"{where}: missing {field_name} (see optagent evolve --help)")
        if not isinstance(value, kind):
            raise ConfigError(
                f"{where}: {field_name} must be a {kind.__name__}, got {type(value).__name__}"
            )
        return value

    function = need("FUNCTION", str)
    if not function.isidentifier():
        raise ConfigError(f"{where}: FUNCTION must be a Python name, got {function!r}")
    run = getattr(module, "run", None)
    score = getattr(module, "score", None)
    for label, value in (("run(function, instance)", run), ("score(instance, output)", score)):
        if not callable(value):
            raise ConfigError(f"{where}: define {label}")
    if not isinstance(instances, list) or not instances:
        raise ConfigError(f"{where}: INSTANCES must be a non-empty list, got {instances!r:.80}")
    direction = getattr(module, "DIRECTION", "minimize")
    if direction not in ("minimize", "maximize"):
        raise ConfigError(f"{where}: DIRECTION must be 'minimize' or 'maximize', got {direction!r}")
    baselines = getattr(module, "BASELINES", {}) or {}
    if not isinstance(baselines, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in baselines.items()
    ):
        raise ConfigError(f"{where}: BASELINES must map names to program source strings")
    reference: dict[str, float] = {}
    if callable(getattr(module, "baseline_scores", None)):
        reference = {str(k): float(v) for k, v in module.baseline_scores(instances).items()}
    try:
        runner = textwrap.dedent(inspect.getsource(run))  # type: ignore[arg-type]  # checked callable above
    except (OSError, TypeError) as exc:
        raise ConfigError(f"{where}: the source of run() cannot be read ({exc})") from exc
    return Problem(
        name=str(getattr(module, "NAME", name)),
        function=function,
        signature=need("SIGNATURE", str),
        description=need("DESCRIPTION", str).strip(),
        seed_program=need("SEED", str),
        instances=instances,
        runner=runner,
        score=score,  # type: ignore[arg-type]  # checked callable above
        direction=direction,
        baselines=dict(baselines),
        reference_scores=reference,
        source=source,
    )
