"""What deployment files run: `flask run` command lines in Dockerfiles, Procfiles, shell scripts,
compose files, `package.json` scripts and `.flaskenv`/`.env`, with the debug setting and host each
one ends up with.

FLK103 asks one question of these files: does a `flask run` start the debugger on a public
interface? Lines are split the way a shell would (`shlex`, `\\` continuations joined), while the
host's position is found in the raw text so the diagnostic and its fix point at the exact token.
Deliberately simple: what it cannot follow (variables, heredocs, multi-line YAML strings) it skips.
"""

from __future__ import annotations

import bisect
import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from flasklint.model.facts import Span

PUBLIC_HOSTS = frozenset({"0.0.0.0", "::"})
FALSE_VALUES = frozenset({"0", "false", "no"})  # flask.helpers.get_debug_flag
OPERATORS = frozenset({"&&", "||", ";", "|", "&", "(", ")", ";;", "\n"})
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
# `flask` group options that take a value (so the word after them is not the subcommand).
GROUP_OPTIONS_WITH_VALUE = frozenset({"--app", "-A", "--env-file", "-e"})
_HOST_VALUE = r"[\"']?(?P<host>0\.0\.0\.0|::)(?![\w:.])"
HOST_OPTION = re.compile(r"(?<![\w-])(?:--host|-h)(?:\s*=\s*|[\s\"',\\]+)" + _HOST_VALUE)
HOST_VARIABLE = re.compile(r"FLASK_RUN_HOST[\"']?\s*[:=\s]\s*" + _HOST_VALUE)


@dataclass(frozen=True)
class Setting:
    """An environment variable's value and where it was written (when that is known)."""

    value: str
    span: Span | None = None


@dataclass(frozen=True)
class PublicDebugServer:
    """A `flask run` with the debugger on, listening on every interface."""

    host: str
    span: Span  # of the host value (`0.0.0.0` in `--host=0.0.0.0`, or in `FLASK_RUN_HOST=0.0.0.0`)
    debug_source: str  # "--debug" or "FLASK_DEBUG=1"
    fixable: bool = True  # False when the host's exact position could not be found


@dataclass
class _Region:
    """Raw text of one logical line or block, and its offset in the file (to locate tokens)."""

    text: str
    offset: int


@dataclass
class _Document:
    text: str
    line_starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.line_starts = [0] + [i + 1 for i, char in enumerate(self.text) if char == "\n"]

    def span(self, offset: int, length: int) -> Span:
        row = bisect.bisect_right(self.line_starts, offset) - 1
        column = offset - self.line_starts[row]
        return (row + 1, column, row + 1, column + length)

    def locate(self, region: _Region, pattern: re.Pattern[str], after: int = 0) -> Span | None:
        match = pattern.search(region.text, after)
        if match is None:
            return None
        return self.span(region.offset + match.start("host"), len(match.group("host")))


def public_debug_servers(path: str, text: str) -> list[PublicDebugServer]:
    """Every `flask run` (or env file) in a deployment file that serves the debugger publicly."""
    name = PurePosixPath(path).name.lower()
    scanner = _Scanner(_Document(text))
    if name.startswith("dockerfile") or name.endswith(".dockerfile"):
        scanner.dockerfile()
    elif name.startswith("procfile"):
        scanner.procfile()
    elif name.endswith(".sh"):
        scanner.shell_script()
    elif name.endswith((".yml", ".yaml")) and "compose" in name:
        scanner.compose()
    elif name in (".flaskenv", ".env"):
        scanner.env_file()
    elif name == "package.json":
        scanner.package_json()
    return scanner.found


def is_debug_value(value: str) -> bool:
    """FLASK_DEBUG as Flask reads it; a `$VARIABLE` we cannot see counts as off."""
    return bool(value) and "$" not in value and value.lower() not in FALSE_VALUES


