"""Where request data chooses where a response sends the browser: `redirect(url)` and `Location` headers.

The question is asked of the shared taint analysis (dataflow.py) through `UrlAnalysis`, a subclass
that knows what keeps a redirect on the site:
- same-site values are clean: `url_for(...)`, `request.path` / `full_path` / `url` / `base_url`, and the
  headers that name the site (`Host`, `X-Forwarded-Host`, `X-Forwarded-Proto`, ...);
- a URL whose constant start fixes the host is clean: `"/user/" + name`, `f"/search?q={q}"`,
  `"https://example.com/" + p`, `url_for("a") + "#" + anchor`. A start of only slashes is not:
  `"/" + "/evil.example"` is the protocol-relative `//evil.example`;
- checked values are clean: a value whose `urlparse()` / `urlsplit()` result's `.netloc`,
  `.scheme` or `.hostname` the function reads, a value passed to a project helper whose name says
  it vets URLs (`is_safe_url`, `url_has_allowed_host_and_scheme`, `is_valid_redirect`: see
  `is_url_check_name`), a value tested for membership (`if nxt in ALLOWED_HOSTS`) or with
  `.startswith(prefix)` for a prefix that is not only slashes. Whether the check is right is beyond
  a linter, so a check anywhere in the function silences the value (by name or by its code);
  constant allow-lists are already handled by the shared analysis (guards.py).

A sink inside a same-module helper (`def go(url): return redirect(url)`) is checked once per call
passing it request data (one level deep), as file_sends.py does for `send_file`.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Iterator

import libcst as cst

from flasklint.lazy_regex import lazy_pattern
from flasklint.model import guards
from flasklint.model.cst_helpers import argument, is_string_literal, literal_string, subscript_key
from flasklint.model.dataflow import (
    CLEAN,
    DATA,
    REQUEST,
    STR_METHODS,
    TEXT,
    Bindings,
    ModuleDataflow,
    Purpose,
    TaintAnalysis,
    Taints,
    added_operands,
    dataflow_for,
    leaf_types,
)
from flasklint.model.module import CallInfo, FunctionInfo, ModuleModel
from flasklint.model.walk import children
from flasklint.records import dataclass

REDIRECTS = frozenset({"flask.redirect", "flask.helpers.redirect", "werkzeug.utils.redirect", "werkzeug.redirect"})
RESPONSE_CLASSES = frozenset(
    {
        "flask.Response",
        "flask.wrappers.Response",
        "werkzeug.Response",
        "werkzeug.wrappers.Response",
        "werkzeug.wrappers.response.Response",
    }
)
MAKE_RESPONSE = frozenset({"flask.make_response", "flask.helpers.make_response"})
URL_PARSERS = frozenset(
    {"urllib.parse.urlparse", "urllib.parse.urlsplit", "urlparse.urlparse", "urlparse.urlsplit", "werkzeug.urls.url_parse"}
)
# Parts of a parsed URL that say whether it leaves the site.
HOST_PARTS = frozenset({"netloc", "scheme", "hostname", "host", "port"})
# Request attributes that are this site's own URL (the browser asked for it on this host).
SAME_SITE_ATTRIBUTES = frozenset({"path", "full_path", "url", "base_url", "host_url", "url_root", "root_url"})
# Request headers that name this site (set by the browser for the host it asked, or by the proxy in front).
SITE_HEADERS = frozenset(
    {"host", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "x-forwarded-prefix", "x-script-name"}
)
# What request data a redirect target can be: text, or JSON / unknown values.
URL_KINDS = frozenset({TEXT, DATA})
HEADER_METHODS = frozenset({"set", "add", "setdefault", "__setitem__"})
# A helper vets URLs when its name says so: a verdict word and a URL word (see `is_url_check_name`).
_verdict = lazy_pattern(r"safe|allowed|valid|trusted|whitelist|allowlist|local|internal|same_?(site|origin|host)")
_url_word = lazy_pattern(r"url|uri|redirect|next|target|host|location|domain|referr?er|return_to|goto")
# A constant start that fixes the host: an absolute path with a real first segment, a query or
# fragment, a relative path, or a scheme and host followed by the end of the authority.
_host_fixed = lazy_pattern(r"/[^/\\]|[?#]|[A-Za-z0-9_.~-]+[/?#]|[A-Za-z][A-Za-z0-9+.-]*://[^/?#\\@]+[/?#]")


def is_url_check_name(name: str) -> bool:
    """Whether a function's name says it vets a URL: `is_safe_url`, `url_has_allowed_host_and_scheme`.

    A name with a verdict word (safe, allowed, valid, trusted, local, internal, same site, allow-list)
    and a URL word (url, redirect, next, target, host, location, domain, referrer): such a helper
    is the project's own check, right or not.
    """
    lowered = name.lower()
    return bool(_verdict().search(lowered) and _url_word().search(lowered))


def fixes_host(prefix: str) -> bool:
    """Whether a URL starting with the constant `prefix` stays on a host the programmer chose.

    Browsers (and Werkzeug's headers) drop tabs and newlines, so `"/\\t/evil.example"` is
    `//evil.example`: they are removed before looking.
    """
    return bool(_host_fixed().match(re.sub(r"[\t\n\r]", "", prefix)))


@dataclass(frozen=True)
class OpenRedirect:
    """`target` (a redirect's URL or a `Location` header's value) holds request data, `taints`."""

    target: cst.BaseExpression
    sink: str  # "`redirect()`" or "the `Location` header"
    taints: Taints
    analysis: TaintAnalysis


def open_redirects(model: ModuleModel) -> Iterator[OpenRedirect]:
    """Each redirect target that holds unchecked request data, in source order, each target once."""
    dataflow = dataflow_for(model)
    reported: set[cst.CSTNode] = set()
    found: list[OpenRedirect] = []
    for function, sinks in _sinks_by_function(model):
        try:
            tainted = [
                OpenRedirect(target, sink, taints, analysis)
                for analysis in _analyses_of(dataflow, function)
                for target, sink in sinks
                for taints in [frozenset(t for t in analysis.taint(target) if t.kind in URL_KINDS)]
                if taints
            ]
        except RecursionError:
            continue  # an expression nested too deeply to follow: skip this function, not the file
        for redirect in tainted:
            if redirect.target not in reported:
                reported.add(redirect.target)
                found.append(redirect)
    yield from sorted(found, key=lambda f: model.span(f.target))


# -- where a response sends the browser ------------------------------------------------------

Sink = tuple["cst.BaseExpression", str]
LOCATION = "the `Location` header"


def _sinks_by_function(model: ModuleModel) -> list[tuple[FunctionInfo, list[Sink]]]:
    """Redirect targets and `Location` values, grouped by the function they are in."""
    grouped: dict[cst.FunctionDef, tuple[FunctionInfo, list[Sink]]] = {}

    def add(function: FunctionInfo | None, target: cst.BaseExpression | None, sink: str) -> None:
        if function is not None and target is not None:
            grouped.setdefault(function.node, (function, []))[1].append((target, sink))

    for call in model.calls_to(*REDIRECTS):
        add(call.function, argument(call.node, 0, "location"), f"`{model.code(call.node.func).strip()}()`")
    if "location" in model.text.lower():
        for function, target in _location_headers(model):
            add(function, target, LOCATION)
    return list(grouped.values())


def _location_headers(model: ModuleModel) -> Iterator[tuple[FunctionInfo | None, cst.BaseExpression]]:
    """Values given to a `Location` header: `Response(headers=...)`, `make_response(..., headers)`,
    `r.headers["Location"] = v`, `r.headers.set("Location", v)` and a view's `return body, 302, headers`."""
    for call in model.calls:
        if call.qualified in RESPONSE_CLASSES:
            yield from ((call.function, v) for v in _location_values(argument(call.node, 2, "headers")))
        elif call.qualified in MAKE_RESPONSE:
            for arg in call.node.args:
                yield from ((call.function, v) for v in _location_values(arg.value))
        elif _is_header_method(call):
            if _is_location(argument(call.node, 0, "key")) and len(call.node.args) > 1:
                yield call.function, call.node.args[1].value
    for assign in model.assigns:
        if isinstance(assign.node, cst.Assign) and assign.value is not None:
            if any(_is_location_item(target) for target in assign.targets):
                yield assign.function, assign.value
    for function in model.functions:
        for returned in _returned_tuples(function.node.body):
            if function.is_view or isinstance(returned.elements[1].value, cst.Integer):
                yield from ((function, v) for v in _location_values(returned.elements[-1].value))


def _is_header_method(call: CallInfo) -> bool:
    func = call.node.func
    return (
        isinstance(func, cst.Attribute)
        and func.attr.value in HEADER_METHODS
        and isinstance(func.value, cst.Attribute)
        and func.value.attr.value == "headers"
    )


def _is_location(node: cst.BaseExpression | None) -> bool:
    value = literal_string(node)
    return value is not None and value.lower() == "location"


def _is_location_item(target: cst.BaseExpression) -> bool:
    """`<x>.headers["Location"]` as an assignment target."""
    return (
        isinstance(target, cst.Subscript)
        and isinstance(target.value, cst.Attribute)
        and target.value.attr.value == "headers"
        and _is_location(subscript_key(target))
    )


def _location_values(headers: cst.BaseExpression | None) -> Iterator[cst.BaseExpression]:
    """The `Location` values of a headers literal: `{"Location": v}` or `[("Location", v)]`."""
    if isinstance(headers, cst.Dict):
        for element in headers.elements:
            if isinstance(element, cst.DictElement) and _is_location(element.key):
                yield element.value
    elif isinstance(headers, (cst.List, cst.Tuple)):
        for element in headers.elements:
            pair = element.value
            if isinstance(pair, cst.Tuple) and len(pair.elements) == 2 and _is_location(pair.elements[0].value):
                yield pair.elements[1].value


def _returned_tuples(body: cst.CSTNode) -> Iterator[cst.Tuple]:
    """`return body, headers` / `return body, status, headers` tuples of a function body (not of nested
    functions): a response when the function is a view or the tuple holds a status."""
    pending = [body]
    while pending:
        node = pending.pop()
        if isinstance(node, cst.Return):
            if isinstance(node.value, cst.Tuple) and len(node.value.elements) in (2, 3):
                yield node.value
        elif _may_hold_return(type(node)):
            pending.extend(children(node))


# A return statement stands only among statements: expressions and the other simple statements hold
# none, so the walk skips them (most of a body's nodes). Asked once per node type (libcst's bases are
# ABCs, slow to test against).
_HOLDS_RETURN: dict[type, bool] = {}


def _may_hold_return(node_type: type) -> bool:
    holds = _HOLDS_RETURN.get(node_type)
    if holds is None:
        skipped = (cst.BaseExpression, cst.BaseSmallStatement, cst.FunctionDef, cst.ClassDef)
        holds = _HOLDS_RETURN[node_type] = not issubclass(node_type, skipped)
    return holds


# -- the analyses ----------------------------------------------------------------------------


def _analyses_of(dataflow: ModuleDataflow, function: FunctionInfo) -> Iterator[UrlAnalysis]:
    """The function on its own, then once per same-module call passing it request data."""
    yield _url_analysis(dataflow, function)
    if dataflow.module_functions.get(function.name) is not function:
        return
    for call in dataflow.model.callers_of(function):
        assert call.function is not None
        bindings = _url_analysis(dataflow, call.function).bind_arguments(function, call.node)
        if any(t.kind in URL_KINDS for taints in bindings.values() for t in taints):
            yield _url_analysis(dataflow, function, bindings, depth=1)


def _url_analysis(
    dataflow: ModuleDataflow, function: FunctionInfo, bindings: Bindings | None = None, depth: int = 0
) -> UrlAnalysis:
    """One per (function, bindings, depth), shared by the sinks and helper calls of a module."""
    return dataflow.analysis_of(UrlAnalysis, function, "path", bindings, depth)


class UrlAnalysis(TaintAnalysis):
    """The shared analysis (its "path" purpose: HTML escapes and `quote()` keep a URL tainted), where
    same-site URLs, host-fixing starts and checked values are clean (see the module's docstring)."""

    def __init__(
        self, dataflow: ModuleDataflow, function: FunctionInfo, purpose: Purpose, bindings: Bindings | None, depth: int
    ) -> None:
        super().__init__(dataflow, function, purpose, bindings, depth)
        self._checked: frozenset[str] | None = None

    def checked(self) -> frozenset[str]:
        """The code of each expression the function checks as a URL (found on first need)."""
        if self._checked is None:
            subjects = [part for s in url_checked_subjects(self) for part in _text_bases(s)]
            self._checked = frozenset(self.model.code(s).strip() for s in subjects)
        return self._checked

    def _evaluate(self, node: cst.BaseExpression) -> Taints:
        if isinstance(node, (cst.Name, cst.Attribute, cst.Subscript, cst.Call)) and self.checked():
            if self.model.code(node).strip() in self.checked():
                return CLEAN
        if self.starts_on_site(node) or self._is_site_header(node):
            return CLEAN
        return super()._evaluate(node)

    def _is_site_header(self, node: cst.BaseExpression) -> bool:
        """`request.headers["Host"]`, `request.headers.get("X-Forwarded-Proto")`: the site as the browser
        reached it (a link cannot choose them), as `request.host` is."""
        if isinstance(node, cst.Subscript):
            mapping, key = node.value, subscript_key(node)
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "get":
            mapping, key = node.func.value, argument(node, 0, "key")
        else:
            return False
        name = literal_string(key)
        return (
            name is not None
            and name.lower() in SITE_HEADERS
            and isinstance(mapping, cst.Attribute)
            and mapping.attr.value == "headers"
            and any(t.kind == REQUEST for t in self.taint(mapping.value))
        )

    def _attribute(self, node: cst.Attribute) -> Taints:
        if node.attr.value in SAME_SITE_ATTRIBUTES and any(t.kind == REQUEST for t in self.taint(node.value)):
            return CLEAN
        return super()._attribute(node)

    def _call(self, node: cst.Call) -> Taints:
        if is_url_check_name(_called_name(node.func)):
            return CLEAN  # `safe_next_url(nxt)`: the project's own vetting, trusted
        return super()._call(node)

    def _helper_call(self, name: str, node: cst.Call) -> Taints:
        """A same-module helper's returns, analysed as URLs too (its own checks count)."""
        helper = self.dataflow.module_functions.get(name)
        if helper is None or helper is self.function or self.depth >= 1 or self.flow.is_local(name):
            return CLEAN
        analysis = _url_analysis(self.dataflow, helper, self.bind_arguments(helper, node), self.depth + 1)
        return frozenset(t for r in analysis.flow.returns if r.value is not None for t in analysis.taint(r.value))

    # -- constant starts -----------------------------------------------------------------------
    def starts_on_site(self, node: cst.BaseExpression) -> bool:
        """Whether a built URL's start keeps it on the site: a host-fixing literal or a same-site value."""
        first = _first_part(node)
        if first is None:
            return False
        if isinstance(first, str):
            return fixes_host(first)
        if self._is_same_site(first):
            return True
        constant = self._constant_text(first)
        if constant is not None:
            return fixes_host(constant)
        return not any(t.kind in URL_KINDS for t in self.taint(first))  # `SITE_URL + path`: a base it chose

    def _constant_text(self, node: cst.BaseExpression) -> str | None:
        """The literal a name stands for (a local assigned only literals, or a module constant)."""
        if not isinstance(node, cst.Name):
            return None
        if not self.flow.is_local(node.value):
            return literal_string(self.model.value_of(node.value, self.function.scope))
        values = [literal_string(d.value) if d.how == "assign" and not d.unpack else None for d in self.reaching(node)]
        texts = {v for v in values if v is not None}
        return texts.pop() if len(texts) == 1 and None not in values else None

    def _is_same_site(self, node: cst.BaseExpression) -> bool:
        """`url_for(...)` or `request.path`-like: a URL of this site."""
        if isinstance(node, cst.Call):
            return (self.callee(node.func) or "").endswith(".url_for")
        if isinstance(node, cst.Attribute) and node.attr.value in SAME_SITE_ATTRIBUTES:
            return any(t.kind == REQUEST for t in self.taint(node.value))
        return False


def _first_part(node: cst.BaseExpression) -> str | cst.BaseExpression | None:
    """What a built string starts with: its leading constant text, or the expression it starts with.

    `"/a/" + x` and `f"/a/{x}"` -> "/a/"; `"/a/%s" % x` and `"/a/{}".format(x)` -> "/a/";
    `url_for("i") + x` -> the `url_for` call; None for anything that is not built.
    """
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        operands = added_operands(node)
        text = ""
        for operand in operands:
            value = literal_string(operand)
            if value is None:
                return text or operand
            text += value
        return text
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Modulo):
        template = literal_string(node.left)
        return None if template is None else template.split("%", 1)[0]
    if isinstance(node, cst.FormattedString):
        text = ""
        for part in node.parts:
            if not isinstance(part, cst.FormattedStringText):
                return text or part.expression  # type: ignore[attr-defined]
            text += part.value
        return None
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "format":
        template = literal_string(node.func.value)
        return None if template is None else template.split("{", 1)[0]
    return None


