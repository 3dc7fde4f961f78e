"""A run's file analyses pause the cyclic garbage collector and each frees its own garbage when it ends."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

import libcst

from conftest import write_project
from flasklint.collection import collected_once
from flasklint.engine import Project

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
