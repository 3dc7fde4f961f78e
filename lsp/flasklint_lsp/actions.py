"""Code actions: a quick fix per fixable diagnostic, "disable for this line", FLK301's rename, fix all.

Quick fixes come from the diagnostic's `data` (or the diagnostics last published for the same
document version), never from a re-lint. Actions are only offered for the document version the
diagnostics were computed on, and their edits are versioned, so a client never applies an edit to
text it was not computed for.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lsprotocol import types
from pygls.capabilities import get_capability
from pygls.uris import from_fs_path, to_fs_path

from flasklint.diagnostics import Location
from flasklint.file_kinds import TEMPLATE_SUFFIXES
from flasklint.fix import fix_file
from flasklint.noqa import NOQA_RE, add_noqa_edit_text

from flasklint_lsp.convert import SOURCE, fix_from_data, noqa_row_from_data
from flasklint_lsp.linting import Published
from flasklint_lsp.projects import ProjectState
from flasklint_lsp.text import Snapshot, whole_text_edit

FIX_ALL = "source.fixAll.flasklint"
RENAME_CODE = "FLK301"
# New names offered for a `flask.py` module / `flask/` package, first free one wins.
MODULE_NAMES = ("app.py", "flask_app.py", "application.py")
PACKAGE_NAMES = ("flask_app", "application")


@dataclass(frozen=True)
class ActionContext:
    uri: str
    relative: str
    snapshot: Snapshot  # the document as the client has it now
    published: Published | None
    capabilities: types.ClientCapabilities


def wanted(kind: str, only: list[str] | None) -> bool:
    """LSP's `only` filter: a kind is wanted when it equals or refines a requested kind.

    Without `only`, source actions (fix all) are left out: they are asked for by kind (on save, or
    from the editor's "Source Action" menu), and computing them on every cursor move costs a re-lint.
    """
    if only is None:
        return not kind.startswith("source")
    return any(o == "" or kind == o or kind.startswith(o + ".") for o in only)


def quick_actions(context: ActionContext, params: types.CodeActionParams) -> list[types.CodeAction]:
    published = context.published
    if published is None or published.snapshot.version != context.snapshot.version:
        return []  # the diagnostics are stale: fresh ones (and their actions) are on the way
    actions: list[types.CodeAction] = []
    for diagnostic in _diagnostics_in_request(published, params):
        fix = fix_from_data(diagnostic.data) or _published_fix(published, diagnostic)
        if fix is not None:
            message, safe, edits = fix
            actions.append(
                types.CodeAction(
                    title=f"{diagnostic.code}: {message}" + ("" if safe else " (unsafe)"),
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    is_preferred=safe,
                    edit=_text_edit(context, edits),
                )
            )
        if diagnostic.code == RENAME_CODE:
            rename = _rename_action(context, diagnostic)
            if rename is not None:
                actions.append(rename)
        disable = _noqa_action(context, diagnostic)
        if disable is not None:
            actions.append(disable)
    return actions


def _diagnostics_in_request(published: Published, params: types.CodeActionParams) -> list[types.Diagnostic]:
    """The client's flasklint diagnostics, or (for clients that send none) the published ones in range."""
    sent = [d for d in params.context.diagnostics if d.source == SOURCE and isinstance(d.code, str)]
    if sent:
        return sent
    return [d for d in published.diagnostics if _overlaps(d.range, params.range)]


def _overlaps(a: types.Range, b: types.Range) -> bool:
    def key(p: types.Position) -> tuple[int, int]:
        return (p.line, p.character)

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def _published_fix(published: Published, diagnostic: types.Diagnostic) -> tuple[str, bool, list[types.TextEdit]] | None:
    """The fix of the published diagnostic the client's one stands for (clients may drop `data`)."""
    return fix_from_data(_published_data(published, diagnostic))


def _published_data(published: Published, diagnostic: types.Diagnostic) -> object:
    """The `data` of the published diagnostic the client's one stands for (None when none matches)."""
    for lsp, _ in published.entries:
        if lsp.code == diagnostic.code and lsp.range == diagnostic.range:
            return lsp.data
    return None


def _text_edit(context: ActionContext, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
    if get_capability(context.capabilities, "workspace.workspace_edit.document_changes", False):
        identifier = types.OptionalVersionedTextDocumentIdentifier(uri=context.uri, version=context.snapshot.version)
        return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(text_document=identifier, edits=edits)])
    return types.WorkspaceEdit(changes={context.uri: edits})


