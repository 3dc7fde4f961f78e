"""Template analysis computes what Jinja's own calls would, with less work (issue 14): one lexing kept for
every reader, one walk of the tree for every `find_all`. Each test compares with Jinja's own calls."""

from __future__ import annotations

import jinja2
import pytest

from flasklint.model.template_output import template_output
from flasklint.model.templates import EXTENSIONS, _environment, build_template_model

RICH = """{% extends "base.html" %}{% import "macros.html" as m %}{% from "forms.html" import field, label as l %}
{% block content %}{% for user, role in users if user.active %}{{ user.name|safe }}{{ role|e }}{% else %}-{% endfor %}
{% set x = request.args.q %}{% set y %}{{ x }}{% endset %}{% with a = b, c = d %}{{ a ~ c }}{% endwith %}
{% macro card(title, body="") %}<h1>{{ title }}</h1>{{ caller() }}{% endmacro %}
{% call(item) m.list(items) %}{{ item|upper|safe }}{% endcall %}{% filter upper|safe %}{{ y }}{% endfilter %}
{% autoescape false %}{{ x if x else y }}{% endautoescape %}{% autoescape true %}{{ z|safe }}{% endautoescape %}
{% include "part.html" ignore missing %}{% include layout %}<a href="{{ url_for('main.user', id=1) }}">u</a>
{% do items.append(1) %}{% for i in range(3) %}{% if i %}{% break %}{% endif %}{% endfor %}{% endblock %}
"""


def test_find_all_gives_jinjas_nodes_in_jinjas_order() -> None:
    model = build_template_model("page.html", RICH)
    assert model.ast is not None
    n = jinja2.nodes
    kinds = [
        n.Node, n.Expr, n.Stmt, n.Name, n.Filter, n.Call, n.Block, n.Const, n.Output, n.FilterBlock,
        n.EvalContextModifier, n.ScopedEvalContextModifier, n.Extends, n.Test,
        (n.Extends, n.Include, n.Import, n.FromImport), (n.For, n.Assign, n.With, n.Macro, n.CallBlock),
        (n.Getattr, n.Filter), n.Slice,
    ]  # fmt: skip
    for kind in kinds:
        found = model.find_all(kind)
        assert [id(node) for node in found] == [id(node) for node in model.ast.find_all(kind)], kind
    assert model.find_all(n.Slice) == []


def test_find_all_of_a_template_jinja_rejects_is_empty() -> None:
    model = build_template_model("broken.html", "{% if x %}{{ y }}")
    assert model.ast is None and model.tokens is None
    assert model.find_all(jinja2.nodes.Node) == []


@pytest.mark.parametrize("text", [RICH, "", "plain\r\ntext\rlines\n\n", "{{ a }}\n\n\n", "{% raw %}{{ x }}{% endraw %}"])
def test_the_tree_and_tokens_are_jinjas_own(text: str) -> None:
    model = build_template_model("t.html", text)
    environment = _environment()
    assert model.ast == environment.parse(text, name="t.html")
    assert model.tokens == list(environment.lexer.tokeniter(text, "t.html"))


@pytest.mark.parametrize(
    "text",
    [
        "{% endif %}{{ 'unterminated",  # the parser stops before the token the lexer rejects
        "{{ 'unterminated }}",
        "{{ x }}{# never closed",
        "{% for x in y %}{{ x ) }}{% endfor %}",
        "{% block a %}{% endblock %}{% if %}",
    ],
)
def test_a_rejected_template_gets_jinjas_own_error(text: str) -> None:
    with pytest.raises(jinja2.TemplateSyntaxError) as expected:
        _environment().parse(text, name="t.html")
    model = build_template_model("t.html", text)
    assert model.error is not None and model.ast is None
    assert model.error.message == expected.value.message
    assert model.error.line == expected.value.lineno


def test_no_extension_rewrites_the_source_or_the_token_stream() -> None:
    """The parser reads the kept tokens directly: valid only while no extension we load changes them."""
    for extension in _environment().extensions.values():
        assert type(extension).preprocess is jinja2.ext.Extension.preprocess, extension
        assert type(extension).filter_stream is jinja2.ext.Extension.filter_stream, extension
    assert len(_environment().extensions) == len(EXTENSIONS)


def test_unescaped_outputs_are_paired_with_their_tokens_in_source_order() -> None:
    """Two `|safe` and two autoescape blocks: ordered by their tokens, not by Jinja's field order."""
    text = (
        "{{ (a|safe) ~ b|safe }}\n"
        "{% filter safe %}{{ c }}{% endfilter %}{{ d|safe if e else f }}\n"
        "{% autoescape false %}{{ g }}{% endautoescape %}\n{% autoescape false %}{{ h }}{% endautoescape %}\n\n"
    )
    found = template_output(build_template_model("t.html", text))
    assert found is not None
    assert [(site.kind, site.span, site.names) for site in found.unescaped] == [
        ("safe", (1, 5, 1, 10), ("a",)),
        ("safe", (1, 15, 1, 20), ("b",)),
        ("filter", (2, 0, 2, 17), ("c",)),
        ("safe", (2, 43, 2, 48), ("d",)),
        ("autoescape", (3, 0, 3, 22), ("g",)),
        ("autoescape", (4, 0, 4, 22), ("h",)),
    ]
