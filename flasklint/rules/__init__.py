"""The rule registry: every `flkNNN_*.py` module in this package contributes its Rule class.

Discovery (rather than a hand-kept list) means adding a rule is adding one file. A module's name
gives its rule's code (`flk101_unescaped_input_in_html.py` holds FLK101, tests/test_rule_registry.py
checks it), so the codes are known without importing any rule (flasklint/rule_codes.py reads them):
validating `--select` and printing `--version` or a warm run's saved result load none of them. A rule
alone is loaded by `rule(code)`; the lists below (ALL_RULES, RULES_BY_CODE, FILE_RULES, PROJECT_RULES,
SYNTAX_ERROR, TEMPLATE_SYNTAX_ERROR) load every rule module the first time one of them is read.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from flasklint.rule import FileRule, ProjectRule, Rule
from flasklint.rule_codes import rule_codes, rule_modules  # noqa: F401 - the registry's too

if TYPE_CHECKING:
    from flasklint.rules.flk001_syntax_error import SyntaxErrorRule
    from flasklint.rules.flk403_template_syntax_error import TemplateSyntaxErrorRule

    ALL_RULES: list[Rule]
    RULES_BY_CODE: dict[str, Rule]
    FILE_RULES: list[FileRule]
    PROJECT_RULES: list[ProjectRule]
    SYNTAX_ERROR: SyntaxErrorRule
    TEMPLATE_SYNTAX_ERROR: TemplateSyntaxErrorRule

_LISTS = ("ALL_RULES", "RULES_BY_CODE", "FILE_RULES", "PROJECT_RULES", "SYNTAX_ERROR", "TEMPLATE_SYNTAX_ERROR")
_loaded: dict[str, Rule] = {}  # code -> the one instance every caller shares


def rule(code: str) -> Rule | None:
    """The rule with this code (importing its module only); None for an unknown code."""
    if code not in _loaded and code in rule_modules():
        _load_module(rule_modules()[code])
    return _loaded.get(code)


def _load_module(name: str) -> list[Rule]:
    """The rules a module defines (each instantiated once, whoever asks first)."""
    module = importlib.import_module(f"{__name__}.{name}")
    rules = []
    for value in list(vars(module).values()):
        if (
            isinstance(value, type)
            and issubclass(value, Rule)
            and value.__module__ == module.__name__
            and getattr(value, "code", None)
        ):
            rules.append(_loaded.setdefault(value.code, value()))
    return rules


def _all_rules() -> dict[str, Any]:
    rules = sorted((r for name in rule_modules().values() for r in _load_module(name)), key=lambda r: r.code)
    by_code = {r.code: r for r in rules}
    return {
        "ALL_RULES": rules,
        "RULES_BY_CODE": by_code,
        "FILE_RULES": [r for r in rules if isinstance(r, FileRule)],
        "PROJECT_RULES": [r for r in rules if isinstance(r, ProjectRule)],
        "SYNTAX_ERROR": by_code["FLK001"],
        "TEMPLATE_SYNTAX_ERROR": by_code["FLK403"],
    }


def __getattr__(name: str) -> Any:
    """The module's lists, built (every rule loaded) on first use and then kept as plain attributes."""
    if name not in _LISTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    lists = _all_rules()
    globals().update(lists)
    return lists[name]
