"""The rule registry: every `flkNNN_*.py` module in this package contributes its Rule classes.

Discovery (rather than a hand-kept list) means adding a rule is adding one file.
"""

from __future__ import annotations

import importlib
import pkgutil

from flasklint.rule import FileRule, ProjectRule, Rule


def _discover() -> list[Rule]:
    rules: list[Rule] = []
    for module_info in pkgutil.iter_modules(__path__):
        if not module_info.name.startswith("flk"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Rule)
                and value.__module__ == module.__name__
                and getattr(value, "code", None)
            ):
                rules.append(value())
    return sorted(rules, key=lambda r: r.code)


ALL_RULES: list[Rule] = _discover()
RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in ALL_RULES}
FILE_RULES: list[FileRule] = [r for r in ALL_RULES if isinstance(r, FileRule)]
PROJECT_RULES: list[ProjectRule] = [r for r in ALL_RULES if isinstance(r, ProjectRule)]

from flasklint.rules.flk001_syntax_error import SyntaxErrorRule  # noqa: E402
from flasklint.rules.flk403_template_syntax_error import TemplateSyntaxErrorRule  # noqa: E402

SYNTAX_ERROR: SyntaxErrorRule = RULES_BY_CODE["FLK001"]  # type: ignore[assignment]
TEMPLATE_SYNTAX_ERROR: TemplateSyntaxErrorRule = RULES_BY_CODE["FLK403"]  # type: ignore[assignment]
