"""A large module parsed in pieces gives the very tree a whole parse gives (flasklint/module_parts.py).

Each test compares against libcst's own whole-module parse with `deep_equals` (every node, every
whitespace and comment, the module's defaults) and the generated code. The corpus tests split as
finely as the splitter allows (PARTS_FROM and PIECE at 0), where every join is exercised;
benchmarks/realworld/module_parts_check.py does the same on the real-repository checkouts.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from flasklint import module_parts, shortcuts, source
from flasklint.rule import Case
from flasklint.rules import ALL_RULES
from rule_testing import lint, write_project

ROOT = Path(__file__).resolve().parent.parent
CASES = [(rule.code, kind, i, Case.of(case)) for rule in ALL_RULES for kind in ("invalid", "valid") for i, case in enumerate(getattr(rule, kind))]


@pytest.fixture
def finest(monkeypatch: pytest.MonkeyPatch) -> None:
    """Split at every point the splitter finds, whatever the module's size."""
    monkeypatch.setattr(module_parts, "PARTS_FROM", 0)
    monkeypatch.setattr(module_parts, "PIECE", 0)


def _pieces(text: str) -> tuple[cst.Module | None, list[str]]:
    parsed: list[str] = []

    def parse(piece: str) -> cst.Module:
        parsed.append(piece)
        return cst.parse_module(piece)

    return module_parts.parse_in_parts(text, parse), parsed


def _assert_same_tree(text: str) -> list[str]:
    """The joined tree equals the whole parse; the first line of each piece it was parsed from."""
    joined, pieces = _pieces(text)
    assert joined is not None, pieces
    whole = cst.parse_module(text)
    assert joined.code == text
    assert joined.deep_equals(whole)
    return [piece.removeprefix("class _:").lstrip(" \r\n").splitlines()[0] for piece in pieces]


def test_top_level_statements_with_comments_and_blank_lines_between(finest: None) -> None:
    text = (
        "# header\n\nimport os\n\n\ndef a():\n    return 1\n    # a's footer\n\n# about b\n\n"
        "@decorator\n# between decorator and def\ndef b():\n    pass\n\n\nclass C:\n    x = 1\n# trailing\n"
    )
    # the comments before `def a` and `@decorator` stay with the piece before; `def b` with its decorator
    assert _assert_same_tree(text) == ["# header", "def a():", "@decorator", "class C:"]


def test_a_class_body_is_continued_by_the_next_piece(finest: None) -> None:
    text = (
        "class Tests(Base):  # note\n    '''Doc.'''\n\n    def test_a(self):\n        x = 1\n\n"
        "    \n  \n    def test_b(self):\n        pass\n\n    @property\n    def c(self):\n        return 2\n"
        "\n    async def d(self):\n        await e()\n\n\nafter = Tests\n"
    )
    assert _assert_same_tree(text) == ["class Tests(Base):  # note", "def test_a(self):", "def test_b(self):", "@property", "async def d(self):"]


@pytest.mark.parametrize(
    "between",
    [
        "    # a comment between the methods\n",  # a comment: no split before the next method
        "        \n",  # a blank line indented deeper than the class body: the method's own footer
        "# a comment at column 0 inside the class\n",
    ],
)
def test_no_class_split_where_the_lines_between_belong_to_the_previous_block(finest: None, between: str) -> None:
    text = f"class A:\n    def f(self):\n        pass\n{between}    def g(self):\n        pass\n"
    assert _assert_same_tree(text) == ["class A:"]


def test_a_split_point_inside_a_string_costs_a_retry_not_a_wrong_tree(finest: None) -> None:
    text = 'SQL = """\ndef not_code():\nclass Nope:\n"""\n\n\ndef real():\n    return SQL\n'
    joined, pieces = _pieces(text)
    assert joined is not None and joined.deep_equals(cst.parse_module(text))
    assert pieces[0] == 'SQL = """\n' and pieces[-1] == "def real():\n    return SQL\n"


def test_statements_that_cannot_stand_alone_are_merged(finest: None) -> None:
    text = "if x:\n    def a():\n        pass\nelse:\n    def b():\n        pass\ndef c():\n    pass\n"
    assert _assert_same_tree(text) == ["if x:", "def c():"]


