"""Where request data chooses the file a view sends: `send_file(path)` and `send_from_directory(directory, ...)`.

`send_file` trusts its path (Flask's docs: "Never pass file paths provided by a user");
`send_from_directory` safe-joins its second argument under the first, so only its *directory* must
not come from the client. Both questions are asked of the shared "path" taint analysis (dataflow.py):
`secure_filename()`, `safe_join()` and `os.path.basename()` make a value clean, `os.path.join()`,
`+`, f-strings and pathlib keep it tainted.

A send inside a helper of the same module (`def serve(name): return send_file(name)`) is checked
once per call passing it request data (one level deep), like uploads.py does for `save()`.

Where the function checks the path itself (`full.startswith(BASE)`, `os.path.commonpath(...)`,
`p.is_relative_to(BASE)`, `".." in name`) the model cannot tell whether the check is right, so no
send of that path is reported.
"""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from flasklint.model.cst_helpers import argument
from flasklint.model.dataflow import DATA, TEXT, ModuleDataflow, TaintAnalysis, Taints, dataflow_for
from flasklint.model.module import FunctionInfo, ModuleModel
from flasklint.model.walk import children
from flasklint.records import dataclass

SEND_FILE = frozenset({"flask.send_file", "flask.helpers.send_file", "werkzeug.utils.send_file", "werkzeug.send_file"})
SEND_FROM_DIRECTORY = frozenset(
    {"flask.send_from_directory", "flask.helpers.send_from_directory", "werkzeug.utils.send_from_directory"}
)
# The parameter holding the path, per callee family: `path_or_file` (Flask >= 2.0) or `filename_or_fp`
# (before), and `send_from_directory`'s `directory`.
SEND_FILE_KEYWORDS = ("path_or_file", "filename_or_fp")
# Request data that can be a path: text, and JSON/unknown values (`request.json["path"]`).
PATH_KINDS = frozenset({TEXT, DATA})
# Calls that compare a path with its folder: a hand-written containment check.
CHECK_METHODS = frozenset({"startswith", "is_relative_to", "relative_to"})
CHECK_CALLS = frozenset(
    {"os.path.commonpath", "os.path.commonprefix", "posixpath.commonpath", "posixpath.commonprefix"}
)


@dataclass(frozen=True)
class UserPathSend:
    """`call` sends a file chosen by request data: `path` is its path (`send_file`) or directory."""

    call: cst.Call
    path: cst.BaseExpression
    is_directory: bool  # the `directory` of `send_from_directory` (else the path of `send_file`)
    taints: Taints
    analysis: TaintAnalysis


def user_path_sends(model: ModuleModel) -> Iterator[UserPathSend]:
    """Each send whose path (or directory) holds request data, in source order, each argument once."""
    dataflow = dataflow_for(model)
    reported: set[cst.CSTNode] = set()
    for function, sends in _sends_by_function(model):
        try:
            found = [
                found
                for analysis in _analyses(dataflow, function)
                for call in sends
                for found in _user_path(analysis, call)
            ]
        except RecursionError:
            continue  # an expression nested too deeply to follow: skip this function, not the file
        for send in found:
            if send.path not in reported:
                reported.add(send.path)
                yield send


def _sends_by_function(model: ModuleModel) -> list[tuple[FunctionInfo, list[cst.Call]]]:
    """The `send_file` / `send_from_directory` calls, grouped by the function they are in."""
    sends: dict[cst.FunctionDef, tuple[FunctionInfo, list[cst.Call]]] = {}
    for call in model.calls_to(*SEND_FILE, *SEND_FROM_DIRECTORY):
        if call.function is not None:
            sends.setdefault(call.function.node, (call.function, []))[1].append(call.node)
    return list(sends.values())


def _analyses(dataflow: ModuleDataflow, function: FunctionInfo) -> Iterator[TaintAnalysis]:
    """The function on its own, then once per same-module call passing it request data."""
    yield dataflow.analysis(function, "path")
    if dataflow.module_functions.get(function.name) is not function:
        return
    for call in dataflow.model.callers_of(function):
        assert call.function is not None
        caller = dataflow.analysis(call.function, "path")
        bindings = caller.bind_arguments(function, call.node)
        if any(t.kind in PATH_KINDS for taints in bindings.values() for t in taints):
            yield dataflow.analysis(function, "path", bindings, depth=1)


def sent_path(call: cst.Call, qualified: str) -> tuple[cst.BaseExpression | None, bool]:
    """The argument naming what a send reads, and whether it is `send_from_directory`'s directory."""
    if qualified in SEND_FROM_DIRECTORY:
        return argument(call, 0, "directory"), True
    path = argument(call, 0, SEND_FILE_KEYWORDS[0])
    if path is None:
        path = argument(call, None, SEND_FILE_KEYWORDS[1])
    return path, False


def _user_path(analysis: TaintAnalysis, call: cst.Call) -> Iterator[UserPathSend]:
    qualified = analysis.callee(call.func)
    if qualified is None:
        return
    path, is_directory = sent_path(call, qualified)
    if path is None:
        return
    taints = frozenset(t for t in analysis.taint(path) if t.kind in PATH_KINDS)
    if taints and not _checked(analysis, path):
        yield UserPathSend(call, path, is_directory, taints, analysis)


# -- hand-written containment checks ---------------------------------------------------------


def _checked(analysis: TaintAnalysis, path: cst.BaseExpression) -> bool:
    """Whether the function compares (a value the path is built from) with a folder itself."""
    names = _source_names(analysis, path)
    return any(_names_in(check) & names for check in _containment_checks(analysis, analysis.function.node.body))


def _source_names(analysis: TaintAnalysis, path: cst.BaseExpression) -> set[str]:
    """The local names the path is built from, through the bindings that reach them."""
    names: set[str] = set()
    pending: list[cst.CSTNode] = [path]
    seen: set[int] = set()
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if type(node) is cst.Name and analysis.flow.is_local(node.value):
            names.add(node.value)
            pending.extend(d.value for d in analysis.reaching(node) if d.value is not None)
        pending.extend(children(node))
    return names


def _containment_checks(analysis: TaintAnalysis, body: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """`x.startswith(...)`, `os.path.commonpath(...)`, `p.is_relative_to(...)`, `".." in x` in a body."""
    pending: list[cst.CSTNode] = [body]
    while pending:
        node = pending.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(node, cst.Call) and _is_check_call(analysis, node):
            yield node
        elif isinstance(node, cst.Comparison) and _is_dotdot_test(node):
            yield node
        pending.extend(children(node))


def _is_check_call(analysis: TaintAnalysis, call: cst.Call) -> bool:
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value in CHECK_METHODS:
        return True
    return analysis.callee(func) in CHECK_CALLS


def _is_dotdot_test(comparison: cst.Comparison) -> bool:
    """`".." in name` / `"../" not in name`: a traversal test, right or not."""
    left = comparison.left
    value = left.evaluated_value if isinstance(left, cst.SimpleString) else None
    return (
        isinstance(value, str)
        and ".." in value
        and all(isinstance(c.operator, (cst.In, cst.NotIn)) for c in comparison.comparisons)
    )


def _names_in(node: cst.CSTNode) -> set[str]:
    names: set[str] = set()
    pending = [node]
    while pending:
        current = pending.pop()
        if type(current) is cst.Name:
            names.add(current.value)
        pending.extend(children(current))
    return names