def split_words(text: str) -> list[str]:
    """Shell words and operators (`&&`, `;`, `|` ...) of a command line; a plain split if quotes are unbalanced."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        return list(lexer)
    except ValueError:
        return text.split()


class _Scanner:
    def __init__(self, document: _Document) -> None:
        self.document = document
        self.found: list[PublicDebugServer] = []

    # -- file kinds ------------------------------------------------------------------------
    def dockerfile(self) -> None:
        env: dict[str, Setting] = {}
        entrypoint: list[str] | None = None
        for region in self._logical_lines(dockerfile=True):
            parts = _join_continuations(region.text).strip().split(None, 1)
            if not parts or parts[0].startswith("#"):
                continue
            instruction, rest = parts[0].upper(), (parts[1] if len(parts) > 1 else "")
            if instruction == "FROM":
                env, entrypoint = {}, None
            elif instruction == "ENV":
                env.update(self._dockerfile_env(rest, region))
            elif instruction in ("CMD", "ENTRYPOINT", "RUN"):
                argv = _exec_form(rest)
                if instruction == "ENTRYPOINT":
                    entrypoint = argv
                if argv is None:
                    self._shell(rest, dict(env), region)
                elif instruction == "CMD" and entrypoint is not None:
                    self._argv(entrypoint + argv, env, region)
                else:
                    self._argv(argv, env, region)

    def procfile(self) -> None:
        for region in self._logical_lines():
            match = re.match(r"\s*[\w.-]+\s*:(.*)", region.text, re.S)
            if match:
                self._shell(_join_continuations(match.group(1)), {}, region)

    def shell_script(self) -> None:
        env: dict[str, Setting] = {}
        for region in self._logical_lines():
            if not region.text.strip().startswith("#"):
                self._shell(_join_continuations(region.text), env, region)

    def env_file(self) -> None:
        env: dict[str, Setting] = {}
        for region in self._logical_lines():
            match = re.match(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$", region.text)
            if match:
                env[match.group(1)] = self._setting(_unquote(match.group(2)), match.group(1), region)
        self._report_environment_only(env)

    def package_json(self) -> None:
        """npm scripts (`"dev": "FLASK_DEBUG=1 flask run --host=0.0.0.0"`): each a shell command line."""
        try:
            scripts = json.loads(self.document.text).get("scripts")
        except (ValueError, AttributeError):
            return
        if not isinstance(scripts, dict):
            return
        for name, command in scripts.items():
            region = self._json_entry(name, command) if isinstance(command, str) else None
            if region is not None:
                self._shell(command, {}, region)

    def _json_entry(self, key: str, value: str) -> _Region | None:
        """The raw line holding `"key": "value"` (the first one), to locate the host in; None when it is
        written another way (escapes JSON allows but `json.dumps` does not write)."""
        key_text, value_text = (re.escape(json.dumps(part, ensure_ascii=False)) for part in (key, value))
        pattern = re.compile(r"[^\n]*" + key_text + r"\s*:\s*" + value_text + r"[^\n]*")
        match = pattern.search(self.document.text)
        return _Region(match.group(), match.start()) if match else None

    def compose(self) -> None:
        for block in _service_blocks(_lines(self.document.text)):
            env: dict[str, Setting] = {}
            commands: list[tuple[list[str] | str, _Region]] = []
            index = 0
            while index < len(block):
                start, line = block[index]
                entry = re.match(
                    r"\s*(?:-\s*)?[\"']?(FLASK_DEBUG|FLASK_RUN_HOST)[\"']?\s*[:=]\s*[\"']?([^\"'\s#]*)", line
                )
                command = re.match(r"(\s*)(command|entrypoint)\s*:\s*(.*?)\s*$", line)
                if entry:
                    region = _Region(line, self._offset(start))
                    env[entry.group(1)] = self._setting(entry.group(2), entry.group(1), region)
                elif command:
                    value, used = _compose_value(command.group(3), block[index + 1 :], len(command.group(1)))
                    text = "".join(raw for _, raw in block[index : index + 1 + used])
                    commands.append((value, _Region(text, self._offset(start))))
                    index += used
                index += 1
            for value, region in commands:
                if isinstance(value, list):
                    self._argv(value, env, region)
                else:
                    self._shell(value, dict(env), region)

    # -- commands --------------------------------------------------------------------------
    def _shell(self, text: str, env: dict[str, Setting], region: _Region) -> None:
        """A shell command line: simple commands split at operators; `export` updates `env`."""
        command: list[str] = []
        for word in [*split_words(text), ";"]:
            if word in OPERATORS:
                if command:
                    self._simple_command(command, env, region)
                command = []
            else:
                command.append(word)

    def _argv(self, argv: list[str], env: dict[str, Setting], region: _Region) -> None:
        """An exec-form command (JSON array, YAML list): words are not split again, except `sh -c` strings."""
        self._simple_command(argv, dict(env), region)

    def _simple_command(self, words: list[str], env: dict[str, Setting], region: _Region) -> None:
        inline: dict[str, Setting] = {}
        index = 0
        while index < len(words) and ASSIGNMENT.match(words[index]):
            key, _, value = words[index].partition("=")
            inline[key] = self._setting(value, key, region)
            index += 1
        rest = words[index:]
        if rest and rest[0] == "export":
            for word in rest[1:]:
                if ASSIGNMENT.match(word):
                    key, _, value = word.partition("=")
                    env[key] = self._setting(value, key, region)
            return
        while rest and rest[0] in ("exec", "env", "cross-env"):
            rest = rest[1:]
            while rest and ASSIGNMENT.match(rest[0]):
                key, _, value = rest[0].partition("=")
                inline[key] = self._setting(value, key, region)
                rest = rest[1:]
        scope = {**env, **inline}
        for word in rest:
            if any(space in word for space in " \t\n") and word.strip():
                self._shell(word, dict(scope), region)  # `sh -c "flask run ..."`
        run = _flask_run(rest)
        if run is not None:
            self._report(run, scope, region)

    def _report(self, run: "_FlaskRun", env: dict[str, Setting], region: _Region) -> None:
        if run.debugger is False:
            return
        debug_setting = env.get("FLASK_DEBUG")
        if run.debug is None and debug_setting is not None and is_debug_value(debug_setting.value):
            debug_source = f"FLASK_DEBUG={debug_setting.value}"
        elif run.debug:
            debug_source = "--debug"
        else:
            return
        if run.host is not None:
            if run.host in PUBLIC_HOSTS:
                flask_at = region.text.find("flask")
                span = self.document.locate(region, HOST_OPTION, max(flask_at, 0))
                self._add(run.host, span, debug_source, region)
            return
        host_setting = env.get("FLASK_RUN_HOST")
        if host_setting is not None and host_setting.value in PUBLIC_HOSTS:
            self._add(host_setting.value, host_setting.span, debug_source, region)

    def _report_environment_only(self, env: dict[str, Setting]) -> None:
        """`.flaskenv`: `flask run` reads FLASK_DEBUG and FLASK_RUN_HOST from it."""
        debug, host = env.get("FLASK_DEBUG"), env.get("FLASK_RUN_HOST")
        if debug and host and is_debug_value(debug.value) and host.value in PUBLIC_HOSTS and host.span:
            self.found.append(PublicDebugServer(host.value, host.span, f"FLASK_DEBUG={debug.value}"))

    def _add(self, host: str, span: Span | None, debug_source: str, region: _Region) -> None:
        fixable = span is not None
        if span is None:
            stripped = len(region.text) - len(region.text.lstrip())
            span = self.document.span(region.offset + stripped, 0)
        result = PublicDebugServer(host, span, debug_source, fixable)
        if result not in self.found:
            self.found.append(result)

    # -- helpers ---------------------------------------------------------------------------
    def _setting(self, value: str, key: str, region: _Region) -> Setting:
        span = self.document.locate(region, HOST_VARIABLE) if key == "FLASK_RUN_HOST" else None
        return Setting(value, span)

    def _dockerfile_env(self, rest: str, region: _Region) -> dict[str, Setting]:
        words = split_words(rest)
        if words and "=" not in words[0]:  # legacy `ENV KEY value with spaces`
            key, _, value = rest.strip().partition(" ")
            return {key: self._setting(_unquote(value.strip()), key, region)}
        pairs = (word.partition("=") for word in words if "=" in word)
        return {key: self._setting(value, key, region) for key, _, value in pairs}

    def _logical_lines(self, dockerfile: bool = False) -> list[_Region]:
        """Lines with `\\` continuations joined, raw text kept (Docker also skips comment lines inside them)."""
        regions: list[_Region] = []
        offset = 0
        current: _Region | None = None
        for line in _lines(self.document.text):
            continues = line.rstrip("\r\n").endswith("\\")
            if current is None:
                current = _Region(line, offset)
            else:
                current.text += line
                continues = continues or (dockerfile and line.lstrip().startswith("#"))
            offset += len(line)
            if not continues:
                regions.append(current)
                current = None
        if current is not None:
            regions.append(current)
        return regions

    def _offset(self, index: int) -> int:
        return self.document.line_starts[index]


@dataclass
class _FlaskRun:
    debug: bool | None = None  # --debug / --no-debug (None: not given)
    debugger: bool | None = None  # --debugger / --no-debugger
    host: str | None = None


def _flask_run(words: list[str]) -> _FlaskRun | None:
    """The options of a `flask [group options] run [options]` command; None for anything else."""
    start = next((i + 1 for i, word in enumerate(words) if word == "flask" or word.endswith("/flask")), None)
    if start is None:
        return None
    run = _FlaskRun()
    index, subcommand = start, None
    while index < len(words):
        word = words[index]
        if word in ("--debug", "--no-debug"):
            run.debug = word == "--debug"
        elif subcommand is None:
            if word in GROUP_OPTIONS_WITH_VALUE:
                index += 1
            elif not word.startswith("-"):
                subcommand = word
                if word != "run":
                    return None
        elif word in ("--host", "-h") and index + 1 < len(words):
            run.host = words[index + 1]
            index += 1
        elif word.startswith("--host="):
            run.host = word.partition("=")[2]
        elif word in ("--debugger", "--no-debugger"):
            run.debugger = word == "--debugger"
        index += 1
    return run if subcommand == "run" else None


def _lines(text: str) -> list[str]:
    """Lines with their endings, split at `\\n` only (so offsets match _Document.line_starts)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def _join_continuations(text: str) -> str:
    """One line of text: `\\` + newline (and comment lines right after it, as Docker does) become a space."""
    return re.sub(r"\\\r?\n(?:[ \t]*#[^\n]*\n)*", " ", text)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _exec_form(rest: str) -> list[str] | None:
    """`CMD ["flask", "run"]`: the JSON array, or None for the shell form."""
    text = _join_continuations(rest).strip()
    if not text.startswith("["):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    return None


