"""The `.flasklint_cache/`: a warm run re-analyses nothing, edits invalidate, damage is ignored,
and nothing in it is ever unpickled. Observed through the cache directory, as a user would."""

from __future__ import annotations

import json
import os
import pickle
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from test_cli import PYPROJECT, SECRET_APP, flasklint
from test_flake8_plugin import flake8_findings, flasklint_findings

from conftest import write_project
from flasklint.cache import CACHE_DIR_NAME, engine_fingerprint, payload_digest
from flasklint.run_cache import RUNS_DIR_NAME

FILES = {
    "pyproject.toml": PYPROJECT,
    "app.py": SECRET_APP,
    "views.py": "from flask import render_template\n\ndef index():\n    return render_template('index.html')\n",
    "util.py": "def double(x):\n    return 2 * x\n",
    "templates/index.html": "<a href=\"{{ url_for('index') }}\">home</a>\n",
    "Dockerfile": "FROM python:3.12\nCMD [\"flask\", \"run\"]\n",
}


def entries(root: Path) -> dict[Path, tuple[int, int]]:
    """Every cache entry with its (inode, mtime_ns): a rewrite changes both."""
    found = {}
    for path in (root / CACHE_DIR_NAME).rglob("*.json"):
        stat = path.stat()
        found[path] = (stat.st_ino, stat.st_mtime_ns)
    return found


def check(root: Path) -> list[str]:
    result = flasklint("check", "--output-format", "json", cwd=root)
    assert result.returncode in (0, 1), result.stderr
    return sorted(f"{Path(d['filename']).name}:{d['location']['row']}:{d['code']}" for d in json.loads(result.stdout))


def test_cold_run_fills_the_cache_and_marks_it(tmp_path: Path) -> None:
    write_project(tmp_path, FILES)
    check(tmp_path)
    assert len(entries(tmp_path)) == 5  # app.py, views.py, util.py, the template, the Dockerfile
    assert (tmp_path / CACHE_DIR_NAME / ".gitignore").read_text(encoding="utf-8") == "*\n"
    assert (tmp_path / CACHE_DIR_NAME / "CACHEDIR.TAG").read_text(encoding="utf-8").startswith("Signature: 8a477f59")


def test_entries_share_at_most_sixteen_directories(tmp_path: Path) -> None:
    """Each entry directory is a `mkdir` on a cold run (cache.SHARD_DIGITS): 60 files, 16 at most."""
    write_project(tmp_path, {**FILES, **{f"module_{number}.py": f"VALUE = {number}\n" for number in range(60)}})
    check(tmp_path)
    found = entries(tmp_path)
    assert len(found) == 65
    directories = {path.parent for path in found}
    assert len(directories) <= 16 and all(len(directory.name) == 1 for directory in directories)


def test_warm_run_reanalyses_nothing(tmp_path: Path) -> None:
    write_project(tmp_path, FILES)
    cold = check(tmp_path)
    before = entries(tmp_path)
    assert check(tmp_path) == cold
    assert entries(tmp_path) == before  # no entry written again: no file was parsed


def test_an_edit_invalidates_exactly_that_file(tmp_path: Path) -> None:
    write_project(tmp_path, FILES)
    assert "app.py:4:FLK104" in check(tmp_path)
    before = entries(tmp_path)
    fixed = "import os\n" + SECRET_APP.replace('"dev"', 'os.environ["KEY"]')
    (tmp_path / "app.py").write_text(fixed, encoding="utf-8")
    assert not [d for d in check(tmp_path) if "FLK104" in d]
    after = entries(tmp_path)
    assert set(before) <= set(after)
    assert len(set(after) - set(before)) == 1  # one new entry, for the edited file
    assert all(after[path] == stamp for path, stamp in before.items())


def test_same_content_in_two_files_gets_two_entries(tmp_path: Path) -> None:
    write_project(tmp_path, {"pyproject.toml": PYPROJECT, "a.py": SECRET_APP, "b.py": SECRET_APP})
    assert check(tmp_path) == ["a.py:4:FLK104", "b.py:4:FLK104"]
    assert len(entries(tmp_path)) == 2


