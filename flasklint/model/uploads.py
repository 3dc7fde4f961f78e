"""Where an upload is saved under its own name: `upload.save(path)` with a path built from `upload.filename`.

`FileStorage.filename` is whatever the client sent (`../../app.py` included). Each `x.save(...)` is
checked where `x` is an upload from `request.files`, in the function on its own and, for a helper of
the same module (`def store(f): f.save(...)`), once per call passing it an upload (one level deep).
Each `.filename` expression is given once, with the analysis that found it (for the fix's names).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import libcst as cst

from flasklint.model.cst_helpers import argument
from flasklint.model.dataflow import FILE, ModuleDataflow, TaintAnalysis, dataflow_for
from flasklint.model.module import CallInfo, FunctionInfo, ModuleModel


@dataclass(frozen=True)
class UnsafeSave:
    """`save` writes to a path built from the upload's own filename, the expression `origin`."""

    save: cst.Call
    origin: cst.BaseExpression
    analysis: TaintAnalysis


def unsafe_saves(model: ModuleModel) -> Iterator[UnsafeSave]:
    """Each `.filename` that reaches an upload's `save()` path unsanitised, in source order of the saves."""
    dataflow = dataflow_for(model)
    reported: set[cst.CSTNode] = set()
    for function, saves in _saves_by_function(model):
        try:
            found = [
                (analysis, save, origin)
                for analysis in _analyses(dataflow, function)
                for save in saves
                for origin in _unsafe_filenames(analysis, save)
            ]
        except RecursionError:
            continue  # an expression nested too deeply to follow: skip this function, not the file
        for analysis, save, origin in found:
            if origin not in reported:
                reported.add(origin)
                yield UnsafeSave(save, origin, analysis)


def _saves_by_function(model: ModuleModel) -> list[tuple[FunctionInfo, list[cst.Call]]]:
    """`x.save(...)` calls grouped by the function they are in (in source order)."""
    saves: dict[cst.FunctionDef, tuple[FunctionInfo, list[cst.Call]]] = {}
    for call in model.calls:
        func = call.node.func
        if call.function is not None and isinstance(func, cst.Attribute) and func.attr.value == "save":
            saves.setdefault(call.function.node, (call.function, []))[1].append(call.node)
    return list(saves.values())


def _analyses(dataflow: ModuleDataflow, function: FunctionInfo) -> Iterator[TaintAnalysis]:
    """The function on its own, then once per same-module call passing it an upload.

    `def store(f): f.save(...)` only sees the upload through its caller, so the caller's
    arguments are bound to the parameters (one level deep).
    """
    yield dataflow.analysis(function, "path")
    if dataflow.module_functions.get(function.name) is not function:
        return
    for call in _calls_of(dataflow.model, function):
        assert call.function is not None
        caller = dataflow.analysis(call.function, "path")
        bindings = caller.bind_arguments(function, call.node)
        if any(t.kind == FILE for taints in bindings.values() for t in taints):
            yield dataflow.analysis(function, "path", bindings, depth=1)


def _calls_of(model: ModuleModel, function: FunctionInfo) -> Iterator[CallInfo]:
    for call in model.calls:
        func = call.node.func
        if (
            call.function is not None
            and call.function is not function
            and isinstance(func, cst.Name)
            and func.value == function.name
            and model.qualify(func, call.scope) is None
        ):
            yield call


def _unsafe_filenames(analysis: TaintAnalysis, save: cst.Call) -> Iterator[cst.BaseExpression]:
    """The `.filename` expressions the path of `upload.save(path)` is built from."""
    receiver = save.func.value  # type: ignore[attr-defined]
    if not any(t.kind == FILE for t in analysis.taint(receiver)):
        return
    path = argument(save, 0, "dst")
    if path is None:
        return
    origins = {t.origin for t in analysis.taint(path) if t.origin is not None}
    yield from sorted(origins, key=lambda node: analysis.model.code(node))
