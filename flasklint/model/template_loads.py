"""The templates a module or a template loads by a literal name, and whether an app can find them.

Python: `render_template` / `stream_template` (from `flask` or `flask.templating`) with a literal
name, or a list of literal names (Flask then calls Jinja's `select_template`: the first one that
exists). Templates: `{% extends %}`, `{% include %}` (not `ignore missing`, not a list),
`{% import %}` and `{% from ... import %}` with a literal name. A computed name is not a load here.

Flask's `DispatchingJinjaLoader` looks in the app's template folder, then in each registered
blueprint's; for "does it exist" the order does not matter, only the union of the folders.
"""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Callable, Iterable

import jinja2
import libcst as cst

from flasklint.model.app_scope import AppView
from flasklint.model.cst_helpers import argument, literal_string
from flasklint.model.facts import Span
from flasklint.model.module import ModuleModel, view_owners
from flasklint.model.templates import TemplateModel
from flasklint.records import dataclass

if TYPE_CHECKING:
    from flasklint.model.facts import FileFacts
    from flasklint.model.index import ProjectIndex

RENDER_FUNCTIONS = {
    "flask.render_template": "render_template",
    "flask.templating.render_template": "render_template",
    "flask.stream_template": "stream_template",
    "flask.templating.stream_template": "stream_template",
}
_TAGS = {"Extends": "extends", "Include": "include", "Import": "import", "FromImport": "from"}


@dataclass(frozen=True)
class TemplateLoad:
    """One place that loads a template by name (several names: the first that exists)."""

    names: tuple[str, ...]
    span: Span
    how: str  # render_template | stream_template | extends | include | import | from
    owners: tuple[str, ...] = ()  # route-owner refs of the enclosing view (Python; () when unknown)
    plain: bool = False  # the span is exactly one name's literal: a fix may replace the name in it


# -- finding loads ------------------------------------------------------------------------------------
def python_loads(model: ModuleModel) -> list[TemplateLoad]:
    loads = []
    for call in model.calls:
        how = RENDER_FUNCTIONS.get(call.qualified or "")
        node = argument(call.node, 0, "template_name_or_list") if how else None
        if how is None or node is None:
            continue
        names = _literal_names(node)
        if names:
            span = model.span(node)
            plain = len(names) == 1 and span[0] == span[2] and span[3] - span[1] == len(names[0]) + 2
            loads.append(TemplateLoad(tuple(names), span, how, tuple(view_owners(call.function)), plain))
    return loads


def _literal_names(node: cst.BaseExpression) -> list[str]:
    """A literal name, or a list/tuple of literal names (any other element: not a literal load)."""
    name = literal_string(node)
    if name is not None:
        return [name]
    if isinstance(node, (cst.List, cst.Tuple)) and node.elements:
        names = [literal_string(e.value) if isinstance(e, cst.Element) else None for e in node.elements]
        if all(n is not None for n in names):
            return [n for n in names if n is not None]
    return []


def template_loads(template: TemplateModel) -> list[TemplateLoad]:
    if template.ast is None:
        return []
    loads: list[TemplateLoad] = []
    seen: dict[tuple[int, str], int] = {}
    tags = (jinja2.nodes.Extends, jinja2.nodes.Include, jinja2.nodes.Import, jinja2.nodes.FromImport)
    for node in template.find_all(tags):
        target = node.template
        if getattr(node, "ignore_missing", False):
            continue  # `{% include "x.html" ignore missing %}` renders nothing when it is absent
        if not (isinstance(target, jinja2.nodes.Const) and isinstance(target.value, str)):
            continue
        occurrence = seen.get((node.lineno, target.value), 0)
        seen[(node.lineno, target.value)] = occurrence + 1
        span = template.locate(node.lineno, target.value, occurrence)
        plain = span[3] - span[1] == len(target.value) and span[0] == span[2]
        loads.append(TemplateLoad((target.value,), span, _TAGS[type(node).__name__], (), plain))
    return loads


