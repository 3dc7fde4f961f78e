from __future__ import annotations

import re
from typing import Iterable

import libcst as cst

from flasklint.diagnostics import Applicability, Diagnostic, Fix, Severity
from flasklint.edits import replace_node
from flasklint.model.module import ModuleModel
from flasklint.model.placeholders import is_plain_field
from flasklint.model.template_sources import TemplateSource, injectable_sources
from flasklint.rule import Case, FileRule, Finding

# Names a context variable must not take: the render functions' own parameter, Jinja's literals,
# and names Jinja gives a meaning of its own inside a template.
RESERVED = frozenset({"source", "true", "false", "none", "self", "loop", "super", "caller", "varargs", "kwargs"})


class TemplateStringInjection(FileRule):
    """
    ## What it does
    Reports a Jinja template compiled from a source that is not constant:
    `render_template_string(source)`, `stream_template_string(source)`, `jinja2.Template(source)`
    and `.from_string(source)` on a `jinja2.Environment(...)` or an app's `jinja_env`. It is an
    error when request data (route variables, `request.args`, `request.path`, ...) reaches the
    source, also through a helper of the same module that a view calls with it; a warning when
    the source is interpolated (f-string, `%`, `.format()`, `+`, `.join()`) from other data: a
    parameter, what is read from one (`page.title`), or a local bound to those.

    Not reported: constant sources (literals, module-level constants), data passed as context
    variables (`render_template_string("<p>{{ q }}</p>", q=q)`), templates of a
    `jinja2.sandbox.SandboxedEnvironment`, and sources a call makes (`open("page.html").read()`, a
    loader): a template the project ships is constant enough, and a linter cannot tell where other
    calls get their text. Nor is an exception's text (`"<h3>%s</h3>" % str(e)`): it may echo request
    data (a database error quoting the query), but the dataflow cannot tell. It does not follow data
    through other modules.

    Request data spliced into the source of a template a view returns is reported here, not by
    FLK101: it is template injection, which also lets the attacker's markup through.

    ## Why is this bad?
    A template's source is code. With `render_template_string(f"<p>Hello {name}</p>")`, a visitor
    who sends `{{7*7}}` gets `<p>Hello 49</p>`; `{{ config.SECRET_KEY }}` prints the secret key
    (and so forges sessions), and `{{ cycler.__init__.__globals__.os.popen("id").read() }}`
    runs a shell command on the server (verified: `uid=0(root) ...`). `escape()` does not help:
    `{{7*7}}` holds no HTML special character. Passed as a context variable, the same value is
    only printed, and autoescaped.

    ## Example
    ```python
    from flask import Flask, render_template_string

    app = Flask(__name__)

    @app.route("/hello/<name>")
    def hello(name):
        return render_template_string(f"<h1>Hello {name}!</h1>")
    ```

    ## Use instead
    ```python
    from flask import Flask, render_template_string

    app = Flask(__name__)

    @app.route("/hello/<name>")
    def hello(name):
        return render_template_string("<h1>Hello {{ name }}!</h1>", name=name)
    ```

    ## Fix safety
    For `render_template_string` and `stream_template_string` with an f-string source whose
    fields are plain names or attributes (`{name}`, `{user.name}`; no conversion or format spec),
    or a `"...%s..." % value` / `% (a, b)` source with only `%s` (and `%%`) and such values, and
    whose text holds no `{` or `}`, the fix moves each value into a context variable:
    `render_template_string(f"<p>{user.name}</p>")` becomes
    `render_template_string("<p>{{ user_name }}</p>", user_name=user.name)`. It is unsafe: the
    values are now autoescaped (a field that held markup shows up escaped), and any `{{ ... }}`
    they hold is printed instead of run. No fix for other sources, for `jinja2.Template` /
    `from_string` (the context is given later, to `render()`), or when a variable name would clash
    with a keyword the call already has.
    """

    code = "FLK106"
    name = "template-string-injection"
    summary = "Template compiled from a non-constant source (server-side template injection)"
    severity = Severity.ERROR
    fix_availability = "sometimes"
    kinds = frozenset({"python"})
    invalid = [
        Case(
            '''
from flask import Flask, render_template_string

app = Flask(__name__)

@app.route("/hello/<name>")
def hello(name):
    return render_template_string(f"<h1>Hello {name}!</h1>")
''',
            Finding(
                (8, 11, 8, 60),
                "route variable `name` in the source of a template, which runs any `{{ ... }}` it holds"
                " (server-side template injection): pass it to the template as a variable",
                fix="unsafe",
            ),
            fixed={
                "app.py": '''
from flask import Flask, render_template_string

app = Flask(__name__)

@app.route("/hello/<name>")
def hello(name):
    return render_template_string("<h1>Hello {{ name }}!</h1>", name=name)
''',
            },
        ),
        Case(
            '''
import jinja2
from flask import Flask, render_template, render_template_string, request
from markupsafe import escape

app = Flask(__name__)

@app.errorhandler(404)
def not_found(error):
    page = """<h1>Not found</h1><p>%s</p>""" % escape(request.url)
    return render_template_string(page), 404

def render_page(page):
    return jinja2.Environment().from_string(f"<h1>{page.title}</h1>").render()
''',
            Finding(
                (11, 11, 11, 39),
                "`request.url` in the source of a template, which runs any `{{ ... }}` it holds (server-side"
                " template injection): pass it to the template as a variable",
            ),
            Finding(
                (14, 11, 14, 69),
                "`page.title` in the source of a template, which runs any `{{ ... }}` it holds: pass it to the"
                " template as a variable",
            ),
        ),
    ]
    valid = [
        '''
from flask import Flask, render_template_string

app = Flask(__name__)

@app.route("/hello/<name>")
def hello(name):
    return render_template_string("<h1>Hello {{ name }}!</h1>", name=name)
''',
        '''
import jinja2
from jinja2.sandbox import SandboxedEnvironment
from flask import Flask, render_template_string, request

app = Flask(__name__)
PAGE = "<p>{{ q }}</p>"
LAYOUT = "<main>%s</main>" % PAGE

@app.route("/search")
def search():
    q = request.args["q"]
    with open("templates/search.html") as f:
        shipped = f.read()
    parts = [
        render_template_string(PAGE, q=q),
        render_template_string(LAYOUT, q=q),
        render_template_string(shipped, q=q),
        jinja2.Template("<i>{{ q }}</i>").render(q=q),
        SandboxedEnvironment().from_string(q).render(),
    ]
    return "".join(parts)
''',
    ]

    def check_module(self, model: ModuleModel) -> Iterable[Diagnostic]:
        for found in injectable_sources(model):
            if found.taints:
                label = sorted(t.label for t in found.taints)[0]
                severity = Severity.ERROR
                risk = " (server-side template injection)"
            else:
                label = f"`{model.code(found.data_holes[0]).strip()}`"
                severity = Severity.WARNING
                risk = ""
            message = (
                f"{label} in the source of a template, which runs any `{{{{ ... }}}}` it holds{risk}: pass it to"
                " the template as a variable"
            )
            fix = _context_fix(model, found)
            yield self.diagnostic(model.path, model.span(found.call), message, fix=fix, severity=severity, source=label)


