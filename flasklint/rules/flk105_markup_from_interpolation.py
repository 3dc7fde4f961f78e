from __future__ import annotations

from typing import Iterable

import libcst as cst

from flasklint.diagnostics import Applicability, Diagnostic, Fix, Severity
from flasklint.edits import replace_node
from flasklint.model.module import ModuleModel
from flasklint.model.placeholders import format_placeholders, is_plain_field, printf_placeholders
from flasklint.model.trusted_markup import TrustedMarkup, trusted_markups
from flasklint.rule import Case, FileRule, Finding


class MarkupFromInterpolation(FileRule):
    """
    ## What it does
    Reports `Markup(...)` (`markupsafe.Markup`, and `flask.Markup` / `jinja2.Markup` in old
    projects) built from an f-string, `%`, `.format()`, `+` or `.join()` that splices in data, and
    `Markup()` given request data as is. It is an error when request data (route variables,
    `request.args`, `request.form`, ...) reaches the Markup, also through a helper of the same
    module that a view calls with it; a warning when a field read from other data
    (`model.phone_number`, `self.name`, `row["title"]`: stored text, typically) is spliced in
    right in the call. The model does not know a field's type, so a numeric column
    (`Markup("<b>{}</b>".format(self.price))`) is warned about too; the fix is harmless there.

    Not reported: `Markup("<b>{}</b>").format(x)`, `Markup("<b>%s</b>") % x` and
    `Markup("<b>") + x` (Markup's own operators escape `x`), `Markup(escape(x))`, literals,
    module-level constants, and values made by a call (`Markup(f"<a {html_params(**kw)}>")`,
    a helper's result): a call may return markup the code built on purpose, which a linter cannot
    tell from text. For the same reason a local the function assembled (`Markup("".join(items))`)
    and a bare parameter (its callers decide what it holds: request data from a caller in the same
    module is an error) are not warned about. It does not follow data through other modules.

    Request data that a view returns inside a `Markup` is reported here, not by FLK101, so one
    problem makes one finding.

    ## Why is this bad?
    `Markup` marks a string as safe HTML: Jinja's autoescaping and `escape()` leave it alone from
    then on. `Markup(f"<b>{q}</b>")` with `q = "<script>alert(1)</script>"` renders the script
    (verified: `<b><script>alert(1)</script></b>`), in a view's response or in any template that
    prints it. `Markup("<b>{}</b>").format(q)` gives `<b>&lt;script&gt;...</b>`.

    ## Example
    ```python
    from flask import Flask, request
    from markupsafe import Markup

    app = Flask(__name__)

    @app.route("/badge")
    def badge():
        user = request.args["user"]
        return Markup(f"<b>{user}</b>")
    ```

    ## Use instead
    ```python
    from flask import Flask, request
    from markupsafe import Markup

    app = Flask(__name__)

    @app.route("/badge")
    def badge():
        user = request.args["user"]
        return Markup("<b>{}</b>").format(user)
    ```

    ## Fix safety
    The fix moves the interpolation onto the Markup: `Markup(f"<b>{x}</b>")` becomes
    `Markup("<b>{}</b>").format(x)`, `Markup("<b>%s</b>" % x)` becomes `Markup("<b>%s</b>") % x`
    and `Markup("<b>{}</b>".format(x))` becomes `Markup("<b>{}</b>").format(x)`. Each value is
    then escaped unless it is itself a Markup. It is offered only where that is mechanical: plain
    `{x}` / `%s` / `{}` fields (no conversion, format spec or `=`), one positional argument. It is
    safe when every value spliced in is request data or a Markup: escaped text reads the same in
    the browser, and only the client's markup stops working. Otherwise it is unsafe: a value may
    be an HTML fragment the code built as a plain string, which would show up escaped. No fix for
    `+` chains (`Markup(a) + b` would escape the literal parts after `b` too) or request data
    passed as is (wrap it in `escape()` or drop the `Markup`).
    """

    code = "FLK105"
    name = "markup-from-interpolation"
    summary = "`Markup()` built from interpolated data, which it trusts as HTML"
    severity = Severity.ERROR
    fix_availability = "sometimes"
    kinds = frozenset({"python"})
    invalid = [
        Case(
            '''
from flask import Flask, request
from markupsafe import Markup

app = Flask(__name__)

@app.route("/badge")
def badge():
    user = request.args["user"]
    return Markup(f"<b>{user}</b>")
''',
            Finding(
                (10, 11, 10, 35),
                "`request.args` value interpolated into `Markup()`, which trusts it as HTML (XSS): let"
                " `Markup(...).format()` escape it",
                fix="safe",
            ),
            fixed={
                "app.py": '''
from flask import Flask, request
from markupsafe import Markup

app = Flask(__name__)

@app.route("/badge")
def badge():
    user = request.args["user"]
    return Markup("<b>{}</b>").format(user)
''',
            },
        ),
        Case(
            '''
import markupsafe

def link(page):
    return markupsafe.Markup('<a href="%s">%s</a>' % (page.url, page.title))

def heading(page):
    return markupsafe.Markup("<h2>" + page.title + "</h2>")
''',
            Finding(
                (5, 11, 5, 76),
                "`page.url` interpolated into `Markup()`, which trusts it as HTML: let `Markup(...) % ...` escape it",
                fix="unsafe",
            ),
            Finding(
                (8, 11, 8, 59),
                "`page.title` interpolated into `Markup()`, which trusts it as HTML: escape it (`Markup(...) + x`"
                " escapes x)",
            ),
            fixed={
                "app.py": '''
import markupsafe

def link(page):
    return markupsafe.Markup('<a href="%s">%s</a>') % (page.url, page.title)

def heading(page):
    return markupsafe.Markup("<h2>" + page.title + "</h2>")
''',
            },
        ),
        Case(
            '''
from flask import Flask, request
from markupsafe import Markup

app = Flask(__name__)

def bold(text):
    return Markup("<b>{}</b>".format(text))

@app.route("/bio")
def bio():
    return bold(request.args["name"]) + Markup(request.form["bio"])
''',
            Finding(
                (8, 11, 8, 43),
                "`request.args` value interpolated into `Markup()`, which trusts it as HTML (XSS): let"
                " `Markup(...).format()` escape it",
                fix="safe",
            ),
            Finding(
                (12, 40, 12, 67),
                "`request.form` value passed to `Markup()`, which trusts it as HTML (XSS): escape it with"
                " `escape()` instead",
            ),
            fixed={
                "app.py": '''
from flask import Flask, request
from markupsafe import Markup

app = Flask(__name__)

def bold(text):
    return Markup("<b>{}</b>").format(text)

@app.route("/bio")
def bio():
    return bold(request.args["name"]) + Markup(request.form["bio"])
''',
            },
        ),
    ]
    valid = [
        '''
from flask import Flask, request
from markupsafe import Markup

app = Flask(__name__)

@app.route("/badge")
def badge():
    user = request.args["user"]
    return Markup("<b>{}</b>").format(user)
''',
        '''
from flask import Flask, request
from markupsafe import Markup, escape
from wtforms.widgets import html_params

app = Flask(__name__)
ICON = "<svg></svg>"
TEMPLATE = "<i>%s</i>"

@app.route("/page")
def page():
    q = request.args["q"]
    parts = [
        Markup("<b>%s</b>") % q,
        Markup("<b>") + q,
        Markup(escape(q)),
        Markup(f"<i>{escape(q)}</i>{ICON}"),
        Markup("<hr>"),
        Markup(ICON),
        Markup(TEMPLATE % ICON),
        Markup(f"<input {html_params(name=q)}>"),
        Markup(f"<p>{len(q)}</p>"),
    ]
    return Markup("").join(parts)
''',
    ]

    def check_module(self, model: ModuleModel) -> Iterable[Diagnostic]:
        for found in trusted_markups(model):
            severity = Severity.ERROR if found.taints else Severity.WARNING
            label, message = _message(model, found)
            fix = _format_fix(model, found)
            yield self.diagnostic(model.path, model.span(found.call), message, fix=fix, severity=severity, source=label)


