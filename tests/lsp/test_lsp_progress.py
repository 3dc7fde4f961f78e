"""While a project is indexed: `$/progress` is shown, and a large project's documents get their own
rules' diagnostics first, the project rules' when the index is ready (then what `check` says)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from flasklint.engine import Project
from harness import flask_app, lsp_session, write_files

pytestmark = pytest.mark.asyncio

VIEWS = """\
from flask import Blueprint, request, url_for

bp = Blueprint("area{n}", __name__)


@bp.route("/{n}")
def page():
    return url_for("area{n}.page", q=request.args.get("q"))
"""
APP = """\
from flask import Flask, request, url_for

app = Flask(__name__)


@app.route("/")
def index():
    return f"<p>{request.args['q']}</p><a href='{url_for('nowhere')}'>x</a>"
"""


def large_project(root: Path, modules: int = 40) -> Path:
    """More files than the server indexes before publishing (each needs a parse: a real build)."""
    return write_files(root, {"app.py": APP, **{f"area{n}/views.py": VIEWS.format(n=n) for n in range(modules)}})


async def test_indexing_shows_progress(tmp_path: Path) -> None:
    async with lsp_session(flask_app(tmp_path)) as session:
        session.open("app.py")
        await session.diagnostics("app.py", version=1)
        await session.settle()
        reports = session.client.progress_reports
    [values] = reports.values()
    kinds = [type(value) for value in values]
    assert kinds[0] is types.WorkDoneProgressBegin and kinds[-1] is types.WorkDoneProgressEnd
    assert set(kinds[1:-1]) == {types.WorkDoneProgressReport}
    assert values[0].title == "flasklint" and values[0].message == f"indexing {tmp_path.name}"
    assert values[1].message == "analysing 2 files"  # app.py and templates/index.html
    assert values[-1].message == "2 files indexed"


async def test_own_diagnostics_arrive_before_the_index_is_ready(tmp_path: Path) -> None:
    root = large_project(tmp_path)
    async with lsp_session(root) as session:
        session.open("app.py")
        final = await session.diagnostics("app.py", version=1, until=lambda found: "FLK201" in codes(found))
        first = next(p for p in session.published if p.uri == session.uri("app.py"))
    assert codes(first.diagnostics) == ["FLK101"]  # the file rule, before FLK201 (a project rule) could be known
    assert codes(final) == ["FLK101", "FLK201"]
    assert codes(final) == codes_of_check(root, "app.py")


async def test_the_analysis_waits_for_the_open_documents_own_diagnostics(tmp_path: Path) -> None:
    """A document opened as the editor starts gets its own rules' findings before the project's
    analysis starts ("analysing N files"): run beside it, that analysis took the CPU from them."""
    root = large_project(tmp_path)
    # Long enough that its analysis cannot finish before the project's starts, unless it waits.
    helpers = "".join(f"\n\ndef helper_{n}(value):\n    return {{'n': {n}, 'value': value}}\n" for n in range(300))
    (root / "app.py").write_text(APP + helpers, encoding="utf-8")
    async with lsp_session(root) as session:
        session.open("app.py")
        await session.diagnostics("app.py", version=1, until=lambda found: "FLK201" in codes(found))
        await session.settle()
        events = list(session.client.events)  # type: ignore[attr-defined]
    own = next(n for n, e in enumerate(events) if isinstance(e, types.PublishDiagnosticsParams))
    analysing = next(n for n, e in enumerate(events) if progress_message(e).startswith("analysing"))
    assert codes(events[own].diagnostics) == ["FLK101"]
    assert progress_message(events[analysing]) == "analysing 41 files"
    assert own < analysing


async def test_small_projects_publish_once(tmp_path: Path) -> None:
    """A small project is indexed at once: no partial set first (it would flicker)."""
    root = write_files(tmp_path, {"app.py": APP})
    async with lsp_session(root) as session:
        session.open("app.py")
        await session.diagnostics("app.py", version=1)
        await session.settle()
        published = [p for p in session.published if p.uri == session.uri("app.py")]
    assert [codes(p.diagnostics) for p in published] == [["FLK101", "FLK201"]]


def codes_of_check(root: Path, relative: str) -> list[str]:
    project = Project(root, use_cache=False)
    project.discover()
    project.analyse()
    return sorted(d.code for d in project.diagnostics(relative))


def progress_message(event: object) -> str:
    if isinstance(event, types.ProgressParams) and isinstance(event.value, dict):
        return str(event.value.get("message", ""))
    return ""


def codes(diagnostics: list[types.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in diagnostics)