def test_no_cache_writes_nothing(tmp_path: Path) -> None:
    write_project(tmp_path, FILES)
    assert flasklint("check", "--no-cache", cwd=tmp_path).returncode == 1
    assert not (tmp_path / CACHE_DIR_NAME).exists()


class _Payload:
    """Unpickling this creates a marker file: proof that something unpickled the cache."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


def test_the_cache_never_unpickles(tmp_path: Path) -> None:
    write_project(tmp_path, FILES)
    expected = check(tmp_path)
    marker = tmp_path / "UNPICKLED"
    payload = pickle.dumps(_Payload(marker))
    for entry in entries(tmp_path):
        entry.write_bytes(payload)
        entry.with_suffix(".pickle").write_bytes(payload)
        entry.with_suffix(".pkl").write_bytes(payload)
    assert check(tmp_path) == expected
    assert not marker.exists()


def test_flasklint_has_no_unpickler() -> None:
    """Nothing a repository can hold is ever unpickled or unmarshalled. The one reader of marshal is
    the per-user file of compiled dataclass methods, outside any repository (test_method_code_cache.py
    checks where it may be and whose it must be)."""
    package = Path(__file__).resolve().parent.parent / "flasklint"
    unsafe = re.compile(r"^\s*(import|from)\s+(pickle|cPickle|dill|marshal|shelve|jsonpickle)\b", re.M)
    offenders = [p.name for p in package.rglob("*.py") if unsafe.search(p.read_text(encoding="utf-8"))]
    assert offenders == ["method_code_cache.py"]


def test_a_warm_run_imports_neither_libcst_nor_jinja(tmp_path: Path) -> None:
    """Everything is in the cache, so parsing libraries must not even be imported (they cost more
    than the rest of a warm run)."""
    write_project(
        tmp_path,
        {
            "pyproject.toml": "",
            "app.py": "from flask import Flask, url_for\napp = Flask(__name__)\n\n@app.route('/')\ndef index():\n    return url_for('nope')\n",
            "templates/page.html": "<a href=\"{{ url_for('index') }}\">home</a>\n",
        },
    )
    probe = (
        "import sys\n"
        "from flasklint.cli import main\n"
        "code = main(['check', '--output-format', 'json', sys.argv[1]])\n"
        "print('libcst' if 'libcst._nodes.module' in sys.modules else '-', 'jinja2' if 'jinja2.environment' in sys.modules else '-', code)\n"
    )
    cold = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True, check=True)
    warm = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True, check=True)
    assert cold.stdout.splitlines()[-1] == "libcst jinja2 1"
    assert warm.stdout.splitlines()[-1] == "- - 1"


# -- damage: whatever a tool, a user or the repository itself did to an entry --------------------
# Each case damages a copy of a project whose cache is warm, then runs the real CLI in it: the
# output must be the `--no-cache` run's, with no traceback and no warning, and every entry must be
# back to what flasklint writes (recomputed and rewritten).
def _payload(entry: Path) -> bytes:
    """The facts' JSON of an entry (its first line is the header: key and checksum)."""
    return entry.read_bytes().partition(b"\n")[2]


def entry_of(root: Path, name: str) -> Path:
    """The cache entry holding the facts of file `name`."""
    for path in entries(root):
        if json.loads(_payload(path))["path"] == name:
            return path
    raise AssertionError(f"no cache entry for {name}")


def forge(entry: Path, payload: bytes) -> None:
    """Write `payload` as the entry of its key with a correct header and checksum, as a repository
    shipping a crafted `.flasklint_cache` can: only the content can tell it is not flasklint's."""
    entry.write_bytes(b"flasklint-cache-entry %s %s\n%s" % (entry.stem.encode(), payload_digest(payload).encode(), payload))


def forge_facts(entry: Path, change: Callable[[dict], object]) -> None:
    facts = json.loads(_payload(entry))
    change(facts)
    forge(entry, json.dumps(facts).encode())


