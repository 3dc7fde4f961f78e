"""Jinja2 templates, parsed with Jinja's own parser; positions recovered from the source.

Jinja's AST says what a template means (which `url_for` calls exist, with which endpoint) but
carries a line and no column. Columns come from splitting the source into Jinja's own regions
(text, `{{ ... }}`, `{% ... %}`, `{# ... #}`, `{% raw %}`) the way its lexer does, then locating
each AST call's endpoint literal inside an expression region. Hrefs (`href`/`src`/`action`/
`formaction`) are read from the text regions, with `{{ ... }}` inside a value as a hole. A template
that does not parse still yields its `url_for` calls, from Jinja's lexer.

A syntax error carries the exact span of the token Jinja stopped at (its exception has a line only):
the template is parsed once more through a token stream that knows each token's offset. A block
defined twice (Jinja rejects it when compiling, as Flask does on loading) is found in the AST.

Rows count "\\n" only (as fix.py and editors do) and columns are code points.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import field
from functools import lru_cache
from typing import Iterator

import jinja2

from flasklint.lazy_regex import lazy_pattern
from flasklint.model.facts import FileFacts, Span, TemplateRef, UrlForCall, UrlLiteral
from flasklint.model.html_links import Barrier, Hole, Piece, Text, attribute_values, split_local_url
from flasklint.records import dataclass

# Extensions Flask projects commonly enable (Flask-Babel adds i18n, many apps add do/loopcontrols by
# a route the model cannot always see); parsing with them avoids reporting valid templates as broken.
EXTENSIONS = ["jinja2.ext.i18n", "jinja2.ext.do", "jinja2.ext.loopcontrols"]

_I18N_TAGS = frozenset({"trans", "pluralize", "endtrans"})
# Every tag Jinja's parser knows with EXTENSIONS loaded (statements, their inner and closing tags):
# "Encountered unknown tag" naming one of these means the tag is misplaced (`{% endif %}` closing a
# `for`), whatever extension the app adds.
JINJA_TAGS = frozenset(
    {
        "for", "else", "endfor", "if", "elif", "endif", "block", "endblock", "extends", "print", "macro",
        "endmacro", "include", "from", "import", "set", "endset", "with", "endwith", "autoescape",
        "endautoescape", "call", "endcall", "filter", "endfilter", "raw", "endraw",
        "do", "break", "continue", *_I18N_TAGS,
    }
)  # fmt: skip
# The tags each Jinja extension defines, by the dotted names an app may add it under (jinja2's own,
# and those Flask extensions add). An extension not listed here may define any tag.
EXTENSION_TAGS: dict[str, frozenset[str]] = {
    "jinja2.ext.i18n": _I18N_TAGS,
    "jinja2.ext.InternationalizationExtension": _I18N_TAGS,
    "jinja2.ext.do": frozenset({"do"}),
    "jinja2.ext.ExprStmtExtension": frozenset({"do"}),
    "jinja2.ext.loopcontrols": frozenset({"break", "continue"}),
    "jinja2.ext.LoopControlExtension": frozenset({"break", "continue"}),
    "jinja2.ext.debug": frozenset({"debug"}),
    "jinja2.ext.DebugExtension": frozenset({"debug"}),
    # Removed in Jinja 3.1 (their tags became built in): no tag of their own.
    "jinja2.ext.autoescape": frozenset(),
    "jinja2.ext.AutoEscapeExtension": frozenset(),
    "jinja2.ext.with_": frozenset(),
    "jinja2.ext.WithExtension": frozenset(),
    "webassets.ext.jinja2.AssetsExtension": frozenset({"assets", "endassets"}),
    "flask_caching.jinja2ext.CacheExtension": frozenset({"cache", "endcache"}),
}
# Flask extensions that add a Jinja extension to the app they are set up on, with its tags.
FLASK_EXTENSION_TAGS: dict[str, frozenset[str]] = {
    "flask_babel": _I18N_TAGS,
    "flask_babelex": _I18N_TAGS,
    "flask_babelplus": _I18N_TAGS,
    "flask_assets": EXTENSION_TAGS["webassets.ext.jinja2.AssetsExtension"],
    "flask_caching": EXTENSION_TAGS["flask_caching.jinja2ext.CacheExtension"],
    "flask_cache": EXTENSION_TAGS["flask_caching.jinja2ext.CacheExtension"],
}
# Flask extensions known to add no Jinja tag (any other imported `flask_*` package may add some).
FLASK_EXTENSIONS_WITHOUT_TAGS = frozenset(
    {
        "flask_sqlalchemy", "flask_migrate", "flask_login", "flask_wtf", "flask_cors", "flask_mail",
        "flask_limiter", "flask_compress", "flask_session", "flask_bcrypt", "flask_marshmallow",
        "flask_moment", "flask_talisman", "flask_socketio", "flask_jwt_extended", "flask_httpauth",
        "flask_pymongo", "flask_redis", "flask_sslify", "flask_principal", "flask_script", "flask_testing",
        "flask_seasurf", "flask_executor", "flask_restful", "flask_restx", "flask_mongoengine",
        "flask_admin", "flask_appbuilder",  # filters and globals only (their sources checked)
    }
)  # fmt: skip


def extension_tags(dotted: str) -> frozenset[str] | None:
    """The tags a Jinja extension (a dotted name) or a Flask extension package adds; None: unknown."""
    if dotted in FLASK_EXTENSIONS_WITHOUT_TAGS:
        return frozenset()
    return EXTENSION_TAGS.get(dotted, FLASK_EXTENSION_TAGS.get(dotted))


@dataclass
class TemplateError:
    """Why Jinja (or Flask, on loading) rejects the template, where."""

    message: str
    span: Span  # the token Jinja stopped at (zero-width at the end of the template for "unexpected end")
    tag: str | None = None  # "Encountered unknown tag": the tag (misplaced, or from an extension we do not load)
    # Jinja stopped inside a `{{ ... }}` written in another template language (Mustache's `{{{x}}}`,
    # `{{#x}}`; Go's `{{ .X }}`): the file is most likely not a Jinja template at all.
    foreign: bool = False

    @property
    def line(self) -> int:
        return self.span[0]

    @property
    def unknown_tag(self) -> bool:
        return self.tag is not None


@dataclass
class TemplateModel:
    path: str
    text: str
    ast: jinja2.nodes.Template | None
    error: TemplateError | None
    facts: FileFacts
    lines: list[str] = field(default_factory=list)
    # Jinja's lexer's tokens (line, kind, value) of a template Jinja parses (None: it does not).
    tokens: list[tuple[int, str, str]] | None = None
    _line_starts: list[int] = field(default_factory=list, repr=False)
    _nodes: dict[type, list[jinja2.nodes.Node]] | None = field(default=None, repr=False)
    _preorder: list[jinja2.nodes.Node] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        rows = self.text.split("\n")[:-1]
        self._line_starts = list(itertools.accumulate((len(row) + 1 for row in rows), initial=0))
        if "\r" in self.text:  # Jinja also ends a row at a lone "\r"
            self._jinja_line_starts = [0] + [match.end() for match in _JINJA_NEWLINE.finditer(self.text)]
        else:  # the same rows (both read only: one list serves)
            self._jinja_line_starts = self._line_starts

    def find_all(self, node_type: type | tuple[type, ...]) -> list[jinja2.nodes.Node]:
        """`ast.find_all(node_type)` as a list (same nodes, same order), from one walk of the tree that
        every reader shares: each `find_all` of Jinja's walks the whole tree again."""
        if self.ast is None:
            return []
        if self._nodes is None:
            self._preorder, self._nodes = _walk(self.ast)
        matching = [kind for kind in self._nodes if issubclass(kind, node_type)]
        if len(matching) == 1:
            return list(self._nodes[matching[0]])
        return [node for node in self._preorder if isinstance(node, node_type)] if matching else []

    def locate(self, line: int, needle: str, occurrence: int = 0) -> Span:
        """Span of the `occurrence`-th `needle` on a line Jinja numbers (the whole line when absent).

        Jinja also ends lines at a lone `\r`; the spans count rows at `\n` only (as fixes and
        editors of such files do), so the line is found in Jinja's numbering and mapped back."""
        if not 1 <= line <= len(self._jinja_line_starts):
            return (line, 0, line, 0)
        begin = self._jinja_line_starts[line - 1]
        end = self._jinja_line_starts[line] if line < len(self._jinja_line_starts) else len(self.text)
        text = self.text[begin:end].rstrip("\r\n")
        start = -1
        for _ in range(occurrence + 1):
            start = text.find(needle, start + 1)
            if start < 0:
                return self.span(begin, begin + len(text))
        return self.span(begin + start, begin + start + len(needle))

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
        model.ast, model.tokens = _parse(path, text)
    except jinja2.TemplateSyntaxError as exc:
        model.error = _syntax_error(model, exc, regions)
        _url_for_from_tokens(model, literals)
        return model
    model.error = _block_defined_twice(model, regions)
    _url_for_from_ast(model, literals)
    _template_refs(model)
    _url_literals(model, regions)
    return model


