"""The CI output formats on one small fixed project, compared with snapshot files in
tests/snapshots/output_formats/ (absolute paths written as `{root}`); SARIF is also validated
against the official SARIF 2.1.0 JSON schema (tests/schemas/, see its README for the source).

Regenerate the snapshots after an intended change with `FLASKLINT_UPDATE_SNAPSHOTS=1 pytest ...`
and review the diff.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from conftest import write_project
from flasklint import __version__
from flasklint.output import formatters
from flasklint.rules import ALL_RULES

REPOSITORY = Path(__file__).resolve().parents[1]
SNAPSHOTS = Path(__file__).parent / "snapshots" / "output_formats"
SARIF_SCHEMA = Path(__file__).parent / "schemas" / "sarif-2.1.0-rtm.5.json"
PROJECT = {
    "pyproject.toml": "",
    "app.py": """\
        from flask import Flask, redirect, render_template, url_for

        app = Flask(__name__)
        app.secret_key = "dev"


        @app.route("/login")
        def login():
            return render_template("login.html")


        @app.route("/logout")
        def logout():
            return redirect("/login")
        """,
    "templates/login.html": "<a href=\"{{ url_for('logni') }}\">log in</a>\n",
}
SNAPSHOT_FILES = {"github": "github.txt", "json-lines": "json-lines.jsonl", "junit": "junit.xml", "gitlab": "gitlab.json"}


def check(root: Path, output_format: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "flasklint", "check", "--no-cache", "--output-format", output_format]
    result = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=120)
    assert result.stderr == ""
    return result


@pytest.fixture
def fixed_project(tmp_path: Path) -> Path:
    return write_project(tmp_path, PROJECT)


@pytest.mark.parametrize("output_format", sorted(SNAPSHOT_FILES))
def test_output_matches_snapshot(fixed_project: Path, output_format: str) -> None:
    result = check(fixed_project, output_format)
    assert result.returncode == 1
    output = result.stdout.replace(str(fixed_project.resolve()), "{root}")
    snapshot = SNAPSHOTS / SNAPSHOT_FILES[output_format]
    if os.environ.get("FLASKLINT_UPDATE_SNAPSHOTS"):
        snapshot.write_text(output, encoding="utf-8")
    assert output == snapshot.read_text(encoding="utf-8")


def test_github_annotation_shape(fixed_project: Path) -> None:
    """The workflow command GitHub turns into an annotation: level, file, position, rule code as title."""
    first = check(fixed_project, "github").stdout.splitlines()[0]
    assert first.startswith("::error title=FLK104,file=app.py,line=4,col=18,endLine=4,endColumn=23::app.py:4:18: FLK104 ")


def test_gitlab_fingerprints_survive_moved_lines_and_differ_for_repeats(fixed_project: Path) -> None:
    before = json.loads(check(fixed_project, "gitlab").stdout)
    app = fixed_project / "app.py"
    app.write_text("# a comment added above\n\n" + app.read_text() + '\n\napp.secret_key = "dev"\n')
    after = json.loads(check(fixed_project, "gitlab").stdout)
    assert [issue["location"]["lines"]["begin"] for issue in after] == [6, 16, 19, 1]
    unchanged = [after[0], after[1], after[3]]  # the repeated secret key at line 19 is new
    assert [issue["fingerprint"] for issue in unchanged] == [issue["fingerprint"] for issue in before]
    assert len({issue["fingerprint"] for issue in after}) == 4  # the repeated line gets its own


def test_junit_without_findings_records_a_passing_check(tmp_path: Path) -> None:
    write_project(tmp_path, {"pyproject.toml": "", "app.py": "from flask import Flask\n\napp = Flask(__name__)\n"})
    result = check(tmp_path, "junit")
    assert result.returncode == 0
    assert '<testcase name="No errors found" classname="flasklint" />' in result.stdout


def test_json_lines_is_the_json_format_one_object_per_line(fixed_project: Path) -> None:
    lines = [json.loads(line) for line in check(fixed_project, "json-lines").stdout.splitlines()]
    assert lines == json.loads(check(fixed_project, "json").stdout)


# -- SARIF ---------------------------------------------------------------------------------------
@pytest.fixture
def sarif(fixed_project: Path) -> dict:
    result = check(fixed_project, "sarif")
    assert result.returncode == 1
    return json.loads(result.stdout)


def test_sarif_validates_against_the_official_schema(sarif: dict) -> None:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    jsonschema.Draft4Validator(schema).validate(sarif)


def test_sarif_clean_run_validates_too(tmp_path: Path) -> None:
    write_project(tmp_path, {"pyproject.toml": "", "app.py": "from flask import Flask\n\napp = Flask(__name__)\n"})
    log = json.loads(check(tmp_path, "sarif").stdout)
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))).validate(log)
    assert log["runs"][0]["results"] == []


def test_sarif_driver_names_every_rule_from_its_docs(sarif: dict) -> None:
    driver = sarif["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"], driver["informationUri"]) == (
        "flasklint",
        __version__,
        "https://github.com/flasklint/flasklint",
    )
    assert [rule["id"] for rule in driver["rules"]] == [rule.code for rule in ALL_RULES]
    flk104 = next(rule for rule in driver["rules"] if rule["id"] == "FLK104")
    assert flk104["name"] == "hardcoded-secret-key"
    assert flk104["shortDescription"]["text"] == "Secret key hardcoded as a literal (or a literal fallback)."
    assert flk104["fullDescription"]["text"].startswith("Reports a secret key written as a literal")
    assert flk104["fullDescription"]["markdown"].startswith("## What it does\n")
    assert flk104["helpUri"] == "https://github.com/flasklint/flasklint/blob/main/docs/rules/FLK104-hardcoded-secret-key.md"
    assert flk104["defaultConfiguration"] == {"level": "error"}
    assert all((REPOSITORY / rule["helpUri"].split("/blob/main/")[1]).exists() for rule in driver["rules"])


def test_sarif_results_locations_and_fixes(sarif: dict) -> None:
    run = sarif["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert [(r["ruleId"], r["level"], rules[r["ruleIndex"]]["id"]) for r in results] == [
        ("FLK104", "error", "FLK104"),
        ("FLK203", "warning", "FLK203"),
        ("FLK201", "error", "FLK201"),
    ]
    assert results[2]["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "templates/login.html"},
                "region": {"startLine": 1, "startColumn": 21, "endLine": 1, "endColumn": 28},
            }
        }
    ]
    assert results[1]["fixes"] == [
        {
            "description": {"text": "Build the URL with url_for"},
            "artifactChanges": [
                {
                    "artifactLocation": {"uri": "app.py"},
                    "replacements": [
                        {
                            "deletedRegion": {"startLine": 14, "startColumn": 21, "endLine": 14, "endColumn": 29},
                            "insertedContent": {"text": 'url_for("login")'},
                        }
                    ],
                }
            ],
            "properties": {"applicability": "safe"},
        }
    ]


# -- a run that could not check everything --------------------------------------------------------
BROKEN_CONFIG = "[tool.flasklint\n"
CONFIG_ERROR = "cannot read TOML: Expected ']' at the end of a table declaration (at line 1, column 16)"


def _junit_errors(stdout: str) -> list[str]:
    root = ET.fromstring(stdout)
    assert (root.get("errors"), root.get("failures")) == ("1", "0")
    assert "No errors found" not in stdout  # a run that checked nothing never reads as passed
    return [error.get("message", "") for error in root.iter("error")]


def _sarif_notifications(stdout: str) -> list[str]:
    log = json.loads(stdout)
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))).validate(log)
    run = log["runs"][0]
    assert run["results"] == []
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    return [n["message"]["text"] for n in invocation["toolExecutionNotifications"] if n["level"] == "error"]


# What each format prints when nothing could be checked, read as its consumer reads it: a document
# with no finding (JUnit and SARIF also carry the error), or nothing for the line-based formats
# (zero annotations, zero JSON Lines records) and text (the error is on stderr), as README.md says.
EMPTY_DOCUMENT = {
    "text": lambda stdout, error: stdout == "",
    "json": lambda stdout, error: json.loads(stdout) == [],
    "json-lines": lambda stdout, error: stdout == "",
    "github": lambda stdout, error: stdout == "",
    "gitlab": lambda stdout, error: json.loads(stdout) == [],
    "junit": lambda stdout, error: _junit_errors(stdout) == [error],
    "sarif": lambda stdout, error: _sarif_notifications(stdout) == [error],
}


def test_every_format_says_what_it_prints_when_nothing_could_be_checked() -> None:
    assert sorted(EMPTY_DOCUMENT) == sorted(formatters())


@pytest.mark.parametrize("output_format", sorted(EMPTY_DOCUMENT))
def test_a_broken_configuration_exits_2_and_stdout_stays_well_formed(tmp_path: Path, output_format: str) -> None:
    write_project(tmp_path, {**PROJECT, "pyproject.toml": BROKEN_CONFIG})
    command = [sys.executable, "-m", "flasklint", "check", "--no-cache", "--output-format", output_format]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    error = f"{tmp_path.resolve() / 'pyproject.toml'}: {CONFIG_ERROR}"
    assert (result.returncode, result.stderr) == (2, f"flasklint: error: {error}\n")
    assert EMPTY_DOCUMENT[output_format](result.stdout, error)


def test_statistics_in_json_on_a_broken_configuration_is_an_empty_list(tmp_path: Path) -> None:
    write_project(tmp_path, {**PROJECT, "pyproject.toml": BROKEN_CONFIG})
    command = [sys.executable, "-m", "flasklint", "check", "--statistics", "--output-format", "json"]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert (result.returncode, json.loads(result.stdout)) == (2, [])


def test_junit_and_sarif_record_an_error_beside_the_findings(tmp_path: Path) -> None:
    """A nested project whose configuration is wrong is not checked: the run's other findings are
    reported, and the error with them."""
    nested = {"shop/pyproject.toml": '[tool.flasklint]\nselec = ["FLK"]\n', "shop/app.py": ""}
    write_project(tmp_path, {**PROJECT, **nested})
    outputs = {}
    for output_format in ("junit", "sarif"):
        command = [sys.executable, "-m", "flasklint", "check", "--no-cache", "--output-format", output_format]
        result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert result.returncode == 2
        outputs[output_format] = result.stdout
    junit = ET.fromstring(outputs["junit"])
    assert (junit.get("tests"), junit.get("failures"), junit.get("errors")) == ("4", "3", "1")
    (message,) = [error.get("message", "") for error in junit.iter("error")]
    assert message.endswith(f"; {tmp_path.resolve() / 'shop'} was not checked")
    log = json.loads(outputs["sarif"])
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))).validate(log)
    assert len(log["runs"][0]["results"]) == 3
    assert [n["message"]["text"] for n in log["runs"][0]["invocations"][0]["toolExecutionNotifications"]] == [message]
