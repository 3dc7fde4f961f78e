"""Every rule's own cases, exactly (Fixit's VALID/INVALID): an INVALID case produces the findings it
lists (file, span, message, fix applicability) and its fix yields the fixed text it lists; a VALID
case produces nothing. The docs' Example and Use instead code blocks are cases of the rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from flasklint.docs import example_project
from flasklint.rule import Case, Finding, Rule
from flasklint.rules import ALL_RULES
from rule_testing import check_case, check_noop, lint, write_project

INVALID = [(rule.code, i, case) for rule in ALL_RULES for i, case in enumerate(rule.invalid)]
VALID = [(rule.code, i, case) for rule in ALL_RULES for i, case in enumerate(rule.valid)]


@pytest.mark.parametrize(("code", "number", "case"), INVALID, ids=[f"{c}-invalid-{i}" for c, i, _ in INVALID])
def test_invalid_case_produces_exactly_its_findings_and_fix(tmp_path: Path, code: str, number: int, case: Case) -> None:
    if not (isinstance(case, Case) and case.findings):
        pytest.fail(f"{code} INVALID case {number} does not say what it produces: {_produced(tmp_path, code, case)}")
    check_case(tmp_path, code, case)


def _produced(root: Path, code: str, case: object) -> list[Finding]:
    """What the case produces, as `Finding`s to check by eye and paste into the case."""
    write_project(root, Case.of(case).files)  # type: ignore[arg-type]
    return [
        Finding(
            (d.start.row, d.start.column, d.end.row, d.end.column),
            d.message,
            d.path,
            d.fix and d.fix.applicability.value,
        )
        for d in lint(root, code)
    ]


@pytest.mark.parametrize(("code", "number", "case"), VALID, ids=[f"{c}-valid-{i}" for c, i, _ in VALID])
def test_valid_case_is_clean(tmp_path: Path, code: str, number: int, case: object) -> None:
    check_noop(tmp_path, Case.of(case).files, code)  # type: ignore[arg-type]


def _stripped(files: dict[str, str]) -> dict[str, str]:
    return {path: text.strip("\n") for path, text in files.items()}


@pytest.mark.parametrize("rule", ALL_RULES, ids=[rule.code for rule in ALL_RULES])
def test_docs_examples_are_cases(rule: type[Rule]) -> None:
    """The Example's project (as flasklint.docs builds it) is an INVALID case, so it produces exactly
    that case's findings; the Use instead's project is a VALID case, so it is clean."""
    for heading, cases in (("Example", rule.invalid), ("Use instead", rule.valid)):
        documented = example_project(rule.doc_section(heading))
        if documented:
            projects = [_stripped(Case.of(case).files) for case in cases]
            assert _stripped(documented) in projects, f"{rule.code}'s {heading} is not one of its cases"


def test_every_rule_has_docs_and_cases() -> None:
    for rule in ALL_RULES:
        for heading in ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety"):
            assert rule.doc_section(heading), f"{rule.code} lacks a '{heading}' section"
        assert rule.invalid and rule.valid, f"{rule.code} lacks cases"
        assert rule.code.startswith("FLK") and len(rule.code) == 6
        assert rule.name == rule.name.lower() and " " not in rule.name
