"""Flask-aware editing: endpoint completion, keyword completion, go-to-definition, hover."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lsprotocol import types

from harness import Session, apply_text_edits, capabilities, lsp_session, write_files

pytestmark = pytest.mark.asyncio

APP = """\
from flask import Flask, render_template, url_for

from auth import bp

app = Flask(__name__)
app.register_blueprint(bp, url_prefix="/auth")


@app.route("/")
def index():
    return render_template("index.html")


@app.route("/user/<int:user_id>/post/<slug>", methods=["GET", "POST"])
def show_post(user_id, slug):
    return url_for("index")
"""
AUTH = """\
from flask import Blueprint, redirect, url_for

bp = Blueprint("auth", __name__)


@bp.route("/login")
def login():
    return redirect(url_for(".logout"))


@bp.route("/logout")
def logout():
    return "bye"
"""
INDEX = """\
{% extends "base.html" %}
{% block body %}<a href="{{ url_for('auth.login') }}">🔑 log in</a>{% endblock %}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_files(
        tmp_path,
        {"app.py": APP, "auth.py": AUTH, "templates/index.html": INDEX, "templates/base.html": "{% block body %}{% endblock %}\n"},
    )


def at(text: str, needle: str, offset: int = 0) -> types.Position:
    """The UTF-16 position of `needle` (plus `offset` code points) in `text`."""
    index = text.index(needle) + offset
    line = text.count("\n", 0, index)
    column = index - (text.rfind("\n", 0, index) + 1)
    prefix = text.splitlines()[line][:column]
    return types.Position(line=line, character=len(prefix.encode("utf-16-le")) // 2)


async def ready(session: Session, relative: str, text: str | None = None) -> str:
    session.open(relative, text)
    await session.diagnostics(relative, version=1)
    return session.text(relative) if text is None else text


async def complete(session: Session, relative: str, position: types.Position) -> list[types.CompletionItem]:
    result = await session.client.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=session.uri(relative)), position=position)
    )
    if result is None:
        return []
    return list(result.items if isinstance(result, types.CompletionList) else result)


async def test_endpoint_completion_in_python(project: Path) -> None:
    text = APP + '\n\ndef later():\n    return url_for("au\n'
    async with lsp_session(project) as session:
        await ready(session, "app.py", text)
        items = await complete(session, "app.py", at(text, 'url_for("au', len('url_for("au')))
    by_label = {item.label: item for item in items}
    assert {"index", "show_post", "auth.login", "auth.logout", "static"} <= set(by_label)
    post = by_label["show_post"]
    assert post.detail == "/user/<int:user_id>/post/<slug> [GET, POST]"
    # The client takes snippets: the rule's variables are filled in, and the call closed.
    assert post.text_edit.new_text == 'show_post", user_id=${1:user_id}, slug=${2:slug})$0'
    assert post.insert_text_format == types.InsertTextFormat.Snippet
    assert by_label["index"].text_edit.new_text == "index" and by_label["index"].insert_text_format is None
    line = len(text.splitlines()) - 1
    assert post.text_edit.range == types.Range(
        start=types.Position(line=line, character=len('    return url_for("')),
        end=types.Position(line=line, character=len('    return url_for("au')),
    )
    assert "auth.py" in by_label["auth.login"].documentation.value


async def test_endpoint_completion_in_a_template_after_emoji(project: Path) -> None:
    text = "<p>🎉🎉</p>{{ url_for('sh"
    async with lsp_session(project) as session:
        await ready(session, "templates/new.html", text)
        items = await complete(session, "templates/new.html", at(text, "sh", 2))
    [post] = [item for item in items if item.label == "show_post"]
    start = len("<p>🎉🎉</p>{{ url_for('".encode("utf-16-le")) // 2
    assert post.text_edit.range.start == types.Position(line=0, character=start)
    assert post.text_edit.range.end == types.Position(line=0, character=start + 2)


async def test_keyword_completion_offers_the_rule_variables(project: Path) -> None:
    text = APP + '\n\ndef later():\n    return url_for("show_post", slug="x", \n'
    async with lsp_session(project) as session:
        await ready(session, "app.py", text)
        items = await complete(session, "app.py", at(text, 'slug="x", ', len('slug="x", ')))
    labels = [item.label for item in items]
    assert labels[0] == "user_id" and "slug" not in labels
    assert items[0].insert_text == "user_id=" and items[0].detail == "<int:user_id> in /user/<int:user_id>/post/<slug>"
    assert "_external" in labels


