"""FLK106 template-string-injection: a Jinja template compiled from a source that is not constant."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from flask import Flask, render_template_string

import rule_testing
from flasklint.diagnostics import Severity

HEADER = """\
import jinja2
from flask import Flask, render_template_string, request, stream_template_string
from markupsafe import escape

app = Flask(__name__)
"""


def view(statements: str) -> str:
    body = textwrap.indent(textwrap.dedent(statements), "    ")
    return f'{HEADER}\n@app.route("/<name>")\ndef page(name):\n    q = request.args["q"]\n{body}\n'


def test_severity_follows_the_data(project) -> None:
    found = project(view('return render_template_string("<p>%s</p>" % escape(q))'), select="FLK106")
    assert [(d.severity, d.data["source"]) for d in found] == [(Severity.ERROR, "`request.args` value")]
    source = f"{HEADER}\ndef card(user):\n    return render_template_string(f'<p>{{user.bio}}</p>')\n"
    found = project(source, select="FLK106")
    assert [(d.severity, d.data["source"]) for d in found] == [(Severity.WARNING, "`user.bio`")]


def test_the_labelled_real_repository_shapes(project) -> None:
    """manuelz120/extremely-vulnerable-flask-app app.py:31 and we45/Vulnerable-Flask-App app/app.py:114."""
    source = textwrap.dedent(
        '''\
        from flask import Flask, render_template, render_template_string, request

        app = Flask(__name__)

        @app.errorhandler(404)
        def page_not_found(error):
            detailed_message = render_template_string(
                f"{error}. Requested URL was {request.path}"
            )
            return render_template("404.html", detailed_message=detailed_message)

        @app.errorhandler(405)
        def pnf(e):
            template = \'\'\'<html>
            <h3>%s</h3>
            </html>
            \'\'\' % request.url

            return render_template_string(template, dir = dir, help = help, locals = locals),404
        '''
    )
    found = project(source, select="FLK10")
    assert [(d.code, d.start.row, d.start.column, d.severity, d.data["source"]) for d in found] == [
        ("FLK106", 7, 23, Severity.ERROR, "`request.path`"),
        ("FLK106", 19, 11, Severity.ERROR, "`request.url`"),  # not FLK101 as well: one problem, one finding
    ]


@pytest.mark.parametrize(
    ("statement", "after"),
    [
        (
            'return render_template_string(f"<h1>{name}</h1><p>{q}</p>")',
            'return render_template_string("<h1>{{ name }}</h1><p>{{ q }}</p>", name=name, q=q)',
        ),
        (
            'return render_template_string(f"<p>{request.path}</p>", title="x")',
            'return render_template_string("<p>{{ request_path }}</p>", request_path=request.path, title="x")',
        ),
        (
            "return stream_template_string(f'<p>{q} and {q}</p>')",
            "return stream_template_string('<p>{{ q }} and {{ q }}</p>', q=q)",
        ),
        (
            "return render_template_string('<p>%s: 100%% %s</p>' % (name, q))",
            "return render_template_string('<p>{{ name }}: 100% {{ q }}</p>', name=name, q=q)",
        ),
        (
            'return render_template_string("""<h3>%s</h3>""" % request.url), 404',
            'return render_template_string("""<h3>{{ request_url }}</h3>""", request_url=request.url), 404',
        ),
    ],
)
def test_fix_moves_the_fields_into_context_variables(tmp_path: Path, project, statement: str, after: str) -> None:
    found = project(view(statement), select="FLK106")
    assert [d.fix and d.fix.applicability.value for d in found] == ["unsafe"]
    assert rule_testing.fixed(tmp_path, {"app.py": view(statement)}, "FLK106").endswith(f"    {after}\n")


@pytest.mark.parametrize(
    "statement",
    [
        'return render_template_string(f"<p>{{{q}}}</p>")',  # literal braces would meet Jinja's delimiters
        'return render_template_string(f"<p>{q!r}</p>")',
        'return render_template_string(f"<p>{q.upper()}</p>")',
        'return render_template_string(f"<p>{q}</p>", q="other")',  # the name is taken
        'return render_template_string(f"<p>{request.args[\'q\']}</p>")',
        'return render_template_string("<p>%d</p>" % q)',
        'return render_template_string("<p>%s %s</p>" % q)',  # one value for two placeholders
        'return render_template_string("<p>%(q)s</p>" % {"q": q})',
        'return render_template_string("<p>%s\\x25s</p>" % q)',  # an escape spelling `%`
        'return render_template_string("<p>%s</p>" % escape(q))',
        'return jinja2.Template(f"<p>{q}</p>").render()',  # the context goes to render(), later
    ],
)
def test_no_fix_where_the_rewrite_is_not_mechanical(project, statement: str) -> None:
    found = project(view(statement), select="FLK106")
    assert len(found) == 1 and found[0].fix is None


def test_the_fix_prints_what_the_original_ran() -> None:
    """With real Flask: `{{7*7}}` in a spliced value runs (49); as a context variable it is printed."""
    app = Flask(__name__)
    with app.test_request_context():
        original = render_template_string(f"<p>{'{{7*7}}'}</p>")
        q = "{{7*7}}<b>"
        fixed = render_template_string("<p>{{ q }}</p>", q=q)
        plain = render_template_string("<p>{{ q }}</p>", q="Tom")
    assert (original, fixed, plain) == ("<p>49</p>", "<p>{{7*7}}&lt;b&gt;</p>", f"<p>{'Tom'}</p>")


@pytest.mark.parametrize(
    "statement",
    [
        'return render_template_string("<p>{{ q }}</p>", q=q)',
        "return render_template_string(PAGE, q=q) + render_template_string(LAYOUT, q=q)",
        'return render_template_string(open("page.html").read(), q=q)',
        "return SandboxedEnvironment().from_string(q).render()",
        'return render_template_string(f"<p>{{{{ q }}}}</p>{LAYOUT}", q=q)',
        'return render_template_string("<p>%s</p>" % urllib.parse.quote(q))',  # no brace survives quoting
        "return Key.from_string(q)",  # not a Jinja environment
    ],
)
def test_constant_sources_context_variables_and_sandboxes_are_clean(project, statement: str) -> None:
    header = HEADER + 'PAGE = "<p>{{ q }}</p>"\nLAYOUT = "<main>%s</main>" % PAGE\n'
    header = "import urllib.parse\nfrom jinja2.sandbox import SandboxedEnvironment\nfrom keys import Key\n" + header
    body = textwrap.indent(textwrap.dedent(statement), "    ")
    source = f'{header}\n@app.route("/<name>")\ndef page(name):\n    q = request.args["q"]\n{body}\n'
    assert project(source, select="FLK106") == []
