"""Literal URL paths in Python views that may be the app's own routes (FLK203 candidates).

Derived from the ModuleModel after its one traversal: `redirect()` calls come from model.calls;
`Location` headers and HTML strings come from walking each view's (or request hook's) own body.
Code outside a request context (module constants, CLI commands, helpers) is skipped: `url_for`
raises there without SERVER_NAME, so the literal is not a mistake. Whether a literal is one of the
app's routes is decided later, against the project index, by FLK203, which reads these in its
`collect` step (with the scope of each Python literal, to spell the `url_for` of its fix).
"""

from __future__ import annotations

import bisect
import re
from typing import Iterator

import libcst as cst

from flasklint.model.cst_helpers import argument, literal_string
from flasklint.model.facts import Span, UrlLiteral
from flasklint.model.html_links import Hole, Piece, Text, attribute_values, split_local_url
from flasklint.model.module import URL_FOR, FunctionInfo, ModuleModel, Scope
from flasklint.model.placeholders import is_plain_field
from flasklint.model.routing import HOLE
from flasklint.model.walk import LeanVisitor

REDIRECTS = frozenset({"flask.redirect", "flask.helpers.redirect", "werkzeug.redirect", "werkzeug.utils.redirect"})
# Decorators whose functions run inside a request (url_for works there as in a view).
REQUEST_HOOKS = frozenset(
    {
        "before_request", "after_request", "teardown_request", "before_app_request", "after_app_request",
        "teardown_app_request", "errorhandler", "app_errorhandler", "context_processor", "app_context_processor",
    }
)  # fmt: skip
_HTML_ATTRIBUTE = re.compile(r"(?i)(?:href|src|action)\s*=")
# A view whose source mentions none of these holds no Location header and no HTML link: not walked.
_CANDIDATE_TEXT = re.compile(r"(?i)location|href|src|action")


def url_literals(model: ModuleModel) -> Iterator[tuple[UrlLiteral, Scope | None]]:
    """Each literal with the scope of the Python expression a fix would replace it by (None: inside HTML).

    Nothing for test files: tests drive the app through its URLs.
    """
    if model.facts.is_test:
        return
    in_request = {id(info): info for info in model.functions if _in_request_context(info)}
    if not in_request:
        return
    for call in model.calls_to(*REDIRECTS):
        if call.function is not None and id(call.function) in in_request:
            yield from _path_literal(model, argument(call.node, 0, "location"), "redirect", call.function.scope)
    for info in in_request.values():
        if not _may_hold_urls(model, info):
            continue
        body = _BodyScan()
        body.walk(info.node.body)
        for value in body.locations:
            yield from _path_literal(model, value, "location", info.scope)
        for string in body.strings:
            yield from ((literal, None) for literal in _html_literals(model, string))


def _may_hold_urls(model: ModuleModel, info: FunctionInfo) -> bool:
    """A cheap text test before walking a view body (walking every view is a second traversal)."""
    line, _, end_line, _ = model.span(info.node)
    return any(_CANDIDATE_TEXT.search(text) for text in model.lines[line - 1 : end_line])


def _in_request_context(info: FunctionInfo) -> bool:
    if info.is_view:
        return True
    for decorator in info.node.decorators:
        expression = decorator.decorator
        if isinstance(expression, cst.Call):
            expression = expression.func
        if isinstance(expression, cst.Attribute) and expression.attr.value in REQUEST_HOOKS:
            return True
    return False


class _BodyScan(LeanVisitor):
    """One view body: `Location` header values and string literals that contain HTML attributes."""

    def __init__(self) -> None:
        self.locations: list[cst.BaseExpression] = []
        self.strings: list[cst.SimpleString | cst.FormattedString | cst.ConcatenatedString] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False  # a nested function is not known to run in the request

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Expr(self, node: cst.Expr) -> bool:
        return not isinstance(node.value, (cst.SimpleString, cst.ConcatenatedString))  # docstrings

    def visit_DictElement(self, node: cst.DictElement) -> None:
        if _is_location(node.key):
            self.locations.append(node.value)

    def visit_Tuple(self, node: cst.Tuple) -> None:  # headers=[("Location", "/x")]
        if len(node.elements) == 2 and _is_location(node.elements[0].value):
            self.locations.append(node.elements[1].value)

    def visit_Assign(self, node: cst.Assign) -> None:  # response.headers["Location"] = "/x"
        for target in node.targets:
            subscript = target.target
            if (
                isinstance(subscript, cst.Subscript)
                and isinstance(subscript.value, cst.Attribute)
                and subscript.value.attr.value == "headers"
                and len(subscript.slice) == 1
                and isinstance(subscript.slice[0].slice, cst.Index)
                and _is_location(subscript.slice[0].slice.value)
            ):
                self.locations.append(node.value)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if _HTML_ATTRIBUTE.search(node.value):
            self.strings.append(node)

    def visit_FormattedString(self, node: cst.FormattedString) -> bool:
        if _has_attribute(node):
            self.strings.append(node)
        return False

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> bool:
        """`'<!-- ' '<a href="/x">' ' -->'` is one text: scanned whole, so a comment spans its parts."""
        if any(_has_attribute(part) for part in _concatenated_parts(node)):
            self.strings.append(node)
        return False


