"""Building fix edits from a ModuleModel: wrapping an expression, replacing a node, adding an import.

Fixes are plain text edits (see fix.py) so the CLI and the language server apply them alike; these
helpers compute them from libcst nodes and positions so every rule builds edits the same way.
"""

from __future__ import annotations

import libcst as cst

from flasklint.diagnostics import Edit, Location
from flasklint.model.imports import dotted_name
from flasklint.model.module import ModuleModel, Scope


def replace_node(model: ModuleModel, node: cst.CSTNode, content: str) -> Edit:
    line, column, end_line, end_column = model.span(node)
    return Edit(Location(line, column), Location(end_line, end_column), content)


def wrap_node(model: ModuleModel, node: cst.CSTNode, function: str) -> Edit:
    """`expr` -> `function(expr)`, keeping the expression's own text untouched."""
    return replace_node(model, node, f"{function}({model.code(node).strip()})")


def is_imported(model: ModuleModel, module: str, name: str) -> bool:
    """True when `name` already refers to `module.name` at module level."""
    return model.module_scope.imports.aliases.get(name) == f"{module}.{name}"


def add_import_edit(model: ModuleModel, module: str, name: str | None = None) -> Edit | None:
    """An edit inserting `from module import name` (or `import module`), or None if already there.

    The import goes after the module docstring, `from __future__` imports and the leading block of
    imports, so it lands where a human would put it.
    """
    if name is not None and is_imported(model, module, name):
        return None
    if name is None and model.module_scope.imports.aliases.get(module) == module:
        return None
    statement = f"from {module} import {name}" if name else f"import {module}"
    line = _insertion_line(model)
    newline = _newline(model)
    if line > len(model.lines) and model.lines and not model.lines[-1].endswith(("\n", "\r")):
        return Edit(Location(line, 0), Location(line, 0), newline + statement + newline)
    return Edit(Location(line, 0), Location(line, 0), statement + newline)


def import_name_edit(model: ModuleModel, scope: Scope, module: str, name: str) -> Edit | None:
    """The edit making `name` usable at this point: an existing `from module import ...` extended, else a
    new import; None when `name` already means something here (the import would shadow it)."""
    if scope.binds(name) or model.module_scope.binds(name):
        return None
    return _extend_from_import(model, module, name) or add_import_edit(model, module, name)


def _extend_from_import(model: ModuleModel, module: str, name: str) -> Edit | None:
    """`from flask import redirect` -> `from flask import redirect, url_for` (one import line, not two)."""
    for statement in model.tree.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if (
                isinstance(small, cst.ImportFrom)
                and not small.relative
                and small.module is not None
                and dotted_name(small.module) == module
                and not isinstance(small.names, cst.ImportStar)
                and small.names
            ):
                last = small.names[-1]
                anchor = last.asname if last.asname is not None else last.name
                _, _, line, column = model.span(anchor)
                return Edit(Location(line, column), Location(line, column), f", {name}")
    return None


def _newline(model: ModuleModel) -> str:
    """The first line's ending (applying edits adapts it to the file's dominant one anyway)."""
    first = model.lines[0] if model.lines else ""
    return next((newline for newline in ("\r\n", "\n", "\r") if first.endswith(newline)), "\n")


def _insertion_line(model: ModuleModel) -> int:
    """1-based line before which a new import is inserted."""
    body = model.tree.body
    insert_after: cst.CSTNode | None = None
    for index, statement in enumerate(body):
        if not isinstance(statement, cst.SimpleStatementLine):
            break
        first = statement.body[0] if statement.body else None
        is_docstring = index == 0 and isinstance(first, cst.Expr) and isinstance(first.value, (cst.SimpleString, cst.ConcatenatedString))
        if is_docstring or all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body):
            insert_after = statement
            continue
        break
    if insert_after is None:
        # Skip a shebang or coding line at the very top.
        line = 1
        while line <= len(model.lines) and model.lines[line - 1].startswith("#"):
            line += 1
        return line if line <= len(model.lines) else 1
    return model.span(insert_after)[2] + 1
