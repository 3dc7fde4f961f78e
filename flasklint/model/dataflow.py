"""Intra-function taint tracking: which request-derived values an expression inside a view can hold.

Rules ask one question — "what request data can this expression carry?" — for a purpose: `html`
(FLK101: is it still unescaped?), `path` (FLK102: can it still climb out of a folder?) or `template`
(FLK106: can it still hold `{{ ... }}`? HTML escaping leaves braces alone, so `escape()` and Markup's
escaping `%`/`.format()`/`+` are no sanitizers there; URL quoting is). The answer
is a set of `Taint`s, each naming its source for the message.

The analysis is deliberately small and precise rather than complete:
- one function at a time (plus one level of same-module helper calls), over its own libcst body;
- flow-insensitive, but order-aware: a definition reaches a use that comes after it (or shares a
  loop with it) unless a plain reassignment in a block enclosing the use replaced it — so
  `x = request.args["q"]; x = escape(x)` is clean while an `if`-guarded reassignment is not;
- unknown calls return clean values: a missed finding is better than a false alarm, so only
  calls known to pass text through (str(), "".join(), os.path.join(), string methods, ...) do.
"""

from __future__ import annotations

import functools
from functools import partial
from typing import Callable, Iterable, Iterator, Literal, NamedTuple, TypeVar, Union

import libcst as cst

from flasklint.model import guards
from flasklint.model.cst_helpers import argument
from flasklint.model.imports import dotted_name
from flasklint.model.module import FunctionInfo, ModuleModel
from flasklint.model.routing import parse_rule
from flasklint.model.walk import child_fields, children, field_children, node_types
from flasklint.records import dataclass

Purpose = Literal["html", "path", "template"]

# What a tainted value is. Atoms: "text" (str), "bytes", "data" (JSON / unknown structure),
# "mapping" (a MultiDict of text such as request.args), "files" (request.files), "file" (a
# FileStorage), "request" (the request object itself). Containers: ("seq", element kind) and
# ("pair", first kind, second kind) where None stands for a clean part.
Kind = Union[str, tuple]
TEXT, BYTES, DATA, MAPPING, FILES, FILE, REQUEST = "text", "bytes", "data", "mapping", "files", "file", "request"
VALUE_ATOMS = frozenset({TEXT, BYTES, DATA, MAPPING})

REQUEST_NAMES = frozenset({"flask.request", "flask.globals.request"})
# Attributes of the request the client controls, and what they hold.
REQUEST_ATTRIBUTES: dict[str, Kind] = {
    "args": MAPPING,
    "form": MAPPING,
    "values": MAPPING,
    "cookies": MAPPING,
    "headers": MAPPING,
    "json": DATA,
    "data": BYTES,
    "files": FILES,
    "view_args": DATA,
    "path": TEXT,
    "full_path": TEXT,
    "url": TEXT,
    "base_url": TEXT,
    "referrer": TEXT,
    "query_string": BYTES,
    "user_agent": DATA,
    "authorization": DATA,
    "content_type": TEXT,
    "mimetype": TEXT,
}
REQUEST_METHODS: dict[str, Kind] = {"get_json": DATA, "get_data": BYTES}
# Upload attributes that are client-chosen strings (the FileStorage itself is not a string).
FILE_TEXT_ATTRIBUTES = frozenset({"filename", "content_type", "mimetype"})

HTML_ESCAPES = frozenset(
    {
        "markupsafe.escape",
        "markupsafe.escape_silent",
        "markupsafe.Markup.escape",
        "html.escape",
        "flask.escape",  # removed in Flask 3.0, still escapes in older projects
        "flask.Markup.escape",
        "jinja2.escape",
        "jinja2.Markup.escape",
        "werkzeug.utils.escape",
        "cgi.escape",
    }
)
MARKUP_CLASSES = frozenset({"markupsafe.Markup", "flask.Markup", "jinja2.Markup"})
MARKUP_ESCAPES = HTML_ESCAPES - {"html.escape", "cgi.escape"}  # the escapes that return Markup
SAFE_JOINS = frozenset(
    {"werkzeug.utils.safe_join", "werkzeug.security.safe_join", "flask.helpers.safe_join", "flask.safe_join"}
)
PATH_JOINS = frozenset(
    {
        "os.path.join",
        "posixpath.join",
        "ntpath.join",
        "os.path.normpath",
        "os.path.abspath",
        "os.path.realpath",
        "os.path.expanduser",
        "os.path.dirname",
        "os.fspath",
        "pathlib.Path",
        "pathlib.PurePath",
        "pathlib.PosixPath",
        "pathlib.PurePosixPath",
    }
)
# Calls whose result is text built from their arguments, for both purposes unless listed below.
TEXT_CALLS = frozenset(
    {
        "builtins.str",
        "builtins.repr",
        "builtins.ascii",
        "builtins.format",
        "urllib.parse.unquote",
        "urllib.parse.unquote_plus",
        "json.dumps",
        "html.unescape",
        *PATH_JOINS,
    }
)
# Calls that make a value safe for one purpose only: they keep the text tainted for the other.
HTML_ONLY_SANITIZERS = HTML_ESCAPES | {"urllib.parse.quote", "urllib.parse.quote_plus", "urllib.parse.urlencode"}
# URL quoting turns `{` and `%` into `%7B` / `%25`: no Jinja delimiter survives it.
TEMPLATE_SANITIZERS = frozenset({"urllib.parse.quote", "urllib.parse.quote_plus", "urllib.parse.urlencode"})
PATH_ONLY_SANITIZERS = SAFE_JOINS | {"os.path.basename", "posixpath.basename", "ntpath.basename"}
TEXT_ARGUMENT_CALLS = TEXT_CALLS | HTML_ONLY_SANITIZERS | PATH_ONLY_SANITIZERS | {"builtins.dict", "json.loads"}
CONTAINER_CALLS = frozenset(
    {"builtins.list", "builtins.tuple", "builtins.set", "builtins.frozenset", "builtins.sorted", "builtins.reversed"}
    | {"builtins.iter"}
)
SPLITEXT = frozenset({"os.path.splitext", "posixpath.splitext", "ntpath.splitext"})
BUILTIN_NAMES = frozenset(
    {
        "str", "repr", "ascii", "format", "list", "tuple", "set", "frozenset", "sorted", "reversed", "iter",
        "dict", "enumerate", "next", "int", "float", "bool", "len",
    }
)  # fmt: skip