def _has_attribute(node: cst.SimpleString | cst.FormattedString) -> bool:
    if isinstance(node, cst.SimpleString):
        return _HTML_ATTRIBUTE.search(node.value) is not None
    return any(isinstance(p, cst.FormattedStringText) and _HTML_ATTRIBUTE.search(p.value) for p in node.parts)


def _concatenated_parts(node: cst.ConcatenatedString) -> Iterator[cst.SimpleString | cst.FormattedString]:
    for side in (node.left, node.right):
        if isinstance(side, cst.ConcatenatedString):
            yield from _concatenated_parts(side)
        else:
            yield side


def _is_location(node: cst.BaseExpression | None) -> bool:
    text = literal_string(node)
    return text is not None and text.lower() == "location"


def _path_literal(
    model: ModuleModel, node: cst.BaseExpression | None, context: str, scope: Scope
) -> Iterator[tuple[UrlLiteral, Scope]]:
    """`redirect("/login")`, `{"Location": f"/posts/{id}"}`: the whole literal is the URL."""
    parts = _string_parts(model, node)
    if parts is None:
        return
    value, holes, quote = parts
    url = split_local_url(value)
    if url is None:
        return
    assert node is not None
    span = model.span(node)
    yield UrlLiteral(url.path, span, context, url.fragment, url.query, holes, quote), scope


def _html_literals(
    model: ModuleModel, node: cst.SimpleString | cst.FormattedString | cst.ConcatenatedString
) -> Iterator[UrlLiteral]:
    """`'<a href="/login">'` in a view: each attribute value that is a local URL.

    The parts of an implicit concatenation are scanned as one text (a comment may span them), each
    value placed from the part it lies in.
    """
    parts = list(_concatenated_parts(node)) if isinstance(node, cst.ConcatenatedString) else [node]
    pieces: list[Piece] = []
    bases: list[int] = []  # where each part's source starts in the scanned text
    sources: list[str] = []
    for part in parts:
        part_pieces, source = _html_pieces(model, part)
        base = bases[-1] + len(sources[-1]) if bases else 0
        pieces.extend(_shifted(piece, base) for piece in part_pieces)
        bases.append(base)
        sources.append(source)
    for value in attribute_values(pieces):
        url = split_local_url(value.value)
        if url is None:
            continue
        index = bisect.bisect_right(bases, value.start) - 1
        line, column, _, _ = model.span(parts[index])
        span = _offset_span(sources[index], line, column, value.start - bases[index], value.end - bases[index])
        yield UrlLiteral(url.path, span, "html", url.fragment, url.query, value.holes, value.quote)


def _string_parts(model: ModuleModel, node: cst.BaseExpression | None) -> tuple[str, list[str | None], str] | None:
    """(text with holes, hole sources, quote) of a plain string or f-string; None for anything else."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return (value, [], node.quote[0]) if isinstance(value, str) else None
    if not isinstance(node, cst.FormattedString) or "b" in node.prefix.lower():
        return None
    text: list[str] = []
    holes: list[str | None] = []
    for part in node.parts:
        if isinstance(part, cst.FormattedStringText):
            if "{{" in part.value or "}}" in part.value or "\\" in part.value:
                return None  # escapes: the source text is not the value
            text.append(part.value)
        elif isinstance(part, cst.FormattedStringExpression):
            text.append(HOLE)
            holes.append(model.code(part.expression).strip() if is_plain_field(part) else None)
    return "".join(text), holes, node.end[0]


def _html_pieces(model: ModuleModel, node: cst.SimpleString | cst.FormattedString) -> tuple[list[Piece], str]:
    """The literal's source as pieces with offsets (f-string expressions become holes), and that source."""
    if isinstance(node, cst.SimpleString):
        return [Text(node.value, 0)], node.value
    pieces: list[Piece] = [Text(node.start, 0)]
    offset = len(node.start)
    for part in node.parts:
        if isinstance(part, cst.FormattedStringText):
            pieces.append(Text(part.value, offset))
            offset += len(part.value)
        else:
            code = model.code(part)
            source = model.code(part.expression).strip() if is_plain_field(part) else None
            pieces.append(Hole(source, offset, offset + len(code)))
            offset += len(code)
    return pieces, model.code(node)


def _shifted(piece: Piece, offset: int) -> Piece:
    if isinstance(piece, Text):
        return Text(piece.text, piece.start + offset)
    if isinstance(piece, Hole):
        return Hole(piece.source, piece.start + offset, piece.end + offset)
    return piece


def _offset_span(source: str, line: int, column: int, start: int, end: int) -> Span:
    """The span of source[start:end], the source starting at (line, column)."""
    return (*_position(source, line, column, start), *_position(source, line, column, end))


def _position(source: str, line: int, column: int, offset: int) -> tuple[int, int]:
    newlines = source.count("\n", 0, offset)
    if not newlines:
        return line, column + offset
    return line + newlines, offset - source.rfind("\n", 0, offset) - 1


def url_for_spelling(scope: Scope) -> str | None:
    """How `flask.url_for` can be called at this point without a new import."""
    if scope.imports.lookup("url_for") in URL_FOR:
        return "url_for"
    if scope.imports.lookup("flask") == "flask":
        return "flask.url_for"
    return None
