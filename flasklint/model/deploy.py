"""What deployment files run: `flask run` command lines in Dockerfiles, Procfiles, shell scripts,
compose files, `package.json` scripts and `.flaskenv`/`.env`, with the debug setting and host each
one ends up with.

FLK103 asks one question of these files: does a `flask run` start the debugger on a public
interface? When the file itself leaves debug undecided, the answer may be in `.flaskenv`/`.env`,
which `flask run` loads without overriding the environment: `undecided_servers` lists those runs
(and which env files each can see), `dotenv_values` reads an env file. Lines are split the way a shell would (`shlex`, `\\` continuations joined), while the
host's position is found in the raw text so the diagnostic and its fix point at the exact token.
Deliberately simple: what it cannot follow (variables, heredocs, multi-line YAML strings) it skips.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import field
from pathlib import PurePosixPath

from flasklint import shortcuts
from flasklint.lazy_regex import lazy_pattern
from flasklint.model.facts import Span
from flasklint.records import dataclass

PUBLIC_HOSTS = frozenset({"0.0.0.0", "::"})
FALSE_VALUES = frozenset({"0", "false", "no"})  # flask.helpers.get_debug_flag
OPERATORS = frozenset({"&&", "||", ";", "|", "&", "(", ")", ";;", "\n"})
_assignment = lazy_pattern(r"^[A-Za-z_][A-Za-z0-9_]*=")
# The word `flask`, also as the shell's quote removal can make it (`fl"ask"`, `fl\ask`): without it a
# shell script runs no `flask run`, and its (slow, shlex) word splitting is skipped.
_flask_word = lazy_pattern(r"""f[\\"']*l[\\"']*a[\\"']*s[\\"']*k""")
# `flask` group options that take a value (so the word after them is not the subcommand).
GROUP_OPTIONS_WITH_VALUE = frozenset({"--app", "-A", "--env-file", "-e"})
_HOST_VALUE = r"[\"']?(?P<host>0\.0\.0\.0|::)(?![\w:.])"
_host_option = lazy_pattern(r"(?<![\w-])(?:--host|-h)(?:\s*=\s*|[\s\"',\\]+)" + _HOST_VALUE)
_host_variable = lazy_pattern(r"FLASK_RUN_HOST[\"']?\s*[:=\s]\s*" + _HOST_VALUE)


@dataclass(frozen=True)
class Setting:
    """An environment variable's value and where it was written (when that is known)."""

    value: str
    span: Span | None = None


@dataclass(frozen=True)
class DotenvValue:
    """One variable of a `.flaskenv`/`.env` file, as python-dotenv reads it, and its line."""

    value: str
    line: int


@dataclass(frozen=True)
class UndecidedServer:
    """A `flask run` on a public host whose debug setting its own file leaves to the env files it loads."""

    host: str
    span: Span  # of the host value, as for PublicDebugServer
    fixable: bool
    # The env files `flask run` can find there (`.flaskenv`, `.env`) and where it looks: from the
    # file's folder upwards (python-dotenv's find_dotenv) or in that folder only (an image's context).
    reads: tuple[str, ...]
    search_up: bool


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
        if not shortcuts.enabled() or _flask_word().search(text):  # a script runs no `flask run` otherwise
            scanner.shell_script()
    elif name.endswith((".yml", ".yaml")) and "compose" in name:
        scanner.compose()
    elif name in (".flaskenv", ".env"):
        scanner.env_file()
    elif name == "package.json":
        scanner.package_json()
    return scanner.found


def undecided_servers(path: str, text: str) -> list[UndecidedServer]:
    """Each `flask run` on a public host whose debug setting the file leaves to `.flaskenv`/`.env`:
    no `--debug`/`--no-debug`, no `--no-debugger`, no `--env-file`, no FLASK_DEBUG or FLASK_SKIP_DOTENV
    in its environment (python-dotenv never overrides a variable already set), and an env file it can
    see: beside (or above) a Procfile or `package.json`; in a Dockerfile's image only `.flaskenv`,
    when the stage copies its build context (`.env` is commonly kept out by `.dockerignore`, which
    flasklint does not read); in a compose service only when it mounts its folder (`.:/app`) and has
    no `env_file:`. Shell scripts may `cd` anywhere: none."""
    name = PurePosixPath(path).name.lower()
    scanner = _Scanner(_Document(text))
    if name.startswith("dockerfile") or name.endswith(".dockerfile"):
        scanner.dockerfile()
    elif name.startswith("procfile"):
        scanner.dotenv_files = (".flaskenv", ".env")
        scanner.procfile()
    elif name.endswith((".yml", ".yaml")) and "compose" in name:
        scanner.compose()
    elif name == "package.json":
        scanner.dotenv_files = (".flaskenv", ".env")
        scanner.package_json()
    return scanner.undecided


