"""Editor settings: `initializationOptions.settings` and `workspace/didChangeConfiguration`.

The keys are the ones the VS Code extension sends: enable, select, ignore, severity, run, debounce.
Its other settings (CLIENT_KEYS) are the extension's own; a client that forwards its whole
`flasklint` section sends them too, and they are skipped without a complaint.
A bad value is reported and ignored (the previous value stays): a typo in settings.json must not
take the linter down. `select` replaces the project's selection and `ignore` extends it, exactly
like `flasklint check --select/--ignore`: the same `config.with_overrides` merges them and refuses an
unknown code with the CLI's message.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Mapping

from lsprotocol import types

from flasklint.config import Config, ConfigError, with_overrides
from flasklint.diagnostics import Severity

KNOWN_KEYS = ("enable", "select", "ignore", "severity", "run", "debounce")
CLIENT_KEYS = ("interpreter", "showNotifications", "trace")  # vscode-extension/package.json reads these
RUN_MODES = ("onType", "onSave")
DEFAULT_DEBOUNCE_MS = 200
SETTING_ORIGIN = "setting {!r}"  # how a problem names the setting, as the CLI names its `--select`

SEVERITIES: dict[str, types.DiagnosticSeverity] = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "info": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}
ENGINE_SEVERITIES: dict[Severity, types.DiagnosticSeverity] = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


@dataclass(frozen=True)
class Settings:
    enable: bool = True
    select: tuple[str, ...] = ()  # empty: the project's own selection
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, str] = field(default_factory=dict)  # code or prefix -> severity name
    run: str = "onType"
    debounce: int = DEFAULT_DEBOUNCE_MS  # milliseconds

    def severity_for(self, code: str, default: Severity) -> types.DiagnosticSeverity:
        """The longest matching prefix in `severity` wins; otherwise the rule's own severity."""
        matches = [prefix for prefix in self.severity if code.startswith(prefix)]
        if matches:
            return SEVERITIES[self.severity[max(matches, key=len)]]
        return ENGINE_SEVERITIES.get(default, types.DiagnosticSeverity.Warning)

    def config_for(self, project_config: Config) -> Config:
        """The project's `[tool.flasklint]` with the editor's select/ignore applied on top."""
        return with_overrides(
            project_config, select=list(self.select) or None, ignore=list(self.ignore), origin=SETTING_ORIGIN
        )


def unwrap(payload: Any) -> dict[str, Any] | None:
    """The settings mapping inside an initializationOptions or didChangeConfiguration payload.

    Accepts `{"settings": {...}}` (what the extension sends), `{"flasklint": {...}}` or
    `{"settings": {"flasklint": {...}}}` (clients forwarding their whole configuration, e.g. Neovim's
    lspconfig `settings`), and a bare mapping of known keys. None: no flasklint settings in it.
    """
    if not isinstance(payload, dict):
        return None
    if any(key in payload for key in KNOWN_KEYS):
        return payload
    for key in ("settings", "flasklint"):
        if isinstance(payload.get(key), dict):
            return unwrap(payload[key])
    return None


def parse(raw: Mapping[str, Any], current: Settings) -> tuple[Settings, list[str]]:
    """New settings from `raw` (keys absent from it keep their current value) and the problems found."""
    problems: list[str] = []
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key in CLIENT_KEYS or key.startswith("trace."):
            continue
        if key not in KNOWN_KEYS:
            problems.append(f"unknown setting {key!r} (known: {', '.join(KNOWN_KEYS)})")
            continue
        checked = _check(key, value)
        if isinstance(checked, str):
            problems.append(f"setting {key!r}: {checked}")
            continue
        refused = _unknown_codes(key, checked[0]) if key in ("select", "ignore") else None
        if refused is not None:
            problems.append(refused)
        else:
            values[key] = checked[0]
    return dataclasses.replace(current, **values), problems


def _unknown_codes(key: str, codes: tuple[str, ...]) -> str | None:
    """The CLI's message for a code no rule has (validated by the merge the settings go through)."""
    try:
        with_overrides(Config(), **{key: list(codes)}, origin=SETTING_ORIGIN)
    except ConfigError as exc:
        return str(exc)
    return None


def _check(key: str, value: Any) -> tuple[Any] | str:
    """(value,) when valid, else a message."""
    if key == "enable":
        return (value,) if isinstance(value, bool) else "expected true or false"
    if key in ("select", "ignore"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return "expected a list of rule codes or prefixes"
        return (tuple(v.strip().upper() for v in value if v.strip()),)
    if key == "severity":
        if not isinstance(value, dict):
            return "expected a mapping of rule codes or prefixes to error|warning|information|hint"
        bad = sorted(f"{k}={v}" for k, v in value.items() if not isinstance(v, str) or v.lower() not in SEVERITIES)
        if bad:
            return f"unknown severity in {', '.join(bad)} (use error, warning, information or hint)"
        return ({str(k).upper(): v.lower() for k, v in value.items()},)
    if key == "run":
        return (value,) if value in RUN_MODES else f"expected one of {', '.join(RUN_MODES)}"
    if key == "debounce":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            return "expected a number of milliseconds >= 0"
        return (int(value),)
    raise AssertionError(key)
