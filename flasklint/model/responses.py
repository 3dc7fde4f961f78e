"""Where a view's HTML leaves it: the bodies it returns or builds a response from, while they stay HTML.

Flask sends a returned string as `text/html`; a `(body, status, headers)` tuple, `make_response()`
or `Response()` keep it so unless a `Content-Type` (or `mimetype=`/`content_type=`) says otherwise or
a `Content-Disposition: attachment` makes it a download, and `r.mimetype = ...` /
`r.headers[...] = ...` after the construction can still retype it. Error handlers
(`@app.errorhandler(404)`, `register_error_handler`) return responses the same way. What a view
sends as HTML is what FLK101 looks into for unescaped request data (and the Markup/template rules to
come will); `render_template_string(src)` sends the template source it renders.
"""

from __future__ import annotations

import weakref
from typing import Iterator

import libcst as cst

from flasklint.model.cst_helpers import argument, literal_string
from flasklint.model.dataflow import TaintAnalysis
from flasklint.model.module import BLUEPRINT_CLASSES, FLASK_CLASSES, FunctionInfo, ModuleModel, Scope

RESPONSE_CLASSES = frozenset({"flask.Response", "flask.wrappers.Response"})
MAKE_RESPONSE = frozenset({"flask.make_response", "flask.helpers.make_response"})
HTML_TYPES = ("text/html", "application/xhtml+xml")
RENDER_TEMPLATE_STRING = frozenset(
    {
        "flask.render_template_string",
        "flask.templating.render_template_string",
        "flask.stream_template_string",
        "flask.templating.stream_template_string",
    }
)
ERROR_HANDLER_DECORATORS = frozenset({"errorhandler", "app_errorhandler"})
# Their `errorhandler` serialises what a handler returns (JSON by default): not an HTML response.
REST_API_PACKAGES = ("flask_restx", "flask_restplus")


def html_handlers(model: ModuleModel) -> Iterator[FunctionInfo]:
    """The functions whose return value Flask sends as the response: views and error handlers."""
    registered = _REGISTERED_HANDLERS.get(model)
    if registered is None:
        registered = _REGISTERED_HANDLERS[model] = _registered_error_handlers(model)
    for function in model.functions:
        if function.is_view or function.node in registered or _decorated_error_handler(model, function):
            yield function


def _decorated_error_handler(model: ModuleModel, function: FunctionInfo) -> bool:
    """`@app.errorhandler(404)`, `@bp.app_errorhandler(Exception)` (module-level or nested functions)."""
    if function.class_name is not None:
        return False
    outer = function.scope.parent or model.module_scope
    for decorator in function.node.decorators:
        call = decorator.decorator
        if isinstance(call, cst.Call) and _is_error_handler_registrar(model, call.func, outer) and len(call.args) == 1:
            return True
    return False


# Per module, found on first need: several rules ask (FLK101 twice, FLK305, the template renders),
# and the model's calls do not change once built. Weak keys: freed with the model.
_REGISTERED_HANDLERS: weakref.WeakKeyDictionary[ModuleModel, frozenset[cst.FunctionDef]] = weakref.WeakKeyDictionary()


def _registered_error_handlers(model: ModuleModel) -> frozenset[cst.FunctionDef]:
    """Functions passed to `app.register_error_handler(404, f)` or `app.errorhandler(404)(f)`."""
    found: set[cst.FunctionDef] = set()
    for call_info in model.calls:
        func = call_info.node.func
        # Exact type tests (libcst's node classes have no subclasses): isinstance runs Python code per mismatch.
        if type(func) is cst.Attribute and func.attr.value == "register_error_handler":
            if _is_rest_api(model, func.value, call_info.scope):
                continue
            handler = argument(call_info.node, 1, "f")
        elif type(func) is cst.Call and _is_error_handler_registrar(model, func.func, call_info.scope):
            handler = argument(call_info.node, 0, "f")
        else:
            continue
        if isinstance(handler, cst.Name):
            function = _function_named(model, handler.value, call_info.scope)
            if function is not None:
                found.add(function.node)
    return frozenset(found)


def _is_error_handler_registrar(model: ModuleModel, func: cst.BaseExpression, scope: Scope) -> bool:
    return (
        isinstance(func, cst.Attribute)
        and func.attr.value in ERROR_HANDLER_DECORATORS
        and not _is_rest_api(model, func.value, scope)
    )


def _is_rest_api(model: ModuleModel, owner: cst.BaseExpression, scope: Scope) -> bool:
    """Whether the object a handler is registered on is (or, in a module using Flask-RESTX, may be) an `Api`.

    Where the module imports Flask-RESTX, only an owner built here by `Flask(...)` or
    `Blueprint(...)` is known to be Flask's.
    """
    value = model.value_of(owner.value, scope) if isinstance(owner, cst.Name) else None
    qualified = (model.qualify(value.func, scope) or "") if isinstance(value, cst.Call) else ""
    if _from_rest_api(qualified):
        return True
    uses_rest_api = any(_from_rest_api(target) for target in model.module_scope.imports.aliases.values())
    return uses_rest_api and qualified not in FLASK_CLASSES | BLUEPRINT_CLASSES


