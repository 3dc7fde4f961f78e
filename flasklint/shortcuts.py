"""One switch for the engine's shortcuts: work skipped, or done faster, that cannot change a finding.

Each shortcut (a file no rule can care about is not parsed; a module naming no removed API is not
walked for one; a shell script without the word `flask` is not split into words; a large module is parsed in
pieces and joined, flasklint/module_parts.py; libcst's node
validation memoised and its codegen steps inlined while it runs for us, flasklint/scoped_patch.py;
flake8's builder analyses only the templates a Python file's findings read, `Project.analyse`)
must leave every finding as it is. `FLASKLINT_NO_SHORTCUTS=1` turns them all off,
so a test (tests/test_shortcuts.py) and benchmarks/realworld/shortcuts_check.py can compare the findings of
both runs. Read per call: worker processes inherit the environment, and tests set it per run.
"""

from __future__ import annotations

import os

DISABLE_VARIABLE = "FLASKLINT_NO_SHORTCUTS"


def enabled() -> bool:
    return os.environ.get(DISABLE_VARIABLE, "") != "1"