def _text_bases(subject: cst.BaseExpression) -> Iterator[cst.BaseExpression]:
    """A checked expression and the text it was derived from: `nxt.strip().replace("\\", "/")` vets `nxt`."""
    yield subject
    while (
        isinstance(subject, cst.Call)
        and isinstance(subject.func, cst.Attribute)
        and subject.func.attr.value in STR_METHODS
    ):
        subject = subject.func.value
        yield subject


def _called_name(func: cst.BaseExpression) -> str:
    """The last name of a callee as written: `is_safe_url`, `utils.is_safe_url` -> "is_safe_url"."""
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return ""


# -- URL checks ----------------------------------------------------------------------------------


def url_checked_subjects(analysis: TaintAnalysis) -> Iterator[cst.BaseExpression]:
    """The expressions a function checks as URLs: see the module's docstring."""
    candidates, parents, parsed_names = _check_candidates(analysis.function.node.body)
    for node in candidates:
        if type(node) is cst.Call:
            yield from _call_subjects(analysis, node, parents, parsed_names)
        else:
            yield from _membership_subjects(node, partial(_bound_once, analysis))


def _call_subjects(
    analysis: TaintAnalysis, call: cst.Call, parents: dict[cst.CSTNode, cst.CSTNode], parsed_names: set[str]
) -> Iterator[cst.BaseExpression]:
    func = call.func
    if is_url_check_name(_called_name(func)):
        yield from (arg.value for arg in call.args if not arg.star)
    elif analysis.callee(func) in URL_PARSERS and call.args:
        if _host_part_read(parents.get(call), parsed_names):
            yield call.args[0].value
    elif isinstance(func, cst.Attribute) and func.attr.value == "startswith" and call.args:
        if not _only_slashes(call.args[0].value):
            yield func.value


