"""A file's analysis pauses the cyclic garbage collector and frees its own garbage when it ends."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

import libcst

from flasklint.collection import collected_once
from flasklint.engine import analyse_python, analyse_template

EXAMPLE = Path(__file__).resolve().parents[1] / "examples"


def _live_cst_nodes() -> int:
    return sum(1 for item in gc.get_objects() if isinstance(item, libcst.CSTNode))


def test_a_modules_tree_is_freed_when_its_analysis_returns_and_the_collector_is_back_on() -> None:
    """The model's reference cycles (dataflow analyses point back at the module) held the whole tree
    until a full collection; now it is gone as the call returns."""
    source = (EXAMPLE / "quickstart" / "app.py").read_bytes()
    gc.collect()
    before = _live_cst_nodes()
    facts = analyse_python("app.py", "app", False, source + b"\n\ndef helper(x):\n    return helper(x)\n")
    assert facts.kind == "python" and not facts.parse_error
    assert gc.isenabled()
    assert _live_cst_nodes() <= before


def test_a_template_analysis_also_resumes_the_collector() -> None:
    facts = analyse_template("templates/a.html", b"{% extends 'base.html' %}{% block x %}{{ y }}{% endblock %}\n")
    assert facts.kind == "template"
    assert gc.isenabled()


def test_a_collector_the_host_turned_off_stays_off() -> None:
    gc.disable()
    try:
        analyse_python("app.py", "app", False, b"from flask import Flask\napp = Flask(__name__)\n")
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
