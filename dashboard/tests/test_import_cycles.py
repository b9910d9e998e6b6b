"""No two of our packages import each other, even through a chain, and neither do the
modules of jobs/: every `import` counts, at the top of a file or inside a function
(one hidden in a function is still a cycle). Tests are left out: they may use any app."""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Our packages: the apps, the project package (dashboard), core, providers and sandbox.
PACKAGES = sorted(p.parent.name for p in ROOT.glob("*/__init__.py"))


def _sources(package: str):
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" not in parts and path.name != "conftest.py":
            yield path


def _imports(path: Path):
    """(line, dotted name) of each module `path` imports, the names a `from` takes
    included (`from jobs import engine` names jobs.engine), relative ones resolved."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*up, base] if base else up)
            yield node.lineno, base
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def _cycle(graph: dict[str, dict[str, str]]) -> list[str] | None:
    """One cycle of `graph` (node -> {node it imports: where}), as its nodes in order
    with the first repeated at the end; None when there is none."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node):
        state[node] = "open"
        path.append(node)
        for nxt in sorted(graph.get(node, {})):
            if state.get(nxt) == "open":
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def _said(graph, cycle: list[str]) -> str:
    steps = [f"  {a} -> {b} ({graph[a][b]})" for a, b in zip(cycle, cycle[1:], strict=False)]
    return " -> ".join(cycle) + "\n" + "\n".join(steps)


def package_graph() -> dict[str, dict[str, str]]:
    graph: dict[str, dict[str, str]] = defaultdict(dict)
    for package in PACKAGES:
        for path in _sources(package):
            for line, name in _imports(path):
                other = name.split(".")[0]
                if other in PACKAGES and other != package:
                    graph[package].setdefault(other, f"{path.relative_to(ROOT)}:{line}")
    return graph


def jobs_graph() -> dict[str, dict[str, str]]:
    modules = {f"jobs.{p.stem}" for p in (ROOT / "jobs").glob("*.py")}
    graph: dict[str, dict[str, str]] = defaultdict(dict)
    for path in (ROOT / "jobs").glob("*.py"):
        here = f"jobs.{path.stem}"
        for line, name in _imports(path):
            # `from jobs.engine import X` names jobs.engine.X: the module is jobs.engine.
            module = ".".join(name.split(".")[:2])
            if module in modules and module != here:
                graph[here].setdefault(module, f"{path.relative_to(ROOT)}:{line}")
    return graph


def test_no_two_apps_import_each_other():
    graph = package_graph()
    assert {"jobs", "teams", "voices", "recordings"} <= set(graph), "the walk found no imports"
    cycle = _cycle(graph)
    assert cycle is None, "These apps import each other in a circle: " + _said(graph, cycle)


def test_no_two_modules_of_jobs_import_each_other():
    graph = jobs_graph()
    assert "jobs.engine" in graph, "the walk found no imports inside jobs/"
    cycle = _cycle(graph)
    assert cycle is None, "These modules of jobs/ import each other: " + _said(graph, cycle)


def test_a_cycle_is_found_and_named():
    """The check itself: a cycle is named with the line that makes each step."""
    graph = {"a": {"b": "a/x.py:3"}, "b": {"c": "b/y.py:9"}, "c": {"a": "c/z.py:40"}}
    cycle = _cycle(graph)
    assert cycle == ["a", "b", "c", "a"]
    assert "c -> a (c/z.py:40)" in _said(graph, cycle)
    assert _cycle({"a": {"b": "a/x.py:3"}, "b": {}}) is None
