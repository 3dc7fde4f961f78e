from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

import libcst as cst

from flasklint.diagnostics import Applicability, Diagnostic, Fix, Severity
from flasklint.edits import add_import_edit, replace_node, wrap_node
from flasklint.model.cst_helpers import argument, literal_string
from flasklint.model.dataflow import (
    BYTES,
    TEXT,
    Definition,
    TaintAnalysis,
    Taints,
    added_operands,
    dataflow_for,
    is_value,
)
from flasklint.model.module import FunctionInfo, ModuleModel
from flasklint.rule import FileRule

RESPONSE_CLASSES = frozenset({"flask.Response", "flask.wrappers.Response"})
MAKE_RESPONSE = frozenset({"flask.make_response", "flask.helpers.make_response"})
HTML_TYPES = ("text/html", "application/xhtml+xml")
# printf-style placeholders; numeric types only accept numbers, so they cannot carry markup.
PRINTF = re.compile(
    r"%(?:\((?P<key>[^)]*)\))?[#0\- +]*(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d+))?[hlL]?"
    r"(?P<type>[diouxXeEfFgGcrsa%])"
)
NUMERIC_PRINTF = frozenset("diouxXeEfFgGc")
NUMERIC_SPEC = frozenset("bcdoxXneEfFgG%")


@dataclass
class Hole:
    """A request-derived value spliced into HTML, and how it can be escaped in place."""

    node: cst.BaseExpression
    taints: Taints
    wrap: str | None  # "escape": escape(x); "str": str(escape(x)) (inside `+`); None: no sound fix


@dataclass(frozen=True)
class Placeholder:
    key: str | int  # printf: position or mapping key; str.format: position or keyword
    plain: bool  # `{}` / `%s`: escaping the argument keeps the output's shape
    numeric: bool  # `%d` / `{:d}`: only numbers fit, so no markup can get in


