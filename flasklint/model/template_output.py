"""Where a Jinja template outputs text without escaping it, and which context variables reach there.

Autoescaping escapes every `{{ ... }}` of an `.html` template, except where the template opts out:
a `|safe` filter, a `{% filter safe %}` block, an `{% autoescape false %}` block (any spelling:
`{%- autoescape False -%}` parses alike). For each such place this module says which of the
template's *context variables* (what `render_template(..., v=...)` passes) can reach the raw output,
and which request data the template reads itself (`request.args.q`, a Flask template global).

The question is answered on Jinja's own AST, conservatively: a value reaches the output through
names, attributes, items, concatenation, conditionals, string methods and text filters that keep
it (`upper`, `replace`, `default`, ...); an escaping or non-text filter (`e`, `tojson`, `int`,
`length`, ...), a call of a macro or function, or a filter Jinja does not ship (a project's
`|markdown`, `|bleach`) stops it. A template variable bound by `{% set %}`, `{% for %}` or
`{% with %}` stands for what it is bound to; a macro parameter for nothing known.

Jinja's AST has lines, no columns: spans come from Jinja's lexer (each `safe` filter name and each
`{% autoescape %}` tag, with offsets), paired with the AST nodes in source order.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import field
from typing import Iterator

import jinja2

from flasklint.model.dataflow import REQUEST_ATTRIBUTES, STR_METHODS, is_value
from flasklint.model.facts import Span
from flasklint.model.templates import TemplateModel, child_nodes
from flasklint.records import dataclass

# Filters whose result still holds the text they were given (the arguments too, where listed).
TRANSPARENT_FILTERS = frozenset(
    {
        "safe", "upper", "lower", "title", "capitalize", "trim", "string", "first", "last", "random",
        "reverse", "list", "sort", "unique", "truncate", "wordwrap", "center", "indent", "batch", "slice",
        "select", "reject", "selectattr", "rejectattr", "map", "attr", "items", "dictsort", "groupby", "min", "max",
    }
)  # fmt: skip
TRANSPARENT_WITH_ARGUMENTS = frozenset({"default", "d", "replace", "join", "format"})
# Methods of text and of request-like mappings that hand back (part of) the receiver.
TEXT_METHODS = STR_METHODS | {"get", "getlist", "pop", "values", "items", "split", "rsplit", "splitlines"}
REQUEST_NAME = "request"


@dataclass(frozen=True)
class UnescapedOutput:
    """One place a template turns escaping off, and what reaches its raw output."""

    kind: str  # "safe" (`x|safe`), "filter" (`{% filter safe %}`), "autoescape" (`{% autoescape false %}`)
    span: Span  # `|safe` (pipe to name), or the whole `{% ... %}` tag of a block
    names: tuple[str, ...]  # context variables whose value may reach the raw output
    request: tuple[str, ...]  # request data the template reads itself and outputs raw ("`request.args`")


@dataclass
class TemplateOutput:
    """What one template outputs raw, and what it outputs at all (for a render without autoescaping)."""

    unescaped: list[UnescapedOutput] = field(default_factory=list)
    outputs: set[str] = field(default_factory=set)  # context variables any `{{ }}` outputs unescaped-able
    request_outputs: set[str] = field(default_factory=set)
    shares_context_with: list[str] = field(default_factory=list)  # `{% extends %}` / `{% include %}` names


def template_output(template: TemplateModel) -> TemplateOutput | None:
    """The unescaped outputs of a template Jinja parses (None: it does not)."""
    if template.ast is None:
        return None
    tracer = _Tracer(template)
    result = TemplateOutput()
    tokens = _Tokens(template)
    filters, modifiers = _safe_and_autoescape(template)
    blocks = template.find_all(jinja2.nodes.FilterBlock)
    for node, span in _paired(template, filters, tokens.safe):
        site = _safe_site(tracer, node, span, blocks)
        if site is not None:
            result.unescaped.append(site)
    for node, span in _paired(template, modifiers, tokens.autoescape):
        if _autoescape(node) is False:
            names, request = tracer.outputs(node.body)
            result.unescaped.append(UnescapedOutput("autoescape", span[1], names, request))
    names, request = tracer.outputs(template.ast.body, unescaped=True)
    result.outputs, result.request_outputs = set(names), set(request)
    for ref in template.find_all((jinja2.nodes.Extends, jinja2.nodes.Include)):
        if isinstance(ref.template, jinja2.nodes.Const) and isinstance(ref.template.value, str):
            result.shares_context_with.append(ref.template.value)
    return result


def _safe_site(
    tracer: "_Tracer", node: jinja2.nodes.Filter, spans: tuple[Span, Span], blocks: list[jinja2.nodes.FilterBlock]
) -> UnescapedOutput | None:
    """A `|safe` in an expression, or the `safe` of a `{% filter ... %}` block (None: `{% set x | safe %}`)."""
    filter_span, tag_span = spans
    root: jinja2.nodes.Node | None = node
    while isinstance(root, jinja2.nodes.Filter):
        root = root.node
    if root is not None:  # `expr|...|safe`
        names, request = tracer.reaching(node.node)
        return UnescapedOutput("safe", filter_span, names, request)
    block = next((b for b in blocks if _in_chain(node, b.filter)), None)
    if block is None:
        return None
    names, request = tracer.outputs(block.body)
    return UnescapedOutput("filter", tag_span, names, request)


def _in_chain(node: jinja2.nodes.Filter, chain: jinja2.nodes.Node | None) -> bool:
    """Whether `node` is one of the filters of a `{% filter a|b %}` chain."""
    while isinstance(chain, jinja2.nodes.Filter):
        if chain is node:
            return True
        chain = chain.node
    return False


def _autoescape(node: jinja2.nodes.ScopedEvalContextModifier) -> bool | None:
    """What `{% autoescape x %}` sets: True, False, or None (not a constant)."""
    for option in node.options:
        if option.key == "autoescape" and isinstance(option.value, jinja2.nodes.Const):
            return bool(option.value.value)
    return None


# -- what reaches an expression -------------------------------------------------------------------
class _Tracer:
    """Which context variables and request data an expression's value may hold (memoised per name)."""

    def __init__(self, template: TemplateModel) -> None:
        self.bindings: dict[str, list[jinja2.nodes.Node | None]] = {}
        n = jinja2.nodes
        binders = (n.For, n.Assign, n.With, n.Macro, n.CallBlock, n.AssignBlock, n.Import, n.FromImport)
        for node in template.find_all(binders):
            self._record(node)
        self._names: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        self._active: set[str] = set()

    def _record(self, node: jinja2.nodes.Node) -> None:
        if isinstance(node, jinja2.nodes.For):
            self._bind(node.target, jinja2.nodes.Filter(node.iter, "first", [], [], None, None))
            self.bindings.setdefault("loop", []).append(None)
        elif isinstance(node, jinja2.nodes.Assign):
            self._bind(node.target, node.node)
        elif isinstance(node, jinja2.nodes.With):
            for target, value in zip(node.targets, node.values):
                self._bind(target, value)
        elif isinstance(node, (jinja2.nodes.Macro, jinja2.nodes.CallBlock)):
            for arg in node.args:
                self.bindings.setdefault(arg.name, []).append(None)
            for name in ("caller", "varargs", "kwargs"):
                self.bindings.setdefault(name, []).append(None)
        elif isinstance(node, jinja2.nodes.AssignBlock):
            self._bind(node.target, None)
        elif isinstance(node, jinja2.nodes.Import):
            self.bindings.setdefault(node.target, []).append(None)
        elif isinstance(node, jinja2.nodes.FromImport):
            for name in node.names:
                self.bindings.setdefault(name[1] if isinstance(name, tuple) else name, []).append(None)

    def _bind(self, target: jinja2.nodes.Node, value: jinja2.nodes.Node | None) -> None:
        """Every name of a target stands for (a part of) the value."""
        for name in target.find_all(jinja2.nodes.Name) if not isinstance(target, jinja2.nodes.Name) else [target]:
            self.bindings.setdefault(name.name, []).append(value)

    def outputs(self, body: list[jinja2.nodes.Node], unescaped: bool = False) -> tuple[tuple[str, ...], ...]:
        """What the `{{ }}` of a body output, outside nested autoescape blocks and `|safe` (reported apart).

        `unescaped`: the whole body is rendered without autoescaping (every `{{ }}` counts, except in
        an `{% autoescape true %}` block).
        """
        names: set[str] = set()
        request: set[str] = set()
        for output in _outputs(body, unescaped):
            for expression in output.nodes:
                if isinstance(expression, jinja2.nodes.TemplateData):
                    continue
                if isinstance(expression, jinja2.nodes.Filter) and expression.name == "safe" and not unescaped:
                    continue
                found, labels = self.reaching(expression)
                names.update(found)
                request.update(labels)
        return tuple(sorted(names)), tuple(sorted(request))

    def reaching(self, node: jinja2.nodes.Node) -> tuple[tuple[str, ...], tuple[str, ...]]:
        names, request = self._reach(node)
        return tuple(sorted(names)), tuple(sorted(request))

    def _reach(self, node: jinja2.nodes.Node | None) -> tuple[frozenset[str], frozenset[str]]:
        n = jinja2.nodes
        if node is None or isinstance(node, (n.Const, n.TemplateData, n.Test, n.Compare, n.Not)):
            return frozenset(), frozenset()
        if isinstance(node, jinja2.nodes.Name):
            return self._name(node.name)
        if isinstance(node, jinja2.nodes.Getattr):
            return self._attribute(node)
        if isinstance(node, jinja2.nodes.Getitem):
            return self._reach(node.node)
        if isinstance(node, jinja2.nodes.Filter):
            return self._filter(node)
        if isinstance(node, jinja2.nodes.Call):
            return self._call(node)
        if isinstance(node, jinja2.nodes.CondExpr):
            return _join(self._reach(node.expr1), self._reach(node.expr2))
        if isinstance(node, jinja2.nodes.Concat):
            return _join(*(self._reach(item) for item in node.nodes))
        if isinstance(node, (jinja2.nodes.List, jinja2.nodes.Tuple)):
            return _join(*(self._reach(item) for item in node.items))
        if isinstance(node, (jinja2.nodes.Add, jinja2.nodes.Mod, jinja2.nodes.Or, jinja2.nodes.And)):
            return _join(self._reach(node.left), self._reach(node.right))
        return frozenset(), frozenset()

    def _name(self, name: str) -> tuple[frozenset[str], frozenset[str]]:
        if name not in self.bindings:
            return (frozenset() if name == REQUEST_NAME else frozenset({name})), frozenset()
        if name in self._names:
            return self._names[name]
        if name in self._active:
            return frozenset(), frozenset()
        self._active.add(name)
        try:
            result = _join(*(self._reach(value) for value in self.bindings[name]))
        finally:
            self._active.discard(name)
        self._names[name] = result
        return result

    def _attribute(self, node: jinja2.nodes.Getattr) -> tuple[frozenset[str], frozenset[str]]:
        """`request.args` (the request global, when the template does not bind the name) or `v.attr`."""
        base = node.node
        if isinstance(base, jinja2.nodes.Name) and base.name == REQUEST_NAME and REQUEST_NAME not in self.bindings:
            kind = REQUEST_ATTRIBUTES.get(node.attr)
            if kind is not None and is_value(kind):
                return frozenset(), frozenset({f"`request.{node.attr}`"})
            return frozenset(), frozenset()
        return self._reach(base)

    def _filter(self, node: jinja2.nodes.Filter) -> tuple[frozenset[str], frozenset[str]]:
        if node.name in TRANSPARENT_FILTERS:
            return self._reach(node.node)
        if node.name in TRANSPARENT_WITH_ARGUMENTS:
            parts = [node.node, *node.args, *(k.value for k in node.kwargs)]
            return _join(*(self._reach(part) for part in parts))
        return frozenset(), frozenset()  # escaping, numeric, or a filter of the project's own

    def _call(self, node: jinja2.nodes.Call) -> tuple[frozenset[str], frozenset[str]]:
        """A text method (`v.strip()`, `request.args.get("q")`) keeps its receiver; other calls are opaque."""
        func = node.node
        if isinstance(func, jinja2.nodes.Getattr) and func.attr in TEXT_METHODS:
            parts = [func.node, *node.args] if func.attr in ("format", "join", "replace") else [func.node]
            return _join(*(self._reach(part) for part in parts))
        return frozenset(), frozenset()


