"""Fixes as text edits: applying non-overlapping edits, and fixing a file until it is stable.

Shared by `--fix` and the language server ("fix all"): both call `fix_file` on the in-memory
project, which re-lints after every pass and refuses any fix that would leave the file unparsable.
Writing the result back is the caller's job (atomic_write.write_atomically for the CLI).
"""

from __future__ import annotations

import io
import re
import tokenize
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from flasklint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location
from flasklint.model.templates import build_template_model
from flasklint.source import SourceError, cpython_syntax_error, parse_source

if TYPE_CHECKING:
    from flasklint.engine import Project

MAX_FIX_PASSES = 10
NEWLINE = re.compile(r"\r\n|\r|\n")


def _offsets(text: str) -> list[int]:
    """Code-point offset of the start of each 1-based row (index 0 unused).

    Rows end at `\r\n`, `\r` or `\n`, as the engine's positions (and Jinja's line numbers) count them.
    """
    return [0, 0, *(match.end() for match in NEWLINE.finditer(text))]


def dominant_newline(text: str) -> str:
    """The line ending most lines of `text` use (`\n` when there is a tie or no line break)."""
    crlf = text.count("\r\n")
    counts = {"\n": text.count("\n") - crlf, "\r\n": crlf, "\r": text.count("\r") - crlf}
    return max(counts, key=counts.__getitem__)


def _offset(offsets: list[int], location: Location, length: int) -> int:
    if location.row >= len(offsets):
        return length
    return min(offsets[location.row] + location.column, length)


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply edits (end-exclusive ranges); edits must not overlap one another.

    Line breaks in the inserted content take the text's own line ending, so no rule has to care:
    a fix never leaves a bare `\n` line in a CRLF (or CR) file.
    """
    offsets = _offsets(text)
    newline = dominant_newline(text)
    resolved = sorted(
        (
            (_offset(offsets, e.start, len(text)), _offset(offsets, e.end, len(text)), NEWLINE.sub(newline, e.content))
            for e in edits
        ),
        reverse=True,
    )
    for start, end, content in resolved:
        text = text[:start] + content + text[end:]
    return text


def select_fixes(fixes: Iterable[Fix]) -> list[Fix]:
    """The fixes that can be applied together: earlier ones first, skipping any that overlaps them.

    Edits that insert at one point (imports) may coincide across fixes: identical edits are merged
    so two fixes adding the same import add it once.
    """
    chosen: list[Fix] = []
    taken: list[tuple[Location, Location]] = []
    seen: set[Edit] = set()
    for fix in sorted(fixes, key=lambda f: min((e.start for e in f.edits), default=Location(0, 0))):
        new_edits = [e for e in fix.edits if e not in seen]
        if any(_overlaps(e, taken) for e in new_edits):
            continue
        for edit in new_edits:
            seen.add(edit)
            taken.append((edit.start, edit.end))
        chosen.append(fix)
    return chosen


def apply_fixes(text: str, fixes: Iterable[Fix]) -> tuple[str, int]:
    """Apply as many fixes as fit without overlapping; returns (text, number applied)."""
    chosen = select_fixes(fixes)
    edits = dict.fromkeys(edit for fix in chosen for edit in fix.edits)  # merged, in order
    return apply_edits(text, edits), len(chosen)


def _overlaps(edit: Edit, taken: list[tuple[Location, Location]]) -> bool:
    for start, end in taken:
        if edit.start < end and start < edit.end:
            return True
        if edit.start == edit.end == start == end:
            return True
    return False


# -- fixing a whole file -------------------------------------------------------------------
@dataclass
class FixResult:
    """What `fix_file` did to one file's text."""

    original: str
    text: str
    applied: Counter[str] = field(default_factory=Counter)  # code -> fixes applied
    rejected: list[Diagnostic] = field(default_factory=list)  # fixes that would break the file

    @property
    def changed(self) -> bool:
        return self.text != self.original


def fix_file(project: "Project", relative: str, text: str, unsafe: bool = False) -> FixResult:
    """Apply the file's fixes, re-linting after each pass, until none is left (or MAX_FIX_PASSES).

    `text` is the file's current content, the one the project's facts were computed from. Every
    pass is checked to still parse (libcst and CPython for Python, Jinja for templates); a pass that
    breaks the file is retried fix by fix and the culprits are left out and reported. On return the
    project holds the fixed text.
    """
    kind = project.files[relative].kind if relative in project.files else "python"
    result = FixResult(original=text, text=text)
    facts = project.facts.get(relative)
    if facts is None or (facts.parse_error and not _parses(text, kind)):
        return result  # never "fix" a file that does not parse: positions cannot be trusted
    rejected: set[tuple[str, str]] = set()
    for _ in range(MAX_FIX_PASSES):
        candidates = [
            d
            for d in project.diagnostics(relative)
            if d.fix is not None
            and (unsafe or d.fix.applicability is Applicability.SAFE)
            and (d.code, d.message) not in rejected
        ]
        if not candidates:
            break
        by_fix = {id(d.fix): d for d in candidates}
        chosen = select_fixes(d.fix for d in candidates if d.fix is not None)
        new_text, _ = apply_fixes(result.text, chosen)
        if new_text == result.text:
            break
        project.set_source(relative, new_text)  # re-lints it, which parses it once more
        if not _still_parses(project, relative, new_text, kind):
            project.set_source(relative, result.text)
            for fix in chosen:
                alone, _ = apply_fixes(result.text, [fix])
                if not _parses(alone, kind):
                    diagnostic = by_fix[id(fix)]
                    rejected.add((diagnostic.code, diagnostic.message))
                    result.rejected.append(diagnostic)
            continue
        result.text = new_text
        result.applied.update(by_fix[id(fix)].code for fix in chosen)
    return result


def _still_parses(project: "Project", relative: str, text: str, kind: str) -> bool:
    """After `set_source(text)`: the analysis parsed it; CPython must accept it too."""
    facts = project.facts.get(relative)
    if kind != "python" or facts is None:
        return _parses(text, kind)
    return not facts.parse_error and cpython_syntax_error(text) is None


def _parses(text: str, kind: str) -> bool:
    if kind == "python":
        return not isinstance(parse_source(text), SourceError) and cpython_syntax_error(text) is None
    if kind == "template":
        try:
            error = build_template_model("fix-check", text).error
        except RecursionError:
            return False
        return error is None or error.unknown_tag
    return True


# -- reading and writing files ---------------------------------------------------------------
def source_encoding(data: bytes, kind: str) -> str:
    """The encoding to write a file back in: its PEP 263 cookie or BOM for Python, else UTF-8."""
    if kind != "python":
        return "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        return "utf-8"
    return "utf-8" if encoding == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf") else encoding


def decode_for_fix(data: bytes, kind: str) -> tuple[str, str] | None:
    """(text, encoding to write it back in), or None when the bytes do not decode exactly."""
    encoding = source_encoding(data, kind)
    try:
        return data.decode(encoding), encoding
    except (UnicodeDecodeError, LookupError):
        return None
