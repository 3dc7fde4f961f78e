"""CPython decides what is a syntax error; libcst only reads what CPython accepts, form feeds included.

A form feed in a line's indentation resets CPython's column count (`\\f    x` is indented by 4);
libcst drops or miscounts it, which turned valid files into FLK001 and shifted columns.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from test_cli import PYPROJECT, flasklint

from conftest import fix, lint, write_project
from flasklint.engine import analyse_python
from flasklint.source import ParsedModule, SourceError, looks_deep, parse_python, parse_source, restore_columns

# libcst failed on this valid file ("no matching outer block for dedent"): FLK001, FLK104 lost.
FORM_FEED_BLOCK = (
    'from flask import Flask\n\napp = Flask(__name__)\n\nif True:\n\f    for key in ("dev",):\n        app.secret_key = "dev"\n'
)
# libcst parsed this one as if the form feed started the next line of the block too: a column too many.
FORM_FEED_THEN_PLAIN = 'from flask import Flask\n\napp = Flask(__name__)\n\nif True:\n\f    app.debug = False\n    app.secret_key = "dev"\n'
# libcst parsed this one but dropped the form feeds: every column on their lines was one too small.
FORM_FEED_FACTORY = (
    'from flask import Flask\n\n\fdef make():\n    app = Flask(__name__)\n\f    app.secret_key = "dev"\n  \f    return app\n'
)


def findings(source: str) -> list[tuple[str, int, int, int, int]]:
    facts = analyse_python("app.py", "app", False, source.encode())
    return [(d.code, d.start.row, d.start.column, d.end.row, d.end.column) for d in facts.diagnostics]


def test_a_form_feed_starting_an_indented_line_keeps_the_findings() -> None:
    assert ast.parse(FORM_FEED_BLOCK)  # valid Python
    assert findings(FORM_FEED_BLOCK) == [("FLK104", 7, 25, 7, 30)]


def test_the_line_after_a_form_feed_line_keeps_its_columns() -> None:
    assert findings(FORM_FEED_THEN_PLAIN) == [("FLK104", 7, 21, 7, 26)]


def test_columns_after_a_form_feed_are_the_files_own() -> None:
    assert findings(FORM_FEED_FACTORY) == [("FLK104", 5, 22, 5, 27)]
    facts = analyse_python("app.py", "app", False, FORM_FEED_FACTORY.encode())
    assert [(a.ref, a.span) for a in facts.apps] == [("app.make.<locals>.app", (4, 10, 4, 25))]
    assert [s.span for s in facts.secret_keys] == [(5, 22, 5, 27)]


def test_a_form_feed_before_a_top_level_statement() -> None:
    assert findings('from flask import Flask\napp = Flask(__name__)\n\fapp.secret_key = "dev"\n') == [
        ("FLK104", 3, 18, 3, 23)
    ]


def test_form_feeds_inside_a_string_stay_its_content() -> None:
    source = 'from flask import Flask\n\nHELP = """\n\f    indented help\n"""\napp = Flask(__name__)\n\f\fapp.secret_key = "dev"\n'
    parsed = parse_python(source)
    assert isinstance(parsed, ParsedModule)
    assert parsed.text == source.replace("\n\f\fapp", "\napp")  # the string's line is left as it is
    assert parsed.shifts == {7: 2}
    assert findings(source) == [("FLK104", 7, 19, 7, 24)]


def test_the_fix_keeps_the_form_feeds_and_the_file_valid(tmp_path: Path) -> None:
    write_project(tmp_path, {"app.py": FORM_FEED_FACTORY})
    fixed = fix(tmp_path, "FLK104")["app.py"]
    assert fixed == (
        "from flask import Flask\nimport os\n\n\fdef make():\n    app = Flask(__name__)\n"
        '\f    app.secret_key = os.environ["SECRET_KEY"]\n  \f    return app\n'
    )
    assert ast.parse(fixed)
    assert lint(tmp_path, "FLK104") == []


def test_a_form_feed_inside_a_comment_does_not_shift_the_lines_fixes_read(tmp_path: Path) -> None:
    """The model's lines are Python's: `str.splitlines` broke the comment in two, so the app's line
    was read one too early and FLK302's fix found no place after it."""
    source = (
        "from flask import Flask, session\n"
        "# a long comment, before the page break\fand the comment goes on after the break\n"
        'app = Flask(__name__)\n\n\n@app.route("/")\ndef index():\n    session["x"] = 1\n    return "ok"\n'
    )
    write_project(tmp_path, {"app.py": source})
    fixed = fix(tmp_path, "FLK302")["app.py"]
    assert fixed == source.replace("session\n", "session\nimport os\n", 1).replace(
        "app = Flask(__name__)\n", 'app = Flask(__name__)\napp.secret_key = os.environ["SECRET_KEY"]\n'
    )
    assert lint(tmp_path, "FLK302") == []