def _parse(path: str, text: str) -> tuple[jinja2.nodes.Template, list[tuple[int, str, str]] | None]:
    """Jinja's AST, and its lexer's tokens kept for the readers that need them (one lexing, not two).

    The parser reads the kept tokens as it reads its own lazy stream (no extension of EXTENSIONS
    preprocesses the source or filters the stream). When the lexer fails, the template is parsed as
    Jinja does it, so that the error is the one its parser meets first."""
    environment = _environment()
    try:
        tokens = list(environment.lexer.tokeniter(text, path))
    except jinja2.TemplateSyntaxError:
        return environment.parse(text, name=path), None
    parser = jinja2.parser.Parser(environment, "", path)
    parser.stream = jinja2.lexer.TokenStream(environment.lexer.wrap(iter(tokens), path), path, None)
    return parser.parse(), tokens


def _walk(ast: jinja2.nodes.Template) -> tuple[list[jinja2.nodes.Node], dict[type, list[jinja2.nodes.Node]]]:
    """Every node under the root in `find_all`'s order (depth first, fields in order), and by class."""
    preorder: list[jinja2.nodes.Node] = []
    by_class: dict[type, list[jinja2.nodes.Node]] = {}
    stack = child_nodes(ast)[::-1]
    while stack:
        node = stack.pop()
        preorder.append(node)
        by_class.setdefault(type(node), []).append(node)
        stack += child_nodes(node)[::-1]
    return preorder, by_class