class UnescapedInputInHtml(FileRule):
    """
    ## What it does
    Reports request data (route variables, `request.args`, `request.form`, `request.json`,
    cookies, headers, upload filenames, ...) interpolated with an f-string, `%`, `.format()` or `+`
    into a string that a view returns as HTML — directly, as the body of a returned tuple, or
    through `make_response()` / `Response()` without a non-HTML mimetype.

    ## Why is this bad?
    Flask sends a returned string as `text/html`, and Jinja's autoescaping does not apply to
    strings built in Python. A visitor who follows a link such as
    `/hello/<script>...</script>` runs the attacker's script on your site (reflected XSS). The
    Flask quickstart warns: escape every user-provided value you put into HTML.

    Values that cannot carry markup are not reported: `<int:...>`, `<float:...>`, `<uuid:...>`
    and `<any(...):...>` route variables, `int()`/`float()`/`len()` results,
    `request.args.get(k, type=int)`, escaped values (`markupsafe.escape`, `html.escape`,
    `Markup(...).format(...)`), and JSON, `render_template()` or non-HTML responses.

    ## Example
    ```python
    from flask import Flask

    app = Flask(__name__)

    @app.route("/hello/<name>")
    def hello(name):
        return f"<h1>Hello {name}!</h1>"
    ```

    ## Use instead
    ```python
    from flask import Flask
    from markupsafe import escape

    app = Flask(__name__)

    @app.route("/hello/<name>")
    def hello(name):
        return f"<h1>Hello {escape(name)}!</h1>"
    ```

    ## Fix safety
    The fix wraps the value in `escape()` and imports it from markupsafe. It is unsafe: a
    value that is meant to hold markup (an HTML fragment the view trusts) would show up escaped.
    Inside a `+` concatenation it writes `str(escape(...))`, because adding a `Markup` to a string
    escapes the string too. No fix is offered where escaping would change the formatting
    (`{x!r}`, `{x:>10}`, `%r`), for bytes, or when the name `escape` is already taken.
    """

    code = "FLK101"
    name = "unescaped-input-in-html"
    summary = "Request data interpolated into an HTML response without escaping"
    severity = Severity.ERROR
    fix_availability = "unsafe"
    kinds = frozenset({"python"})
    invalid = [
        '''
from flask import Flask

app = Flask(__name__)

@app.route("/<name>")
def hello(name):
    return f"Hello, {name}!"
''',
        '''
from flask import Flask, request

app = Flask(__name__)

@app.route("/search")
def search():
    q = request.args.get("q", "")
    return "<p>Results for %s</p>" % q
''',
        '''
from flask import Flask, make_response
import flask

app = Flask(__name__)

@app.post("/comment")
def comment():
    body = "<li>{}</li>".format(flask.request.form["text"])
    return make_response(body, 201)
''',
        '''
from flask import Flask, request

app = Flask(__name__)

@app.route("/items")
def items():
    html = "<ul>"
    for item in request.args.getlist("item"):
        html += "<li>" + item + "</li>"
    return html, 200, {"Content-Type": "text/html; charset=utf-8"}
''',
    ]
    valid = [
        '''
from flask import Flask
from markupsafe import escape

app = Flask(__name__)

@app.route("/<name>")
def hello(name):
    return f"Hello, {escape(name)}!"
''',
        '''
from flask import Flask

app = Flask(__name__)

@app.route("/post/<int:post_id>")
def show_post(post_id):
    return f"Post {post_id}"
''',
        '''
from flask import Flask, jsonify, render_template, request

app = Flask(__name__)

@app.route("/api")
def api():
    q = request.args["q"]
    if q == "json":
        return jsonify(message=f"<p>{q}</p>")
    if q == "dict":
        return {"message": f"<p>{q}</p>"}
    return render_template("page.html", q=q)
''',
        '''
from flask import Flask, Response, request

app = Flask(__name__)

@app.route("/plain")
def plain():
    return Response(f"Hello {request.args['name']}", mimetype="text/plain")

@app.route("/tuple")
def as_text():
    return f"Hello {request.args['name']}", 200, {"Content-Type": "text/plain"}
''',
    ]

    def check_module(self, model: ModuleModel) -> Iterable[Diagnostic]:
        dataflow = dataflow_for(model)
        for view in model.views():
            analysis = dataflow.analysis(view, "html")
            finder = _Interpolations(analysis)
            try:
                for body in _response_bodies(model, view, analysis):
                    finder.body(body)
            except RecursionError:
                continue  # an expression nested too deeply to follow: skip this view, not the file
            for hole in finder.holes.values():
                yield self._diagnostic(model, view, analysis, hole)

    def _diagnostic(self, model: ModuleModel, view: FunctionInfo, analysis: TaintAnalysis, hole: Hole) -> Diagnostic:
        label = sorted(t.label for t in hole.taints)[0]
        message = f"{label} interpolated into HTML without escaping (XSS): wrap it in `escape()`"
        return self.diagnostic(
            model.path, model.span(hole.node), message, fix=_escape_fix(model, view, analysis, hole), source=label
        )


# -- where HTML leaves the view ---------------------------------------------------------------


def _response_bodies(model: ModuleModel, view: FunctionInfo, analysis: TaintAnalysis) -> Iterator[cst.BaseExpression]:
    """Expressions the view sends as an HTML body: returned values and response constructor bodies."""
    for returned in analysis.flow.returns:
        value = returned.value
        if value is None or _response_call(analysis, value) is not None:
            continue
        if isinstance(value, cst.Tuple):
            body = _tuple_body(analysis, value)
            if body is not None:
                yield body
        else:
            yield value
    for call_info in model.calls:
        if call_info.function is not view:
            continue
        body = _constructed_body(model, view, analysis, call_info.node)
        if body is not None:
            yield body


