"""libcst validates every node it builds; while flasklint parses, that validation is memoised
(source._memoised_post_init). It must accept and reject exactly what libcst's own does."""

from __future__ import annotations

import hashlib
import inspect
import threading
from pathlib import Path

import libcst as cst
import pytest
from libcst._nodes.base import CSTNode
from libcst._nodes.expression import _BaseParenthesizedNode

from flasklint import shortcuts, source

REPOSITORY = Path(__file__).resolve().parent.parent
# libcst's own method, read at collection, when no parse is running (the memo is installed only during one).
LIBCSTS_POST_INIT = CSTNode.__dict__["__post_init__"]
SOURCES = sorted((REPOSITORY / "flasklint").rglob("*.py")) + sorted((REPOSITORY / "examples").rglob("*.py"))

TRICKY = {
    "crlf": "from flask import Flask\r\napp = Flask(__name__)\r\n\r\n@app.route('/')\r\ndef index():\r\n    return 'x'\r\n",
    "cr_only": "a = 1\rb = (a,\r     2)\r",
    "tabs_unicode_fstrings": "def f():\n\tname = '日本語 🎉'\n\treturn f'<b>{name!r:>{width}}</b>' + rb'x' + u'y'\n",
    "continuations": "x = 1 + \\\n    2\nif (a and\n\tb): pass\n",
    "form_feed": "\fimport os\n\n\fdef f():\n    return os\n",
    "no_trailing_newline": "x = (1,\n     2)",
    "parenthesised_names": "((a)) = (b)\nprint((c), * d, ** e, key = (f))\n",
    "operators_without_spaces": "x = 1if y else(2)\nz = not(a)in(b)\nw = [i for(i)in(j)if(i)]\n",
    "match_and_walrus": "match p:\n    case [1, *rest] if (n := len(rest)):\n        pass\n    case {'k': v, **kw}:\n        pass\n",
    "numbers_and_strings": "a = 0x_1F + 1_000j + 1.5e-3 + 0o7 + 0b1\nb = '''x''' \"y\" r'\\d'\n",
    "empty": "",
    "only_comments": "# a\n\n# b\n",
}