def _replace_bytes(old: bytes, new: bytes) -> Callable[[Path], None]:
    def damage(entry: Path) -> None:
        data = entry.read_bytes()
        assert old in data, (old, data)
        entry.write_bytes(data.replace(old, new))

    return damage


def _forge_replacing(old: bytes, new: bytes) -> Callable[[Path], None]:
    def damage(entry: Path) -> None:
        payload = _payload(entry)
        assert old in payload, (old, payload)
        forge(entry, payload.replace(old, new))

    return damage


def _swap_with_util(entry: Path) -> None:
    """The issue's case: app.py's entry (FLK104 at 4:18) and util.py's (2 lines) trade places."""
    other = entry_of(entry.parents[3], "util.py")
    mine, theirs = entry.read_bytes(), other.read_bytes()
    entry.write_bytes(theirs)
    other.write_bytes(mine)


def _replace_with_directory(entry: Path) -> None:
    entry.unlink()
    (entry / "inner").mkdir(parents=True)


def _replace_with_fifo(entry: Path) -> None:
    entry.unlink()
    os.mkfifo(entry)


def _link_outside(entry: Path) -> None:
    """A symlink to a file outside the project: a valid entry of this key, without the finding."""
    outside = entry.parents[4] / entry.name
    forge(outside, json.dumps({**json.loads(_payload(entry)), "diagnostics": []}).encode())
    entry.unlink()
    entry.symlink_to(outside)


def _subdirectory_is_a_file(entry: Path) -> None:
    shutil.rmtree(entry.parent)
    entry.parent.write_text("not a directory\n", encoding="utf-8")


def _fingerprint_directory_is_a_file(entry: Path) -> None:
    shutil.rmtree(entry.parents[1])
    entry.parents[1].write_text("not a directory\n", encoding="utf-8")


