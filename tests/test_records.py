"""flasklint.records.dataclass gives the same classes as dataclasses.dataclass: each shape below is
declared with both, and their instances must repr, compare, hash (or refuse to), freeze and
introspect alike."""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

import pytest

from flasklint import records


def shapes(dataclass: Callable[..., Any]) -> dict[str, tuple[type, tuple[Any, ...], tuple[Any, ...]]]:
    """name -> (class, arguments of one instance, arguments of another)."""

    @dataclass
    class Plain:
        a: int
        b: str = "x"
        c: list[int] = dataclasses.field(default_factory=list)

    @dataclass(frozen=True)
    class Frozen:
        a: int
        b: tuple[int, ...] = ()

    @dataclass(frozen=True)
    class Options:
        a: int
        hidden: int = dataclasses.field(default=0, repr=False)
        ignored: int = dataclasses.field(default=0, compare=False)
        unhashed: int = dataclasses.field(default=0, hash=False)

    @dataclass(frozen=True)
    class One:
        value: float

    @dataclass(frozen=True)
    class Empty:
        pass

    @dataclass(eq=False)
    class Identity:
        a: int

    @dataclass(frozen=True)
    class OwnMethods:
        a: int

        def __repr__(self) -> str:
            return "mine"

        def __eq__(self, other: object) -> bool:
            return True

    @dataclass
    class OwnHash:
        a: int

        def __hash__(self) -> int:
            return 7

    @dataclass(frozen=True)
    class Child(Frozen):
        c: int = 0

    @dataclass
    class Recursive:
        items: list[Any]

    nan = float("nan")
    return {
        "plain": (Plain, (1, "y", [2]), (1, "y", [2])),
        "frozen": (Frozen, (1, (2,)), (2, (2,))),
        "field options": (Options, (1, 2, 3, 4), (1, 5, 6, 7)),
        "one field (tuple semantics: the same NaN is equal)": (One, (nan,), (nan,)),
        "no field": (Empty, (), ()),
        "eq=False": (Identity, (1,), (1,)),
        "own __repr__ and __eq__": (OwnMethods, (1,), (2,)),
        "own __hash__": (OwnHash, (1,), (1,)),
        "a subclass": (Child, (1, (), 2), (1, (), 3)),
        "recursive": (Recursive, ([],), ([],)),
    }


def behaviour(cls: type, first: tuple[Any, ...], second: tuple[Any, ...]) -> list[object]:
    one, other, same = cls(*first), cls(*second), cls(*first)
    if cls.__name__ == "Recursive":
        one.items.append(one)
    observed: list[object] = [repr(one), repr(other), one == other, one == same, one != other, one == "x"]
    observed.append(cls.__hash__ is None)
    if cls.__hash__ is not None:
        observed.append(hash(one) == hash(same) if cls.__hash__ is not object.__hash__ else "identity")
        values = [getattr(one, field.name) for field in dataclasses.fields(cls)]
        by_identity = any(isinstance(value, float) and value != value for value in values)  # NaN: hash(id) since 3.10
        observed.append(hash(one) if cls.__hash__ is not object.__hash__ and not by_identity else None)
    params = cls.__dataclass_params__  # type: ignore[attr-defined]
    observed += [[(f.name, f.repr, f.compare, f.hash) for f in dataclasses.fields(cls)], params.frozen]
    observed += [getattr(cls, "__match_args__", None), cls.__doc__]
    try:
        one.a = 5
        observed.append("assigned")
    except dataclasses.FrozenInstanceError:
        observed.append("frozen")
    except AttributeError as exc:
        observed.append(type(exc).__name__)
    if dataclasses.fields(cls):
        observed.append(dataclasses.replace(other) == other)
    return observed


@pytest.mark.parametrize("name", shapes(dataclasses.dataclass))
def test_a_record_behaves_as_the_standard_dataclass(name: str) -> None:
    expected = behaviour(*shapes(dataclasses.dataclass)[name])
    assert behaviour(*shapes(records.dataclass)[name]) == expected


def test_options_it_does_not_share_go_to_the_standard_library() -> None:
    @records.dataclass(frozen=True, order=True)
    class Ordered:
        a: int

    assert Ordered(1) < Ordered(2) and Ordered.__dataclass_params__.order  # type: ignore[attr-defined]


def frozen_behaviour(dataclass: Callable[..., Any]) -> list[object]:
    """Assigning and deleting fields and other attributes, on the class and on a plain subclass."""

    @dataclass(frozen=True)
    class Point:
        x: int
        y: int = 0

    class Plain(Point):  # not a dataclass: may set attributes that are not fields
        pass

    @dataclass(frozen=True)
    class Empty:
        pass

    observed: list[object] = []
    for instance in (Point(1), Plain(1), Empty()):
        for action in (
            lambda: setattr(instance, "x", 2),
            lambda: setattr(instance, "other", 3),
            lambda: delattr(instance, "x"),
            lambda: delattr(instance, "other"),
        ):
            try:
                action()
                observed.append(("done", vars(instance)))
            except AttributeError as exc:  # FrozenInstanceError is one
                observed.append((type(exc).__name__, str(exc)))
    for method in (Point.__setattr__, Point.__delattr__):
        observed.append((method.__name__, method.__qualname__.rpartition("<locals>.")[2], method.__module__))
    return observed


def test_frozen_classes_refuse_and_allow_as_the_standard_dataclass() -> None:
    expected = frozen_behaviour(dataclasses.dataclass)
    assert ("FrozenInstanceError", "cannot assign to field 'x'") in expected
    assert frozen_behaviour(records.dataclass) == expected


def test_frozen_methods_are_not_compiled_per_class() -> None:
    """Python 3.10-3.12: the methods are closures of one function (no `exec` per class)."""
    if not records._FROZEN_HELPER_RETURNS_METHODS:
        pytest.skip("this Python's dataclasses builds the frozen methods with a builder")

    @records.dataclass(frozen=True)
    class First:
        a: int

    @records.dataclass(frozen=True)
    class Second:
        b: int

    assert First.__setattr__.__code__ is Second.__setattr__.__code__  # type: ignore[comparison-overlap]
    assert dataclasses._frozen_get_del_attr is not records._frozen_methods  # type: ignore[attr-defined]