# String methods that return (a piece of) the same text.
STR_METHODS = frozenset(
    {
        "strip", "lstrip", "rstrip", "lower", "upper", "title", "capitalize", "casefold", "swapcase",
        "replace", "removeprefix", "removesuffix", "ljust", "rjust", "center", "zfill", "expandtabs",
        "translate", "format", "format_map", "join", "decode",
    }
)  # fmt: skip
# What methods of request.args-like MultiDicts and of request.files return.
MAPPING_METHODS: dict[str, Kind] = {
    "get": TEXT,
    "pop": TEXT,
    "getlist": ("seq", TEXT),
    "keys": ("seq", TEXT),
    "values": ("seq", TEXT),
    "to_dict": DATA,
    "items": DATA,
    "lists": DATA,
    "copy": MAPPING,
}
FILES_METHODS: dict[str, Kind] = {
    "get": FILE,
    "pop": FILE,
    "getlist": ("seq", FILE),
    "values": ("seq", FILE),
    "items": ("seq", ("pair", TEXT, FILE)),
    "keys": ("seq", TEXT),
}
# pathlib methods whose result is built from the receiver and the arguments.
PATH_BUILDERS = frozenset({"joinpath", "with_name", "with_stem", "with_suffix"})
# Path parts that cannot hold a separator: safe as a file name, still text for HTML.
PATH_FINAL_PARTS = frozenset({"name", "suffix", "stem"})
# `x.append(v)`-style calls extend the name's value with v (element) or with v's elements.
ELEMENT_APPENDERS = frozenset({"append", "add", "appendleft"})
ITERABLE_APPENDERS = frozenset({"extend", "update"})

ROUTE_SOURCE_CONVERTERS = frozenset({"default", "string", "path"})


@dataclass(frozen=True)
class Taint:
    """One way request data reaches a value."""

    label: str  # names the source in messages: "`request.args` value", "route variable `name`"
    kind: Kind
    origin: cst.BaseExpression | None = None  # the `.filename` expression an upload name comes from

    def as_kind(self, kind: Kind | None) -> Taint | None:
        if kind is None:
            return None
        return self if kind == self.kind else Taint(self.label, kind, self.origin)


Taints = frozenset[Taint]
CLEAN: Taints = frozenset()


def is_value(kind: Kind | None) -> bool:
    """Whether a kind carries client-chosen data (not a file object or the request itself)."""
    if kind is None:
        return False
    if isinstance(kind, str):
        return kind in VALUE_ATOMS
    if kind[0] == "seq":
        return is_value(kind[1])
    return is_value(kind[1]) or is_value(kind[2])


def _rekind(taints: Iterable[Taint], kind: Kind) -> Taints:
    """The taints of the values a text (or other value) is built from, as that kind."""
    return frozenset(t.as_kind(kind) for t in taints if is_value(t.kind))  # type: ignore[misc]


def _element_kind(kind: Kind) -> Kind | None:
    """What iterating over a value of `kind` yields."""
    if isinstance(kind, tuple):
        if kind[0] == "seq":
            return kind[1]
        return DATA if is_value(kind) else None
    return {TEXT: TEXT, DATA: DATA, MAPPING: TEXT, FILES: TEXT, FILE: BYTES}.get(kind)


def _item_kind(kind: Kind, index: int | None) -> Kind | None:
    """What `value[index]` (or the index-th target of an unpacking) holds; None index: unknown."""
    if isinstance(kind, tuple) and kind[0] == "pair":
        if index in (0, 1, -1, -2):
            return kind[1 + index % 2]
        return DATA if is_value(kind) else None
    if kind == FILES:
        return FILE
    if kind == BYTES:
        return None  # an int
    return _element_kind(kind)


def _map_kinds(taints: Iterable[Taint], convert: Callable[[Kind], Kind | None]) -> Taints:
    """Each taint with its kind converted; taints whose value becomes clean (None) are dropped."""
    return frozenset(filter(None, (t.as_kind(convert(t.kind)) for t in taints)))


def _seq(taints: Iterable[Taint]) -> Taints:
    return frozenset(t.as_kind(("seq", t.kind)) for t in taints)  # type: ignore[misc]


def _union(parts: Iterable[Taints]) -> Taints:
    result: set[Taint] = set()
    for part in parts:
        result |= part
    return frozenset(result)


# -- the flow of one function ----------------------------------------------------------------

# The conditional blocks (and comprehensions) enclosing a statement, outermost first.
Blocks = tuple["cst.CSTNode", ...]


@dataclass(eq=False)
class Definition:
    """A binding of a name inside the function (identity-hashed: each binding is its own)."""

    name: str
    how: str  # param | assign | iterate | augment | append | extend | store | clear
    order: int
    path: Blocks  # the conditional blocks (and comprehensions) the binding sits in
    value: cst.BaseExpression | None = None
    unpack: tuple[int | None, ...] = ()  # index path into the value for tuple targets (None: starred)
    previous: cst.Name | None = None  # augment/append/store: the use whose value is extended
    scope: cst.CSTNode | None = None  # the comprehension a comprehension variable belongs to

    @property
    def replaces(self) -> bool:
        """Plain rebinding (not `+=`/`.append`) replaces what the name held before."""
        return self.how not in ("augment", "append", "extend", "store") and self.scope is None


class _FlowTypes(NamedTuple):
    """The node classes the flow builder tests a node's exact type against, by role.

    Each set is node_types' (the classes and any subclass), so `type(node) in set` is isinstance's
    answer without the Python-level ABCMeta check isinstance runs against libcst's classes for every
    mismatch (several tests per node of every function analysed). Built on first use: naming libcst's
    classes at import would load libcst in warm runs, which need none.
    """

    compound: frozenset[type]  # blocks whose statements may not run (branches, loops, handlers)
    comprehensions: frozenset[type]
    suites: frozenset[type]
    opaque: frozenset[type]  # nested functions and classes
    imports: frozenset[type]
    loops: frozenset[type]
    bindings: frozenset[type]  # the nodes `_leave` binds names at
    between_fields: frozenset[type]  # the nodes `_after_field` acts on; others' children go in one walk
    leaves: frozenset[type]  # nodes without children that the builder only counts (literals, `pass`)