DAMAGE: dict[str, Callable[[Path], None]] = {
    # a tool or a user (the checksum no longer matches)
    "empty": lambda entry: entry.write_bytes(b""),
    "truncated": lambda entry: entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2]),
    "binary garbage": lambda entry: entry.write_bytes(bytes(range(256)) * 8),
    "header only": lambda entry: entry.write_bytes(entry.read_bytes().partition(b"\n")[0] + b"\n"),
    "plain JSON without the header": lambda entry: entry.write_bytes(_payload(entry)),
    "deeply nested JSON": lambda entry: entry.write_bytes(b"[" * 100_000 + b"]" * 100_000),
    "a value edited in place": _replace_bytes(b'"start":[4,17]', b'"start":[1,17]'),
    "line endings converted to CRLF": lambda entry: entry.write_bytes(entry.read_bytes().replace(b"\n", b"\r\n")),
    "a byte-order mark prepended": lambda entry: entry.write_bytes(b"\xef\xbb\xbf" + entry.read_bytes()),
    "padded to 5 MB": lambda entry: entry.write_bytes(entry.read_bytes() + b" " * 5_000_000),
    "swapped with another file's entry": _swap_with_util,
    # the repository ships a forged entry (a correct header and checksum)
    "forged: deeply nested JSON": lambda entry: forge(entry, b"[" * 100_000 + b"]" * 100_000),
    "forged: deeply nested data": _forge_replacing(b'"data":{"how"', b'"data":{"x":' + b"[" * 100_000 + b"]" * 100_000 + b',"how"'),
    "forged: a 5,000-digit number": _forge_replacing(b'"start":[4,', b'"start":[' + b"9" * 5000 + b","),
    "forged: a number past any file": _forge_replacing(b'"start":[4,', b'"start":[' + str(10**30).encode() + b","),
    "forged: NaN": _forge_replacing(b'"start":[4,17]', b'"start":[NaN,17]'),
    "forged: Infinity": _forge_replacing(b'"start":[4,17]', b'"start":[4,Infinity]'),
    "forged: not UTF-8": _forge_replacing(b'"path":"app.py"', b'"path":"app\xff.py"'),
    "forged: null": lambda entry: forge(entry, b"null"),
    "forged: a list": lambda entry: forge(entry, b"[]"),
    "forged: apps not a list": lambda entry: forge_facts(entry, lambda f: f.update(apps="not a list")),
    "forged: is_test a string": lambda entry: forge_facts(entry, lambda f: f.update(is_test="yes")),
    "forged: a noqa code not a string": lambda entry: forge_facts(entry, lambda f: f.update(noqa={"4": [4]})),
    "forged: a row as a string": lambda entry: forge_facts(entry, lambda f: f["diagnostics"][0].update(start=["4", 17])),
    "forged: a row as a boolean": lambda entry: forge_facts(entry, lambda f: f["diagnostics"][0].update(start=[True, 17])),
    "forged: an unknown severity": lambda entry: forge_facts(entry, lambda f: f["diagnostics"][0].update(severity="fatal")),
    "forged: a fix without edits": lambda entry: forge_facts(entry, lambda f: f["diagnostics"][0].update(fix={"message": "x"})),
    "forged: a span of three numbers": lambda entry: forge_facts(entry, lambda f: f["secret_keys"][0].update(span=[4, 17, 4])),
    "forged: a negative column": lambda entry: forge_facts(entry, lambda f: f["apps"][0].update(span=[3, -1, 3, 20])),
    "forged: a field missing": lambda entry: forge_facts(entry, lambda f: f.pop("diagnostics")),
    "forged: an unknown field": lambda entry: forge_facts(entry, lambda f: f.update(payload="x")),
    "forged: rule data of no rule": lambda entry: forge_facts(entry, lambda f: f.update(rule_data={"FLK104": []})),
    "forged: rule data not a list": lambda entry: forge_facts(entry, lambda f: f.update(rule_data={"FLK302": {}})),
    "forged: a setup point's line a string": lambda entry: forge_facts(
        entry, lambda f: f.update(rule_data={"FLK302": [{"app": "app.app", "line": "4", "indent": "", "import_line": None}]})
    ),
    "forged: a URL literal without its span": lambda entry: forge_facts(
        entry,
        lambda f: f.update(rule_data={"FLK203": [{"literal": {"path": "/"}, "url_for": None, "import_span": None, "import_text": ""}]}),
    ),
    # the file system
    "a directory in its place": _replace_with_directory,
    "a FIFO in its place": _replace_with_fifo,
    "a symlink to a file outside the project": _link_outside,
    "its directory replaced by a file": _subdirectory_is_a_file,
    "the fingerprint directory replaced by a file": _fingerprint_directory_is_a_file,
}


@dataclass(frozen=True)
class Warm:
    """A project with a warm cache, the files of that cache, and what `--no-cache` prints for it."""

    root: Path
    cache: dict[Path, bytes]
    expected: subprocess.CompletedProcess[str]

    def copy(self, target: Path) -> Path:
        shutil.copytree(self.root, target, symlinks=True)
        return target


def cache_files(root: Path) -> dict[Path, bytes]:
    """The per-file cache's files (the whole-run cache's `runs/` is tested in test_run_cache.py)."""
    base = root / CACHE_DIR_NAME
    files = (p for p in sorted(base.rglob("*")) if p.is_file() and not p.is_symlink())
    return {p.relative_to(root): p.read_bytes() for p in files if p.relative_to(base).parts[0] != RUNS_DIR_NAME}


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory) -> Warm:
    root = write_project(tmp_path_factory.mktemp("warm") / "project", FILES)
    expected = flasklint("check", "--no-cache", cwd=root)
    assert expected.returncode == 1 and "app.py:4:18: FLK104" in expected.stdout, expected.stdout
    assert flasklint("check", cwd=root).stdout == expected.stdout
    return Warm(root, cache_files(root), expected)


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_entry_is_a_miss_and_is_rewritten(warm: Warm, tmp_path: Path, damage: Callable[[Path], None]) -> None:
    root = warm.copy(tmp_path / "project")
    damage(entry_of(root, "app.py"))
    result = flasklint("check", cwd=root)
    assert (result.returncode, result.stdout, result.stderr) == (1, warm.expected.stdout, "")
    assert cache_files(root) == warm.cache  # recomputed and rewritten; nothing else left behind