def test_a_class_that_ends_inside_a_piece(finest: None) -> None:
    text = "class A:\n    x = 1\n\n    def f(self):\n        pass\nY = 2\nZ = A\n"
    assert _assert_same_tree(text) == ["class A:", "def f(self):"]  # the second piece goes on past the class


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_other_newlines(finest: None, newline: str) -> None:
    text = "import os\n\ndef a():\n    pass\n\nclass B:\n    def c(self):\n        pass\n\n    def d(self):\n        pass".replace("\n", newline)
    assert len(_assert_same_tree(text)) == (4 if newline == "\r\n" else 1)  # a lone `\r` ends no line the splitter sees


def test_pieces_that_disagree_on_the_defaults_are_parsed_whole(finest: None) -> None:
    tabs = "X = 1\n\n\ndef a():\n\tpass\n"  # the first piece has no indented block: it defaults to four spaces
    mixed = "def a():\r\n    pass\r\n\ndef b():\n    pass\n"  # the first newlines differ
    for text in (tabs, mixed):
        joined, pieces = _pieces(text)
        assert joined is None and len(pieces) == 2


def test_a_piece_that_ends_the_module_inside_a_string_parses_whole(finest: None) -> None:
    joined, _ = _pieces('X = """\ndef a():\n')
    assert joined is None  # the caller's whole parse reports libcst's error


def test_small_modules_are_parsed_whole() -> None:
    text = "def a():\n    pass\n" * 10
    assert _pieces(text) == (None, [])


def test_a_large_module_is_parsed_in_pieces_no_larger_than_needed() -> None:
    method = "    def test_{0}(self):\n        response = self.client.get('/item/{0}')\n        assert response.status_code == 200\n\n"
    text = "import unittest\n\n\nclass Tests(unittest.TestCase):\n" + "".join(method.format(n) for n in range(1000))
    joined, pieces = _pieces(text)
    assert joined is not None and joined.deep_equals(cst.parse_module(text))
    assert len(text) > 5 * module_parts.PARTS_FROM
    assert len(pieces) > len(text) // (module_parts.PIECE + 200)
    assert max(len(piece) for piece in pieces) < module_parts.PIECE + 200


def test_the_engine_parses_in_pieces_unless_the_shortcuts_are_off(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = module_parts.parse_in_parts
    monkeypatch.setattr(source, "parse_in_parts", lambda text, parse: calls.append(text) or original(text, parse))
    text = "".join(f"def f{n}():\n    return {n}\n\n\n" for n in range(1500))
    monkeypatch.delenv(shortcuts.DISABLE_VARIABLE, raising=False)
    assert isinstance(source.parse_python(text), source.ParsedModule) and calls == [text]
    monkeypatch.setenv(shortcuts.DISABLE_VARIABLE, "1")
    assert isinstance(source.parse_python(text), source.ParsedModule) and calls == [text]


def _corpus() -> list[tuple[str, str]]:
    """(name, text): flasklint's own sources, the examples, the tests, and every rule case's Python
    files (not what benchmarks/ generates: its tools' virtualenv, its generated projects)."""
    folders = ("flasklint", "lsp", "benchmarks", "examples", "tests")
    paths = [path for folder in folders for path in sorted(ROOT.joinpath(folder).rglob("*.py")) if "generated" not in path.parts]
    files = [(str(path), path.read_text(encoding="utf-8")) for path in paths]
    for code, kind, number, case in CASES:
        files += [(f"{code} {kind} {number} {name}", text) for name, text in case.files.items() if name.endswith(".py") and isinstance(text, str)]
    return files


def test_every_python_file_of_the_corpus_joins_to_its_whole_parse(finest: None) -> None:
    checked = split = 0
    for name, text in _corpus():
        try:
            whole = cst.parse_module(text)
        except cst.ParserSyntaxError:
            continue  # a syntax-error case
        joined, pieces = _pieces(text)
        if joined is None:
            continue
        assert joined.code == text and joined.deep_equals(whole), name
        checked += 1
        split += len(pieces) > 1
    assert checked > 500 and split > 400, (checked, split)


def test_every_rule_case_has_the_same_findings_parsed_in_pieces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    differing = []
    for code, kind, number, case in CASES:
        root = write_project(tmp_path / f"{code}-{kind}-{number}", case.files)
        monkeypatch.setattr(module_parts, "PARTS_FROM", 10**9)
        whole = [d.to_dict() for d in lint(root)]
        monkeypatch.setattr(module_parts, "PARTS_FROM", 0)
        monkeypatch.setattr(module_parts, "PIECE", 0)
        pieces = [d.to_dict() for d in lint(root)]
        if pieces != whole:
            differing.append((code, kind, number, whole, pieces))
    assert differing == []
