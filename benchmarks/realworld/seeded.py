"""Seeded-mistake check: recall and precision of flasklint's rules on real code with one known bug.

    .venv/bin/python benchmarks/realworld/seeded.py [--checkouts DIR] [--repo ID ...] [--code CODE ...]
        [--flasklint PATH] [--seeded seeded.json] [--repos repos.json]

Why: the routing, structure and template rules (FLK202, FLK204-FLK208, FLK303, FLK401) guard
runtime errors that shipped apps rarely contain, so they report nothing on the labelled set and
their precision there is 0/0. Here each mutation in seeded.json plants one realistic mistake in a
real repository (a copy of its checkout; the checkout is never modified). flasklint runs on the
unmodified copy and on the mutated copy; the mutation passes when the difference between the two
outputs is exactly the expected findings: the expected finding appears (recall) and no other
finding appears or disappears (precision on the surrounding real code).

"expected" may also hold true consequences in other rules (a view renamed by a copy-paste
makes the old endpoint's url_for an FLK201). A mutation whose rule stays silent for a reason its
docs give names the rule in "code" and the reason in "known_miss"; its "expected" then lists only
the consequences, and the table counts it apart. A rule that stays silent for no documented
reason keeps its expected finding, and the mismatch is reported.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from score import DEFAULT_CHECKOUTS, REPOS_FILE, Repo, default_flasklint, load_repos  # noqa: E402

SEEDED_FILE = HERE / "seeded.json"
# A finding as compared between two runs: file relative to the project root, code, position, message.
Key = tuple[str, str, int, int, str]


@dataclass
class Mutation:
    id: str
    repo: str
    file: str
    old: str
    new: str
    expected: list[dict]
    why: str
    code: str  # the rule exercised: the first expected code, or the `code` given for a known miss
    known_miss: str | None = None


@dataclass
class Outcome:
    mutation: Mutation
    missing: list[dict]
    extra: list[Key]
    error: str | None = None

    @property
    def ok(self) -> bool:
        return not self.missing and not self.extra and self.error is None


def load_mutations(path: Path) -> list[Mutation]:
    data = json.loads(path.read_text())
    mutations = []
    for raw in data["mutations"]:
        if raw.get("known_miss") and not raw.get("code"):
            raise SystemExit(f"seeded.json: known miss {raw['id']} needs the `code` of the rule that stays silent")
        if not raw["expected"] and not raw.get("known_miss"):
            raise SystemExit(f"seeded.json: {raw['id']} expects nothing but gives no known_miss")
        code = raw.get("code") or raw["expected"][0]["code"]
        mutations.append(Mutation(raw["id"], raw["repo"], raw["file"], raw["old"], raw["new"], raw["expected"],
                                  raw["why"], code, raw.get("known_miss")))
    return mutations


def apply_mutation(root: Path, mutation: Mutation) -> str:
    """Replace the mutation's old text (which must occur exactly once) and return the original file text."""
    path = root / mutation.file
    original = path.read_text(encoding="utf-8")
    count = original.count(mutation.old)
    if count != 1:
        raise ValueError(f"{mutation.file}: old text occurs {count} times (must be exactly once)")
    path.write_text(original.replace(mutation.old, mutation.new), encoding="utf-8")
    return original


def unshift(mutation: Mutation, original: str, keys: list[Key]) -> list[Key]:
    """Put findings below the mutated text back at their line in the unmodified file.

    A mutation may add or remove lines; without this, every later finding of that file would count
    as one disappearing and one appearing. Findings inside the mutated text keep their position.
    """
    start = original[: original.index(mutation.old)].count("\n") + 1
    last_new_line = start + mutation.new.count("\n")
    delta = mutation.new.count("\n") - mutation.old.count("\n")
    return [(f, c, row - delta if f == mutation.file and row > last_new_line else row, col, m)
            for f, c, row, col, m in keys]


def run_flasklint(flasklint: str, root: Path, paths: list[str]) -> list[Key]:
    """The findings of one `flasklint check` of the copy, as comparable keys (file relative to root)."""
    command = [flasklint, "check", "--output-format", "json", "--no-cache", "--exit-zero", *paths]
    result = subprocess.run(command, cwd=root, capture_output=True)
    if result.returncode != 0:
        raise RuntimeError(f"flasklint exited {result.returncode}: {result.stderr.decode(errors='replace')[:300]}")
    resolved = root.resolve()
    keys = []
    for finding in json.loads(result.stdout):
        path = Path(finding["filename"])
        file = path.resolve().relative_to(resolved).as_posix() if path.is_absolute() else path.as_posix()
        loc = finding["location"]
        keys.append((file, finding["code"], loc["row"], loc["column"], finding["message"]))
    return keys


def matches(expected: dict, file: str, key: Key) -> bool:
    return (key[0] == expected.get("file", file) and key[1] == expected["code"] and key[2] == expected["line"]
            and key[3] == expected["column"] and expected.get("message_contains", "") in key[4])


def diff(mutation: Mutation, before: list[Key], after: list[Key]) -> tuple[list[dict], list[Key]]:
    """Expected findings not among the new ones, and every other finding that appeared or disappeared."""
    added = list((Counter(after) - Counter(before)).elements())
    removed = list((Counter(before) - Counter(after)).elements())
    missing = []
    for expected in mutation.expected:
        hit = next((key for key in added if matches(expected, mutation.file, key)), None)
        if hit is None:
            missing.append(expected)
        else:
            added.remove(hit)
    extra = [("+",) + key for key in added] + [("-",) + key for key in removed]
    return missing, extra