def test_a_forged_deep_entry_with_exit_zero_exits_0(warm: Warm, tmp_path: Path) -> None:
    root = warm.copy(tmp_path / "project")
    forge(entry_of(root, "app.py"), b"[" * 100_000 + b"]" * 100_000)
    result = flasklint("check", "--exit-zero", cwd=root)
    assert (result.returncode, result.stdout, result.stderr) == (0, warm.expected.stdout, "")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its permissions")
def test_an_unreadable_entry_is_a_miss_and_is_rewritten(warm: Warm, tmp_path: Path) -> None:
    root = warm.copy(tmp_path / "project")
    entry_of(root, "app.py").chmod(0)
    result = flasklint("check", cwd=root)
    assert (result.returncode, result.stdout, result.stderr) == (1, warm.expected.stdout, "")
    assert cache_files(root) == warm.cache


def test_a_cache_directory_that_is_a_file_runs_uncached_and_says_so(warm: Warm, tmp_path: Path) -> None:
    root = warm.copy(tmp_path / "project")
    shutil.rmtree(root / CACHE_DIR_NAME)
    (root / CACHE_DIR_NAME).write_text("mine\n", encoding="utf-8")
    result = flasklint("check", cwd=root)
    warning = f"flasklint: warning: {root.resolve() / CACHE_DIR_NAME} is not a directory; running without the cache\n"
    assert (result.returncode, result.stdout, result.stderr) == (1, warm.expected.stdout, warning)
    assert (root / CACHE_DIR_NAME).read_text(encoding="utf-8") == "mine\n"


@pytest.mark.parametrize("damage", ["forged: deeply nested JSON", "swapped with another file's entry"])
def test_flake8_reads_a_damaged_cache_as_a_miss(warm: Warm, tmp_path: Path, damage: str) -> None:
    root = warm.copy(tmp_path / "project")
    expected = flasklint_findings(root, "--no-cache")
    assert ("FLK104" in {code for *_, code in expected})
    DAMAGE[damage](entry_of(root, "app.py"))
    assert flake8_findings(".", cwd=root) == expected
    assert cache_files(root) == warm.cache


# -- symbolic links: the cache never writes (or reads) through one ---------------------------------
def snapshot(directory: Path) -> dict[str, bytes | str]:
    """Every path under `directory` with its bytes (or link target): a write anywhere changes it."""
    found: dict[str, bytes | str] = {}
    for path in sorted(directory.rglob("*")):
        key = str(path.relative_to(directory))
        found[key] = os.readlink(path) if path.is_symlink() else path.read_bytes() if path.is_file() else "dir"
    return found


