"""The data every front-end consumes: diagnostics and their fixes, as plain serialisable values.

Rows are 1-based and columns 0-based code-point offsets (libcst's convention); each output format
converts once, at the edge (ruff's JSON uses 1-based columns, flake8 displays col + 1, LSP wants UTF-16).
"""

from __future__ import annotations

import enum
from dataclasses import field
from typing import Any

from flasklint.records import dataclass


class Applicability(str, enum.Enum):
    """Whether a fix may be applied without review (ruff's terms)."""

    SAFE = "safe"
    UNSAFE = "unsafe"


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, order=True)
class Location:
    row: int
    column: int


@dataclass(frozen=True)
class Edit:
    """Replace the text between two locations (end exclusive) with `content`."""

    start: Location
    end: Location
    content: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "content": self.content,
            "location": {"row": self.start.row, "column": self.start.column},
            "end_location": {"row": self.end.row, "column": self.end.column},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Edit":
        return cls(
            Location(data["location"]["row"], data["location"]["column"]),
            Location(data["end_location"]["row"], data["end_location"]["column"]),
            data["content"],
        )


@dataclass(frozen=True)
class Fix:
    message: str
    edits: tuple[Edit, ...]
    applicability: Applicability

    def to_dict(self) -> dict[str, Any]:
        return {
            "applicability": self.applicability.value,
            "message": self.message,
            "edits": [edit.to_dict() for edit in self.edits],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Fix":
        return cls(
            data["message"],
            tuple(Edit.from_dict(e) for e in data["edits"]),
            Applicability(data["applicability"]),
        )


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    path: str
    start: Location
    end: Location
    severity: Severity = Severity.WARNING
    fix: Fix | None = None
    # Extra machine-readable context for editors (e.g. the endpoint an FLK201 names).
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    # The row a `# noqa` comment for it goes on: the start row, unless that row is inside a
    # multi-line string or continuation, whose last row it is then (noqa.place_noqa_rows; 0 here
    # means the start row). Placed when the engine reports the file's diagnostics, never cached.
    noqa_row: int = field(default=0, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not self.noqa_row:
            object.__setattr__(self, "noqa_row", self.start.row)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.start.row, self.start.column, self.code)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "path": self.path,
            "start": [self.start.row, self.start.column],
            "end": [self.end.row, self.end.column],
            "severity": self.severity.value,
            "fix": self.fix.to_dict() if self.fix else None,
            "data": self.data,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Diagnostic":
        return cls(
            code=data["code"],
            message=data["message"],
            path=data["path"],
            start=Location(*data["start"]),
            end=Location(*data["end"]),
            severity=Severity(data["severity"]),
            fix=Fix.from_dict(data["fix"]) if data["fix"] else None,
            data=data["data"],
        )