def _join(*parts: tuple[frozenset[str], frozenset[str]]) -> tuple[frozenset[str], frozenset[str]]:
    names: frozenset[str] = frozenset().union(*(p[0] for p in parts))
    request: frozenset[str] = frozenset().union(*(p[1] for p in parts))
    return names, request


def _outputs(body: list[jinja2.nodes.Node], unescaped: bool) -> list[jinja2.nodes.Output]:
    """The `{{ }}` outputs of a body, not inside a nested `{% autoescape %}` block (it decides for itself;
    in an `unescaped` body only one that turns autoescaping on does)."""
    found: list[jinja2.nodes.Output] = []
    for node in body:
        _outputs_in(node, unescaped, found)
    return found


def _outputs_in(node: jinja2.nodes.Node, unescaped: bool, found: list[jinja2.nodes.Output]) -> None:
    if isinstance(node, jinja2.nodes.Output):
        found.append(node)
        return
    if isinstance(node, jinja2.nodes.ScopedEvalContextModifier) and not (unescaped and _autoescape(node) is False):
        return
    for child in child_nodes(node):
        _outputs_in(child, unescaped, found)


# -- source order: the AST paired with the lexer's tokens ------------------------------------------
# Fields in the order their text appears, where Jinja's field order differs ("self": the node's own token).
# Keyed by class name: Jinja is imported only when a template is analysed (a warm run needs none).
_FIELD_ORDER: dict[str, tuple[str, ...]] = {
    "Filter": ("node", "self", "args", "kwargs", "dyn_args", "dyn_kwargs"),
    "FilterBlock": ("filter", "body"),
    "CondExpr": ("expr1", "test", "expr2"),
    "For": ("target", "iter", "test", "body", "else_"),
    "CallBlock": ("args", "defaults", "call", "body"),
}