# -- where a name is looked for -------------------------------------------------------------------------
def jinja_name(name: str) -> str | None:
    """The name as Jinja's file loaders split it ("./a//b.html" is "a/b.html"); None for one they reject
    on every system or treat differently per system (a ".." piece, a backslash)."""
    pieces = []
    for piece in name.split("/"):
        if piece == ".." or "\\" in piece:
            return None
        if piece and piece != ".":
            pieces.append(piece)
    return "/".join(pieces) or None


def folders_knowable(view: AppView) -> bool:
    """Every folder of the view is a project-relative path inside the checkout."""
    return view.folders_in_checkout


def may_be_generated(view: AppView, name: str) -> bool:
    """A build step (or a submodule not checked out) may make it: no template folder of the view has
    the name's directory with a file in it, or Git ignores where it would be."""
    directory = PurePosixPath(name).parent
    root = Path(view.root)
    if not any(_has_files(root / folder / directory) for folder in view.template_folders):
        return True
    return any(git_ignores(root, str(PurePosixPath(folder) / name)) for folder in view.template_folders)


def _has_files(directory: Path) -> bool:
    """A file other than a placeholder (`.gitkeep`) is in the directory or below it."""
    for _, _, files in os.walk(directory):
        if any(not name.startswith(".") for name in files):
            return True
    return False


def git_ignores(root: Path, relative: str) -> bool:
    """Does a .gitignore at the root or above the file name it (or a folder on its way)? Negations and
    character classes are not weighed: a pattern that may match counts (silence is the safe side)."""
    parts = PurePosixPath(relative).parts
    for depth in range(len(parts)):
        base = PurePosixPath(*parts[:depth]) if depth else PurePosixPath(".")
        for pattern in _ignore_patterns(root / base / ".gitignore"):
            if _ignored(pattern, parts[depth:]):
                return True
    return False


def _ignore_patterns(path: Path) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    return [line.strip().rstrip("/") for line in lines if line.strip() and not line.lstrip().startswith(("#", "!"))]


def _ignored(pattern: str, parts: tuple[str, ...]) -> bool:
    """A gitignore pattern against a path below its file: anchored when it holds a slash, else any component."""
    if "/" in pattern.strip("/"):
        anchored = pattern.lstrip("/")
        return any(fnmatch.fnmatchcase("/".join(parts[:end]), anchored) for end in range(1, len(parts) + 1))
    return any(fnmatch.fnmatchcase(part, pattern.lstrip("/")) for part in parts)


def closest_names(name: str, candidates: set[str], limit: int = 3) -> list[str]:
    """Likely intended templates: the same file name in another folder first, then difflib's."""
    import difflib

    ordered = sorted(candidates)
    base = PurePosixPath(name).name
    same_file = [c for c in ordered if c != name and PurePosixPath(c).name == base]
    similar = difflib.get_close_matches(name, ordered, n=limit, cutoff=0.75)
    return list(dict.fromkeys(same_file + similar))[:limit]


# -- which templates Flask renders ----------------------------------------------------------------------
def flask_rendered(index: "ProjectIndex", names_loaded: Callable[["FileFacts"], Iterable[str]]) -> set[str]:
    """Paths of the templates a Flask render reaches: named by a literal `render_template` of a production
    module, or extended, included or imported by one that is. Others may be rendered by an environment
    of their own (an email renderer rooted elsewhere) or not at all: their loads prove nothing."""
    by_name: dict[str, list[str]] = {}
    for path, facts in index.files.items():
        if facts.kind == "template":
            for name in index.template_names(path, index.template_folders):
                by_name.setdefault(name, []).append(path)
    pending = [
        path
        for facts in index.files.values()
        if facts.kind == "python" and not facts.is_test
        for name in names_loaded(facts)
        for path in by_name.get(name, ())
    ]
    reached: set[str] = set()
    while pending:
        path = pending.pop()
        if path not in reached:
            reached.add(path)
            pending.extend(p for name in names_loaded(index.files[path]) for p in by_name.get(name, ()))
    return reached
