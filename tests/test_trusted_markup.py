"""`Markup(...)` calls that trust data (model/trusted_markup.py): request data, or a string interpolated from data."""

from __future__ import annotations

import textwrap

import libcst as cst

from flasklint.model.traversal import build_model
from flasklint.model.trusted_markup import trusted_markups
from flasklint.source import parse_source


def found(source: str) -> list[tuple]:
    """(line, source of the call, request labels, holes, data holes) of each trusting Markup call."""
    text = textwrap.dedent(source)
    tree = parse_source(text)
    assert isinstance(tree, cst.Module)
    model = build_model("app.py", "app", False, text, tree)
    code = model.code
    return [
        (
            model.span(m.call)[0],
            code(m.call).strip(),
            sorted(t.label for t in m.taints),
            [code(h).strip() for h in m.holes],
            [code(h).strip() for h in m.data_holes],
        )
        for m in trusted_markups(model)
    ]


def test_request_data_and_other_data() -> None:
    source = """\
    import flask
    import markupsafe
    from flask import Flask, request
    from markupsafe import Markup, escape

    app = Flask(__name__)
    ICON = "<svg/>"

    @app.route("/<name>")
    def view(name):
        q = request.args["q"]
        a = Markup(f"<b>{q}</b>")
        b = markupsafe.Markup("<i>%s</i>" % name)
        c = flask.Markup(q)
        d = Markup(escape(q)) + Markup("<b>{}</b>").format(q) + Markup("<b>%s</b>") % q + Markup("<b>") + q
        e = Markup(f"{ICON}{escape(q)}") + Markup(ICON)
        return a + b + c + d + e

    def widget(field):
        return Markup(f'<input name="{field.name}">')

    def label(text):
        return Markup(f"<label>{text}</label>")

    @app.route("/label")
    def show():
        return label(request.args["t"])
    """
    assert found(source) == [
        (12, 'Markup(f"<b>{q}</b>")', ["`request.args` value"], ["q"], []),
        (13, 'markupsafe.Markup("<i>%s</i>" % name)', ["route variable `name`"], ["name"], []),
        (14, "flask.Markup(q)", ["`request.args` value"], [], []),
        (20, "Markup(f'<input name=\"{field.name}\">')", [], ["field.name"], ["field.name"]),
        (23, 'Markup(f"<label>{text}</label>")', ["`request.args` value"], ["text"], []),  # from its caller
    ]


def test_other_data_must_be_a_field_spliced_right_in_the_call() -> None:
    """A bare parameter is its callers' business; a local may be an HTML fragment the function built."""
    source = """\
    from markupsafe import Markup, escape

    def cell(model, label, template):
        fragment = template % {"name": escape(model.name)}
        size = model.length // 1024
        return (
            Markup(f"<nobr>{model.phone_number}</nobr>")
            + Markup("<b>" + str(model["title"]) + "</b>")
            + Markup(f"<i>{label}</i>")
            + Markup(fragment)
            + Markup(f"{fragment}<hr>")
            + Markup(f"<p>{size} kB</p>")
        )
    """
    assert found(source) == [
        (7, 'Markup(f"<nobr>{model.phone_number}</nobr>")', [], ["model.phone_number"], ["model.phone_number"]),
        (8, 'Markup("<b>" + str(model["title"]) + "</b>")', [], ['str(model["title"])'], ['str(model["title"])']),
    ]


def test_module_level_and_lambda_markup_is_not_analysed() -> None:
    source = """\
    from markupsafe import Markup

    BANNER = Markup(f"<b>{__name__}</b>")
    bold = lambda text: Markup(f"<b>{text}</b>")
    """
    assert found(source) == []