def sets_flask_debug(path: str, text: str) -> bool:
    """The file sets FLASK_DEBUG for what it runs (`ENV`, `environment:`, `FLASK_DEBUG=...`), or a compose
    service names an `env_file:` that may: it may override what `.flaskenv`/`.env` say."""
    if re.search(r"FLASK_DEBUG[\"']?\s*[:=]|\bFLASK_DEBUG\s+\S", text):
        return True
    name = PurePosixPath(path).name.lower()
    return name.endswith((".yml", ".yaml")) and "compose" in name and bool(re.search(r"(?m)^\s*env_file\s*:", text))


def dotenv_values(text: str) -> dict[str, DotenvValue]:
    """The variables of an env file as python-dotenv reads them (`export`, quotes, ` #` comments after
    an unquoted value); the last assignment of a name wins."""
    values: dict[str, DotenvValue] = {}
    for row, line in enumerate(text.splitlines(), start=1):
        match = re.match(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*?)\s*$", line)
        if match:
            values[match.group(1)] = DotenvValue(_dotenv_value(match.group(2)), row)
    return values


def is_debug_value(value: str) -> bool:
    """FLASK_DEBUG as Flask reads it; a `$VARIABLE` we cannot see counts as off."""
    return bool(value) and "$" not in value and value.lower() not in FALSE_VALUES


