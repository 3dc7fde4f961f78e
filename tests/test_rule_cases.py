"""Every rule's own VALID/INVALID cases: INVALID must trigger the rule, VALID must not."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import lint, write_project
from flasklint.rule import Case
from flasklint.rules import ALL_RULES

INVALID = [(rule.code, i, case) for rule in ALL_RULES for i, case in enumerate(rule.invalid)]
VALID = [(rule.code, i, case) for rule in ALL_RULES for i, case in enumerate(rule.valid)]


@pytest.mark.parametrize(("code", "number", "case"), INVALID, ids=[f"{c}-invalid-{i}" for c, i, _ in INVALID])
def test_invalid_case_triggers_rule(tmp_path: Path, code: str, number: int, case: object) -> None:
    write_project(tmp_path, Case.of(case).files)  # type: ignore[arg-type]
    assert [d for d in lint(tmp_path) if d.code == code], f"{code} INVALID case {number} did not trigger"


@pytest.mark.parametrize(("code", "number", "case"), VALID, ids=[f"{c}-valid-{i}" for c, i, _ in VALID])
def test_valid_case_is_clean(tmp_path: Path, code: str, number: int, case: object) -> None:
    write_project(tmp_path, Case.of(case).files)  # type: ignore[arg-type]
    found = [d for d in lint(tmp_path) if d.code == code]
    assert not found, f"{code} VALID case {number} triggered: {found}"


def test_every_rule_has_docs_and_cases() -> None:
    for rule in ALL_RULES:
        for heading in ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety"):
            assert rule.doc_section(heading), f"{rule.code} lacks a '{heading}' section"
        assert rule.code.startswith("FLK") and len(rule.code) == 6
        assert rule.name == rule.name.lower() and " " not in rule.name
