"""Jinja2 templates, parsed with Jinja's own parser (never regexes over markup).

Jinja nodes carry a line but no column, so columns are recovered by locating the token on its
line. A template that does not parse still yields its `url_for` calls from Jinja's lexer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import jinja2
from jinja2 import nodes

from flasklint.model.facts import FileFacts, Span, TemplateRef, UrlForCall

TEMPLATE_SUFFIXES = frozenset({".html", ".htm", ".jinja", ".jinja2", ".j2", ".xml", ".svg", ".txt"})
# Extensions Flask projects commonly enable (Flask-Babel, jinja2.ext.do); parsing with them avoids
# reporting valid templates as broken.
EXTENSIONS = ["jinja2.ext.i18n", "jinja2.ext.do", "jinja2.ext.loopcontrols"]


@dataclass
class TemplateError:
    message: str
    line: int
    unknown_tag: bool  # likely a tag from a Jinja extension we do not load: not reported as broken


@dataclass
class TemplateModel:
    path: str
    text: str
    ast: nodes.Template | None
    error: TemplateError | None
    facts: FileFacts
    lines: list[str] = field(default_factory=list)

    def locate(self, line: int, needle: str, occurrence: int = 0) -> Span:
        """Span of the `occurrence`-th `needle` on a 1-based line (the whole line when absent)."""
        if not 1 <= line <= len(self.lines):
            return (line, 0, line, 0)
        text = self.lines[line - 1].rstrip("\r\n")
        start = -1
        for _ in range(occurrence + 1):
            start = text.find(needle, start + 1)
            if start < 0:
                return (line, 0, line, len(text))
        return (line, start, line, start + len(needle))


_ENVIRONMENT = jinja2.Environment(extensions=EXTENSIONS)


def build_template_model(path: str, text: str) -> TemplateModel:
    facts = FileFacts(path=path, module="", kind="template")
    model = TemplateModel(path, text, None, None, facts, text.splitlines(keepends=True))
    try:
        model.ast = _ENVIRONMENT.parse(text, name=path)
    except jinja2.TemplateSyntaxError as exc:
        message = exc.message or "syntax error"
        model.error = TemplateError(message, exc.lineno or 1, message.startswith("Encountered unknown tag"))
        _url_for_from_tokens(model)
        return model
    _url_for_from_ast(model)
    _template_refs(model)
    return model


def _url_for_from_ast(model: TemplateModel) -> None:
    assert model.ast is not None
    seen_on_line: dict[tuple[int, str], int] = {}
    for call in model.ast.find_all(nodes.Call):
        if not (isinstance(call.node, nodes.Name) and call.node.name == "url_for"):
            continue
        endpoint: str | None = None
        if call.args and isinstance(call.args[0], nodes.Const) and isinstance(call.args[0].value, str):
            endpoint = call.args[0].value
        keywords = [k.key for k in call.kwargs]
        line = call.lineno
        span = _endpoint_span(model, line, endpoint, seen_on_line)
        model.facts.url_for_calls.append(UrlForCall(endpoint, span, keywords, call.dyn_kwargs is not None))


def _endpoint_span(model: TemplateModel, line: int, endpoint: str | None, seen: dict[tuple[int, str], int]) -> Span:
    """Locate the quoted endpoint on the call's line (or the lines after, for multi-line calls)."""
    if endpoint is None:
        return model.locate(line, "url_for")
    for quote in ("'", '"'):
        needle = f"{quote}{endpoint}{quote}"
        for offset in range(0, 4):
            candidate = line + offset
            if candidate > len(model.lines) or needle not in model.lines[candidate - 1]:
                continue
            key = (candidate, needle)
            occurrence = seen.get(key, 0)
            seen[key] = occurrence + 1
            return model.locate(candidate, needle, occurrence)
    return model.locate(line, "url_for")


_STRING_TOKEN = re.compile(r"""^(['"])(.*)\1$""", re.S)


def _url_for_from_tokens(model: TemplateModel) -> None:
    """Fallback for templates Jinja cannot parse: `url_for ( "x"` in the token stream."""
    try:
        tokens = list(_ENVIRONMENT.lex(model.text))
    except jinja2.TemplateSyntaxError:
        return
    seen: dict[tuple[int, str], int] = {}
    for i in range(len(tokens) - 2):
        (line, kind, value), (_, kind2, value2), (_, kind3, value3) = tokens[i], tokens[i + 1], tokens[i + 2]
        if kind == "name" and value == "url_for" and kind2 == "operator" and value2 == "(" and kind3 == "string":
            endpoint = value3
            span = _endpoint_span(model, line, endpoint, seen)
            model.facts.url_for_calls.append(UrlForCall(endpoint, span))


def _template_refs(model: TemplateModel) -> None:
    assert model.ast is not None
    for node in model.ast.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
        template = node.template
        if isinstance(template, nodes.Const) and isinstance(template.value, str):
            model.facts.template_refs.append(TemplateRef(template.value, model.locate(node.lineno, template.value)))
