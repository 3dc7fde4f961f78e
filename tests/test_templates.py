"""Template facts: url_for calls and hrefs with exact positions (rows count \\n, columns are code points)."""

from __future__ import annotations

from flasklint.model.routing import HOLE
from flasklint.model.templates import build_template_model


def calls(text: str) -> list[tuple[str | None, tuple[int, int, int, int]]]:
    return [(c.endpoint, c.span) for c in build_template_model("t.html", text).facts.url_for_calls]


def hrefs(text: str) -> list[tuple[str, str | None, list[str | None], tuple[int, int, int, int]]]:
    return [(u.path, u.query, u.holes, u.span) for u in build_template_model("t.html", text).facts.url_literals]


def text_at(text: str, span: tuple[int, int, int, int]) -> str:
    line, column, end_line, end_column = span
    assert line == end_line
    return text.split("\n")[line - 1][column:end_column]


def test_url_for_spans_cover_the_quoted_endpoint() -> None:
    text = "<a href=\"{{ url_for('index') }}\">{{ url_for(\"auth.login\", next=request.path) }}</a>\n"
    found = calls(text)
    assert found == [("index", (1, 20, 1, 27)), ("auth.login", (1, 44, 1, 56))]
    assert [text_at(text, span) for _, span in found] == ["'index'", '"auth.login"']


def test_keywords_and_dynamic_endpoints() -> None:
    model = build_template_model("t.html", "{{ url_for('static', filename='a.css') }}{{ url_for(name, **kw) }}")
    first, second = model.facts.url_for_calls
    assert first.keywords == ["filename"] and not first.has_star_kwargs
    assert second.endpoint is None and second.has_star_kwargs


def test_two_calls_with_the_same_endpoint_on_one_line() -> None:
    assert calls("{{ url_for('a') }} and {{ url_for('a') }}") == [("a", (1, 11, 1, 14)), ("a", (1, 34, 1, 37))]


def test_multi_line_call() -> None:
    text = "<p>\n{{ url_for(\n    'index',\n    page=2) }}\n"
    assert calls(text) == [("index", (3, 4, 3, 11))]


def test_crlf_and_non_ascii_text_before_the_call() -> None:
    text = "<h1>Grüße 🎉</h1>\r\n<p>日本 {{ url_for('index') }}</p>\r\n"
    [(endpoint, span)] = calls(text)
    assert span == (2, 17, 2, 24)
    assert text_at(text, span) == "'index'"


def test_url_for_in_blocks_and_nested_calls() -> None:
    text = "{% set u = url_for('a', next=url_for('b')) %}{% if url_for('c') %}{% endif %}"
    assert [endpoint for endpoint, _ in calls(text)] == ["a", "b", "c"]
    assert [text_at(text, span) for _, span in calls(text)] == ["'a'", "'b'", "'c'"]


def test_raw_blocks_and_comments_hold_no_calls() -> None:
    text = "{% raw %}{{ url_for('raw') }}{% endraw %}{# {{ url_for('comment') }} #}{{ m.url_for('attr') }}"
    assert calls(text) == []


def test_unknown_tag_falls_back_to_tokens_with_exact_columns() -> None:
    text = "{% assets 'js' %}<script src=\"{{ ASSET_URL }}\"></script>{% endassets %}\n<a href=\"{{ url_for('indx') }}\">"
    model = build_template_model("t.html", text)
    assert model.error is not None and model.error.unknown_tag
    assert [(c.endpoint, c.span) for c in model.facts.url_for_calls] == [("indx", (2, 20, 2, 26))]
    assert model.facts.url_literals == []  # hrefs only come from templates Jinja can parse


def test_i18n_and_do_extensions_parse() -> None:
    model = build_template_model("t.html", "{% trans %}Hi{% endtrans %}{% do items.append(1) %}{{ url_for('a') }}")
    assert model.error is None and calls("{% trans %}Hi{% endtrans %}{{ url_for('a') }}")[0][0] == "a"


def test_hrefs_with_exact_columns() -> None:
    text = (
        "<p>Ünïcödé</p><a href=\"/login\">in</a><img SRC='/static/logo.png'>\n"
        "<form action = \"/search?q=1#top\"><button formaction=\"/save\">\n"
    )
    found = hrefs(text)
    assert [(path, query) for path, query, _, _ in found] == [
        ("/login", None), ("/static/logo.png", None), ("/search", "q=1"), ("/save", None),
    ]  # fmt: skip
    assert [text_at(text, span) for *_, span in found] == ["/login", "/static/logo.png", "/search?q=1#top", "/save"]


