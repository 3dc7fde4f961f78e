"""`flasklint check|rule`: ruff's conventions (flags, exit codes 0/1/2, output formats) over the engine.

Exit codes: 0 nothing found, 1 diagnostics found (or, with `--diff`, fixes to apply), 2 an error
that kept flasklint from doing its job (bad configuration, a missing or unreadable path, a fix
that would have broken a file, a file it could not write or that changed while it was being
fixed). The other paths are still checked; the error is printed on stderr and the summary says so.
"""

from __future__ import annotations

import os
import re
import sys

from flasklint import __version__
from flasklint.isolation import drop_project_paths

TYPE_CHECKING = False  # typing's and pathlib's, not imported: neither `--version` nor a warm run loads them
if TYPE_CHECKING:
    import argparse
    from collections import Counter
    from pathlib import Path
    from typing import Sequence

    from flasklint.config import Config
    from flasklint.engine import Project
    from flasklint.output.report import Report
    from flasklint.run_cache import RunKey

# Everything else is imported where it is used: `--version` needs nothing, a warm run that prints
# its saved result (run_cache.py) neither argparse, nor the configuration, nor the engine (every
# rule and the model), nor the fixer, nor logging (it logs nothing).
EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
NO_NEWLINE = "\\ No newline at end of file\n"  # a unified diff's marker, as diff and git print it
# The options of `check` a saved run may have been given (never --fix, --diff, --no-cache, --verbose),
# as `named_paths` reads them: those taking a value, and the flags.
SAVED_RUN_VALUE_OPTIONS = frozenset(
    {"--output-format", "--select", "--extend-select", "--ignore", "--exclude", "--extend-exclude"}
)
SAVED_RUN_FLAGS = frozenset(
    {"--unsafe-fixes", "--show-fixes", "--exit-zero", "--statistics", "--force-exclude", "-q", "--quiet"}
)


def _codes(value: str) -> list[str]:
    return [code.strip().upper() for code in value.split(",") if code.strip()]


def _patterns(value: str) -> list[str]:
    return [pattern.strip() for pattern in value.split(",") if pattern.strip()]