def _message(model: ModuleModel, found: TrustedMarkup) -> tuple[str, str]:
    """(what is trusted, the message): request data first, else the first field read from data."""
    if not found.taints:
        label = f"`{model.code(found.data_holes[0]).strip()}`"
        return label, f"{label} interpolated into `Markup()`, which trusts it as HTML: {_advice(found)}"
    label = sorted(t.label for t in found.taints)[0]
    if not found.holes:
        return label, f"{label} passed to `Markup()`, which trusts it as HTML (XSS): escape it with `escape()` instead"
    return label, f"{label} interpolated into `Markup()`, which trusts it as HTML (XSS): {_advice(found)}"


def _advice(found: TrustedMarkup) -> str:
    value = found.argument
    if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Modulo):
        return "let `Markup(...) % ...` escape it"
    if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add):
        return "escape it (`Markup(...) + x` escapes x)"
    return "let `Markup(...).format()` escape it"


def _format_fix(model: ModuleModel, found: TrustedMarkup) -> Fix | None:
    """`Markup(f"<b>{x}</b>")` -> `Markup("<b>{}</b>").format(x)`; the same for `%` and `.format()`."""
    call, value = found.call, found.argument
    if len(call.args) != 1 or call.args[0].keyword is not None or call.args[0].star:
        return None
    rebuilt = _rebuilt(call, value)
    if rebuilt is None:
        return None
    safe = bool(found.taints) and all(_request_or_markup(found, h) for h in found.holes)
    applicability = Applicability.SAFE if safe else Applicability.UNSAFE
    return Fix("Let the Markup escape the values", (replace_node(model, call, model.code(rebuilt)),), applicability)


