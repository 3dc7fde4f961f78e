"""Engine diagnostics -> LSP diagnostics, and back again for the quick fixes.

Each LSP diagnostic carries in `data` its fix (edits already in the client's position units) and its
noqa row, so a code action needs no re-lint: the client hands the diagnostic back and the action is
built from it.
"""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from flasklint.diagnostics import Diagnostic
from flasklint.rules import RULES_BY_CODE

from flasklint_lsp.settings import Settings
from flasklint_lsp.text import Snapshot

SOURCE = "flasklint"


def to_lsp(diagnostic: Diagnostic, snapshot: Snapshot, settings: Settings) -> types.Diagnostic:
    rule = RULES_BY_CODE.get(diagnostic.code)
    data: dict[str, Any] = {"noqa_row": diagnostic.noqa_row}
    if diagnostic.fix is not None:
        data["fix"] = {
            "message": diagnostic.fix.message,
            "applicability": diagnostic.fix.applicability.value,
            "edits": [_edit_data(snapshot.text_edit(edit)) for edit in diagnostic.fix.edits],
        }
    if diagnostic.data:
        data["details"] = diagnostic.data
    return types.Diagnostic(
        range=snapshot.range(diagnostic.start, diagnostic.end),
        message=diagnostic.message,
        severity=settings.severity_for(diagnostic.code, diagnostic.severity),
        code=diagnostic.code,
        code_description=types.CodeDescription(href=rule.url()) if rule is not None else None,
        source=SOURCE,
        data=data,
    )


def _edit_data(edit: types.TextEdit) -> dict[str, Any]:
    return {
        "range": {
            "start": {"line": edit.range.start.line, "character": edit.range.start.character},
            "end": {"line": edit.range.end.line, "character": edit.range.end.character},
        },
        "newText": edit.new_text,
    }


def fix_from_data(data: Any) -> tuple[str, bool, list[types.TextEdit]] | None:
    """(message, safe, edits) from a diagnostic's `data` as the client returned it; None if absent or mangled."""
    try:
        fix = data["fix"]
        edits = [
            types.TextEdit(
                range=types.Range(start=_position(e["range"]["start"]), end=_position(e["range"]["end"])),
                new_text=str(e["newText"]),
            )
            for e in fix["edits"]
        ]
        return str(fix["message"]), fix["applicability"] == "safe", edits
    except (KeyError, TypeError, ValueError):
        return None


def _position(data: Any) -> types.Position:
    return types.Position(line=int(data["line"]), character=int(data["character"]))


def noqa_row_from_data(data: Any) -> int | None:
    try:
        row = data["noqa_row"]
    except (KeyError, TypeError):
        return None
    return row if isinstance(row, int) and not isinstance(row, bool) and row >= 1 else None
