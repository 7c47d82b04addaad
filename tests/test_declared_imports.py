"""Every third-party import is declared in pyproject.toml, in the right place.

A plain ``pip install .`` gets the core dependencies only, so an import that runs when a module
loads must name a core dependency; an extra's module (transformers, torch, langchain, ray...)
is imported lazily, and the module raises ``MissingExtraError`` naming an extra that declares
it. The tests import what the ``dev`` extra declares. The extras are read from pyproject, so a
new extra needs no change here. Static (AST) checks: this fails in seconds, before any install.
"""

from __future__ import annotations

import ast
import importlib.metadata as md
import re
import sys
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]
PACKAGES = ("optagent", "agent", "solvers", "evals", "prompts")
# Import names whose distribution name differs, for when the distribution is not installed
# here (an installed one is looked up in its metadata instead).
_DIST_OF_IMPORT = {"llama_cpp": "llama-cpp-python", "yaml": "pyyaml", "sklearn": "scikit-learn"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement(spec: str) -> tuple[str, list[str]]:
    """``"optagent[hf,ray]>=1"`` -> ``("optagent", ["hf", "ray"])``."""
    match = re.match(r"\s*([A-Za-z0-9._-]+)\s*(?:\[([^\]]*)\])?", spec)
    assert match, f"unreadable requirement {spec!r} in pyproject.toml"
    extras = [e.strip() for e in (match.group(2) or "").split(",") if e.strip()]
    return _norm(match.group(1)), extras


def declared() -> dict[str, set[str]]:
    """Distribution names per extra (``""`` is the core), self-references expanded."""
    own = _norm(PROJECT["name"])
    raw = {"": PROJECT.get("dependencies", []), **PROJECT.get("optional-dependencies", {})}

    def expand(extra: str, seen: frozenset[str]) -> set[str]:
        out: set[str] = set()
        for spec in raw[extra]:
            name, extras = _requirement(spec)
            if name != own:
                out.add(name)
                continue
            for sub in extras:
                assert sub in raw, f"extra {extra!r} refers to unknown extra {sub!r}"
                if sub not in seen:
                    out |= expand(sub, seen | {sub})
        return out

    core = expand("", frozenset())
    return {extra: expand(extra, frozenset({extra})) | core for extra in raw}


@cache
def _installed() -> dict[str, list[str]]:
    return md.packages_distributions()


def distributions(import_name: str) -> set[str]:
    """The distributions that may provide a top-level import name."""
    found = _installed().get(import_name)
    if found:
        return {_norm(d) for d in found}
    return {_norm(_DIST_OF_IMPORT.get(import_name, import_name))}


@dataclass(frozen=True)
class Import:
    """One third-party import statement."""

    module: str  # top-level import name
    where: str  # path:line
    eager: bool  # runs when the module loads (module level, not under TYPE_CHECKING or try)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def third_party_imports(path: Path, tree: ast.Module) -> list[Import]:
    """Imports of modules that are neither stdlib nor this project's, with where they run."""
    own = {*PACKAGES, "tests"}
    eager_nodes: set[int] = set()

    def collect_eager(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                eager_nodes.add(id(node))
            elif isinstance(node, ast.If) and not _is_type_checking(node):
                collect_eager(node.body)
                collect_eager(node.orelse)
            # try bodies are guarded (they fall back or raise MissingExtraError); defs are lazy

    collect_eager(tree.body)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in sys.stdlib_module_names or top in own or top == "__future__":
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            out.append(Import(top, where, id(node) in eager_nodes))
    return out


def missing_extra_names(tree: ast.Module) -> set[str]:
    """The extras named by ``MissingExtraError(package, extra)`` calls in a module."""
    out = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and len(node.args) >= 2):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        extra = node.args[1]
        if name == "MissingExtraError" and isinstance(extra, ast.Constant):
            out.add(str(extra.value))
    return out


def package_modules() -> list[Path]:
    """Every module of the packages pyproject installs, found from their folders."""
    patterns = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    tops = sorted({p.rstrip("*") for p in patterns})
    assert tops == sorted(PACKAGES), f"pyproject installs {tops}; this test walks {PACKAGES}"
    return sorted(p for top in tops for p in (ROOT / top).rglob("*.py"))


def check_package_imports(deps: dict[str, set[str]]) -> list[str]:
    """Every problem with the packages' imports against `deps` (empty when all is declared)."""
    core = deps[""]
    problems = []
    for path in package_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        named_extras = missing_extra_names(tree)
        for imp in third_party_imports(path, tree):
            dists = distributions(imp.module)
            if dists & core:
                continue
            if imp.eager:
                problems.append(
                    f"{imp.where}: {imp.module} is imported when the module loads but "
                    f"{sorted(dists)} is not a core dependency"
                )
                continue
            extras = sorted(e for e, names in deps.items() if e and e != "dev" and dists & names)
            if not extras:
                problems.append(
                    f"{imp.where}: {imp.module} ({sorted(dists)}) is in no extra of pyproject.toml"
                )
            elif not named_extras & set(extras):
                problems.append(
                    f"{imp.where}: {imp.module} comes with extra {extras}, but the module raises "
                    f"no MissingExtraError naming it (found {sorted(named_extras)})"
                )
    return problems


def test_package_imports_are_declared() -> None:
    """Core imports are core dependencies; extras' imports are lazy and name their extra."""
    problems = check_package_imports(declared())
    assert not problems, "undeclared imports:\n" + "\n".join(problems)


def test_removing_a_core_dependency_is_caught() -> None:
    """The check is live: without jsonschema in the core, agent/llm/_structured.py is flagged."""
    deps = declared()
    assert "jsonschema" in deps[""]
    trimmed = {extra: names - {"jsonschema"} for extra, names in deps.items()}
    problems = check_package_imports(trimmed)
    assert any(p.startswith("agent/llm/_structured.py:") and "jsonschema" in p for p in problems)


@pytest.mark.parametrize("extra", ["hf", "langchain", "ray", "hpo", "bench", "serve", "mlflow"])
def test_user_extras_exist_and_dev_holds_them(extra: str) -> None:
    """The extras the error messages name exist, and ``dev`` installs everything they do."""
    deps = declared()
    assert extra in deps
    assert deps[extra] <= deps["dev"]


def test_test_imports_are_dev_dependencies() -> None:
    """The tests import only what ``pip install -e '.[dev]'`` installs."""
    dev = declared()["dev"]
    problems = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for imp in third_party_imports(path, tree):
            if not distributions(imp.module) & dev:
                problems.append(f"{imp.where}: {imp.module} is not in the dev extra")
    assert not problems, "\n".join(problems)