def _host_part_read(parent: cst.CSTNode | None, parsed_names: set[str]) -> bool:
    """`urlparse(x).netloc`, or `p = urlparse(x)` with `p.netloc` read somewhere in the function."""
    if isinstance(parent, cst.Attribute) and parent.attr.value in HOST_PARTS:
        return True
    return isinstance(parent, (cst.Assign, cst.NamedExpr)) and bool(
        _assigned_names(parent) & parsed_names
    )


def _assigned_names(node: cst.CSTNode) -> set[str]:
    targets: list[cst.BaseExpression] = []
    if isinstance(node, cst.Assign):
        targets = [t.target for t in node.targets]
    elif isinstance(node, cst.NamedExpr):
        targets = [node.target]
    return {t.value for t in targets if isinstance(t, cst.Name)}


def _membership_subjects(comparison: cst.Comparison, resolve: guards.Resolver) -> Iterator[cst.BaseExpression]:
    """`x not in app.config["REDIRECTS"]`: an allow-list the model cannot see the contents of.

    Constant collections (`x in ("/", "/help")`, a module constant) are guards.py's, which vets the
    name only where the test proves it; `"//" in x` tests a substring.
    """
    first = comparison.comparisons[0]
    collection = first.comparator
    if not isinstance(first.operator, (cst.In, cst.NotIn)) or is_string_literal(collection):
        return
    if not isinstance(collection, (cst.Tuple, cst.List, cst.Set, cst.Dict)):
        if not guards.is_constant_collection(collection, resolve):
            yield comparison.left


