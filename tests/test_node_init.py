"""libcst's node classes get a slot-writing `__init__` (flasklint/node_init.py): it must be the
same method as the one dataclasses wrote, for the parser and for anyone building nodes by hand."""

from __future__ import annotations

import dataclasses
import inspect
import os
import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest
from libcst._add_slots import add_slots
from libcst._nodes.base import CSTNode

from flasklint import node_init, source
from flasklint.scoped_patch import class_tree

REPOSITORY = Path(__file__).resolve().parent.parent
SOURCES = sorted((REPOSITORY / "flasklint").rglob("*.py")) + sorted((REPOSITORY / "examples").rglob("*.py"))


@pytest.fixture(scope="module", autouse=True)
def installed() -> None:
    node_init.install()
    assert node_init.replaced


def _with_originals(monkeypatch: pytest.MonkeyPatch) -> None:
    for kind, original in node_init.replaced.items():
        monkeypatch.setattr(kind, "__init__", original)


def _node_types(node: CSTNode, found: set[type]) -> set[type]:
    found.add(type(node))
    for child in node.children:
        _node_types(child, found)
    return found


def test_every_class_the_parser_builds_is_replaced() -> None:
    built: set[type] = set()
    for path in SOURCES:
        tree = source.parse_source(path.read_text(encoding="utf-8"))
        assert isinstance(tree, cst.Module)
        _node_types(tree, built)
    assert len(built) > 100
    assert built <= set(node_init.replaced), built - set(node_init.replaced)
    for kind in built:
        assert kind.__init__ is not node_init.replaced[kind]


def test_the_signatures_are_the_originals() -> None:
    for kind, original in node_init.replaced.items():
        new = kind.__dict__["__init__"]
        assert inspect.signature(new) == inspect.signature(original), kind
        assert all(a is b for a, b in zip(new.__defaults__ or (), original.__defaults__ or ())), kind
        assert new.__qualname__ == original.__qualname__


def test_real_code_gives_the_same_trees(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [path.read_text(encoding="utf-8") for path in SOURCES]
    fast = [source.parse_source(text) for text in texts]
    _with_originals(monkeypatch)
    for path, text, tree in zip(SOURCES, texts, fast):
        original = source.parse_source(text)
        assert isinstance(tree, cst.Module) and tree.deep_equals(original) and tree.code == original.code, path


@pytest.mark.parametrize(
    "build",
    [
        lambda: cst.Name("x"),
        lambda: cst.Comma(),  # default factories
        lambda: cst.Call(cst.Name("f"), [cst.Arg(cst.Integer("1"), keyword=cst.Name("k"))]),
        lambda: cst.FunctionDef(cst.Name("f"), cst.Parameters(), cst.IndentedBlock([cst.SimpleStatementLine([cst.Pass()])])),
        lambda: cst.Module([]),
    ],
)
def test_nodes_built_by_hand_are_equal(build: object, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = build()  # type: ignore[operator]
    _with_originals(monkeypatch)
    original = build()  # type: ignore[operator]
    assert fast.deep_equals(original) and repr(fast) == repr(original)


def test_each_default_factory_runs_for_each_node_and_an_argument_wins() -> None:
    first, second = cst.Comma(), cst.Comma()  # whitespace_before: a factory making SimpleWhitespace("")
    assert first.whitespace_before is not second.whitespace_before
    assert first.whitespace_before.deep_equals(cst.SimpleWhitespace(""))
    given = cst.SimpleWhitespace("  ")
    assert cst.Comma(whitespace_before=given).whitespace_before is given


@pytest.mark.parametrize(
    "build",
    [lambda: cst.Name(), lambda: cst.Name("x", [], [], []), lambda: cst.Name(nope=1), lambda: cst.Name("a b")],
    ids=["missing", "too-many", "unknown-keyword", "invalid"],
)
def test_the_same_errors(build: object, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(Exception) as fast:
        build()  # type: ignore[operator]
    _with_originals(monkeypatch)
    with pytest.raises(Exception) as original:
        build()  # type: ignore[operator]
    assert type(fast.value) is type(original.value) and str(fast.value) == str(original.value)


def _slotted_pair(redeclare: bool) -> type:
    @add_slots
    @dataclasses.dataclass(frozen=True)
    class Base:
        value: str
        more: tuple = ()

    if redeclare:

        class Heir(Base):
            __slots__ = ("value",)  # its own slot: object.__setattr__ would write this one

    return Base


def test_a_class_whose_heir_has_its_own_slot_keeps_its_init() -> None:
    assert node_init._slot_writing_init(_slotted_pair(redeclare=False)) is not None
    assert node_init._slot_writing_init(_slotted_pair(redeclare=True)) is None


def test_classes_it_cannot_vouch_for_keep_their_init() -> None:
    @add_slots
    @dataclasses.dataclass
    class Mutable:
        value: str

    @add_slots
    @dataclasses.dataclass(frozen=True)
    class KeywordOnly:
        value: str = dataclasses.field(kw_only=True)

    @add_slots
    @dataclasses.dataclass(frozen=True)
    class WithInitVar:
        value: str
        extra: dataclasses.InitVar[int] = 0

        def __post_init__(self, extra: int) -> None:
            pass

    @add_slots
    @dataclasses.dataclass(frozen=True, init=False)
    class HandWritten:
        value: str

        def __init__(self, value: str) -> None:
            object.__setattr__(self, "value", value.upper())

    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        value: str

    for kind in (Mutable, KeywordOnly, WithInitVar, HandWritten, NoSlots):
        assert node_init._slot_writing_init(kind) is None, kind


# A child process: how many classes were replaced after parsing a small file, then enough source.
_COUNT_SCRIPT = """
from flasklint import node_init, source
source.parse_source('x = 1\\n')
small = len(node_init.replaced)
text = 'value = compute(1, 2)\\n' * (node_init.INSTALL_AFTER_BYTES // 22 + 1)
source.parse_source(text)
print(small, len(node_init.replaced))
"""


def _replaced_counts(shortcuts_on: bool) -> list[int]:
    environment = {key: value for key, value in os.environ.items() if key != "FLASKLINT_NO_SHORTCUTS"}
    if not shortcuts_on:
        environment["FLASKLINT_NO_SHORTCUTS"] = "1"
    found = subprocess.run([sys.executable, "-c", _COUNT_SCRIPT], capture_output=True, text=True, env=environment, check=True)
    return [int(count) for count in found.stdout.split()]


def test_made_once_enough_source_is_parsed() -> None:
    small, large = _replaced_counts(shortcuts_on=True)
    assert small == 0 and large > 150


def test_not_made_with_shortcuts_off() -> None:
    assert _replaced_counts(shortcuts_on=False) == [0, 0]
