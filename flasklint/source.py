"""Turn bytes on disk into text and a libcst tree; every failure becomes a value, never an exception.

Decoding follows PEP 263 (a coding cookie or a BOM) exactly as Python itself does, so a file Python
can run is never reported as undecodable. CPython decides what is a syntax error, for the same
reason: libcst accepts some code Python rejects (`b'\u00e9'`, `(*a) = 1`) and rejects some it
accepts. One such disagreement has a remedy: a form feed in a line's indentation, which resets
CPython's column count and which libcst drops or miscounts. `parse_python` hands libcst the text
with such form feeds (and what precedes them) taken out, and says which columns it took out, so
positions can be mapped back to the file.
"""

from __future__ import annotations

import ast
import io
import operator
import re
import symtable
import sys
import threading
import tokenize
import warnings
from dataclasses import field
from itertools import accumulate, repeat
from typing import TYPE_CHECKING, Any, Callable, TypeVar

import libcst as cst

from flasklint import node_init, shortcuts
from flasklint.module_parts import parse_in_parts
from flasklint.records import dataclass
from flasklint.scoped_patch import Replacement, ScopedPatch

if TYPE_CHECKING:
    from libcst._nodes.base import CSTNode

T = TypeVar("T")

# libcst's native parser recurses once per nesting level and per chained operator: thousands of
# nested brackets crash the whole process (a stack overflow, measured at ~2,000 levels), and
# `a and b and ...` chains CPython accepts crash it too. A file that looks deep (cheap
# over-approximation below) is therefore first parsed by CPython, which rejects anything deeper
# than it supports with a proper SyntaxError, and then by libcst in a thread with a large stack.
# libcst's Python-level visitors recurse too: `run_deep` also lifts the recursion limit there.
DEEP_BRACKETS = 100  # CPython itself allows 200
LONG_LINE = 10_000
LONG_SPAN = 2_000  # lines inside one bracket group, or backslash-continued in a row
LARGE_STACK = 512 * 1024 * 1024
DEEP_RECURSION_LIMIT = 100_000
_deep_lock = threading.Lock()  # the recursion limit is process-wide: one deep run at a time
_deep_thread = threading.local()  # set inside a deep run, where a nested run_deep runs inline
_STRUCTURE = re.compile(r"[()\[\]{}]|\\?\r?\n")
_NOT_BRACKET = re.compile(r"[^()\[\]{}]+")
_BRACKET_STEPS = str.maketrans("([{)]}", "\x02\x02\x02\x00\x00\x00")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")  # Python's own line ends (not str.splitlines')
_LEADING_BLANKS = re.compile(r"[ \t\f]*")


@dataclass(frozen=True)
class SourceError:
    """Why a file could not be analysed, with the 1-based line and 0-based column to report it at."""

    message: str
    line: int = 1
    column: int = 0
    # CPython accepts the text: only flasklint's parser cannot read it (not a syntax error).
    valid_python: bool = False


@dataclass(frozen=True)
class ParsedModule:
    """A libcst tree and the text it was parsed from: the file's text, or the file's text without
    form feeds in its indentation, `shifts` giving the columns taken out at the start of each line."""

    tree: cst.Module
    text: str
    shifts: dict[int, int] = field(default_factory=dict)


def decode_source(data: bytes) -> str | SourceError:
    """Decode Python source bytes the way the interpreter does (PEP 263, UTF-8 by default)."""
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        return SourceError("source contains a NUL byte and cannot be parsed", line)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        return SourceError(f"invalid encoding declaration: {exc.msg}")
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        position = getattr(exc, "start", 0)
        line = data.count(b"\n", 0, position) + 1
        return SourceError(f"cannot decode the file as {encoding}: {exc}", line)
    return text.removeprefix("\ufeff")


def parse_source(text: str) -> cst.Module | SourceError:
    """The libcst tree of a text CPython accepts; a syntax error (or a parser limit) as a SourceError."""
    parsed = parse_python(text)
    return parsed.tree if isinstance(parsed, ParsedModule) else parsed


def parse_python(text: str) -> ParsedModule | SourceError:
    """CPython's verdict first (it is the arbiter of syntax errors, and its C parser is ~10x faster
    than libcst's), then libcst's tree for analysis."""
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return SourceError("source contains a NUL byte and cannot be parsed", line)
    error = cpython_syntax_error(text)
    if error is not None:
        return error
    parsed_text, shifts = text, {}
    if "\f" in text:
        module = _cpython_parse(text)
        if isinstance(module, SourceError):
            return module
        parsed_text, shifts = _without_form_feed_indentation(text, module)
        del module  # the AST of a large file is large: free it before libcst builds its tree
    if looks_deep(parsed_text):
        tree = run_deep(lambda: _parse(parsed_text))
        if tree is None:
            return SourceError("libcst: it nests too deeply", valid_python=True)
    else:
        tree = _parse(parsed_text)
    if isinstance(tree, SourceError):
        return tree
    return ParsedModule(tree, parsed_text, shifts)