def _safe_and_autoescape(
    template: TemplateModel,
) -> tuple[list[jinja2.nodes.Filter], list[jinja2.nodes.ScopedEvalContextModifier]]:
    """The `safe` filters and the `{% autoescape %}` blocks, each in the order of their tokens in the
    source (the tree is walked in that order only when there are two of one to order)."""
    filters = [node for node in template.find_all(jinja2.nodes.Filter) if node.name == "safe"]
    modifiers = template.find_all(jinja2.nodes.ScopedEvalContextModifier)
    if len(filters) < 2 and len(modifiers) < 2:
        return filters, modifiers
    assert template.ast is not None
    ordered: list[jinja2.nodes.Node] = []
    _source_order(template.ast, ordered)
    filters = [n for n in ordered if isinstance(n, jinja2.nodes.Filter) and n.name == "safe"]
    modifiers = [n for n in ordered if isinstance(n, jinja2.nodes.ScopedEvalContextModifier)]
    return filters, modifiers


def _source_order(node: jinja2.nodes.Node, ordered: list[jinja2.nodes.Node]) -> None:
    """Every node, in the order of its own token in the source (a filter after what it filters)."""
    order = _FIELD_ORDER.get(type(node).__name__)
    if order is None:
        ordered.append(node)
        order = node.fields
    for name in order:
        if name == "self":
            ordered.append(node)
            continue
        value = getattr(node, name, None)
        for child in value if isinstance(value, list) else [value]:
            if isinstance(child, jinja2.nodes.Node):
                _source_order(child, ordered)


