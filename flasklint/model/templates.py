"""Jinja2 templates, parsed with Jinja's own parser; positions recovered from the source.

Jinja's AST says what a template means (which `url_for` calls exist, with which endpoint) but
carries a line and no column. Columns come from splitting the source into Jinja's own regions
(text, `{{ ... }}`, `{% ... %}`, `{# ... #}`, `{% raw %}`) the way its lexer does, then locating
each AST call's endpoint literal inside an expression region. Hrefs (`href`/`src`/`action`/
`formaction`) are read from the text regions, with `{{ ... }}` inside a value as a hole. A template
that does not parse still yields its `url_for` calls, from Jinja's lexer.

Rows count "\\n" only (as fix.py and editors do) and columns are code points.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache

import jinja2

from flasklint.model.facts import FileFacts, Span, TemplateRef, UrlForCall, UrlLiteral
from flasklint.model.html_links import Barrier, Hole, Piece, Text, attribute_values, split_local_url

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
    ast: jinja2.nodes.Template | None
    error: TemplateError | None
    facts: FileFacts
    lines: list[str] = field(default_factory=list)
    _line_starts: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._line_starts = [0] + [i + 1 for i, char in enumerate(self.text) if char == "\n"]

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

    def position(self, offset: int) -> tuple[int, int]:
        """(1-based row, 0-based column) of a code-point offset in the text."""
        row = bisect.bisect_right(self._line_starts, offset)
        return row, offset - self._line_starts[row - 1]

    def span(self, start: int, end: int) -> Span:
        return (*self.position(start), *self.position(end))

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self._line_starts, offset)


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    """Built on first use: a warm run (every template cached) never imports Jinja."""
    return jinja2.Environment(extensions=EXTENSIONS)


def build_template_model(path: str, text: str) -> TemplateModel:
    facts = FileFacts(path=path, module="", kind="template")
    model = TemplateModel(path, text, None, None, facts, _split_lines(text))
    regions = _regions(text)
    literals = _url_for_literals(model, regions)
    try:
        model.ast = _environment().parse(text, name=path)
    except jinja2.TemplateSyntaxError as exc:
        message = exc.message or "syntax error"
        model.error = TemplateError(message, exc.lineno or 1, message.startswith("Encountered unknown tag"))
        _url_for_from_tokens(model, literals)
        return model
    _url_for_from_ast(model, literals)
    _template_refs(model)
    _url_literals(model, regions)
    return model


def _split_lines(text: str) -> list[str]:
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


# -- regions: Jinja's lexical structure, with offsets ---------------------------------------------
@dataclass(frozen=True)
class _Region:
    kind: str  # text | variable | block | comment | raw
    start: int
    end: int
    inner_start: int  # between the delimiters (whitespace-control signs included)
    inner_end: int


_OPENING = re.compile(r"\{[{%#]")
_CLOSING = {"{{": "}}", "{%": "%}", "{#": "#}"}
_KINDS = {"{{": "variable", "{%": "block", "{#": "comment"}
_RAW_BEGIN = re.compile(r"[-+]?\s*raw\s*-?")
_RAW_END = re.compile(r"\{%[-+]?\s*endraw\s*-?%\}")


def _regions(text: str) -> list[_Region]:
    """Split a template like Jinja's lexer (default delimiters): text, tags, comments, raw blocks."""
    regions: list[_Region] = []
    position = 0
    while position < len(text):
        opening = _OPENING.search(text, position)
        if opening is None:
            regions.append(_Region("text", position, len(text), position, len(text)))
            break
        if opening.start() > position:
            regions.append(_Region("text", position, opening.start(), position, opening.start()))
        delimiter = opening.group()
        inner_start = opening.end()
        if delimiter == "{#":
            inner_end = text.find("#}", inner_start)
        else:
            inner_end = _find_closing(text, inner_start, _CLOSING[delimiter])
        if inner_end < 0:  # unterminated: Jinja rejects the template; nothing after it is text
            regions.append(_Region(_KINDS[delimiter], opening.start(), len(text), inner_start, len(text)))
            break
        end = inner_end + 2
        regions.append(_Region(_KINDS[delimiter], opening.start(), end, inner_start, inner_end))
        position = end
        if delimiter == "{%" and _RAW_BEGIN.fullmatch(text, inner_start, inner_end):
            closing = _RAW_END.search(text, position)
            stop = closing.start() if closing else len(text)
            regions.append(_Region("raw", position, stop, position, stop))
            position = stop
    return regions


def _find_closing(text: str, start: int, closing: str) -> int:
    """Index of `closing` after `start`, skipping string literals inside the tag."""
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


# -- url_for calls -------------------------------------------------------------------------------
_URL_FOR_LITERAL = re.compile(r"""(?<![\w.])url_for\s*(?P<paren>\()\s*(?P<literal>'[^'\\\n]*'|"[^"\\\n]*")""")


@dataclass
class _Located:
    endpoint: str
    start: int  # offsets of the quoted literal
    end: int
    line: int  # row of the call's "(" (Jinja's Call.lineno)
    used: bool = False