def _parse(text: str, monkeypatch: pytest.MonkeyPatch, *, shortcuts_on: bool) -> cst.Module | source.SourceError:
    if shortcuts_on:
        monkeypatch.delenv(shortcuts.DISABLE_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(shortcuts.DISABLE_VARIABLE, "1")
    return source.parse_source(text)


@pytest.mark.parametrize("text", list(TRICKY.values()), ids=list(TRICKY))
def test_the_memoised_parse_builds_the_same_tree(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _parse(text, monkeypatch, shortcuts_on=True)
    slow = _parse(text, monkeypatch, shortcuts_on=False)
    assert isinstance(fast, cst.Module) and isinstance(slow, cst.Module)
    assert fast.deep_equals(slow) and fast.code == slow.code


def test_the_memoised_parse_builds_the_same_tree_on_real_code(monkeypatch: pytest.MonkeyPatch) -> None:
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        fast = _parse(text, monkeypatch, shortcuts_on=True)
        slow = _parse(text, monkeypatch, shortcuts_on=False)
        assert isinstance(fast, cst.Module) and fast.deep_equals(slow), path


def test_a_tree_libcsts_validator_rejects_stays_a_parse_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    """CPython runs this; libcst's parser builds a tree its validator then rejects (libcst #1061).
    Skipping validation outright would analyse the file instead of reporting it."""
    text = "x = () if 0 else(lambda:())\n"
    fast = _parse(text, monkeypatch, shortcuts_on=True)
    assert fast == _parse(text, monkeypatch, shortcuts_on=False)
    assert isinstance(fast, source.SourceError) and fast.valid_python and fast.message.startswith("libcst: TypeError")


def test_libcsts_own_validation_is_back_after_the_parse() -> None:
    source.parse_source("x = y\n")
    assert CSTNode.__post_init__ is LIBCSTS_POST_INIT
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not an identifier")
    with pytest.raises(cst.CSTValidationError):
        cst.SimpleWhitespace("x")


@pytest.mark.parametrize(
    "build",
    [
        lambda: cst.SimpleWhitespace("x"),
        lambda: cst.Name(""),
        lambda: cst.Name("a b"),
        lambda: cst.Name("ok", lpar=[cst.LeftParen()]),
        lambda: cst.Newline("\n\n"),
        lambda: cst.Integer("1x"),
        lambda: cst.Comment("no hash"),
    ],
)
def test_invalid_nodes_are_rejected_while_the_memo_is_in_place(build: object) -> None:
    """Another thread may build nodes during a parse: the memo must not let a bad one through,
    even for a value (`ok`) or class a parse has already seen."""
    source.parse_source("ok = x  # c\n")
    with source._VALIDATION.applied():
        assert CSTNode.__post_init__ is source._memoised_post_init
        cst.Name("ok")
        with pytest.raises(cst.CSTValidationError):
            build()  # type: ignore[operator]


def test_a_value_seen_once_is_not_validated_again(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = cst.SimpleWhitespace._validate

    def counting(node: cst.SimpleWhitespace) -> None:
        calls.append(node.value)
        original(node)

    monkeypatch.setattr(cst.SimpleWhitespace, "_validate", counting)
    text = "a = b + c\n"
    _parse(text, monkeypatch, shortcuts_on=False)
    assert calls.count(" ") >= 4
    _parse(text, monkeypatch, shortcuts_on=True)
    calls.clear()
    _parse(text, monkeypatch, shortcuts_on=True)
    assert calls == []


def test_concurrent_parses_restore_libcsts_validation_only_at_the_end() -> None:
    inside = threading.Event()
    release = threading.Event()

    def slow_parse() -> None:
        with source._VALIDATION.applied():
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=slow_parse)
    thread.start()
    assert inside.wait(10)
    assert isinstance(source.parse_source("x = 1\n"), cst.Module)
    assert CSTNode.__post_init__ is source._memoised_post_init  # the other parse still runs
    release.set()
    thread.join(10)
    assert CSTNode.__post_init__ is LIBCSTS_POST_INIT


# The memo is exact because these validators read only the node's `value` (and a Name's
# parentheses, checked before the memo is consulted). A new libcst that changes one fails here:
# read the new body, then update source._memoised_post_init and these digests together.
PINNED = {
    cst.SimpleWhitespace._validate: "0c29d9fc47bdc29a",
    cst.Newline._validate: "32a8ec68475cc723",
    cst.Name._validate: "84eb0e6b10f324dc",
    _BaseParenthesizedNode._validate: "bb35f1330fc6bffe",
}


@pytest.mark.parametrize("validator", list(PINNED), ids=[v.__qualname__ for v in PINNED])
def test_the_memoised_validators_are_the_ones_read(validator: object) -> None:
    body = inspect.getsource(validator)  # type: ignore[arg-type]
    assert hashlib.sha256(body.encode()).hexdigest()[:16] == PINNED[validator], body


# `source.parse_module` calls libcst's native parser as `libcst.parse_module` does for a str (encoding
# "utf-8"), without importing the entry point's module. A libcst that changes that path fails here:
# read the new bodies, then update source.parse_module and these digests together.
ENTRY_POINT = {
    "entrypoints.parse_module": "72dcef62a218d5a3",
    "entrypoints._parse": "1de28e64f9875c7a",
    "detect_config.convert_to_utf8": "5271dbd67dce52dd",
    "detect_config._detect_encoding": "7908dbad0cc4f615",
}


@pytest.mark.parametrize("name", list(ENTRY_POINT))
def test_the_entry_point_bypassed_is_the_one_read(name: str) -> None:
    from libcst._parser import detect_config, entrypoints

    module, function = name.split(".")
    body = inspect.getsource(getattr({"entrypoints": entrypoints, "detect_config": detect_config}[module], function))
    assert hashlib.sha256(body.encode()).hexdigest()[:16] == ENTRY_POINT[name], body


@pytest.mark.parametrize(
    "text", ["x = 1\n", "# -*- coding: latin-1 -*-\nname = 'café'\n", "\ufeffimport os\r\n", "def f(:\n", "if x:\n  pass\n else:\n"]
)
def test_parse_module_is_libcsts(text: str) -> None:
    try:
        expected: cst.Module | str = cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        expected = str(exc)
    try:
        found: cst.Module | str = source.parse_module(text)
    except cst.ParserSyntaxError as exc:
        found = str(exc)
    assert found == expected if isinstance(expected, str) else isinstance(found, cst.Module) and found.deep_equals(expected)