async def test_no_completion_outside_url_for(project: Path) -> None:
    text = APP + '\nX = "sh\n'
    async with lsp_session(project) as session:
        await ready(session, "app.py", text)
        assert await complete(session, "app.py", at(text, 'X = "sh', 7)) == []
        assert await complete(session, "app.py", at(text, 'url_for("index")', len('url_for("index")'))) == []


async def test_definition_of_endpoints_and_templates(project: Path) -> None:
    async with lsp_session(project) as session:
        app = await ready(session, "app.py")
        index = await ready(session, "templates/index.html")
        auth = await ready(session, "auth.py")

        async def definition(relative: str, position: types.Position) -> list[types.Location]:
            result = await session.client.text_document_definition_async(
                types.DefinitionParams(text_document=types.TextDocumentIdentifier(uri=session.uri(relative)), position=position)
            )
            return list(result or [])

        [view] = await definition("app.py", at(app, 'url_for("index")', 10))
        assert view.uri == session.uri("app.py")
        assert view.range.start.line == APP.splitlines().index("def index():")

        [login] = await definition("templates/index.html", at(index, "auth.login", 3))
        assert login.uri == session.uri("auth.py") and login.range.start.line == AUTH.splitlines().index("def login():")

        [relative] = await definition("auth.py", at(auth, '".logout"', 2))
        assert relative.uri == session.uri("auth.py") and relative.range.start.line == AUTH.splitlines().index("def logout():")

        [template] = await definition("app.py", at(app, '"index.html"', 3))
        assert template.uri == session.uri("templates/index.html")
        [base] = await definition("templates/index.html", at(index, "base.html", 1))
        assert base.uri == session.uri("templates/base.html")

        assert await definition("app.py", at(app, "Flask(__name__)", 2)) == []


async def test_definition_and_hover_of_a_relative_endpoint_in_an_app_view(project: Path) -> None:
    """Flask builds `.index` in a view of the app as `index` (no blueprint): FLK201 and the editor agree."""
    text = APP + '\n\n@app.route("/about")\ndef about():\n    return url_for(".index")\n'
    async with lsp_session(project) as session:
        await ready(session, "app.py", text)
        uri = types.TextDocumentIdentifier(uri=session.uri("app.py"))
        position = at(text, '".index"', 3)
        [view] = await session.client.text_document_definition_async(types.DefinitionParams(text_document=uri, position=position))
        hover = await session.client.text_document_hover_async(types.HoverParams(text_document=uri, position=position))
    assert view.uri == session.uri("app.py") and view.range.start.line == APP.splitlines().index("def index():")
    assert hover.contents.value.startswith("**endpoint `.index`**\n\n- `/` → `index` in `app.py:10`")


async def test_definition_follows_unsaved_buffers(project: Path) -> None:
    moved = APP.replace("@app.route(\"/\")", "\n\n\n@app.route(\"/\")")
    async with lsp_session(project) as session:
        await ready(session, "app.py", moved)
        index = await ready(session, "templates/index.html")
        result = await session.client.text_document_definition_async(
            types.DefinitionParams(
                text_document=types.TextDocumentIdentifier(uri=session.uri("templates/index.html")),
                position=at(index, "auth.login", 1),
            )
        )
        assert result and result[0].uri == session.uri("auth.py")
        text = moved + '\nY = url_for("index")\n'
        version = session.change("app.py", text)
        await session.diagnostics("app.py", version=version)
        [view] = await session.client.text_document_definition_async(
            types.DefinitionParams(text_document=types.TextDocumentIdentifier(uri=session.uri("app.py")), position=at(text, 'url_for("index")\n', 10))
        )
    assert view.range.start.line == moved.splitlines().index("def index():")


async def test_hover_on_an_endpoint_and_on_a_noqa_code(project: Path) -> None:
    text = APP + 'app.run(host="0.0.0.0", debug=True)  # noqa: FLK103, FLK104\n'
    async with lsp_session(project) as session:
        await ready(session, "app.py", text)

        async def hover(position: types.Position) -> types.Hover | None:
            return await session.client.text_document_hover_async(
                types.HoverParams(text_document=types.TextDocumentIdentifier(uri=session.uri("app.py")), position=position)
            )

        endpoint = await hover(at(text, 'url_for("index")', 12))
        assert "endpoint `index`" in endpoint.contents.value
        assert "`/`" in endpoint.contents.value and "`index` in `app.py:10`" in endpoint.contents.value

        rule = await hover(at(text, "FLK104", 2))
        assert "hardcoded-secret-key (FLK104)" in rule.contents.value
        assert "## Why is this bad?" in rule.contents.value
        line = text.splitlines().index('app.run(host="0.0.0.0", debug=True)  # noqa: FLK103, FLK104')
        start = text.splitlines()[line].index("FLK104")
        assert rule.range == types.Range(
            start=types.Position(line=line, character=start), end=types.Position(line=line, character=start + 6)
        )
        assert await hover(at(text, "app = Flask", 1)) is None


