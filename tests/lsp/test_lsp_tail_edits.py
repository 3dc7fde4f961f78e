"""Comment lines after a module's code are not re-analysed (tails.py): the diagnostics stay what a
full analysis of the new text gives, and edits that could change the analysis are not taken."""

from __future__ import annotations

from pathlib import Path

import pytest

from flasklint.engine import Project
from flasklint_lsp.projects import ProjectState
from flasklint_lsp.settings import Settings
from flasklint_lsp.tails import code_of, only_tail_changed
from harness import lsp_session, write_files

APP = """\
from flask import Flask, request, url_for

app = Flask(__name__)


@app.route("/")
def index():
    return f"<p>{request.args['q']}</p><a href='{url_for('nowhere')}'>x</a>"
"""
DOC = '''\
from flask import Flask

app = Flask(__name__)
NOTE = """
'''

# (old text, new text, whether the new one may reuse the old analysis)
CASES = [
    (APP, APP + "# a note\n", True),
    (APP, APP + "\n\n# one\n#two\n", True),
    (APP + "# a note\n", APP + "# another\n", True),
    (APP + "# a note\n", APP, True),
    (APP.rstrip("\n"), APP.rstrip("\n") + "\n# no newline before\n", True),
    (APP, APP + "# flake8: noqa\n", True),  # the noqa map is recomputed
    (APP, APP + "# noqa: FLK101\n", True),
    (APP, APP + "    # indented: may belong to the last block\n", False),
    (APP, APP + "x = 1\n", False),
    (APP.rstrip("\n"), APP.rstrip("\n") + "  # on the code's own row\n", False),
    (APP, APP + "# a\r\n", False),
    (DOC + '# inside the string\n"""\n', DOC + '# changed inside the string\n"""\n', False),
    (DOC + '# inside"""\n', DOC + '# changed"""\n', False),
    ("x = 1\n", "x = 1\n# flask\n", False),  # the file was not parsed (no name a rule looks for): now it is
    ("# -*- coding: utf-8 -*-\n", "# -*- coding: latin-1 -*-\n", False),
]


@pytest.mark.parametrize(("old", "new", "reused"), CASES)
def test_only_tail_edits_reuse_the_analysis(old: str, new: str, reused: bool) -> None:
    project = Project(Path("/nonexistent"), use_cache=False)
    project.set_source("app.py", old)
    code = code_of(old, project.facts["app.py"].noqa_rows)
    assert (code is not None and only_tail_changed(code, new)) == reused


@pytest.mark.parametrize(("old", "new", "reused"), [case for case in CASES if case[2]])
def test_reused_analysis_gives_the_full_analysis_diagnostics(tmp_path: Path, old: str, new: str, reused: bool) -> None:
    root = write_files(tmp_path, {"app.py": old, "other.py": "from app import app\n"})
    state = ProjectState(root, discovered=True)
    state.discover(Settings())
    state.analyse({})
    state.update("app.py", old, 1)
    update = state.update("app.py", new, 2)
    assert state.analysed["app.py"].facts is state.project.facts["app.py"]  # the fast path was taken
    fresh = Project(root, use_cache=False)
    fresh.discover()
    fresh.analyse({"app.py": new})
    assert update.diagnostics == fresh.diagnostics("app.py")
    assert not update.index_changed


@pytest.mark.asyncio
async def test_a_noqa_comment_appended_applies(tmp_path: Path) -> None:
    root = write_files(tmp_path, {"app.py": APP})
    async with lsp_session(root) as session:
        session.open("app.py")
        assert sorted(d.code for d in await session.diagnostics("app.py", version=1)) == ["FLK101", "FLK201"]
        version = session.change("app.py", APP + "# flasklint: noqa: FLK101\n")
        assert [d.code for d in await session.diagnostics("app.py", version=version)] == ["FLK201"]
        version = session.change("app.py", APP + "# just a note\n")
        assert sorted(d.code for d in await session.diagnostics("app.py", version=version)) == ["FLK101", "FLK201"]
