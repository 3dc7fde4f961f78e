"""Diagnostics through the real server: what `flasklint check` says, where the editor expects it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lsprotocol import types

from flasklint.engine import Project
from flasklint.rules import RULES_BY_CODE
from harness import APP, capabilities, flask_app, lsp_session, write_files

pytestmark = pytest.mark.asyncio

QUICKSTART = Path(__file__).resolve().parents[2] / "examples" / "quickstart"
BROKEN = "from flask import Flask\n\napp = Flask(__name__\n"


async def test_diagnostics_match_flasklint_check_on_the_quickstart(tmp_path: Path) -> None:
    root = tmp_path / "quickstart"
    shutil.copytree(QUICKSTART, root)
    project = Project(root, use_cache=False)
    project.discover()
    project.analyse()
    expected = {
        relative: [(d.code, d.start.row - 1, d.start.column, d.end.row - 1, d.end.column, d.message) for d in found]
        for relative in sorted(project.facts)
        if (found := project.diagnostics(relative))
    }
    assert len(expected) >= 4, expected  # app.py, config.py, flask.py, Dockerfile, templates...
    async with lsp_session(root) as session:
        for relative in expected:
            session.open(relative, language_id="python" if relative.endswith(".py") else "plaintext")
        for relative, wanted in expected.items():
            got = await session.diagnostics(relative, version=1)
            assert [
                (d.code, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character, d.message)
                for d in got
            ] == wanted, relative


async def test_diagnostic_fields(tmp_path: Path) -> None:
    flask_project = flask_app(tmp_path)
    async with lsp_session(flask_project) as session:
        session.open("app.py", BROKEN)
        [diagnostic] = await session.diagnostics("app.py", version=1)
    rule = RULES_BY_CODE["FLK001"]
    assert diagnostic.code == "FLK001"
    assert diagnostic.source == "flasklint"
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.code_description is not None and diagnostic.code_description.href == rule.url()
    assert diagnostic.range.start == types.Position(line=2, character=11)
    assert diagnostic.data == {"noqa_row": 3}


async def test_published_on_open_change_and_cleared_on_close(tmp_path: Path) -> None:
    flask_project = flask_app(tmp_path)
    async with lsp_session(flask_project) as session:
        session.open("app.py")
        assert await session.diagnostics("app.py", version=1) == []
        version = session.change("app.py", BROKEN)
        assert [d.code for d in await session.diagnostics("app.py", version=version)] == ["FLK001"]
        version = session.change("app.py", APP)
        assert await session.diagnostics("app.py", version=version) == []
        session.change("app.py", BROKEN)
        await session.diagnostics("app.py", version=3)
        mark = session.mark()
        session.close("app.py")
        # Version 4's diagnostics may still arrive before the close clears them (or be cancelled).
        await session.diagnostics("app.py", after=mark, until=lambda found: not found)
        await session.settle()
        assert session.published[-1].version is None and not session.published[-1].diagnostics


async def test_debounce_publishes_only_the_last_version(tmp_path: Path) -> None:
    flask_project = flask_app(tmp_path)
    async with lsp_session(flask_project, settings={"debounce": 300}) as session:
        session.open("app.py")
        await session.diagnostics("app.py", version=1)
        mark = session.mark()
        for _ in range(4):
            session.change("app.py", BROKEN)
        final = session.change("app.py", APP + "\nx = (\n")
        got = await session.diagnostics("app.py", after=mark)
        await session.settle(0.5)
        versions = [p.version for p in session.published[mark:] if p.uri == session.uri("app.py")]
        assert versions == [final]
        assert [d.code for d in got] == ["FLK001"]


async def test_stale_results_are_dropped_without_debounce(tmp_path: Path) -> None:
    """Changes faster than the engine: every publication carries the version it was computed for,
    versions never go backwards, and the last one is the document's last version."""
    flask_project = flask_app(tmp_path)
    async with lsp_session(flask_project) as session:
        session.open("app.py")
        await session.diagnostics("app.py", version=1)
        mark = session.mark()
        # Big enough (about 0.1 s of parsing each) that changes queue up behind the engine.
        body = "".join(f"\n\n@app.route('/p{n}')\ndef page_{n}():\n    return url_for('index')\n" for n in range(300))
        texts = [APP + body + f"\nx_{i} = 1\n" if i % 2 else BROKEN + body for i in range(12)]
        for text in texts:
            session.change("app.py", text)
        last = session.versions[session.uri("app.py")]
        got = await session.diagnostics("app.py", version=last)
        await session.settle()
        versions = [p.version for p in session.published[mark:]]
        assert versions == sorted(versions) and versions[-1] == last
        assert len(versions) < len(texts)  # superseded results were dropped, not published
        expected = ["FLK001"] if texts[-1].startswith(BROKEN) else []
        assert [d.code for d in got] == expected


async def test_utf16_positions_with_chinese_and_emoji(tmp_path: Path) -> None:
    line = "<div><p>你好，世界 🎉🎉</p> <a href=\"{{ url_for('nowhere') }}\">x</a>\n"
    write_files(tmp_path, {"app.py": APP, "templates/page.html": line})
    async with lsp_session(tmp_path) as session:
        session.open("templates/page.html")
        [diagnostic] = await session.diagnostics("templates/page.html", version=1)
    assert diagnostic.code == "FLK201"
    code_points = line.index("'nowhere'")
    utf16 = len(line[:code_points].encode("utf-16-le")) // 2
    assert utf16 == code_points + 2  # each emoji is two UTF-16 units
    assert diagnostic.range.start.character == utf16
    assert diagnostic.range.end.character == utf16 + len("'nowhere'")