def child_nodes(node: jinja2.nodes.Node) -> list[jinja2.nodes.Node]:
    """`node.iter_child_nodes()` as a list, without its generators."""
    node_class = jinja2.nodes.Node
    children: list[jinja2.nodes.Node] = []
    for name in node.fields:
        value = getattr(node, name, None)
        if isinstance(value, list):
            for child in value:
                if isinstance(child, node_class):
                    children.append(child)
        elif isinstance(value, node_class):
            children.append(value)
    return children


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
_QUOTE = re.compile("['\"]")
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
        found = text.find(closing, index)
        quote = _QUOTE.search(text, index, found if found >= 0 else len(text))
        if quote is None:
            return found
        char = quote.group()
        index = quote.end()
        while index < len(text) and text[index] != char:
            index += 2 if text[index] == "\\" else 1
        index += 1
    return -1


# -- syntax errors: where Jinja stopped ---------------------------------------------------------
_JINJA_NEWLINE = re.compile(r"\r\n|\r|\n")  # the line breaks Jinja's lexer counts (a lone \r too)
_unknown_tag = lazy_pattern(r"Encountered unknown tag '(\w+)'")
_unexpected_char = lazy_pattern(r"^unexpected char .* at (\d+)$", re.S)


class _JinjaSource:
    """Jinja's own copy of the text (its lexer joins lines with "\n" and drops one trailing newline),
    with the way back to offsets in the text."""

    def __init__(self, text: str) -> None:
        lines = _JINJA_NEWLINE.split(text)
        if lines[-1] == "" and len(lines) > 1:
            del lines[-1]
        self.source = "\n".join(lines)
        self._starts = [0]
        for line in lines[:-1]:
            self._starts.append(self._starts[-1] + len(line) + 1)
        self._text_starts = [0] + [match.end() for match in _JINJA_NEWLINE.finditer(text)]

    def to_text(self, offset: int) -> int:
        line = bisect.bisect_right(self._starts, offset) - 1
        return self._text_starts[line] + offset - self._starts[line]

    def line_of(self, offset: int) -> int:
        """Jinja's 1-based line number of an offset in its source."""
        return bisect.bisect_right(self._starts, offset)

    def line_start(self, line: int | None) -> int:
        """Offset in the text of the start of a line Jinja reports."""
        index = min(max((line or 1) - 1, 0), len(self._text_starts) - 1)
        return self._text_starts[index]


