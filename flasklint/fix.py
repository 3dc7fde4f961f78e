"""Fixes as text edits: applying non-overlapping edits, shared by `--fix` and the language server."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterable

from flasklint.diagnostics import Edit, Fix, Location


def _offsets(text: str) -> list[int]:
    """Code-point offset of the start of each 1-based row (index 0 unused)."""
    offsets = [0, 0]
    for index, char in enumerate(text):
        if char == "\n":
            offsets.append(index + 1)
    return offsets


def _offset(offsets: list[int], location: Location, length: int) -> int:
    if location.row >= len(offsets):
        return length
    return min(offsets[location.row] + location.column, length)


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply edits (end-exclusive ranges); edits must not overlap one another."""
    offsets = _offsets(text)
    resolved = sorted(
        ((_offset(offsets, e.start, len(text)), _offset(offsets, e.end, len(text)), e.content) for e in edits),
        reverse=True,
    )
    for start, end, content in resolved:
        text = text[:start] + content + text[end:]
    return text


def apply_fixes(text: str, fixes: Iterable[Fix]) -> tuple[str, int]:
    """Apply as many fixes as fit without overlapping (earlier ones first); returns (text, applied).

    Edits that insert at one point (imports) may coincide across fixes: identical edits are merged
    so two fixes adding the same import add it once.
    """
    chosen: list[Edit] = []
    taken: list[tuple[Location, Location]] = []
    seen: set[Edit] = set()
    applied = 0
    for fix in sorted(fixes, key=lambda f: min((e.start for e in f.edits), default=Location(0, 0))):
        new_edits = [e for e in fix.edits if e not in seen]
        if any(_overlaps(e, taken) for e in new_edits):
            continue
        for edit in new_edits:
            chosen.append(edit)
            seen.add(edit)
            taken.append((edit.start, edit.end))
        applied += 1
    return apply_edits(text, chosen), applied


def _overlaps(edit: Edit, taken: list[tuple[Location, Location]]) -> bool:
    for start, end in taken:
        if edit.start < end and start < edit.end:
            return True
        if edit.start == edit.end == start == end:
            return True
    return False


def write_atomically(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Write via a temporary file in the same directory and os.replace: never a half-written file."""
    directory = path.parent
    mode = path.stat().st_mode & 0o7777 if path.exists() else None
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".flasklint-tmp", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding=encoding, newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
