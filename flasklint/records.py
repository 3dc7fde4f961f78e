"""`dataclass` as the standard library's, with `__repr__`, `__eq__` and `__hash__` shared, not compiled per class.

The standard library writes each method it adds as source text and compiles it (one `exec` each):
for flasklint's ~90 model classes that was about half of the time to import the engine, paid by
every cold run. These three methods are the same for every class once its fields are known, so one
definition serves all (the fields read with `operator.attrgetter`); `__init__` and a frozen class's
`__setattr__`/`__delattr__` are still the standard library's, and `dataclasses.fields`, `replace`,
`asdict` and `is_dataclass` work as on any dataclass. Same results as the generated methods, field
options (`repr=`, `compare=`, `hash=`) and a class's own methods included: tests/test_records.py
compares them. `order=True`, `slots=True` and other options go to the standard library unchanged.
"""

from __future__ import annotations

import dataclasses
from operator import attrgetter
from reprlib import recursive_repr

TYPE_CHECKING = False  # typing's, without importing typing
if TYPE_CHECKING:
    from typing import Any, Callable, TypeVar

    T = TypeVar("T")


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
    cls = dataclasses.dataclass(cls, frozen=frozen, eq=False, repr=False)
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
