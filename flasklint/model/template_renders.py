"""What a Python module hands to templates, and how the app's Jinja escapes it.

For each `render_template("t.html", v=...)` / `stream_template(...)` with a literal name: which
keyword values carry request data (the shared taint analysis, purpose "html": `escape()` and
`bleach.clean()`-like calls unknown to it give clean values), and whether a view or error handler
sends the rendered text as its HTML response (a template rendered for an e-mail is not one).

A template of a raw `jinja2.Environment()` (or `jinja2.Template`) created without `autoescape=`
does not escape at all: its `.render(v=...)` result returned by a view is HTML built from raw values.

And the settings that change Flask's autoescaping (Flask escapes only `.html`, `.htm`, `.xml`,
`.xhtml` and `.svg` templates): `app.jinja_env.autoescape = False`, `jinja_options` with
`"autoescape": False` (an assignment or a Flask subclass's class attribute), a
`select_jinja_autoescape` override that returns False: "off"; any other value or override (which
may escape more templates, `.j2` say): "custom".
"""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from flasklint.model.cst_helpers import argument, literal_string
from flasklint.model.dataflow import TaintAnalysis, dataflow_for, is_value
from flasklint.model.facts import Span
from flasklint.model.module import FunctionInfo, ModuleModel, view_owners
from flasklint.model.responses import html_handlers, response_bodies
from flasklint.model.walk import libcst_visitor
from flasklint.records import dataclass

RENDERS = frozenset(
    {
        "flask.render_template",
        "flask.templating.render_template",
        "flask.stream_template",
        "flask.templating.stream_template",
    }
)
# Jinja's own environments and templates: they do not autoescape unless told to.
ENVIRONMENT_CLASSES = frozenset(
    {"jinja2.Environment", "jinja2.environment.Environment", "jinja2.sandbox.SandboxedEnvironment"}
)
TEMPLATE_CLASSES = frozenset({"jinja2.Template", "jinja2.environment.Template"})
TEMPLATE_LOADERS = frozenset({"get_template", "from_string", "select_template", "get_or_select_template"})
# The template names Flask's `select_jinja_autoescape` escapes (flask/sansio/app.py).
AUTOESCAPED_SUFFIXES = (".html", ".htm", ".xml", ".xhtml", ".svg")


@dataclass(frozen=True)
class Passed:
    """A keyword value of a render call that carries request data."""

    keyword: str
    label: str  # the source, for messages: "`request.args` value", "route variable `name`"
    span: Span  # of the value


@dataclass(frozen=True)
class Render:
    template: str
    span: Span  # of the template name
    passed: tuple[Passed, ...]
    html: bool  # a view or error handler sends the rendered text as its HTML response
    owners: tuple[str, ...]  # route-owner refs of the enclosing view ((): unknown, or not a view)


@dataclass(frozen=True)
class AutoescapeSetting:
    how: str  # "off" | "custom"
    span: Span
    text: str  # the setting as written (first line), for messages


def tainted_renders(model: ModuleModel) -> Iterator[Render]:
    """Render calls with a literal template name that pass request data to it."""
    handlers = {function.node: function for function in html_handlers(model)}
    for call in model.calls:
        if call.qualified not in RENDERS or call.function is None:
            continue
        name = literal_string(argument(call.node, 0, "template_name_or_list"))
        if name is None:
            continue
        analysis = dataflow_for(model).analysis(call.function, "html")
        passed = tuple(_passed(model, analysis, call.node))
        if passed:
            handler = handlers.get(call.function.node)
            html = handler is not None and _sent(model, handler, analysis, call.node)
            span = model.span(argument(call.node, 0, "template_name_or_list"))
            yield Render(name, span, passed, html, tuple(view_owners(call.function)))


def _passed(model: ModuleModel, analysis: TaintAnalysis, call: cst.Call) -> Iterator[Passed]:
    for arg in call.args:
        if arg.keyword is None:
            continue
        labels = sorted(t.label for t in analysis.taint(arg.value) if is_value(t.kind))
        if labels:
            yield Passed(arg.keyword.value, labels[0], model.span(arg.value))


def _sent(model: ModuleModel, view: FunctionInfo, analysis: TaintAnalysis, call: cst.Call) -> bool:
    """Whether the view responds with the rendered text as HTML (directly, or through a name bound to it)."""
    for body in response_bodies(model, view, analysis):
        if body is call:
            return True
        if isinstance(body, cst.Name) and any(d.value is call for d in analysis.reaching(body)):
            return True
    return False


def raw_jinja_renders(model: ModuleModel) -> Iterator[Passed]:
    """Request data passed to `.render()` of a template from a raw `jinja2.Environment` (or `Template`)
    that does not autoescape, when a view returns the result as its HTML response."""
    for view in html_handlers(model):
        analysis = dataflow_for(model).analysis(view, "html")
        for body in response_bodies(model, view, analysis):
            for call in _rendered(analysis, body):
                yield from _passed(model, analysis, call)


def _rendered(analysis: TaintAnalysis, body: cst.BaseExpression) -> Iterator[cst.Call]:
    """The `template.render(...)` call a body is (or a name bound to it holds), when it does not escape."""
    values = [body]
    if isinstance(body, cst.Name):
        values = [d.value for d in analysis.reaching(body) if d.how == "assign" and not d.unpack and d.value]
    for value in values:
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value == "render":
            if _unescaped_template(analysis, value.func.value, depth=0):
                yield value