class _TrackedTokens:
    """Jinja's token stream, recording where in the source each token the parser sees comes from,
    and where lexing stopped when the lexer itself fails."""

    def __init__(self, environment: jinja2.Environment, source: str) -> None:
        self.environment = environment
        self.source = source
        self.spans: dict[int, tuple[int, int]] = {}  # id(Token) -> (start, end)
        self._alive: list[jinja2.lexer.Token] = []  # keeps the ids unique
        self.last = (0, 0)  # the latest raw token
        self.failed_in: str | None = None  # "lexer" or "wrap": the exception came from there

    def stream(self) -> jinja2.lexer.TokenStream:
        return jinja2.lexer.TokenStream(self._tokens(), None, None)

    def _raw(self) -> Iterator[tuple[int, str, str]]:
        position = 0
        try:
            for lineno, kind, value in self.environment.lexer.tokeniter(self.source, None):
                start = self.source.find(value, position) if value else position
                if start < 0 or self.source[position:start].strip():
                    start = position  # never seen on Jinja 3.1 (a token is its source text); stay close
                position = start + len(value)
                self.last = (start, position)
                yield lineno, kind, value
        except jinja2.TemplateSyntaxError:
            self.failed_in = "lexer"
            raise

    def _tokens(self) -> Iterator[jinja2.lexer.Token]:
        try:
            for token in self.environment.lexer.wrap(self._raw()):
                self.spans[id(token)] = self.last
                self._alive.append(token)
                yield token
        except jinja2.TemplateSyntaxError:
            self.failed_in = self.failed_in or "wrap"
            raise


def _syntax_error(model: TemplateModel, exc: jinja2.TemplateSyntaxError, regions: list[_Region]) -> TemplateError:
    message = exc.message or "syntax error"
    tag = _unknown_tag().match(message)
    span = _error_span(model, exc)
    return TemplateError(message, span, tag[1] if tag else None, _in_foreign_tag(model, regions, span))


# What starts the inside of `{{ ... }}` in Mustache/Handlebars (`{{{raw}}}`, `{{#section}}`,
# `{{/section}}`, `{{^inverted}}`, `{{>partial}}`, `{{!comment}}`, `{{&raw}}`) or Go templates
# (`{{ .Values.x }}`, `{{- $name }}`), never a Jinja expression.
_FOREIGN_START = re.compile(r"[{#/^>!&]|[-\s]*[.$]")


def _in_foreign_tag(model: TemplateModel, regions: list[_Region], span: Span) -> bool:
    """Is the error inside a `{{ ... }}` written in another template language?"""
    offset = model._line_starts[span[0] - 1] + span[1] if span[0] <= len(model._line_starts) else len(model.text)
    for region in regions:
        if region.start <= offset < region.end:
            return region.kind == "variable" and _FOREIGN_START.match(model.text, region.inner_start) is not None
    return False