@dataclass(frozen=True)
class _Located:
    line: int  # Jinja's line of the token
    spans: tuple[Span, Span]  # (the filter or tag itself, the enclosing `{% ... %}` tag)


_JINJA_NEWLINE = re.compile(r"\r\n|\r|\n")
_NAMES = frozenset({"safe", "autoescape"})  # the only names _Tokens locates


class _Tokens:
    """The `safe` filter names and `{% autoescape %}` tags of a template, located by Jinja's lexer
    (the tokens the template was parsed from)."""

    def __init__(self, template: TemplateModel) -> None:
        self.template = template
        self.safe: list[_Located] = []
        self.autoescape: list[_Located] = []
        if template.tokens is not None and any(value in _NAMES for _, _, value in template.tokens):
            self._scan(template.tokens)

    def _scan(self, raw: list[tuple[int, str, str]]) -> None:
        lines = _JINJA_NEWLINE.split(self.template.text)
        self._text_starts = [0] + [m.end() for m in _JINJA_NEWLINE.finditer(self.template.text)]
        if lines[-1] == "" and len(lines) > 1:
            del lines[-1]
        self._source = "\n".join(lines)
        self._starts = [0]
        for line in lines[:-1]:
            self._starts.append(self._starts[-1] + len(line) + 1)
        tokens = [t for t in self._located(raw) if t[1] != "whitespace"]
        tag_start = 0
        for index, (line, kind, value, start, end) in enumerate(tokens):
            if kind == "block_begin":
                tag_start = start
                continue
            if kind != "name":
                continue
            previous = tokens[index - 1] if index else None
            if value == "safe" and previous is not None and (previous[2] == "|" or _is_filter_tag(tokens, index)):
                begin = previous[3] if previous[2] == "|" else start
                self.safe.append(_Located(line, (self._span(begin, end), self._tag(tokens, index, tag_start))))
            elif value == "autoescape" and previous is not None and previous[1] == "block_begin":
                tag = self._tag(tokens, index, tag_start)
                self.autoescape.append(_Located(line, (tag, tag)))

    def _tag(self, tokens: list[tuple[int, str, str, int, int]], index: int, start: int) -> Span:
        """The `{% ... %}` tag holding tokens[index] (the token itself outside a tag)."""
        for _, kind, _, _, end in tokens[index:]:
            if kind == "block_end":
                return self._span(start, end)
            if kind in ("variable_end", "block_begin", "data"):
                break
        return self._span(tokens[index][3], tokens[index][4])

    def _located(self, raw: list[tuple[int, str, str]]) -> Iterator[tuple[int, str, str, int, int]]:
        position = 0
        for line, kind, value in raw:
            start = self._source.find(value, position) if value else position
            if start < 0:
                start = position
            position = start + len(value)
            # A closing `-%}` takes the whitespace it strips after it: the tag ends at its `}`.
            end = start + len(value.rstrip()) if kind.endswith("_end") else position
            yield line, kind, value, start, end

    def _span(self, start: int, end: int) -> Span:
        return self.template.span(self._to_text(start), self._to_text(end))

    def _to_text(self, offset: int) -> int:
        line = max(0, bisect.bisect_right(self._starts, offset) - 1)
        return self._text_starts[line] + offset - self._starts[line]


def _is_filter_tag(tokens: list[tuple[int, str, str, int, int]], index: int) -> bool:
    """`{% filter safe %}`: the name right after a `filter` keyword that opens a tag."""
    return index >= 2 and tokens[index - 1][2] == "filter" and tokens[index - 2][1] == "block_begin"


def _paired(template: TemplateModel, found: list, located: list[_Located]) -> Iterator[tuple]:
    """AST nodes with the spans of their tokens (in source order; by line alone if the two disagree)."""
    if len(found) == len(located) and all(n.lineno == t.line for n, t in zip(found, located)):
        for node, token in zip(found, located):
            yield node, token.spans
        return
    for node in found:
        span = template.locate(node.lineno, "safe" if isinstance(node, jinja2.nodes.Filter) else "autoescape")
        yield node, (span, span)
