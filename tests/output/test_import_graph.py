"""The package's import graph: no cycles, layers that point one way, deferred imports that say why.

Every module under advisor/ is parsed (nothing is imported); every `import` of an advisor module
counts, at module level (type-checking blocks included) and inside functions alike.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import advisor

PACKAGE = Path(advisor.__file__).resolve().parent
GENERATED = {"advisor.catalog._bundled"}  # written by the build hook, imports only the models

# A function-level import of an advisor module needs a "# deferred: <why>" comment just above it
# (the comment may head a block of imports), or an entry here with the reason.
ALLOWED_DEFERRED: dict[tuple[str, str], str] = {}

# Which stages may import which, lowest first: a stage never imports one above it. The data flows
# sources (scan) -> answers -> catalog -> engine -> result -> output, but the answers chain checks
# answers against the catalog's ids, and the scan writes answers: so the catalog is below the
# answers and the scan above both. The command line is on top.
LAYERS = ("schema", "catalog", "answers", "scan", "engine", "output", "cli")
BASE = {"advisor", "advisor.errors", "advisor.humanize", "advisor.records", "advisor.reading", "advisor.environment"}
# What is allowed against the order above, each with its reason.
UPWARD: dict[tuple[str, str], str] = {
    ("advisor.catalog.validation", "advisor.answers.registry"): "the cross-file checks name answer keys",
    ("advisor.catalog.file_checks", "advisor.answers.registry"): "rules and sanity checks name answer keys",
    ("advisor.catalog.migration_checks", "advisor.answers.registry"): "plan items and moves name answer keys",
    ("advisor.catalog.load", "advisor.scan.signals"): "`data validate` checks signals.toml with the scan's reader",
    ("advisor.catalog.validation", "advisor.scan.signals"): "migrations name the scan's signals (its one reader)",
    ("advisor.answers.wizard", "advisor.output.formats"): "the save prompt checks a file name's format",
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _target(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".")
            if MODULES[module].name != "__init__.py":
                package = package[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join(package + ([base] if base else []))
        names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
    out = []
    for name in names:
        while name not in MODULES and "." in name:
            name = name.rsplit(".", 1)[0]
        if name.startswith("advisor") and name in MODULES and name != module:
            out.append(name)
    return out


@functools.cache  # parsed once for the three tests that read it
def _imports() -> tuple[dict[str, set[str]], list[tuple[str, str, int]]]:
    """Every module's advisor imports, and the function-level ones as (module, target, line)."""
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    deferred: list[tuple[str, str, int]] = []
    for module, path in MODULES.items():
        if module in GENERATED:
            continue

        def walk(node: ast.AST, in_function: bool, module: str = module) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.Import, ast.ImportFrom)):
                    for target in _target(module, child):
                        graph[module].add(target)
                        if in_function:
                            deferred.append((module, target, child.lineno))
                walk(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

        walk(ast.parse(path.read_text(encoding="utf-8")), False)
    return graph, deferred


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle in the graph (as the modules along it, the first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def _layer(module: str) -> int | None:
    if module in BASE:
        return -1
    if module == "advisor.schema":
        return 0
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in LAYERS:
        return LAYERS.index(parts[1])
    return None  # advisor.__main__: the process entry point sits above everything


def test_the_import_graph_has_no_cycle() -> None:
    graph, _ = _imports()
    cycle = _cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or ())


def test_a_cycle_is_found_and_shown() -> None:
    # the check itself: a graph with a loop gives that loop back
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_a_stage_never_imports_one_above_it() -> None:
    graph, _ = _imports()
    upward = []
    for module, targets in graph.items():
        for target in targets:
            here, there = _layer(module), _layer(target)
            if here is None or there is None or there <= here or (module, target) in UPWARD:
                continue
            upward.append(f"{module} -> {target}")
    assert upward == [], (
        "imports against the flow (add to UPWARD with a reason only if it belongs there):\n" + "\n".join(sorted(upward))
    )


def test_every_deferred_import_says_why() -> None:
    _, deferred = _imports()
    silent = []
    for module, target, line in deferred:
        if (module, target) in ALLOWED_DEFERRED:
            continue
        lines = MODULES[module].read_text(encoding="utf-8").splitlines()
        i = line - 1
        if "# deferred:" in lines[i]:
            continue
        i -= 1
        while i >= 0 and (lines[i].strip().startswith(("from ", "import ")) or not lines[i].strip()):
            i -= 1  # the comment may head a block of imports
        while i >= 0 and lines[i].strip().startswith("#"):
            if "# deferred:" in lines[i]:
                break
            i -= 1
        else:
            silent.append(f"{MODULES[module].relative_to(PACKAGE.parent)}:{line} imports {target}")
            continue
        if i < 0 or "# deferred:" not in lines[i]:
            silent.append(f"{MODULES[module].relative_to(PACKAGE.parent)}:{line} imports {target}")
    assert silent == [], "imports inside functions without a '# deferred: <why>' comment:\n" + "\n".join(silent)


def test_no_module_is_over_about_500_lines() -> None:
    # One job per module, none waived.
    long = {
        m: n
        for m, p in MODULES.items()
        if m not in GENERATED and (n := len(p.read_text(encoding="utf-8").splitlines())) > 560
    }
    assert long == {}


def test_the_command_line_types_no_list_of_formats() -> None:
    # --format's and -o's lists come from the format registry (advisor.output.formats), so a new format
    # or kind reaches help, completion and errors by itself: no literal list in the command line.
    typed = []
    for module, path in MODULES.items():
        if not module.startswith("advisor.cli"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if "json|" in node.value or "|json" in node.value or ".toml, .json" in node.value:
                    typed.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {node.value!r}")
    assert typed == []
