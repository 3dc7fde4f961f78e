"""The rule registry (flasklint/rules/__init__.py): a module's file name gives its rule's code, so
`--version`, `--select` validation, `flasklint rule CODE` and a saved run load no rule (or one)."""

from __future__ import annotations

import importlib
import subprocess
import sys

from flasklint.rule import Rule
from flasklint.rules import ALL_RULES, rule, rule_codes, rule_modules


def _defined_codes(module_name: str) -> list[str]:
    module = importlib.import_module(f"flasklint.rules.{module_name}")
    return [
        value.code
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Rule)
        and value.__module__ == module.__name__
        and getattr(value, "code", None)
    ]


def test_each_rule_module_holds_the_one_rule_its_name_gives() -> None:
    """flkNNN_name.py defines FLKNNN and nothing else: the codes are known from the names alone."""
    for code, module_name in rule_modules().items():
        assert _defined_codes(module_name) == [code], module_name
    assert rule_codes() == [r.code for r in ALL_RULES]


def test_rule_returns_the_shared_instance_and_none_for_an_unknown_code() -> None:
    assert rule("FLK104") is next(r for r in ALL_RULES if r.code == "FLK104")
    assert rule("FLK999") is None and rule("flk104") is None


def loaded_after(code: str) -> set[str]:
    """The flasklint modules (and libcst, Jinja, tomllib, the engine's multiprocessing) a fresh
    interpreter holds after running `code`."""
    probe = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))\n"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    watched = ("flasklint", "libcst.", "jinja2.", "tomllib", "multiprocessing", "logging", "argparse")
    return {name for name in result.stdout.split() if name.startswith(watched)}


def test_version_loads_nothing_but_the_cli() -> None:
    loaded = loaded_after("from flasklint.cli import main\nmain(['--version'])")
    assert loaded == {"flasklint", "flasklint.cli", "flasklint.isolation"}


def test_validating_a_selection_loads_no_rule() -> None:
    code = (
        "from flasklint.config import Config, with_overrides\n"
        "with_overrides(Config(), select=['FLK1'], ignore=['FLK104'], extend_select=['FLK2'])"
    )
    assert not {name for name in loaded_after(code) if name.startswith("flasklint.rules.")}


def test_printing_one_rule_loads_that_rule_only() -> None:
    code = (
        "import contextlib, io\nfrom flasklint.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n    main(['rule', 'FLK104'])"
    )
    loaded = {name for name in loaded_after(code) if name.startswith("flasklint.rules.")}
    assert loaded == {"flasklint.rules.flk104_hardcoded_secret_key"}
