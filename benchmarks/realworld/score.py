"""Score flasklint on the labelled set of real open-source Flask repositories.

    .venv/bin/python benchmarks/realworld/score.py [--checkouts DIR] [--repo ID ...]
        [--json summary.json] [--save-findings DIR] [--compare DIR] [--flasklint PATH]
        [--repos repos.json] [--labels labels.json]

Why: the hand-written test projects hold one app each; real repositories hold several apps,
customise Jinja and keep files that are not Flask templates. This script measures what a change
to the analysis does there: per-code precision against hand-checked labels (labels.json), the
labelled problems flasklint does not report (recall), and, with --save-findings / --compare,
whether the raw output stayed byte-identical.

The checkouts are given (see checkout.py); this script only verifies that each one's HEAD is the
commit recorded in repos.json, then runs the installed `flasklint check` on it as a subprocess.
It never imports or runs the repositories' code.
"""

from __future__ import annotations

import argparse
import difflib
import json
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

HERE = Path(__file__).resolve().parent
REPOS_FILE = HERE / "repos.json"
LABELS_FILE = HERE / "labels.json"
DEFAULT_CHECKOUTS = Path("/work/realworld-checkouts")
# The checkout's absolute path appears in every `filename`; it is replaced by this placeholder in
# saved findings so two runs from different checkout folders still compare byte for byte.
CHECKOUT_PLACEHOLDER = b"<checkout>"
VERDICTS = ("true", "false", "missed")


@dataclass
class Repo:
    id: str
    name: str
    commit: str
    paths: list[str]

    @property
    def folder_name(self) -> str:
        """Checkout folder name: owner+name, as checkout.py creates it."""
        return self.name.replace("/", "+")

    @property
    def file_stem(self) -> str:
        return self.id.replace("/", "+").replace(":", "_")


@dataclass
class Run:
    """One `flasklint check` of one repository."""

    repo: Repo
    head: str | None
    exit_status: int | None
    seconds: float
    stdout: bytes = b""
    stderr: bytes = b""
    findings: list[dict] = field(default_factory=list)
    error: str | None = None


def load_repos(path: Path) -> list[Repo]:
    data = json.loads(path.read_text())
    return [Repo(r.get("id", r["name"]), r["name"], r["commit"], r["paths"]) for r in data["repos"]]


def present_checkouts(repos_file: Path, checkouts: Path, only: list[str] | None) -> Iterator[tuple[Repo, Path]]:
    """Each repository of the list (or of `only`, by id) with its checkout; a warning for one not checked out."""
    for repo in load_repos(repos_file):
        checkout = checkouts / repo.folder_name
        if only and repo.id not in only:
            continue
        if not checkout.is_dir():
            print(f"warning: no checkout of {repo.name} in {checkouts} (run checkout.py)", file=sys.stderr)
            continue
        yield repo, checkout


def load_labels(path: Path) -> list[dict]:
    labels = json.loads(path.read_text())["labels"]
    for label in labels:
        if label["verdict"] not in VERDICTS:
            raise SystemExit(f"labels.json: unknown verdict {label['verdict']!r} in {label}")
    return labels


def git_head(checkout: Path) -> str | None:
    result = subprocess.run(["git", "-C", str(checkout), "rev-parse", "HEAD"], capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else None


def run_flasklint(flasklint: str, repo: Repo, checkout: Path) -> Run:
    head = git_head(checkout)
    if head != repo.commit:
        print(f"warning: {checkout} is at {head}, repos.json records {repo.commit}", file=sys.stderr)
    command = [flasklint, "check", "--output-format", "json", "--no-cache", "--exit-zero", *repo.paths]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=checkout, capture_output=True)
    seconds = time.perf_counter() - start
    run = Run(repo, head, result.returncode, seconds, result.stdout, result.stderr)
    try:
        raw = json.loads(result.stdout)
    except json.JSONDecodeError as exc:
        run.error = f"stdout is not JSON ({exc}); stderr: {result.stderr.decode(errors='replace').strip()[:300]}"
        return run
    root = checkout.resolve()
    for finding in raw:
        path = Path(finding["filename"])
        finding["file"] = path.relative_to(root).as_posix() if path.is_absolute() else path.as_posix()
    run.findings = raw
    return run


def label_key(repo_id: str, file: str, code: str, line: int, column: int) -> tuple:
    return (repo_id, file, code, line, column)


