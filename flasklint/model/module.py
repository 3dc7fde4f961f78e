"""What one parsed Python module is to the rules: the ModuleModel and the records it holds.

The traversal (traversal.py) fills a ModuleModel in one walk: every function, class, call and
assignment with its scope. Rules query it instead of walking the tree again; positions are resolved
lazily, once per file, and only when something needs reporting.
"""

from __future__ import annotations

from dataclasses import field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Iterator

import libcst as cst

from flasklint.model.facts import FileFacts, RouteDef, Span
from flasklint.model.flask_api import (  # noqa: F401 (re-exported: the traversal and the rules import them from here)
    BLUEPRINT_CLASSES,
    EXTENSION_REGISTRARS,
    FLASK_CLASSES,
    RENDER_TEMPLATE,
    ROUTE_DECORATORS,
    URL_FOR,
    VIEW_BASES,
    VIEW_METHODS,
)
from flasklint.model.imports import ImportTable
from flasklint.model.positions import ModulePositions
from flasklint.records import dataclass
from flasklint.source import physical_lines

if TYPE_CHECKING:
    from flasklint.model.dataflow import ModuleDataflow

TEST_FILE_NAMES = ("conftest.py",)


def is_test_path(path: str) -> bool:
    """Test code drives the app through literal URLs and throwaway keys: several rules skip it."""
    posix = PurePosixPath(path)
    name = posix.name
    return (
        name.startswith("test_")
        or name.endswith("_test.py")
        or name in TEST_FILE_NAMES
        or any(part in ("tests", "test", "testing") for part in posix.parts[:-1])
    )



@dataclass
class Scope:
    """A module, class or function scope: its imports, parameters and assigned names."""

    kind: str  # module | class | function
    qualname: str  # "" for the module, "create_app", "create_app.<locals>.inner", "Cls"
    imports: ImportTable
    parent: Scope | None = None
    params: set[str] = field(default_factory=set)
    assigned: dict[str, cst.BaseExpression | None] = field(default_factory=dict)

    def child_qualname(self, name: str) -> str:
        if self.kind == "function":
            return f"{self.qualname}.<locals>.{name}"
        return f"{self.qualname}.{name}" if self.qualname else name

    def binds(self, name: str) -> bool:
        """Whether `name` means something here (a parameter, an assignment, an import), in this scope or above."""
        current: Scope | None = self
        while current is not None:
            if name in current.params or (current.kind != "class" and name in current.assigned):
                return True
            if current.imports.lookup(name) is not None:
                return True
            current = current.parent
        return False


@dataclass
class FunctionInfo:
    node: cst.FunctionDef
    qualname: str
    scope: Scope  # the function's own scope
    class_name: str | None = None
    routes: list[RouteDef] = field(default_factory=list)
    is_view: bool = False

    @property
    def name(self) -> str:
        return self.node.name.value


def view_owners(function: FunctionInfo | None) -> list[str]:
    """Refs of the apps/blueprints whose routes `function` is the view of ([]: unknown, or not a view):
    what a `url_for`, a template or a session write in its body belongs to."""
    return sorted({r.owner for r in function.routes if r.owner}) if function else []


@dataclass
class ClassInfo:
    node: cst.ClassDef
    qualname: str
    bases: list[str]  # qualified (or project ref) names of the bases
    scope: Scope


@dataclass
class CallInfo:
    node: cst.Call
    qualified: str | None  # e.g. "flask.redirect"; None when the callee is not an imported name
    dotted: str | None  # the callee as written: "app.run", "bp.route"
    scope: Scope
    function: FunctionInfo | None


@dataclass
class AssignInfo:
    node: cst.Assign | cst.AnnAssign | cst.AugAssign
    targets: list[cst.BaseExpression]
    value: cst.BaseExpression | None
    scope: Scope
    function: FunctionInfo | None


