"""`# noqa` parsing and matching: flake8's syntax and its line mapping, plus file-wide exemptions."""

from __future__ import annotations

import io
import tokenize

import pytest

from flasklint.diagnostics import Diagnostic, Location
from flasklint.noqa import (
    FILE_KEY,
    add_noqa_edit_text,
    is_suppressed,
    multi_row_lines,
    noqa_codes,
    noqa_map,
    place_noqa_rows,
)


def at(row: int, code: str = "FLK104") -> Diagnostic:
    return Diagnostic(code, "message", "app.py", Location(row, 0), Location(row, 1))


@pytest.mark.parametrize(
    ("line", "codes"),
    [
        ("x = 1", None),
        ("x = 1  # noqa", set()),
        ("x = 1  # NOQA", set()),
        ("x = 1  #noqa", set()),  # ruff's spelling too
        ("x = 1  # noqa: FLK104", {"FLK104"}),
        ("x = 1  # noqa:FLK104,FLK301", {"FLK104", "FLK301"}),
        ("x = 1  # noqa: FLK104 FLK301", {"FLK104", "FLK301"}),
        ("x = 1  # NoQA: flk104", {"FLK104"}),
        ("x = 1  # noqa: FLK1  -- only the secret key rules", {"FLK1"}),
        ("x = 1  # noqa: because reasons", set()),  # not a code list: a bare noqa, as in flake8
        ("<a href='/x'>{# noqa: FLK203 #}", {"FLK203"}),
        ("{#- noqa -#}", set()),
    ],
)
def test_noqa_codes(line: str, codes: set[str] | None) -> None:
    assert noqa_codes(line) == codes


def test_codes_match_as_prefixes() -> None:
    suppressions = noqa_map("a = 1  # noqa: FLK1\nb = 2  # noqa: FLK301\nc = 3  # noqa\n", python=True)
    assert is_suppressed(at(1, "FLK104"), suppressions)
    assert not is_suppressed(at(1, "FLK301"), suppressions)
    assert is_suppressed(at(2, "FLK301"), suppressions) and not is_suppressed(at(2, "FLK104"), suppressions)
    assert is_suppressed(at(3, "FLK999"), suppressions)
    assert not is_suppressed(at(4), suppressions)


def test_no_noqa_means_an_empty_map() -> None:
    assert noqa_map("x = 1\n" * 100, python=True) == {}


def test_multi_line_string_and_continuation_share_their_closing_comment_like_flake8() -> None:
    # flake8 (FileProcessor._noqa_line_mapping): the rows of a multi-line string or backslash
    # continuation share one comment; rows inside brackets do not (verified against flake8 7).
    source = 'x = [\n    1,\n]  # noqa\nhtml = """\n<a href="/login">\n"""  # noqa: FLK203\ny = 1 + \\\n    2  # noqa: FLK1\n'
    suppressions = noqa_map(source, python=True)
    assert not is_suppressed(at(2), suppressions)
    assert is_suppressed(at(3), suppressions)
    assert all(is_suppressed(at(row, "FLK203"), suppressions) for row in (4, 5, 6))
    assert not is_suppressed(at(5, "FLK101"), suppressions)
    assert is_suppressed(at(7, "FLK104"), suppressions) and is_suppressed(at(8, "FLK104"), suppressions)


def test_rows_count_like_python_not_like_str_splitlines() -> None:
    # A form feed is not a line break for Python (str.splitlines would shift every later row).
    suppressions = noqa_map("\x0cx = 1\ny = 2  # noqa\n", python=True)
    assert list(suppressions) == ["2"]
    crlf = noqa_map("x = 1\r\ny = 2  # noqa\r\n", python=True)
    assert list(crlf) == ["2"]


def test_untokenizable_python_keeps_one_row_per_comment() -> None:
    suppressions = noqa_map('x = """never closed  # noqa\ny = 1\n', python=True)
    assert suppressions == {"1": []}


def test_templates_map_rows_one_to_one() -> None:
    suppressions = noqa_map('<p>\n<a href="/x">{# noqa: FLK203 #}\n"""\n', python=False)
    assert suppressions == {"2": ["FLK203"]}