# -- disable for this line --------------------------------------------------------------------
def _noqa_action(context: ActionContext, diagnostic: types.Diagnostic) -> types.CodeAction | None:
    """The comment goes on the diagnostic's noqa row, placed by the engine (the last row of a
    multi-line string it is in), as the client returned it or as it was published."""
    row = (
        noqa_row_from_data(diagnostic.data)
        or (context.published and noqa_row_from_data(_published_data(context.published, diagnostic)))
        or diagnostic.range.start.line + 1
    )
    line = context.snapshot.line(row - 1)
    template = PurePosixPath(context.relative).suffix.lower() in TEMPLATE_SUFFIXES
    code = str(diagnostic.code)
    if template and NOQA_RE.search(line) is None:
        new_line = f"{line.rstrip()} {{# noqa: {code} #}}"
    else:
        new_line = add_noqa_edit_text(line, code)
    if new_line == line:
        return None
    start = 0
    while start < min(len(line), len(new_line)) and line[start] == new_line[start]:
        start += 1
    edit = types.TextEdit(
        range=context.snapshot.range(Location(row, start), Location(row, len(line))),
        new_text=new_line[start:],
    )
    return types.CodeAction(
        title=f"Disable {code} for this line",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        edit=_text_edit(context, [edit]),
    )


# -- FLK301: rename flask.py ------------------------------------------------------------------
def _rename_action(context: ActionContext, diagnostic: types.Diagnostic) -> types.CodeAction | None:
    operations = get_capability(context.capabilities, "workspace.workspace_edit.resource_operations", None) or []
    if types.ResourceOperationKind.Rename not in operations or not get_capability(
        context.capabilities, "workspace.workspace_edit.document_changes", False
    ):
        return None
    path = Path(to_fs_path(context.uri) or "")
    target = path.parent if path.name == "__init__.py" else path
    candidates = PACKAGE_NAMES if path.name == "__init__.py" else MODULE_NAMES
    new = next((target.with_name(name) for name in candidates if not target.with_name(name).exists()), None)
    old_uri, new_uri = from_fs_path(str(target)), from_fs_path(str(new)) if new else None
    if new is None or old_uri is None or new_uri is None:
        return None
    return types.CodeAction(
        title=f"Rename {target.name} to {new.name}",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        edit=types.WorkspaceEdit(document_changes=[types.RenameFile(old_uri=old_uri, new_uri=new_uri)]),
    )


# -- fix all ----------------------------------------------------------------------------------
def fix_all_text(state: ProjectState, relative: str, snapshot: Snapshot) -> str:
    """The document with every safe fix applied, re-linting until stable (runs on the engine thread).

    The same `fix_file` as `flasklint check --fix`; the engine is then put back on the buffer's own
    text, not the fixed preview, until the client applies the edit.
    """
    if state.buffers.get(relative, object()) != snapshot.version:
        if not state.update(relative, snapshot.text, snapshot.version).linted:
            return snapshot.text
    project = state.require()
    result = fix_file(project, relative, snapshot.text)
    if result.changed:
        project.set_source(relative, snapshot.text)
    return result.text


def fix_all_action(context: ActionContext, fixed: str) -> types.CodeAction | None:
    if fixed == context.snapshot.text:
        return None
    return types.CodeAction(
        title="flasklint: apply all safe fixes",
        kind=FIX_ALL,
        edit=_text_edit(context, [whole_text_edit(context.snapshot, fixed)]),
    )
