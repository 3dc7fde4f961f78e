"""The VS Code extension's settings (vscode-extension/package.json) against what the server reads.

The extension sends the server's keys and keeps CLIENT_KEYS for itself; these tests fail when a key,
an enum or a default is added or changed on one side only.
"""

from __future__ import annotations

import json
from pathlib import Path

from flasklint_lsp.settings import CLIENT_KEYS, DEFAULT_DEBOUNCE_MS, KNOWN_KEYS, RUN_MODES, SEVERITIES, Settings, parse

MANIFEST = Path(__file__).resolve().parents[2] / "vscode-extension" / "package.json"
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
