"""Clone the repositories of repos.json, each at its recorded commit, into a checkouts folder.

    .venv/bin/python benchmarks/realworld/checkout.py GIT_DIR [GIT_DIR ...] [--checkouts DIR]
    .venv/bin/python benchmarks/realworld/checkout.py --mirrors /work/.mirror [--checkouts DIR]

Why: score.py runs on plain working trees at known commits; where the git history comes from
(a snapshot fetched into /work/.mirror/owner+name/repo, or any local clone) does not matter. A
GIT_DIR is matched to its repos.json entry by its owner+name folder (the mirror's layout) or by
the name of a folder holding it. Their code is cloned outside this repository and never committed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_CHECKOUTS = Path("/work/realworld-checkouts")


def recorded_commits() -> dict[str, str]:
    """owner+name folder -> commit, from repos.json (entries sharing a repository share a commit)."""
    repos = json.loads((HERE / "repos.json").read_text())["repos"]
    return {r["name"].replace("/", "+"): r["commit"] for r in repos}


def folder_name_of(git_dir: Path, known: dict[str, str]) -> str | None:
    for part in reversed(git_dir.resolve().parts):
        if part in known:
            return part
    return None


def checkout(git_dir: Path, folder: Path, commit: str) -> str:
    """Clone (or reuse) `folder` from `git_dir` and put its HEAD at `commit`; return what was done."""
    if not folder.exists():
        subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(git_dir), str(folder)], check=True)
    head = subprocess.run(["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True, text=True)
    if head.returncode == 0 and head.stdout.strip() == commit:
        status = subprocess.run(["git", "-C", str(folder), "status", "--porcelain"], capture_output=True, text=True)
        if not status.stdout.strip():
            return "already at the recorded commit"
    has_commit = subprocess.run(["git", "-C", str(folder), "cat-file", "-e", f"{commit}^{{commit}}"])
    if has_commit.returncode != 0:
        subprocess.run(["git", "-C", str(folder), "fetch", "--quiet", str(git_dir), commit], check=True)
    subprocess.run(["git", "-C", str(folder), "checkout", "--quiet", "--force", "--detach", commit], check=True)
    return f"checked out {commit[:12]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("git_dirs", nargs="*", type=Path, help="git directories, e.g. /work/.mirror/owner+name/repo")
    parser.add_argument("--mirrors", type=Path, help="a folder of owner+name/ mirrors: use every one repos.json names")
    parser.add_argument("--checkouts", type=Path, default=DEFAULT_CHECKOUTS)
    args = parser.parse_args(argv)

    known = recorded_commits()
    git_dirs = list(args.git_dirs)
    if args.mirrors:
        git_dirs += [p / "repo" if (p / "repo").is_dir() else p for p in sorted(args.mirrors.iterdir())
                     if p.name in known]
    args.checkouts.mkdir(parents=True, exist_ok=True)
    failures = 0
    for git_dir in git_dirs:
        name = folder_name_of(git_dir, known)
        if name is None:
            print(f"{git_dir}: not a repository of repos.json (expected an owner+name folder)", file=sys.stderr)
            failures += 1
            continue
        try:
            print(f"{name}: {checkout(git_dir, args.checkouts / name, known[name])}")
        except subprocess.CalledProcessError as exc:
            print(f"{name}: git failed: {exc}", file=sys.stderr)
            failures += 1
    missing = sorted(set(known) - {p.name for p in args.checkouts.iterdir() if p.is_dir()})
    for name in missing:
        print(f"missing: {name} (fetch github:{name.replace('+', '/', 1)}, then run this again)", file=sys.stderr)
    return 1 if failures or missing else 0


if __name__ == "__main__":
    sys.exit(main())
