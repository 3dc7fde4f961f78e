"""Fixes as text edits: applying non-overlapping edits, and fixing a file until it is stable.

Shared by `--fix` and the language server ("fix all"): both call `fix_file` on the in-memory
project, which re-lints after every pass and refuses any fix that would leave the file unparsable.
Writing the result back is the caller's job (`write_atomically` for the CLI).
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import time
import tokenize
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
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


class FileChangedError(Exception):
    """The file on disk is no longer the content its fixes were computed from."""


def write_atomically(path: Path, text: str, encoding: str = "utf-8", expected: bytes | None = None) -> None:
    """Write via a temporary file in the same directory and os.replace: never a half-written file.

    Line endings are written exactly as `text` has them, the file's permission bits are kept, and
    a symlink is written through (its target is replaced, the link stays a link). With `expected`,
    the file must still hold exactly those bytes right before it is replaced: an edit saved
    meanwhile (an editor, another tool) raises FileChangedError and the file is left as it is.
    """
    path = Path(os.path.realpath(path))
    data = text.encode(encoding)  # fail before touching the disk if the text cannot be encoded
    mode = path.stat().st_mode & 0o7777 if path.exists() else None
    # The pid in the name tells a later run whether the writer is gone (see remove_stale_temporaries).
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.{os.getpid()}-", suffix=TEMPORARY_SUFFIX, dir=path.parent
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        if expected is not None and _current_bytes(path) != expected:
            raise FileChangedError(f"{path} changed on disk while it was being fixed")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _current_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


# -- temporary files of interrupted runs -------------------------------------------------------
TEMPORARY_SUFFIX = ".flasklint-tmp"
STALE_AFTER_SECONDS = 3600  # older than this, a temporary file is abandoned even if its pid is alive (reused)
_WRITER_PID = re.compile(r"\.(\d+)-\w+" + re.escape(TEMPORARY_SUFFIX) + r"\Z")


def is_temporary(name: str) -> bool:
    """A file `write_atomically` creates (`.app.py.<pid>-<random>.flasklint-tmp`)."""
    return name.startswith(".") and name.endswith(TEMPORARY_SUFFIX)


def remove_stale_temporaries(paths: Iterable[Path]) -> int:
    """Delete the temporary files a killed `--fix` left behind; returns how many were deleted.

    Only abandoned ones: their writer's pid is no longer running, or they are over an hour old.
    A live flasklint's file (written in milliseconds, then renamed) is never touched.
    """
    removed = 0
    for path in paths:
        if is_temporary(path.name) and _is_abandoned(path):
            try:
                path.unlink()
            except FileNotFoundError:
                continue  # its writer renamed it, or another run removed it
            removed += 1
    return removed


def _is_abandoned(path: Path) -> bool:
    try:
        age = time.time() - path.lstat().st_mtime
    except OSError:
        return False
    if age > STALE_AFTER_SECONDS:
        return True
    match = _WRITER_PID.search(path.name)
    return match is not None and not _is_running(int(match.group(1)))


def _is_running(pid: int) -> bool:
    """Whether `pid` may still be writing; on Windows unknown (os.kill would terminate it): yes."""
    if pid <= 0 or pid == os.getpid() or os.name == "nt":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True
