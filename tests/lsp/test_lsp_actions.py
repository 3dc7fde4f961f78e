"""Code actions, each applied the way an editor applies it, then re-linted through the server."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lsprotocol import types

from flasklint.source import SourceError, parse_source
from harness import APP, Session, apply_text_edits, capabilities, edits_for, flask_app, lsp_session, write_files

pytestmark = pytest.mark.asyncio

QUICKSTART = Path(__file__).resolve().parents[2] / "examples" / "quickstart"
DEBUG_RUN = 'if __name__ == "__main__":\n    app.run(host="0.0.0.0", debug=True)\n'  # guarded: FLK103 alone


async def code_actions(
    session: Session, relative: str, diagnostics: list[types.Diagnostic], only: list[str] | None = None
) -> list[types.CodeAction]:
    whole = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=10**6, character=0))
    result = await session.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=session.uri(relative)),
            range=diagnostics[0].range if diagnostics else whole,
            context=types.CodeActionContext(diagnostics=diagnostics, only=only),
        )
    )
    return [a for a in result or [] if isinstance(a, types.CodeAction)]


def quickstart(tmp_path: Path) -> Path:
    root = tmp_path / "quickstart"
    shutil.copytree(QUICKSTART, root)
    return root


async def test_every_quick_fix_applies_parses_and_clears_its_diagnostic(tmp_path: Path) -> None:
    root = quickstart(tmp_path)
    applied = 0
    async with lsp_session(root) as session:
        for relative in ("app.py", "config.py", "templates/base.html", "templates/index.html", "Dockerfile"):
            session.open(relative, language_id="python" if relative.endswith(".py") else "jinja-html")
            diagnostics = await session.diagnostics(relative, version=1)
            for diagnostic in [d for d in diagnostics if "fix" in (d.data or {})][:1]:  # later ranges would be stale
                text = session.text(relative)
                actions = await code_actions(session, relative, [diagnostic])
                [fix] = [a for a in actions if a.title.startswith(str(diagnostic.code)) and a.kind == "quickfix"]
                assert fix.is_preferred == (diagnostic.data["fix"]["applicability"] == "safe")
                current = apply_text_edits(text, edits_for(fix, session.uri(relative)))
                if relative.endswith(".py"):
                    assert not isinstance(parse_source(current), SourceError), current
                version = session.change(relative, current)
                after = await session.diagnostics(relative, version=version)
                assert (diagnostic.code, diagnostic.range.start.line) not in {
                    (d.code, d.range.start.line) for d in after
                }, fix.title
                applied += 1
    assert applied >= 4


async def test_quick_fix_works_when_the_client_drops_data(tmp_path: Path) -> None:
    root = quickstart(tmp_path)
    async with lsp_session(root) as session:
        session.open("templates/index.html")
        [hardcoded] = [d for d in await session.diagnostics("templates/index.html", version=1) if d.code == "FLK203"]
        stripped = types.Diagnostic(range=hardcoded.range, message=hardcoded.message, code=hardcoded.code, source="flasklint")
        actions = await code_actions(session, "templates/index.html", [stripped])
    [fix] = [a for a in actions if a.title.startswith("FLK203")]
    assert "url_for('profile'" in edits_for(fix, session.uri("templates/index.html"))[0].new_text


async def test_disable_for_this_line_in_python_and_templates(tmp_path: Path) -> None:
    root = quickstart(tmp_path)
    async with lsp_session(root) as session:
        for relative, comment in (("app.py", "# noqa: FLK103"), ("templates/base.html", "{# noqa: FLK201 #}")):
            session.open(relative)
            diagnostics = await session.diagnostics(relative, version=1)
            code = comment.split(": ")[1].split()[0]
            [target] = [d for d in diagnostics if d.code == code]
            actions = await code_actions(session, relative, [target])
            [disable] = [a for a in actions if a.title == f"Disable {code} for this line"]
            fixed = apply_text_edits(session.text(relative), edits_for(disable, session.uri(relative)))
            assert fixed.splitlines()[target.range.start.line].endswith(comment)
            version = session.change(relative, fixed)
            after = await session.diagnostics(relative, version=version)
            assert code not in [d.code for d in after if d.range.start.line == target.range.start.line]
            assert len(after) == len(diagnostics) - 1


async def test_disable_extends_an_existing_noqa_comment(tmp_path: Path) -> None:
    flask_project = flask_app(tmp_path)
    source = APP + 'if __name__ == "__main__":\n    app.run(host="0.0.0.0", debug=True)  # noqa: E501\n'
    async with lsp_session(flask_project) as session:
        session.open("app.py", source)
        [diagnostic] = await session.diagnostics("app.py", version=1)
        actions = await code_actions(session, "app.py", [diagnostic])
        [disable] = [a for a in actions if a.title.startswith("Disable")]
        fixed = apply_text_edits(source, edits_for(disable, session.uri("app.py")))
    assert fixed.splitlines()[-1].endswith("# noqa: E501, FLK103")


async def test_disable_goes_after_a_multi_line_string(tmp_path: Path) -> None:
    flask_project = flask_app(tmp_path)
    source = APP + 'app.secret_key = """dev\nkey"""\n'
    async with lsp_session(flask_project) as session:
        session.open("app.py", source)
        diagnostics = await session.diagnostics("app.py", version=1)
        [secret] = [d for d in diagnostics if d.code == "FLK104"]
        actions = await code_actions(session, "app.py", [secret])
        [disable] = [a for a in actions if a.title.startswith("Disable")]
        fixed = apply_text_edits(source, edits_for(disable, session.uri("app.py")))
        assert fixed.endswith('key"""  # noqa: FLK104\n')
        version = session.change("app.py", fixed)
        assert "FLK104" not in [d.code for d in await session.diagnostics("app.py", version=version)]