async def test_template_name_completion(project: Path) -> None:
    python = APP + '\n\ndef later():\n    return render_template("\n'
    template = '{% extends "\n'
    async with lsp_session(project) as session:
        await ready(session, "app.py", python)
        await ready(session, "templates/new.html", template)
        in_python = await complete(session, "app.py", at(python, 'render_template("\n', len('render_template("')))
        in_template = await complete(session, "templates/new.html", types.Position(line=0, character=len('{% extends "')))
    assert {"index.html", "base.html"} <= {item.label for item in in_python}
    assert {"index.html", "base.html"} <= {item.label for item in in_template}


async def test_endpoint_completion_offers_the_endpoints_of_the_app_running_the_view(tmp_path: Path) -> None:
    """Two apps in one repository: in a view of app b, `url_for` can build only b's endpoints."""
    b = 'from flask import Flask, url_for\n\napp = Flask(__name__)\n\n\n@app.route("/b")\ndef page():\n    return url_for("")\n'
    project = write_files(
        tmp_path,
        {
            "a.py": 'from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.route("/")\ndef home():\n    return "a"\n',
            "b.py": b,
        },
    )
    async with lsp_session(project) as session:
        await ready(session, "b.py")
        items = await complete(session, "b.py", at(b, 'url_for("', len('url_for("')))
    assert sorted(item.label for item in items) == ["page", "static"]


def expanded(text: str, item: types.CompletionItem) -> str:
    """The document after the client applies the item, its snippet expanded with the placeholders' defaults."""
    assert isinstance(item.text_edit, types.TextEdit)
    new_text = item.text_edit.new_text
    if item.insert_text_format == types.InsertTextFormat.Snippet:
        new_text = re.sub(r"\$\{\d+:([^}]*)\}", r"\1", new_text).replace("$0", "")
    return apply_text_edits(text, [types.TextEdit(range=item.text_edit.range, new_text=new_text)])


@pytest.mark.parametrize(
    ("relative", "typed", "cursor_after", "completed"),
    [
        # An editor that auto-closed the quote and the parenthesis: the snippet replaces them.
        ("app.py", '    return url_for("sh")\n', 'url_for("sh', '    return url_for("show_post", user_id=user_id, slug=slug)\n'),
        ("app.py", "    return url_for('sh' )\n", "url_for('sh", "    return url_for('show_post', user_id=user_id, slug=slug)\n"),
        # A template, the string not closed yet, the Jinja delimiter after the cursor.
        ("templates/new.html", "{{ url_for('sh }}\n", "url_for('sh", "{{ url_for('show_post', user_id=user_id, slug=slug) }}\n"),
        # Other arguments follow: only the endpoint is replaced, as without snippets.
        ("app.py", '    return url_for("sh", slug=1)\n', 'url_for("sh', '    return url_for("show_post", slug=1)\n'),
    ],
)
async def test_endpoint_completion_fills_the_rule_variables_as_a_snippet(
    project: Path, relative: str, typed: str, cursor_after: str, completed: str
) -> None:
    prefix = APP + "\n\ndef later():\n" if relative == "app.py" else ""
    text = prefix + typed
    async with lsp_session(project) as session:
        await ready(session, relative, text)
        items = await complete(session, relative, at(text, cursor_after, len(cursor_after)))
    [post] = [item for item in items if item.label == "show_post"]
    assert expanded(text, post) == prefix + completed


async def test_endpoint_completion_is_plain_text_for_a_client_without_snippets(project: Path) -> None:
    caps = capabilities()
    caps.text_document.completion.completion_item.snippet_support = False
    text = APP + '\n\ndef later():\n    return url_for("sh")\n'
    async with lsp_session(project, caps=caps) as session:
        await ready(session, "app.py", text)
        items = await complete(session, "app.py", at(text, 'url_for("sh', len('url_for("sh')))
    [post] = [item for item in items if item.label == "show_post"]
    assert post.text_edit.new_text == "show_post" and post.insert_text_format is None
    assert expanded(text, post).endswith('    return url_for("show_post")\n')