def build_parser() -> argparse.ArgumentParser:
    import argparse
    from pathlib import Path

    from flasklint.output import FORMATS

    parser = argparse.ArgumentParser(prog="flasklint", description="A linter for Flask applications.")
    parser.add_argument("--version", action="version", version=f"flasklint {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="lint files or directories (default: .)")
    check.add_argument("paths", nargs="*", type=Path, help="files or directories to check")
    check.add_argument("--output-format", choices=sorted(FORMATS), default="text")
    check.add_argument("--fix", action="store_true", help="apply safe fixes")
    check.add_argument("--unsafe-fixes", action="store_true", help="also apply (with --fix) or offer unsafe fixes")
    check.add_argument("--diff", action="store_true", help="print the fixes as a diff instead of writing them")
    check.add_argument("--show-fixes", action="store_true", help="list the fixes applied, per file")
    check.add_argument("--select", type=_codes, help="comma-separated rule codes or prefixes to enable")
    check.add_argument("--extend-select", type=_codes, default=[], help="codes to enable on top of the selection")
    check.add_argument("--ignore", type=_codes, default=[], help="codes or prefixes to disable")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when diagnostics are found")
    check.add_argument("--statistics", action="store_true", help="print a count per rule instead of each diagnostic")
    check.add_argument("--no-cache", action="store_true", help="neither read nor write .flasklint_cache/")
    check.add_argument(
        "--exclude",
        action="extend",
        type=_patterns,
        metavar="PATTERNS",
        help="comma-separated paths or globs not to analyse, instead of the configuration's `exclude`",
    )
    check.add_argument(
        "--extend-exclude",
        action="extend",
        type=_patterns,
        default=[],
        metavar="PATTERNS",
        help="comma-separated paths or globs not to analyse, on top of the configuration's",
    )
    check.add_argument(
        "--force-exclude", action="store_true", help="apply the excludes to files named on the command line (pre-commit)"
    )
    check.add_argument("-q", "--quiet", action="store_true", help="print diagnostics only, no summary")
    check.add_argument("-v", "--verbose", action="store_true", help="show internal errors with their traceback")

    rule = commands.add_parser("rule", help="print a rule's documentation")
    rule.add_argument("code", nargs="?", help="a rule code, e.g. FLK101")
    rule.add_argument("--all", action="store_true", help="print every rule's documentation")

    server = commands.add_parser("server", help="start the language server (LSP on stdin/stdout)")
    server.add_argument("--stdio", action="store_true", help="speak LSP on stdin/stdout (the default)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    drop_project_paths()  # what is imported from here on (libcst, jinja2, pygls) never comes from the project
    arguments = sys.argv[1:] if argv is None else list(argv)
    if arguments == ["--version"]:  # argparse's answer, without building the parser
        print(f"flasklint {__version__}")
        return EXIT_CLEAN
    known_run = None
    if arguments[:1] == ["check"]:
        saved, known_run = _print_saved_run(arguments)
        if saved is not None:
            return saved
    from flasklint.config import ConfigError

    parser = build_parser()
    args = parser.parse_args(arguments)
    args.command_line, args.known_run = arguments, known_run  # the whole-run cache's key (run_cache.py)
    if args.command != "check":  # `check` configures it when it runs (a saved result logs nothing)
        configure_logging(False)
    try:
        if args.command == "check":
            return run_check(args)
        if args.command == "rule":
            return run_rule(args)
        if args.command == "server":
            from flasklint_lsp.server import main as serve  # pygls is imported only for the server

            return serve([])
    except ConfigError as exc:
        print(f"flasklint: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_ERROR
    except BrokenPipeError:  # `flasklint check | head`
        sys.stderr.close()
        return EXIT_ERROR
    parser.print_help()
    return EXIT_ERROR


def named_paths(words: list[str]) -> list[str] | None:
    """The paths a `check` command line names (after `check`), read without argparse and spelled as
    `str(Path(word))` (what the run's key holds): a warm run looks its saved result up before the
    parser is built. None when a word is an option no saved run was given, or one not spelled in
    full (argparse decides what it means). A wrong guess is a miss of the whole-run cache, never a
    wrong hit (run_cache.py)."""
    paths: list[str] = []
    value_expected = False
    for word in words:
        if value_expected:
            value_expected = False
        elif word.startswith("-"):
            option, equals, _ = word.partition("=")
            if option in SAVED_RUN_VALUE_OPTIONS:
                value_expected = not equals
            elif word not in SAVED_RUN_FLAGS:
                return None
        else:
            paths.append(_path_spelling(word))
    return None if value_expected else paths or ["."]


def _path_spelling(word: str) -> str:
    """`str(Path(word))` without importing pathlib on POSIX (a warm run's ~15 ms): no empty or `.`
    parts, one root slash but a leading `//` kept (POSIX leaves its meaning to the system)."""
    if os.name != "posix":
        from pathlib import Path

        return str(Path(word))
    root = "/" if word.startswith("/") else ""
    if word.startswith("//") and not word.startswith("///"):
        root = "//"
    return root + "/".join(part for part in word.split("/") if part not in ("", ".")) or "."


def _print_saved_run(arguments: list[str]) -> tuple[int | None, RunKey | None]:
    """A warm `check`: print what the last run of this command line printed, when nothing it read
    has changed since (run_cache.py), and return its exit code (None: run it), with the run's key
    (None when the paths were not read or one is missing; the run computes it then)."""
    paths = named_paths(arguments[1:])
    if paths is None:
        return None, None
    from flasklint.run_cache import saved_output

    try:
        key, saved = saved_output(arguments, paths)
        if saved is None:
            return None, key
        output, exit_code = saved
        sys.stdout.write(output)
    except KeyboardInterrupt:
        return EXIT_ERROR, None
    except BrokenPipeError:  # `flasklint check | head`
        sys.stderr.close()
        return EXIT_ERROR, None
    return exit_code, None


def configure_logging(verbose: bool) -> None:
    """flasklint's log on stderr as `flasklint: warning: message` (the flake8 plugin uses it too)."""
    from flasklint.cli_logging import configure

    configure(verbose)


def _warn(message: str, *args: object) -> None:
    import logging

    logging.getLogger("flasklint").warning(message, *args)


# -- rule ----------------------------------------------------------------------------------
def run_rule(args: argparse.Namespace) -> int:
    from flasklint import rules  # its lists load every rule: `rule FLK101` loads that one only

    if args.all:
        print("\n".join(rule.markdown() for rule in rules.ALL_RULES), end="")
        return EXIT_CLEAN
    if not args.code:
        print("flasklint: error: give a rule code (e.g. `flasklint rule FLK101`) or --all", file=sys.stderr)
        return EXIT_ERROR
    found = rules.rule(args.code.upper())
    if found is None:
        print(f"flasklint: error: unknown rule code {args.code!r} (`flasklint rule --all` lists them)", file=sys.stderr)
        return EXIT_ERROR
    print(found.markdown(), end="")
    return EXIT_CLEAN


# -- check ---------------------------------------------------------------------------------
class _Run:
    """What one `check` run accumulates across project roots."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.diffs: list[str] = []
        self.fixed_by_file: dict[Path, Counter[str]] = {}

    def error(self, message: str) -> None:
        print(f"flasklint: error: {message}", file=sys.stderr)
        self.report.errors.append(message)


def _config_for(root: Path, args: argparse.Namespace) -> Config:
    from flasklint.config import load_config

    return _with_options(load_config(root), args)


def _with_options(config: Config, args: argparse.Namespace) -> Config:
    """A project's configuration with the command line's selection and excludes on top."""
    from flasklint.config import with_overrides

    return with_overrides(
        config,
        select=args.select,
        extend_select=args.extend_select,
        ignore=args.ignore,
        exclude=args.exclude,
        extend_exclude=args.extend_exclude,
    )


def _nested_config(root: Path, args: argparse.Namespace, run: _Run) -> Config | None:
    """The configuration of a project found nested under the paths checked; None: not checked.

    A pyproject.toml that is not TOML at all (the Jinja source of a project template) holds no
    settings anyone wrote for flasklint: a warning, and the project is checked with the default
    settings. A `[tool.flasklint]` with a mistake is an error (exit 2), as at the top, and that
    project is left out; the rest of the run goes on either way."""
    from flasklint.config import Config, ConfigError, UnreadableConfigError

    try:
        return _config_for(root, args)
    except UnreadableConfigError as exc:
        _warn("%s; %s is checked with the default settings", exc, root)
        return _with_options(Config(), args)
    except ConfigError as exc:
        run.error(f"{exc}; {root} was not checked")
        return None


def _missing(path: Path) -> str | None:
    if path.exists():
        return None
    if os.path.lexists(path):
        return f"{path}: broken symbolic link (or a symlink loop)"
    return f"{path}: no such file or directory"


def run_check(args: argparse.Namespace) -> int:
    from pathlib import Path

    from flasklint.config import find_project_root
    from flasklint.output.report import Report

    paths: list[Path] = args.paths or [Path(".")]
    run = _Run(Report(unsafe_fixes=args.unsafe_fixes))
    groups: dict[Path, list[Path]] = {}
    for path in paths:  # a missing or unreadable path is reported, and the others still checked (as ruff does)
        problem = _missing(path)
        if problem is None:
            try:
                groups.setdefault(find_project_root(path), []).append(path)
            except OSError as exc:  # a directory without read permission: its markers cannot be looked for
                problem = f"cannot read {path}: {exc.strerror or exc}"
        if problem is not None:
            run.error(problem)
    saved_run = _saved_run_key(groups, paths, args) if not run.report.errors else None  # before any file is read
    warnings = _check_counting_warnings(groups, args, run)
    if warnings is None:
        return _abort(run, args)
    output = _print_results(run, args)
    exit_code = _exit_code(run, args)
    if saved_run is not None and not run.report.errors and not warnings:  # nothing printed on stderr
        saved_run.store(output, exit_code)
    return exit_code


def _exit_code(run: _Run, args: argparse.Namespace) -> int:
    if run.report.errors:
        return EXIT_ERROR
    if args.diff:
        return EXIT_FINDINGS if run.diffs and not args.exit_zero else EXIT_CLEAN
    if run.report.entries and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _check_counting_warnings(groups: dict[Path, list[Path]], args: argparse.Namespace, run: _Run) -> int | None:
    """Check the projects; the number of warnings logged (None: a broken configuration stopped the
    run before any work)."""
    from flasklint.cli_logging import WarningCount
    from flasklint.workers import one_pool_per_run

    configure_logging(args.verbose)
    with WarningCount() as warnings, one_pool_per_run():
        if not _check_groups(groups, args, run):
            return None
    return warnings.count


def _check_groups(groups: dict[Path, list[Path]], args: argparse.Namespace, run: _Run) -> bool:
    """Check each project root's paths, then the projects nested under them; False: a broken
    configuration stopped the run before any work."""
    configs = _configs(groups, args, run)  # every config error before any work
    if configs is None:
        return False
    from flasklint.engine import Project

    queue = list(groups.items())
    while queue:
        root, group = queue.pop(0)
        config = configs[root] if root in configs else _nested_config(root, args, run)
        if config is None:
            continue
        project = Project(root, config, use_cache=not args.no_cache)
        _check_project(project, group, args, run)
        # Projects nested under the paths checked (a monorepo's apps): each on its own.
        for nested in project.nested_roots:
            if nested not in groups and any(_is_under(nested, path) for path in group):
                groups[nested] = [nested]
                queue.append((nested, [nested]))
    return True


def _saved_run_key(groups: dict[Path, list[Path]], paths: list[Path], args: argparse.Namespace) -> RunKey | None:
    """The whole-run cache's key (run_cache.py) for a run that only reports; None for a run that
    fixes or prints a diff, with --no-cache, or with --verbose (its log would not be replayed)."""
    if args.fix or args.diff or args.no_cache or args.verbose or not groups:
        return None
    from flasklint.run_cache import run_key

    return run_key(list(groups), paths, args.command_line, known=args.known_run)


def _configs(groups: dict[Path, list[Path]], args: argparse.Namespace, run: _Run) -> dict[Path, Config] | None:
    """The configuration of each project named on the command line; None when one is broken
    (each mistake reported once: the command line's own, then each project's)."""
    from flasklint.config import Config, ConfigError

    try:
        _with_options(Config(), args)
    except ConfigError as exc:
        run.error(str(exc))
        return None
    configs: dict[Path, Config] = {}
    for root in groups:
        try:
            configs[root] = _config_for(root, args)
        except ConfigError as exc:
            run.error(str(exc))
    return configs if len(configs) == len(groups) else None


def _abort(run: _Run, args: argparse.Namespace) -> int:
    """Nothing was checked (a broken configuration): exit 2 with the error on stderr. The machine
    formats still print their document, empty (JUnit and SARIF record the error), so a CI step
    that reads it never chokes on an empty file; text and `--diff` print nothing, as ruff."""
    if args.output_format != "text" and not args.diff:
        _print_results(run, args)
    return EXIT_ERROR


def _check_project(project: Project, group: list[Path], args: argparse.Namespace, run: _Run) -> None:
    from flasklint.atomic_write import remove_stale_temporaries

    project.discover(skip_nested_projects=True)
    remove_stale_temporaries(project.temporaries)  # left by a `--fix` that was killed mid-write
    if not args.force_exclude:
        for path in group:
            _include_explicit_file(project, path)
    project.analyse()
    checked = project.checked_files(group)
    _report_unreadable(project, group, run)
    if args.fix or args.diff:
        for relative in checked:
            _fix(project, relative, args, run)
    for relative in checked:
        for diagnostic in project.diagnostics(relative):
            run.report.entries.append((project.root / relative, diagnostic))


def _report_unreadable(project: Project, group: list[Path], run: _Run) -> None:
    """Among the paths checked, a file or directory that cannot be read is an error (exit 2). Elsewhere
    in the project only a warning: it may hold what findings depend on (an endpoint, the secret key),
    but a database's private data folder must not fail every pre-commit run on other files."""
    for relative, reason in sorted(project.unreadable.items()):
        absolute = project.root / relative
        if any(_is_under(absolute, path) for path in group):
            run.error(f"cannot read {absolute}: {reason}")
        else:
            note = "outside the paths checked; findings that depend on it may be missing"
            _warn("cannot read %s: %s (%s)", absolute, reason, note)


def _is_under(file: Path, path: Path) -> bool:
    path = path.resolve()
    return file == path or path in file.parents


def _include_explicit_file(project: Project, path: Path) -> None:
    """A file named on the command line is checked even if excluded (as ruff does); never the
    source of a project template, which is not Python (nor a Flask template) until rendered."""
    from pathlib import PurePosixPath

    from flasklint.config import is_template_source

    if path.is_file():
        relative = path.resolve().relative_to(project.root).as_posix()
        if relative not in project.files and not is_template_source(PurePosixPath(relative)):
            project.set_source(relative, None)


def _fix(project: Project, relative: str, args: argparse.Namespace, run: _Run) -> None:
    """Fix one file in memory until stable; then write it atomically (or record its diff).

    The fixes are computed from, and written over, exactly the bytes read here: a file saved
    since the project was analysed is re-linted first, and one saved while it is being fixed is
    left as it is (with an error), never overwritten with edits meant for another text.
    """
    import difflib

    from flasklint.atomic_write import FileChangedError, write_atomically
    from flasklint.fix import decode_for_fix, fix_file
    from flasklint.output.report import Report

    absolute = project.root / relative
    try:
        data = absolute.read_bytes()
    except OSError as exc:
        run.error(f"{absolute}: cannot read: {exc.strerror or exc}")
        return
    decoded = decode_for_fix(data, project.files[relative].kind)
    if not project.analysed_from(relative, data):
        _warn("%s changed on disk during the run: checked and fixed as it is now", absolute)
        project.set_source(relative, decoded[0] if decoded else None)
    if decoded is None:
        return  # undecodable: its own diagnostic says so, and no fix can be placed in it
    text, encoding = decoded
    result = fix_file(project, relative, text, unsafe=args.unsafe_fixes)
    for diagnostic in result.rejected:
        run.error(
            f"{absolute}:{diagnostic.start.row}:{diagnostic.start.column + 1}: the {diagnostic.code} fix "
            f"\"{diagnostic.fix.message if diagnostic.fix else ''}\" would leave the file unparsable; "
            "it was not applied (please report this as a flasklint bug)"
        )
    if not result.changed:
        return
    display = Report.display_path(absolute)
    if args.diff:
        lines = difflib.unified_diff(_lines(result.original), _lines(result.text), display, display)
        run.diffs.append("".join(line if line.endswith("\n") else f"{line}\n{NO_NEWLINE}" for line in lines))
    else:
        try:
            write_atomically(absolute, result.text, encoding, expected=data)
        except FileChangedError:
            run.error(f"{absolute}: changed on disk while it was being fixed; left as it is (run flasklint again)")
            project.set_source(relative, None)
            return
        except (OSError, UnicodeEncodeError) as exc:
            run.error(f"{absolute}: cannot write the fixed file: {exc}")
            project.set_source(relative, None)
            return
    run.fixed_by_file[absolute] = result.applied
    run.report.fixed.update(result.applied)


def _lines(text: str) -> list[str]:
    """Lines with their endings, split at newlines only (str.splitlines also splits at form feeds)."""
    return re.findall(r"[^\n]*\n|[^\n]+\Z", text)


def _print_results(run: _Run, args: argparse.Namespace) -> str:
    """Print the run's results; what went to stdout (a warm run prints it again: run_cache.py)."""
    from flasklint.output import formatter
    from flasklint.output.report import diff_summary, summary

    report = run.report
    if args.diff:
        sys.stdout.write("".join(run.diffs))
        if not args.quiet:
            sys.stderr.write(diff_summary(report))
        return "".join(run.diffs)
    text_output = args.output_format == "text"
    if args.statistics:
        from flasklint.output.statistics import format_statistics

        parts = [format_statistics(report, args.output_format)]
    else:
        parts = [formatter(args.output_format)(report)]
    if text_output and args.show_fixes and run.fixed_by_file:
        parts.append(_fix_listing(run.fixed_by_file))
    if text_output and not args.quiet:
        parts.append(summary(report))
    output = "".join(parts)
    sys.stdout.write(output)
    return output


def _fix_listing(fixed_by_file: dict[Path, Counter[str]]) -> str:
    """ruff's `--show-fixes` block: per file, how many fixes of each rule were applied."""
    from flasklint.output.report import Report
    from flasklint.rules import rule

    total = sum(sum(counts.values()) for counts in fixed_by_file.values())
    lines = ["", f"Fixed {total} error{'' if total == 1 else 's'}:"]
    for file, counts in sorted(fixed_by_file.items()):
        lines.append(f"- {Report.display_path(file)}:")
        for code, count in sorted(counts.items()):
            found = rule(code)
            lines.append(f"    {count} × {code} ({found.name if found else code})")
    return "\n".join(lines) + "\n\n"
