"""A real VS Code as the client: the extension's .vsix, built in this run, in code-server, driven by chromium.

It is what a new user does: install the .vsix, open a copy of examples/quickstart with nothing configured.
Two scenarios, each a script under vscode-extension/e2e/ driving the browser:
- quickstart.js: `python3` on PATH is this venv's interpreter, so the extension finds flasklint by itself;
  read the Problems panel, press Ctrl+. on a diagnostic, pick the fix, save, restart the server.
- missing-flasklint.js: `python3` on PATH is a bare venv without flasklint; one notification explains it, and
  its "Select Interpreter" button (a file dialog, as no Python extension is installed) fixes it without a
  window reload.
This file builds the extension once, sets up an isolated code-server per test (own user-data, extensions and
XDG dirs, everything under one short temporary folder), runs the script and checks what it saw against the
engine's own findings and the files on disk.

The tools come from tests/install-editors.sh (cached outside the repository). A local run without them
skips; CI (`CI` set) must run this test, so it fails instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from flasklint.engine import Project

REPO = Path(__file__).resolve().parents[1]
EXTENSION_DIR = REPO / "vscode-extension"
QUICKSTART_SCENARIO = EXTENSION_DIR / "e2e" / "quickstart.js"
MISSING_SCENARIO = EXTENSION_DIR / "e2e" / "missing-flasklint.js"
VSIX = EXTENSION_DIR / "build" / "flasklint.vsix"
QUICKSTART = REPO / "examples" / "quickstart"
INTERPRETER = Path(sys.executable)  # this venv's, which has flasklint
VENV_BIN = INTERPRETER.parent  # first on code-server's PATH in the quickstart scenario: `python3` is this venv's
CACHE = Path(os.environ.get("FLASKLINT_E2E_CACHE") or Path.home() / ".cache" / "flasklint-e2e")
INSTALL_HINT = "run `bash tests/install-editors.sh` (code-server, node 24, chromium; cached outside the repo)"
SCREENSHOTS_ENV = "FLASKLINT_E2E_SCREENSHOTS"  # a directory to copy the screenshots to (for the README)

FILE_TO_FIX = "app.py"
TEMPLATE = "templates/base.html"
FIX_CODE = "FLK201"
# vscode-extension/src/version.ts problemMessage() and problemActions() for a "missing" verdict in an
# interpreter without pip (the bare venv): no "Install flasklint" button, since pip could not do it.
MISSING_MESSAGE = (
    "flasklint is not installed in {python}. It has no pip to install it with: "
    "pick an interpreter that has flasklint, e.g. a virtual environment's."
)
MISSING_BUTTONS = ["Select Interpreter", "Show Logs"]
BROKEN, FIXED = 'url_for("indx")', 'url_for("index")'  # what FLK201's quick fix changes in app.py
# Users see no interpreter, telemetry, update or AI noise; nothing flasklint-specific is configured.
USER_SETTINGS = {
    "chat.disableAIFeatures": True,
    "workbench.startupEditor": "none",
    "workbench.editor.enablePreview": False,  # opening the template must not close app.py (and its problems)
    "workbench.secondarySideBar.defaultVisibility": "hidden",
    "extensions.autoCheckUpdates": False,
    "extensions.autoUpdate": False,
    "extensions.ignoreRecommendations": True,
    "update.mode": "none",
    "telemetry.telemetryLevel": "off",
    "security.workspace.trust.enabled": False,
    "remote.autoForwardPorts": False,  # no "your application on port N" toasts over the screenshots
}
NPM_TIMEOUT_S = 300
SCENARIO_TIMEOUT_S = 150
Problems = dict[str, list[list[object]]]  # file -> [[code, line, column], ...] as the Problems panel shows them


@dataclass(frozen=True)
class Tools:
    node24: Path  # code-server needs node 24; the scenario runs on the system node
    code_server: Path
    chromium: Path
    code_server_version: str

    @classmethod
    def load(cls) -> Tools | None:
        """The tools tests/install-editors.sh recorded, or None when any of them is missing."""
        try:
            recorded = json.loads((CACHE / "tools.json").read_text(encoding="utf-8"))
            paths = [Path(recorded[key]) for key in ("node", "codeServer", "chromium")]
            tools = cls(*paths, code_server_version=recorded["codeServerVersion"])
        except (OSError, ValueError, KeyError):
            return None
        present = all(p.exists() for p in (tools.node24, tools.code_server, tools.chromium))
        return tools if present and shutil.which("node") and shutil.which("npm") else None


TOOLS = Tools.load()

pytestmark = [
    pytest.mark.vscode,
    pytest.mark.skipif(
        TOOLS is None and not os.environ.get("CI"), reason=f"code-server is not installed: {INSTALL_HINT}"
    ),
]


@dataclass(frozen=True)
class Sandbox:
    """Every folder code-server and chromium write to; short, because code-server puts unix sockets in it."""

    root: Path
    run_id: str  # in every spawned process's environment, to find leftovers

    @property
    def user_data(self) -> Path:
        return self.root / "data"

    @property
    def extensions(self) -> Path:
        return self.root / "extensions"

    @property
    def logs(self) -> Path:
        return self.user_data / "logs"

    def env(self, owner: str, path: str) -> dict[str, str]:
        """An environment whose home, XDG and temp dirs are private to `owner` ("code-server" or "browser")."""
        home = self.root / owner
        dirs = {
            "XDG_CONFIG_HOME": home / "config",
            "XDG_DATA_HOME": home / "data",
            "XDG_CACHE_HOME": home / "cache",
            "XDG_STATE_HOME": home / "state",
            "TMPDIR": home / "tmp",
        }
        for directory in dirs.values():
            directory.mkdir(parents=True, exist_ok=True)
        private = {name: str(directory) for name, directory in dirs.items()}
        return {**os.environ, **private, "PATH": path, "FLASKLINT_E2E_RUN": self.run_id}


@dataclass
class Run:
    """What a failing test prints: everything the scenario and code-server left behind."""

    sandbox: Sandbox
    code_server_log: Path
    scenario_output: str = ""
    result: dict | None = None

    def report(self) -> str:
        parts = [f"== code-server log\n{read(self.code_server_log)}", f"== scenario output\n{self.scenario_output}"]
        result = self.result or {}
        if "error" in result:
            parts.append(f"== scenario error\n{result['error']}")
        for key in ("notifications", "problemsAtFailure", "steps", "screenshots"):
            if key in result:
                parts.append(f"== scenario {key}\n{json.dumps(result[key])}")
        for log in sorted(self.sandbox.logs.rglob("*.log")) if self.sandbox.logs.exists() else []:
            if "flasklint" in str(log).lower() or log.name in ("remoteexthost.log", "remoteagent.log"):
                parts.append(f"== {log.relative_to(self.sandbox.logs)}\n{read(log)}")
        return "\n".join(parts)


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else f"({path} does not exist)"


def run_checked(args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = NPM_TIMEOUT_S) -> str:
    done = subprocess.run(
        args, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout


def build_vsix() -> Path:
    """The extension as a user gets it, built in this run: dependencies, unit tests, then the .vsix."""
    VSIX.unlink(missing_ok=True)
    for command in (["npm", "ci", "--no-audit", "--no-fund"], ["npm", "test"], ["npm", "run", "package"]):
        run_checked(command, cwd=EXTENSION_DIR)
    assert VSIX.is_file(), f"`npm run package` did not write {VSIX}"
    return VSIX


def lint(root: Path, relative: str) -> list[list[object]]:
    """The engine's findings in a file, as [code, line, column] with VS Code's 1-based column."""
    project = Project(root, use_cache=False)
    project.discover()
    project.analyse()
    return sorted([d.code, d.start.row, d.start.column + 1] for d in project.diagnostics(relative))


def expected_problems(root: Path) -> Problems:
    return {relative: lint(root, relative) for relative in (FILE_TO_FIX, TEMPLATE)}


def copy_quickstart(target: Path) -> Path:
    shutil.copytree(QUICKSTART, target, ignore=shutil.ignore_patterns(".flasklint_cache", "__pycache__"))
    return target


def write_user_settings(sandbox: Sandbox) -> None:
    settings = sandbox.user_data / "User" / "settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text(json.dumps(USER_SETTINGS, indent=2), encoding="utf-8")


def code_server_command(tools: Tools, sandbox: Sandbox, *args: str) -> list[str]:
    dirs = ["--user-data-dir", str(sandbox.user_data), "--extensions-dir", str(sandbox.extensions)]
    return [str(tools.node24), str(tools.code_server), *dirs, *args]


def install_extension(tools: Tools, sandbox: Sandbox, vsix: Path, env: dict[str, str]) -> None:
    def code_server(*args: str) -> str:
        return run_checked(code_server_command(tools, sandbox, *args), cwd=sandbox.root, env=env, timeout=60)

    installed = code_server("--install-extension", str(vsix))
    assert f"Extension '{vsix.name}' was successfully installed." in installed, installed
    listed = code_server("--list-extensions", "--show-versions")
    assert re.search(r"^flasklint\.flasklint@", listed, re.MULTILINE), listed


def wait_until(description: str, condition: Callable[[], object], timeout: float, interval: float = 0.1) -> object:
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {description}")
        time.sleep(interval)
    return value


@contextmanager
def running_code_server(tools: Tools, sandbox: Sandbox, env: dict[str, str], log: Path) -> Iterator[str]:
    """code-server on a free port of 127.0.0.1 (it picks one: no race), no auth; yields its URL.

    `--vscode-option force-disable-user-env`: otherwise VS Code replaces the extension host's environment
    with a login shell's, whose PATH no longer starts with this venv (as `code .` from a terminal keeps it).
    """
    command = code_server_command(
        tools, sandbox, "--bind-addr", "127.0.0.1:0", "--auth", "none", "--disable-telemetry",
        "--disable-update-check", "--disable-workspace-trust", "--vscode-option", "force-disable-user-env",
    )  # fmt: skip
    with log.open("w") as out:
        process = subprocess.Popen(
            command, cwd=sandbox.root, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, to stop it with all its children
        )
    try:
        url = wait_until("code-server to listen", lambda: listening_url(process, log), timeout=30)
        wait_until("code-server's /healthz", lambda: healthy(str(url)), timeout=30)
        yield str(url)
    finally:
        stop_process_group(process)


def listening_url(process: subprocess.Popen[bytes], log: Path) -> str | None:
    assert process.poll() is None, f"code-server exited with {process.returncode}:\n{read(log)}"
    found = re.search(r"HTTP server listening on (http://127\.0\.0\.1:\d+/)", read(log))
    return found.group(1) if found else None


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "healthz", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group, SIGKILL it if it lingers (code-server's children share the group)."""
    for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def processes_of(run_id: str) -> list[int]:
    """Live processes started by this test (directly or not), found by the marker in their environment."""
    marker = f"FLASKLINT_E2E_RUN={run_id}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:  # gone, or not ours to read
            continue
    return found


