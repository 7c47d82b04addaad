"""The import graph, read from the source (AST, nothing imported): arrows point one way.

Checked on every import statement, including those inside functions (a late import is still a
dependency) and under ``if TYPE_CHECKING:``:

- solvers/ never imports agent/, evals/ or optagent/ (usable without any LLM);
- the top-level folders form no cycle, with the CLI (agent/cli, the `optagent` command) as its
  own layer above agent/ and evals/ (DESIGN.md: cli -> agent, evals -> agent + solvers);
- the subpackages (agent.core, agent.llm, evals.runner, solvers.backends, ...) form no cycle.

The few back edges that exist are listed in ``DOCUMENTED`` with the reason; each must stay
typing-only or late (never executed when its module loads), and a listed edge that no longer
exists fails too, so the list stays true. A failure prints the cycle and the import lines.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("optagent", "agent", "solvers", "evals", "prompts")

# (from unit, to unit): why the back edge is there. Only typing-only or late imports qualify.
DOCUMENTED: dict[tuple[str, str], str] = {
    ("agent.core", "agent.optimizers"): (
        "typing only: the loop is handed an Optimizer; optimizers build on core's History, "
        "Proposal and Trial"
    ),
    ("agent.config", "agent.llm"): (
        "Settings.budget builds a Budget late (and names it for typing); agent.llm reads the "
        "settings"
    ),
    ("solvers.sensitivity", "solvers.backends"): (
        "lp_ranging solves the backends' linear form with HiGHS, imported inside the function "
        "(the backends build Sensitivity when they load)"
    ),
    ("agent.tune", "evals.synthetic"): (
        "the LoRA data comes from the eval generator's engine, imported inside run_recipe only "
        "(docs/architecture.md)"
    ),
}


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module (or package)
    where: str  # path:line
    late: bool  # inside a function or under `if TYPE_CHECKING:` (not run at module load)


def _module_name(path: Path) -> tuple[str, str]:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    package = parts[:-1]
    if parts[-1] == "__init__":
        parts = parts[:-1]
        package = parts
    return ".".join(parts), ".".join(package)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports() -> Iterator[Import]:
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            module, package = _module_name(path)
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            yield from _walk(tree, module, package, path, late=False)


def _walk(node: ast.AST, module: str, package: str, path: Path, *, late: bool) -> Iterator[Import]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            yield from _walk(child, module, package, path, late=True)
            continue
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for stmt in child.body:
                yield from _walk_stmt(stmt, module, package, path)
            for stmt in child.orelse:
                yield from _walk(ast.Module(body=[stmt], type_ignores=[]), module, package, path,
                                 late=late)  # fmt: skip
            continue
        yield from _targets(child, module, package, path, late=late)
        yield from _walk(child, module, package, path, late=late)


def _walk_stmt(stmt: ast.stmt, module: str, package: str, path: Path) -> Iterator[Import]:
    yield from _targets(stmt, module, package, path, late=True)
    yield from _walk(stmt, module, package, path, late=True)


def _targets(
    node: ast.AST, module: str, package: str, path: Path, *, late: bool
) -> Iterator[Import]:
    names: list[str] = []
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            base = package.split(".")
            if node.level > 1:
                base = base[: -(node.level - 1)]
            names = [".".join([*base, node.module] if node.module else base)]
        elif node.module:
            names = [node.module]
    where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
    for name in names:
        if name.split(".")[0] in FOLDERS:
            yield Import(module, name, where, late)


IMPORTS = list(_imports())


def subpackage(module: str) -> str:
    """agent.core._run -> agent.core; agent.errors -> agent.errors; agent -> agent."""
    parts = module.split(".")
    if parts[0] in ("agent", "solvers", "evals") and len(parts) > 1:
        return ".".join(parts[:2])
    return parts[0]


def layer(module: str) -> str:
    """The top-level folder, with agent/cli as its own layer (the application on top)."""
    if module == "agent.cli" or module.startswith("agent.cli."):
        return "cli"
    return module.split(".")[0]


def _graph(unit: Callable[[str], str]) -> dict[str, dict[str, list[Import]]]:
    graph: dict[str, dict[str, list[Import]]] = defaultdict(lambda: defaultdict(list))
    for imp in IMPORTS:
        a, b = unit(imp.source), unit(imp.target)
        documented = (subpackage(imp.source), subpackage(imp.target)) in DOCUMENTED
        if a != b and not documented:
            graph[a][b].append(imp)
    return graph


def find_cycle(graph: dict[str, dict[str, list[Import]]]) -> list[str] | None:
    """One cycle as [a, b, ..., a], or None."""
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, {})):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def _explain(cycle: list[str], graph: dict[str, dict[str, list[Import]]]) -> str:
    lines = ["import cycle: " + " -> ".join(cycle)]
    for a, b in pairwise(cycle):
        sites = graph[a][b]
        shown = ", ".join(f"{i.where} ({i.source} imports {i.target})" for i in sites[:3])
        lines.append(
            f"  {a} -> {b}: {shown}" + (f" and {len(sites) - 3} more" if len(sites) > 3 else "")
        )
    lines.append(
        "Break it, or add the edge to DOCUMENTED with the reason if it is typing-only or late."
    )
    return "\n".join(lines)


def test_the_graph_is_read() -> None:
    sources = {imp.source.split(".")[0] for imp in IMPORTS}
    assert {"optagent", "agent", "solvers", "evals"} <= sources
    assert any(i.source == "agent.core._run" and i.target == "agent.errors" for i in IMPORTS)


def test_solvers_never_imports_agent_evals_or_optagent() -> None:
    bad = [
        f"{i.where}: {i.source} imports {i.target}"
        for i in IMPORTS
        if i.source.split(".")[0] == "solvers" and i.target.split(".")[0] != "solvers"
        and i.target.split(".")[0] != "prompts"
    ]  # fmt: skip
    assert not bad, "solvers/ must stay usable without any LLM:\n" + "\n".join(bad)


def test_nothing_inside_imports_the_public_facade() -> None:
    bad = [
        f"{i.where}: {i.source} imports {i.target}"
        for i in IMPORTS
        if i.target.split(".")[0] == "optagent" and i.source.split(".")[0] != "optagent"
    ]
    assert not bad, "optagent/ sits on top; the code below it must not import it:\n" + "\n".join(
        bad
    )


def test_no_cycle_between_top_level_folders() -> None:
    graph = _graph(layer)
    cycle = find_cycle(graph)
    assert cycle is None, _explain(cycle, graph)


def test_no_cycle_between_subpackages() -> None:
    graph = _graph(subpackage)
    cycle = find_cycle(graph)
    assert cycle is None, _explain(cycle, graph)


def test_documented_back_edges_exist_and_are_typing_only_or_late() -> None:
    for (a, b), why in DOCUMENTED.items():
        sites = [i for i in IMPORTS if subpackage(i.source) == a and subpackage(i.target) == b]
        assert sites, f"{a} -> {b} is documented ({why}) but no longer exists: remove it"
        eager = [i.where for i in sites if not i.late]
        assert not eager, f"{a} -> {b} must stay typing-only or late ({why}); eager at {eager}"


def test_the_cycle_finder_reports_a_cycle() -> None:
    site = Import("x", "y", "x.py:1", False)
    graph = {"a": {"b": [site]}, "b": {"c": [site]}, "c": {"a": [site]}}
    cycle = find_cycle(graph)
    assert cycle == ["a", "b", "c", "a"]
    assert "a -> b -> c -> a" in _explain(cycle, graph)


def test_trace_optimizers_import_the_core_lifecycle_and_carry_no_loop_of_their_own() -> None:
    trace_imports = [i for i in IMPORTS if i.source.startswith("agent.trace")]
    base = {i.target for i in trace_imports if i.source == "agent.trace.optimizers._base"}
    assert {"agent.core", "agent.optimizers"} <= base, "Trace's optimizers build on agent.core"
    pools = [
        f"{i.where}: {i.source} imports {i.target}"
        for i in trace_imports
        if i.target.startswith("concurrent")
    ]
    assert not pools, "agent/trace must not run its own evaluation pool (agent.core does):\n" + (
        "\n".join(pools)
    )