def _service_blocks(lines: list[str]) -> list[list[tuple[int, str]]]:
    """(line index, raw line) of each compose service: keys one level under `services:`."""
    start = next((i + 1 for i, line in enumerate(lines) if re.match(r"services\s*:\s*(#.*)?$", line.rstrip())), 0)
    blocks: list[list[tuple[int, str]]] = []
    service_indent: int | None = None
    for index in range(start, len(lines)):
        line = lines[index]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            if blocks:
                blocks[-1].append((index, line))
            continue
        indent = len(line) - len(line.lstrip())
        if start and indent == 0:
            break  # the next top-level key after `services:`
        if service_indent is None:
            service_indent = indent
        if indent <= service_indent:
            blocks.append([])
        if blocks:
            blocks[-1].append((index, line))
    return blocks


def _compose_value(inline: str, following: list[tuple[int, str]], key_indent: int) -> tuple[list[str] | str, int]:
    """A compose `command:` value: a flow or block list (argv), or a string; and how many more lines it used."""
    inline = re.sub(r"\s+#.*$", "", inline)
    if inline.startswith("["):
        items = re.findall(r"\"((?:[^\"\\]|\\.)*)\"|'([^']*)'|([^,\s\[\]]+)", inline)
        return [a or b or c for a, b, c in items], 0
    if inline and inline not in ("|", ">", "|-", ">-"):
        return _unquote(inline), 0
    used = 0
    items: list[str] = []
    for _, line in following:
        stripped = line.strip()
        if stripped and len(line) - len(line.lstrip()) <= key_indent:
            break
        used += 1
        if stripped.startswith("- ") and not inline:
            items.append(_unquote(stripped[2:].strip()))
        elif stripped:
            items.append(stripped)
    if inline:  # a block scalar: one command line
        return " ".join(items), used
    return items, used
