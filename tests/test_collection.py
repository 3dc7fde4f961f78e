"""A run's file analyses pause the cyclic garbage collector and each frees its own garbage when it ends."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

import libcst

from conftest import write_project
from flasklint.collection import collected_once
from flasklint.engine import Project, analyse_python
from flasklint.rule import Case
from flasklint.rules import ALL_RULES

EXAMPLE = Path(__file__).resolve().parents[1] / "examples"


def _live_cst_nodes() -> int:
    return sum(1 for item in gc.get_objects() if isinstance(item, libcst.CSTNode))


def _analysed(root: Path) -> Project:
    project = Project(root, use_cache=False, jobs=1)  # in this process, as a small project's run
    project.discover()
    project.analyse()
    return project


def test_a_runs_trees_are_freed_as_each_file_is_done_and_the_collector_is_back_on(tmp_path: Path) -> None:
    """The model's reference cycles (dataflow analyses point back at the module) held each tree
    until a full collection; now none is left once the files are analysed."""
    app = (EXAMPLE / "quickstart" / "app.py").read_text(encoding="utf-8")
    write_project(tmp_path, {
        "pyproject.toml": "", "app.py": app + "\n\ndef helper(x):\n    return helper(x)\n",
        "templates/a.html": "{% extends 'base.html' %}{% block x %}{{ y }}{% endblock %}\n",
    })
    gc.collect()
    before = _live_cst_nodes()
    project = _analysed(tmp_path)
    assert project.facts["app.py"].kind == "python" and not project.facts["app.py"].parse_error
    assert project.facts["templates/a.html"].kind == "template"
    assert gc.isenabled()
    assert _live_cst_nodes() <= before


def test_a_collector_the_host_turned_off_stays_off(tmp_path: Path) -> None:
    write_project(tmp_path, {"pyproject.toml": "", "app.py": "from flask import Flask\napp = Flask(__name__)\n"})
    gc.disable()
    try:
        _analysed(tmp_path)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_collector_resumes_when_the_last_of_concurrent_analyses_ends_even_if_one_raises() -> None:
    first_started, release_first = threading.Event(), threading.Event()
    seen: list[bool] = []

    @collected_once
    def slow() -> None:
        first_started.set()
        release_first.wait(10)

    @collected_once
    def failing() -> None:
        seen.append(gc.isenabled())
        raise ValueError("a rule's bug")

    worker = threading.Thread(target=slow)
    worker.start()
    assert first_started.wait(10)
    try:
        failing()
    except ValueError:
        pass
    assert seen == [False]
    assert not gc.isenabled()  # the slow analysis is still running
    release_first.set()
    worker.join(10)
    assert gc.isenabled()


def _python_sources() -> list[tuple[str, str]]:
    """(path, source) of every Python file in the rules' cases and in examples/."""
    sources = [
        (path, text)
        for rule in ALL_RULES
        for case in [*map(Case.of, rule.valid), *rule.invalid]
        for path, text in case.files.items()
        if path.endswith(".py")
    ]
    sources += [(str(path.relative_to(EXAMPLE)), path.read_text(encoding="utf-8")) for path in EXAMPLE.rglob("*.py")]
    return sources


def test_no_analysis_leaves_its_tree_or_model_to_the_collector() -> None:
    """The model ends its analyses' back-references when the rules are done (ModuleModel.release):
    reference counting frees the tree and the model as the file's analysis ends, so the collection
    after it walks only what the file keeps. (The standard library's own small cycles, such as
    `ast.literal_eval`'s recursive closures, hold neither.)"""
    sources = _python_sources()
    assert len(sources) > 300
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        left = {}
        for path, text in sources:
            analyse_python(path, path.removesuffix(".py").replace("/", "."), path.endswith("__init__.py"), text.encode())
            gc.collect(0)  # all the file made is young: the collector is paused
            # libcst's own scope analysis (a parameter rename's fix asks it) is cyclic: its tree waits
            scoped = any(type(item).__module__.startswith("libcst.metadata") for item in gc.garbage)
            ours = {type(item).__qualname__ for item in gc.garbage if _is_ours(item, tree_too=not scoped)}
            if ours:
                left[path] = sorted(ours)[:5]
            gc.garbage.clear()
    finally:
        gc.set_debug(0)
        gc.enable()
    assert left == {}


def _is_ours(item: object, tree_too: bool) -> bool:
    """An object (a class included) of flasklint's, or (`tree_too`) a libcst node."""
    module = getattr(item, "__module__", None) if isinstance(item, type) else type(item).__module__
    return (tree_too and isinstance(item, libcst.CSTNode)) or str(module).startswith("flasklint")
