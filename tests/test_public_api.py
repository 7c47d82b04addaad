"""The public ``optagent`` API: every name documented with an example that runs, a prompt
optimizer that leaves the caller's LLM alone, JSON save/load, and mypy clean on the API."""

from __future__ import annotations

import dataclasses
import doctest
import importlib.util
import inspect
import pydoc
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import optagent
from optagent import (
    LLM,
    Budget,
    Example,
    PromptOptimizer,
    PromptResult,
    PromptSettings,
    PromptTask,
    ScriptedFakeBackend,
    optimize_prompt,
)

ROOT = Path(__file__).resolve().parents[1]
# The public names: what the facade binds (each imported `as` itself), minus private modules.
PUBLIC = sorted(
    name
    for name, value in vars(optagent).items()
    if not name.startswith("_") and not inspect.ismodule(value)
)


def _run_doctests(obj: object, name: str, *, recurse: bool) -> doctest.TestResults:
    finder = doctest.DocTestFinder(recurse=recurse)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = [t for t in finder.find(obj, name) if t.examples]
    assert tests, f"{name} has no runnable example in its docstring"
    for test in tests:
        runner.run(test)
    return runner.summarize(verbose=False)


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_name_has_an_example_that_runs(name: str) -> None:
    obj = getattr(optagent, name)
    assert obj.__doc__ and obj.__doc__.strip(), f"optagent.{name} has no docstring"
    results = _run_doctests(obj, f"optagent.{name}", recurse=False)
    assert results.failed == 0, f"the example of optagent.{name} failed (output above)"


def test_the_package_docstring_example_runs() -> None:
    results = _run_doctests(optagent, "optagent", recurse=False)
    assert results.failed == 0


def test_help_shows_a_short_documented_api() -> None:
    """help(optagent) is the package docstring's page (every public name, one line each), not
    every method of every class: under 80 lines."""
    text = pydoc.render_doc(optagent, renderer=pydoc.plaintext)
    for name in PUBLIC:
        assert re.search(rf"\b{name}\b", text), f"help(optagent) does not mention {name}"
    assert len(text.splitlines()) < 80, f"help(optagent) is {len(text.splitlines())} lines"
    assert len(optagent.__doc__ or "") < 3000  # a page, not a manual


def test_star_import_gives_the_public_names() -> None:
    namespace: dict[str, Any] = {}
    exec("from optagent import *", namespace)
    assert sorted(k for k in namespace if not k.startswith("_")) == PUBLIC
    assert len(PUBLIC) >= 30, PUBLIC


# -- prompt optimization -------------------------------------------------------------------

TASK = PromptTask(name="echo", input_fields=("text",), instruction="Repeat.")
DATA = [Example({"text": w}, w) for w in ("a", "b", "c", "d", "e", "f")]


def _echo_last_line(request: Any, index: int) -> str:
    return str(request.messages[-1].content).splitlines()[-1]


def test_the_callers_llm_is_never_changed_by_a_budgeted_search() -> None:
    budget = Budget(max_calls=1000)
    llm = LLM(ScriptedFakeBackend(_echo_last_line))
    llm.usage.budget = budget
    meter, backend, cache = llm.usage, llm.backend, llm.cache
    settings = PromptSettings(steps=1, budget=Budget(max_calls=7), racing=False)

    result = optimize_prompt(TASK, trainset=DATA, valset=DATA, model=llm, settings=settings)

    assert result.status == "stopped" and "calls" in result.reason  # the settings' budget
    assert llm.usage is meter and llm.backend is backend and llm.cache is cache
    assert llm.usage.budget is budget and llm.usage.budget == Budget(max_calls=1000)
    assert llm.usage.snapshot().calls == 0  # the search metered its own copy


def test_without_a_settings_budget_the_llms_own_budget_applies() -> None:
    llm = LLM(ScriptedFakeBackend(_echo_last_line))
    llm.usage.budget = Budget(max_calls=3)
    result = PromptOptimizer(model=llm, settings=PromptSettings(steps=1, racing=False)).compile(
        TASK, trainset=DATA, valset=DATA
    )
    assert result.status == "stopped"
    assert llm.usage.budget == Budget(max_calls=3)


def test_compiled_result_saves_and_loads_as_json(tmp_path: Path) -> None:
    llm = LLM(ScriptedFakeBackend(_echo_last_line))
    result = PromptOptimizer(model=llm, settings=PromptSettings(steps=1)).compile(
        TASK, trainset=DATA, valset=DATA[:4], testset=DATA[4:], run_dir=tmp_path / "run"
    )
    path = result.save(tmp_path / "prompt.json")
    loaded = PromptResult.load(path)
    assert loaded.to_dict() == result.to_dict()
    assert loaded.format("x")[-1].content == result.format("x")[-1].content
    assert (tmp_path / "run" / "result.json").is_file()


def test_prompt_settings_are_frozen_and_validated() -> None:
    settings = PromptSettings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.steps = 3  # type: ignore[misc]  # the point: assigning must fail
    for bad in ({"steps": -1}, {"candidates_per_step": 0}, {"min_batch": 0}, {"bootstrap": -1}):
        with pytest.raises(optagent.OptagentError):
            PromptSettings(**bad)


def test_the_same_llm_as_optimizer_model_is_metered_by_the_search() -> None:
    llm = LLM(ScriptedFakeBackend(_echo_last_line))
    optimizer = PromptOptimizer(
        model=llm,
        optimizer_model=llm,
        settings=PromptSettings(method="opro", steps=2, budget=Budget(max_calls=40)),
    )
    result = optimizer.compile(TASK, trainset=DATA, valset=DATA)
    assert result.usage["calls"] <= 40 and llm.usage.snapshot().calls == 0


# -- types -----------------------------------------------------------------------------------


@pytest.mark.skipif(
    importlib.util.find_spec("mypy") is None,
    reason="mypy is not installed (it is in the dev extra: pip install -e '.[dev]')",
)
def test_mypy_is_clean_on_the_public_api() -> None:
    """``python -m mypy`` reads [tool.mypy] in pyproject.toml: optagent/ and what it imports."""
    done = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stdout + done.stderr


# Files another piece of work owns for now (issue 18: the offline formulator's adapter and data
# engine); their bare ignores are theirs to explain.
_BARE_IGNORE_OWNED_ELSEWHERE = {"agent/formulate/_run.py", "evals/synthetic/families/planning.py"}


def test_every_type_ignore_says_why() -> None:
    bare = re.compile(r"#\s*type:\s*ignore(\[[^\]]*\])?\s*$")
    found: set[str] = set()
    for folder in ("optagent", "agent", "solvers", "evals", "prompts", "tests"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if bare.search(line):
                    found.add(f"{path.relative_to(ROOT).as_posix()}:{number}")
    unexplained = sorted(f for f in found if f.split(":")[0] not in _BARE_IGNORE_OWNED_ELSEWHERE)
    assert not unexplained, "add `  # why` after each of these type: ignores: " + ", ".join(
        unexplained
    )
    stale = _BARE_IGNORE_OWNED_ELSEWHERE - {f.split(":")[0] for f in found}
    assert not stale, f"no bare type: ignore left in {sorted(stale)}: drop them from the list"
