"""What an app's Jinja environment gets beyond Flask's defaults, derived from a ModuleModel.

A template rendered by an app that adds an extension may use its tags; one whose delimiters changed
(`[[ ]]` next to Vue) cannot be judged by Jinja's default parse; one whose context gets another
`url_for` (a Jinja global, a context processor) does not build URLs with Flask's. These settings are
read off the calls, assignments and functions the one traversal recorded: no second walk of the
module (only a context processor's own body is read, for its return statements).
"""

from __future__ import annotations

import libcst as cst

from flasklint.model.cst_helpers import argument, literal_string, subscript_key
from flasklint.model.facts import JinjaSetting
from flasklint.model.imports import dotted_name
from flasklint.model.module import AssignInfo, CallInfo, FunctionInfo, ModuleModel, Scope
from flasklint.model.walk import LeanVisitor

# Jinja's Environment delimiters and their defaults: setting one to anything else changes the syntax.
DELIMITERS: dict[str, str | None] = {
    "block_start_string": "{%",
    "block_end_string": "%}",
    "variable_start_string": "{{",
    "variable_end_string": "}}",
    "comment_start_string": "{#",
    "comment_end_string": "#}",
    "line_statement_prefix": None,
    "line_comment_prefix": None,
}
CONTEXT_PROCESSORS = frozenset({"context_processor", "app_context_processor"})
TEMPLATE_GLOBAL_DECORATORS = frozenset({"template_global", "app_template_global"})
ADD_TEMPLATE_GLOBAL = frozenset({"add_template_global", "add_app_template_global"})
# Mappings whose copy keeps Flask's options as they are: `dict(Flask.jinja_options, extensions=[...])`.
OPTION_MAPPINGS = frozenset({"dict", "werkzeug.datastructures.ImmutableDict", "werkzeug.ImmutableDict"})
ANY_NAME = "*"  # context_names: any name (`url_for` included) may be replaced
MAX_DEPTH = 8


def collect_jinja_facts(model: ModuleModel) -> None:
    """Fill model.facts.jinja_settings, in source order."""
    collector = _Collector(model)
    for assign in model.assigns:
        collector.assignment(assign)
    for call in model.calls:
        collector.call(call)
    for function in model.functions:
        collector.decorated(function)
    model.facts.jinja_settings.sort(key=lambda setting: setting.span)


class _Options:
    """Jinja options as far as the source shows them."""

    def __init__(self) -> None:
        self.extensions: list[str] = []
        self.custom_syntax = False
        self.opaque = False