def _url_for_literals(model: TemplateModel, regions: list[_Region]) -> list[_Located]:
    """Every `url_for("literal"` inside `{{ }}` / `{% %}`, with exact offsets."""
    found: list[_Located] = []
    for region in regions:
        if region.kind not in ("variable", "block"):
            continue
        for match in _URL_FOR_LITERAL.finditer(model.text, region.inner_start, region.inner_end):
            start, end = match.span("literal")
            found.append(_Located(match["literal"][1:-1], start, end, model.line_of(match.start("paren"))))
    return found


def _claim(model: TemplateModel, literals: list[_Located], line: int, endpoint: str) -> Span:
    """The span of the quoted endpoint of the call Jinja reports on `line` (quotes included)."""
    candidates = [item for item in literals if not item.used and item.endpoint == endpoint]
    chosen = next((item for item in candidates if item.line == line), None)
    if chosen is None:
        chosen = next((item for item in candidates if item.line >= line), None)
    if chosen is None:
        return model.locate(line, "url_for")
    chosen.used = True
    return model.span(chosen.start, chosen.end)


def _url_for_from_ast(model: TemplateModel, literals: list[_Located]) -> None:
    assert model.ast is not None
    for call in model.ast.find_all(jinja2.nodes.Call):
        if not (isinstance(call.node, jinja2.nodes.Name) and call.node.name == "url_for"):
            continue
        endpoint: str | None = None
        if call.args and isinstance(call.args[0], jinja2.nodes.Const) and isinstance(call.args[0].value, str):
            endpoint = call.args[0].value
        keywords = [k.key for k in call.kwargs]
        if endpoint is None:
            span = model.locate(call.lineno, "url_for")
        else:
            span = _claim(model, literals, call.lineno, endpoint)
        model.facts.url_for_calls.append(UrlForCall(endpoint, span, keywords, call.dyn_kwargs is not None))


def _url_for_from_tokens(model: TemplateModel, literals: list[_Located]) -> None:
    """Fallback for templates Jinja cannot parse: `url_for ( "x"` in the token stream."""
    try:
        tokens = [token for token in _environment().lex(model.text) if token[1] != "whitespace"]
    except jinja2.TemplateSyntaxError:
        return
    for i in range(len(tokens) - 2):
        (_, kind, value), (line, kind2, value2), (_, kind3, value3) = tokens[i], tokens[i + 1], tokens[i + 2]
        if kind == "name" and value == "url_for" and kind2 == "operator" and value2 == "(" and kind3 == "string":
            endpoint = value3[1:-1]  # lex() yields the raw literal, quotes included
            if "\\" in endpoint:  # an escape: the value is not the source text; leave it unchecked
                model.facts.url_for_calls.append(UrlForCall(None, model.locate(line, "url_for")))
            else:
                model.facts.url_for_calls.append(UrlForCall(endpoint, _claim(model, literals, line, endpoint)))


def _template_refs(model: TemplateModel) -> None:
    assert model.ast is not None
    for node in model.ast.find_all((jinja2.nodes.Extends, jinja2.nodes.Include, jinja2.nodes.Import, jinja2.nodes.FromImport)):
        template = node.template
        if isinstance(template, jinja2.nodes.Const) and isinstance(template.value, str):
            model.facts.template_refs.append(TemplateRef(template.value, model.locate(node.lineno, template.value)))


# -- hrefs ---------------------------------------------------------------------------------------
_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)


def _url_literals(model: TemplateModel, regions: list[_Region]) -> None:
    """`href="/user/42"`, `src="/static/{{ name }}"`, ... in the template's text.

    Not in raw blocks, comments or `<script>` elements (markup built by JavaScript: a Jinja
    `url_for` there is not always what the script needs).
    """
    scripts = [match.span(1) for match in _SCRIPT.finditer(model.text)] if "<script" in model.text.lower() else []
    pieces: list[Piece] = []
    for region in regions:
        if region.kind == "text":
            pieces.append(Text(model.text[region.start : region.end], region.start))
        elif region.kind == "variable":
            expression = _expression(model.text[region.inner_start : region.inner_end])
            pieces.append(Hole(expression, region.start, region.end))
        else:
            pieces.append(Barrier())
    for value in attribute_values(pieces):
        url = split_local_url(value.value)
        if url is None or any(start <= value.start < end for start, end in scripts):
            continue
        model.facts.url_literals.append(
            UrlLiteral(
                path=url.path,
                span=model.span(value.start, value.end),
                context="template",
                fragment=url.fragment,
                query=url.query,
                holes=value.holes,
                quote=value.quote,
            )
        )


def _expression(inner: str) -> str | None:
    """The expression of `{{- expr -}}` without whitespace-control signs (None when empty)."""
    if inner and inner[0] in "-+":
        inner = inner[1:]
    if inner.endswith("-"):
        inner = inner[:-1]
    expression = inner.strip()
    return expression or None