async def test_flk301_offers_a_rename_when_the_client_supports_it(tmp_path: Path) -> None:
    root = quickstart(tmp_path)
    async with lsp_session(root) as session:
        session.open("flask.py")
        [shadow] = await session.diagnostics("flask.py", version=1)
        actions = await code_actions(session, "flask.py", [shadow])
    [rename] = [a for a in actions if a.title.startswith("Rename")]
    [operation] = rename.edit.document_changes
    assert isinstance(operation, types.RenameFile)
    assert operation.old_uri == session.uri("flask.py")
    assert operation.new_uri == session.uri("flask_app.py")  # app.py is taken


async def test_no_rename_for_clients_without_resource_operations(tmp_path: Path) -> None:
    root = quickstart(tmp_path)
    async with lsp_session(root, caps=capabilities("emacs")) as session:
        session.open("flask.py")
        [shadow] = await session.diagnostics("flask.py", version=1)
        actions = await code_actions(session, "flask.py", [shadow])
    assert [a.title for a in actions] == ["Disable FLK301 for this line"]


REDIRECTS = """\
from flask import Flask, redirect, render_template, url_for

app = Flask(__name__)


@app.route("/")
def index():
    return render_template("index.html")


@app.route("/user/<int:user_id>")
def profile(user_id):
    return redirect("/")


@app.route("/old")
def old():
    return redirect("/user/42")
"""


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("app.py", ['redirect(url_for("index"))', 'redirect(url_for("profile", user_id=42))']),
        ("templates/index.html", ["{{ url_for('profile', user_id=7) }}", "{{ url_for('index') }}"]),
    ],
)
async def test_fix_all_applies_every_safe_fix_of_the_document(tmp_path: Path, relative: str, expected: list[str]) -> None:
    write_files(tmp_path, {"app.py": REDIRECTS, "templates/index.html": '<a href="/user/7">me</a> <a href="/">home</a>\n'})
    async with lsp_session(tmp_path) as session:
        session.open(relative)
        before = await session.diagnostics(relative, version=1)
        assert [d.code for d in before] == ["FLK203", "FLK203"]
        unasked = await code_actions(session, relative, [])  # a cursor move: quick fixes only
        assert unasked and all(a.kind == "quickfix" for a in unasked)
        [fix_all] = await code_actions(session, relative, [], only=["source.fixAll.flasklint"])
        assert fix_all.kind == "source.fixAll.flasklint"
        fixed = apply_text_edits(session.text(relative), edits_for(fix_all, session.uri(relative)))
        assert all(snippet in fixed for snippet in expected), fixed
        # The server still holds the buffer's text until the edit comes back as a change.
        assert [d.code for d in await session.diagnostics(relative, version=1)] == ["FLK203", "FLK203"]
        version = session.change(relative, fixed)
        assert await session.diagnostics(relative, version=version) == []
        assert await code_actions(session, relative, [], only=["source"]) == []