class _Collector:
    def __init__(self, model: ModuleModel) -> None:
        self.model = model
        self.settings = model.facts.jinja_settings
        self._functions: dict[str, FunctionInfo] | None = None
        self.function: FunctionInfo | None = None  # the function of the assignment or call at hand

    # -- assignments -----------------------------------------------------------------------
    def assignment(self, assign: AssignInfo) -> None:
        self.function = assign.function
        value = assign.value
        if value is None:
            return
        for target in assign.targets:
            if isinstance(target, cst.Subscript):
                self._subscript_target(target, value, assign.scope)
            elif isinstance(target, cst.Attribute):
                self._attribute_target(target, value, assign.scope)
            elif isinstance(target, cst.Name) and assign.scope.kind == "class":
                self._class_attribute(target, value, assign.scope)

    def _subscript_target(self, target: cst.Subscript, value: cst.BaseExpression, scope: Scope) -> None:
        container = target.value
        if not isinstance(container, cst.Attribute):
            return
        key = literal_string(subscript_key(target))
        if container.attr.value == "globals":
            is_env, owner = self._env_owner(container.value, scope)
            if is_env:  # app.jinja_env.globals["url_for"] = custom
                self._add(owner, target, context_names=[key if key is not None else ANY_NAME])
        elif container.attr.value == "jinja_options":
            options = _Options()
            if key is None:
                options.opaque = True
            else:
                self._option(options, key, value, scope)
            self._add_options(self._ref(container.value, scope), target, options)

    def _attribute_target(self, target: cst.Attribute, value: cst.BaseExpression, scope: Scope) -> None:
        name = target.attr.value
        if name == "jinja_options":  # app.jinja_options = {...}
            options = _Options()
            self._options(options, value, scope)
            self._add_options(self._ref(target.value, scope), target, options)
        elif name in DELIMITERS:
            is_env, owner = self._env_owner(target.value, scope)
            if is_env and not _is_default(name, value):  # app.jinja_env.variable_start_string = "[["
                self._add(owner, target, custom_syntax=True)

    def _class_attribute(self, target: cst.Name, value: cst.BaseExpression, scope: Scope) -> None:
        """`class MyFlask(Flask): jinja_options = {...}` (the index applies it only to Flask subclasses)."""
        if target.value == "jinja_options":
            options = _Options()
            self._options(options, value, scope)
            self._add_options(f"class:{self._class_ref(scope.qualname)}", target, options)

    # -- calls -----------------------------------------------------------------------------
    def call(self, call: CallInfo) -> None:
        self.function = call.function
        func = call.node.func
        if not isinstance(func, cst.Attribute):
            return
        method = func.attr.value
        receiver = func.value
        if method == "add_extension":
            is_env, owner = self._env_owner(receiver, call.scope)
            if is_env:  # app.jinja_env.add_extension("jinja2.ext.do")
                options = _Options()
                self._extension(options, argument(call.node, 0, "extension"), call.scope)
                self._add_options(owner, call.node, options)
        elif method == "update" and isinstance(receiver, cst.Attribute):
            self._update(call, receiver)
        elif method in CONTEXT_PROCESSORS and len(call.node.args) == 1:
            # app.context_processor(inject): the names `inject` returns
            names = self._processor_names(call.node.args[0].value, call.scope)
            self._add(self._ref(receiver, call.scope), call.node, context_names=names)
        elif method in ADD_TEMPLATE_GLOBAL:
            name_node = argument(call.node, 1, "name")
            function = argument(call.node, 0, "f")
            name = literal_string(name_node) if name_node is not None else _function_name(function)
            self._add(self._ref(receiver, call.scope), call.node, context_names=[name or ANY_NAME])

    def _update(self, call: CallInfo, receiver: cst.Attribute) -> None:
        """`app.jinja_env.globals.update(url_for=f)` and `app.jinja_options.update(extensions=[...])`."""
        if receiver.attr.value == "globals":
            is_env, owner = self._env_owner(receiver.value, call.scope)
            if is_env:
                self._add(owner, call.node, context_names=self._update_names(call.node))
        elif receiver.attr.value == "jinja_options":
            options = _Options()
            for arg in call.node.args:
                if arg.keyword is not None:
                    self._option(options, arg.keyword.value, arg.value, call.scope)
                else:
                    self._options(options, arg.value, call.scope)
            self._add_options(self._ref(receiver.value, call.scope), call.node, options)

    def _update_names(self, call: cst.Call) -> list[str]:
        names: list[str] = []
        for arg in call.args:
            if arg.keyword is not None:
                names.append(arg.keyword.value)
            else:
                names.extend(_mapping_names(arg.value))
        return _unique(names)

    # -- functions: context processors and template globals -------------------------------
    def decorated(self, info: FunctionInfo) -> None:
        self.function = None
        scope = info.scope.parent or self.model.module_scope  # decorators run in the enclosing scope
        for decorator in info.node.decorators:
            node = decorator.decorator
            func = node.func if isinstance(node, cst.Call) else node
            if not isinstance(func, cst.Attribute):
                continue
            method = func.attr.value
            owner = self.model.ref_of(func.value, scope)
            if method in CONTEXT_PROCESSORS and node is func:
                self._add(owner, node, context_names=_returned_names(info.node))
            elif method in TEMPLATE_GLOBAL_DECORATORS:
                name_node = argument(node, 0, "name") if isinstance(node, cst.Call) else None
                name = literal_string(name_node) if name_node is not None else info.name
                self._add(owner, node, context_names=[name or ANY_NAME])

    def _processor_names(self, node: cst.BaseExpression, scope: Scope) -> list[str]:
        if isinstance(node, cst.Lambda):
            return _mapping_names(node.body)
        ref = self.model.ref_of(node, scope)
        info = self._function_refs().get(ref) if ref is not None else None
        return _returned_names(info.node) if info is not None else [ANY_NAME]

    def _function_refs(self) -> dict[str, FunctionInfo]:
        if self._functions is None:
            self._functions = {self._class_ref(f.qualname): f for f in self.model.functions}
        return self._functions

    # -- options ---------------------------------------------------------------------------
    def _options(self, options: _Options, node: cst.BaseExpression, scope: Scope, depth: int = 0) -> None:
        """A jinja_options mapping: `{...}`, `dict(Flask.jinja_options, ...)`, or a name bound to one."""
        if depth > MAX_DEPTH:
            options.opaque = True
        elif isinstance(node, cst.Dict):
            for element in node.elements:
                if isinstance(element, cst.DictElement):
                    key = literal_string(element.key)
                    if key is None:
                        options.opaque = True
                    else:
                        self._option(options, key, element.value, scope)
                elif not _is_jinja_options(element.value):
                    options.opaque = True
        elif isinstance(node, cst.Call) and self._is_option_mapping(node.func, scope):
            for arg in node.args:
                if arg.keyword is not None:
                    self._option(options, arg.keyword.value, arg.value, scope)
                elif not _is_jinja_options(arg.value):
                    options.opaque = True
        elif isinstance(node, cst.Name) and self._bound(node, scope) is not None:
            self._options(options, self._bound(node, scope), scope, depth + 1)  # type: ignore[arg-type]
        elif not _is_jinja_options(node):
            options.opaque = True

    def _option(self, options: _Options, key: str, value: cst.BaseExpression, scope: Scope) -> None:
        if key == "extensions":
            self._extensions(options, value, scope)
        elif key in DELIMITERS and not _is_default(key, value):
            options.custom_syntax = True

    def _extensions(self, options: _Options, node: cst.BaseExpression, scope: Scope, depth: int = 0) -> None:
        """A list of extensions: literals, classes, `Flask.jinja_options["extensions"] + [...]`."""
        if depth > MAX_DEPTH:
            options.opaque = True
        elif isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            for element in node.elements:
                if isinstance(element, cst.Element):
                    self._extension(options, element.value, scope)
                else:
                    options.opaque = True
        elif isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            self._extensions(options, node.left, scope, depth + 1)
            self._extensions(options, node.right, scope, depth + 1)
        elif isinstance(node, cst.Name) and self._bound(node, scope) is not None:
            self._extensions(options, self._bound(node, scope), scope, depth + 1)  # type: ignore[arg-type]
        elif not (isinstance(node, cst.Subscript) and _is_jinja_options(node.value)):
            options.opaque = True

    def _extension(self, options: _Options, node: cst.BaseExpression | None, scope: Scope) -> None:
        """One extension: a dotted-path string or a class, qualified through the imports."""
        name = literal_string(node)
        if name is None and node is not None:
            name = self.model.qualify(node, scope) or self.model.ref_of(node, scope)
        if name is None or name.startswith("param:"):
            options.opaque = True
        elif name not in options.extensions:
            options.extensions.append(name)

    # -- helpers ---------------------------------------------------------------------------
    def _env_owner(self, node: cst.BaseExpression, scope: Scope) -> tuple[bool, str | None]:
        """Whether `node` is an app's (or blueprint's) `jinja_env`, directly or through a name, and whose."""
        if isinstance(node, cst.Name):
            bound = self._bound(node, scope)
            if bound is None:
                return False, None
            node = bound
        if isinstance(node, cst.Attribute) and node.attr.value == "jinja_env":
            return True, self._ref(node.value, scope)
        return False, None

    def _ref(self, node: cst.BaseExpression, scope: Scope) -> str | None:
        """The owner's ref, as registrations name it; `self` in a method is the class ("class:<ref>")."""
        ref = self.model.ref_of(node, scope)
        if ref == "param:self" and self.function is not None and self.function.class_name is not None:
            return f"class:{self._class_ref(self.function.class_name)}"
        return ref

    def _bound(self, node: cst.Name, scope: Scope) -> cst.BaseExpression | None:
        """What a local (not imported) name was last assigned."""
        if self.model.qualify(node, scope) is not None:
            return None
        return self.model.value_of(node.value, scope)

    def _is_option_mapping(self, func: cst.BaseExpression, scope: Scope) -> bool:
        qualified = self.model.qualify(func, scope)
        if qualified is not None:
            return qualified in OPTION_MAPPINGS
        return dotted_name(func) == "dict" and not scope.binds("dict")

    def _class_ref(self, qualname: str) -> str:
        return f"{self.model.module_name}.{qualname}" if self.model.module_name else qualname

    def _add_options(self, owner: str | None, node: cst.CSTNode, options: _Options) -> None:
        if options.extensions or options.custom_syntax or options.opaque:
            self._add(
                owner, node, extensions=options.extensions, custom_syntax=options.custom_syntax, opaque=options.opaque
            )

    def _add(
        self,
        owner: str | None,
        node: cst.CSTNode,
        *,
        extensions: list[str] | None = None,
        custom_syntax: bool = False,
        opaque: bool = False,
        context_names: list[str] | None = None,
    ) -> None:
        self.settings.append(
            JinjaSetting(owner, self.model.span(node), extensions or [], custom_syntax, opaque, context_names or [])
        )