def physical_lines(text: str) -> list[str]:
    """The lines with their endings, split where Python, Jinja's lexer and LSP end a line (`\\r\\n`,
    `\\r`, `\\n`): `str.splitlines` also splits at form feeds and other separators that may sit inside
    a line. The one line splitter of the engine, the noqa scan, the output formats and the server."""
    return _LINE.findall(text)


def _without_form_feed_indentation(text: str, module: ast.Module) -> tuple[str, dict[int, int]]:
    """The text with every line's leading blanks up to their last form feed taken out (CPython
    counts the indentation from there: `\\f    x` is indented by 4), and the 1-based lines whose
    columns moved, with how far. Lines that start inside a string literal keep their text."""
    in_strings = _lines_inside_strings(module)
    lines = physical_lines(text)
    shifts: dict[int, int] = {}
    for number, line in enumerate(lines, start=1):
        blanks = _LEADING_BLANKS.match(line).group()  # type: ignore[union-attr]
        if "\f" in blanks and number not in in_strings:
            shifts[number] = blanks.rindex("\f") + 1
            lines[number - 1] = line[shifts[number] :]
    return "".join(lines), shifts


def _lines_inside_strings(module: ast.Module) -> set[int]:
    """Lines that begin inside a (multi-line) string literal: their leading blanks are its content."""
    inside: set[int] = set()
    for node in ast.walk(module):
        if isinstance(node, (ast.Constant, ast.JoinedStr)) and (node.end_lineno or node.lineno) > node.lineno:
            if isinstance(node, ast.JoinedStr) or isinstance(node.value, (str, bytes)):
                inside.update(range(node.lineno + 1, (node.end_lineno or node.lineno) + 1))
    return inside


def restore_columns(value: Any, shifts: dict[int, int]) -> Any:
    """Every position in `value` (FileFacts.to_dict() data: spans, diagnostics' start and end,
    edits' locations) moved from the parsed text's columns back to the file's."""
    if isinstance(value, dict):
        restored = {}
        for key, item in value.items():
            if key.endswith("span") and isinstance(item, (list, tuple)) and len(item) == 4:
                line, column, end_line, end_column = item
                item = (line, column + shifts.get(line, 0), end_line, end_column + shifts.get(end_line, 0))
            elif key in ("start", "end") and isinstance(item, list) and len(item) == 2:
                item = [item[0], item[1] + shifts.get(item[0], 0)]
            elif key in ("location", "end_location") and isinstance(item, dict) and "row" in item:
                item = {**item, "column": item["column"] + shifts.get(item["row"], 0)}
            else:
                item = restore_columns(item, shifts)
            restored[key] = item
        return restored
    if isinstance(value, list):
        return [restore_columns(item, shifts) for item in value]
    return value


def cpython_syntax_error(text: str) -> SourceError | None:
    """CPython's verdict; None when the text compiles as far as its symbol table.

    `symtable` runs CPython's own parser and then its symbol-table pass, without building Python
    AST objects: a third cheaper than `ast.parse`, and closer to the interpreter, which rejects
    what that pass rejects (`def f(a, a)`, `nonlocal x` at module level, `import *` in a function).
    Errors only the bytecode compiler raises (`return` outside a function) are not seen."""
    try:
        with warnings.catch_warnings():  # SyntaxWarnings about the user's code are not ours to print
            warnings.simplefilter("ignore")
            symtable.symtable(text, "<unknown>", "exec")
    except SyntaxError as exc:
        return _syntax_error(exc)
    except (ValueError, RecursionError, MemoryError) as exc:
        return _parser_failure(exc)
    return None