class ModuleModel:
    """Everything rules need about one parsed module, gathered in a single traversal."""

    def __init__(self, path: str, module_name: str, is_package: bool, text: str, tree: cst.Module) -> None:
        self.path = path
        self.module_name = module_name
        self.is_package = is_package
        self.text = text
        self.tree = tree
        self.lines = physical_lines(text)
        self.module_scope = Scope("module", "", ImportTable())
        self.functions: list[FunctionInfo] = []
        self.classes: list[ClassInfo] = []
        self.calls: list[CallInfo] = []
        self.assigns: list[AssignInfo] = []
        self.function_of: dict[cst.FunctionDef, FunctionInfo] = {}
        # id() of each app or blueprint constructor call the traversal recorded -> the object's ref:
        # later passes ask of every call whether it is one, by identity (a span would run the
        # position pass through the whole module).
        self.constructor_refs: dict[int, str] = {}
        self.facts = FileFacts(path=path, module=module_name, kind="python", is_test=is_test_path(path))
        self._positions: ModulePositions | None = None
        # Calls inside functions by their bare callee name (`helper(x)`) and by the function they are
        # in, built on first need with the number of calls they cover (the traversal appends as it goes).
        self._calls_by_name: dict[str, list[CallInfo]] = {}
        self._calls_by_function: dict[cst.FunctionDef, list[CallInfo]] = {}
        self._calls_indexed = -1
        # Built on first need by dataflow.dataflow_for and freed with the model (a global cache keyed
        # by models kept every analysed module alive in the language server).
        self.dataflow: ModuleDataflow | None = None

    def release(self) -> None:
        """End the analyses built on this model once the rules are done with it: they point back at
        it, and without those cycles the tree is freed by reference counting as the file's analysis
        ends, instead of by a collection that walks its tens of thousands of nodes first."""
        if self.dataflow is not None:
            self.dataflow.release()
            self.dataflow = None

    # -- positions -------------------------------------------------------------------------
    def span(self, node: cst.CSTNode) -> Span:
        """(line, col, end_line, end_col) of a node; the position pass runs on need, only as far
        as the top-level statement holding the node."""
        if self._positions is None:
            self._positions = ModulePositions(self.tree)
        return self._positions.span(node)

    def code(self, node: cst.CSTNode) -> str:
        return self.tree.code_for_node(node)

    # -- queries ---------------------------------------------------------------------------
    def views(self) -> Iterator[FunctionInfo]:
        return (f for f in self.functions if f.is_view)

    def calls_to(self, *qualified: str) -> Iterator[CallInfo]:
        wanted = set(qualified)
        return (c for c in self.calls if c.qualified in wanted)

    def callers_of(self, function: FunctionInfo) -> Iterator[CallInfo]:
        """Calls of a module-level function by its bare name from other functions of the module: a helper
        (`def store(f): f.save(...)`) sees the request data its callers hand it."""
        self._index_calls()
        for call in self._calls_by_name.get(function.name, ()):
            if call.function is not function and self.qualify(call.node.func, call.scope) is None:
                yield call

    def calls_in(self, function: FunctionInfo) -> list[CallInfo]:
        """The calls made in `function`'s own body (not in functions nested in it), in source order."""
        self._index_calls()
        return list(self._calls_by_function.get(function.node, ()))

    def _index_calls(self) -> None:
        """Index the calls made inside functions by bare callee name and by function, once: asking
        every call of the module for every function was quadratic on large view modules."""
        if self._calls_indexed == len(self.calls):
            return
        by_name: dict[str, list[CallInfo]] = {}
        by_function: dict[cst.FunctionDef, list[CallInfo]] = {}
        for call in self.calls:
            if call.function is not None:
                by_function.setdefault(call.function.node, []).append(call)
                func = call.node.func
                if isinstance(func, cst.Name):
                    by_name.setdefault(func.value, []).append(call)
        self._calls_by_name, self._calls_by_function = by_name, by_function
        self._calls_indexed = len(self.calls)

    def qualify(self, node: cst.BaseExpression, scope: Scope | None = None) -> str | None:
        return (scope or self.module_scope).imports.qualify(node)

    def ref_of(self, node: cst.BaseExpression, scope: Scope) -> str | None:
        """A project-wide reference for the object an expression names ("pkg.auth.bp", "param:app")."""
        # Exact types: libcst's node classes have no subclasses, and isinstance against them (ABCs) runs Python code.
        if type(node) is cst.Name:
            return self._ref_of_name(node.value, scope)
        if type(node) is cst.Attribute:
            base = self.ref_of(node.value, scope)
            return f"{base}.{node.attr.value}" if base else None
        return None

    def _ref_of_name(self, name: str, scope: Scope) -> str | None:
        current: Scope | None = scope
        while current is not None:
            if current.kind == "function":
                if name in current.params:
                    return f"param:{name}"
                if name in current.assigned:
                    return f"{self.module_name}.{current.qualname}.<locals>.{name}"
                imported = current.imports.aliases.get(name)
                if imported is not None:
                    return imported
            elif current.kind == "module":
                imported = current.imports.aliases.get(name)
                if imported is not None:
                    return imported
                if name in current.assigned:
                    return f"{self.module_name}.{name}" if self.module_name else name
            current = current.parent
        return None

    def value_of(self, name: str, scope: Scope) -> cst.BaseExpression | None:
        """The expression last assigned to `name` in the scope chain (module constants included)."""
        current: Scope | None = scope
        while current is not None:
            if current.kind != "class" and name in current.assigned:
                return current.assigned[name]
            if name in current.params:
                return None
            current = current.parent
        return None