def _bound_once(analysis: TaintAnalysis, name: str) -> cst.BaseExpression | None:
    """What a name a membership test reads is bound to once: a local assigned once, else a module constant."""
    if analysis.flow.is_local(name):
        definitions = analysis.flow.definitions[name]
        only = definitions[0]
        single = len(definitions) == 1 and only.how == "assign" and not only.unpack and only.scope is None
        return only.value if single else None
    return guards.module_constant(analysis.model, analysis.function.scope, name)


def _only_slashes(prefix: cst.BaseExpression) -> bool:
    """`"/"`, `"//"` or a tuple of such: a prefix test that `//evil.example` or `/\\t/evil` passes."""
    if isinstance(prefix, cst.Tuple):
        return all(_only_slashes(e.value) for e in prefix.elements)
    value = literal_string(prefix)
    return value is not None and set(value) <= {"/", "\\"}


def _check_candidates(body: cst.CSTNode) -> tuple[list[cst.CSTNode], dict[cst.CSTNode, cst.CSTNode], set[str]]:
    """What a URL check can be, in one walk of a function body (not of nested functions, classes or
    lambdas): its calls and comparisons, in walk order; the parent of each call; the names whose
    `.netloc` / `.scheme` / `.hostname` it reads."""
    candidates: list[cst.CSTNode] = []
    parents: dict[cst.CSTNode, cst.CSTNode] = {}
    parsed_names: set[str] = set()
    leaves = leaf_types()
    pending = [body]
    while pending:
        node = pending.pop()
        node_type = type(node)  # leaf classes: the exact type gives isinstance's answer, without ABCMeta's check
        if node_type is cst.FunctionDef or node_type is cst.ClassDef or node_type is cst.Lambda:
            continue
        if node_type is cst.Call or node_type is cst.Comparison:
            candidates.append(node)
        elif node_type is cst.Attribute and node.attr.value in HOST_PARTS and type(node.value) is cst.Name:
            parsed_names.add(node.value.value)
        for child in children(node):
            child_type = type(child)
            if child_type is cst.Call:
                parents[child] = node
            elif child_type is cst.Name or child_type in leaves:
                continue  # nothing to find in it, nor under it
            pending.append(child)
    return candidates, parents, parsed_names
