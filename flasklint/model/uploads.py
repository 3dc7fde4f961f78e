"""Where an upload is saved under its own name: `upload.save(path)` with a path built from `upload.filename`.

`FileStorage.filename` is whatever the client sent (`../../app.py` included). Each `x.save(...)` is
checked where `x` is an upload from `request.files`, in the function on its own and, for a helper of
the same module (`def store(f): f.save(...)`), once per call passing it an upload (one level deep).
Each `.filename` expression is given once, with the analysis that found it (for the fix's names).

Flask-WTF uploads count too: the `.data` of a `FileField` is the request's `FileStorage` (a list of
them for `MultipleFileField`). The form class must be defined in the module (a file rule cannot see
another module's fields); `form.photo.data` is an upload when `form` was made from such a class.
"""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from flasklint.model.cst_helpers import argument
from flasklint.model.dataflow import FILE, Kind, ModuleDataflow, Taint, TaintAnalysis, Taints, dataflow_for
from flasklint.model.module import FunctionInfo, ModuleModel
from flasklint.records import dataclass

# Flask-WTF / WTForms file fields, and what their `.data` holds once Flask-WTF has read the request.
FILE_FIELDS: dict[str, Kind] = {
    "flask_wtf.file.FileField": FILE,
    "wtforms.FileField": FILE,
    "wtforms.fields.FileField": FILE,
    "wtforms.fields.simple.FileField": FILE,
    "flask_wtf.file.MultipleFileField": ("seq", FILE),
    "wtforms.MultipleFileField": ("seq", FILE),
    "wtforms.fields.MultipleFileField": ("seq", FILE),
    "wtforms.fields.simple.MultipleFileField": ("seq", FILE),
}
# A form class's ref -> its file fields' names -> the kind of their `.data`.
FormFiles = dict[str, dict[str, Kind]]


@dataclass(frozen=True)
class UnsafeSave:
    """`save` writes to a path built from the upload's own filename, the expression `origin`."""

    save: cst.Call
    origin: cst.BaseExpression
    analysis: TaintAnalysis


def unsafe_saves(model: ModuleModel) -> Iterator[UnsafeSave]:
    """Each `.filename` that reaches an upload's `save()` path unsanitised, in source order of the saves."""
    dataflow = dataflow_for(model)
    form_files = _form_files(model)
    reported: set[cst.CSTNode] = set()
    for function, saves in _saves_by_function(model):
        try:
            found = [
                (analysis, save, origin)
                for analysis in _analyses(dataflow, function, form_files)
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


def _analyses(dataflow: ModuleDataflow, function: FunctionInfo, form_files: FormFiles) -> Iterator[TaintAnalysis]:
    """The function on its own, then once per same-module call passing it an upload.

    `def store(f): f.save(...)` only sees the upload through its caller, so the caller's
    arguments are bound to the parameters (one level deep).
    """
    yield _path_analysis(dataflow, function, form_files)
    if dataflow.module_functions.get(function.name) is not function:
        return
    for call in dataflow.model.callers_of(function):
        assert call.function is not None
        caller = _path_analysis(dataflow, call.function, form_files)
        bindings = caller.bind_arguments(function, call.node)
        if any(t.kind == FILE for taints in bindings.values() for t in taints):
            yield dataflow.analysis(function, "path", bindings, depth=1)


def _path_analysis(dataflow: ModuleDataflow, function: FunctionInfo, form_files: FormFiles) -> TaintAnalysis:
    """The shared "path" analysis of `function`, or one that also knows the module's Flask-WTF file fields."""
    if form_files:
        return _FormUploadAnalysis(dataflow, function, form_files)
    return dataflow.analysis(function, "path")


class _FormUploadAnalysis(TaintAnalysis):
    """The "path" analysis, where `form.photo.data` of a form with a file field `photo` is an upload."""

    def __init__(self, dataflow: ModuleDataflow, function: FunctionInfo, form_files: FormFiles) -> None:
        super().__init__(dataflow, function, "path", None, 0)
        self.form_files = form_files

    def _attribute(self, node: cst.Attribute) -> Taints:
        kind = self._file_field_data(node)
        if kind is not None:
            return frozenset({Taint(f"upload `{self.model.code(node).strip()}`", kind)})
        return super()._attribute(node)

    def _file_field_data(self, node: cst.Attribute) -> Kind | None:
        """The kind of `<form>.<field>.data` when `<form>` is bound here to a form instance with that file field."""
        field = node.value
        if node.attr.value != "data" or not isinstance(field, cst.Attribute) or not isinstance(field.value, cst.Name):
            return None
        for definition in self.reaching(field.value):
            made = definition.value if definition.how == "assign" and not definition.unpack else None
            if isinstance(made, cst.Call):
                fields = self.form_files.get(self.model.ref_of(made.func, self.function.scope) or "", {})
                if field.attr.value in fields:
                    return fields[field.attr.value]
        return None


def _form_files(model: ModuleModel) -> FormFiles:
    """The file fields of each form class defined in the module (`photo = FileField(...)` in its body)."""
    prefix = f"{model.module_name}." if model.module_name else ""
    form_files: FormFiles = {}
    for assign in model.assigns:
        value = assign.value
        if assign.scope.kind != "class" or not isinstance(value, cst.Call):
            continue
        kind = FILE_FIELDS.get(model.qualify(value.func, assign.scope) or "")
        names = [target.value for target in assign.targets if isinstance(target, cst.Name)]
        if kind is not None and names:
            fields = form_files.setdefault(prefix + assign.scope.qualname, {})
            fields.update(dict.fromkeys(names, kind))
    return form_files


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
