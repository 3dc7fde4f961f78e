"""flasklint never runs code from the project it analyses, whatever directory it is started in.

Editors start the language server in the project; `python -m` puts the working directory first on
`sys.path`; multiprocessing starts spawned workers (and its resource tracker) in the parent's working
directory, where they import standard modules before they adopt the parent's `sys.path`. The
project below holds a payload module named after every standard-library module: each leaves a
marker file when imported, then stands in for the real module (as an attack would, so the run goes
on and its findings look as usual). Through every front-end started in the project, with enough
files for the worker pool, there must be no marker, and the usual findings.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp.client import LanguageClient, client_capabilities, make_test_lsp_client

from flasklint.engine import PARALLEL_THRESHOLD, Project

BIN = Path(sys.executable).parent
APP = 'from flask import Flask\n\napp = Flask(__name__)\napp.secret_key = "hardcoded-secret-123"\n'
VIEW = 'from app import app\n\n\n@app.route("/page/{n}")\ndef page_{n}():\n    return "page {n}"\n'
FINDING = "app.py:4:18: FLK104"
TIMEOUT = 120.0  # seconds; a bound for a cold index of ~350 files, not a speed requirement

# Leaves `<markers>/<module>.<pid>`, then loads the real module in its place (or fails as it would).
PAYLOAD = """\
import os, sys
open(os.path.join({markers!r}, __name__ + "." + str(os.getpid())), "w").close()
_here = os.path.dirname(os.path.abspath(__file__))
_finder = next(f for f in sys.meta_path if getattr(f, "__name__", "") == "PathFinder")
_spec = _finder.find_spec(__name__, [p for p in sys.path if os.path.abspath(p or os.curdir) != _here])
if _spec is None:
    raise ModuleNotFoundError(f"No module named {{__name__!r}}", name=__name__)
_module = sys.modules["_frozen_importlib"].module_from_spec(_spec)
sys.modules[__name__] = _module
_spec.loader.exec_module(_module)
"""


def imported_by_python_m(directory: Path) -> frozenset[str]:
    """What Python itself imports for `python -m module`, before the module's first line.

    A project can shadow these (`runpy`, on 3.10) for any `python -m` program and no program can
    stop it, which is why editors are told to start `flasklint server`; its payloads are left out
    of the `-m` runs. Most of them are imported at start-up, before the working directory is on
    `sys.path` at all (they could not be shadowed anyway).
    """
    (directory / "show_modules.py").write_text("import sys\nprint(*sys.modules)\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "show_modules"], cwd=directory, capture_output=True, text=True, check=True
    )
    return frozenset(result.stdout.split())


def untrusted_project(root: Path, markers: Path, spared: frozenset[str] = frozenset()) -> Path:
    """A Flask app with a finding, enough modules for the worker pool, and the payloads."""
    markers.mkdir()
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "untrusted"\n', encoding="utf-8")
    (root / "app.py").write_text(APP, encoding="utf-8")
    for n in range(PARALLEL_THRESHOLD):
        (root / f"page_{n}.py").write_text(VIEW.format(n=n), encoding="utf-8")
    # Every name, not only what a run imports today: tomorrow's lazy import is covered too.
    for name in sorted(sys.stdlib_module_names - spared):
        (root / f"{name}.py").write_text(PAYLOAD.format(markers=str(markers)), encoding="utf-8")
    return root


def imported_payloads(markers: Path) -> list[str]:
    return sorted(marker.name for marker in markers.iterdir())


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT)


def findings(output: str) -> list[str]:
    """`path:row:column: CODE` of each diagnostic line (the CLI's and flake8's text output)."""
    return re.findall(r"^(\S+:\d+:\d+: [A-Z]+\d+) ", output, re.MULTILINE)


# -- the CLI ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "command",
    [[str(BIN / "flasklint")], [sys.executable, "-m", "flasklint"]],
    ids=["console-script", "python-m"],
)
def test_flasklint_check_in_the_project_runs_none_of_its_code(tmp_path: Path, command: list[str]) -> None:
    spared = imported_by_python_m(tmp_path) if "-m" in command else frozenset()
    project = untrusted_project(tmp_path / "project", tmp_path / "markers", spared)
    result = run([*command, "check"], cwd=project)
    assert imported_payloads(tmp_path / "markers") == []
    assert (result.returncode, findings(result.stdout)) == (1, [FINDING]), result.stdout + result.stderr


def test_spawned_workers_start_outside_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Spawned workers (the server's everywhere, the CLI's on Windows) start outside the project."""
    project = untrusted_project(tmp_path / "project", tmp_path / "markers")
    monkeypatch.chdir(project)
    engine = Project(project, use_cache=False, jobs=2, start_method="spawn")
    engine.discover()
    engine.analyse()
    assert imported_payloads(tmp_path / "markers") == []
    assert [f"{d.path}:{d.start.row}:{d.start.column + 1}: {d.code}" for d in engine.diagnostics("app.py")] == [FINDING]
    assert Path.cwd() == project  # the working directory the caller chose is back


# -- flake8 ----------------------------------------------------------------------------------
def test_flake8_in_the_project_runs_none_of_its_code(tmp_path: Path) -> None:
    project = untrusted_project(tmp_path / "project", tmp_path / "markers")
    result = run([str(BIN / "flake8"), "--select", "FLK", "-j", "2", "."], cwd=project)
    assert imported_payloads(tmp_path / "markers") == []
    assert (result.returncode, findings(result.stdout)) == (1, [f"./{FINDING}"]), result.stdout + result.stderr


# -- the language server ---------------------------------------------------------------------
async def diagnostics_in_editor(command: list[str], project: Path) -> list[str]:
    """Start the server as an editor does (in the project), open app.py, return its diagnostics."""
    client: LanguageClient = make_test_lsp_client()
    await client.start_io(*command, cwd=project)
    try:
        await client.initialize_session(
            types.InitializeParams(
                capabilities=client_capabilities("neovim"),
                root_uri=project.as_uri(),
                workspace_folders=[types.WorkspaceFolder(uri=project.as_uri(), name=project.name)],
                initialization_options={"settings": {"debounce": 0}},
            )
        )
        uri = (project / "app.py").as_uri()
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=APP)
            )
        )
        deadline = time.monotonic() + TIMEOUT
        while uri not in client.diagnostics and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        found = client.diagnostics.get(uri, [])
        await asyncio.wait_for(client.shutdown_session(), 10)
    finally:
        await client.stop()
    return [f"app.py:{d.range.start.line + 1}:{d.range.start.character + 1}: {d.code}" for d in found]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "command",
    [
        [str(BIN / "flasklint"), "server"],
        [sys.executable, "-m", "flasklint", "server"],
        [sys.executable, "-m", "flasklint_lsp"],
    ],
    ids=["console-script", "python-m-flasklint", "python-m-flasklint_lsp"],
)
async def test_the_language_server_started_in_the_project_runs_none_of_its_code(
    tmp_path: Path, command: list[str]
) -> None:
    """With more than one core, the server indexes this project with spawned workers."""
    spared = imported_by_python_m(tmp_path) if "-m" in command else frozenset()
    project = untrusted_project(tmp_path / "project", tmp_path / "markers", spared)
    found = await diagnostics_in_editor(command, project)
    assert imported_payloads(tmp_path / "markers") == []
    assert found == [FINDING]