def _context_fix(model: ModuleModel, found: TemplateSource) -> Fix | None:
    """`render_template_string(f"<p>{q}</p>")` -> `render_template_string("<p>{{ q }}</p>", q=q)` (and `"%s" % q`)."""
    call, source = found.call, found.source
    if not found.renders or not call.args or call.args[0].value is not source or call.args[0].keyword is not None:
        return None
    split = _fstring_pieces(source) if isinstance(source, cst.FormattedString) else _percent_pieces(source)
    if split is None:
        return None
    opening, pieces, closing = split
    taken = {arg.keyword.value for arg in call.args if arg.keyword is not None}
    variables: dict[str, str] = {}  # context variable -> the expression it holds
    text = []
    for piece in pieces:
        if isinstance(piece, str):
            if "{" in piece or "}" in piece:
                return None  # literal braces would meet Jinja's delimiters
            text.append(piece)
            continue
        expression = model.code(piece).strip()
        variable = _variable(piece)
        if variable is None or variable in taken or variables.get(variable, expression) != expression:
            return None
        variables[variable] = expression
        text.append(f"{{{{ {variable} }}}}")
    keywords = "".join(f", {name}={expression}" for name, expression in variables.items())
    edit = replace_node(model, source, f"{opening}{''.join(text)}{closing}{keywords}")
    return Fix("Pass the values to the template as variables", (edit,), Applicability.UNSAFE)


Pieces = tuple[str, list["str | cst.BaseExpression"], str]  # opening quote, literal text and values, closing


def _fstring_pieces(source: cst.FormattedString) -> Pieces | None:
    """An f-string's text parts (as written) and plain fields; None for a conversion, format spec or `=`."""
    pieces: list[str | cst.BaseExpression] = []
    for part in source.parts:
        if isinstance(part, cst.FormattedStringText):
            pieces.append(part.value)
        elif is_plain_field(part):
            pieces.append(part.expression)
        else:
            return None
    prefix = source.prefix.replace("f", "").replace("F", "")
    return f"{prefix}{source.start[len(source.prefix):]}", pieces, source.end


def _percent_pieces(source: cst.BaseExpression) -> Pieces | None:
    """`"<p>%s</p>" % q` / `% (a, b)`: a plain literal whose only `%` are `%s` (one per value) and `%%`."""
    if not (isinstance(source, cst.BinaryOperation) and isinstance(source.operator, cst.Modulo)):
        return None
    literal, right = source.left, source.right
    if not isinstance(literal, cst.SimpleString) or not isinstance(literal.evaluated_value, str):
        return None
    quote, body = literal.quote, literal.raw_value
    opening = literal.value[: len(literal.prefix) + len(quote)]
    if "\\" in body:
        return None  # an escape could spell a `%` the text does not show
    values = [e.value for e in right.elements] if isinstance(right, cst.Tuple) else [right]
    tokens = re.split(r"(%%|%s)", body)
    if any("%" in t for t in tokens[::2]) or len(tokens[1::2]) - tokens[1::2].count("%%") != len(values):
        return None
    pieces: list[str | cst.BaseExpression] = []
    remaining = iter(values)
    for index, token in enumerate(tokens):
        if index % 2 == 0 or token == "%%":
            pieces.append("%" if token == "%%" else token)
        else:
            pieces.append(next(remaining))
    return opening, pieces, quote


def _variable(node: cst.BaseExpression) -> str | None:
    """The context variable for a `name` / `obj.attr` value (`obj_attr`); None for other expressions."""
    names: list[str] = []
    while isinstance(node, cst.Attribute):
        names.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    variable = "_".join([node.value, *reversed(names)])
    return None if variable in RESERVED or variable.startswith("_") else variable
