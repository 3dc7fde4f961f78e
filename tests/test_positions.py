"""The lean position pass must give exactly libcst's PositionProvider spans (it replaces it for speed)."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from flasklint.model.positions import node_positions

REPOSITORY = Path(__file__).resolve().parent.parent
SOURCES = sorted((REPOSITORY / "flasklint").rglob("*.py")) + sorted((REPOSITORY / "examples").rglob("*.py"))

TRICKY = {
    "crlf": "from flask import Flask\r\napp = Flask(__name__)\r\n\r\n@app.route('/')\r\ndef index():\r\n    return 'x'\r\n",
    "tabs_and_unicode": "def f():\n\tname = '日本語 🎉'\n\treturn f'<b>{name}</b>'\n",
    "no_trailing_newline": "x = (1,\n     2)",
    "semicolons_and_comments": "a = 1; b = 2  # c\n# trailing\n",
    "decorators_and_classes": "@a\n@b.c(1)\nclass K(Base):\n    '''doc'''\n\n    def m(self): return [i for i in x if i]\n",
}


def _expected(module: cst.Module) -> dict[cst.CSTNode, tuple[int, int, int, int]]:
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    return {node: (r.start.line, r.start.column, r.end.line, r.end.column) for node, r in positions.items()}


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(REPOSITORY)) for p in SOURCES])
def test_positions_match_libcst_on_real_code(path: Path) -> None:
    module = cst.parse_module(path.read_text(encoding="utf-8"))
    assert node_positions(module) == _expected(module)


@pytest.mark.parametrize("source", TRICKY.values(), ids=list(TRICKY))
def test_positions_match_libcst_on_tricky_layout(source: str) -> None:
    module = cst.parse_module(source)
    assert node_positions(module) == _expected(module)


def test_crlf_lines_and_columns_are_exact() -> None:
    module = cst.parse_module(TRICKY["crlf"])
    function = module.body[2]
    assert isinstance(function, cst.FunctionDef)
    positions = node_positions(module)
    assert positions[function.name] == (5, 4, 5, 9)
    assert positions[function.decorators[0]] == (4, 0, 4, 15)