@pytest.mark.parametrize(
    ("source", "exempt"),
    [
        ("# flasklint: noqa\nx = 1\n", []),
        ("x = 1\n# flake8: noqa\n", []),
        ("# flasklint: noqa: FLK104, FLK301\n", ["FLK104", "FLK301"]),
        ("{# flasklint: noqa: FLK203 #}\n<p>\n", ["FLK203"]),
        ("# flake8: noqa: E501\n", None),  # flake8 ignores a file-level noqa that lists codes
        ("x = 1  # flasklint: noqa\n", None),  # must be a line of its own, as in flake8
    ],
)
def test_file_exemptions(source: str, exempt: list[str] | None) -> None:
    suppressions = noqa_map(source, python=not source.startswith("{#"))
    assert suppressions.get(FILE_KEY) == exempt
    if exempt is not None:
        assert is_suppressed(at(40, exempt[0] if exempt else "FLK999"), suppressions)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('app.secret_key = "x"\n', 'app.secret_key = "x"  # noqa: FLK104\n'),
        ('app.secret_key = "x"\r\n', 'app.secret_key = "x"  # noqa: FLK104\r\n'),
        ('app.secret_key = "x"  # noqa: FLK301\n', 'app.secret_key = "x"  # noqa: FLK301, FLK104\n'),
        ('app.secret_key = "x"  # noqa: FLK301 -- why\n', 'app.secret_key = "x"  # noqa: FLK301, FLK104 -- why\n'),
        ('app.secret_key = "x"  # noqa\n', 'app.secret_key = "x"  # noqa\n'),
        ('app.secret_key = "x"  # noqa: FLK104\n', 'app.secret_key = "x"  # noqa: FLK104\n'),
    ],
)
def test_add_noqa_edit_text(line: str, expected: str) -> None:
    assert add_noqa_edit_text(line, "FLK104") == expected


MULTI_ROW = '''x = 1
html = f"""<h1>
{x}
</h1>"""
total = 1 + \\
    2
pair = (1,
        2)
'''


def test_multi_row_lines_are_strings_and_continuations_not_brackets() -> None:
    assert multi_row_lines(MULTI_ROW) == {"2": 4, "5": 6}
    assert multi_row_lines("x = (1,\n     2)\ny = 'a'\n") == {}  # nothing to tokenize for
    assert multi_row_lines('x = """never closed\ny = 1\n') == {}  # does not tokenize: flake8 maps none


def test_the_noqa_row_is_the_last_row_of_the_string_a_diagnostic_starts_in() -> None:
    spans = multi_row_lines(MULTI_ROW)
    placed = place_noqa_rows([at(1), at(2), at(3), at(4), at(5), at(7), at(8)], spans)
    assert [d.noqa_row for d in placed] == [1, 4, 4, 4, 6, 7, 8]
    assert [d.start.row for d in placed] == [1, 2, 3, 4, 5, 7, 8]
    assert at(3).noqa_row == 3  # not placed: its own row
    # The comment written on the noqa row suppresses it; one on its start row (inside the string) would be text.
    commented = MULTI_ROW.replace('</h1>"""', '</h1>"""  # noqa: FLK101')
    [inside] = place_noqa_rows([at(3, "FLK101")], multi_row_lines(commented))
    assert is_suppressed(inside, noqa_map(commented, python=True))


def tokenize_spans(text: str) -> dict[str, int]:
    """flake8's own mapping (FileProcessor._noqa_line_mapping), by tokenize: the reference."""
    spans: dict[str, int] = {}
    first, last = len(text) + 2, -1
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in (tokenize.ENDMARKER, tokenize.DEDENT):
                continue
            first, last = min(first, token.start[0]), max(last, token.end[0])
            if token.type in (tokenize.NL, tokenize.NEWLINE):
                if last > first:
                    spans[str(first)] = last
                first, last = len(text) + 2, -1
    except (tokenize.TokenError, SyntaxError):
        return {}
    return spans


@pytest.mark.parametrize(
    "source",
    [
        MULTI_ROW,
        'x = "a \\" # not a comment"  # """ a comment\ny = """\n\n"""\n',
        "x = '''it's \\''' still'''\ny = r'\\\\'\nz = 1 + \\\n  2 + \\\n  3\n",
        'a = """1\n2""" + """3\n4"""\nb = f"{x!r}"\n',
        "s = 'one \\\n two'\nt = rb'''x\ny'''\n",
        'def f():\n    """Doc.\n\n    More.\n    """\n    return 1\n',
        'x = """\r\nwindows\r\n"""\r\ny = 1\r\n',
        "# a comment with ''' in it\nx = (1,\n     '''a\nb''')\n",
        # prefixes, upper-case ones included, and a quote a raw string's backslash keeps
        'x = Rb"""a\nb"""; y = F\'{a}\'\nz = BR\'\'\'c\nd\'\'\'\n',
        "p = r'\\'' + \"x\"  # '''\nq = fr\"\"\"\n{y}\"\"\"\nw = u'''\\\n'''\n",
    ],
)
def test_multi_row_lines_agree_with_tokenize(source: str) -> None:
    assert multi_row_lines(source) == tokenize_spans(source)
