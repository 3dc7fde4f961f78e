"""Template analysis computes what Jinja's own calls would, with less work (issue 14): one lexing kept for
every reader, one walk of the tree for every `find_all`, offsets of linked text kept per piece. Each test
compares with Jinja's own calls or with the per-character computation it replaced."""

from __future__ import annotations

import random
import re

import jinja2
import pytest

from flasklint.model.html_links import _ATTRIBUTE, BARRIER, Barrier, Hole, Piece, Text, _comments, attribute_values
from flasklint.model.routing import HOLE
from flasklint.model.template_output import template_output
from flasklint.model.templates import EXTENSIONS, _environment, _find_closing, build_template_model

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


def _per_character_values(pieces: list[Piece]) -> list[tuple[str, list[str | None], int, int, str]]:
    """The attribute values as found with one source offset per character of the combined text (the
    way attribute_values placed them before it kept offsets per piece): the oracle for the test below."""
    combined, starts, ends, holes = [], [], [], []
    for piece in pieces:
        if isinstance(piece, Text):
            combined.append(piece.text)
            starts.extend(range(piece.start, piece.start + len(piece.text)))
            ends.extend(range(piece.start + 1, piece.start + len(piece.text) + 1))
        elif isinstance(piece, Hole):
            combined += [HOLE]
            starts.append(piece.start)
            ends.append(piece.end)
            holes.append(piece)
        else:
            combined.append(BARRIER)
            starts.append(ends[-1] if ends else 0)
            ends.append(ends[-1] if ends else 0)
    text = "".join(combined)
    hole_at = dict(zip((i for i, char in enumerate(text) if char == HOLE), holes))
    found = []
    for match in _ATTRIBUTE.finditer(text):
        begin, finish = match.span("value")
        if begin == finish or any(start <= match.start() < end for start, end in _comments(text)):
            continue
        value_holes = [hole_at[i].source for i in range(begin, finish) if i in hole_at]
        found.append((match["value"], value_holes, starts[begin], ends[finish - 1], match["quote"][-1]))
    return found


def test_attribute_values_are_placed_as_per_character_offsets_place_them() -> None:
    generator = random.Random(14)
    words = ['<a href="', "/x/", '">', "'", " src='/s", "=", "<!--", "-->", "\x00", "action = \"/p?q=1", "", "é"]
    for _ in range(3000):
        pieces: list[Piece] = []
        offset = generator.randrange(3)
        for _ in range(generator.randrange(1, 9)):
            choice = generator.random()
            if choice < 0.6:
                text = "".join(generator.choice(words) for _ in range(generator.randrange(0, 4)))
                pieces.append(Text(text, offset))
                offset += len(text) + generator.randrange(2)  # a Python literal's escapes move the source on
            elif choice < 0.85:
                end = offset + generator.randrange(1, 12)
                pieces.append(Hole(generator.choice(["name", None]), offset, end))
                offset = end
            else:
                pieces.append(Barrier())
                offset += generator.randrange(8)
        found = [(v.value, v.holes, v.start, v.end, v.quote) for v in attribute_values(pieces)]
        assert found == _per_character_values(pieces), pieces


def _per_character_closing(text: str, start: int, closing: str) -> int:
    """The closing delimiter found one character at a time (the oracle for the test below)."""
    index = start
    while index < len(text):
        char = text[index]
        if char in "'\"":
            index += 1
            while index < len(text) and text[index] != char:
                index += 2 if text[index] == "\\" else 1
        elif text.startswith(closing, index):
            return index
        index += 1
    return -1


def test_a_tags_end_is_found_as_one_character_at_a_time_finds_it() -> None:
    generator = random.Random(14)
    parts = ["x", " ", "'", '"', "\\", "}", "}}", "%}", "%", "#}", "\n", "é"]
    for _ in range(5000):
        text = "".join(generator.choice(parts) for _ in range(generator.randrange(0, 14)))
        for closing in ("}}", "%}", "#}"):
            for start in range(len(text) + 1):
                assert _find_closing(text, start, closing) == _per_character_closing(text, start, closing), (text, start)


def test_the_attribute_pattern_finds_what_it_finds_without_its_first_letter_lookahead() -> None:
    plain = re.compile(_ATTRIBUTE.pattern.removeprefix("(?=[hsaf])"), re.IGNORECASE)
    assert plain.pattern != _ATTRIBUTE.pattern
    firsts = [chr(code) for code in range(0x250)] + ["\u212a", "\u0130", "\u1e9e", "\ufb05", "\ufb06"]
    for first in firsts:
        for rest in ("ref='/a'", "rc = \"/b\"", "ction=\\'/c\\'", "ormaction='/d'", "REF='/e'"):
            for text in (first + rest, "x" + first + rest, f"<a {first}{rest}>"):
                expected = [(m.span(), m.groupdict()) for m in plain.finditer(text)]
                assert [(m.span(), m.groupdict()) for m in _ATTRIBUTE.finditer(text)] == expected, text
