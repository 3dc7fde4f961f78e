"""The workspace index: cross-file refresh, watched files, config reloads, settings, multi-root."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lsprotocol import types

import flasklint

from harness import APP, flask_app, lsp_session, write_files

pytestmark = pytest.mark.asyncio

TEMPLATE = "<a href=\"{{ url_for('about') }}\">about</a>\n"
ABOUT = APP + '\n\n@app.route("/about")\ndef about():\n    return "about"\n'
DEBUG_RUN = 'if __name__ == "__main__":\n    app.run(host="0.0.0.0", debug=True)\n'  # guarded: FLK103 alone


def codes(diagnostics: list[types.Diagnostic]) -> list[str]:
    return [str(d.code) for d in diagnostics]


async def test_adding_and_renaming_a_route_updates_an_open_template(tmp_path: Path) -> None:
    flask_project = flask_app(tmp_path)
    write_files(flask_project, {"templates/about.html": TEMPLATE})
    async with lsp_session(flask_project) as session:
        session.open("templates/about.html")
        session.open("app.py")
        assert codes(await session.diagnostics("templates/about.html", version=1)) == ["FLK201"]
        await session.diagnostics("app.py", version=1)

        session.change("app.py", ABOUT)  # the route appears in the buffer, unsaved
        await session.diagnostics("templates/about.html", version=1, until=lambda d: not d)

        session.change("app.py", ABOUT.replace("def about", "def about_page"))  # renaming the view
        await session.diagnostics("templates/about.html", version=1, until=lambda d: codes(d) == ["FLK201"])

        session.change("app.py", ABOUT)
        await session.diagnostics("templates/about.html", version=1, until=lambda d: not d)
        mark = session.mark()
        session.close("app.py")  # the unsaved route is gone with its buffer: disk has no /about
        await session.diagnostics("templates/about.html", after=mark, until=lambda d: codes(d) == ["FLK201"])


async def test_a_file_changed_on_disk_updates_open_documents(tmp_path: Path) -> None:
    flask_project = flask_app(tmp_path)
    write_files(flask_project, {"templates/about.html": TEMPLATE})
    async with lsp_session(flask_project) as session:
        session.open("templates/about.html")
        assert codes(await session.diagnostics("templates/about.html", version=1)) == ["FLK201"]
        write_files(flask_project, {"views.py": 'from app import app\n\n@app.route("/about")\ndef about():\n    return ""\n'})
        mark = session.mark()
        session.files_changed(("views.py", types.FileChangeType.Created))
        await session.diagnostics("templates/about.html", after=mark, until=lambda d: not d)

        (flask_project / "views.py").unlink()
        mark = session.mark()
        session.files_changed(("views.py", types.FileChangeType.Deleted))
        await session.diagnostics("templates/about.html", after=mark, until=lambda d: codes(d) == ["FLK201"])


async def test_the_server_asks_to_watch_the_files_the_engine_reads(tmp_path: Path) -> None:
    flask_project = flask_app(tmp_path)
    async with lsp_session(flask_project) as session:
        session.open("app.py")
        await session.diagnostics("app.py", version=1)
        [registration] = session.client.registrations  # type: ignore[attr-defined]
    assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    globs = [w["globPattern"] for w in registration.register_options["watchers"]]
    assert "**/*.py" in globs and "**/pyproject.toml" in globs
    assert any("html" in glob and "j2" in glob for glob in globs)


async def test_pyproject_is_reread_when_it_changes(tmp_path: Path) -> None:
    flask_project = flask_app(tmp_path)
    async with lsp_session(flask_project) as session:
        session.open("app.py", APP + DEBUG_RUN)
        assert codes(await session.diagnostics("app.py", version=1)) == ["FLK103"]

        write_files(flask_project, {"pyproject.toml": '[tool.flasklint]\nignore = ["FLK103"]\n'})
        mark = session.mark()
        session.files_changed(("pyproject.toml", types.FileChangeType.Created))
        await session.diagnostics("app.py", after=mark, until=lambda d: not d)

        write_files(flask_project, {"pyproject.toml": "[tool.flasklint]\nignore = []\n"})
        mark = session.mark()
        session.open("pyproject.toml", language_id="toml")
        session.save("pyproject.toml")  # clients without file watching: saving it in the editor
        await session.diagnostics("app.py", after=mark, until=lambda d: codes(d) == ["FLK103"])


async def test_a_broken_pyproject_is_reported_and_defaults_apply(tmp_path: Path) -> None:
    flask_project = flask_app(tmp_path)
    write_files(flask_project, {"pyproject.toml": "[tool.flasklint]\nslect = ['FLK1']\n"})
    async with lsp_session(flask_project) as session:
        session.open("app.py", APP + DEBUG_RUN)
        assert codes(await session.diagnostics("app.py", version=1)) == ["FLK103"]
        messages = [m.message for m in session.client.messages]  # window/showMessage
    assert any("slect" in m for m in messages), messages


async def test_settings_from_initialization_options(tmp_path: Path) -> None:
    flask_project = flask_app(tmp_path)
    settings = {"severity": {"FLK1": "hint"}, "ignore": ["FLK001"]}
    async with lsp_session(flask_project, settings=settings) as session:
        session.open("app.py", APP + DEBUG_RUN)
        session.open("broken.py", "x = (\n")
        [diagnostic] = await session.diagnostics("app.py", version=1)
        assert await session.diagnostics("broken.py", version=1) == []
    assert diagnostic.code == "FLK103"
    assert diagnostic.severity == types.DiagnosticSeverity.Hint


async def test_did_change_configuration_applies_at_once(tmp_path: Path) -> None:
    flask_project = flask_app(tmp_path)
    async with lsp_session(flask_project) as session:
        session.open("app.py", APP + DEBUG_RUN)
        [diagnostic] = await session.diagnostics("app.py", version=1)
        assert diagnostic.severity == types.DiagnosticSeverity.Error

        session.configure({"severity": {"FLK103": "information"}})
        await session.diagnostics(
            "app.py", until=lambda d: [x.severity for x in d] == [types.DiagnosticSeverity.Information]
        )
        session.configure({"select": ["FLK2"]})
        await session.diagnostics("app.py", until=lambda d: not d)
        session.configure({"select": [], "enable": False})
        await session.diagnostics("app.py", until=lambda d: not d)
        session.change("app.py", APP + DEBUG_RUN + "\n")
        await session.settle()
        assert list(session.published[-1].diagnostics) == []
        session.configure({"enable": True})
        await session.diagnostics("app.py", version=2, until=lambda d: codes(d) == ["FLK103"])


async def test_bad_settings_are_reported_and_ignored(tmp_path: Path) -> None:
    flask_project = flask_app(tmp_path)
    settings = {"run": "sometimes", "debounce": -5, "severity": {"FLK1": "fatal"}, "colour": "red"}
    async with lsp_session(flask_project, settings=settings) as session:
        session.open("app.py", APP + DEBUG_RUN)
        [diagnostic] = await session.diagnostics("app.py", version=1)
        messages = " ".join(m.message for m in session.client.messages)
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    for word in ("run", "debounce", "fatal", "colour"):
        assert word in messages


async def test_run_on_save(tmp_path: Path) -> None:
    flask_project = flask_app(tmp_path)
    async with lsp_session(flask_project, settings={"run": "onSave"}) as session:
        session.open("app.py")
        assert await session.diagnostics("app.py", version=1) == []
        session.change("app.py", APP + DEBUG_RUN)
        await session.settle()
        assert session.published[-1].version == 1
        session.save("app.py")
        assert codes(await session.diagnostics("app.py", version=2)) == ["FLK103"]


async def test_multi_root_folders_have_their_own_config(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    write_files(first, {"app.py": APP})
    write_files(second, {"app.py": APP, "pyproject.toml": '[tool.flasklint]\nignore = ["FLK103"]\n'})
    async with lsp_session(tmp_path, folders=[first, second]) as session:
        session.open("first/app.py", APP + DEBUG_RUN)
        session.open("second/app.py", APP + DEBUG_RUN)
        assert codes(await session.diagnostics("first/app.py", version=1)) == ["FLK103"]
        assert await session.diagnostics("second/app.py", version=1) == []
        log = "\n".join(m.message for m in session.client.log_messages)
    assert str(first) in log and str(second) in log


async def test_a_file_outside_every_folder_is_linted_on_its_own(tmp_path: Path) -> None:
    folder, elsewhere = tmp_path / "folder", tmp_path / "elsewhere"
    write_files(folder, {"app.py": APP})
    write_files(elsewhere, {"script.py": APP + DEBUG_RUN})
    async with lsp_session(tmp_path, folders=[folder]) as session:
        session.open("elsewhere/script.py")
        assert codes(await session.diagnostics("elsewhere/script.py", version=1)) == ["FLK103"]


async def test_startup_log_names_version_python_and_roots(tmp_path: Path) -> None:
    flask_project = flask_app(tmp_path)
    async with lsp_session(flask_project) as session:
        session.open("app.py")
        await session.diagnostics("app.py", version=1)
        [startup] = [m for m in session.client.log_messages if "language server" in m.message]
    assert f"flasklint {flasklint.__version__}" in startup.message
    assert "Python 3." in startup.message and str(flask_project) in startup.message


async def test_a_half_typed_buffer_keeps_its_routes_in_the_index(tmp_path: Path) -> None:
    """While app.py does not parse (mid-edit), templates naming its routes do not flicker to FLK201."""
    flask_project = flask_app(tmp_path)
    write_files(flask_project, {"templates/about.html": TEMPLATE})
    async with lsp_session(flask_project) as session:
        session.open("templates/about.html")
        session.open("app.py", ABOUT)
        await session.diagnostics("app.py", version=1)
        await session.diagnostics("templates/about.html", version=1, until=lambda d: not d)
        mark = session.mark()
        version = session.change("app.py", ABOUT + '\n\ndef later():\n    return url_for("\n')
        assert codes(await session.diagnostics("app.py", version=version)) == ["FLK001"]
        version = session.change("app.py", ABOUT.replace("def about", "def about_page") + "\nx = (\n")
        assert codes(await session.diagnostics("app.py", version=version)) == ["FLK001"]
        await session.settle()
        assert all(p.uri != session.uri("templates/about.html") for p in session.published[mark:])
        version = session.change("app.py", ABOUT.replace("def about", "def about_page"))  # parses again
        assert await session.diagnostics("app.py", version=version) == []
        await session.diagnostics("templates/about.html", after=mark, until=lambda d: codes(d) == ["FLK201"])


async def test_workspace_folders_added_later(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    write_files(first, {"app.py": APP})
    write_files(second, {"app.py": APP, "pyproject.toml": '[tool.flasklint]\nignore = ["FLK103"]\n'})
    async with lsp_session(tmp_path, folders=[first]) as session:
        session.open("second/app.py", APP + DEBUG_RUN)
        # Outside every folder: linted on its own, with its own pyproject.toml.
        assert await session.diagnostics("second/app.py", version=1) == []
        session.client.workspace_did_change_workspace_folders(
            types.DidChangeWorkspaceFoldersParams(
                event=types.WorkspaceFoldersChangeEvent(
                    added=[types.WorkspaceFolder(uri=second.as_uri(), name="second")], removed=[]
                )
            )
        )
        version = session.change("second/app.py", APP + DEBUG_RUN + "\n")
        assert await session.diagnostics("second/app.py", version=version) == []
        write_files(second, {"pyproject.toml": "[tool.flasklint]\n"})
        mark = session.mark()
        session.files_changed(("second/pyproject.toml", types.FileChangeType.Changed))
        await session.diagnostics("second/app.py", after=mark, until=lambda d: codes(d) == ["FLK103"])


async def test_an_empty_configuration_change_pulls_the_flasklint_section(tmp_path: Path) -> None:
    flask_project = flask_app(tmp_path)
    async with lsp_session(flask_project) as session:
        session.open("app.py", APP + DEBUG_RUN)
        assert codes(await session.diagnostics("app.py", version=1)) == ["FLK103"]
        session.client.set_configuration({"ignore": ["FLK103"]}, section="flasklint")
        session.client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
        await session.diagnostics("app.py", until=lambda d: not d)


async def test_a_folder_moved_in_or_deleted_is_one_watcher_event(tmp_path: Path) -> None:
    flask_project = flask_app(tmp_path)
    write_files(flask_project, {"templates/about.html": TEMPLATE})
    async with lsp_session(flask_project) as session:
        session.open("templates/about.html")
        assert codes(await session.diagnostics("templates/about.html", version=1)) == ["FLK201"]
        views = 'from app import app\n\n@app.route("/about")\ndef about():\n    return ""\n'
        write_files(flask_project, {"pages/__init__.py": "", "pages/views.py": views})
        mark = session.mark()
        session.files_changed(("pages", types.FileChangeType.Created))
        await session.diagnostics("templates/about.html", after=mark, until=lambda d: not d)

        shutil.rmtree(flask_project / "pages")
        mark = session.mark()
        session.files_changed(("pages", types.FileChangeType.Deleted))
        await session.diagnostics("templates/about.html", after=mark, until=lambda d: codes(d) == ["FLK201"])