def _request_or_markup(found: TrustedMarkup, hole: cst.BaseExpression) -> bool:
    """Escaping request text keeps what the browser shows; a Markup is not escaped again."""
    analysis = found.analysis
    if analysis.is_markup(hole):
        return True
    return any(a.taint(hole) for a in analysis.dataflow.analyses(analysis.function, "html"))


def _rebuilt(call: cst.Call, value: cst.BaseExpression) -> cst.BaseExpression | None:
    """The Markup built first, then interpolated by its own escaping operator; None when not mechanical."""
    if isinstance(value, cst.FormattedString):
        fields = [p for p in value.parts if isinstance(p, cst.FormattedStringExpression)]
        if not all(is_plain_field(f) for f in fields) or "f" not in value.prefix.lower():
            return None
        text = "".join(p.value if isinstance(p, cst.FormattedStringText) else "{}" for p in value.parts)
        prefix = value.prefix.replace("f", "").replace("F", "")
        template = cst.SimpleString(f"{prefix}{value.start[len(value.prefix):]}{text}{value.end}")
        markup = call.with_changes(args=[cst.Arg(template)])
        format_call = cst.Call(cst.Attribute(markup, cst.Name("format")), [cst.Arg(f.expression) for f in fields])
        return _with_commas(format_call)
    if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Modulo):
        placeholders = printf_placeholders(_text(value.left) or "")
        if _text(value.left) is None or not placeholders or not all(p.plain for p in placeholders):
            return None
        return value.with_changes(left=call.with_changes(args=[cst.Arg(value.left)]))
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value == "format":
        receiver = value.func.value
        placeholders = format_placeholders(_text(receiver) or "")
        if _text(receiver) is None or not placeholders or not all(p.plain for p in placeholders):
            return None
        if any(arg.star for arg in value.args):
            return None
        return value.with_changes(func=value.func.with_changes(value=call.with_changes(args=[cst.Arg(receiver)])))
    return None


def _with_commas(call: cst.Call) -> cst.Call:
    """`cst.Call` built from bare `Arg`s prints no commas between them: add them."""
    args = list(call.args)
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    return call.with_changes(args=[a.with_changes(comma=comma) for a in args[:-1]] + args[-1:])


def _text(node: cst.BaseExpression) -> str | None:
    """A plain (not bytes, not f-) string literal's value."""
    if isinstance(node, cst.SimpleString) and isinstance(node.evaluated_value, str):
        return node.evaluated_value
    return None