class _Returns(LeanVisitor):
    """The return statements of one function body (not of the functions or classes nested in it)."""

    def __init__(self) -> None:
        self.values: list[cst.BaseExpression | None] = []

    def visit_Return(self, node: cst.Return) -> bool:
        self.values.append(node.value)
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False


def _returned_names(function: cst.FunctionDef) -> list[str]:
    """The context names a context processor returns: the literal keys of every returned dict
    (ANY_NAME for a return that is not a dict display or `dict(...)` call with literal keys)."""
    returns = _Returns()
    returns.walk(function.body)
    names: list[str] = []
    for value in returns.values:
        if value is not None and not (isinstance(value, cst.Name) and value.value == "None"):
            names.extend(_mapping_names(value))
    return _unique(names)


def _mapping_names(node: cst.BaseExpression) -> list[str]:
    """Keys of a dict display or `dict(k=v)`; ANY_NAME stands for keys that are not literal."""
    if isinstance(node, cst.Call) and dotted_name(node.func) == "dict":
        names = [a.keyword.value for a in node.args if a.keyword is not None]
        if any(a.keyword is None for a in node.args):
            names.append(ANY_NAME)
        return names
    return _literal_keys(node)


def _literal_keys(node: cst.BaseExpression) -> list[str]:
    """Keys of a dict display (ANY_NAME for a computed key or a `**spread`); [ANY_NAME] for anything else."""
    if not isinstance(node, cst.Dict):
        return [ANY_NAME]
    names: list[str] = []
    for element in node.elements:
        key = literal_string(element.key) if isinstance(element, cst.DictElement) else None
        names.append(key if key is not None else ANY_NAME)
    return names


def _function_name(node: cst.BaseExpression | None) -> str | None:
    """`add_template_global(f)` registers under `f.__name__`: the name as written (None: unknown)."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    if isinstance(node, cst.Lambda):
        return "<lambda>"
    return None


def _is_jinja_options(node: cst.BaseExpression) -> bool:
    """`Flask.jinja_options` / `app.jinja_options`: Flask's own options, copied unchanged."""
    return isinstance(node, cst.Attribute) and node.attr.value == "jinja_options"


def _is_default(key: str, value: cst.BaseExpression) -> bool:
    """A delimiter set to Jinja's own default (or None for the line prefixes) changes nothing."""
    default = DELIMITERS[key]
    if isinstance(value, cst.Name) and value.value == "None":
        return default is None
    return default is not None and literal_string(value) == default


def _unique(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))
