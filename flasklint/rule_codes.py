"""Each rule's code and the module holding it, from the file names in flasklint/rules/ alone.

A module's name gives its rule's code (`flk101_unescaped_input_in_html.py` holds FLK101;
tests/test_rule_registry.py checks it), so validating `--select`, or asking whether flake8 selects
any FLK code, imports no rule, nor the rules package: its `__init__` imports the rule base classes
and diagnostics (about 1 MiB in flake8's main process, which its forked workers then share).
"""

from __future__ import annotations

import os
import pkgutil
import re
from functools import lru_cache

RULE_MODULE = re.compile(r"flk(\d+)_\w+")
RULES_FOLDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rules")


@lru_cache(maxsize=1)
def rule_modules() -> dict[str, str]:
    """Rule code -> the name of the module holding it (in flasklint.rules)."""
    found = {}
    for module_info in pkgutil.iter_modules([RULES_FOLDER]):
        match = RULE_MODULE.fullmatch(module_info.name)
        if match:
            found[f"FLK{match.group(1)}"] = module_info.name
    return dict(sorted(found.items()))


def rule_codes() -> list[str]:
    """Every rule's code, sorted."""
    return list(rule_modules())
