"""Is a decoded cache entry exactly what `FileFacts.to_dict()` writes?

The cache sits in the analysed repository, which may ship one of its own: an entry whose checksum
holds can still have been forged. Every value must have the type its field declares (down to each
span's ints), or the entry is a miss: a wrong type must never reach the index, the rules or an
output format. The checks are built once per type from the dataclasses' own annotations, so a new
field is checked without anyone remembering to add it here.
"""

from __future__ import annotations

import dataclasses
import types
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Literal, TypedDict, Union, get_args, get_origin, get_type_hints, is_typeddict

from flasklint.diagnostics import Applicability, Diagnostic, Severity
from flasklint.model.facts import FileFacts
from flasklint.rules import PROJECT_RULES

Check = Callable[[object], bool]

# Rows, columns and line numbers: a count of lines or characters of a file flasklint analyses.
LARGEST_POSITION = 2**31 - 1


class _LocationShape(TypedDict):
    row: int
    column: int


class _EditShape(TypedDict):
    content: str
    location: _LocationShape
    end_location: _LocationShape


class _FixShape(TypedDict):
    applicability: Literal[tuple(a.value for a in Applicability)]  # type: ignore[valid-type]
    message: str
    edits: list[_EditShape]


class _DiagnosticShape(TypedDict):
    code: str
    message: str
    path: str
    start: tuple[int, int]
    end: tuple[int, int]
    severity: Literal[tuple(s.value for s in Severity)]  # type: ignore[valid-type]
    fix: Union[_FixShape, None]
    data: dict[str, Any]


@dataclass(frozen=True)
class _RuleData:
    """`FileFacts.rule_data`: rule code -> the `data_shape` that rule declares (codes of other rules are refused)."""

    shapes: tuple[tuple[str, object], ...]


# Where `to_dict()` writes another shape than the annotation says.
_SERIALISED_AS: dict[object, object] = {Diagnostic: _DiagnosticShape}
_RULE_DATA = _RuleData(tuple((rule.code, rule.data_shape) for rule in PROJECT_RULES if rule.data_shape is not None))
_FIELD_SHAPES: dict[tuple[type, str], object] = {(FileFacts, "rule_data"): _RULE_DATA}


def is_file_facts(data: object) -> bool:
    """True when `data` has exactly the shape of a serialised FileFacts."""
    return _check(FileFacts)(data)


@lru_cache(maxsize=None)
def _check(hint: object) -> Check:  # noqa: C901 - one branch per kind of annotation
    """A predicate for JSON values of this annotation (the common shapes get a fast one: a warm
    run checks every entry it reads)."""
    hint = _SERIALISED_AS.get(hint, hint)
    origin, args = get_origin(hint), get_args(hint)
    if hint is Any:
        return lambda value: True
    if isinstance(hint, _RuleData):
        return _rule_data(hint)
    if hint is type(None):
        return lambda value: value is None
    if hint in _SCALARS:
        return _SCALARS[hint]
    if origin is Literal:
        return lambda value: type(value) is str and value in args
    if origin in (Union, types.UnionType):
        options = [arg for arg in args if arg is not type(None)]
        if len(options) == len(args):  # no None among them: one of the options (a Union of shapes)
            choices = [_check(option) for option in options]
            return lambda value: any(choice(value) for choice in choices)
        present = _check(Union[tuple(options)]) if len(options) > 1 else _check(options[0])
        return lambda value: value is None or present(value)
    if origin is list:
        item = _check(args[0])
        return lambda value: type(value) is list and all(map(item, value))
    if origin is tuple:  # JSON holds a tuple as a list of the same length
        if all(arg is int for arg in args):
            size = len(args)
            return lambda value: type(value) is list and len(value) == size and all(map(_position, value))
        items = [_check(arg) for arg in args]
        return lambda value: type(value) is list and len(value) == len(items) and all(c(v) for c, v in zip(items, value))
    if origin is dict:
        entry = _check(args[1])
        return lambda value: type(value) is dict and all(map(_is_str, value)) and all(map(entry, value.values()))
    if is_typeddict(hint):
        return _record(get_type_hints(hint))
    if dataclasses.is_dataclass(hint):
        fields = get_type_hints(hint)
        return _record({name: _FIELD_SHAPES.get((hint, name), field) for name, field in fields.items()})  # type: ignore[misc]
    raise TypeError(f"no cache shape for {hint!r}")


def _rule_data(hint: _RuleData) -> Check:
    checks = {code: _check(shape) for code, shape in hint.shapes}

    def check(value: object) -> bool:
        if type(value) is not dict:
            return False
        for code, data in value.items():
            rule_check = checks.get(code)
            if rule_check is None or not rule_check(data):
                return False
        return True

    return check


def _position(value: object) -> bool:
    return type(value) is int and 0 <= value <= LARGEST_POSITION  # type: ignore[operator]


def _is_str(value: object) -> bool:
    return type(value) is str


def _is_bool(value: object) -> bool:
    return value is True or value is False


_SCALARS: dict[object, Check] = {int: _position, str: _is_str, bool: _is_bool}


def _record(fields: dict[str, object]) -> Check:
    """A JSON object with exactly these keys (to_dict writes every field), each of its type."""
    checks = [(name, _check(field)) for name, field in fields.items()]
    names = {name for name, _ in checks}

    def check(value: object) -> bool:
        if type(value) is not dict or value.keys() != names:
            return False
        for name, field_check in checks:
            if not field_check(value[name]):
                return False
        return True

    return check