async def test_fix_all_leaves_unsafe_fixes_alone(tmp_path: Path) -> None:
    root = quickstart(tmp_path)
    (root / "templates" / "nav.html").write_text("<a href=\"{{ url_for('logn') }}\">Log in</a>\n")
    async with lsp_session(root) as session:
        session.open("templates/nav.html")
        diagnostics = await session.diagnostics("templates/nav.html", version=1)
        assert diagnostics and all(d.data["fix"]["applicability"] == "unsafe" for d in diagnostics)
        assert await code_actions(session, "templates/nav.html", [], only=["source.fixAll"]) == []


async def test_no_actions_from_stale_diagnostics(tmp_path: Path) -> None:
    flask_project = flask_app(tmp_path)
    async with lsp_session(flask_project, settings={"run": "onSave"}) as session:
        session.open("app.py", APP + DEBUG_RUN)
        [diagnostic] = await session.diagnostics("app.py", version=1)
        session.change("app.py", "\n\n" + APP + DEBUG_RUN)  # the diagnostic's row moved; not yet re-linted
        assert await code_actions(session, "app.py", [diagnostic]) == []
        session.save("app.py")
        [moved] = await session.diagnostics("app.py", version=2)
        assert moved.range.start.line == diagnostic.range.start.line + 2
        assert await code_actions(session, "app.py", [moved]) != []


async def test_versioned_edits_for_clients_with_document_changes(tmp_path: Path) -> None:
    flask_project = flask_app(tmp_path)
    async with lsp_session(flask_project) as session:
        session.open("app.py", APP + DEBUG_RUN)
        version = session.change("app.py", APP + "\n" + DEBUG_RUN)
        [diagnostic] = [d for d in await session.diagnostics("app.py", version=version) if d.code == "FLK103"]
        [*_, disable] = await code_actions(session, "app.py", [diagnostic])
    [change] = disable.edit.document_changes
    assert change.text_document.version == version


async def test_template_noqa_for_a_broken_template(tmp_path: Path) -> None:
    write_files(tmp_path, {"app.py": APP, "templates/t.html": "<p>\n{% if x %}\n"})
    async with lsp_session(tmp_path) as session:
        session.open("templates/t.html")
        [broken] = await session.diagnostics("templates/t.html", version=1)
        actions = await code_actions(session, "templates/t.html", [broken])
    assert [a.title for a in actions] == ["Disable FLK403 for this line"]


async def test_flk301_renames_a_shadowing_package(tmp_path: Path) -> None:
    write_files(tmp_path, {"app.py": APP, "flask/__init__.py": "VERSION = 1\n"})
    async with lsp_session(tmp_path) as session:
        session.open("flask/__init__.py")
        [shadow] = await session.diagnostics("flask/__init__.py", version=1)
        actions = await code_actions(session, "flask/__init__.py", [shadow])
    [rename] = [a for a in actions if a.title.startswith("Rename")]
    assert rename.title == "Rename flask to flask_app"
    [operation] = rename.edit.document_changes
    assert (operation.old_uri, operation.new_uri) == ((tmp_path / "flask").as_uri(), (tmp_path / "flask_app").as_uri())


async def test_a_quick_fix_keeps_a_crlf_documents_line_endings(tmp_path: Path) -> None:
    """Fixes insert whole lines (FLK302: `import os`, the key): in a CRLF document they end in CRLF
    too (VS Code converts line endings itself, Neovim does not)."""
    source = (
        'from flask import Flask, session\r\n\r\napp = Flask(__name__)\r\n\r\n\r\n@app.route("/")\r\n'
        'def index():\r\n    session["x"] = 1\r\n    return "ok"\r\n'
    )
    write_files(tmp_path, {"pyproject.toml": ""})
    (tmp_path / "app.py").write_bytes(source.encode())
    async with lsp_session(tmp_path) as session:
        session.open("app.py", text=source)
        [diagnostic] = [d for d in await session.diagnostics("app.py", version=1) if d.code == "FLK302"]
        actions = await code_actions(session, "app.py", [diagnostic])
        [fix] = [a for a in actions if a.title.startswith("FLK302") and a.kind == "quickfix"]
        fixed = apply_text_edits(source, edits_for(fix, session.uri("app.py")))
    assert fixed == source.replace("session\r\n", "session\r\nimport os\r\n", 1).replace(
        "app = Flask(__name__)\r\n", 'app = Flask(__name__)\r\napp.secret_key = os.environ["SECRET_KEY"]\r\n'
    )