@functools.cache
def _flow_types() -> _FlowTypes:
    return _FlowTypes(
        compound=node_types(
            cst.If, cst.Else, cst.For, cst.While, cst.Try, cst.TryStar, cst.ExceptHandler, cst.ExceptStarHandler,
            cst.Finally, cst.With, cst.MatchCase,
        ),  # fmt: skip
        comprehensions=node_types(cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp),
        suites=node_types(cst.BaseSuite),
        opaque=node_types(cst.FunctionDef, cst.ClassDef),
        imports=node_types(cst.Import, cst.ImportFrom),
        loops=node_types(cst.For, cst.While),
        bindings=node_types(cst.Assign, cst.AnnAssign, cst.AugAssign, cst.NamedExpr, cst.Call),
        between_fields=node_types(cst.If, cst.For, cst.CompFor, cst.With),
        leaves=node_types(
            cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary, cst.Ellipsis, cst.FormattedStringText,
            cst.Pass, cst.Break, cst.Continue,
        ),  # fmt: skip
    )


def leaf_types() -> frozenset[type]:
    """Nodes without children other than names: literals, `pass`, `break`, `continue`."""
    return _flow_types().leaves


@dataclass(eq=False)
class Branch:
    """An `if` statement: the blocks around it and the walk orders where its parts end."""

    node: cst.If
    path: Blocks
    start: int
    test_end: int = 0
    body_end: int = 0
    end: int = 0


class FunctionFlow:
    """Definitions, name uses (with order and enclosing blocks) and returns of one function body.

    Given the module, `if` tests that compare a name with a constant collection (guards.py) hide
    the bindings they vet from the uses where the name can only hold one of the constants.
    """

    def __init__(self, function: FunctionInfo, model: ModuleModel | None = None) -> None:
        self.function = function
        self.model = model
        self.definitions: dict[str, list[Definition]] = {}
        self.positions: dict[cst.Name, tuple[int, Blocks]] = {}
        self.returns: list[cst.Return] = []
        self.loop_bodies: set[cst.CSTNode] = set()
        self.branches: list[Branch] = []
        self._guards_by_name: dict[str, list[tuple[Branch, guards.Narrowing]]] | None = None
        for name in function.scope.params:
            self.define(Definition(name, "param", 0, ()))
        _FlowBuilder(self).walk(function.node.body)

    def define(self, definition: Definition) -> None:
        self.definitions.setdefault(definition.name, []).append(definition)

    def is_local(self, name: str) -> bool:
        return name in self.definitions

    def reaching(self, use: cst.Name) -> list[Definition]:
        """The bindings whose value `use` may read."""
        position = self.positions.get(use)
        if position is None:
            return []
        order, path = position
        candidates: list[Definition] = []
        scoped: list[Definition] = []
        for definition in self.definitions.get(use.value, ()):
            if definition.scope is not None:
                if any(node is definition.scope for node in path):
                    scoped.append(definition)
            elif definition.order < order or self._share_loop(definition.path, path):
                candidates.append(definition)
        if scoped:
            return scoped  # a comprehension variable hides the function's own binding
        return [
            d
            for d in candidates
            if (d.order > order or not self._replaced(d, order, path, candidates))
            and not self._allow_listed(d, order, path)
        ]

    def _allow_listed(self, definition: Definition, order: int, path: Blocks) -> bool:
        """Whether an `if` between the binding and the use proves the name holds one of some constants."""
        for branch, (when_true, when_false) in self._guards().get(definition.name, ()):
            if definition.order >= branch.start:
                continue
            if branch.test_end < order <= branch.body_end:
                if when_true:
                    return True
            elif branch.body_end < order <= branch.end:
                if when_false:
                    return True
            elif order > branch.end and _encloses(branch.path, path):
                if self._vets(branch, definition.name, when_true, when_false):
                    return True
        return False

    def _vets(self, branch: Branch, name: str, when_true: bool, when_false: bool) -> bool:
        """Whether every way out of the `if` either proves `name` constant or leaves (exits, rebinds)."""
        orelse = branch.node.orelse
        body_ok = when_true or self._leaves(branch.node.body, name)
        else_ok = when_false or (isinstance(orelse, cst.Else) and self._leaves(orelse.body, name))
        return body_ok and else_ok

    def _leaves(self, suite: cst.BaseSuite, name: str) -> bool:
        assert self.model is not None
        return guards.leaves(self.model, self.function.scope, suite, name)

    def _guards(self) -> dict[str, list[tuple[Branch, guards.Narrowing]]]:
        """The `if` statements whose test compares a name with constants, by name (found on first need)."""
        if self._guards_by_name is None:
            self._guards_by_name = {}
            if self.model is not None:
                for branch in self.branches:
                    for name, narrowing in guards.narrowings(branch.node.test, self._bound_once).items():
                        self._guards_by_name.setdefault(name, []).append((branch, narrowing))
        return self._guards_by_name

    def _bound_once(self, name: str) -> cst.BaseExpression | None:
        """The value a name a guard reads is bound to once: a local assigned once, else a module constant."""
        definitions = self.definitions.get(name)
        if definitions is not None:
            only = definitions[0]
            if len(definitions) == 1 and only.how == "assign" and not only.unpack and only.scope is None:
                return only.value
            return None
        assert self.model is not None
        return guards.module_constant(self.model, self.function.scope, name)

    @staticmethod
    def _replaced(definition: Definition, order: int, path: Blocks, candidates: list[Definition]) -> bool:
        """Whether a later plain rebinding, on every path to the use, hides `definition` from it."""
        return any(
            k.replaces and definition.order < k.order < order and _encloses(k.path, path) for k in candidates
        )

    def _share_loop(self, first: Blocks, second: Blocks) -> bool:
        return any(node in self.loop_bodies and any(node is other for other in second) for node in first)


def _encloses(outer: Blocks, inner: Blocks) -> bool:
    """Whether a binding in blocks `outer` runs on every path to a use in blocks `inner`."""
    return len(outer) <= len(inner) and all(a is b for a, b in zip(outer, inner))


# Per node type: whether the flow builder only counts the node and walks its children (most nodes:
# attributes, arguments, literals, expression statements). It records nothing at them, and skipping
# the tests and calls it makes at the others is a good part of building a function's flow.
_PLAIN: dict[type, bool] = {}


def _is_plain(node_type: type, types: _FlowTypes) -> bool:
    """Whether `_FlowBuilder.walk` does nothing at a node of this type beyond walking its children."""
    if node_type is cst.Name or node_type is cst.Lambda or node_type is cst.Return:
        return False
    roles = (types.opaque, types.imports, types.between_fields, types.suites, types.compound, types.comprehensions)
    return not any(node_type in role for role in (*roles, types.bindings))