def test_href_with_expressions_becomes_a_path_with_holes() -> None:
    text = '<a href="/users/{{ user.id }}/posts/{{- post.id|string -}}?tab={{ tab }}">x</a>'
    [(path, query, holes, span)] = hrefs(text)
    assert path == f"/users/{HOLE}/posts/{HOLE}" and query == f"tab={HOLE}"
    assert holes == ["user.id", "post.id|string", "tab"]
    assert text_at(text, span) == "/users/{{ user.id }}/posts/{{- post.id|string -}}?tab={{ tab }}"


def test_hrefs_not_collected() -> None:
    text = (
        '<a href="https://x.org/a">'
        '<a href="{{ url_for(\'a\') }}"><a href="{{ next }}"><a href="/{{ page }}">'
        '<a href="/a{% if x %}b{% endif %}">'
        '{% raw %}<a href="/raw">{% endraw %}{# <a href="/comment"> #}'
        '<a data-href="/data"><a href=/unquoted>'
    )
    assert hrefs(text) == []


def test_a_multi_line_href_value_spans_lines() -> None:
    text = '<a\n  href="/user/{{\n  user.id }}">x</a>'
    [(path, _, holes, span)] = hrefs(text)
    assert path == f"/user/{HOLE}" and holes == ["user.id"] and span == (2, 8, 3, 12)


def test_template_refs() -> None:
    model = build_template_model("t.html", '{% extends "base.html" %}{% include name %}{% from "m.html" import x %}')
    # `{% include name %}` may load any template: recorded as "" (the index then cannot narrow who renders what)
    assert [r.name for r in model.facts.template_refs] == ["base.html", "", "m.html"]


def test_hrefs_in_scripts_and_other_template_languages_are_skipped() -> None:
    text = (
        '<script src="/static/app.js"></script>\n'
        "<script>\n  el.innerHTML = `<a href=\"/user/${id}\">`;\n  other = '<a href=\"/login\">';\n</script>\n"
        '<a :href="/x"><use xlink:href="/static/i.svg#a"><a href="/user/{id}">'
    )
    assert [path for path, *_ in hrefs(text)] == ["/static/app.js"]


# -- syntax errors: the token Jinja stopped at ---------------------------------------------------
def error(text: str) -> tuple[tuple[int, int, int, int], str | None, str]:
    found = build_template_model("t.html", text).error
    assert found is not None
    return found.span, found.tag, found.message


def test_unknown_and_misplaced_tags_span_the_tag_name() -> None:
    assert error("<p>\n  {% load static %}\n") == ((2, 5, 2, 9), "load", "Encountered unknown tag 'load'.")
    assert error("{% block a %}x{%- endblok -%}")[:2] == ((1, 18, 1, 25), "endblok")
    assert error("{% for x in y %}\n  {% endif %}\n")[:2] == ((2, 5, 2, 10), "endif")
    assert error("{% if x %}{% else %}{% else %}{% endif %}")[:2] == ((1, 23, 1, 27), "else")


def test_parser_errors_span_the_unexpected_token() -> None:
    assert error("<p>{{ user.name | }}</p>") == (
        (1, 18, 1, 20), None, "expected token 'name', got 'end of print statement'"
    )  # fmt: skip
    assert error("{% block %}{% endblock %}")[0] == (1, 9, 1, 11)  # the `%}` where a name belongs
    assert error("{{ a.1b }}")[0] == (1, 6, 1, 7)


def test_unexpected_end_is_zero_width_after_the_last_text() -> None:
    assert error("{% if user %}\n<p>{{ user.name }}</p>\n")[0] == (2, 22, 2, 22)
    assert error("{% if user %}\n<p>{{ user.name }}</p>")[0] == (2, 22, 2, 22)
    assert error("{% if user %}\n\n\n")[0] == (1, 13, 1, 13)
    # Jinja says line 1 (where its last token starts); the template ends on line 3.
    assert error("{% if x %}\nabc\ndef\n")[0] == (3, 3, 3, 3)
    assert error("{{ x")[0::2] == ((1, 4, 1, 4), "unexpected end of template, expected 'end of print statement'.")