def _unescaped_template(analysis: TaintAnalysis, node: cst.BaseExpression, depth: int) -> bool:
    """`Template(src)`, `env.get_template(...)` / `env.from_string(...)` of an Environment without autoescape."""
    if depth > 3:
        return False
    if isinstance(node, cst.Name):
        return any(_unescaped_template(analysis, value, depth + 1) for value in _bound(analysis, node))
    if not isinstance(node, cst.Call):
        return False
    if analysis.callee(node.func) in TEMPLATE_CLASSES:
        return not _escapes(node)
    if isinstance(node.func, cst.Attribute) and node.func.attr.value in TEMPLATE_LOADERS:
        return _unescaped_environment(analysis, node.func.value, depth + 1)
    return False


def _unescaped_environment(analysis: TaintAnalysis, node: cst.BaseExpression, depth: int) -> bool:
    if isinstance(node, cst.Name):
        return any(_unescaped_environment(analysis, value, depth + 1) for value in _bound(analysis, node))
    return isinstance(node, cst.Call) and analysis.callee(node.func) in ENVIRONMENT_CLASSES and not _escapes(node)


def _bound(analysis: TaintAnalysis, name: cst.Name) -> list[cst.BaseExpression]:
    """The values a name is bound to: its reaching local assignments, else the module's (one binding)."""
    if analysis.flow.is_local(name.value):
        definitions = analysis.reaching(name)
        if all(d.how == "assign" and not d.unpack and d.value is not None for d in definitions):
            return [d.value for d in definitions if d.value is not None]
        return []
    value = analysis.model.value_of(name.value, analysis.function.scope)
    return [value] if value is not None else []


def _escapes(call: cst.Call) -> bool:
    """`autoescape=` given anything but False (True, `select_autoescape(...)`, a function), or options
    passed with `**` (they may hold it): it may escape."""
    if any(arg.star == "**" for arg in call.args):
        return True
    value = argument(call, None, "autoescape")
    return value is not None and not _is_false(value)


def is_autoescaped(name: str) -> bool:
    return name.lower().endswith(AUTOESCAPED_SUFFIXES)


# -- settings ----------------------------------------------------------------------------------
def autoescape_settings(model: ModuleModel) -> Iterator[AutoescapeSetting]:
    for assign in model.assigns:
        if assign.value is None:
            continue
        for target in assign.targets:
            how = _setting(target, assign.value)
            if how is not None:
                yield AutoescapeSetting(how, model.span(assign.node), _first_line(model, assign.node))
    for function in model.functions:
        if function.class_name is not None and function.name == "select_jinja_autoescape":
            how = "off" if _returns_false(function) else "custom"
            yield AutoescapeSetting(how, model.span(function.node.name), f"def {function.name}(...)")


def _setting(target: cst.BaseExpression, value: cst.BaseExpression) -> str | None:
    """What assigning `value` to `target` does to autoescaping (None: nothing)."""
    if isinstance(target, cst.Attribute) and target.attr.value == "autoescape":
        owner = target.value
        if isinstance(owner, cst.Attribute) and owner.attr.value == "jinja_env":
            return "off" if _is_false(value) else "custom"
        return None
    if isinstance(target, cst.Subscript) and _names_options(target.value):
        key = target.slice[0].slice if len(target.slice) == 1 else None
        if isinstance(key, cst.Index) and literal_string(key.value) == "autoescape":
            return "off" if _is_false(value) else "custom"
        return None
    if _names_options(target):
        option = _option(value)
        if option is not None:
            return "off" if _is_false(option) else "custom"
    return None


def _names_options(node: cst.BaseExpression) -> bool:
    """`jinja_options` (a class attribute) or `x.jinja_options`."""
    if isinstance(node, cst.Name):
        return node.value == "jinja_options"
    return isinstance(node, cst.Attribute) and node.attr.value == "jinja_options"


def _option(value: cst.BaseExpression) -> cst.BaseExpression | None:
    """The `autoescape` entry of `{"autoescape": ...}` or `dict(..., autoescape=...)`."""
    if isinstance(value, cst.Dict):
        for element in value.elements:
            if isinstance(element, cst.DictElement) and literal_string(element.key) == "autoescape":
                return element.value
    if isinstance(value, cst.Call):
        return argument(value, None, "autoescape")
    return None


def _is_false(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "False"


def _returns_false(function: FunctionInfo) -> bool:
    """Every return of the override is the constant False."""
    finder = libcst_visitor(_Returns)(function.node)
    function.node.visit(finder)
    returns = finder.returns
    return bool(returns) and all(r.value is not None and _is_false(r.value) for r in returns)


class _Returns:
    """The function's own returns (not those of functions nested in it)."""

    def __init__(self, function: cst.FunctionDef) -> None:
        self.function = function
        self.returns: list[cst.Return] = []

    def visit_Return(self, node: cst.Return) -> None:
        self.returns.append(node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return node is self.function


def _first_line(model: ModuleModel, node: cst.CSTNode) -> str:
    return model.code(node).strip().splitlines()[0]
