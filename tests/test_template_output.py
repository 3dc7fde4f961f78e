"""Unescaped template output (model/template_output.py): where a template turns escaping off, the
context variables and request data reaching there, with exact spans (rows count \\n, columns are
code points), and the Python side (model/template_renders.py): render calls passing request data,
autoescape settings."""

from __future__ import annotations

import libcst as cst

from flasklint.model.template_output import UnescapedOutput, template_output
from flasklint.model.template_renders import autoescape_settings, is_autoescaped, raw_jinja_renders, tainted_renders
from flasklint.model.templates import build_template_model
from flasklint.model.traversal import build_model


def sites(text: str) -> list[UnescapedOutput]:
    found = template_output(build_template_model("t.html", text))
    assert found is not None
    return found.unescaped


def text_at(text: str, span: tuple[int, int, int, int]) -> str:
    line, column, end_line, end_column = span
    assert line == end_line
    return text.split("\n")[line - 1][column:end_column]


def test_safe_filter_spans_cover_the_pipe_and_the_name() -> None:
    text = "<p>{{ q|safe }}</p>\n<p>{{ a | safe }} {{ b|e|safe }}</p>\n"
    found = sites(text)
    assert found == [
        UnescapedOutput("safe", (1, 7, 1, 12), ("q",), ()),
        UnescapedOutput("safe", (2, 8, 2, 14), ("a",), ()),
        UnescapedOutput("safe", (2, 24, 2, 29), (), ()),
    ]
    assert [text_at(text, s.span) for s in found] == ["|safe", "| safe", "|safe"]


def test_autoescape_false_in_any_spelling_and_true() -> None:
    text = (
        "{% autoescape false %}{{ a }}{% endautoescape %}\n"
        "{%- autoescape False -%}\n  {{ b }}\n{%- endautoescape %}\n"
        "{% autoescape true %}{{ c }}{% endautoescape %}\n"
    )
    found = sites(text)
    assert found == [
        UnescapedOutput("autoescape", (1, 0, 1, 22), ("a",), ()),
        UnescapedOutput("autoescape", (2, 0, 2, 24), ("b",), ()),
    ]
    assert text_at(text, found[1].span) == "{%- autoescape False -%}"


def test_filter_blocks_report_their_tag_and_body() -> None:
    text = "{% filter safe %}{{ a }}{% endfilter %}{% filter upper|safe %}{{ b|e }}{{ c }}{% endfilter %}"
    assert sites(text) == [
        UnescapedOutput("filter", (1, 0, 1, 17), ("a",), ()),
        UnescapedOutput("filter", (1, 39, 1, 62), ("c",), ()),
    ]


def test_values_that_cannot_carry_markup_or_are_opaque() -> None:
    text = (
        "{{ q|tojson|safe }}{{ q|int|safe }}{{ '<hr>'|safe }}{{ form.hidden_tag()|safe }}"
        "{{ q|markdown|safe }}{{ m(q)|safe }}{{ q|length|safe }}{{ (q is string)|safe }}"
    )
    assert [s.names for s in sites(text)] == [()] * 8


def test_values_that_keep_their_text() -> None:
    text = (
        "{{ ('<b>' ~ q ~ '</b>')|safe }}{{ (a if c else b)|safe }}{{ q.strip().upper()|safe }}"
        "{{ q|default(d)|safe }}{{ ('%s' % q)|safe }}{{ post.body|safe }}{{ args['x']|safe }}"
    )
    assert [s.names for s in sites(text)] == [("q",), ("a", "b"), ("q",), ("d", "q"), ("q",), ("post",), ("args",)]


def test_template_bindings_stand_for_their_values() -> None:
    text = (
        "{% for c in comments %}{{ c.body|safe }}{% endfor %}"
        "{% set t = '<i>' ~ title %}{{ t|safe }}{% set e = raw|e %}{{ e|safe }}"
        "{% macro show(x) %}{{ x|safe }}{% endmacro %}{% with w = other %}{{ w|safe }}{% endwith %}"
        "{% set loopy = loopy ~ '!' %}{{ loopy|safe }}"
    )
    assert [s.names for s in sites(text)] == [("comments",), ("title",), (), (), ("other",), ()]


def test_request_read_by_the_template() -> None:
    text = (
        "{{ request.args.get('q')|safe }}{{ request.path|safe }}{{ request.method|safe }}"
        "{{ request.form['x']|safe }}"
    )
    assert [s.request for s in sites(text)] == [("`request.args`",), ("`request.path`",), (), ("`request.form`",)]
    bound = "{% set request = page %}{{ request.args|safe }}"
    assert [(s.names, s.request) for s in sites(bound)] == [(("page",), ())]


def test_set_block_filtered_safe_is_no_output() -> None:
    assert sites("{% set x | safe %}<b>{{ y }}</b>{% endset %}") == []


def test_nested_and_conditional_safe_filters_keep_source_order() -> None:
    text = "{{ (a|safe)|safe }}{{ x if c|safe else y|safe }}{% for i in items|safe if i %}{% endfor %}"
    found = sites(text)
    assert [text_at(text, s.span) for s in found] == ["|safe"] * 5
    assert [s.span[1] for s in found] == [5, 11, 28, 40, 65]
    assert [s.names for s in found] == [("a",), ("a",), ("c",), ("y",), ("items",)]


def test_crlf_and_wide_characters_before_the_filter() -> None:
    text = "<h1>Grüße 🎉</h1>\r\n<p>日本 {{ q|safe }}</p>\r\n"
    [site] = sites(text)
    assert site.span == (2, 10, 2, 15)
    assert text_at(text, site.span) == "|safe"


