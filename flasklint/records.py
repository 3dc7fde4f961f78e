"""`dataclass` as the standard library's, with `__repr__`, `__eq__` and `__hash__` shared, not compiled per class.

The standard library writes each method it adds as source text and compiles it (one `exec` each):
for flasklint's ~90 model classes that was about half of the time to import the engine, paid by
every cold run. These three methods are the same for every class once its fields are known, so one
definition serves all (the fields read with `operator.attrgetter`). A frozen class's `__setattr__` and
`__delattr__` are closures over the class and its field names, the standard library's code without
its `exec` (Python 3.10-3.12, whose `dataclasses` asks one helper for both; elsewhere they are the
standard library's). `__init__` is still the standard library's, and `dataclasses.fields`, `replace`,
`asdict` and `is_dataclass` work as on any dataclass. Same results as the generated methods, field
options (`repr=`, `compare=`, `hash=`) and a class's own methods included: tests/test_records.py
compares them. `order=True`, `slots=True` and other options go to the standard library unchanged.
"""

from __future__ import annotations

import dataclasses
from operator import attrgetter
from reprlib import recursive_repr

from flasklint import method_code_cache

TYPE_CHECKING = False  # typing's, without importing typing
if TYPE_CHECKING:
    from typing import Any, Callable, TypeVar

    T = TypeVar("T")

method_code_cache.install()  # the `__init__` each class still compiles: kept across runs


def dataclass(
    cls: type[T] | None = None, /, *, frozen: bool = False, eq: bool = True, repr: bool = True, **options: Any
) -> Any:
    """`dataclasses.dataclass(cls, frozen=..., eq=..., repr=..., **options)`, with the shared methods."""

    def wrap(cls: type[T]) -> type[T]:
        if options:
            return dataclasses.dataclass(cls, frozen=frozen, eq=eq, repr=repr, **options)
        return _record(cls, frozen, eq, repr)

    return wrap if cls is None else wrap(cls)


def _record(cls: type[T], frozen: bool, eq: bool, repr: bool) -> type[T]:
    body = cls.__dict__
    class_hash = body.get("__hash__", dataclasses.MISSING)
    # The standard library's test: a class that defines __eq__ gets `__hash__ = None` from Python.
    explicit_hash = not (class_hash is dataclasses.MISSING or (class_hash is None and "__eq__" in body))
    own_repr, own_eq = "__repr__" in body, "__eq__" in body
    cls = _standard_dataclass(cls, frozen)
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    if repr and not own_repr:
        _set(cls, "__repr__", _repr_method([f.name for f in fields if f.repr]))
    if eq:
        if not own_eq:
            _set(cls, "__eq__", _eq_method(_values([f.name for f in fields if f.compare])))
        if not explicit_hash:  # as dataclasses' hash table for eq=True, unsafe_hash=False
            hashed = [f.name for f in fields if (f.compare if f.hash is None else f.hash)]
            cls.__hash__ = _hash_method(_values(hashed)) if frozen else None  # type: ignore[method-assign,assignment]
    return cls


def _standard_dataclass(cls: type[T], frozen: bool) -> type[T]:
    """The standard library's class (no `__eq__` or `__repr__`), a frozen one with `_frozen_methods`."""
    if not (frozen and _FROZEN_HELPER_RETURNS_METHODS):
        return dataclasses.dataclass(cls, frozen=frozen, eq=False, repr=False)
    standard = dataclasses._frozen_get_del_attr  # type: ignore[attr-defined]
    dataclasses._frozen_get_del_attr = _frozen_methods  # type: ignore[attr-defined]
    try:
        return dataclasses.dataclass(cls, frozen=True, eq=False, repr=False)
    finally:
        dataclasses._frozen_get_del_attr = standard  # type: ignore[attr-defined]


# Python 3.10-3.12: `_frozen_get_del_attr(cls, fields, globals)` returns the two methods to install
# (3.13 adds them to a builder instead, and keeps the standard ones here).
_FROZEN_HELPER_RETURNS_METHODS = (
    dataclasses._frozen_get_del_attr.__code__.co_varnames[2] == "globals"  # type: ignore[attr-defined]
)


def _frozen_methods(
    cls: type, fields: list[dataclasses.Field[Any]], _globals: object
) -> tuple[Callable[..., None], ...]:
    """`__setattr__` and `__delattr__` as the standard library writes them for a frozen class."""
    names = tuple(f.name for f in fields)

    def __setattr__(self: object, name: str, value: object) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)  # type: ignore[misc]

    def __delattr__(self: object, name: str) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)  # type: ignore[misc]

    __setattr__.__module__ = __delattr__.__module__ = cls.__module__  # as if compiled in its module
    return __setattr__, __delattr__


def _set(cls: type, name: str, method: Callable[..., Any]) -> None:
    method.__qualname__ = f"{cls.__qualname__}.{name}"
    setattr(cls, name, method)


def _values(names: list[str]) -> Callable[[object], tuple[object, ...]]:
    """The tuple of these attributes (the generated methods compare and hash tuples, even of one)."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        get = attrgetter(names[0])
        return lambda instance: (get(instance),)
    return lambda instance: ()


def _repr_method(names: list[str]) -> Callable[[object], str]:
    def __repr__(self: object) -> str:
        shown = ", ".join([f"{name}={getattr(self, name)!r}" for name in names])
        return f"{self.__class__.__qualname__}({shown})"

    return recursive_repr()(__repr__)


def _eq_method(values: Callable[[object], tuple[object, ...]]) -> Callable[[object, object], object]:
    def __eq__(self: object, other: object) -> object:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    return __eq__


def _hash_method(values: Callable[[object], tuple[object, ...]]) -> Callable[[object], int]:
    def __hash__(self: object) -> int:
        return hash(values(self))

    return __hash__