def _from_rest_api(qualified: str) -> bool:
    return qualified.split(".")[0] in REST_API_PACKAGES


def _function_named(model: ModuleModel, name: str, scope: Scope) -> FunctionInfo | None:
    """The function `name` means in `scope`: defined there or in an enclosing function or the module."""
    current: Scope | None = scope
    while current is not None:
        if current.kind != "class":
            for function in model.functions:
                if function.name == name and function.scope.parent is current and function.class_name is None:
                    return function
            if name in current.assigned or name in current.params:
                return None
        current = current.parent
    return None


def template_source(analysis: TaintAnalysis, node: cst.BaseExpression) -> cst.BaseExpression | None:
    """The template source `render_template_string(source, ...)` renders (the page is built from it)."""
    if not isinstance(node, cst.Call) or analysis.callee(node.func) not in RENDER_TEMPLATE_STRING:
        return None
    return argument(node, 0, "source")


def response_builders(model: ModuleModel) -> Iterator[FunctionInfo]:
    """Functions with no visible route that build a response (`make_response(...)`, `Response(...)`): one
    that reads `request` runs in a request all the same (a view registered where the model cannot see,
    a helper a view returns), so the HTML it builds from request data is a page."""
    handlers = {function.node for function in html_handlers(model)}
    builders: dict[cst.FunctionDef, FunctionInfo] = {}
    for call in model.calls:
        function = call.function
        if function is None or function.node in handlers or function.node in builders:
            continue
        if call.qualified in RESPONSE_CLASSES or call.qualified in MAKE_RESPONSE:
            builders[function.node] = function
    yield from builders.values()


def constructed_bodies(model: ModuleModel, function: FunctionInfo, analysis: TaintAnalysis) -> Iterator[cst.BaseExpression]:
    """The HTML bodies of the responses a function constructs (`make_response(body)`, `Response(body)`)."""
    for call_info in model.calls_in(function):
        body = _constructed_body(model, function, analysis, call_info.node)
        if body is not None:
            yield body


def response_bodies(model: ModuleModel, view: FunctionInfo, analysis: TaintAnalysis) -> Iterator[cst.BaseExpression]:
    """Expressions the view sends as an HTML body: returned values and response constructor bodies."""
    for returned in analysis.flow.returns:
        value = returned.value
        if value is None or response_call(analysis, value) is not None:
            continue
        if isinstance(value, cst.Tuple):
            body = _tuple_body(analysis, value)
            if body is not None:
                yield body
        else:
            yield value
    yield from constructed_bodies(model, view, analysis)


def response_call(analysis: TaintAnalysis, node: cst.BaseExpression) -> str | None:
    """"response" for Flask's Response class, "make_response" for make_response(), else None."""
    # Exact types: libcst's node classes have no subclasses, and isinstance against them (ABCs) runs Python code.
    if type(node) is not cst.Call:
        return None
    callee = analysis.callee(node.func)
    if callee in RESPONSE_CLASSES:
        return "response"
    if type(node.func) is cst.Attribute and node.func.attr.value == "response_class":
        return "response"  # app.response_class / current_app.response_class
    if callee in MAKE_RESPONSE:
        return "make_response"
    return None


def _tuple_body(analysis: TaintAnalysis, node: cst.Tuple) -> cst.BaseExpression | None:
    """The body of a `(body, status, headers)` return, unless the headers make it non-HTML."""
    elements = [e.value for e in node.elements if isinstance(e, cst.Element)]
    if len(elements) != len(node.elements) or not elements:
        return None
    for position, extra in enumerate(elements[1:], start=1):
        state = _headers_content_type(analysis, extra, may_be_status=position == 1)
        if state != "html" and state is not None:
            return None
    return elements[0]


def _headers_content_type(analysis: TaintAnalysis, node: cst.BaseExpression, may_be_status: bool) -> str | None:
    """What a tuple element says about Content-Type: "html", "other", "unknown", or None (nothing)."""
    if isinstance(node, cst.Name):
        values = [d.value for d in analysis.reaching(node) if d.how == "assign" and not d.unpack]
        if not values:
            module_value = analysis.model.value_of(node.value, analysis.function.scope)
            values = [module_value] if module_value is not None else []
        if not values:
            return None if may_be_status else "unknown"
        states = {_headers_content_type(analysis, v, may_be_status) for v in values if v is not None}
        for state in ("unknown", "other"):
            if state in states:
                return state
        return "html" if "html" in states else None
    pairs: list[tuple[cst.BaseExpression, cst.BaseExpression]] = []
    if isinstance(node, cst.Dict):
        if any(not isinstance(e, cst.DictElement) for e in node.elements):
            return "unknown"
        pairs = [(e.key, e.value) for e in node.elements if isinstance(e, cst.DictElement)]
    elif isinstance(node, (cst.List, cst.Tuple)):
        for element in node.elements:
            item = element.value
            if not (isinstance(item, cst.Tuple) and len(item.elements) == 2):
                return "unknown"
            pairs.append((item.elements[0].value, item.elements[1].value))
    elif isinstance(node, (cst.Integer, cst.SimpleString, cst.Attribute)):
        return None  # a status code, status line or HTTPStatus member
    else:
        return None if may_be_status else "unknown"
    states = set()
    for key, value in pairs:
        name = literal_string(key)
        if name is None:
            return "unknown"
        states.add(header_state(name, value))
    for state in ("unknown", "other", "html"):
        if state in states:
            return state
    return None


