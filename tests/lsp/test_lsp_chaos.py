"""The server outlives a hostile editor: life-cycle misuse, malformed traffic, random edits.

Every test here drives the real server over stdio and ends by checking that it still lints, and
the chaos test that what it finally shows equals what `flasklint check` says about the same files.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import shutil
import string
import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams, JsonRpcInvalidRequest, JsonRpcMethodNotFound

from harness import APP, Session, capabilities, flask_app, lsp_session, write_files
from test_lsp_memory import resident_mb
from test_lsp_robustness import send_raw

pytestmark = pytest.mark.asyncio

DEBUG_RUN = 'if __name__ == "__main__":\n    app.run(host="0.0.0.0", debug=True)\n'  # guarded: FLK103 alone


def codes(diagnostics: list[types.Diagnostic]) -> list[object]:
    return [d.code for d in diagnostics]


Row = tuple[object, int, int, int, int, str]  # code, start line, column, end line, column, message


def rows(diagnostics: list[types.Diagnostic]) -> list[Row]:
    """What the editor shows of each diagnostic, 1-based like `flasklint check` (ASCII texts only)."""
    found = []
    for d in diagnostics:
        start, end = d.range.start, d.range.end
        found.append((d.code, start.line + 1, start.character + 1, end.line + 1, end.character + 1, d.message))
    return found


def flasklint_check(root: Path) -> dict[str, list[Row]]:
    """`flasklint check --output-format json --no-cache` on the project, by relative path."""
    command = [str(Path(sys.executable).parent / "flasklint"), "check", "--output-format", "json", "--no-cache", "."]
    result = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=120)
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
    found: dict[str, list[Row]] = {}
    for row in json.loads(result.stdout):
        relative = Path(row["filename"]).resolve().relative_to(root.resolve()).as_posix()
        start, end = row["location"], row["end_location"]
        found.setdefault(relative, []).append(
            (row["code"], start["row"], start["column"], end["row"], end["column"], row["message"])
        )
    return found


def write_raw(session: Session, data: bytes) -> None:
    """Bytes to the server's stdin as they are, in order with the client's own messages."""
    session.client._server.stdin.write(data)


def framed(message: object) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


NOTIFICATION = {"jsonrpc": "2.0", "method": "flasklint/sacrificial", "params": {}}
# Each of these breaks the framing or the message, and costs at most itself and the message after it.
BROKEN_TRAFFIC = [
    json.dumps(NOTIFICATION).encode(),  # a body without a header: the next header is glued to it
    b"Content-Length: 10\r\n\r\n" + json.dumps(NOTIFICATION).encode(),  # a Content-Length too small
    b"Content-Length: 90\r\n\r\n" + json.dumps(NOTIFICATION).encode(),  # too large: eats the next header
    b"Content-Length: 99999999999999\r\n\r\n" + json.dumps(NOTIFICATION).encode(),  # too large to allocate
    b"Content-Length: 9\r\n\r\n{not json",  # framed, but not JSON
    framed([1, 2]),  # JSON, but not a JSON-RPC object
    framed(5),
    framed(None),
    b"garbage line\r\n",
]


async def test_a_second_initialize_is_refused_and_the_documents_keep_their_diagnostics(tmp_path: Path) -> None:
    flask_project = flask_app(tmp_path)
    async with lsp_session(flask_project) as session:
        session.open("app.py")
        assert await session.diagnostics("app.py", version=1) == []
        again = types.InitializeParams(capabilities=capabilities(), root_uri=flask_project.as_uri())
        with pytest.raises(JsonRpcInvalidRequest):
            await asyncio.wait_for(session.client.initialize_async(again), 10)
        session.client.initialized(types.InitializedParams())
        version = session.change("app.py", APP + DEBUG_RUN)
        assert codes(await session.diagnostics("app.py", version=version, timeout=10)) == ["FLK103"]
        version = session.change("app.py", APP + "x = (\n")
        assert codes(await session.diagnostics("app.py", version=version, timeout=10)) == ["FLK001"]
        await session.settle()
        started = [m for m in session.client.log_messages if "language server" in m.message]
    assert len(started) == 1, [m.message for m in started]  # the second `initialized` changed nothing


async def test_broken_framing_costs_only_the_broken_messages(tmp_path: Path) -> None:
    flask_project = flask_app(tmp_path)
    async with lsp_session(flask_project) as session:
        session.open("app.py")
        assert await session.diagnostics("app.py", version=1) == []
        for broken in BROKEN_TRAFFIC:
            write_raw(session, broken)
            write_raw(session, framed(NOTIFICATION))  # may be swallowed by the broken message before it
            version = session.change("app.py", APP + f"# after {broken[:30]!r}\n" + DEBUG_RUN)
            found = await session.diagnostics("app.py", version=version, timeout=10)
            assert codes(found) == ["FLK103"], broken
        assert session.client._server.returncode is None


EXTRA = 'from app import app\n\n\n@app.route("/extra")\ndef extra():\n    return "extra"\n'


async def test_closing_an_unsaved_buffer_goes_back_to_the_broken_file_on_disk(tmp_path: Path) -> None:
    root = write_files(
        flask_app(tmp_path), {"extra.py": EXTRA + "broken = (\n", "templates/extra.html": "{{ url_for('extra') }}\n"}
    )
    [expected] = flasklint_check(root)["templates/extra.html"]
    assert expected[0] == "FLK201"
    async with lsp_session(root) as session:
        session.open("templates/extra.html")
        assert rows(await session.diagnostics("templates/extra.html", version=1)) == [expected]
        session.open("extra.py", EXTRA)  # the buffer defines the endpoint: the template is fine
        assert await session.diagnostics("extra.py", version=1) == []
        await session.diagnostics("templates/extra.html", until=lambda found: not found)
        mark = session.mark()
        session.close("extra.py")  # unsaved: the broken file on disk is what the project holds again
        found = await session.diagnostics("templates/extra.html", after=mark, until=bool, timeout=10)
        assert rows(found) == [expected]


# -- the chaos run ---------------------------------------------------------------------------------
QUICKSTART = Path(__file__).resolve().parents[2] / "examples" / "quickstart"
SEEDS = [7, 2026]
STEPS = 160
EDITED = ["app.py", "config.py", "templates/index.html", "templates/profile.html"]
DELETED_WHILE_OPEN = "config.py"
DELETED_WHILE_CLOSED = "flask.py"
OPENED = [*EDITED, "Dockerfile"]
MEMORY_BOUND_MB = 30  # measured: +2 to +5 MB over a run
# Pieces of Flask code and templates an edit inserts: most leave the file broken for a while.
SNIPPETS = [
    "(", ")", "[", "]", ":", '"', "'", "\n", "    ", "x = ", "request.args['q']", "url_for('", "url_for('index')",
    "{{ ", " }}", "{% if x %}", "{% endif %}", "@app.route('/new')\ndef new_view():\n    return 'new'\n",
    "return f\"<b>{request.args['name']}</b>\"\n", "app.run(host='0.0.0.0', debug=True)\n", "def ", "import os\n",
]


def random_edit(rng: random.Random, text: str) -> str:
    """Insert a snippet or random ASCII at a random place, or delete a random span."""
    at = rng.randrange(len(text) + 1)
    if text and rng.random() < 0.4:
        return text[:at] + text[at + rng.randint(1, 20):]
    if rng.random() < 0.7:
        piece = rng.choice(SNIPPETS)
    else:
        piece = "".join(rng.choices(string.printable[:95], k=rng.randint(1, 8)))  # printable ASCII
    return text[:at] + piece + text[at:]


# Valid endings for a Python document: each changes what some rule (or another file) sees.
VALID_TAILS = [
    "\n\n@app.route('/echo')\ndef echo():\n    return f\"<b>{request.args['q']}</b>\"\n",
    "\n\napp.run(host='0.0.0.0', debug=True)\n",
    "\n\nLINK = url_for('nowhere')\n",
    "\n\nSECRET_KEY = 'a-hardcoded-secret-value'\n",
]


def final_text(rng: random.Random, relative: str, original: str, edited: str) -> str:
    """What a document ends as: a template its edited text; a Python file a valid variant of it.

    Python texts end valid: a broken buffer deliberately lends its last parseable version to the
    index (no flicker while typing), which `flasklint check` on the saved file cannot know about.
    The variant is the edited text if it compiles, else the original with a view renamed (other
    files' `url_for` then name a missing endpoint) and tails appended.
    """
    if not relative.endswith(".py"):
        return edited
    try:
        compile(edited, relative, "exec")
        return edited
    except (SyntaxError, ValueError):
        pass
    variant = original
    names = re.findall(r"^def (\w+)\(", original, flags=re.MULTILINE)
    if names and rng.random() < 0.7:
        name = rng.choice(names)
        variant = variant.replace(f"def {name}(", f"def {name}_renamed(")
    return variant + "".join(rng.sample(VALID_TAILS, rng.randint(1, len(VALID_TAILS))))


async def misbehave(rng: random.Random, session: Session, number: int) -> None:
    """One piece of bad traffic: broken framing, bad params, unknown methods or documents."""
    kind = rng.randrange(6)
    if kind == 0:
        write_raw(session, rng.choice(BROKEN_TRAFFIC))
        write_raw(session, framed(NOTIFICATION))
    elif kind == 1:
        bad = {"jsonrpc": "2.0", "id": f"chaos-{number}", "method": "textDocument/hover", "params": {"textDocument": 5}}
        with pytest.raises(JsonRpcInvalidParams):
            await asyncio.wait_for(send_raw(session, bad), 10)
    elif kind == 2:
        unknown = {"jsonrpc": "2.0", "id": f"chaos-{number}", "method": "flasklint/nonsense", "params": {}}
        with pytest.raises(JsonRpcMethodNotFound):
            await asyncio.wait_for(send_raw(session, unknown), 10)
        write_raw(session, framed({"jsonrpc": "2.0", "method": "flasklint/nonsense", "params": {}}))
    elif kind == 3:
        nowhere = types.TextDocumentIdentifier(uri=session.uri(f"nowhere{number}.py"))
        position = types.Position(line=rng.randrange(50), character=rng.randrange(80))
        hover = types.HoverParams(text_document=nowhere, position=position)
        assert await asyncio.wait_for(session.client.text_document_hover_async(hover), 10) is None
        definition = types.DefinitionParams(text_document=nowhere, position=position)
        assert await asyncio.wait_for(session.client.text_document_definition_async(definition), 10) is None
        session.client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=nowhere))
    elif kind == 4:
        # Real documents, positions anywhere (past the end too): an answer, never an error.
        document = types.TextDocumentIdentifier(uri=session.uri(rng.choice(EDITED)))
        position = types.Position(line=rng.randrange(120), character=rng.randrange(120))
        completion = types.CompletionParams(text_document=document, position=position)
        await asyncio.wait_for(session.client.text_document_completion_async(completion), 10)
        hover = types.HoverParams(text_document=document, position=position)
        await asyncio.wait_for(session.client.text_document_hover_async(hover), 10)
    else:
        nowhere = types.VersionedTextDocumentIdentifier(uri=session.uri(f"nowhere{number}.py"), version=3)
        change = types.TextDocumentContentChangeWholeDocument(text="x = (\n")
        session.client.text_document_did_change(
            types.DidChangeTextDocumentParams(text_document=nowhere, content_changes=[change])
        )


async def last_diagnostics_become(session: Session, relative: str, expected: list[Row]) -> list[Row]:
    """The document's latest diagnostics, once they equal `expected` (or when refreshes stop coming)."""
    uri = session.uri(relative)
    deadline = asyncio.get_running_loop().time() + 10
    while True:
        shown = rows(session.client.diagnostics.get(uri, []))
        if shown == expected or asyncio.get_running_loop().time() > deadline:
            return shown
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("seed", SEEDS)
async def test_chaos_ends_with_the_diagnostics_of_flasklint_check(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    root = tmp_path / "quickstart"
    shutil.copytree(QUICKSTART, root, ignore=shutil.ignore_patterns(".flasklint_cache"))
    originals = {relative: (root / relative).read_text(encoding="utf-8") for relative in OPENED}
    async with lsp_session(root) as session:
        pid = session.client._server.pid
        for relative in OPENED:
            session.open(relative, language_id="python" if relative.endswith(".py") else "plaintext")
        for relative in OPENED:
            await session.diagnostics(relative, version=1)
        warm = resident_mb(pid)
        texts = dict(originals)
        for number in range(STEPS):
            if number == STEPS // 3:
                (root / DELETED_WHILE_OPEN).unlink()
                (root / DELETED_WHILE_CLOSED).unlink()
                session.files_changed(
                    (DELETED_WHILE_OPEN, types.FileChangeType.Deleted),
                    (DELETED_WHILE_CLOSED, types.FileChangeType.Deleted),
                )
            if number == STEPS // 2:
                again = types.InitializeParams(capabilities=capabilities(), root_uri=root.as_uri())
                with pytest.raises(JsonRpcInvalidRequest):
                    await asyncio.wait_for(session.client.initialize_async(again), 10)
            if rng.random() < 0.2:
                await misbehave(rng, session, number)
                continue
            relative = rng.choice(EDITED)
            texts[relative] = random_edit(rng, texts[relative])
            version = session.change(relative, texts[relative])
            if rng.random() < 0.2:  # now and then the typist pauses: that version gets linted
                await session.diagnostics(relative, version=version)
        for relative in EDITED:
            text = final_text(rng, relative, originals[relative], texts[relative])
            session.change(relative, text)
            (root / relative).write_text(text, encoding="utf-8", newline="")
            session.save(relative)
        for relative in EDITED:
            await session.diagnostics(relative, version=session.versions[session.uri(relative)])
        expected = await asyncio.to_thread(flasklint_check, root)
        shown = {}
        for relative in OPENED:
            shown[relative] = await last_diagnostics_become(session, relative, expected.get(relative, []))
        grown = resident_mb(pid) - warm
        assert session.client._server.returncode is None
    assert shown == {relative: expected.get(relative, []) for relative in OPENED}
    assert sum(map(len, shown.values())) >= 5  # the quickstart's pitfalls survive the chaos in part
    assert grown < MEMORY_BOUND_MB, f"{grown:.1f} MB more after the chaos (warm: {warm:.1f} MB)"
