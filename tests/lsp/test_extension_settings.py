"""The VS Code extension (vscode-extension/) against the server and engine it drives.

The extension sends the server's keys and keeps CLIENT_KEYS for itself, and sends the documents of
the file kinds the engine reads; these tests fail when a key, an enum, a default or a file kind is
added or changed on one side only. An unknown rule code in the settings is refused with the message
the CLI prints for it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from flasklint.file_kinds import DEPLOYMENT_FILES, TEMPLATE_SUFFIXES

from flasklint_lsp.settings import CLIENT_KEYS, DEFAULT_DEBOUNCE_MS, KNOWN_KEYS, RUN_MODES, SEVERITIES, Settings, parse
from harness import APP, flask_app, lsp_session

EXTENSION = Path(__file__).resolve().parents[2] / "vscode-extension"
MANIFEST = EXTENSION / "package.json"
PROPERTIES: dict[str, dict] = json.loads(MANIFEST.read_text(encoding="utf-8"))["contributes"]["configuration"]["properties"]


def test_the_extension_declares_the_server_keys_and_its_own_keys_only() -> None:
    top_level = {key.removeprefix("flasklint.").split(".")[0] for key in PROPERTIES}
    assert top_level == set(KNOWN_KEYS) | set(CLIENT_KEYS)
    assert not set(KNOWN_KEYS) & set(CLIENT_KEYS)


def test_enums_and_defaults_agree_with_the_server() -> None:
    assert PROPERTIES["flasklint.run"]["enum"] == list(RUN_MODES)
    assert PROPERTIES["flasklint.run"]["default"] == Settings().run
    assert PROPERTIES["flasklint.debounce"]["default"] == DEFAULT_DEBOUNCE_MS
    assert PROPERTIES["flasklint.enable"]["default"] is Settings().enable
    severity_names = PROPERTIES["flasklint.severity"]["additionalProperties"]["enum"]
    assert set(severity_names) <= set(SEVERITIES)
    assert {SEVERITIES[name] for name in severity_names} == set(SEVERITIES.values())


def test_the_extensions_own_keys_are_skipped_silently_but_typos_are_reported() -> None:
    forwarded = {"interpreter": "/usr/bin/python3", "showNotifications": "off", "trace": {"server": "verbose"}, "run": "onSave"}
    settings, problems = parse(forwarded, Settings())
    assert problems == []
    assert settings.run == "onSave"
    _, problems = parse({"selct": ["FLK1"]}, Settings())
    assert problems == ["unknown setting 'selct' (known: enable, select, ignore, severity, run, debounce)"]


def typescript_string_list(name: str) -> list[str]:
    """The string literals of `export const NAME = [...]` in vscode-extension/src/documents.ts."""
    source = (EXTENSION / "src" / "documents.ts").read_text(encoding="utf-8")
    found = re.search(rf"export const {name} = \[(.*?)\];", source, re.DOTALL)
    assert found, name
    return re.findall(r'"([^"]*)"', found.group(1))


def test_the_extension_sends_the_file_kinds_the_engine_reads() -> None:
    assert {f".{suffix}" for suffix in typescript_string_list("TEMPLATE_SUFFIXES")} == set(TEMPLATE_SUFFIXES)
    assert typescript_string_list("DEPLOYMENT_FILES") == list(DEPLOYMENT_FILES)



def cli_error(root: Path, *args: str) -> str:
    """What `flasklint check ARGS .` prints on stderr after `flasklint: error: ` (it must exit 2)."""
    command = [sys.executable, "-m", "flasklint", "check", *args, "."]
    result = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=300)
    assert result.returncode == 2, result
    [line] = result.stderr.splitlines()
    return line.removeprefix("flasklint: error: ")


@pytest.mark.asyncio
async def test_an_unknown_code_in_the_settings_is_refused_with_the_clis_message(tmp_path: Path) -> None:
    flask_project = flask_app(tmp_path)
    async with lsp_session(flask_project, settings={"select": ["FLK1"], "ignore": ["flk9"]}) as session:
        session.open("app.py", APP + 'app.run(host="0.0.0.0", debug=True)\n')
        [diagnostic] = await session.diagnostics("app.py", version=1)  # the valid `select` still applies
        refused = [m.message for m in session.client.messages if "FLK9" in m.message]  # window/showMessage
    assert str(diagnostic.code) == "FLK103"
    cli = cli_error(flask_project, "--ignore", "flk9")
    assert cli == "--ignore: unknown rule code or prefix 'FLK9' (codes look like FLK101; `flasklint rule --all` lists them)"
    assert refused == [f"flasklint: setting 'ignore': {cli.removeprefix('--ignore: ')}"]
