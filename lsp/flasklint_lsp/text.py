"""Document snapshots and the one place where engine positions meet LSP positions.

The engine speaks 1-based rows and 0-based code-point columns; LSP speaks 0-based lines and columns
in the negotiated encoding (UTF-16 unless the client offers UTF-8/UTF-32). Lines are split on LSP's
end-of-line sequences only (`\\r\\n`, `\\r`, `\\n`): `str.splitlines` also splits on form feeds and
U+2028, which would shift every position after one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from lsprotocol import types
from pygls.workspace import PositionCodec

from flasklint.diagnostics import Edit, Location
from flasklint.fix import NEWLINE, dominant_newline
from flasklint.source import physical_lines

@dataclass(frozen=True)
class Snapshot:
    """One version of a document's text, with what it takes to convert positions in it."""

    text: str
    version: int | None
    codec: PositionCodec
    lines: list[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", physical_lines(self.text))  # LSP ends lines where Python does

    def line(self, index: int) -> str:
        """The 0-based line `index` without its line ending ('' past the end)."""
        if 0 <= index < len(self.lines):
            return self.lines[index].rstrip("\r\n")
        return ""

    # -- engine -> LSP ------------------------------------------------------------------
    def position(self, location: Location) -> types.Position:
        line = location.row - 1
        if line < 0:
            return types.Position(line=0, character=0)
        if line >= len(self.lines):
            return types.Position(line=len(self.lines), character=0)
        column = min(max(location.column, 0), len(self.line(line)))
        return self.codec.position_to_client_units(self.lines, types.Position(line=line, character=column))

    def range(self, start: Location, end: Location) -> types.Range:
        return types.Range(start=self.position(start), end=self.position(end))

    def text_edit(self, edit: Edit) -> types.TextEdit:
        """The edit as the client applies it, its inserted lines ending as the document's do (a
        fix writes `\\n`; a CRLF document must not get bare LF lines: not every client converts)."""
        content = NEWLINE.sub(self.newline, edit.content)
        return types.TextEdit(range=self.range(edit.start, edit.end), new_text=content)

    @cached_property
    def newline(self) -> str:
        return dominant_newline(self.text)

    # -- LSP -> engine ------------------------------------------------------------------
    def location(self, position: types.Position) -> Location:
        """The engine location (1-based row, code-point column) of a client position."""
        if position.line >= len(self.lines):
            return Location(position.line + 1, 0)
        column = self.codec.position_from_client_units(
            self.lines, types.Position(line=position.line, character=position.character)
        ).character
        return Location(position.line + 1, min(column, len(self.line(position.line))))

    def offset(self, position: types.Position) -> int:
        """Code-point offset of a client position in the text."""
        location = self.location(position)
        return sum(len(line) for line in self.lines[: location.row - 1]) + location.column


def whole_text_edit(snapshot: Snapshot, new_text: str) -> types.TextEdit:
    """One edit turning the snapshot's text into `new_text`, trimmed to the part that differs.

    A minimal edit keeps the editor's cursor, folds and undo history sensible after "fix all".
    """
    old = snapshot.text
    prefix = 0
    limit = min(len(old), len(new_text))
    while prefix < limit and old[prefix] == new_text[prefix]:
        prefix += 1
    if 0 < prefix < len(old) and old[prefix - 1] == "\r" and old[prefix] == "\n":
        prefix -= 1  # never split a CRLF
    suffix = 0
    while suffix < limit - prefix and old[len(old) - 1 - suffix] == new_text[len(new_text) - 1 - suffix]:
        suffix += 1
    cut = len(old) - suffix
    if 0 < suffix and cut > 0 and old[cut - 1] == "\r" and old[cut] == "\n":
        suffix -= 1
    start = _location_at(snapshot, prefix)
    end = _location_at(snapshot, len(old) - suffix)
    return types.TextEdit(range=snapshot.range(start, end), new_text=new_text[prefix : len(new_text) - suffix])


def _location_at(snapshot: Snapshot, offset: int) -> Location:
    consumed = 0
    for index, line in enumerate(snapshot.lines):
        if offset < consumed + len(line) or (offset == consumed + len(line) and not line.endswith(("\n", "\r"))):
            return Location(index + 1, offset - consumed)
        consumed += len(line)
    return Location(len(snapshot.lines) + 1, 0)
