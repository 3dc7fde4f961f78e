"""Where a module changes how an app finds its templates beyond the folders the index computes.

Flask loads `render_template("x.html")` from the app's `template_folder`, then from each registered
blueprint's (`flask/templating.py` `DispatchingJinjaLoader`). A project may replace or extend that
search: a `jinja_loader` of its own (`ChoiceLoader`, `PackageLoader`, a theme's), a loader passed in
`jinja_options`, a `jinja_env.loader` set or mutated, a template folder or root path computed at run
time, a Flask subclass overriding the loader. Each is recorded as `Unresolved("loader", owner, ...)`
so the index can tell which apps' template lookups it knows completely. Read off the calls and
assignments the one traversal recorded, and the class bodies: no second walk of the module.
"""

from __future__ import annotations

import libcst as cst

from flasklint.model.cst_helpers import argument, is_none, literal_string, subscript_key
from flasklint.model.facts import Unresolved
from flasklint.model.imports import dotted_name
from flasklint.model.module import AssignInfo, CallInfo, ClassInfo, FunctionInfo, ModuleModel, Scope

# Attributes of an app or blueprint that decide where its templates come from.
LOADER_ATTRIBUTES = frozenset(
    {"jinja_loader", "template_folder", "root_path", "jinja_env", "jinja_environment", "create_global_jinja_loader"}
)
# Methods a Flask or Blueprint subclass may override to load templates from elsewhere.
LOADER_METHODS = frozenset({"jinja_loader", "create_global_jinja_loader", "iter_blueprints", "create_jinja_environment"})


def collect_loader_facts(model: ModuleModel) -> None:
    """Append an Unresolved("loader") to model.facts for each template-loading change in the module."""
    collector = _Collector(model)
    for assign in model.assigns:
        collector.assignment(assign)
    for call in model.calls:
        collector.call(call)
    for info in model.classes:
        collector.class_body(info)