def finding_key(repo_id: str, finding: dict) -> tuple:
    loc = finding["location"]
    return label_key(repo_id, finding["file"], finding["code"], loc["row"], loc["column"])


def matches(label: dict, finding: dict) -> bool:
    """A label holds for a finding at its position whose message still has the label's fragment."""
    return label.get("message_contains", "") in finding["message"]


def score(runs: list[Run], labels: list[dict]) -> dict:
    """Classify every finding (TP / FP / unlabelled) and every labelled problem not reported."""
    run_ids = {run.repo.id for run in runs}
    by_key: dict[tuple, dict] = {}
    for label in labels:
        if label["repo"] in run_ids:
            by_key[label_key(label["repo"], label["file"], label["code"], label["line"], label["column"])] = label
    per_code: dict[str, Counter] = {}
    unlabelled, used = [], set()
    for run in runs:
        for finding in run.findings:
            key = finding_key(run.repo.id, finding)
            label = by_key.get(key)
            counts = per_code.setdefault(finding["code"], Counter())
            counts["reported"] += 1
            if label is None or not matches(label, finding):
                counts["unlabelled"] += 1
                unlabelled.append({"repo": run.repo.id, "file": finding["file"], "line": key[3],
                                   "column": key[4], "code": finding["code"], "message": finding["message"]})
                continue
            used.add(key)
            verdict = label["verdict"]
            counts["tp" if verdict in ("true", "missed") else "fp"] += 1
            if verdict == "missed":
                counts["newly_found"] += 1
    not_reported = []
    for key, label in by_key.items():
        if key in used:
            continue
        counts = per_code.setdefault(label["code"], Counter())
        if label["verdict"] == "false":
            counts["fp_gone"] += 1
        else:
            counts["missed"] += 1
            not_reported.append(label)
    table = {}
    for code, counts in sorted(per_code.items()):
        judged = counts["tp"] + counts["fp"]
        found_or_missed = counts["tp"] + counts["missed"]
        table[code] = {
            "reported": counts["reported"], "tp": counts["tp"], "fp": counts["fp"],
            "unlabelled": counts["unlabelled"], "missed": counts["missed"], "fp_gone": counts["fp_gone"],
            "newly_found": counts["newly_found"],
            "precision": round(counts["tp"] / judged, 3) if judged else None,
            "recall": round(counts["tp"] / found_or_missed, 3) if found_or_missed else None,
        }
    return {"per_code": table, "unlabelled": unlabelled, "not_reported": not_reported}


def fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def print_report(runs: list[Run], result: dict) -> None:
    print("| Code | Reported | TP | FP | Unlabelled | Precision | Missed | Recall | FP gone |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    totals = Counter()
    for code, row in result["per_code"].items():
        totals.update({k: v for k, v in row.items() if isinstance(v, int)})
        print(f"| {code} | {row['reported']} | {row['tp']} | {row['fp']} | {row['unlabelled']} | "
              f"{fmt(row['precision'])} | {row['missed']} | {fmt(row['recall'])} | {row['fp_gone']} |")
    judged = totals["tp"] + totals["fp"]
    print(f"| all | {totals['reported']} | {totals['tp']} | {totals['fp']} | {totals['unlabelled']} | "
          f"{fmt(totals['tp'] / judged if judged else None)} | {totals['missed']} | "
          f"{fmt(totals['tp'] / (totals['tp'] + totals['missed']) if totals['tp'] + totals['missed'] else None)} | "
          f"{totals['fp_gone']} |")
    print()
    print("| Repository | Commit ok | Exit | Findings | Seconds |")
    print("|---|---|---:|---:|---:|")
    for run in runs:
        ok = "yes" if run.head == run.repo.commit else f"NO ({run.head})"
        print(f"| {run.repo.id} | {ok} | {run.exit_status} | {len(run.findings)} | {run.seconds:.1f} |")
    for run in runs:
        if run.error:
            print(f"\n{run.repo.id}: {run.error}")
    if result["not_reported"]:
        print("\nLabelled problems not reported (misses):")
        for label in result["not_reported"]:
            print(f"  {label['repo']} {label['file']}:{label['line']}:{label['column']} {label['code']} "
                  f"[{label['verdict']}] {label['reason']}")
    if result["unlabelled"]:
        print("\nUnlabelled findings (label them in labels.json):")
        for item in result["unlabelled"]:
            print(f"  {item['repo']} {item['file']}:{item['line']}:{item['column']} {item['code']} {item['message']}")


def normalised_output(run: Run, checkout: Path) -> bytes:
    """The raw JSON stdout with the checkout's absolute path replaced by a placeholder."""
    return run.stdout.replace(str(checkout.resolve()).encode(), CHECKOUT_PLACEHOLDER)


def normalised_stderr(run: Run, checkout: Path) -> str:
    return run.stderr.decode(errors="replace").replace(str(checkout.resolve()), CHECKOUT_PLACEHOLDER.decode())


def save_findings(runs: list[Run], checkouts: Path, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for run in runs:
        checkout = checkouts / run.repo.folder_name
        (folder / f"{run.repo.file_stem}.json").write_bytes(normalised_output(run, checkout))
        meta = {"exit_status": run.exit_status, "stderr": normalised_stderr(run, checkout)}
        (folder / f"{run.repo.file_stem}.meta.json").write_text(json.dumps(meta, indent=2) + "\n")


def compare_findings(runs: list[Run], checkouts: Path, folder: Path) -> int:
    """Print every difference (stdout bytes, exit status, stderr) from a saved run; return how many differ."""
    differing = 0
    for run in runs:
        checkout = checkouts / run.repo.folder_name
        saved_path = folder / f"{run.repo.file_stem}.json"
        if not saved_path.exists():
            print(f"compare: {run.repo.id}: nothing saved in {folder}")
            differing += 1
            continue
        saved, current = saved_path.read_bytes(), normalised_output(run, checkout)
        meta = json.loads((folder / f"{run.repo.file_stem}.meta.json").read_text())
        stderr = normalised_stderr(run, checkout)
        if saved == current and meta["exit_status"] == run.exit_status and meta["stderr"] == stderr:
            continue
        differing += 1
        print(f"compare: {run.repo.id}: DIFFERS (exit {meta['exit_status']} -> {run.exit_status})")
        for name, before, after in (("stdout", saved.decode(errors="replace"), current.decode(errors="replace")),
                                    ("stderr", meta["stderr"], stderr)):
            diff = difflib.unified_diff(before.splitlines(), after.splitlines(),
                                        f"saved {name}", f"current {name}", lineterm="", n=2)
            for line in list(diff)[:80]:
                print(f"  {line}")
    verdict = "identical" if differing == 0 else f"{differing} repositories differ"
    print(f"compare: {len(runs)} repositories against {folder}: {verdict}")
    return differing


def default_flasklint() -> str:
    beside_python = Path(sys.executable).parent / "flasklint"
    return str(beside_python) if beside_python.exists() else (shutil.which("flasklint") or "flasklint")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkouts", type=Path, default=DEFAULT_CHECKOUTS, help="folder of owner+name checkouts")
    parser.add_argument("--repo", action="append", help="only this repository id (repeatable)")
    parser.add_argument("--flasklint", default=default_flasklint(), help="the flasklint executable to run")
    parser.add_argument("--repos", type=Path, default=REPOS_FILE, help="the repository list (default: repos.json)")
    parser.add_argument("--labels", type=Path, default=LABELS_FILE, help="the labels (default: labels.json)")
    parser.add_argument("--json", type=Path, help="write the summary (per code, per repo) to this file")
    parser.add_argument("--save-findings", type=Path, help="write each repository's raw JSON output here")
    parser.add_argument("--compare", type=Path, help="diff the raw output against one saved by --save-findings")
    args = parser.parse_args(argv)

    # One at a time: big repositories would compete for the same cores.
    runs = [run_flasklint(args.flasklint, repo, checkout) for repo, checkout in present_checkouts(args.repos, args.checkouts, args.repo)]
    result = score(runs, load_labels(args.labels))
    print_report(runs, result)
    if args.json:
        summary = {
            "flasklint": args.flasklint,
            "per_code": result["per_code"],
            "repos": [{"id": r.repo.id, "commit": r.repo.commit, "head": r.head, "exit_status": r.exit_status,
                       "findings": len(r.findings), "seconds": round(r.seconds, 2), "error": r.error}
                      for r in runs],
            "not_reported": result["not_reported"],
            "unlabelled": result["unlabelled"],
        }
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
    if args.save_findings:
        save_findings(runs, args.checkouts, args.save_findings)
    if args.compare:
        return 1 if compare_findings(runs, args.checkouts, args.compare) else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