def test_the_cli_reports_the_form_feed_file_at_its_columns_cold_and_warm(tmp_path: Path) -> None:
    write_project(tmp_path, {"pyproject.toml": PYPROJECT, "app.py": FORM_FEED_BLOCK})
    for _ in range(2):  # the second run reads the cache
        result = flasklint("check", "--output-format", "json", cwd=tmp_path)
        assert result.returncode == 1
        assert [(d["code"], d["location"], d["end_location"]) for d in json.loads(result.stdout)] == [
            ("FLK104", {"row": 7, "column": 26}, {"row": 7, "column": 31})
        ]


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("from flask import Flask\napp = Flask(__name__)\nx = b'caf\u00e9'\n", (3, 4, "syntax error: bytes can only contain ASCII literal characters")),
        ("from flask import Flask\napp = Flask(__name__)\n(*a) = 1\n", (3, 1, "syntax error: cannot use starred expression here")),
        ("from flask import request\nif request:\n    \fy = 2\n", (3, 5, "syntax error: expected an indented block after 'if' statement on line 2")),
    ],
    ids=["non-ASCII bytes", "starred assignment", "a form feed empties a block"],
)
def test_what_cpython_rejects_is_flk001_with_its_message(source: str, error: tuple[int, int, str]) -> None:
    with pytest.raises(SyntaxError):
        ast.parse(source)
    facts = analyse_python("app.py", "app", False, source.encode())
    assert facts.parse_error
    assert [(d.code, d.start.row, d.start.column, d.message) for d in facts.diagnostics] == [("FLK001", *error)]
    assert isinstance(parse_source(source), SourceError)  # libcst 1.9 parses the first two


def test_valid_python_libcst_cannot_read_is_not_a_syntax_error() -> None:
    source = "from flask import Flask\n\ndef foo(x):\n\t with x:\n\t\t pass\n"  # a tab and a space, then two tabs
    assert ast.parse(source)
    facts = analyse_python("app.py", "app", False, source.encode())
    assert not facts.parse_error
    [diagnostic] = facts.diagnostics
    assert diagnostic.code == "FLK002"
    assert diagnostic.message.startswith("file not analysed: flasklint's parser cannot read line ")
    parsed = parse_python(source)
    assert isinstance(parsed, SourceError) and parsed.valid_python


def test_restore_columns_moves_every_kind_of_position() -> None:
    data = {
        "span": (2, 3, 5, 1),
        "routes": [{"view_span": [5, 0, 7, 2]}],
        "diagnostics": [
            {
                "start": [2, 0],
                "end": [7, 4],
                "fix": {"edits": [{"location": {"row": 2, "column": 1}, "end_location": {"row": 3, "column": 0}}]},
            }
        ],
    }
    assert restore_columns(data, {2: 1, 5: 4}) == {
        "span": (2, 4, 5, 5),
        "routes": [{"view_span": (5, 4, 7, 2)}],
        "diagnostics": [
            {
                "start": [2, 1],
                "end": [7, 4],
                "fix": {"edits": [{"location": {"row": 2, "column": 2}, "end_location": {"row": 3, "column": 0}}]},
            }
        ],
    }


@pytest.mark.parametrize(
    ("text", "deep"),
    [
        ("x = " + "(" * 100 + ")" * 100 + "\n", False),
        ("x = " + "(" * 101 + ")" * 101 + "\n", True),
        ("x = " + "[{(" * 33 + "1" + ")}]" * 33 + "\n", False),  # 99 deep, three kinds
        ("s = ')))' \n" + "x = " + "(" * 101 + "\n", True),  # a closer with none open does not lower it
        ("x = (" + "(1)," * 500 + ")\n", False),  # many brackets, shallow
        ("x = (\n" + "    1,\n" * 2001 + ")\n", True),  # a group of more than 2,000 lines
        ("x = 1 + \\\n" * 2001 + "1\n", True),  # as many backslash continuations in a row
        ("x = (\n" + "    1,\n" * 1999 + ")\n" + "y = 1\n" * 500, False),  # long file, short groups
        ("x = " + "(" * 101 + "\n" + "y = 1\n" * 2500, True),  # long file, deep
    ],
)
def test_looks_deep_bounds_nesting_group_length_and_continuations(text: str, deep: bool) -> None:
    assert looks_deep(text) is deep