def _cpython_parse(text: str) -> ast.Module | SourceError:
    """CPython's tree, for the rare text that needs it (form feeds in its indentation)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text)
    except SyntaxError as exc:
        return _syntax_error(exc)
    except (ValueError, RecursionError, MemoryError) as exc:
        return _parser_failure(exc)


def _syntax_error(exc: SyntaxError) -> SourceError:
    return SourceError(f"syntax error: {exc.msg}", exc.lineno or 1, max((exc.offset or 1) - 1, 0))


def _parser_failure(exc: Exception) -> SourceError:
    return SourceError(f"cannot parse the file: {type(exc).__name__}: {exc}".rstrip(": "))


def looks_deep(text: str) -> bool:
    """Could this text make a recursive parser recurse thousands of times? (Brackets inside strings
    count too: a false alarm only costs a CPython parse.)"""
    if len(text) > LONG_LINE and max(map(len, text.split("\n"))) > LONG_LINE:
        return True
    if text.count("\n") + text.count("\r") <= LONG_SPAN:  # no group or run of continuations that long
        return _deepest_bracket(text) > DEEP_BRACKETS
    depth = lines_in_group = continued = 0
    for match in _STRUCTURE.finditer(text):
        token = match.group()
        if token in "([{":
            depth += 1
            if depth > DEEP_BRACKETS:
                return True
        elif token in ")]}":
            depth = max(depth - 1, 0)
            lines_in_group = 0 if depth == 0 else lines_in_group
        elif token.startswith("\\"):
            continued += 1
            if continued > LONG_SPAN:
                return True
        else:
            continued = 0
            lines_in_group += 1 if depth else 0
            if lines_in_group > LONG_SPAN:
                return True
    return False


def _deepest_bracket(text: str) -> int:
    """The deepest bracket nesting, a closing bracket with none open ignored (the loop of `looks_deep`,
    in C: the depth after each bracket is the running sum of +1/-1 less its lowest value so far)."""
    steps = _NOT_BRACKET.sub("", text).translate(_BRACKET_STEPS).encode("latin-1")  # 2: opens, 0: closes
    sums = list(accumulate(map(operator.sub, steps, repeat(1)), initial=0))
    return max(map(operator.sub, sums, accumulate(sums, min)))


def run_deep(function: Callable[[], T]) -> T | None:
    """`function()` in a thread with a large stack and a high recursion limit, for deeply nested
    code; None if it is still too deep. Other exceptions propagate to the caller."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def target() -> None:
        _deep_thread.active = True
        try:
            outcome.append(function())
        except RecursionError:
            pass
        except BaseException as exc:  # noqa: BLE001 - handed to the calling thread
            failure.append(exc)

    if getattr(_deep_thread, "active", False):
        target()
    else:
        _run_in_deep_thread(target)
    if failure:
        raise failure[0]
    return outcome[0] if outcome else None


def _run_in_deep_thread(target: Callable[[], None]) -> None:
    with _deep_lock:
        limit = sys.getrecursionlimit()
        try:
            previous_stack = threading.stack_size(LARGE_STACK)
        except (ValueError, RuntimeError):  # the platform does not let us choose the stack size
            return
        sys.setrecursionlimit(max(limit, DEEP_RECURSION_LIMIT))
        try:
            thread = threading.Thread(target=target, name="flasklint-deep")
            thread.start()
            threading.stack_size(previous_stack)
            thread.join()
        finally:
            threading.stack_size(previous_stack)
            sys.setrecursionlimit(limit)


def parse_module(text: str) -> cst.Module:
    """`libcst.parse_module(text)` for a str: what its entry point does for one (the native parser,
    encoding "utf-8"), without importing the entry point's module, which loads libcst's pure-Python
    tokenizer and configuration detection for bytes input (3 % of a small project's cold check;
    tests/test_parse_validation.py pins the entry point's code)."""
    from libcst import native

    return native.parse_module(text, encoding="utf-8")


def _parse(text: str) -> cst.Module | SourceError:
    """libcst's tree of a text CPython accepts: a failure here is a limit of libcst's, not an error.
    A large module is parsed in pieces (module_parts.py): the same tree, a fraction of the peak memory."""
    node_init.count_parsed(len(text))
    try:
        with _VALIDATION.applied():
            joined = parse_in_parts(text, parse_module) if shortcuts.enabled() else None
            return joined or parse_module(text)
    except cst.ParserSyntaxError as exc:
        message = str(exc.message).strip().splitlines()[0] if exc.message else "invalid syntax"
        return SourceError(f"libcst: {message}", exc.raw_line, max(exc.raw_column, 0), valid_python=True)
    except Exception as exc:  # noqa: BLE001 - the parser's own limits (recursion, memory) must not crash a run
        return SourceError(f"libcst: {type(exc).__name__}: {exc}", valid_python=True)


# -- libcst's node validation, not run on the parser's trees --------------------------------------
# Every node libcst builds runs `_validate()` from its dataclass `__post_init__` (~10 % of a parse).
# The validators guard trees built by hand (a fix's nodes: libcst's validation stays on for them):
# they check that the code a tree generates reads back as that tree (the whitespace a keyword needs,
# balanced parentheses, identifiers). A parse here reads code CPython has accepted (`parse_python`
# asks it first), and the tree libcst's parser builds holds the very tokens it read: there a
# validator has nothing to catch, and when it rejects such a tree it is wrong (`() if 0
# else(lambda:())` raises TypeError in one, libcst issue #1061; such a file used to be "not
# analysed", FLK002). So a parse runs with CSTNode's `__post_init__` doing nothing. This defines
# what is analysed, so it holds with shortcuts off too (the findings must not depend on them).
# tests/test_parse_validation.py compares the trees with libcst's own, validated, parse.


def _unvalidated(node: CSTNode) -> None:
    """`CSTNode.__post_init__` while parsing: the node is not validated (see above)."""


def _validation_replacements() -> list[Replacement]:
    from libcst._nodes.base import CSTNode

    return [(CSTNode, "__post_init__", _unvalidated)]


# Installed for each parse: process-wide, so a node another thread builds meanwhile (a fix in the
# language server) is not validated either; a fix's text is parsed and checked by CPython before it
# is kept (fix.py). libcst's own method is back when the last concurrent parse ends.
_VALIDATION = ScopedPatch(_validation_replacements, shortcut=False)
