"""The cache's shape check, on the annotations project rules declare as their `data_shape`."""

from __future__ import annotations

from typing import Optional, TypedDict, Union

from flasklint.cache_shape import _check


class _Python(TypedDict):
    renders: list[str]


class _Template(TypedDict):
    safe_sites: list[int]


def test_a_union_of_shapes_accepts_each_and_nothing_else() -> None:
    """FLK402 keeps one shape for Python files and one for templates: checking it must not recurse."""
    check = _check(Union[_Python, _Template])
    assert check({"renders": ["a.html"]}) and check({"safe_sites": [1, 2]})
    assert not check({"renders": [1]}) and not check(None) and not check({"other": []})


def test_an_optional_shape_accepts_none() -> None:
    check = _check(Optional[Union[_Python, _Template]])
    assert check(None) and check({"safe_sites": []}) and not check({"renders": "a.html"})