def _outside(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    (outside / "keep").mkdir(parents=True)
    (outside / "keep" / "data.txt").write_text("precious\n", encoding="utf-8")
    return outside


@pytest.mark.parametrize("target", ["outside", "outside/missing"])
def test_a_symlinked_cache_directory_is_refused(tmp_path: Path, target: str) -> None:
    root = write_project(tmp_path / "project", FILES)
    outside = _outside(tmp_path)
    before = snapshot(outside)
    expected = flasklint("check", "--no-cache", cwd=root)
    (root / CACHE_DIR_NAME).symlink_to(tmp_path / target)
    warning = f"flasklint: warning: {root.resolve() / CACHE_DIR_NAME} is a symbolic link; running without the cache\n"
    for _ in range(2):
        result = flasklint("check", cwd=root)
        assert (result.returncode, result.stdout, result.stderr) == (1, expected.stdout, warning)
    assert snapshot(outside) == before  # byte for byte, and no new file
    assert os.readlink(root / CACHE_DIR_NAME) == str(tmp_path / target)


LINKED_PARTS = {
    "the fingerprint directory": lambda cache: cache / engine_fingerprint(),
    "an entry directory": lambda cache: cache / engine_fingerprint() / _first_subdirectory(cache),
    "CACHEDIR.TAG": lambda cache: cache / "CACHEDIR.TAG",
    ".gitignore": lambda cache: cache / ".gitignore",
}


def _first_subdirectory(cache: Path) -> str:
    return sorted(p.name for p in (cache / engine_fingerprint()).iterdir())[0]


@pytest.mark.parametrize("part", LINKED_PARTS.values(), ids=LINKED_PARTS.keys())
def test_a_symlink_inside_the_cache_is_never_followed(warm: Warm, tmp_path: Path, part: Callable[[Path], Path]) -> None:
    root = warm.copy(tmp_path / "project")
    entry_of(root, "app.py").unlink()  # so that the run writes
    outside = _outside(tmp_path)
    linked = part(root / CACHE_DIR_NAME)
    if linked.is_dir():
        shutil.copytree(linked, outside / "copied")  # a valid-looking target: following it would be a hit
        shutil.rmtree(linked)
        linked.symlink_to(outside / "copied")
    else:
        linked.unlink()
        linked.symlink_to(outside / "created-by-flasklint")  # dangling: following it creates the file
    before = snapshot(outside)
    for _ in range(2):
        result = flasklint("check", cwd=root)
        assert (result.returncode, result.stdout, result.stderr) == (1, warm.expected.stdout, "")
    assert snapshot(outside) == before
    assert {p: b for p, b in cache_files(root).items() if p.name.endswith(".json")} == {
        p: b for p, b in warm.cache.items() if p.name.endswith(".json")
    }  # the entries were written into real directories


# -- temporary files of killed runs ----------------------------------------------------------------
KILL_AT_THE_FIRST_CACHE_RENAME = """\
import os, signal, sys

def replace(source, target, *args, _replace=os.replace, **kwargs):
    if str(target).endswith(".json"):
        os.kill(os.getpid(), signal.SIGKILL)  # the written temporary file is never renamed
    return _replace(source, target, *args, **kwargs)

os.replace = replace
from flasklint.cli import main
sys.exit(main(sys.argv[1:]))
"""


def temporaries(root: Path) -> list[str]:
    return sorted(p.name for p in (root / CACHE_DIR_NAME).rglob("*.tmp"))


def test_a_run_killed_while_writing_leaves_nothing_the_next_run_keeps(tmp_path: Path) -> None:
    root = write_project(tmp_path / "project", FILES)
    driver = tmp_path / "killed_flasklint.py"
    driver.write_text(KILL_AT_THE_FIRST_CACHE_RENAME, encoding="utf-8")
    killed = subprocess.run([sys.executable, str(driver), "check"], cwd=root, capture_output=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL
    assert len(temporaries(root)) == 1  # the kill left its temporary file behind
    expected = flasklint("check", "--no-cache", cwd=root)
    result = flasklint("check", cwd=root)
    assert (result.returncode, result.stdout, result.stderr) == (1, expected.stdout, "")
    assert temporaries(root) == []
    assert len(entries(root)) == 5


def test_only_temporary_files_of_dead_or_stale_writers_are_removed(warm: Warm, tmp_path: Path) -> None:
    root = warm.copy(tmp_path / "project")
    directory = entry_of(root, "app.py").parent
    alive = os.getpid()  # this test's process: alive while the CLI runs
    stale = directory / f".{'a' * 64}.json.{alive}.1.tmp"
    writing = directory / f".{'b' * 64}.json.{alive}.1.tmp"
    for path in (stale, writing):
        path.write_bytes(b"partial")
    two_minutes_ago = time.time() - 120
    os.utime(stale, (two_minutes_ago, two_minutes_ago))
    (root / "util.py").write_text("def triple(x):\n    return 3 * x\n", encoding="utf-8")  # the run writes
    assert flasklint("check", cwd=root).returncode == 1
    assert temporaries(root) == [writing.name]  # a live writer's fresh file is left alone