class _FlowBuilder:
    """Records bindings and uses in evaluation order; nested functions and classes are opaque."""

    def __init__(self, flow: FunctionFlow) -> None:
        self.flow = flow
        self.order = 0
        self.path: Blocks = ()
        self.compound: list[cst.CSTNode] = []
        self.types = _flow_types()

    def walk(self, node: cst.CSTNode) -> None:
        self.order += 1
        node_type = type(node)
        plain = _PLAIN.get(node_type)
        if plain is None:
            plain = _PLAIN[node_type] = _is_plain(node_type, self.types)
        if plain:
            self._walk_all(children(node))
            return
        if node_type is cst.Name:
            self.flow.positions[node] = (self.order, self.path)
            return
        types = self.types
        if node_type in types.opaque:
            self._define(node.name.value, "clear")
            return
        if node_type is cst.Lambda:
            return
        if node_type in types.imports:
            self._imported(node)
            return
        outer_path, outer_compound = self.path, len(self.compound)
        self._enter(node)
        if node_type in types.between_fields:
            for field in child_fields(node_type):
                self._walk_all(field_children(node, field))
                self._after_field(node, field)
        else:
            self._walk_all(children(node))
        self._leave(node)
        self.path = outer_path
        del self.compound[outer_compound:]

    def _walk_all(self, nodes: list[cst.CSTNode]) -> None:
        """`walk` each node; name uses, literals and plain nodes are handled here, without a call to `walk`."""
        positions, leaves = self.flow.positions, self.types.leaves
        for node in nodes:
            node_type = type(node)
            if node_type is cst.Name:
                self.order += 1
                positions[node] = (self.order, self.path)
            elif node_type in leaves:
                self.order += 1
            elif _PLAIN.get(node_type):
                self.order += 1
                self._walk_all(children(node))
            elif node_type is cst.Call:  # what `walk` does at a call, in short: it opens no block
                self.order += 1
                self._walk_all(children(node))
                self._appended(node)
            else:
                self.walk(node)

    def _enter(self, node: cst.CSTNode) -> None:
        node_type, types = type(node), self.types
        if node_type in types.suites:
            parent = self.compound[-1] if self.compound else None
            if parent is not None and type(parent) is not cst.With:
                self.path = (*self.path, node)
                if type(parent) in types.loops and parent.body is node:
                    self.flow.loop_bodies.add(node)
        elif node_type in types.compound:
            self.compound.append(node)
            if node_type is cst.If:
                self._branch(node)
            if node_type is cst.ExceptHandler and node.name is not None and isinstance(node.name.name, cst.Name):
                # `except E as name` binds only when the handler runs (and unbinds after it).
                self.flow.define(Definition(node.name.name.value, "clear", self.order, (*self.path, node)))
        elif node_type in types.comprehensions:
            self.path = (*self.path, node)
        elif node_type is cst.Return:
            self.flow.returns.append(node)

    def _after_field(self, node: cst.CSTNode, field: str) -> None:
        """Bindings that happen between a statement's parts: a loop target before its body runs."""
        if isinstance(node, cst.If):
            self._branch_part(node, field)
        elif field == "iter" and isinstance(node, cst.For):
            self._bind(node.target, node.iter, "iterate")
        elif field == "iter" and isinstance(node, cst.CompFor):
            scope = next((n for n in reversed(self.path) if type(n) in self.types.comprehensions), None)
            self._bind(node.target, node.iter, "iterate", scope=scope)
        elif field == "items" and isinstance(node, cst.With):
            for item in node.items:
                if item.asname is not None:
                    self._bind(item.asname.name, item.item, "assign")

    def _branch(self, node: cst.If) -> None:
        """Record an `if`; an `elif` runs only when the tests above it failed, so it encloses no later use."""
        outer = self.compound[-2] if len(self.compound) > 1 else None
        is_elif = isinstance(outer, cst.If) and outer.orelse is node
        self.flow.branches.append(Branch(node, (*self.path, node) if is_elif else self.path, self.order))

    def _branch_part(self, node: cst.If, field: str) -> None:
        """Where an `if` test, body and whole statement end in walk order."""
        branch = next(b for b in reversed(self.flow.branches) if b.node is node)
        if field == "test":
            branch.test_end = self.order
        elif field == "body":
            branch.body_end = self.order
        branch.end = self.order

    def _leave(self, node: cst.CSTNode) -> None:
        """Bindings made once a statement or expression has been evaluated."""
        node_type = type(node)
        if node_type not in self.types.bindings:
            return
        if node_type is cst.Assign:
            for target in node.targets:
                self._bind(target.target, node.value, "assign")
        elif node_type is cst.AnnAssign:
            if node.value is not None:
                self._bind(node.target, node.value, "assign")
        elif node_type is cst.AugAssign:
            target = node.target
            if isinstance(target, cst.Name):
                self._define(target.value, "augment", value=node.value, previous=target)
            elif isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
                self._define(target.value.value, "store", value=node.value, previous=target.value)
        elif node_type is cst.NamedExpr:
            self._bind(node.target, node.value, "assign")
        elif node_type is cst.Call:
            self._appended(node)

    # -- bindings ------------------------------------------------------------------------------
    def _define(self, name: str, how: str, **fields: object) -> None:
        self.flow.define(Definition(name, how, self.order, self.path, **fields))  # type: ignore[arg-type]

    def _bind(
        self,
        target: cst.BaseExpression,
        value: cst.BaseExpression,
        how: str,
        unpack: tuple[int | None, ...] = (),
        scope: cst.CSTNode | None = None,
    ) -> None:
        if isinstance(target, cst.Name):
            self._define(target.value, how, value=value, unpack=unpack, scope=scope)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for index, element in enumerate(target.elements):
                if isinstance(element, cst.StarredElement):
                    self._bind(element.value, value, how, (*unpack, None), scope)
                else:
                    self._bind(element.value, value, how, (*unpack, index), scope)
        elif isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name) and not unpack:
            self._define(target.value.value, "store", value=value, previous=target.value)

    def _appended(self, call: cst.Call) -> None:
        """`items.append(v)` / `items.extend(vs)` add to what the name `items` holds."""
        func = call.func
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and call.args):
            return
        method = func.attr.value
        if method in ELEMENT_APPENDERS or method == "insert":
            self._define(func.value.value, "append", value=call.args[-1].value, previous=func.value)
        elif method in ITERABLE_APPENDERS:
            self._define(func.value.value, "extend", value=call.args[0].value, previous=func.value)

    def _imported(self, node: cst.Import | cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            local = alias.asname.name if alias.asname is not None else alias.name
            name = dotted_name(local)  # type: ignore[arg-type]
            if name:
                self._define(name.split(".")[0], "clear")


# -- route variables ------------------------------------------------------------------------


def route_sources(model: ModuleModel, function: FunctionInfo) -> dict[str, str]:
    """View parameters filled from string route variables (`<name>`, `<path:p>`), with their labels.

    `int`/`float`/`uuid`/`any` converters only let digits or a fixed word set through; custom
    converters may return objects, so only the built-in string converters count.
    """
    routes = list(function.routes)
    registered_as = {function.class_name} if function.class_name else {function.qualname}
    routes.extend(r for r in model.facts.routes if r.view in registered_as and r not in routes)
    sources: dict[str, str] = {}
    for route in routes:
        if route.rule is None:
            continue
        for variable in parse_rule(route.rule).variables:
            if variable.converter in ROUTE_SOURCE_CONVERTERS and variable.name in function.scope.params:
                sources[variable.name] = f"route variable `{variable.name}`"
    return sources


# -- the analysis ------------------------------------------------------------------------------

Bindings = dict[str, Taints]


class TaintAnalysis:
    """Taints of expressions inside one function, for one purpose (memoised, cycle-safe)."""

    def __init__(
        self,
        dataflow: ModuleDataflow,
        function: FunctionInfo,
        purpose: Purpose,
        bindings: Bindings | None,
        depth: int,
    ) -> None:
        self.dataflow = dataflow
        self.model = dataflow.model
        self.function = function
        self.flow = dataflow.flow(function)
        self.purpose = purpose
        self.depth = depth
        if bindings is not None:
            self.params = bindings
        else:
            self.params = {
                name: frozenset({Taint(label, TEXT)}) for name, label in route_sources(self.model, function).items()
            }
        self._cache: dict[object, Taints] = {}
        self._markup: dict[cst.BaseExpression, list[cst.BaseExpression] | None] = {}
        self._active: set[object] = set()
        self._markup_active: set[cst.BaseExpression] = set()

    # -- public queries ---------------------------------------------------------------------
    def taint(self, node: cst.BaseExpression) -> Taints:
        return self._memo(node, lambda: self._evaluate(node))

    def reaching(self, use: cst.Name) -> list[Definition]:
        return self.flow.reaching(use)

    def definition_taint(self, definition: Definition) -> Taints:
        return self._memo(definition, lambda: self._definition(definition))

    def callee(self, func: cst.BaseExpression) -> str | None:
        """Qualified name of a called function: imported names, and builtins nobody rebound."""
        qualified = self.model.qualify(func, self.function.scope)
        if qualified is not None:
            return qualified
        if isinstance(func, cst.Name) and func.value in BUILTIN_NAMES and not self._rebound(func.value):
            return f"builtins.{func.value}"
        return None

    def is_markup(self, node: cst.BaseExpression) -> bool:
        """Whether an expression is a `Markup` (escaping what is combined with it)."""
        return self._markup_parts(node) is not None

    def markup_sources(self, node: cst.BaseExpression) -> list[cst.BaseExpression]:
        """What a `Markup` expression holds unescaped: the arguments of the `Markup(...)` it is built on.

        `Markup(f"<b>{x}</b>")` trusts x as markup; what `+`, `%` and `.format()` combine with a
        Markup is escaped, and `escape()` returns a Markup of escaped text.
        """
        return self._markup_parts(node) or []

    def _markup_parts(self, node: cst.BaseExpression) -> list[cst.BaseExpression] | None:
        """The unescaped parts of a Markup expression; None when it is not (known to be) a Markup."""
        if node in self._markup:
            return self._markup[node]
        if node in self._markup_active:
            return []  # `m = m + x` in a loop: the name's other bindings decide
        self._markup_active.add(node)
        try:
            parts = self._markup[node] = self._markup_of(node)
        finally:
            self._markup_active.discard(node)
        return parts

    def _markup_of(self, node: cst.BaseExpression) -> list[cst.BaseExpression] | None:
        if isinstance(node, cst.Call):
            callee = self.callee(node.func)
            if callee in MARKUP_CLASSES:
                base = argument(node, 0, "base")
                return [] if base is None else [base]
            if callee in MARKUP_ESCAPES:
                return []
            if isinstance(node.func, cst.Attribute) and node.func.attr.value in ("format", "format_map", "join"):
                return self._markup_parts(node.func.value)
            return None
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            found = [self._markup_parts(operand) for operand in added_operands(node)]
            if all(parts is None for parts in found):
                return None
            return [part for parts in found if parts for part in parts]
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Modulo):
            return self._markup_parts(node.left)
        if isinstance(node, cst.Name):
            return self._markup_name(node)
        return None

    def _markup_name(self, node: cst.Name) -> list[cst.BaseExpression] | None:
        """A name is a Markup when every binding that reaches it is one (a module constant counts)."""
        if not self.flow.is_local(node.value):
            value = self.model.value_of(node.value, self.function.scope)
            return None if value is None else self._markup_parts(value)
        definitions = self.flow.reaching(node)
        parts: list[cst.BaseExpression] = []
        for definition in definitions:
            if definition.how == "augment" and definition.previous is not None:
                found = self._markup_parts(definition.previous)
            elif definition.how == "assign" and not definition.unpack and definition.value is not None:
                found = self._markup_parts(definition.value)
            else:
                found = None
            if found is None:
                return None
            parts.extend(found)
        return parts if definitions else None

    # -- machinery ---------------------------------------------------------------------------
    def _memo(self, key: object, compute: object) -> Taints:
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        if key in self._active:
            return CLEAN  # a cycle (x = x + ... in a loop): the other bindings supply the taint
        self._active.add(key)
        try:
            result = compute()  # type: ignore[operator]
        finally:
            self._active.discard(key)
        self._cache[key] = result
        return result

    def _rebound(self, name: str) -> bool:
        return self.flow.is_local(name) or name in self.model.module_scope.assigned

    def _definition(self, definition: Definition) -> Taints:
        how = definition.how
        if how == "param":
            return self.params.get(definition.name, CLEAN)
        if how == "clear" or definition.value is None:
            return CLEAN
        if how in ("augment", "append", "extend", "store"):
            previous = self.taint(definition.previous) if definition.previous is not None else CLEAN
            added = self.taint(definition.value)
            if how == "append":
                added = _seq(added)
            elif how == "store":
                added = _rekind(added, DATA)
            return previous | added
        return self._unpacked(definition.value, definition.unpack, iterate=how == "iterate")

    def _unpacked(self, value: cst.BaseExpression, unpack: tuple[int | None, ...], iterate: bool) -> Taints:
        """Taint of the part of `value` a target gets (`for a, b in value`, `a, b = value`)."""
        if iterate:
            taints = self._iterated(value)
        elif unpack and unpack[0] is not None and isinstance(value, (cst.Tuple, cst.List)):
            elements = value.elements
            if not any(isinstance(e, cst.StarredElement) for e in elements) and unpack[0] < len(elements):
                return self._unpacked(elements[unpack[0]].value, unpack[1:], iterate=False)
            taints = self.taint(value)
        else:
            taints = self.taint(value)
        for index in unpack:
            taints = _map_kinds(taints, partial(_item_kind, index=index))
        return taints

    def _iterated(self, iterable: cst.BaseExpression) -> Taints:
        if isinstance(iterable, cst.Call) and self.callee(iterable.func) == "builtins.enumerate" and iterable.args:
            return _map_kinds(self._iterated(iterable.args[0].value), lambda kind: ("pair", None, kind))
        return _map_kinds(self.taint(iterable), _element_kind)

    def _markup_taint(self, node: cst.BaseExpression) -> Taints:
        """The request data a Markup holds unescaped (what its `Markup(...)` constructors were given)."""
        return _rekind(_union(self.taint(source) for source in self.markup_sources(node)), TEXT)

    # -- expressions ---------------------------------------------------------------------------
    def _evaluate(self, node: cst.BaseExpression) -> Taints:
        # Exact types: libcst's node classes have no subclasses, and isinstance against them (ABCs) runs Python code.
        if type(node) is cst.Name:
            return self._name(node)
        if type(node) is cst.Attribute:
            return self._attribute(node)
        if type(node) is cst.Subscript:
            return self._subscript(node)
        if type(node) is cst.Call:
            return self._call(node)
        if type(node) is cst.FormattedString:
            holes = [p.expression for p in node.parts if type(p) is cst.FormattedStringExpression]
            return _rekind(_union(self.taint(h) for h in holes), TEXT)
        if type(node) is cst.ConcatenatedString:
            return self.taint(node.left) | self.taint(node.right)
        if type(node) is cst.BinaryOperation:
            return self._binary(node)
        if type(node) is cst.BooleanOperation:
            return self.taint(node.left) | self.taint(node.right)
        if type(node) is cst.IfExp:
            return self.taint(node.body) | self.taint(node.orelse)
        if type(node) in (cst.List, cst.Tuple, cst.Set):
            return _seq(_union(self._element(e) for e in node.elements))
        if type(node) is cst.Dict:
            parts = [self.taint(e.value) for e in node.elements if type(e) is cst.DictElement]
            parts += [self.taint(e.value) for e in node.elements if type(e) is cst.StarredDictElement]
            return _rekind(_union(parts), DATA)
        if type(node) in (cst.ListComp, cst.SetComp, cst.GeneratorExp):
            return _seq(self.taint(node.elt))
        if type(node) is cst.DictComp:
            return _rekind(self.taint(node.key) | self.taint(node.value), DATA)
        if type(node) is cst.Await:
            return self.taint(node.expression)
        if type(node) is cst.NamedExpr:
            return self.taint(node.value)
        return CLEAN

    def _element(self, element: cst.BaseElement) -> Taints:
        if isinstance(element, cst.StarredElement):
            return self._iterated(element.value)
        return self.taint(element.value)

    def _name(self, node: cst.Name) -> Taints:
        if self.model.qualify(node, self.function.scope) in REQUEST_NAMES or self._aliases_request(node):
            return frozenset({Taint("`request`", REQUEST)})
        return _union(self.definition_taint(d) for d in self.flow.reaching(node))

    def _aliases_request(self, node: cst.Name) -> bool:
        """A module-level `req = flask.request` alias (module values are otherwise never sources)."""
        if self.flow.is_local(node.value):
            return False
        value = self.model.value_of(node.value, self.function.scope)
        return isinstance(value, (cst.Name, cst.Attribute)) and self.model.qualify(value) in REQUEST_NAMES

    def _attribute(self, node: cst.Attribute) -> Taints:
        if self.model.qualify(node, self.function.scope) in REQUEST_NAMES:
            return frozenset({Taint("`request`", REQUEST)})
        attribute = node.attr.value
        result: set[Taint] = set()
        for taint in self.taint(node.value):
            if taint.kind == REQUEST:
                kind = REQUEST_ATTRIBUTES.get(attribute)
                if kind is not None:
                    suffix = " value" if kind == MAPPING else ""
                    result.add(Taint(f"`request.{attribute}`{suffix}", kind))
            elif taint.kind == FILE:
                if attribute == "filename":
                    result.add(Taint(f"upload filename `{self.model.code(node).strip()}`", TEXT, node))
                elif attribute in FILE_TEXT_ATTRIBUTES:
                    result.add(taint.as_kind(TEXT))  # type: ignore[arg-type]
                elif attribute == "headers":
                    result.add(taint.as_kind(MAPPING))  # type: ignore[arg-type]
            elif taint.kind == DATA:
                result.add(taint)
            elif taint.kind == TEXT and attribute in PATH_FINAL_PARTS and self.purpose != "path":
                result.add(taint)  # pathlib's .name/.suffix/.stem: no separator, still markup (and braces)
        return frozenset(result)

    def _subscript(self, node: cst.Subscript) -> Taints:
        index: int | None = None
        is_slice = False
        if len(node.slice) == 1:
            part = node.slice[0].slice
            if isinstance(part, cst.Slice):
                is_slice = True
            elif isinstance(part, cst.Index):
                index = _integer(part.value)
        value = node.value
        if index is not None and isinstance(value, (cst.Tuple, cst.List)):
            if 0 <= index < len(value.elements) and not any(isinstance(e, cst.StarredElement) for e in value.elements):
                return self.taint(value.elements[index].value)
        taints = self.taint(value)
        if is_slice:
            return frozenset(t for t in taints if t.kind != REQUEST)
        return _map_kinds(taints, lambda kind: _item_kind(kind, index))

    def _binary(self, node: cst.BinaryOperation) -> Taints:
        operator = node.operator
        if self.purpose == "html" and self.is_markup(node):
            return self._markup_taint(node)  # Markup + x / Markup % x escape x
        if isinstance(operator, cst.Add):
            operands = added_operands(node)  # flat, so a 500-term concatenation does not recurse 500 deep
            every = _union(self.taint(operand) for operand in operands)
            textual = any(t.kind in (TEXT, BYTES) for t in every) or any(_is_string_literal(o) for o in operands)
            return _rekind(every, TEXT) if textual else every
        both = self.taint(node.left) | self.taint(node.right)
        if isinstance(operator, (cst.Modulo, cst.Divide)):
            return _rekind(both, TEXT)
        if isinstance(operator, (cst.Multiply, cst.BitOr)):
            return both
        return CLEAN

    def _call(self, node: cst.Call) -> Taints:
        func = node.func
        callee = self.callee(func)
        arguments = [a.value for a in node.args]
        if callee is not None:
            known = self._known_call(callee, node, arguments)
            if known is not None:
                return known
        if isinstance(func, cst.Name) and callee is None:
            return self._helper_call(func.value, node)
        if isinstance(func, cst.Attribute):
            return self._method_call(func, node, arguments)
        return CLEAN

    def _known_call(self, callee: str, node: cst.Call, arguments: list[cst.BaseExpression]) -> Taints | None:
        """Taint of a call to a library function this module knows; None when it is not one."""
        every = _union(self.taint(a) for a in arguments) if callee in TEXT_ARGUMENT_CALLS else CLEAN
        if callee in HTML_ONLY_SANITIZERS:
            if callee == "html.escape" and _keyword_is_false(node, "quote"):
                return _rekind(every, TEXT)  # quote=False leaves quotes: unsafe in attributes
            if callee in MARKUP_ESCAPES and arguments and self.purpose == "html" and self.is_markup(arguments[0]):
                return self._markup_taint(arguments[0])  # escape() returns a Markup unchanged
            if self.purpose == "html" or (self.purpose == "template" and callee in TEMPLATE_SANITIZERS):
                return CLEAN
            return _rekind(every, TEXT)
        if callee in PATH_ONLY_SANITIZERS:
            return CLEAN if self.purpose == "path" else _rekind(every, TEXT)
        if callee in TEXT_CALLS:
            return _rekind(every, TEXT)
        if callee in MARKUP_CLASSES:
            return _rekind(self.taint(arguments[0]), TEXT) if arguments else CLEAN
        if callee in SPLITEXT and arguments:
            extension = TEXT if self.purpose != "path" else None
            return _map_kinds(_rekind(self.taint(arguments[0]), TEXT), lambda kind: ("pair", TEXT, extension))
        if callee in CONTAINER_CALLS:
            return _seq(self._iterated(arguments[0])) if arguments else CLEAN
        if callee == "builtins.dict":
            return _rekind(every, DATA)
        if callee == "builtins.enumerate" and arguments:
            return _seq(_map_kinds(self._iterated(arguments[0]), lambda kind: ("pair", None, kind)))
        if callee == "builtins.next" and arguments:
            return self._iterated(arguments[0])
        if callee == "json.loads":
            return _rekind(every, DATA)
        if callee.startswith("builtins."):
            return CLEAN  # int(), len(), bool(), ...: nothing textual survives
        return None

    def _method_call(self, func: cst.Attribute, node: cst.Call, arguments: list[cst.BaseExpression]) -> Taints:
        method = func.attr.value
        receiver = func.value
        if self.purpose == "html" and self.is_markup(receiver) and method in ("format", "join", "format_map"):
            return self._markup_taint(receiver)  # the arguments are escaped, the Markup's own text is not
        result: set[Taint] = set()
        for taint in self.taint(receiver):
            result.update(self._method_of(taint, method, node))
        if method in ("format", "format_map"):
            result |= _rekind(_union(self.taint(a) for a in arguments), TEXT)
        elif method == "join" and arguments and self.callee(func) is None:
            result |= _rekind(self._iterated(arguments[0]), TEXT)
        elif method == "replace" and len(arguments) >= 2:
            result |= _rekind(self.taint(arguments[1]), TEXT)
        elif method in PATH_BUILDERS:
            result |= _rekind(_union(self.taint(a) for a in arguments), TEXT)
        return frozenset(result)

    def _method_of(self, taint: Taint, method: str, node: cst.Call) -> Iterable[Taint]:
        """What calling `method` on a value with this taint returns."""
        kind = taint.kind
        if kind == REQUEST:
            source = REQUEST_METHODS.get(method)
            if source is not None:
                if method == "get_data" and _keyword_is_true(node, "as_text"):
                    source = TEXT
                yield Taint(f"`request.{method}()`", source)
            return
        converted = self._converted(node) if method in ("get", "getlist") else False
        if kind == MAPPING:
            new = MAPPING_METHODS.get(method)
            if new is not None and not converted:
                yield taint.as_kind(new)  # type: ignore[misc]
        elif kind == FILES:
            new = FILES_METHODS.get(method)
            if new is not None:
                yield taint.as_kind(new)  # type: ignore[misc]
        elif kind == FILE and method == "read":
            yield taint.as_kind(BYTES)  # type: ignore[misc]
        elif kind == DATA and method in ("get", "pop", "setdefault", "items", "values", "keys", "copy"):
            yield taint
        elif kind == TEXT:
            if method in STR_METHODS:
                yield taint
            elif method in ("split", "rsplit", "splitlines"):
                yield taint.as_kind(("seq", TEXT))  # type: ignore[misc]
            elif method in ("partition", "rpartition"):
                yield taint.as_kind(DATA)  # type: ignore[misc]
            elif method == "encode":
                yield taint.as_kind(BYTES)  # type: ignore[misc]
            elif method in PATH_BUILDERS or method in ("resolve", "absolute", "as_posix"):
                yield taint  # pathlib, built from a tainted path
        elif kind == BYTES:
            if method == "decode":
                yield taint.as_kind(TEXT)  # type: ignore[misc]
            elif method in STR_METHODS:
                yield taint
        elif isinstance(kind, tuple) and kind[0] == "seq" and method in ("pop", "copy"):
            yield taint.as_kind(kind[1] if method == "pop" else kind)  # type: ignore[misc]

    def _converted(self, node: cst.Call) -> bool:
        """`request.args.get(k, type=int)`: Werkzeug converts (or drops) the value; `type=str` does not."""
        converter = argument(node, None, "type")
        if converter is None:
            return False
        return not (isinstance(converter, cst.Name) and converter.value == "str")

    def _helper_call(self, name: str, node: cst.Call) -> Taints:
        """A module-level function of this module: its return taint, with parameters bound to the arguments."""
        helper = self.dataflow.module_functions.get(name)
        if helper is None or helper is self.function or self.depth >= 1 or self.flow.is_local(name):
            return CLEAN
        bindings = self.bind_arguments(helper, node)
        analysis = self.dataflow.analysis(helper, self.purpose, bindings, depth=self.depth + 1)
        return _union(analysis.taint(r.value) for r in analysis.flow.returns if r.value is not None)

    def bind_arguments(self, helper: FunctionInfo, node: cst.Call) -> Bindings:
        """The taints a call passes to each parameter of `helper` (stops at `*args`)."""
        params = helper.node.params
        positional = [p.name.value for p in (*params.posonly_params, *params.params)]
        bindings: Bindings = {}
        index = 0
        for arg in node.args:
            if arg.star:
                break
            if arg.keyword is not None:
                taints = self.taint(arg.value)
                if taints:
                    bindings[arg.keyword.value] = taints
                continue
            if index < len(positional):
                taints = self.taint(arg.value)
                if taints:
                    bindings[positional[index]] = taints
            index += 1
        return bindings


