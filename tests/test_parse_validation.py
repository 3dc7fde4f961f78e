"""libcst validates every node it builds; flasklint's parse does not (source._unvalidated): it must
build the very tree libcst's own, validated, parse builds, and leave libcst's validation on elsewhere."""

from __future__ import annotations

import hashlib
import inspect
import json
import subprocess
import sys
import threading
from pathlib import Path

import libcst as cst
import pytest
from libcst._nodes.base import CSTNode

from flasklint import shortcuts, source

REPOSITORY = Path(__file__).resolve().parent.parent
# libcst's own method, read at collection, when no parse is running (ours is installed only during one).
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


@pytest.mark.parametrize("shortcuts_on", [True, False], ids=["shortcuts", "no-shortcuts"])
@pytest.mark.parametrize("text", list(TRICKY.values()), ids=list(TRICKY))
def test_the_parse_builds_libcsts_own_validated_tree(text: str, shortcuts_on: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    ours = _parse(text, monkeypatch, shortcuts_on=shortcuts_on)
    assert isinstance(ours, cst.Module)
    handed = ours.code if "\f" in text else text  # form feeds in indentation are taken out first
    validated = cst.parse_module(handed)  # libcst's entry point, every node validated
    assert ours.deep_equals(validated) and ours.code == validated.code


def test_the_parse_builds_libcsts_own_validated_tree_on_real_code(monkeypatch: pytest.MonkeyPatch) -> None:
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        ours = _parse(text, monkeypatch, shortcuts_on=True)
        assert isinstance(ours, cst.Module) and ours.deep_equals(cst.parse_module(text)), path


@pytest.mark.parametrize("shortcuts_on", [True, False], ids=["shortcuts", "no-shortcuts"])
def test_no_validator_runs_while_parsing(shortcuts_on: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a validator would say, the parse gives the parser's tree (with shortcuts off too:
    this is what is analysed, not a shortcut)."""

    def rejecting(node: CSTNode) -> None:
        raise cst.CSTValidationError(f"{type(node).__name__} rejected")

    for kind in (cst.Name, cst.SimpleWhitespace, cst.Call, cst.Module):
        monkeypatch.setattr(kind, "_validate", rejecting)
    tree = _parse("app = Flask(__name__)\n", monkeypatch, shortcuts_on=shortcuts_on)
    assert isinstance(tree, cst.Module) and tree.code == "app = Flask(__name__)\n"
    with pytest.raises(cst.CSTValidationError):
        cst.Name("built_by_hand")  # outside the parse, libcst validates as shipped


def test_a_tree_libcsts_validator_rejects_is_analysed(tmp_path: Path) -> None:
    """CPython runs this line and libcst's parser builds its tree, but one of libcst's validators
    raises TypeError on it (libcst issue #1061): the file is analysed, not reported FLK002."""
    text = "x = () if 0 else(lambda:())\n"
    tree = source.parse_source(text)
    assert isinstance(tree, cst.Module) and tree.code == text
    (tmp_path / "app.py").write_text(
        "from flask import Flask\napp = Flask(__name__)\n" + text + "app.run(host='0.0.0.0', debug=True)\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "flasklint", "check", "--no-cache", "--output-format", "json", str(tmp_path)],
        capture_output=True, text=True, cwd=tmp_path, check=False,
    )
    codes = [(d["code"], d["location"]["row"]) for d in json.loads(result.stdout)]
    assert ("FLK002", 1) not in codes and ("FLK103", 4) in codes, result.stdout + result.stderr


def test_libcsts_own_validation_is_back_after_the_parse() -> None:
    source.parse_source("x = y\n")
    assert CSTNode.__post_init__ is LIBCSTS_POST_INIT
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not an identifier")
    with pytest.raises(cst.CSTValidationError):
        cst.SimpleWhitespace("x")


def test_the_parse_skips_validation_with_shortcuts_off_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(shortcuts.DISABLE_VARIABLE, "1")
    with source._VALIDATION.applied():
        assert CSTNode.__post_init__ is source._unvalidated
    assert CSTNode.__post_init__ is LIBCSTS_POST_INIT


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
    assert CSTNode.__post_init__ is source._unvalidated  # the other parse still runs
    release.set()
    thread.join(10)
    assert CSTNode.__post_init__ is LIBCSTS_POST_INIT


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
