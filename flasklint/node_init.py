"""libcst's nodes built by writing each field's slot directly: the same `__init__`, without a lookup per field.

libcst's node classes are frozen dataclasses with slots. The `__init__` `dataclasses` writes for
them sets each field with `object.__setattr__(self, name, value)`, which finds the field's slot
descriptor in the class's MRO on every call. A parse builds every node through it: ~1.7 million
nodes on the benchmark's 7 apps, ~6 million field writes. The `__init__` made here calls that very
descriptor (`member.__set__(self, value)`), found once per class: what `object.__setattr__` ends up
doing, without the lookup (a three-field node: 0.63 -> 0.45 us; the flake8 builder: ~3 % less CPU).

It is the same method for every caller: the same parameters, in the same order, with the original
function's own default objects; a field with a default factory calls it when its argument is
left out, as dataclasses' does; `__post_init__` (libcst's validation) is called as before. A class
is left as it is unless every field is a plain init field (no `InitVar`, `ClassVar`, `init=False`
or keyword-only field) stored in a slot that every class inheriting this `__init__` resolves to
the same descriptor, and unless its `__init__` is the one dataclasses wrote (it sets fields and
calls `__post_init__`, nothing else). tests/test_node_init.py checks the signatures, the trees of
real code and the errors against libcst's own methods.

Unlike the replacements of scoped_patch.py, these stay once made: they behave exactly as the
originals, and swapping ~175 classes' `__init__` around every parse would cost more than it saves.
Making them takes ~7 ms, which pays off from ~150 kB of parsed source: they are made once a
process has parsed `INSTALL_AFTER_BYTES` (a small project's check or an editor's first files do
without them; warm runs never load libcst), and compiled through method_code_cache, so no run pays
for a `compile`. Off with shortcuts (FLASKLINT_NO_SHORTCUTS).
"""

from __future__ import annotations

import dataclasses
import threading
from types import FunctionType

from flasklint import method_code_cache, shortcuts
from flasklint.scoped_patch import class_tree

# The only names dataclasses' frozen `__init__` looks up: `object.__setattr__` and `self.__post_init__`.
_DATACLASS_INIT_NAMES = frozenset({"__setattr__", "__post_init__"})
INSTALL_AFTER_BYTES = 64 * 1024
_lock = threading.Lock()
# Each class given a faster `__init__`, with the one dataclasses wrote (tests compare the two).
replaced: dict[type, FunctionType] = {}
_installed = False
_parsed_bytes = 0


def count_parsed(size: int) -> None:
    """A parse of `size` characters is about to run: make the faster methods once enough has been."""
    global _parsed_bytes
    if not _installed:
        _parsed_bytes += size
        if _parsed_bytes >= INSTALL_AFTER_BYTES:
            install()


def install() -> None:
    """Give libcst's node classes their slot-writing `__init__` (once; not with shortcuts off)."""
    global _installed
    if _installed or not shortcuts.enabled():
        return
    with _lock:
        if _installed:
            return
        from libcst._nodes import expression, module, op, statement, whitespace  # noqa: F401 - every class the parser builds
        from libcst._nodes.base import CSTNode

        for kind in class_tree(CSTNode):
            init = _slot_writing_init(kind)
            if init is not None:
                replaced[kind] = kind.__dict__["__init__"]
                kind.__init__ = init  # type: ignore[misc]
        _installed = True


def _slot_writing_init(kind: type) -> FunctionType | None:
    """The class's faster `__init__`, or None where its own must stay (see the module's docstring)."""
    original = kind.__dict__.get("__init__")
    if "__slots__" not in kind.__dict__ or not isinstance(original, FunctionType) or not dataclasses.is_dataclass(kind):
        return None
    if original.__code__.co_filename != "<string>" or not set(original.__code__.co_names) <= _DATACLASS_INIT_NAMES:
        return None  # not the method dataclasses wrote
    if not kind.__dataclass_params__.frozen or original.__kwdefaults__:  # type: ignore[attr-defined]
        return None
    fields = dataclasses.fields(kind)
    code = original.__code__
    if any(not field.init or field.kw_only for field in fields) or code.co_varnames[1 : code.co_argcount] != tuple(
        field.name for field in fields
    ):
        return None  # its parameters are not exactly the fields (an InitVar, a keyword-only field)
    setters, heirs = {}, _heirs(kind)
    for field in fields:
        member = _lookup(kind, field.name)
        if type(member).__name__ != "member_descriptor" or any(_lookup(heir, field.name) is not member for heir in heirs):
            return None
        setters[field.name] = member.__set__
    return _compiled_init(kind, original, fields, setters)


def _compiled_init(kind: type, original: FunctionType, fields: tuple, setters: dict) -> FunctionType:
    defaults = original.__defaults__ or ()
    first_default = len(fields) - len(defaults)
    namespace: dict[str, object] = {"__name__": kind.__module__}
    parameters, body = ["self"], []
    for number, field in enumerate(fields):
        namespace[f"_set{number}"] = setters[field.name]
        parameters.append(field.name if number < first_default else f"{field.name}=None")
        value = field.name
        if field.default_factory is not dataclasses.MISSING:
            sentinel = defaults[number - first_default]  # dataclasses' "argument left out" marker
            namespace[f"_factory{number}"], namespace[f"_left_out{number}"] = field.default_factory, sentinel
            value = f"_factory{number}() if {field.name} is _left_out{number} else {field.name}"
        body.append(f"    _set{number}(self, {value})")
    if "__post_init__" in original.__code__.co_names:
        body.append("    self.__post_init__()")
    text = f"def __init__({', '.join(parameters)}):\n" + ("\n".join(body) or "    pass") + "\n"
    exec(method_code_cache.compiled(text), namespace)  # noqa: S102 - our own text, built above
    init: FunctionType = namespace["__init__"]  # type: ignore[assignment]
    init.__defaults__ = original.__defaults__  # the original's own default objects
    init.__qualname__, init.__doc__ = original.__qualname__, original.__doc__
    init.__annotations__ = original.__annotations__
    return init


def _lookup(kind: type, name: str) -> object:
    """What `object.__setattr__` finds for `name` on an instance of `kind`: the first class in its
    MRO that defines it."""
    for owner in kind.__mro__:
        if name in owner.__dict__:
            return owner.__dict__[name]
    return None


def _heirs(kind: type) -> list[type]:
    """The classes whose instances run `kind`'s `__init__`: it and the subclasses inheriting it."""
    heirs, stack = [], [kind]
    while stack:
        current = stack.pop()
        heirs.append(current)
        stack.extend(sub for sub in current.__subclasses__() if "__init__" not in sub.__dict__)
    return heirs
