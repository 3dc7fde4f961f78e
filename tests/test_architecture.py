"""The import graph of flasklint and flasklint_lsp has no cycle: data flows one way.

Every import counts, at the top of a module or inside a function (a late import hides a cycle from
Python, not from the reader), except those under `if TYPE_CHECKING:` (annotations only) and those of
a package's `__init__` from its own submodules (the package gathers its parts). The graph is read
from the source with `ast`: nothing is imported to build it.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {"flasklint": ROOT / "flasklint", "flasklint_lsp": ROOT / "lsp" / "flasklint_lsp"}

# Cycles known and owned by work in progress: (modules of the cycle, who removes it). Each entry must
# still be a cycle (a stale entry fails), and no other cycle may appear.
KNOWN_CYCLES: list[tuple[frozenset[str], str]] = []


def module_files() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the two packages."""
    modules: dict[str, Path] = {}
    for package, directory in PACKAGES.items():
        for path in sorted(directory.rglob("*.py")):
            parts = [package, *path.relative_to(directory).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, module: str, is_package: bool) -> list[tuple[str, str | None]]:
    """(module imported, name imported from it or None) for every import outside `if TYPE_CHECKING:`."""
    found: list[tuple[str, str | None]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((alias.name, None) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.extend((base, alias.name) for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of the two packages it imports (a package's `__init__` importing its
    own submodules left out)."""
    files = module_files()
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        for imported, attribute in _imports(ast.parse(path.read_text(encoding="utf-8")), name, is_package):
            target = f"{imported}.{attribute}" if f"{imported}.{attribute}" in files else imported
            if target not in files or target == name:
                continue
            if is_package and target.startswith(f"{name}."):
                continue
            graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_no_import_cycle_among_the_modules() -> None:
    found = set(cycles(import_graph()))
    known = {members for members, _owner in KNOWN_CYCLES}
    assert not known - found, f"no longer a cycle, remove it from KNOWN_CYCLES: {known - found}"
    assert [sorted(c) for c in found - known] == []


def test_the_graph_sees_late_imports_and_skips_annotation_only_ones() -> None:
    """The reader itself, on the shapes that matter: a cycle closed by a function-level import is
    found, one through `if TYPE_CHECKING:` is not, relative imports resolve."""
    graph = import_graph()
    assert "flasklint_lsp.server" in graph["flasklint.cli"]  # `main` imports the server inside a function
    assert "flasklint.model.index" not in graph["flasklint.rule"]  # under `if TYPE_CHECKING:` only
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [frozenset({"a", "b", "c"})]
    tree = ast.parse("from . import sibling\nfrom ..model import index\n")
    assert _imports(tree, "flasklint.rules.flk999", False) == [("flasklint.rules", "sibling"), ("flasklint.model", "index")]