def _error_span(model: TemplateModel, exc: jinja2.TemplateSyntaxError) -> Span:
    """The span of the token Jinja stopped at: the template is parsed again, its tokens tracked."""
    jinja = _JinjaSource(model.text)
    tracked = _TrackedTokens(_environment(), jinja.source)
    parser = jinja2.parser.Parser(_environment(), "")
    try:
        parser.stream = tracked.stream()
        parser.parse()
    except jinja2.TemplateSyntaxError as again:
        found = _offending(tracked, parser, again.message or "") if again.message == exc.message else None
    else:
        found = None
    if found == "eof":  # Jinja's line is its last token's first; the template ends after its last text
        end = len(model.text.rstrip())
        return model.span(end, end)
    if found is None or jinja.line_of(found[0]) != exc.lineno:
        return _line_span(model, model.line_of(jinja.line_start(exc.lineno)))
    return model.span(jinja.to_text(found[0]), jinja.to_text(found[1]))


def _offending(tracked: _TrackedTokens, parser: jinja2.parser.Parser, message: str) -> tuple[int, int] | str | None:
    """Source offsets of what Jinja rejected ("eof": the end of the template; None: not known)."""
    source = tracked.source
    char = _unexpected_char().match(message)
    if char:  # the lexer names the offset itself
        return int(char[1]), int(char[1]) + 1
    if tracked.failed_in == "lexer":
        if message.startswith("unexpected '"):  # an unbalanced bracket: the next character
            after = len(source) - len(source[tracked.last[1] :].lstrip())
            return after, min(after + 1, len(source))
        return tracked.last  # "Missing end of comment tag", "... raw directive": the opening
    if tracked.failed_in == "wrap":
        return tracked.last  # a bad name or string literal
    current = parser.stream.current
    if current.type == "eof":
        return "eof"
    return tracked.spans.get(id(current))


def _line_span(model: TemplateModel, row: int) -> Span:
    """The text of a row, when the token is not known."""
    if not 1 <= row <= len(model.lines):
        return (row, 0, row, 0)
    text = model.lines[row - 1].rstrip("\r\n")
    start = len(text) - len(text.lstrip())
    return (row, start, row, len(text))


_BLOCK_TAG = re.compile(r"[-+]?\s*block\s+(\w+)")


def _block_defined_twice(model: TemplateModel, regions: list[_Region]) -> TemplateError | None:
    """Jinja's compiler rejects a second `{% block name %}` (Flask compiles a template on loading)."""
    assert model.ast is not None
    seen: set[str] = set()
    for block in model.find_all(jinja2.nodes.Block):
        if block.name in seen:
            return TemplateError(f"block {block.name!r} defined twice", _block_name_span(model, regions, block))
        seen.add(block.name)
    return None


def _block_name_span(model: TemplateModel, regions: list[_Region], block: jinja2.nodes.Block) -> Span:
    """The name in the second `{% block name %}` tag (blocks come in source order, as Jinja finds them)."""
    occurrence = 0
    for region in regions:
        match = _BLOCK_TAG.match(model.text, region.inner_start, region.inner_end) if region.kind == "block" else None
        if match and match[1] == block.name:
            occurrence += 1
            if occurrence == 2:
                return model.span(*match.span(1))
    return _line_span(model, block.lineno)


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
    for call in model.find_all(jinja2.nodes.Call):
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
                # The keywords are not read here: any may be passed (FLK202 must not call them missing).
                model.facts.url_for_calls.append(UrlForCall(endpoint, _claim(model, literals, line, endpoint), [], True))


def _template_refs(model: TemplateModel) -> None:
    assert model.ast is not None
    for node in model.find_all((jinja2.nodes.Extends, jinja2.nodes.Include, jinja2.nodes.Import, jinja2.nodes.FromImport)):
        template = node.template
        if isinstance(template, jinja2.nodes.Const) and isinstance(template.value, str):
            model.facts.template_refs.append(TemplateRef(template.value, model.locate(node.lineno, template.value)))
        else:  # `{% extends layout %}`: any template may be loaded here
            model.facts.template_refs.append(TemplateRef("", model.locate(node.lineno, "")))


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