class _Collector:
    def __init__(self, model: ModuleModel) -> None:
        self.model = model

    # -- assignments -----------------------------------------------------------------------
    def assignment(self, assign: AssignInfo) -> None:
        for target in assign.targets:
            if isinstance(target, cst.Attribute):
                self._attribute(target, assign.value, assign.scope, assign)
            elif isinstance(target, cst.Subscript) and _is_options(target.value):
                key = literal_string(subscript_key(target))
                if key is None or key == "loader":  # app.jinja_options["loader"] = FileSystemLoader(...)
                    self._add(self._owner(target.value, assign.scope, assign.function), target, "jinja_options loader")
            elif isinstance(target, cst.Name) and assign.scope.kind == "class":
                self._class_attribute(target, assign.value, assign.scope)

    def _attribute(self, target: cst.Attribute, value: cst.BaseExpression | None, scope: Scope, assign: AssignInfo) -> None:
        name = target.attr.value
        if name in LOADER_ATTRIBUTES:  # app.jinja_loader = ChoiceLoader([...]), bp.template_folder = path
            self._add(self._owner(target.value, scope, assign.function), target, f"{name} assigned")
        elif name == "loader" and self._is_jinja_env(target.value, scope):  # app.jinja_env.loader = ...
            self._add(self._env_owner(target.value, scope, assign.function), target, "jinja_env.loader assigned")
        elif name == "jinja_options" and value is not None and _mentions_loader(self.model, value, scope):
            self._add(self._owner(target.value, scope, assign.function), target, "jinja_options loader")

    def _class_attribute(self, target: cst.Name, value: cst.BaseExpression | None, scope: Scope) -> None:
        """`class MyFlask(Flask): jinja_options = {"loader": ...}` / `template_folder = ...`."""
        name = target.value
        mentions = name == "jinja_options" and value is not None and _mentions_loader(self.model, value, scope)
        if name in LOADER_ATTRIBUTES or mentions:
            self._add(f"class:{self._qualified(scope.qualname)}", target, f"class attribute {name}")

    def class_body(self, info: ClassInfo) -> None:
        """A method overriding how templates are found (`def jinja_loader(self)` in a Flask subclass)."""
        for statement in info.node.body.body:
            if isinstance(statement, cst.FunctionDef) and statement.name.value in LOADER_METHODS:
                self._add(f"class:{self._qualified(info.qualname)}", statement.name, f"{statement.name.value}() overridden")

    # -- calls -----------------------------------------------------------------------------
    def call(self, call: CallInfo) -> None:
        dotted = call.dotted or ""
        parts = dotted.split(".")
        if "jinja_loader" in parts[1:-1] or _after(parts, "jinja_env") == "loader":
            # app.jinja_loader.searchpath.insert(0, path), app.jinja_env.loader.loaders.append(...)
            self._add(self._receiver_owner(call), call.node, f"{dotted}() changes a loader")
        elif parts[-1] == "update" and len(parts) > 1 and parts[-2] == "jinja_options":
            if any(a.keyword is not None and a.keyword.value == "loader" for a in call.node.args):
                self._add(self._receiver_owner_of_options(call), call.node, "jinja_options loader")
        elif parts[-1] == "setattr" and len(call.node.args) >= 2:
            if literal_string(call.node.args[1].value) in LOADER_ATTRIBUTES:
                owner = self._owner(call.node.args[0].value, call.scope, call.function)
                self._add(owner, call.node, "setattr of a loader attribute")
        else:
            self._constructor(call)

    def _constructor(self, call: CallInfo) -> None:
        """`Flask(__name__, template_folder=config.TEMPLATES)`, `Blueprint(..., root_path=...)`: folders the
        index cannot compute (a computed folder, another root path, a computed import name)."""
        ref = self.model.constructor_refs.get(id(call.node))
        if ref is None:
            return
        app = next((app for app in self.model.facts.apps if app.ref == ref), None)
        if app is not None and app.cls is not None:  # maybe a Flask subclass: its signature is its own
            folder, import_name, root_path = (argument(call.node, None, k) for k in ("template_folder", "import_name", "root_path"))
        else:
            folder = argument(call.node, 6 if app else 4, "template_folder")
            import_name = argument(call.node, 0 if app else 1, "import_name")
            root_path = argument(call.node, 9 if app else 8, "root_path")
        if folder is not None and literal_string(folder) is None and not is_none(folder):
            self._add(ref, folder, "template_folder not a literal")
        if root_path is not None and not is_none(root_path):
            self._add(ref, root_path, "root_path given")
        if import_name is not None and literal_string(import_name) is None and not _is_dunder_name(import_name):
            self._add(ref, import_name, "import_name not a literal")
        if any(arg.star for arg in call.node.args) and (app is None or app.cls is None):
            self._add(ref, call.node, "arguments forwarded")

    # -- helpers ---------------------------------------------------------------------------
    def _is_jinja_env(self, node: cst.BaseExpression, scope: Scope) -> bool:
        if isinstance(node, cst.Name):
            bound = self.model.value_of(node.value, scope)
            return isinstance(bound, cst.Attribute) and bound.attr.value == "jinja_env"
        return isinstance(node, cst.Attribute) and node.attr.value == "jinja_env"

    def _env_owner(self, node: cst.BaseExpression, scope: Scope, function: FunctionInfo | None) -> str | None:
        if isinstance(node, cst.Name):
            bound = self.model.value_of(node.value, scope)
            node = bound if bound is not None else node
        if isinstance(node, cst.Attribute):
            return self._owner(node.value, scope, function)
        return None

    def _owner(self, node: cst.BaseExpression, scope: Scope, function: FunctionInfo | None) -> str | None:
        """The owner's ref; `self` in a method is its class ("class:<ref>"); None when unknown."""
        ref = self.model.ref_of(node, scope)
        if ref == "param:self" and function is not None and function.class_name is not None:
            return f"class:{self._qualified(function.class_name)}"
        return ref

    def _receiver_owner_of_options(self, call: CallInfo) -> str | None:
        """`app.jinja_options.update(loader=...)`: the app."""
        func = call.node.func
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Attribute):
            return self._owner(func.value.value, call.scope, call.function)
        return None

    def _receiver_owner(self, call: CallInfo) -> str | None:
        """`app.jinja_loader.searchpath.append(...)`: the owner of the loader a call goes through."""
        node = call.node.func
        while isinstance(node, cst.Attribute):
            if node.attr.value in ("jinja_loader", "jinja_env"):
                return self._owner(node.value, call.scope, call.function)
            node = node.value
        return None

    def _qualified(self, qualname: str) -> str:
        return f"{self.model.module_name}.{qualname}" if self.model.module_name else qualname

    def _add(self, owner: str | None, node: cst.CSTNode, detail: str) -> None:
        self.model.facts.unresolved.append(Unresolved("loader", owner, self.model.span(node), detail))


def _after(parts: list[str], name: str) -> str | None:
    """The attribute following `name` in a dotted chain, when another follows it (a method call)."""
    for position, part in enumerate(parts[:-2]):
        if part == name:
            return parts[position + 1]
    return None


def _is_options(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Attribute) and node.attr.value == "jinja_options"


def _is_dunder_name(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "__name__"


def _mentions_loader(model: ModuleModel, value: cst.BaseExpression, scope: Scope, depth: int = 0) -> bool:
    """Options that name a loader, or that the module does not show (a parameter, an import, a call)."""
    if isinstance(value, cst.Dict):
        return any(
            not isinstance(element, cst.DictElement) or literal_string(element.key) in (None, "loader")
            for element in value.elements
        )
    if isinstance(value, cst.Call) and dotted_name(value.func) == "dict":
        return any(
            (a.keyword is None and not _is_options(a.value)) or (a.keyword is not None and a.keyword.value == "loader")
            for a in value.args
        )
    if isinstance(value, cst.Name) and depth < 4:
        bound = model.value_of(value.value, scope)
        return bound is None or _mentions_loader(model, bound, scope, depth + 1)
    return not _is_options(value)