def _response_call(analysis: TaintAnalysis, node: cst.BaseExpression) -> str | None:
    """"response" for Flask's Response class, "make_response" for make_response(), else None."""
    if not isinstance(node, cst.Call):
        return None
    callee = analysis.callee(node.func)
    if callee in RESPONSE_CLASSES:
        return "response"
    if isinstance(node.func, cst.Attribute) and node.func.attr.value == "response_class":
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
        states.add(_header_state(name, value))
    for state in ("unknown", "other", "html"):
        if state in states:
            return state
    return None


def _header_state(name: str, value: cst.BaseExpression) -> str | None:
    """What setting one response header does to the body: "html", "other", "unknown" or None.

    A download (`Content-Disposition: attachment`) is saved, not rendered, so it is "other".
    """
    header = name.lower()
    if header == "content-type":
        return _mimetype_state(value)
    if header == "content-disposition":
        prefix = literal_string(value)
        if prefix is None and isinstance(value, cst.FormattedString) and value.parts:
            first = value.parts[0]
            prefix = first.value if isinstance(first, cst.FormattedStringText) else None
        if prefix is None:
            return "unknown"
        return "other" if prefix.strip().lower().startswith("attachment") else None
    return None


def _mimetype_state(node: cst.BaseExpression) -> str:
    value = literal_string(node)
    if value is None:
        return "unknown"
    return "html" if value.strip().lower().startswith(HTML_TYPES) else "other"


def _constructed_body(
    model: ModuleModel, view: FunctionInfo, analysis: TaintAnalysis, call: cst.Call
) -> cst.BaseExpression | None:
    """The body of `make_response(...)` / `Response(...)` when the response stays HTML."""
    kind = _response_call(analysis, call)
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
        states += [_mimetype_state(m) for m in mimetypes]
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
            if header is not None and _header_state(header, assign.value) not in (None, "html"):
                return True
    setters = {f"{n}.headers.set" for n in names} | {f"{n}.headers.add" for n in names}
    for call_info in model.calls:
        if call_info.function is view and call_info.dotted in setters:
            header = literal_string(argument(call_info.node, 0, "_key"))
            value = argument(call_info.node, 1, "_value")
            if header is not None and value is not None and _header_state(header, value) not in (None, "html"):
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


# -- where request data is spliced into the HTML ------------------------------------------------


