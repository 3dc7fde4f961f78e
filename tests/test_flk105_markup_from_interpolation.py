"""FLK105 markup-from-interpolation: `Markup()` trusting interpolated or request data as HTML."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from markupsafe import Markup

import rule_testing
from flasklint.diagnostics import Severity

HEADER = """\
from flask import Flask, request
from markupsafe import Markup, escape

app = Flask(__name__)
"""


def view(statements: str) -> str:
    body = textwrap.indent(textwrap.dedent(statements), "    ")
    return f'{HEADER}\n@app.route("/<name>")\ndef page(name):\n    q = request.args["q"]\n{body}\n'


def helper(statements: str) -> str:
    body = textwrap.indent(textwrap.dedent(statements), "    ")
    return f"{HEADER}\ndef widget(field, title):\n{body}"


def test_severity_follows_the_data(project) -> None:
    found = project(view('return Markup(f"<b>{q}</b>")'), select="FLK105")
    assert [(d.severity, d.data["source"]) for d in found] == [(Severity.ERROR, "`request.args` value")]
    found = project(helper('return Markup(f"<b>{field.title}</b>")'), select="FLK105")
    assert [(d.severity, d.data["source"]) for d in found] == [(Severity.WARNING, "`field.title`")]


def test_old_flask_markup_and_keyword_base(project) -> None:
    source = textwrap.dedent(
        """\
        import flask
        from flask import Markup, request

        app = flask.Flask(__name__)

        @app.route("/")
        def page():
            return flask.Markup("<b>%s</b>" % request.args["q"]) + Markup(base=f"<i>{request.args['q']}</i>")
        """
    )
    found = project(source, select="FLK105")
    assert [(d.start.row, d.start.column, d.fix and d.fix.applicability.value) for d in found] == [
        (8, 11, "safe"),
        (8, 59, None),  # `base=`: no mechanical rewrite
    ]


@pytest.mark.parametrize(
    ("statement", "after", "applicability"),
    [
        ('return Markup(f"<b>{q}</b><i>{name}</i>")', 'return Markup("<b>{}</b><i>{}</i>").format(q, name)', "safe"),
        ("return Markup(rf'<b>{q}</b>\\d')", "return Markup(r'<b>{}</b>\\d').format(q)", "safe"),
        ('return Markup(f"{{{q}}}")', 'return Markup("{{{}}}").format(q)', "safe"),
        ('return Markup("<b>%s</b>" % (q,))', 'return Markup("<b>%s</b>") % (q,)', "safe"),
        ('return Markup("<b>{}</b>".format(q))', 'return Markup("<b>{}</b>").format(q)', "safe"),
        # an escaped value or a Markup is not escaped twice by Markup's own operators
        (
            'return Markup(f"<b>{q}</b>{Markup(\'<hr>\')}")',
            'return Markup("<b>{}</b>{}").format(q, Markup(\'<hr>\'))',
            "safe",
        ),
        # a module constant may hold markup the app wrote: escaping it would change the page
        ('return Markup(f"{ICON}<b>{q}</b>")', 'return Markup("{}<b>{}</b>").format(ICON, q)', "unsafe"),
    ],
)
def test_fix_lets_the_markup_escape(tmp_path: Path, project, statement: str, after: str, applicability: str) -> None:
    source = view(statement).replace("app = Flask(__name__)\n", 'app = Flask(__name__)\nICON = "<svg/>"\n')
    found = project(source, select="FLK105")
    assert [d.fix and d.fix.applicability.value for d in found] == [applicability]
    assert rule_testing.fixed(tmp_path, {"app.py": source}, "FLK105").endswith(f"    {after}\n")


@pytest.mark.parametrize(
    "statement",
    [
        'return Markup(f"<b>{q!r}</b>")',  # a conversion: Markup's formatter would escape the repr differently
        'return Markup(f"<b>{q:>9}</b>")',
        'return Markup("<b>%d</b>" % q)',
        'return Markup("<b>" + q + "</b>")',  # Markup("<b>") + q + "</b>" would escape "</b>" too
        'return Markup(q)',
        'return Markup(f"<b>{q}</b>" f"<i>{name}</i>")',
    ],
)
def test_no_fix_where_the_rewrite_is_not_mechanical(project, statement: str) -> None:
    found = project(view(statement), select="FLK105")
    assert len(found) == 1 and found[0].fix is None


@pytest.mark.parametrize(
    ("original", "rewritten"),
    [
        (lambda q: Markup(f"<b>{q}</b>"), lambda q: Markup("<b>{}</b>").format(q)),
        (lambda q: Markup("<b>%s</b>" % q), lambda q: Markup("<b>%s</b>") % q),
        (lambda q: Markup("<b>{}</b>".format(q)), lambda q: Markup("<b>{}</b>").format(q)),
    ],
)
def test_the_rewrite_shows_the_same_text_and_escapes_markup(original, rewritten) -> None:
    """Why the fix is safe for request data: plain text renders the same, only the client's markup is escaped."""
    assert rewritten("Tom and Jerry") == original("Tom and Jerry")
    assert rewritten("<script>") == "<b>&lt;script&gt;</b>" != original("<script>")
    assert rewritten(Markup("<i>ok</i>")) == original(Markup("<i>ok</i>"))


@pytest.mark.parametrize(
    "statement",
    [
        'return Markup("<b>{}</b>").format(q) + Markup("<b>%s</b>") % q + Markup("<b>") + q',
        'return Markup(escape(q)) + Markup(f"<i>{escape(q)}</i>") + Markup(f"<p>{len(q)}</p>")',
        'return Markup("<hr>") + Markup(f"<b>{request.args.get(\'n\', type=int)}</b>")',
        'return Markup(f"<b>{helper_html(q)}</b>")',  # a call's result: may be markup the app built
    ],
)
def test_escaping_forms_and_calls_are_clean(project, statement: str) -> None:
    assert project(view(statement), select="FLK105") == []
