"""The `.flasklint_cache/`: a warm run re-analyses nothing, edits invalidate, damage is ignored,
and nothing in it is ever unpickled. Observed through the cache directory, as a user would."""

from __future__ import annotations

import json
import pickle
import re
import subprocess
import sys
from pathlib import Path

from test_cli import PYPROJECT, SECRET_APP, flasklint

from conftest import write_project
from flasklint.cache import CACHE_DIR_NAME

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


def _entry_of(root: Path, name: str) -> Path:
    """The cache entry holding facts of file `name`."""
    for path in entries(root):
        if json.loads(path.read_text(encoding="utf-8"))["path"] == name:
            return path
    raise AssertionError(f"no cache entry for {name}")


def test_corrupted_entries_are_ignored_and_replaced(tmp_path: Path) -> None:
    write_project(tmp_path, FILES)
    expected = check(tmp_path)
    entry = _entry_of(tmp_path, "app.py")
    good = json.loads(entry.read_text(encoding="utf-8"))
    damaged = [
        b"",
        b"\x00\xff garbage",
        b'{"path": "app.py", "module"',  # truncated
        b"[]",
        b'{"path": 1}',
        json.dumps({**good, "apps": "not a list"}).encode(),
        json.dumps({**good, "noqa": ["4"]}).encode(),
        json.dumps({**good, "diagnostics": [{"code": "FLK104"}]}).encode(),
        json.dumps({**good, "routes": [{"unknown_field": 1}]}).encode(),
    ]
    for content in damaged:
        entry.write_bytes(content)
        assert check(tmp_path) == expected, content
        assert json.loads(entry.read_text(encoding="utf-8")) == good  # recomputed and rewritten


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
    package = Path(__file__).resolve().parent.parent / "flasklint"
    unsafe = re.compile(r"^\s*(import|from)\s+(pickle|cPickle|dill|marshal|shelve|jsonpickle)\b", re.M)
    offenders = [str(p) for p in package.rglob("*.py") if unsafe.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


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
