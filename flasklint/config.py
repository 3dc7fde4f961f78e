"""`[tool.flasklint]` in pyproject.toml, merged with the command line's or the editor's selection.

Unknown keys are errors: a typo that silently disables nothing is worse than a clear message.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import sys
from dataclasses import field
from pathlib import Path, PurePosixPath
from typing import Sequence

from flasklint.project_layout import (  # noqa: F401 - re-exported: the engine and front-ends import them from here
    DEFAULT_EXCLUDE,
    ROOT_MARKERS,
    TEMPLATED_NAMES,
    exclude_patterns,
    find_project_root,
    is_always_excluded,
    is_template_source,
    marks_a_project,
)
from flasklint.records import dataclass

KNOWN_KEYS = frozenset({"select", "ignore", "extend-select", "per-file-ignores", "exclude", "extend-exclude"})


class ConfigError(Exception):
    """A configuration problem the user must fix; the CLI prints it and exits 2."""


class UnreadableConfigError(ConfigError):
    """pyproject.toml is not TOML at all (a Jinja template of one, a binary): it holds no
    `[tool.flasklint]` that can be read, so a project nested in the one checked is checked without it."""


@dataclass
class Config:
    select: list[str] = field(default_factory=lambda: ["FLK"])
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)  # the project's list (`--exclude` replaces it)
    extend_exclude: list[str] = field(default_factory=list)  # added to it (`--extend-exclude` adds more)

    def is_selected(self, code: str, path: str | None = None) -> bool:
        """ruff's prefix semantics: the longest matching prefix of select/ignore wins."""
        selected = _longest_prefix(code, [*self.select, *self.extend_select])
        ignored = _longest_prefix(code, self.ignore)
        if selected < 0 or ignored >= selected:
            return False
        if path is not None:
            for pattern, codes in self.per_file_ignores.items():
                if _path_matches(path, pattern) and _longest_prefix(code, codes) >= 0:
                    return False
        return True

    def is_excluded(self, relative: PurePosixPath, directory: bool = False) -> bool:
        """Whether discovery skips this path (relative to the project root; a folder when `directory`).

        A pattern matches a component of the path or the path itself (a glob, `*` crossing `/`),
        and whatever is under a folder it matches. `DEFAULT_EXCLUDE` names folders only: it never
        matches a file's own name."""
        folders, files = exclude_patterns((*self.exclude, *self.extend_exclude))
        parts = relative.parts
        for count in range(1, len(parts) + (1 if directory else 0)):
            if folders.match(parts[count - 1]) or folders.match("/".join(parts[:count])):
                return True
        return not directory and bool(parts) and bool(files.match(parts[-1]) or files.match(str(relative)))


def _longest_prefix(code: str, prefixes: list[str]) -> int:
    best = -1
    for prefix in prefixes:
        if prefix == "ALL" or code.startswith(prefix):
            best = max(best, 0 if prefix == "ALL" else len(prefix))
    return best


def _path_matches(path: str, pattern: str) -> bool:
    pattern = pattern.rstrip("/")
    return fnmatch.fnmatch(path, pattern) or path.startswith(pattern + "/") or path == pattern


def load_config(root: Path) -> Config:
    """Read `[tool.flasklint]` from root/pyproject.toml (a missing file or section means defaults)."""
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return Config()
    if sys.version_info >= (3, 11):  # imported here: a project without pyproject.toml never needs it
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise UnreadableConfigError(f"{pyproject}: cannot read TOML: {exc}") from exc
    tool = data.get("tool")
    section = tool.get("flasklint") if isinstance(tool, dict) else None
    if section is None:
        return Config()
    return config_from_mapping(section, str(pyproject))


def config_from_mapping(section: object, origin: str) -> Config:
    if not isinstance(section, dict):
        raise ConfigError(f"{origin}: [tool.flasklint] must be a table")
    unknown = sorted(set(section) - KNOWN_KEYS)
    if unknown:
        hints = [
            f"{key!r} (did you mean {close[0]!r}?)" if (close := _close_key(key)) else repr(key) for key in unknown
        ]
        raise ConfigError(
            f"{origin}: unknown key(s) in [tool.flasklint]: {', '.join(hints)}; "
            f"known keys: {', '.join(sorted(KNOWN_KEYS))}"
        )
    config = Config()
    for key in ("select", "ignore", "extend-select", "exclude", "extend-exclude"):
        if key in section:
            value = section[key]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{origin}: [tool.flasklint] {key} must be a list of strings")
    if "select" in section:
        config.select = validate_selectors(section["select"], f"{origin}: [tool.flasklint] select")
    config.ignore = validate_selectors(section.get("ignore", []), f"{origin}: [tool.flasklint] ignore")
    config.extend_select = validate_selectors(
        section.get("extend-select", []), f"{origin}: [tool.flasklint] extend-select"
    )
    config.exclude = list(section.get("exclude", []))
    config.extend_exclude = list(section.get("extend-exclude", []))
    per_file = section.get("per-file-ignores", {})
    if not isinstance(per_file, dict) or not all(
        isinstance(v, list) and all(isinstance(c, str) for c in v) for v in per_file.values()
    ):
        raise ConfigError(f"{origin}: [tool.flasklint] per-file-ignores must map globs to lists of codes")
    config.per_file_ignores = {
        str(k): validate_selectors(v, f"{origin}: [tool.flasklint] per-file-ignores {k!r}") for k, v in per_file.items()
    }
    return config


def validate_selectors(codes: list[str], where: str) -> list[str]:
    """Upper-cased codes; each must be `ALL` or a prefix of a known rule code (a typo is an error)."""
    from flasklint.rule_codes import rule_codes  # the codes only: no rule is loaded to validate them

    known = rule_codes()
    normalised = [code.strip().upper() for code in codes]
    for code in normalised:
        if not code or code != "ALL" and not any(k.startswith(code) for k in known):
            raise ConfigError(
                f"{where}: unknown rule code or prefix {code!r} (codes look like FLK101; "
                "`flasklint rule --all` lists them)"
            )
    return normalised


def with_overrides(
    config: Config,
    *,
    select: list[str] | None = None,
    extend_select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    exclude: list[str] | None = None,
    extend_exclude: Sequence[str] = (),
    origin: str = "--{}",
) -> Config:
    """The project's config with a front-end's selection on top, as ruff merges its flags: `select`
    and `exclude` replace the project's, `extend-select`, `ignore` and `extend-exclude` add to it.
    Every code is validated first (ConfigError naming `origin` filled with the option's name), so
    the CLI and the language server accept and refuse the same codes with the same message."""
    select = None if select is None else validate_selectors(select, origin.format("select"))
    extend_select = validate_selectors(list(extend_select), origin.format("extend-select"))
    ignore = validate_selectors(list(ignore), origin.format("ignore"))
    return dataclasses.replace(
        config,
        select=list(config.select) if select is None else select,
        extend_select=[*config.extend_select, *extend_select],
        ignore=[*config.ignore, *ignore],
        exclude=list(config.exclude) if exclude is None else list(exclude),
        extend_exclude=[*config.extend_exclude, *extend_exclude],
    )


def _close_key(key: str) -> list[str]:
    import difflib  # only for a mistake in the configuration

    return difflib.get_close_matches(key.replace("_", "-"), sorted(KNOWN_KEYS), n=1, cutoff=0.6)