def split_words(text: str) -> list[str]:
    """Shell words and operators (`&&`, `;`, `|` ...) of a command line; a plain split if quotes are unbalanced."""
    import shlex

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
        self.undecided: list[UndecidedServer] = []
        self.dotenv_files: tuple[str, ...] = ()  # the env files a `flask run` here can see
        self.search_up = True

    # -- file kinds ------------------------------------------------------------------------
    def dockerfile(self) -> None:
        env: dict[str, Setting] = {}
        entrypoint: list[str] | None = None
        self.search_up = False
        self.dotenv_files = (".flaskenv",)
        stage_start, copies_context = 0, False
        for region in self._logical_lines(dockerfile=True):
            parts = _join_continuations(region.text).strip().split(None, 1)
            if not parts or parts[0].startswith("#"):
                continue
            instruction, rest = parts[0].upper(), (parts[1] if len(parts) > 1 else "")
            if instruction == "FROM":
                self._end_stage(stage_start, copies_context)
                env, entrypoint = {}, None
                stage_start, copies_context = len(self.undecided), False
            elif instruction in ("COPY", "ADD"):
                copies_context = copies_context or _copies_context(rest)
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
        self._end_stage(stage_start, copies_context)

    def _end_stage(self, start: int, copies_context: bool) -> None:
        """A stage's `flask run` sees `.flaskenv` only when the stage copies its build context (wherever
        the COPY stands: the command runs when the container starts)."""
        if not copies_context:
            del self.undecided[start:]

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
                env[match.group(1)] = self._setting(_dotenv_value(match.group(2)), match.group(1), region)
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
        self.search_up = False
        for block in _service_blocks(_lines(self.document.text)):
            self.dotenv_files = _compose_dotenv_files(block)
            env: dict[str, Setting] = {}
            commands: list[tuple[list[str] | str, _Region]] = []
            index = 0
            while index < len(block):
                start, line = block[index]
                entry = re.match(
                    r"\s*(?:-\s*)?[\"']?(FLASK_DEBUG|FLASK_RUN_HOST|FLASK_SKIP_DOTENV)[\"']?\s*[:=]\s*[\"']?([^\"'\s#]*)", line
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
        while index < len(words) and _assignment().match(words[index]):
            key, _, value = words[index].partition("=")
            inline[key] = self._setting(value, key, region)
            index += 1
        rest = words[index:]
        if rest and rest[0] == "export":
            for word in rest[1:]:
                if _assignment().match(word):
                    key, _, value = word.partition("=")
                    env[key] = self._setting(value, key, region)
            return
        while rest and rest[0] in ("exec", "env", "cross-env"):
            rest = rest[1:]
            while rest and _assignment().match(rest[0]):
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
        host = self._public_host(run, env, region)
        if host is None:
            return
        debug_setting = env.get("FLASK_DEBUG")
        if run.debug is None and debug_setting is None:
            self._add_undecided(run, env, host, region)
        elif run.debug is None and debug_setting is not None and is_debug_value(debug_setting.value):
            self._add(host.value, host.span, f"FLASK_DEBUG={debug_setting.value}", region)
        elif run.debug:
            self._add(host.value, host.span, "--debug", region)

    def _public_host(self, run: "_FlaskRun", env: dict[str, Setting], region: _Region) -> Setting | None:
        """The public host a `flask run` listens on (`--host` wins over FLASK_RUN_HOST), and where."""
        if run.host is not None:
            if run.host not in PUBLIC_HOSTS:
                return None
            flask_at = region.text.find("flask")
            return Setting(run.host, self.document.locate(region, _host_option(), max(flask_at, 0)))
        host_setting = env.get("FLASK_RUN_HOST")
        return host_setting if host_setting is not None and host_setting.value in PUBLIC_HOSTS else None

    def _add_undecided(self, run: "_FlaskRun", env: dict[str, Setting], host: Setting, region: _Region) -> None:
        """A run whose debug setting `.flaskenv`/`.env` decide (python-dotenv sets only unset variables)."""
        if run.env_file or "FLASK_SKIP_DOTENV" in env or not self.dotenv_files:
            return
        span, fixable = self._host_span(host.span, region)
        found = UndecidedServer(host.value, span, fixable, self.dotenv_files, self.search_up)
        if found not in self.undecided:
            self.undecided.append(found)

    def _report_environment_only(self, env: dict[str, Setting]) -> None:
        """`.flaskenv`: `flask run` reads FLASK_DEBUG and FLASK_RUN_HOST from it."""
        debug, host = env.get("FLASK_DEBUG"), env.get("FLASK_RUN_HOST")
        if debug and host and is_debug_value(debug.value) and host.value in PUBLIC_HOSTS and host.span:
            self.found.append(PublicDebugServer(host.value, host.span, f"FLASK_DEBUG={debug.value}"))

    def _add(self, host: str, span: Span | None, debug_source: str, region: _Region) -> None:
        located, fixable = self._host_span(span, region)
        result = PublicDebugServer(host, located, debug_source, fixable)
        if result not in self.found:
            self.found.append(result)

    # -- helpers ---------------------------------------------------------------------------
    def _host_span(self, span: Span | None, region: _Region) -> tuple[Span, bool]:
        """The host's span and whether a fix can rewrite it (else: an empty span where the command starts)."""
        if span is not None:
            return span, True
        stripped = len(region.text) - len(region.text.lstrip())
        return self.document.span(region.offset + stripped, 0), False

    def _setting(self, value: str, key: str, region: _Region) -> Setting:
        span = self.document.locate(region, _host_variable()) if key == "FLASK_RUN_HOST" else None
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
    env_file: bool = False  # `--env-file`/`-e`: a file taking precedence over `.flaskenv`/`.env`


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
        if word in ("--env-file", "-e") or word.startswith("--env-file="):
            run.env_file = True
            index += word in ("--env-file", "-e")  # its value is not the subcommand
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


def _dotenv_value(raw: str) -> str:
    """A value as python-dotenv reads it: quotes removed, or a ` #` comment cut off an unquoted one."""
    return _unquote(raw) if raw[:1] in "\"'" else re.sub(r"\s+#.*$", "", raw)


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


def _copies_context(rest: str) -> bool:
    """`COPY . .`, `ADD ./ /app`, `COPY --chown=app . .`: the whole build context goes into the image."""
    words = [word for word in split_words(_join_continuations(rest)) if not word.startswith("--")]
    if words[:1] and words[0].startswith("["):
        words = _exec_form(rest) or []
    return any(source.rstrip("/") in (".", "") and source for source in words[:-1])


def _compose_dotenv_files(block: list[tuple[int, str]]) -> tuple[str, ...]:
    """A service mounting its compose file's folder (`- .:/app`) sees that folder's env files, unless it
    names an `env_file:` of its own (which may set FLASK_DEBUG)."""
    text = "".join(line for _, line in block)
    if re.search(r"(?m)^\s*env_file\s*:", text):
        return ()
    mounts = re.search(r"(?m)^\s*-\s*[\"']?\./?:/", text)
    return (".flaskenv", ".env") if mounts else ()


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