def added_operands(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    """The operands of a `+` chain, flattened without recursion: `a + b + c` -> [a, b, c]."""
    operands: list[cst.BaseExpression] = []
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, cst.BinaryOperation) and isinstance(current.operator, cst.Add):
            pending.extend((current.right, current.left))
        else:
            operands.append(current)
    return operands


def _integer(node: cst.BaseExpression) -> int | None:
    """The value of an integer literal such as `1` or `-1`."""
    if isinstance(node, cst.Integer):
        return int(node.value, 0)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        inner = _integer(node.expression)
        return -inner if inner is not None else None
    return None


def _is_string_literal(node: cst.BaseExpression) -> bool:
    return isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString))


def _keyword_is_false(call: cst.Call, keyword: str) -> bool:
    value = argument(call, None, keyword)
    return isinstance(value, cst.Name) and value.value == "False"


def _keyword_is_true(call: cst.Call, keyword: str) -> bool:
    value = argument(call, None, keyword)
    return isinstance(value, cst.Name) and value.value == "True"


Analysis = TypeVar("Analysis", bound=TaintAnalysis)


class ModuleDataflow:
    """Per-module cache of function flows and analyses, shared by every rule that asks.

    The analyses point back at it and at the model, which holds it: `release` ends those cycles
    when the file's analysis is over, so reference counting frees the tree at once.
    """

    def __init__(self, model: ModuleModel) -> None:
        self.model = model
        self._flows: dict[cst.FunctionDef, FunctionFlow] = {}
        self._analyses: dict[tuple, TaintAnalysis] = {}
        self.module_functions: dict[str, FunctionInfo] = {
            f.name: f for f in model.functions if f.scope.parent is model.module_scope
        }

    def release(self) -> None:
        self._flows.clear()
        self._analyses.clear()

    def flow(self, function: FunctionInfo) -> FunctionFlow:
        flow = self._flows.get(function.node)
        if flow is None:
            flow = self._flows[function.node] = FunctionFlow(function, self.model)
        return flow

    def analysis(
        self, function: FunctionInfo, purpose: Purpose, bindings: Bindings | None = None, depth: int = 0
    ) -> TaintAnalysis:
        """The analysis of `function`; `bindings` replaces the route-variable sources of its parameters."""
        return self.analysis_of(TaintAnalysis, function, purpose, bindings, depth)

    def analysis_of(
        self, kind: type[Analysis], function: FunctionInfo, purpose: Purpose, bindings: Bindings | None, depth: int
    ) -> Analysis:
        """`analysis` made by a subclass (one that changes what counts as clean), cached beside the others."""
        key = (kind, function.node, purpose, None if bindings is None else frozenset(bindings.items()), depth)
        analysis = self._analyses.get(key)
        if analysis is None:
            analysis = self._analyses[key] = kind(self, function, purpose, bindings, depth)
        return analysis  # type: ignore[return-value]

    def analyses(self, function: FunctionInfo, purpose: Purpose) -> Iterator[TaintAnalysis]:
        """The function on its own, then once per same-module call passing it request data (one level).

        A sink inside a helper (`def page(src): return render_template_string(src)`) sees the
        request data a view hands it.
        """
        yield self.analysis(function, purpose)
        if self.module_functions.get(function.name) is not function:
            return
        for call in self.model.callers_of(function):
            assert call.function is not None
            bindings = self.analysis(call.function, purpose).bind_arguments(function, call.node)
            if any(is_value(t.kind) for taints in bindings.values() for t in taints):
                yield self.analysis(function, purpose, bindings, depth=1)

    def function_at(self, node: cst.BaseExpression) -> FunctionInfo | None:
        """The analysed function an expression sits in (found through the name it starts with)."""
        root = _root_name(node)
        for flow in self._flows.values():
            if root in flow.positions:
                return flow.function
        return None

    def is_bound(self, function: FunctionInfo, name: str, module_imports: bool = True) -> bool:
        """Whether `name` already means something inside `function` (so a fix cannot introduce it).

        `module_imports=False` ignores module-level imports: used to check that an import a fix
        wants to reuse is not shadowed locally.
        """
        if self.flow(function).is_local(name):
            return True
        scope = function.scope.parent
        while scope is not None:
            if scope.kind == "module":
                if name in scope.assigned or (module_imports and name in scope.imports.aliases):
                    return True
            elif scope.kind == "function" and (
                name in scope.params or name in scope.assigned or name in scope.imports.aliases
            ):
                return True
            scope = scope.parent
        return False

    def reference(self, function: FunctionInfo, qualified: str) -> tuple[str, bool] | None:
        """How code in `function` can call `qualified` ("markupsafe.escape"): (expression, needs import).

        Reuses a module-level import of the function or of its module; otherwise the bare name,
        with an import to add, when that name is free; None when it is taken.
        """
        module, _, name = qualified.rpartition(".")
        for local, target in self.model.module_scope.imports.aliases.items():
            if self.is_bound(function, local, module_imports=False):
                continue
            if target == qualified:
                return local, False
            if target == module:
                return f"{local}.{name}", False
        if self.is_bound(function, name):
            return None
        return name, True


def request_values(analyses: Iterable[TaintAnalysis], node: cst.BaseExpression) -> Taints:
    """The request data `node` carries in any of the analyses (of one function: alone, per caller)."""
    return _union(frozenset(t for t in analysis.taint(node) if is_value(t.kind)) for analysis in analyses)


def _root_name(node: cst.BaseExpression) -> cst.Name | None:
    while isinstance(node, (cst.Attribute, cst.Subscript, cst.Call)):
        node = node.func if isinstance(node, cst.Call) else node.value
    return node if isinstance(node, cst.Name) else None


def dataflow_for(model: ModuleModel) -> ModuleDataflow:
    """The module's dataflow helper, built once and shared by FLK101, FLK102 and later rules.

    The model owns it, so both go when the model does.
    """
    if model.dataflow is None:
        model.dataflow = ModuleDataflow(model)
    return model.dataflow
