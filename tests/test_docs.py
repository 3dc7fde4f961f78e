"""The generated docs are fresh, and every rule's documented examples behave as documented."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import lint, write_project
from flasklint.docs import (
    MINIMAL_APP,
    REPOSITORY,
    TABLE_END,
    TABLE_START,
    code_blocks,
    example_project,
    main,
    rule_doc_path,
    stale_files,
)
from flasklint.rule import Rule
from flasklint.rules import ALL_RULES, RULES_BY_CODE

UNPARSABLE = {"FLK001", "FLK403"}
RULE_IDS = [rule.code for rule in ALL_RULES]


def _codes(tmp_path: Path, files: dict[str, str]) -> list[str]:
    write_project(tmp_path, files)
    return [d.code for d in lint(tmp_path)]


# -- freshness ---------------------------------------------------------------------------------
def test_generated_docs_are_fresh() -> None:
    stale = stale_files(REPOSITORY, ALL_RULES)
    assert not stale, f"run `python -m flasklint.docs`: stale {[str(p) for p in stale]}"


def test_check_command_passes_on_the_repository() -> None:
    result = subprocess.run([sys.executable, "-m", "flasklint.docs", "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("rule", ALL_RULES, ids=RULE_IDS)
def test_rule_doc_is_the_cli_text(rule: Rule) -> None:
    text = (REPOSITORY / rule_doc_path(rule)).read_text(encoding="utf-8")
    assert text.endswith(rule.markdown())
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    start, end = readme.index(TABLE_START), readme.index(TABLE_END)
    table = readme[start:end]
    assert f"| [{rule.code}](docs/rules/{rule_doc_path(rule).name}) | {rule.name} | {rule.summary} |" in table


# -- documented examples -----------------------------------------------------------------------
def _runnable(rule: Rule, heading: str) -> dict[str, str]:
    section = rule.doc_section(heading)
    files = example_project(section)
    if not files and any(block.illustrative for block in code_blocks(section)):
        pytest.skip(f"{rule.code}'s {heading} is marked illustrative")
    return files


@pytest.mark.parametrize("rule", ALL_RULES, ids=RULE_IDS)
def test_example_triggers_the_rule(tmp_path: Path, rule: Rule) -> None:
    files = _runnable(rule, "Example")
    assert files, f"{rule.code}: the Example section has no runnable code block (see flasklint/docs.py)"
    codes = _codes(tmp_path, files)
    assert rule.code in codes, f"{rule.code}: its Example does not trigger it: {files}"
    assert not (UNPARSABLE - {rule.code}) & set(codes), f"{rule.code}: its Example does not parse: {codes}"


@pytest.mark.parametrize("rule", ALL_RULES, ids=RULE_IDS)
def test_use_instead_is_clean(tmp_path: Path, rule: Rule) -> None:
    files = _runnable(rule, "Use instead")
    assert files, f"{rule.code}: the Use instead section has no runnable code block (see flasklint/docs.py)"
    codes = _codes(tmp_path, files)
    assert rule.code not in codes, f"{rule.code}: its Use instead block triggers it: {files}"
    assert not UNPARSABLE & set(codes), f"{rule.code}: its Use instead block does not parse: {codes}"


# -- the block convention ----------------------------------------------------------------------
def test_python_block_becomes_app_py() -> None:
    assert example_project("```python\nx = 1\n```\n") == {"app.py": "x = 1\n"}


def test_title_names_the_file() -> None:
    section = '```python title="flask.py"\nfrom flask import Flask\n```\n'
    assert example_project(section) == {"flask.py": "from flask import Flask\n"}


def test_bare_file_name_comment_names_the_file() -> None:
    assert example_project("```python\n# hello.py\nx = 1\n```\n") == {"hello.py": "# hello.py\nx = 1\n"}
    assert example_project("```python\n# app.run\n```\n") == {"app.py": "# app.run\n"}


def test_file_headers_split_one_block_into_files() -> None:
    section = (
        "```python\n"
        "# file: app.py\n"
        "from views import bp\n"
        "# file: views.py\n"
        "bp = 1\n"
        "```\n"
        "```html\n"
        "{# file: templates/index.html #}\n"
        "<a href=\"{{ url_for('index') }}\">home</a>\n"
        "```\n"
    )
    assert example_project(section) == {
        "app.py": "from views import bp\n",
        "views.py": "bp = 1\n",
        "templates/index.html": "<a href=\"{{ url_for('index') }}\">home</a>\n",
    }


def test_template_and_deployment_blocks_get_a_minimal_app() -> None:
    section = "```html\n<p>{{ x }}</p>\n```\n\n```dockerfile\nCMD flask run\n```\n"
    assert example_project(section) == {
        "templates/page.html": "<p>{{ x }}</p>\n",
        "Dockerfile": "CMD flask run\n",
        "app.py": MINIMAL_APP,
    }


def test_untitled_blocks_do_not_overwrite_each_other() -> None:
    section = "```python\na = 1\n```\n```python\nb = 2\n```\n"
    assert example_project(section) == {"app.py": "a = 1\n", "app_2.py": "b = 2\n"}


def test_illustration_blocks_are_not_run() -> None:
    assert example_project("```console\n$ flask run --debug\n```\n```toml\n[tool.x]\n```\n") == {}
    assert example_project("```python illustrative\nbig = 1\n```\n```python\nsmall = 1\n```\n") == {
        "app.py": "small = 1\n"
    }


# -- the generator -----------------------------------------------------------------------------
README = f"# project\n\n{TABLE_START}\nold table\n{TABLE_END}\n\nmore text\n"


def test_generate_then_check_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "README.md").write_text(README, encoding="utf-8")
    orphan = tmp_path / "docs" / "rules" / "FLK999-removed-rule.md"
    orphan.parent.mkdir(parents=True)
    orphan.write_text("# gone\n", encoding="utf-8")

    assert main(["--check", "--root", str(tmp_path)]) == 1
    assert "stale: docs/rules/FLK999-removed-rule.md" in capsys.readouterr().err

    assert main(["--root", str(tmp_path)]) == 0
    assert not orphan.exists()
    assert main(["--check", "--root", str(tmp_path)]) == 0

    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "old table" not in readme and readme.endswith(f"{TABLE_END}\n\nmore text\n")
    some_rule = RULES_BY_CODE["FLK301"]
    assert f"| [FLK301](docs/rules/{rule_doc_path(some_rule).name}) |" in readme
    assert (tmp_path / rule_doc_path(some_rule)).read_text(encoding="utf-8").endswith(some_rule.markdown())


def test_edited_rule_doc_is_stale(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text(README, encoding="utf-8")
    assert main(["--root", str(tmp_path)]) == 0
    doc = tmp_path / rule_doc_path(ALL_RULES[0])
    doc.write_text(doc.read_text(encoding="utf-8") + "hand edit\n", encoding="utf-8")
    assert stale_files(tmp_path, ALL_RULES) == [rule_doc_path(ALL_RULES[0])]


def test_readme_without_markers_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "README.md").write_text("# no table here\n", encoding="utf-8")
    assert main(["--check", "--root", str(tmp_path)]) == 2
    assert "rules-table:start" in capsys.readouterr().err