def header_state(name: str, value: cst.BaseExpression) -> str | None:
    """What setting one response header does to the body: "html", "other", "unknown" or None.

    A download (`Content-Disposition: attachment`) is saved, not rendered, so it is "other".
    """
    header = name.lower()
    if header == "content-type":
        return mimetype_state(value)
    if header == "content-disposition":
        prefix = literal_string(value)
        if prefix is None and isinstance(value, cst.FormattedString) and value.parts:
            first = value.parts[0]
            prefix = first.value if isinstance(first, cst.FormattedStringText) else None
        if prefix is None:
            return "unknown"
        return "other" if prefix.strip().lower().startswith("attachment") else None
    return None


def mimetype_state(node: cst.BaseExpression) -> str:
    """What a Content-Type or mimetype value makes of the body: "html", "other" or "unknown" (not a literal)."""
    value = literal_string(node)
    if value is None:
        return "unknown"
    return "html" if value.strip().lower().startswith(HTML_TYPES) else "other"


def _constructed_body(
    model: ModuleModel, view: FunctionInfo, analysis: TaintAnalysis, call: cst.Call
) -> cst.BaseExpression | None:
    """The body of `make_response(...)` / `Response(...)` when the response stays HTML."""
    kind = response_call(analysis, call)
    if kind is None:
        return None
    if kind == "make_response":
        arguments = [a.value for a in call.args if a.keyword is None and not a.star]
        if len(arguments) == 1 and isinstance(arguments[0], cst.Tuple):
            return _tuple_body(analysis, arguments[0])
        if not arguments or any(a.star for a in call.args):
            return None
        states = [_headers_content_type(analysis, a, may_be_status=True) for a in arguments[1:]]
        body = arguments[0]
    else:
        body = argument(call, 0, "response")
        headers = _present(argument(call, 2, "headers"))
        mimetypes = _present(argument(call, 3, "mimetype"), argument(call, 4, "content_type"))
        states = [_headers_content_type(analysis, h, may_be_status=False) for h in headers]
        states += [mimetype_state(m) for m in mimetypes]
    if body is None or any(state not in ("html", None) for state in states):
        return None
    if _retyped_later(model, view, call):
        return None
    return body


def _present(*nodes: cst.BaseExpression | None) -> list[cst.BaseExpression]:
    return [n for n in nodes if n is not None]


def _retyped_later(model: ModuleModel, view: FunctionInfo, call: cst.Call) -> bool:
    """`r = make_response(...)` followed by `r.mimetype = ...` or `r.headers["Content-Type"] = ...`."""
    names = {
        t.value
        for a in model.assigns
        if a.function is view and a.value is call
        for t in a.targets
        if isinstance(t, cst.Name)
    }
    if not names:
        return False
    for assign in model.assigns:
        if assign.function is not view or assign.value is None:
            continue
        for target in assign.targets:
            header = _assigned_header(target, names)
            if header is not None and header_state(header, assign.value) not in (None, "html"):
                return True
    setters = {f"{n}.headers.set" for n in names} | {f"{n}.headers.add" for n in names}
    for call_info in model.calls:
        if call_info.function is view and call_info.dotted in setters:
            header = literal_string(argument(call_info.node, 0, "_key"))
            value = argument(call_info.node, 1, "_value")
            if header is not None and value is not None and header_state(header, value) not in (None, "html"):
                return True
    return False


def _assigned_header(target: cst.BaseExpression, names: set[str]) -> str | None:
    """The header an assignment target sets on one of the response `names` (`r.mimetype`, `r.headers[k]`)."""
    if isinstance(target, cst.Attribute) and target.attr.value in ("mimetype", "content_type"):
        if isinstance(target.value, cst.Name) and target.value.value in names:
            return "content-type"
    if isinstance(target, cst.Subscript) and isinstance(target.value, cst.Attribute):
        headers = target.value
        if headers.attr.value == "headers" and isinstance(headers.value, cst.Name) and headers.value.value in names:
            key = target.slice[0].slice if len(target.slice) == 1 else None
            return literal_string(key.value) if isinstance(key, cst.Index) else None
    return None
