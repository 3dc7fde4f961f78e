"""Templates compiled from a source string that is not constant: where template injection can happen.

Jinja runs whatever `{{ ... }}` / `{% ... %}` the *source* of a template holds, with the context's
objects in reach (`{{ config }}`, `{{ cycler.__init__.__globals__.os.popen("id").read() }}`), so
data in a source is code, whereas data passed as a context variable is only printed (and escaped).
The compiling calls are `flask.render_template_string` / `flask.stream_template_string` (their
`source`), `jinja2.Template(source)`, and `.from_string(source)` on a `jinja2.Environment(...)` or a
Flask app's `jinja_env`. A `SandboxedEnvironment` is not one: its templates cannot reach Python
internals.

A source is found when it carries request data for the "template" purpose (dataflow.py: HTML
escaping leaves `{{` alone, so `escape()` does not clean it) — also through a helper of the same
module that a view calls with it — or when it is built by interpolation with a hole that holds data
(built_strings.py). Anything else counts as constant enough: literals, module-level names, and
values a call makes (a file the project ships, read with `open(...).read()`, a loader's result).
"""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from flasklint.model.built_strings import holds_data, interpolation_holes
from flasklint.model.cst_helpers import argument
from flasklint.model.dataflow import Definition, TaintAnalysis, Taints, dataflow_for, request_values
from flasklint.model.module import CallInfo, ModuleModel
from flasklint.model.responses import RENDER_TEMPLATE_STRING
from flasklint.records import dataclass

JINJA_TEMPLATES = frozenset({"jinja2.Template", "jinja2.environment.Template"})
JINJA_ENVIRONMENTS = frozenset({"jinja2.Environment", "jinja2.environment.Environment"})


@dataclass(frozen=True)
class TemplateSource:
    """`call` compiles `source` as a template; it holds request data (`taints`) or other data (`data_holes`)."""

    call: cst.Call
    source: cst.BaseExpression
    renders: bool  # render_template_string / stream_template_string: the call takes context keywords
    taints: Taints  # request data the source carries (empty: only other data)
    holes: tuple[cst.BaseExpression, ...]  # the values interpolated into it (empty: not interpolated)
    data_holes: tuple[cst.BaseExpression, ...]  # those of them that hold data
    analysis: TaintAnalysis  # the function on its own


def injectable_sources(model: ModuleModel) -> Iterator[TemplateSource]:
    """Each template compiled inside a function from request data or from a string interpolated with data."""
    dataflow = dataflow_for(model)
    for call_info in model.calls:
        function = call_info.function
        if function is None:
            continue
        source, renders = _compiled_source(model, call_info)
        if source is None:
            continue
        try:
            taints = request_values(dataflow.analyses(function, "template"), source)
            analysis = dataflow.analysis(function, "template")
            holes = tuple(interpolation_holes(analysis, source) or ())
            data_holes = tuple(h for h in holes if holds_data(analysis, h))
        except RecursionError:
            continue  # an expression nested too deeply to follow: skip this call, not the file
        if taints or data_holes:
            yield TemplateSource(call_info.node, source, renders, taints, holes, data_holes, analysis)


def _compiled_source(model: ModuleModel, call_info: CallInfo) -> tuple[cst.BaseExpression | None, bool]:
    """The source a call compiles as a Jinja template (None when it compiles none), and whether it renders."""
    call = call_info.node
    if call_info.qualified in RENDER_TEMPLATE_STRING:
        return argument(call, 0, "source"), True
    if call_info.qualified in JINJA_TEMPLATES:
        return argument(call, 0, "source"), False
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value == "from_string":
        if is_jinja_environment(model, call_info, func.value):
            return argument(call, 0, "source"), False
    return None, False


def is_jinja_environment(model: ModuleModel, call_info: CallInfo, node: cst.BaseExpression) -> bool:
    """`jinja2.Environment(...)` (not a sandboxed one), `app.jinja_env`, or a name bound to either."""
    if isinstance(node, cst.Call):
        return model.qualify(node.func, call_info.scope) in JINJA_ENVIRONMENTS
    if isinstance(node, cst.Attribute):
        return node.attr.value == "jinja_env"
    if isinstance(node, cst.Name) and call_info.function is not None:
        flow = dataflow_for(model).flow(call_info.function)
        if flow.is_local(node.value):
            definitions = flow.reaching(node)
            return bool(definitions) and all(_binds_environment(model, call_info, d) for d in definitions)
        value = model.value_of(node.value, call_info.scope)
        return value is not None and not isinstance(value, cst.Name) and is_jinja_environment(model, call_info, value)
    return False


def _binds_environment(model: ModuleModel, call_info: CallInfo, definition: Definition) -> bool:
    value = definition.value
    if definition.how != "assign" or definition.unpack or value is None or isinstance(value, cst.Name):
        return False  # a name bound to a name: not followed (no cycles to guard)
    return is_jinja_environment(model, call_info, value)