@pytest.mark.parametrize(
    ("encoding", "unit_length"),
    [
        (types.PositionEncodingKind.Utf8, lambda s: len(s.encode("utf-8"))),
        (types.PositionEncodingKind.Utf32, len),
    ],
)
async def test_negotiated_position_encodings(tmp_path: Path, encoding: str, unit_length) -> None:
    line = "<p>中文🎉</p>{{ url_for('nowhere') }}\n"
    write_files(tmp_path, {"app.py": APP, "templates/page.html": line})
    async with lsp_session(tmp_path, caps=capabilities(position_encodings=[encoding])) as session:
        session.open("templates/page.html")
        [diagnostic] = await session.diagnostics("templates/page.html", version=1)
    assert diagnostic.range.start.character == unit_length(line[: line.index("'nowhere'")])


async def test_python_positions_after_astral_characters(tmp_path: Path) -> None:
    flask_project = flask_app(tmp_path)
    source = APP + 'LABEL = "首页 🏠"; app.run(host="0.0.0.0", debug=True)\n'
    async with lsp_session(flask_project) as session:
        session.open("app.py", source)
        diagnostics = await session.diagnostics("app.py", version=1)
    [debug] = [d for d in diagnostics if d.code == "FLK103"]
    line = source.splitlines()[debug.range.start.line]
    project = write_files(flask_project, {"app.py": source})
    [engine] = [d for d in _engine_diagnostics(project, "app.py") if d.code == "FLK103"]
    assert debug.range.start.character == len(line[: engine.start.column].encode("utf-16-le")) // 2
    assert debug.range.start.character == engine.start.column + 1  # one emoji before the finding


async def test_templates_and_other_files_are_linted_like_the_cli(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "app.py": APP,
            "templates/broken.html": "{% if x %}\n<p>never closed</p>\n",
            "static/page.html": "{% if x %}\n",  # not a template folder: the CLI skips it
            "build/gen.py": BROKEN,  # excluded by default
            "Dockerfile": "CMD flask run --debug --host=0.0.0.0\n",
        },
    )
    async with lsp_session(tmp_path) as session:
        session.open("templates/broken.html")
        session.open("static/page.html", language_id="html")
        session.open("build/gen.py")
        session.open("Dockerfile", language_id="dockerfile")
        assert [d.code for d in await session.diagnostics("templates/broken.html", version=1)] == ["FLK403"]
        assert await session.diagnostics("static/page.html", version=1) == []
        assert await session.diagnostics("build/gen.py", version=1) == []
        assert [d.code for d in await session.diagnostics("Dockerfile", version=1)] == ["FLK103"]


async def test_noqa_comments_are_honoured(tmp_path: Path) -> None:
    flask_project = flask_app(tmp_path)
    async with lsp_session(flask_project) as session:
        session.open("app.py", APP + 'if __name__ == "__main__":\n    app.run(host="0.0.0.0", debug=True)  # noqa: FLK103\n')
        assert await session.diagnostics("app.py", version=1) == []


async def test_garbage_documents_get_diagnostics_not_a_dead_server(tmp_path: Path) -> None:
    flask_project = flask_app(tmp_path)
    garbage = {
        "nul.py": "x = 1\x00\n",
        "binary.py": "".join(chr(c) for c in range(1, 300)) + "\ud800",
        "empty.py": "",
        "deep.py": "x = " + "(" * 5000 + ")" * 5000 + "\n",
        "templates/bad.html": "{{ url_for( }} {% endfor %} \x00 {#",
    }
    async with lsp_session(flask_project) as session:
        for relative, text in garbage.items():
            session.open(relative, text)
        for relative in garbage:
            await session.diagnostics(relative, version=1)
        codes = {p.uri.rsplit("/", 1)[-1]: [d.code for d in p.diagnostics] for p in session.published}
        assert codes["nul.py"] == ["FLK001"]
        assert codes["empty.py"] == []
        session.open("app.py")  # still alive and linting
        assert await session.diagnostics("app.py", version=1) == []


def _engine_diagnostics(root: Path, relative: str):
    project = Project(root, use_cache=False)
    project.discover()
    project.analyse()
    return project.diagnostics(relative)


async def test_published_under_a_path_with_quoted_characters(tmp_path: Path) -> None:
    """Editors quote `+` and spaces in URIs (`file:///my%20app%2B1/app.py`); pygls files documents unquoted."""
    root = flask_app(tmp_path / "my app+1")
    async with lsp_session(root) as session:
        uri = session.open("app.py", BROKEN)
        assert "%2B" in uri and "%20" in uri
        assert [d.code for d in await session.diagnostics("app.py", version=1)] == ["FLK001"]
        # Re-linting every open document (settings turned on again) publishes under the editor's URI too.
        session.configure({"enable": False})
        await session.diagnostics("app.py", until=lambda d: not d)
        mark = session.mark()
        session.configure({"enable": True})
        assert [d.code for d in await session.diagnostics("app.py", after=mark)] == ["FLK001"]
        assert {p.uri for p in session.published} == {uri}