def test_whole_template_outputs_and_shared_context() -> None:
    text = (
        "{% extends 'base.html' %}{% include 'row.html' %}{{ a }}{{ b|e }}{{ c|safe }}"
        "{% autoescape true %}{{ d }}{% endautoescape %}{% autoescape false %}{{ f }}{% endautoescape %}"
        "{{ request.args.q }}"
    )
    found = template_output(build_template_model("t.txt", text))
    assert found is not None
    assert found.outputs == {"a", "c", "f"}
    assert found.request_outputs == {"`request.args`"}
    assert found.shares_context_with == ["base.html", "row.html"]


def test_a_template_jinja_rejects_has_no_output_facts() -> None:
    assert template_output(build_template_model("t.html", "{% if %}")) is None


# -- the Python side ------------------------------------------------------------------------------
def module(source: str):
    return build_model("app.py", "app", False, source, cst.parse_module(source))


APP = "from flask import Flask, render_template, request\nfrom markupsafe import escape\n\napp = Flask(__name__)\n"


def test_render_calls_passing_request_data() -> None:
    model = module(
        APP + "\n@app.route('/<name>/<int:n>')\ndef view(name, n):\n"
        "    q = request.args.get('q', '')\n"
        "    return render_template('v.html', q=q, name=name, n=n, e=escape(q), c='x')\n"
        "\ndef mail():\n    body = render_template('m.txt', who=request.form['who'])\n    return body\n"
        "\n@app.route('/s')\ndef s():\n    return render_template(pick(), q=request.args['q'])\n"
    )
    renders = list(tainted_renders(model))
    assert [(r.template, r.html, r.owners, [(p.keyword, p.label, p.span) for p in r.passed]) for r in renders] == [
        (
            "v.html",
            True,
            ("app.app",),
            [("q", "`request.args` value", (9, 39, 9, 40)), ("name", "route variable `name`", (9, 47, 9, 51))],
        ),
        ("m.txt", False, (), [("who", "`request.form` value", (12, 40, 12, 59))]),
    ]


def test_rendered_page_returned_through_a_name_or_a_response() -> None:
    model = module(
        APP + "from flask import make_response\n\n@app.route('/a')\ndef a():\n"
        "    page = render_template('a.j2', q=request.args['q'])\n    return page\n"
        "\n@app.route('/b')\ndef b():\n    return make_response(render_template('b.j2', q=request.args['q']))\n"
    )
    assert [(r.template, r.html) for r in tainted_renders(model)] == [("a.j2", True), ("b.j2", True)]


def test_autoescape_settings() -> None:
    model = module(
        "from flask import Flask\nfrom jinja2 import select_autoescape\n\n"
        "class A(Flask):\n    jinja_options = {'autoescape': False}\n\n"
        "    def select_jinja_autoescape(self, filename):\n        return False\n\n"
        "class B(Flask):\n    def select_jinja_autoescape(self, filename):\n        return filename.endswith('.j2')\n\n"
        "app = A(__name__)\napp.jinja_env.autoescape = False\napp.jinja_env.autoescape = select_autoescape()\n"
        "app.jinja_options = dict(Flask.jinja_options, autoescape=True)\napp.jinja_options['autoescape'] = False\n"
        "app.jinja_env.trim_blocks = True\n"
    )
    assert [(s.how, s.span[0], s.text) for s in autoescape_settings(model)] == [
        ("off", 5, "jinja_options = {'autoescape': False}"),
        ("off", 15, "app.jinja_env.autoescape = False"),
        ("custom", 16, "app.jinja_env.autoescape = select_autoescape()"),
        ("custom", 17, "app.jinja_options = dict(Flask.jinja_options, autoescape=True)"),
        ("off", 18, "app.jinja_options['autoescape'] = False"),
        ("off", 7, "def select_jinja_autoescape(...)"),
        ("custom", 11, "def select_jinja_autoescape(...)"),
    ]


def test_flask_autoescapes_these_names_only() -> None:
    assert [is_autoescaped(n) for n in ("a.html", "b.HTM", "c.xml", "d.xhtml", "e.svg")] == [True] * 5
    assert [is_autoescaped(n) for n in ("f.j2", "g.jinja2", "h.txt", "i.jinja", "j.html.j2")] == [False] * 5


def test_raw_jinja_renders_returned_as_the_page() -> None:
    model = module(
        "from flask import Flask, request\nimport jinja2\n"
        "from jinja2 import Environment, FileSystemLoader, select_autoescape, Template\n\n"
        "app = Flask(__name__)\nenv = Environment(loader=FileSystemLoader('t'))\n"
        "safe_env = Environment(autoescape=select_autoescape())\n"
        "\n@app.route('/a')\ndef a():\n    return env.get_template('a.html').render(q=request.args['q'])\n"
        "\n@app.route('/b')\ndef b():\n    t = jinja2.Template('<p>{{ q }}</p>')\n"
        "    page = t.render(q=request.args['q'], n=1)\n    return page\n"
        "\n@app.route('/c')\ndef c():\n    return safe_env.get_template('a.html').render(q=request.args['q'])\n"
        "\n@app.route('/d')\ndef d():\n    return Template('{{ q }}', autoescape=True).render(q=request.args['q'])\n"
        "\n@app.route('/e')\ndef e():\n"
        "    body = jinja2.Environment().from_string('{{ q }}').render(q=request.args['q'])\n"
        "    return body, 200, {'Content-Type': 'text/plain'}\n"
        "\ndef mail():\n    return env.get_template('m.txt').render(q=request.args['q'])\n"
        "\n@app.route('/f')\ndef f():\n"
        "    return Environment(**OPTIONS).from_string('{{ q }}').render(q=request.args['q'])\n"
    )
    assert [(p.keyword, p.span) for p in raw_jinja_renders(model)] == [("q", (11, 47, 11, 64)), ("q", (16, 22, 16, 39))]
