"""A document opened as it is saved, after the build analysed the file on disk, is not analysed
again: its diagnostics come from the build's analysis of the very same bytes."""

from __future__ import annotations

import asyncio
import os
import pstats
from pathlib import Path

import pytest

import flasklint.engine
from flasklint.engine import Project
from flasklint_lsp.projects import ProjectState
from flasklint_lsp.settings import Settings
from harness import flask_app, lsp_session, write_files

APP = """\
from flask import Flask, request, url_for

app = Flask(__name__)


@app.route("/")
def index():
    return f"<p>{request.args['q']}</p><a href='{url_for('nowhere')}'>x</a>"
"""
EDITED = APP.replace("'nowhere'", "'index'")


def built(root: Path) -> ProjectState:
    state = ProjectState(root, discovered=True)
    state.discover(Settings())
    state.analyse({})
    return state


def check(root: Path, overlays: dict[str, str] | None = None) -> list:
    project = Project(root, use_cache=False)
    project.discover()
    project.analyse(overlays or {})
    return project.diagnostics("app.py")


def count_analyses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    analysed: list[str] = []
    analyse = flasklint.engine.analyse_python

    def counted(relative: str, *args: object) -> object:
        analysed.append(relative)
        return analyse(relative, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(flasklint.engine, "analyse_python", counted)
    return analysed


def test_a_document_opened_as_on_disk_is_not_analysed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_files(tmp_path, {"app.py": APP, "other.py": "from app import app\n"})
    state = built(root)
    analysed = count_analyses(monkeypatch)
    update = state.update("app.py", APP, 1)
    assert analysed == []
    assert update.diagnostics == check(root) and [d.code for d in update.diagnostics] == ["FLK101", "FLK201"]
    assert not update.index_changed
    assert state.analysed["app.py"].facts is state.project.facts["app.py"]  # a comment appended next is cheap too


def test_other_text_is_analysed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_files(tmp_path, {"app.py": APP})
    state = built(root)
    analysed = count_analyses(monkeypatch)
    update = state.update("app.py", EDITED, 1)
    assert analysed == ["app.py"]
    assert update.diagnostics == check(root, {"app.py": EDITED})


def test_a_buffer_edited_then_put_back_as_on_disk_is_analysed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine then holds the edited buffer's facts, not the disk's: the disk's bytes say nothing."""
    root = write_files(tmp_path, {"app.py": APP})
    state = built(root)
    state.update("app.py", EDITED, 1)
    analysed = count_analyses(monkeypatch)
    update = state.update("app.py", APP, 2)
    assert analysed == ["app.py"]
    assert update.diagnostics == check(root)


def test_a_buffer_with_a_coding_cookie_is_compared_in_its_encoding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "# -*- coding: latin-1 -*-\n" + APP.replace("<p>", "<p>caf\u00e9 ")
    (tmp_path / "app.py").write_bytes(text.encode("latin-1"))
    state = built(tmp_path)
    analysed = count_analyses(monkeypatch)
    update = state.update("app.py", text, 1)
    assert analysed == []
    assert update.diagnostics == check(tmp_path)


@pytest.mark.asyncio
async def test_the_server_analyses_an_opened_document_once(tmp_path: Path) -> None:
    """Opened right after `initialized`: the build reads it from disk, and that analysis serves."""
    profile = tmp_path / "profile"
    environment = {**os.environ, "FLASKLINT_LSP_PROFILE": str(profile)}
    root = flask_app(tmp_path / "app")
    async with lsp_session(root, server_env=environment) as session:
        session.open("app.py")
        await session.diagnostics("app.py", version=1)
        await asyncio.sleep(0.3)  # the statistics are written after each engine call
    stats = pstats.Stats(str(profile) + ".flasklint-engine").stats  # type: ignore[attr-defined]
    calls = sum(entry[1] for (file, _, name), entry in stats.items() if name == "analyse_python" and file.endswith("engine.py"))
    assert calls == 1