def test_lexer_errors_span_the_character_or_the_opening() -> None:
    assert error('a {{ "abc }}') == ((1, 5, 1, 6), None, "unexpected char '\"' at 5")
    assert error("{{ .Values.x }}")[:1] == ((1, 3, 1, 4),)  # Go template syntax
    assert error("x {{ a ) }}") == ((1, 7, 1, 8), None, "unexpected ')'")
    assert error("x {{ a ( }}") == ((1, 9, 1, 10), None, "unexpected '}', expected ')'")
    assert error("<p>\n {# unclosed") == ((2, 1, 2, 3), None, "Missing end of comment tag")
    assert error("{% raw %} abc")[0] == (1, 0, 1, 9)
    assert error("{{ 'ab\\N{nope}' }}")[0] == (1, 3, 1, 15)  # a string literal Jinja cannot unescape


def test_error_columns_with_other_line_breaks_and_non_ascii_text() -> None:
    assert error("\r\n\r\n {% foo %}")[0] == (3, 4, 3, 7)
    assert error("a\rb\r\n {% foo %}")[0] == (2, 4, 2, 7)  # Jinja counts a lone \r as a line, we do not
    assert error("<h1>Grüße 🎉</h1>\n<p>日本 {% endblok %}")[0] == (2, 9, 2, 16)


def test_a_block_defined_twice_is_an_error_at_the_second_name() -> None:
    text = "{% block a %}{% endblock %}\n{% if x %}\n  {% block  a %}{% endblock %}{% endif %}"
    model = build_template_model("t.html", text)
    assert model.error is not None and not model.error.unknown_tag
    assert (model.error.span, model.error.message) == ((3, 12, 3, 13), "block 'a' defined twice")
    assert model.ast is not None  # parsed: its facts are still collected


def test_nested_and_distinct_blocks_are_fine() -> None:
    text = "{% block a %}{% block b %}{% endblock %}{% endblock %}{% raw %}{% block a %}{% endraw %}{# {% block b %} #}"
    assert build_template_model("t.html", text).error is None


def test_duplicate_nested_block_points_at_its_second_definition() -> None:
    text = "{% block a %}{% block b %}{% endblock %}{% endblock %}\n{% block b %}{% endblock %}"
    assert error(text)[0::2] == ((2, 9, 2, 10), "block 'b' defined twice")


# -- HTML comments: dead markup --------------------------------------------------------------------
def test_links_inside_html_comments_are_not_collected() -> None:
    text = (
        '<!-- <a href="/login">old</a> --><a href="/login">\n'
        '<!--\n  {% if x %}<a href="/a">{% endif %}\n  <img src="/static/{{ f }}">\n-->\n'
        '<!--> <a href="/b"> <!---> <a href="/c"> <!-- x --!> <a href="/d">\n'
    )
    assert [(path, span) for path, _, _, span in hrefs(text)] == [
        ("/login", (1, 42, 1, 48)), ("/b", (6, 15, 6, 17)), ("/c", (6, 36, 6, 38)), ("/d", (6, 62, 6, 64)),
    ]  # fmt: skip


def test_an_unclosed_html_comment_runs_to_the_end() -> None:
    assert hrefs('<a href="/a"><!-- todo\n<a href="/b">') == [("/a", None, [], (1, 9, 1, 11))]


def test_errors_inside_another_template_languages_tags_are_marked_foreign() -> None:
    foreign = {
        '<span class="{{{ALERT_STATUS}}}">': (1, 28, 1, 29),  # Mustache triple braces
        "{{#items}}<li>{{name}}</li>{{/items}}": (1, 2, 1, 3),  # Mustache sections
        "{% if x %}{{ .Values.port }}{% endif %}": (1, 13, 1, 14),  # Go templates
        "{{- $name := .Release.Name }}": (1, 4, 1, 5),
    }
    for text, span in foreign.items():
        found = build_template_model("t.html", text).error
        assert found is not None and (found.span, found.foreign) == (span, True), text
    for text in ("{{ {'a': 1 }}", "{{ user.name | }}", "{% endblok %}", "{{ x"):
        found = build_template_model("t.html", text).error
        assert found is not None and not found.foreign, text
