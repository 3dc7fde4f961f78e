"""Where a run's debug setting comes from when another file decides it: FLK103's data across files.

`flask run` loads `.flaskenv` then `.env` (python-dotenv, never over the environment; the nearest of
each name from the working folder up, flask/cli.py `load_dotenv`), and `app.config.from_object(...)`
takes `DEBUG` from a config object that may live in another module (or a base class of it). Each
file's part is collected by FLK103 (`DebugData`, cached with the file's facts); these functions join
them through the project index. Unknown means None or "unknown": the rule stays silent.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TypedDict

from flasklint.model.index import ProjectIndex

CODE = "FLK103"  # the rule whose collected data these functions read
DOTENV_FILES = (".flaskenv", ".env")  # in load order: `.env` wins
MAX_DEPTH = 8


class EnvSetting(TypedDict):
    value: str
    line: int


class ServerRun(TypedDict):
    """A `flask run` on a public host whose debug setting is left to `.flaskenv`/`.env`."""

    host: str
    span: tuple[int, int, int, int]
    fixable: bool
    reads: list[str]
    search_up: bool


class ConfigDebug(TypedDict):
    """`DEBUG = ...` in a module-level class (or the module itself): "on", "off", "unknown", "unset"."""

    state: str
    text: str
    bases: list[str]
    bases_known: bool


class AppRun(TypedDict):
    """An `app.run()` on a public host leaving debug to config objects of other modules."""

    host: str
    span: tuple[int, int, int, int]
    host_span: tuple[int, int, int, int]
    replacement: str
    loads: list[str]


class DebugData(TypedDict):
    env: dict[str, EnvSetting]  # `.flaskenv`/`.env`: FLASK_DEBUG
    servers: list[ServerRun]  # deployment files
    sets_debug: bool  # the deployment file sets FLASK_DEBUG itself (or a compose env_file may)
    configs: dict[str, ConfigDebug]  # Python: ref -> its DEBUG
    runs: list[AppRun]  # Python


def is_compose(path: str) -> bool:
    name = PurePosixPath(path).name.lower()
    return name.endswith((".yml", ".yaml")) and "compose" in name


def dotenv_debug(index: ProjectIndex, path: str, server: ServerRun) -> tuple[str, EnvSetting] | None:
    """The FLASK_DEBUG the run gets from its env files (python-dotenv's find_dotenv: the nearest of
    each name from the folder up; `.env` over `.flaskenv`), with the file that sets it."""
    folders = list(PurePosixPath(path).parents)
    if not server["search_up"]:
        folders = folders[:1]
    found: tuple[str, EnvSetting] | None = None
    for name in server["reads"]:  # `.flaskenv` first: a later file overrides it
        for folder in folders:
            candidate = str(folder / name) if str(folder) != "." else name
            facts = index.files.get(candidate)
            if facts is not None:
                data = facts.rule_data.get(CODE)
                if data and "FLASK_DEBUG" in data["env"]:
                    found = (candidate, data["env"]["FLASK_DEBUG"])
                break
    return found


def config_state(index: ProjectIndex, ref: str, depth: int = 0) -> tuple[str, str] | None:
    """The DEBUG a config object gives (its own, else its bases'), as ("on"|"off"|"unknown"|"unset", text);
    None when the object is not one the project's facts describe."""
    config = _config(index, ref, depth)
    if config is None or depth > MAX_DEPTH:
        return None
    if config["state"] != "unset":
        return config["state"], config["text"]
    if not config["bases_known"]:
        return ("unknown", "")
    inherited = [config_state(index, base, depth + 1) for base in config["bases"]]
    if any(state is None for state in inherited):
        return ("unknown", "")
    decided = [state for state in inherited if state and state[0] != "unset"]
    if not decided:
        return ("unset", "")
    if len({state[0] for state in decided}) > 1:  # type: ignore[index]
        return ("unknown", "")
    return decided[0]


def _config(index: ProjectIndex, ref: str, depth: int) -> ConfigDebug | None:
    """The collected config object named `ref`, following one module's imports (`pkg.Config` re-exported)."""
    if depth > MAX_DEPTH:
        return None
    module, _, name = ref.rpartition(".")
    for facts in index.files.values():
        if facts.kind != "python" or facts.module not in (ref, module):
            continue
        data = facts.rule_data.get(CODE)
        if data and ref in data["configs"]:
            return data["configs"][ref]
        if facts.module == module and name in facts.imports:
            return _config(index, facts.imports[name], depth + 1)
    return None
