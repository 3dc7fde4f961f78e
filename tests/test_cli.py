"""`flasklint check|rule` as a user runs it: a subprocess on a throwaway project, ruff's conventions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Sequence

import pytest

from conftest import write_project
from flasklint import __version__
from flasklint.rules import ALL_RULES

APP = "from flask import Flask\n\napp = Flask(__name__)\n"
SECRET_APP = 'from flask import Flask\n\napp = Flask(__name__)\napp.secret_key = "dev"\n'
FIXED_SECRET_APP = (
    'from flask import Flask\nimport os\n\napp = Flask(__name__)\napp.secret_key = os.environ["SECRET_KEY"]\n'
)
PYPROJECT = '[project]\nname = "demo"\n'


def flasklint(
    *args: str, cwd: Path, script: bool = False, prefix: Sequence[str] = ()
) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a subprocess (`python -m flasklint`, or the installed console script), after
    `prefix` (e.g. `setpriv ...` to run it as another user)."""
    command = [str(Path(sys.executable).parent / "flasklint")] if script else [sys.executable, "-m", "flasklint"]
    result = subprocess.run([*prefix, *command, *args], cwd=cwd, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def make(tmp_path: Path, files: dict[str, str]) -> Path:
    return write_project(tmp_path, {"pyproject.toml": PYPROJECT, **files})


# -- basics ----------------------------------------------------------------------------------
def test_version(tmp_path: Path) -> None:
    result = flasklint("--version", cwd=tmp_path, script=True)
    assert (result.returncode, result.stdout.strip()) == (0, f"flasklint {__version__}")


def test_no_command_prints_help_and_exits_2(tmp_path: Path) -> None:
    result = flasklint(cwd=tmp_path)
    assert result.returncode == 2 and "check" in result.stdout


def test_clean_project_exits_0(tmp_path: Path) -> None:
    make(tmp_path, {"app.py": APP})
    result = flasklint("check", cwd=tmp_path, script=True)
    assert (result.returncode, result.stdout) == (0, "All checks passed!\n")


def test_findings_exit_1_with_path_row_column(tmp_path: Path) -> None:
    make(tmp_path, {"app.py": SECRET_APP, "flask.py": "x = 1\n"})
    result = flasklint("check", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("app.py:4:18: FLK104 secret key hardcoded as `\"dev\"`")
    assert lines[1].startswith("flask.py:1:1: FLK301 module `flask.py` shadows the Flask library")
    assert lines[2:] == [
        "Found 2 errors.",
        "No fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option).",
    ]


def test_paths_default_to_cwd_and_can_be_files_or_directories(tmp_path: Path) -> None:
    make(tmp_path, {"app.py": SECRET_APP, "pkg/__init__.py": "", "pkg/views.py": APP})
    assert flasklint("check", cwd=tmp_path / "pkg").returncode == 0  # only pkg/ is reported
    assert flasklint("check", cwd=tmp_path).returncode == 1
    assert flasklint("check", "pkg/views.py", cwd=tmp_path).returncode == 0
    assert flasklint("check", "app.py", "pkg", cwd=tmp_path).returncode == 1


INCOMPLETE = "Not everything could be checked or fixed: see the error above."


def test_missing_path_exits_2(tmp_path: Path) -> None:
    result = flasklint("check", "nowhere.py", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "flasklint: error: nowhere.py: no such file or directory\n"
    assert result.stdout == f"{INCOMPLETE}\n"  # never "All checks passed!" next to an error


def test_a_missing_path_does_not_stop_the_others_being_checked(tmp_path: Path) -> None:
    make(tmp_path, {"app.py": SECRET_APP, "views.py": APP})
    result = flasklint("check", "nope.py", "app.py", "views.py", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "flasklint: error: nope.py: no such file or directory\n"
    lines = result.stdout.splitlines()
    assert lines[0].startswith("app.py:4:18: FLK104 secret key hardcoded")
    assert lines[1:] == [
        "Found 1 error.",
        INCOMPLETE,
        "No fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option).",
    ]
    fixed = flasklint("check", "--fix", "--unsafe-fixes", "app.py", "gone/", cwd=tmp_path)
    assert (fixed.returncode, fixed.stderr) == (2, "flasklint: error: gone: no such file or directory\n")
    assert (tmp_path / "app.py").read_text(encoding="utf-8") == FIXED_SECRET_APP


def test_exit_zero(tmp_path: Path) -> None:
    make(tmp_path, {"app.py": SECRET_APP})
    result = flasklint("check", "--exit-zero", cwd=tmp_path)
    assert result.returncode == 0 and "FLK104" in result.stdout


def test_quiet_prints_diagnostics_only(tmp_path: Path) -> None:
    make(tmp_path, {"app.py": SECRET_APP})
    result = flasklint("check", "-q", cwd=tmp_path)
    assert result.returncode == 1
    assert len(result.stdout.splitlines()) == 1 and result.stdout.startswith("app.py:4:18: FLK104")
    assert flasklint("check", "--quiet", "--select", "FLK301", cwd=tmp_path).stdout == ""


# -- output formats ----------------------------------------------------------------------------
def test_json_output_uses_ruff_fields_and_1_based_columns(tmp_path: Path) -> None:
    make(tmp_path, {"app.py": SECRET_APP})
    result = flasklint("check", "--output-format", "json", cwd=tmp_path)
    assert result.returncode == 1
    [entry] = json.loads(result.stdout)
    assert entry["code"] == "FLK104"
    assert entry["filename"] == str(tmp_path.resolve() / "app.py")
    assert entry["location"] == {"row": 4, "column": 18}
    assert entry["end_location"] == {"row": 4, "column": 23}
    assert entry["noqa_row"] == 4
    assert entry["url"].endswith("FLK104-hardcoded-secret-key.md")
    assert entry["fix"]["applicability"] == "unsafe"
    edits = {(e["location"]["row"], e["location"]["column"], e["content"]) for e in entry["fix"]["edits"]}
    assert edits == {(4, 18, 'os.environ["SECRET_KEY"]'), (2, 1, "import os\n")}


TRIPLE_QUOTED_VIEW = '''from flask import Flask, request

app = Flask(__name__)


@app.route("/search")
def search():
    query = request.args.get("q", "")
    return f"""<h1>Results</h1>
<p>for {query}</p>
"""
'''


def test_json_noqa_row_of_a_finding_in_a_multi_line_string_is_where_its_comment_works(tmp_path: Path) -> None:
    """ruff's noqa_row: the row after the closing quotes, not the row of the finding inside the string."""
    make(tmp_path, {"app.py": TRIPLE_QUOTED_VIEW})
    for run in ("cold", "warm"):  # the second run reads the rows from the cache
        [entry] = json.loads(flasklint("check", "--output-format", "json", cwd=tmp_path).stdout)
        assert (entry["code"], entry["location"]["row"], entry["noqa_row"]) == ("FLK101", 10, 11), run
    commented = TRIPLE_QUOTED_VIEW.replace('\n"""\n', '\n"""  # noqa: FLK101\n')
    (tmp_path / "app.py").write_text(commented, encoding="utf-8")
    assert commented.splitlines()[10] == '"""  # noqa: FLK101'  # row 11
    result = flasklint("check", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "All checks passed!\n")


def test_json_output_of_a_clean_project_is_an_empty_list(tmp_path: Path) -> None:
    make(tmp_path, {"app.py": APP})
    result = flasklint("check", "--output-format", "json", cwd=tmp_path)
    assert (result.returncode, json.loads(result.stdout)) == (0, [])


def test_github_output(tmp_path: Path) -> None:
    make(tmp_path, {"flask.py": "x = 1\n", "app.py": APP})
    result = flasklint("check", "--output-format", "github", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith(
        "::error title=FLK301,file=flask.py,line=1,col=1,endLine=1,endColumn=1"
        "::flask.py:1:1: FLK301 module `flask.py` shadows"
    )


def test_statistics_text_and_json(tmp_path: Path) -> None:
    make(tmp_path, {"app.py": SECRET_APP, "flask.py": "x = 1\n", "other.py": SECRET_APP.replace("dev", "k")})
    text = flasklint("check", "--statistics", cwd=tmp_path)
    assert text.returncode == 1
    assert text.stdout.splitlines()[:2] == ["2\tFLK104\thardcoded-secret-key", "1\tFLK301\tapp-module-named-flask"]
    shown = flasklint("check", "--statistics", "--unsafe-fixes", cwd=tmp_path)
    assert shown.stdout.splitlines()[:2] == [
        "2\tFLK104\t[*] hardcoded-secret-key",
        "1\tFLK301\t[ ] app-module-named-flask",
    ]
    rows = json.loads(flasklint("check", "--statistics", "--output-format", "json", cwd=tmp_path).stdout)
    assert rows == [
        {"code": "FLK104", "name": "hardcoded-secret-key", "count": 2, "fixable": False},
        {"code": "FLK301", "name": "app-module-named-flask", "count": 1, "fixable": False},
    ]


# -- selection and configuration ---------------------------------------------------------------
def test_select_ignore_extend_select(tmp_path: Path) -> None:
    make(tmp_path, {"app.py": SECRET_APP, "flask.py": "x = 1\n"})

    def codes(*args: str) -> list[str]:
        result = flasklint("check", "--output-format", "json", *args, cwd=tmp_path)
        return sorted(d["code"] for d in json.loads(result.stdout))

    assert codes() == ["FLK104", "FLK301"]
    assert codes("--select", "FLK3") == ["FLK301"]
    assert codes("--select", "FLK3", "--extend-select", "flk104") == ["FLK104", "FLK301"]
    assert codes("--ignore", "FLK104") == ["FLK301"]
    assert codes("--select", "FLK104", "--ignore", "FLK1") == ["FLK104"]  # the longer prefix wins, as in ruff
    assert codes("--select", "ALL", "--ignore", "FLK") == []


def test_unknown_rule_selector_exits_2(tmp_path: Path) -> None:
    make(tmp_path, {"app.py": APP})
    result = flasklint("check", "--ignore", "E501", cwd=tmp_path)
    assert result.returncode == 2
    assert "--ignore: unknown rule code or prefix 'E501'" in result.stderr


def test_an_unknown_selector_is_reported_once_and_json_output_stays_a_list(tmp_path: Path) -> None:
    make(tmp_path, {"shop/pyproject.toml": PYPROJECT, "shop/app.py": APP, "blog/setup.py": "", "blog/app.py": APP})
    result = flasklint("check", "--output-format", "json", "--select", "E501", "shop", "blog", cwd=tmp_path)
    assert (result.returncode, json.loads(result.stdout)) == (2, [])
    assert result.stderr == (
        "flasklint: error: --select: unknown rule code or prefix 'E501' "
        "(codes look like FLK101; `flasklint rule --all` lists them)\n"
    )


def test_pyproject_select_ignore_and_per_file_ignores(tmp_path: Path) -> None:
    make(tmp_path, {"app.py": SECRET_APP, "flask.py": "x = 1\n", "other.py": SECRET_APP})
    (tmp_path / "pyproject.toml").write_text(
        PYPROJECT + '[tool.flasklint]\nignore = ["FLK301"]\nper-file-ignores = { "app.py" = ["FLK104"] }\n',
        encoding="utf-8",
    )
    result = flasklint("check", "--output-format", "json", cwd=tmp_path)
    assert [(d["code"], Path(d["filename"]).name) for d in json.loads(result.stdout)] == [("FLK104", "other.py")]
    # The command line adds to the configuration's ignores.
    assert flasklint("check", "--ignore", "FLK104", cwd=tmp_path).returncode == 0


def test_pyproject_exclude_but_explicit_file_is_checked(tmp_path: Path) -> None:
    make(tmp_path, {"app.py": APP, "generated/keys.py": SECRET_APP})
    config = '[tool.flasklint]\nexclude = ["generated"]\n'
    (tmp_path / "pyproject.toml").write_text(PYPROJECT + config, encoding="utf-8")
    assert flasklint("check", cwd=tmp_path).returncode == 0
    explicit = flasklint("check", "generated/keys.py", cwd=tmp_path)
    assert explicit.returncode == 1 and "generated/keys.py:4:18: FLK104" in explicit.stdout


def test_exclude_and_extend_exclude_on_the_command_line(tmp_path: Path) -> None:
    """ruff's meaning: --exclude replaces the configuration's `exclude`, --extend-exclude adds to
    it; the built-in folders (venv/, build/, ...) stay excluded either way."""
    make(
        tmp_path,
        {"app.py": APP, "generated/keys.py": SECRET_APP, "legacy/old.py": SECRET_APP, "venv/lib/site.py": SECRET_APP},
    )
    config = '[tool.flasklint]\nexclude = ["generated"]\n'
    (tmp_path / "pyproject.toml").write_text(PYPROJECT + config, encoding="utf-8")

    def reported(*args: str) -> list[str]:
        result = flasklint("check", "--output-format", "json", *args, cwd=tmp_path)
        return sorted(Path(d["filename"]).relative_to(tmp_path.resolve()).as_posix() for d in json.loads(result.stdout))

    assert reported() == ["legacy/old.py"]
    assert reported("--extend-exclude", "legacy") == []
    assert reported("--exclude", "legacy") == ["generated/keys.py"]
    assert reported("--exclude", "legacy,generated/*.py") == []
    assert reported("--exclude", "legacy", "--exclude", "generated") == []  # repeated: the lists add up
    assert reported("--exclude", "") == ["generated/keys.py", "legacy/old.py"]
    # A file named on the command line is checked even if excluded, unless --force-exclude (as ruff).
    assert reported("--extend-exclude", "legacy", "legacy/old.py") == ["legacy/old.py"]
    assert reported("--extend-exclude", "legacy", "--force-exclude", "legacy/old.py") == []


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ('selec = ["FLK"]', "unknown key(s) in [tool.flasklint]: 'selec' (did you mean 'select'?)"),
        ('per_file_ignores = {}', "'per_file_ignores' (did you mean 'per-file-ignores'?)"),
        ('select = "FLK101"', "[tool.flasklint] select must be a list of strings"),
        ('ignore = ["FLK9"]', "[tool.flasklint] ignore: unknown rule code or prefix 'FLK9'"),
        ('per-file-ignores = { "a.py" = "FLK104" }', "per-file-ignores must map globs to lists of codes"),
        ("select = [", "cannot read TOML"),
    ],
)
def test_bad_configuration_exits_2_with_a_clear_message(tmp_path: Path, section: str, message: str) -> None:
    make(tmp_path, {"app.py": APP})
    (tmp_path / "pyproject.toml").write_text(PYPROJECT + f"[tool.flasklint]\n{section}\n", encoding="utf-8")
    result = flasklint("check", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"flasklint: error: {tmp_path.resolve() / 'pyproject.toml'}")
    assert message in result.stderr


# -- noqa ----------------------------------------------------------------------------------------
def test_noqa_comments(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "a.py": 'import flask\napp = flask.Flask(__name__)\napp.secret_key = "a"  # noqa: FLK104\n',
            "b.py": 'import flask\napp = flask.Flask(__name__)\napp.secret_key = "b"  # noqa\n',
            "c.py": 'import flask\napp = flask.Flask(__name__)\napp.secret_key = "c"  # noqa: FLK301\n',
            "d.py": 'import flask\napp = flask.Flask(__name__)\napp.secret_key = "d"  # NOQA:FLK1\n',
            "e.py": '# flasklint: noqa: FLK104\nimport flask\napp = flask.Flask(__name__)\napp.secret_key = "e"\n',
        },
    )
    result = flasklint("check", "--output-format", "json", cwd=tmp_path)
    assert [(Path(d["filename"]).name, d["code"]) for d in json.loads(result.stdout)] == [("c.py", "FLK104")]


# -- fixes ---------------------------------------------------------------------------------------
def test_unsafe_fix_needs_unsafe_fixes(tmp_path: Path) -> None:
    make(tmp_path, {"app.py": SECRET_APP})
    result = flasklint("check", "--fix", cwd=tmp_path)
    assert result.returncode == 1
    assert (tmp_path / "app.py").read_text(encoding="utf-8") == SECRET_APP

    shown = flasklint("check", "--unsafe-fixes", cwd=tmp_path)
    assert "FLK104 [*] secret key" in shown.stdout
    assert "[*] 1 fixable with the `--fix --unsafe-fixes` option." in shown.stdout


def test_fix_writes_the_fixed_file_and_exits_0(tmp_path: Path) -> None:
    make(tmp_path, {"app.py": SECRET_APP})
    result = flasklint("check", "--fix", "--unsafe-fixes", "--show-fixes", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert (tmp_path / "app.py").read_text(encoding="utf-8") == FIXED_SECRET_APP
    assert result.stdout == (
        "\nFixed 1 error:\n- app.py:\n    1 × FLK104 (hardcoded-secret-key)\n\n"
        "Found 1 error (1 fixed, 0 remaining).\n"
    )
    assert flasklint("check", cwd=tmp_path).returncode == 0
    assert not list(tmp_path.glob(".app.py.*"))  # no temporary file left behind


def test_fix_reports_what_remains(tmp_path: Path) -> None:
    make(tmp_path, {"app.py": SECRET_APP, "flask.py": "x = 1\n"})
    result = flasklint("check", "--fix", "--unsafe-fixes", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1] == "Found 2 errors (1 fixed, 1 remaining)."


def test_fix_preserves_crlf_encoding_and_mode(tmp_path: Path) -> None:
    source = (
        '# -*- coding: latin-1 -*-\r\n# caf\xe9\r\nfrom flask import Flask\r\n\r\n'
        'app = Flask(__name__)\r\napp.secret_key = "d\xe9v"\r\n'
    )
    make(tmp_path, {})
    app = tmp_path / "app.py"
    app.write_bytes(source.encode("latin-1"))
    app.chmod(0o750)
    result = flasklint("check", "--fix", "--unsafe-fixes", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    expected = (
        '# -*- coding: latin-1 -*-\r\n# caf\xe9\r\nfrom flask import Flask\r\nimport os\r\n\r\n'
        'app = Flask(__name__)\r\napp.secret_key = os.environ["SECRET_KEY"]\r\n'
    )
    assert app.read_bytes() == expected.encode("latin-1")
    assert app.stat().st_mode & 0o777 == 0o750


def test_fix_writes_through_a_symlink(tmp_path: Path) -> None:
    make(tmp_path, {"real/app.py": SECRET_APP})
    (tmp_path / "app.py").symlink_to(tmp_path / "real" / "app.py")
    reported = flasklint("check", cwd=tmp_path).stdout.splitlines()
    assert [line.split(":")[0] for line in reported if "FLK104" in line] == ["real/app.py"]  # once, by its real path
    result = flasklint("check", "--fix", "--unsafe-fixes", "app.py", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "app.py").is_symlink()
    assert (tmp_path / "real" / "app.py").read_text(encoding="utf-8") == FIXED_SECRET_APP


def test_diff_prints_without_writing(tmp_path: Path) -> None:
    make(tmp_path, {"app.py": SECRET_APP})
    result = flasklint("check", "--diff", "--unsafe-fixes", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == (
        "--- app.py\n+++ app.py\n@@ -1,4 +1,5 @@\n from flask import Flask\n+import os\n \n"
        ' app = Flask(__name__)\n-app.secret_key = "dev"\n+app.secret_key = os.environ["SECRET_KEY"]\n'
    )
    assert result.stderr == "Would fix 1 error.\n"
    assert (tmp_path / "app.py").read_text(encoding="utf-8") == SECRET_APP
    nothing = flasklint("check", "--diff", cwd=tmp_path)  # the only fix is unsafe
    assert (nothing.returncode, nothing.stdout) == (0, "")


def test_fix_leaves_unparsable_files_alone(tmp_path: Path) -> None:
    broken = 'from flask import Flask\napp = Flask(__name__)\napp.secret_key = "dev"\ndef (:\n'
    make(tmp_path, {"app.py": broken})
    result = flasklint("check", "--fix", "--unsafe-fixes", cwd=tmp_path)
    assert result.returncode == 1 and "FLK001" in result.stdout
    assert (tmp_path / "app.py").read_text(encoding="utf-8") == broken


# -- rule ----------------------------------------------------------------------------------------
def test_rule_prints_the_docs(tmp_path: Path) -> None:
    result = flasklint("rule", "flk301", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("# app-module-named-flask (FLK301)\n")
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety"):
        assert heading in result.stdout


def test_rule_all_prints_every_rule(tmp_path: Path) -> None:
    result = flasklint("rule", "--all", cwd=tmp_path)
    assert result.returncode == 0
    for rule in ALL_RULES:
        assert f"# {rule.name} ({rule.code})\n" in result.stdout


@pytest.mark.parametrize("args", [("rule", "FLK999"), ("rule",)])
def test_rule_errors_exit_2(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = flasklint(*args, cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.startswith("flasklint: error:")


def test_output_can_be_piped_into_a_closed_reader(tmp_path: Path) -> None:
    files = {f"m{i:03}.py": SECRET_APP for i in range(300)}
    make(tmp_path, files)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    pipeline = subprocess.run(
        f"{sys.executable} -m flasklint check --no-cache | head -1", shell=True, cwd=tmp_path,
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert pipeline.stdout.startswith("m000.py:4:18: FLK104")
    assert "Traceback" not in pipeline.stderr


# -- nested projects -----------------------------------------------------------------------------
SESSION_APP = (
    'from flask import Flask, session\n\napp = Flask(__name__)\n\n\n'
    '@app.route("/")\ndef index():\n    session["seen"] = True\n    return "hi"\n'
)


def test_nested_projects_are_checked_each_on_its_own(tmp_path: Path) -> None:
    """A monorepo: `shop/` sets a secret key, `blog/` writes the session without one. Checked from
    the top, blog/ must not borrow shop/'s key (each has its own pyproject.toml, hence its own index)."""
    make(
        tmp_path,
        {
            "shop/pyproject.toml": PYPROJECT,
            "shop/app.py": SESSION_APP + 'app.secret_key = os.environ["KEY"]\nimport os\n',
            "blog/pyproject.toml": PYPROJECT + '[tool.flasklint]\nignore = ["FLK301"]\n',  # its own config
            "blog/app.py": SESSION_APP,
            "blog/flask.py": "x = 1\n",
        },
    )
    result = flasklint("check", "--output-format", "json", cwd=tmp_path)
    root = tmp_path.resolve()
    found = sorted((Path(d["filename"]).relative_to(root).as_posix(), d["code"]) for d in json.loads(result.stdout))
    assert found == [("blog/app.py", "FLK302")]
    assert flasklint("check", "shop", cwd=tmp_path).returncode == 0
    assert flasklint("check", "blog/app.py", cwd=tmp_path).returncode == 1


# A cookiecutter template of a pyproject.toml: Jinja, not TOML (ckan ships one).
TEMPLATED_PYPROJECT = '[project]\nname = "{{ cookiecutter.project }}"\nkeywords = [{{ cookiecutter.keywords }}]\n'


def test_a_nested_pyproject_that_is_not_toml_is_a_warning_and_its_project_is_checked(tmp_path: Path) -> None:
    """One unreadable nested file must not abort the run (it did: exit 2, nothing on stdout)."""
    make(tmp_path, {"app.py": SECRET_APP, "shop/pyproject.toml": TEMPLATED_PYPROJECT, "shop/app.py": SECRET_APP})
    result = flasklint("check", "--output-format", "json", cwd=tmp_path)
    root = tmp_path.resolve()
    found = sorted((Path(d["filename"]).relative_to(root).as_posix(), d["code"]) for d in json.loads(result.stdout))
    assert (result.returncode, found) == (1, [("app.py", "FLK104"), ("shop/app.py", "FLK104")])
    assert result.stderr == (
        f"flasklint: warning: {root / 'shop' / 'pyproject.toml'}: cannot read TOML: "
        "Invalid initial character for a key part (at line 3, column 14); "
        f"{root / 'shop'} is checked with the default settings\n"
    )
    # Named on the command line, it is the project's own configuration: an error, as at the top.
    named = flasklint("check", "--output-format", "json", "shop", cwd=tmp_path)
    assert (named.returncode, json.loads(named.stdout)) == (2, [])
    assert named.stderr.startswith(f"flasklint: error: {root / 'shop' / 'pyproject.toml'}: cannot read TOML: ")


def test_a_mistake_in_a_nested_projects_configuration_is_an_error_and_the_rest_is_checked(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "app.py": SECRET_APP,
            "shop/pyproject.toml": PYPROJECT + '[tool.flasklint]\nselec = ["FLK"]\n',
            "shop/app.py": SECRET_APP,
        },
    )
    result = flasklint("check", "--output-format", "json", cwd=tmp_path)
    root = tmp_path.resolve()
    found = sorted((Path(d["filename"]).relative_to(root).as_posix(), d["code"]) for d in json.loads(result.stdout))
    assert (result.returncode, found) == (2, [("app.py", "FLK104")])
    assert result.stderr == (
        f"flasklint: error: {root / 'shop' / 'pyproject.toml'}: unknown key(s) in [tool.flasklint]: "
        "'selec' (did you mean 'select'?); known keys: exclude, extend-exclude, extend-select, ignore, "
        f"per-file-ignores, select; {root / 'shop'} was not checked\n"
    )