class _Interpolations:
    """Finds the tainted holes of the string-building expressions a response body is made of."""

    def __init__(self, analysis: TaintAnalysis) -> None:
        self.analysis = analysis
        self.holes: dict[cst.BaseExpression, Hole] = {}
        self._seen: set[tuple[Definition, cst.BaseExpression | None]] = set()
        self._following: set[Definition] = set()

    def body(self, node: cst.BaseExpression) -> None:
        """A value sent as the body: only the strings it is built from matter, not raw echoes."""
        if self._is_interpolation(node):
            self._structure(node)
        elif isinstance(node, cst.Name):
            for definition in self.analysis.reaching(node):
                self._definition(definition, as_body=True)
        elif isinstance(node, cst.IfExp):
            self.body(node.body)
            self.body(node.orelse)
        elif isinstance(node, cst.BooleanOperation):
            self.body(node.left)
            self.body(node.right)

    def _definition(self, definition: Definition, as_body: bool) -> bool:
        """Descend into a binding that builds a string; True when it holds a raw tainted value.

        A raw value only counts inside an interpolation (`as_body=False`): a view that returns
        `request.args["q"]` as is echoes it, which this rule leaves alone.
        """
        value = definition.value
        if definition.how == "augment" and value is not None:
            self._descend((definition, value), lambda: self._operand(value, "str"))
            return False
        if definition.how != "assign" or definition.unpack or value is None:
            return not as_body and bool(_values(self.analysis.definition_taint(definition)))
        raw = False
        for part in _alternatives(value):  # `a if c else b`, `a or b`: each may be what the name holds
            if self._is_interpolation(part):
                self._descend((definition, part), lambda part=part: self._structure(part))
            elif isinstance(part, cst.Name):
                raw = self._aliased(definition, part, as_body) or raw
            elif not as_body and _values(self.analysis.taint(part)):
                raw = True
        return raw

    def _builds_string(self, definition: Definition) -> bool:
        if definition.how == "augment":
            return True
        value = definition.value
        if definition.how != "assign" or value is None:
            return False
        return any(self._is_interpolation(part) for part in _alternatives(value))

    def _aliased(self, definition: Definition, name: cst.Name, as_body: bool) -> bool:
        """`x = y`: what `y` holds (guarding against `x = y; y = x` cycles)."""
        if definition in self._following:
            return False
        self._following.add(definition)
        try:
            return any([self._definition(d, as_body) for d in self.analysis.reaching(name)])
        finally:
            self._following.discard(definition)

    def _descend(self, key: tuple[Definition, cst.BaseExpression | None], action: Callable[[], None]) -> None:
        """Visit each string-building binding once, however many holes or returns lead to it."""
        if key not in self._seen:
            self._seen.add(key)
            action()

    def _operand(self, node: cst.BaseExpression, wrap: str | None) -> None:
        """A value spliced into the HTML: report it, or descend when it is itself built from pieces."""
        if self._is_interpolation(node):
            self._structure(node)
            return
        if isinstance(node, cst.Name):
            definitions = self.analysis.reaching(node)
            if [d for d in definitions if self._definition(d, as_body=False)]:
                if any(self._builds_string(d) for d in definitions):
                    wrap = None  # it may also hold markup the view built: escaping the name would break it
                self._report(node, self.analysis.taint(node), wrap)
            return
        if isinstance(node, cst.Call) and self._is_helper_call(node):
            wrap = None  # the helper may build markup on purpose: escaping its result changes the page
        self._report(node, self.analysis.taint(node), wrap)

    def _report(self, node: cst.BaseExpression, taints: Taints, wrap: str | None) -> None:
        values = _values(taints)
        if not values or node in self.holes:
            return
        if any(t.kind == BYTES for t in values):
            wrap = None  # escape(b"...") renders the bytes' repr
        self.holes[node] = Hole(node, values, wrap)

    # -- string-building expressions -----------------------------------------------------------
    def _is_interpolation(self, node: cst.BaseExpression) -> bool:
        if isinstance(node, cst.FormattedString):
            return any(isinstance(p, cst.FormattedStringExpression) for p in node.parts)
        if isinstance(node, cst.ConcatenatedString):
            return self._is_interpolation(node.left) or self._is_interpolation(node.right)
        if isinstance(node, cst.BinaryOperation):
            if isinstance(node.operator, cst.Add):
                return any(self._is_textual(leaf) for leaf in added_operands(node))
            if isinstance(node.operator, cst.Modulo):
                return self._is_textual(node.left)
            return False
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            method = node.func.attr.value
            if method in ("format", "join") and node.args:
                return self.analysis.callee(node.func) is None and self._is_textual(node.func.value)
        return False

    def _is_textual(self, node: cst.BaseExpression) -> bool:
        """Whether an operand is a string (so `+` and `%` on it build text, not numbers or lists)."""
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            return True
        if self._is_interpolation(node):
            return True
        if isinstance(node, cst.Call):
            return self.analysis.callee(node.func) == "builtins.str"
        if isinstance(node, cst.Name):
            values = [d.value for d in self.analysis.reaching(node) if d.how in ("assign", "augment") and d.value]
            if any(isinstance(v, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)) for v in values):
                return True
        return any(t.kind in (TEXT, BYTES) for t in self.analysis.taint(node))

    def _structure(self, node: cst.BaseExpression) -> None:
        if self.analysis.is_markup(node):
            return  # Markup(...) + x, Markup(...) % x, Markup(...).format(x) escape x
        if isinstance(node, cst.FormattedString):
            self._fstring(node)
        elif isinstance(node, cst.ConcatenatedString):
            for part in (node.left, node.right):
                if self._is_interpolation(part):
                    self._structure(part)
        elif isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            leaves = added_operands(node)
            wrap = None if any(_is_bytes_literal(leaf) for leaf in leaves) else "str"
            for leaf in leaves:
                self._operand(leaf, wrap)
        elif isinstance(node, cst.BinaryOperation):
            self._percent(node)
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            if node.func.attr.value == "format":
                self._format(node)
            else:
                self._join(node)

    def _fstring(self, node: cst.FormattedString) -> None:
        for part in node.parts:
            if not isinstance(part, cst.FormattedStringExpression):
                continue
            spec = _spec_text(part.format_spec)
            if spec is not None and spec[-1:] in NUMERIC_SPEC:
                continue
            plain = part.conversion is None and not part.format_spec and part.equal is None
            self._operand(part.expression, "escape" if plain else None)

    def _percent(self, node: cst.BinaryOperation) -> None:
        template = literal_string(node.left)
        placeholders = _printf_placeholders(template) if template is not None else None
        if template is None and self._is_interpolation(node.left):
            self._structure(node.left)
        right = node.right
        if isinstance(right, cst.Tuple) and all(isinstance(e, cst.Element) for e in right.elements):
            keys: list[str | int | None] = list(range(len(right.elements)))
            values = [e.value for e in right.elements]
        elif isinstance(right, cst.Dict) and all(isinstance(e, cst.DictElement) for e in right.elements):
            keys = [literal_string(e.key) for e in right.elements if isinstance(e, cst.DictElement)]
            values = [e.value for e in right.elements if isinstance(e, cst.DictElement)]
        else:
            single = placeholders is not None and len(placeholders) == 1 and placeholders[0].key == 0
            keys, values = [0 if single else None], [right]
        for key, value in zip(keys, values):
            self._placed(value, key, placeholders)

    def _format(self, call: cst.Call) -> None:
        receiver = call.func.value  # type: ignore[attr-defined]
        template = literal_string(receiver)
        placeholders = _format_placeholders(template) if template is not None else None
        if template is None and self._is_interpolation(receiver):
            self._structure(receiver)
        position = 0
        for arg in call.args:
            if arg.star:
                self._operand(arg.value, None)
            elif arg.keyword is not None:
                self._placed(arg.value, arg.keyword.value, placeholders)
            else:
                self._placed(arg.value, position, placeholders)
                position += 1

    def _placed(self, value: cst.BaseExpression, key: str | int | None, placeholders: list[Placeholder] | None) -> None:
        """An argument of `%` or `.format()`: skipped when only numeric placeholders take it."""
        if placeholders is None:
            self._operand(value, None)
            return
        if key is None:  # one value for several placeholders (a tuple or dict held in a variable)
            if any(not p.numeric for p in placeholders):
                self._operand(value, None)
            return
        uses = [p for p in placeholders if p.key == key]
        if not uses or all(p.numeric for p in uses):
            return
        self._operand(value, "escape" if all(p.plain for p in uses) else None)

    def _join(self, call: cst.Call) -> None:
        iterable = call.args[0].value
        if isinstance(iterable, (cst.List, cst.Tuple, cst.Set)):
            for element in iterable.elements:
                self._operand(element.value, None if isinstance(element, cst.StarredElement) else "escape")
        elif isinstance(iterable, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
            self._operand(iterable.elt, "escape")
        elif isinstance(iterable, cst.Name):
            self._joined_name(iterable)
        else:
            self._report(iterable, self.analysis.taint(iterable), None)

    def _joined_name(self, name: cst.Name) -> None:
        """`"".join(parts)`: the elements `parts` was built from (literal, comprehension, appends)."""
        raw = False
        for definition in self.analysis.reaching(name):
            value = definition.value
            if (definition, value) in self._seen:
                continue
            self._seen.add((definition, value))
            if definition.how == "append" and value is not None:
                self._operand(value, "escape")
            elif definition.how == "assign" and not definition.unpack and isinstance(value, (cst.List, cst.Tuple)):
                for element in value.elements:
                    self._operand(element.value, None if isinstance(element, cst.StarredElement) else "escape")
            elif definition.how == "assign" and isinstance(value, (cst.ListComp, cst.GeneratorExp)):
                self._operand(value.elt, "escape")
            elif _values(self.analysis.definition_taint(definition)):
                raw = True
        if raw:
            self._report(name, self.analysis.taint(name), None)

    def _is_helper_call(self, node: cst.Call) -> bool:
        return (
            isinstance(node.func, cst.Name)
            and self.analysis.callee(node.func) is None
            and node.func.value in self.analysis.dataflow.module_functions
        )


def _alternatives(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    """The values an expression may evaluate to: the branches of `a if c else b` and `a or b`."""
    found: list[cst.BaseExpression] = []
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, cst.IfExp):
            pending.extend((current.orelse, current.body))
        elif isinstance(current, cst.BooleanOperation):
            pending.extend((current.right, current.left))
        else:
            found.append(current)
    return found


def _values(taints: Taints) -> Taints:
    return frozenset(t for t in taints if is_value(t.kind))


def _is_bytes_literal(node: cst.BaseExpression) -> bool:
    return isinstance(node, (cst.SimpleString, cst.ConcatenatedString)) and isinstance(node.evaluated_value, bytes)


def _spec_text(spec: object) -> str | None:
    """A format spec's text when it has no nested fields, else None."""
    if not spec:
        return None
    parts = list(spec)  # type: ignore[call-overload]
    if not all(isinstance(p, cst.FormattedStringText) for p in parts):
        return None
    return "".join(p.value for p in parts)


def _printf_placeholders(template: str) -> list[Placeholder] | None:
    """`%s`-style placeholders in order; None when `*` widths make positions unknowable."""
    placeholders: list[Placeholder] = []
    position = 0
    for match in PRINTF.finditer(template):
        kind = match["type"]
        if kind == "%":
            continue
        if match["width"] == "*" or match["precision"] == "*":
            return None
        key: str | int = match["key"] if match["key"] is not None else position
        position += match["key"] is None
        placeholders.append(Placeholder(key, kind == "s", kind in NUMERIC_PRINTF))
    return placeholders


def _format_placeholders(template: str) -> list[Placeholder] | None:
    """`{}`-style fields of a `.format()` template; None when it does not parse."""
    placeholders: list[Placeholder] = []
    automatic = 0
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError:
        return None
    for _, field, spec, conversion in fields:
        if field is None:
            continue
        head = re.split(r"[.\[]", field, maxsplit=1)[0]
        key: str | int
        if head == "":
            key, automatic = automatic, automatic + 1
        elif head.isdigit():
            key = int(head)
        else:
            key = head
        numeric = bool(spec) and "{" not in spec and spec[-1] in NUMERIC_SPEC
        plain = head == field and not spec and conversion is None
        placeholders.append(Placeholder(key, plain, numeric))
    return placeholders


# -- the fix -------------------------------------------------------------------------------------


def _escape_fix(model: ModuleModel, view: FunctionInfo, analysis: TaintAnalysis, hole: Hole) -> Fix | None:
    if hole.wrap is None:
        return None
    reference = analysis.dataflow.reference(view, "markupsafe.escape")
    if reference is None or (hole.wrap == "str" and analysis.dataflow.is_bound(view, "str")):
        return None
    function, needs_import = reference
    if hole.wrap == "str":
        edit = replace_node(model, hole.node, f"str({function}({model.code(hole.node).strip()}))")
    else:
        edit = wrap_node(model, hole.node, function)
    import_edit = add_import_edit(model, "markupsafe", "escape") if needs_import else None
    edits = (edit,) if import_edit is None else (edit, import_edit)
    return Fix("Wrap the value in `escape()`", edits, Applicability.UNSAFE)
