"""Fuzz the engine on demand: the property test of tests/test_property.py on many fresh modules.

    python benchmarks/fuzz_engine.py --modules 10000

Each module (hypothesmith's generated Python mixed with Flask snippets) goes through the whole
engine in a throwaway project: cold and warm cache must agree, the warm run must read every entry,
fixes must re-parse and be idempotent, and nothing may raise or log an internal error. Unlike the
test, every failure is counted (no shrinking, no stop at the first) and the run prints its figures:
modules, failures by kind, codes reported, time. Results go to benchmarks/fuzz_results.json.
"""

from __future__ import annotations

import argparse
import collections
import json
import platform
import sys
import time
import traceback
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402

import test_property  # noqa: E402


def fuzz(modules: int, examples_kept: int) -> dict:
    outcome: dict = {"modules": 0, "failures": 0, "failures_by_kind": collections.Counter(), "codes": collections.Counter()}
    outcome["modules_with_findings"] = 0
    examples: list[dict] = []

    @settings(
        max_examples=modules,
        deadline=None,
        database=None,
        phases=[Phase.generate],  # no shrinking: count every failure, keep going
        suppress_health_check=list(HealthCheck),
    )
    @given(test_property.modules())
    def run(source: str) -> None:
        outcome["modules"] += 1
        try:
            codes = test_property.check_module(source)
        except Exception as exc:  # noqa: BLE001 - a failure to count, not to stop at
            outcome["failures"] += 1
            kind = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}"
            outcome["failures_by_kind"][kind] += 1
            if len(examples) < examples_kept:
                examples.append({"kind": kind, "source": source, "traceback": traceback.format_exc()})
            return
        outcome["codes"].update(set(codes))
        outcome["modules_with_findings"] += bool(codes)
        if outcome["modules"] % 500 == 0:
            print(f"  {outcome['modules']} modules, {outcome['failures']} failures", file=sys.stderr, flush=True)

    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        run()
    outcome["seconds"] = round(time.perf_counter() - started, 1)
    outcome["examples"] = examples
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=10_000, help="how many generated modules (default 10000)")
    parser.add_argument("--keep", type=int, default=5, help="failing examples kept in the results (default 5)")
    parser.add_argument("--output", type=Path, default=HERE / "fuzz_results.json")
    args = parser.parse_args(argv)
    outcome = fuzz(args.modules, args.keep)
    outcome["python"] = platform.python_version()
    args.output.write_text(json.dumps(outcome, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(
        f"{outcome['modules']} modules in {outcome['seconds']} s: {outcome['failures']} failures, "
        f"{outcome['modules_with_findings']} with findings; codes reported (modules): "
        + ", ".join(f"{code} {count}" for code, count in sorted(outcome["codes"].items()))
    )
    for kind, count in outcome["failures_by_kind"].most_common():
        print(f"  {count:6d}  {kind}")
    return 1 if outcome["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