def kill_leftovers(run_id: str) -> list[int]:
    """SIGKILLs any process of this run still alive (e.g. one that left the process group); returns their ids."""
    leftovers = processes_of(run_id)
    for pid in leftovers:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    wait_until("the leftover processes to exit", lambda: not processes_of(run_id), timeout=10)
    return leftovers


def run_scenario(run: Run, script: Path, config: dict, config_file: Path, env: dict[str, str]) -> dict:
    """A scenario script of vscode-extension/e2e/ on the system node; returns the result it wrote."""
    config_file.write_text(json.dumps(config, indent=2), encoding="utf-8")
    process = subprocess.Popen(
        [shutil.which("node") or "node", str(script), str(config_file)], cwd=EXTENSION_DIR, env=env,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        run.scenario_output, _ = process.communicate(timeout=SCENARIO_TIMEOUT_S)
    finally:
        stop_process_group(process)  # chromium too, if the script died before closing it
    result_file = Path(config["result"])
    run.result = json.loads(result_file.read_text(encoding="utf-8")) if result_file.exists() else None
    failed = process.returncode != 0 or run.result is None or "error" in run.result
    assert not failed, "the scenario failed (see the report above)"
    return run.result


def flasklint_problems(listed: Problems, files: list[str]) -> Problems:
    """The panel's rows of flasklint (other extensions may list problems too), as the engine's lint() gives them."""
    def rows(file: str) -> list[list[object]]:
        return sorted([code, line, col] for code, line, col, source in listed.get(file, []) if source == "flasklint")

    return {file: rows(file) for file in files}


def copy_screenshots(screenshots: list[str]) -> None:
    target = os.environ.get(SCREENSHOTS_ENV)
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        for screenshot in screenshots:
            shutil.copy2(screenshot, target)


@dataclass(frozen=True)
class Expectations:
    """The quickstart copy the editor opens, and what the engine says it must show before and after the fix."""

    workspace: Path
    original: dict[Path, bytes]
    problems: Problems
    problems_after_fix: Problems
    fixed_text: str  # app.py with the one replacement the quick fix makes
    fix_position: tuple[int, int]  # line, column of the FLK201 diagnostic the quick fix is applied to


def prepare(tmp_path: Path) -> Expectations:
    workspace = copy_quickstart(tmp_path / "quickstart")
    original = workspace_files(workspace)
    problems = expected_problems(workspace)
    assert {"FLK101", FIX_CODE} <= {code for code, *_ in problems[FILE_TO_FIX]}
    assert sorted(code for code, *_ in problems[TEMPLATE]) == ["FLK201", "FLK203"]
    assert original[Path(FILE_TO_FIX)].decode("utf-8").count(BROKEN) == 1
    fixed_text = original[Path(FILE_TO_FIX)].decode("utf-8").replace(BROKEN, FIXED)
    fixed_copy = copy_quickstart(tmp_path / "expected-after-fix")
    (fixed_copy / FILE_TO_FIX).write_text(fixed_text, encoding="utf-8")
    line, column = next((line, column) for code, line, column in problems[FILE_TO_FIX] if code == FIX_CODE)
    return Expectations(workspace, original, problems, expected_problems(fixed_copy), fixed_text, (line, column))


def flasklint_log(sandbox: Sandbox) -> str:
    """The "flasklint" output channel, as written under the user-data-dir's logs/."""
    logs = [log for log in sandbox.logs.rglob("*") if log.is_file() and "flasklint" in str(log).lower()]
    return "\n".join(read(log) for log in sorted(logs))


def workspace_files(workspace: Path) -> dict[Path, bytes]:
    """The project's files and contents, without the cache the server writes."""
    return {
        p.relative_to(workspace): p.read_bytes()
        for p in workspace.rglob("*")
        if p.is_file() and ".flasklint_cache" not in p.relative_to(workspace).parts
    }


@pytest.fixture(scope="module")
def vsix() -> Path:
    """The .vsix, built once for all the tests of this file."""
    if TOOLS is None:
        pytest.fail(f"CI must run the VS Code end-to-end test, but code-server is not installed: {INSTALL_HINT}")
    return build_vsix()


@dataclass
class VSCode:
    """An isolated code-server with the .vsix installed, ready to run one scenario."""

    tools: Tools
    sandbox: Sandbox
    run: Run
    env: dict[str, str]  # code-server's
    tmp_path: Path

    def run_scenario(self, script: Path, workspace: Path, settings: dict) -> dict:
        """Starts code-server, runs `script` on `workspace` with `settings` added to its config, stops
        code-server and checks that no process of the run outlived it; returns the script's result."""
        screenshots = self.tmp_path / "screenshots"
        screenshots.mkdir()
        with running_code_server(self.tools, self.sandbox, self.env, self.run.code_server_log) as url:
            browser_env = self.sandbox.env("browser", os.environ["PATH"]) | {"HOME": str(self.sandbox.root / "browser")}
            config = {
                "baseUrl": url,
                "workspace": str(workspace),
                "chromium": str(self.tools.chromium),
                "browserProfile": str(self.sandbox.root / "chromium-profile"),
                "logsDir": str(self.sandbox.logs),
                "screenshots": str(screenshots),
                "result": str(self.tmp_path / "result.json"),
                **settings,
            }
            result = run_scenario(self.run, script, config, self.tmp_path / "config.json", browser_env)
        leftovers = kill_leftovers(self.sandbox.run_id)
        assert not leftovers, f"processes outlived code-server and the browser: {leftovers}"
        return result

    def flasklint_log(self) -> str:
        return flasklint_log(self.sandbox)


@contextmanager
def vs_code(vsix: Path, tmp_path: Path, first_on_path: Path) -> Iterator[VSCode]:
    """A fresh sandbox with the user settings and the .vsix installed; code-server's PATH starts with
    `first_on_path`. Whatever fails inside the block prints the run's report; the sandbox is removed after."""
    assert TOOLS is not None  # the vsix fixture fails or the module skips otherwise
    sandbox = Sandbox(Path(tempfile.mkdtemp(prefix="flk-e2e-")), uuid.uuid4().hex)
    run = Run(sandbox, tmp_path / "code-server.log")
    try:
        write_user_settings(sandbox)
        env = sandbox.env("code-server", f"{first_on_path}{os.pathsep}{os.environ['PATH']}")
        install_extension(TOOLS, sandbox, vsix, env)
        yield VSCode(TOOLS, sandbox, run, env, tmp_path)
    except BaseException:
        print(run.report())
        kill_leftovers(sandbox.run_id)
        raise
    finally:
        shutil.rmtree(sandbox.root, ignore_errors=True)


def test_the_extension_shows_problems_and_applies_a_quick_fix_in_vs_code(vsix: Path, tmp_path: Path) -> None:
    expect = prepare(tmp_path)
    line, column = expect.fix_position
    with vs_code(vsix, tmp_path, first_on_path=VENV_BIN) as editor:
        result = editor.run_scenario(QUICKSTART_SCENARIO, expect.workspace, {
            "open": [FILE_TO_FIX, TEMPLATE],
            "expected": expect.problems,
            "expectedAfterFix": expect.problems_after_fix,
            "fix": {"file": FILE_TO_FIX, "code": FIX_CODE, "line": line, "column": column},
        })  # fmt: skip
        check_result(result, expect, editor.flasklint_log())
        check_files(expect)
        copy_screenshots(result["screenshots"])


def check_result(result: dict, expect: Expectations, channel: str) -> None:
    files = [FILE_TO_FIX, TEMPLATE]
    assert flasklint_problems(result["problems"], files) == expect.problems
    assert result["chosenFix"].startswith(f"{FIX_CODE}: "), result["quickFixMenu"]
    assert flasklint_problems(result["problemsAfterFix"], files) == expect.problems_after_fix
    assert result["serverStarts"]["afterRestart"] > result["serverStarts"]["beforeRestart"] >= 1
    assert flasklint_problems(result["problemsAfterRestart"], files) == expect.problems_after_fix
    assert len(result["screenshots"]) == 4 and all(Path(s).stat().st_size > 0 for s in result["screenshots"])
    # Nothing configured the interpreter: the server ran on `python3` from PATH, i.e. this venv's.
    assert f"({VENV_BIN / 'python3'})" in channel, channel


def check_files(expect: Expectations) -> None:
    """app.py on disk is the original with the one replacement; no other file of the project changed."""
    workspace = expect.workspace
    assert (workspace / FILE_TO_FIX).read_text(encoding="utf-8") == expect.fixed_text
    now = workspace_files(workspace)
    assert set(now) == set(expect.original)
    assert [p for p in expect.original if p != Path(FILE_TO_FIX) and now[p] != expect.original[p]] == []


def bare_venv(target: Path, env: dict[str, str]) -> Path:
    """A venv without flasklint (nor pip); returns its bin/. Checks flasklint really is missing there, in the
    environment code-server runs the extension in (a PYTHONPATH leaking the repo would spoil the scenario)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(target)], check=True, timeout=60)
    probe = subprocess.run(
        [str(target / "bin" / "python3"), "-m", "flasklint", "--version"], cwd=target, env=env,
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert probe.returncode != 0 and "No module named flasklint" in probe.stderr, probe
    return target / "bin"


def test_a_missing_flasklint_is_explained_in_one_notification_and_fixed_from_it(vsix: Path, tmp_path: Path) -> None:
    workspace = copy_quickstart(tmp_path / "quickstart")
    original = workspace_files(workspace)
    expected = {FILE_TO_FIX: lint(workspace, FILE_TO_FIX)}
    assert expected[FILE_TO_FIX], "the quickstart's app.py has problems to show once flasklint runs"
    bare_bin = tmp_path / "bare" / "bin"
    with vs_code(vsix, tmp_path, first_on_path=bare_bin) as editor:
        assert bare_venv(tmp_path / "bare", editor.env) == bare_bin
        result = editor.run_scenario(MISSING_SCENARIO, workspace, {
            "open": FILE_TO_FIX,
            "interpreter": str(INTERPRETER),
            "expected": expected,
        })  # fmt: skip
        missing = bare_bin / "python3"  # `python3` on PATH, as the extension found it
        # One notification, from flasklint, that says what is wrong and offers the ways out.
        notifications = [n for n in result["notifications"] if n["source"] == "flasklint"]
        assert notifications == [
            {"message": MISSING_MESSAGE.format(python=missing), "source": "flasklint", "buttons": MISSING_BUTTONS}
        ], result["notifications"]
        assert result["statusItem"] == {"text": "flasklint", "icon": "error"}  # "$(error) flasklint"
        assert flasklint_problems(result["problemsWhileMissing"], [FILE_TO_FIX]) == {FILE_TO_FIX: []}
        # "Select Interpreter" -> the file dialog -> flasklint.interpreter in the folder's settings -> problems,
        # in the same window; the error item and the notification are gone.
        assert result["sameWindow"] is True
        assert flasklint_problems(result["problemsAfterRecovery"], [FILE_TO_FIX]) == expected
        assert result["statusItemAfterRecovery"] is None
        assert [n for n in result["notificationsAfterRecovery"] if n["source"] == "flasklint"] == []
        settings = workspace / ".vscode" / "settings.json"
        assert json.loads(read(settings)) == {"flasklint.interpreter": str(INTERPRETER)}
        assert {p: b for p, b in workspace_files(workspace).items() if p != settings.relative_to(workspace)} == original
        channel = editor.flasklint_log()
        assert f"interpreter: {missing} (from PATH)" in channel, channel
        assert f"interpreter: {INTERPRETER} (from flasklint.interpreter)" in channel, channel
        assert len(result["screenshots"]) == 2 and all(Path(s).stat().st_size > 0 for s in result["screenshots"])
        copy_screenshots(result["screenshots"])