def check_mutation(flasklint: str, root: Path, paths: list[str], mutation: Mutation, before: list[Key]) -> Outcome:
    """Apply one mutation to the copy, lint it, restore the file, and compare with the unmodified run."""
    try:
        original = apply_mutation(root, mutation)
    except (OSError, ValueError) as exc:
        return Outcome(mutation, mutation.expected, [], f"cannot apply: {exc}")
    try:
        after = unshift(mutation, original, run_flasklint(flasklint, root, paths))
    except (RuntimeError, json.JSONDecodeError) as exc:
        return Outcome(mutation, mutation.expected, [], str(exc))
    finally:
        (root / mutation.file).write_text(original, encoding="utf-8")
    missing, extra = diff(mutation, before, after)
    return Outcome(mutation, missing, extra)


def check_repo(flasklint: str, repo: Repo, checkout: Path, mutations: list[Mutation]) -> list[Outcome]:
    """Copy the checkout (without .git), lint it once unmodified, then once per mutation."""
    with tempfile.TemporaryDirectory(prefix="flasklint-seeded-") as tmp:
        root = Path(tmp) / repo.folder_name
        shutil.copytree(checkout, root, ignore=shutil.ignore_patterns(".git"), symlinks=True)
        try:
            before = run_flasklint(flasklint, root, repo.paths)
        except (RuntimeError, json.JSONDecodeError) as exc:
            return [Outcome(m, m.expected, [], f"unmodified run failed: {exc}") for m in mutations]
        outcomes = []
        for mutation in mutations:
            outcome = check_mutation(flasklint, root, repo.paths, mutation, before)
            print(f"  {'ok  ' if outcome.ok else 'FAIL'} {mutation.id}", file=sys.stderr, flush=True)
            outcomes.append(outcome)
        return outcomes


def print_report(outcomes: list[Outcome]) -> None:
    """Per rule: its seeded findings and how many were found; consequences are other rules' expected findings."""
    rows: dict[str, Counter] = {}
    for outcome in outcomes:
        mutation = outcome.mutation
        counts = rows.setdefault(mutation.code, Counter())
        own = [e for e in mutation.expected if e["code"] == mutation.code]
        missing_own = [e for e in outcome.missing if e["code"] == mutation.code]
        counts["mutations"] += 1
        counts["seeded"] += len(own)
        counts["consequences"] += len(mutation.expected) - len(own)
        if outcome.error is None:
            counts["found"] += len(own) - len(missing_own)
            counts["consequences found"] += len(mutation.expected) - len(own) - len(outcome.missing) + len(missing_own)
        counts["extra"] += len(outcome.extra)
        counts["known_miss"] += mutation.known_miss is not None
        counts["failed"] += not outcome.ok
    columns = ("mutations", "seeded", "found", "known_miss", "consequences", "consequences found", "extra", "failed")
    print("| Code | mutations | seeded | found | known misses | consequences expected | consequences found "
          "| extra findings | failed |")
    print("|---|" + "---:|" * len(columns))
    total: Counter = Counter()
    for code in sorted(rows):
        total.update(rows[code])
        print(f"| {code} | " + " | ".join(str(rows[code][c]) for c in columns) + " |")
    print("| all | " + " | ".join(str(total[c]) for c in columns) + " |")
    for outcome in outcomes:
        if outcome.mutation.known_miss:
            print(f"\nknown miss {outcome.mutation.id} ({outcome.mutation.code}): {outcome.mutation.known_miss}")
    for outcome in outcomes:
        if outcome.ok:
            continue
        print(f"\nMISMATCH {outcome.mutation.id} ({outcome.mutation.repo} {outcome.mutation.file})")
        if outcome.error:
            print(f"  error: {outcome.error}")
        for expected in outcome.missing:
            print(f"  expected, not reported: {expected['code']} {expected['line']}:{expected['column']} "
                  f"{expected.get('message_contains', '')!r}")
        for sign, file, code, line, column, message in outcome.extra:
            print(f"  {sign} {file}:{line}:{column} {code} {message}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkouts", type=Path, default=DEFAULT_CHECKOUTS, help="folder of owner+name checkouts")
    parser.add_argument("--repo", action="append", help="only mutations of this repository id (repeatable)")
    parser.add_argument("--code", action="append", help="only mutations of this rule code (repeatable)")
    parser.add_argument("--flasklint", default=default_flasklint(), help="the flasklint executable to run")
    parser.add_argument("--seeded", type=Path, default=SEEDED_FILE, help="the mutations (default: seeded.json)")
    parser.add_argument("--repos", type=Path, default=REPOS_FILE, help="the repository list (default: repos.json)")
    args = parser.parse_args(argv)

    repos = {repo.id: repo for repo in load_repos(args.repos)}
    mutations = load_mutations(args.seeded)
    unknown = sorted({m.repo for m in mutations} - repos.keys())
    if unknown:
        raise SystemExit(f"seeded.json names repositories not in {args.repos.name}: {', '.join(unknown)}")
    selected = [m for m in mutations
                if (not args.repo or m.repo in args.repo) and (not args.code or m.code in args.code)]
    if not selected:
        raise SystemExit("no mutation matches the --repo/--code filters")

    outcomes: list[Outcome] = []
    missing_checkouts = []
    for repo_id in dict.fromkeys(m.repo for m in selected):
        repo = repos[repo_id]
        checkout = args.checkouts / repo.folder_name
        if not checkout.is_dir():
            missing_checkouts.append(f"{repo_id}: no checkout at {checkout} (see README.md, 'Reproduce')")
            continue
        print(f"{repo_id}: copying and linting", file=sys.stderr, flush=True)
        outcomes.extend(check_repo(args.flasklint, repo, checkout, [m for m in selected if m.repo == repo_id]))
    print_report(outcomes)
    for message in missing_checkouts:
        print(f"\nmissing checkout: {message}")
    return 1 if missing_checkouts or any(not o.ok for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
