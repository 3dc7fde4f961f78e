"""What keeps flasklint's processes small: a large module parsed in pieces, freed memory handed back,
no OpenSSL for a digest. Each is measured in a fresh interpreter, as a run would see it."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GLIBC = sys.platform == "linux" and platform.libc_ver()[0] == "glibc"

# A 200 kB module, most of it one test class (the shape that made flake8's builder peak).
LARGE_MODULE = """
import unittest


class Tests(unittest.TestCase):
{methods}
"""
METHOD = "    def test_{0}(self):\n        response = self.client.get('/item/{0}', query={{'a': [1, 2, {0}]}})\n        assert response.status_code == 200, response.data\n\n"


def _run(code: str, tmp_path: Path) -> dict:
    source = tmp_path / "large.py"
    source.write_text(LARGE_MODULE.format(methods="".join(METHOD.format(n) for n in range(1800))), encoding="utf-8")
    prelude = (
        "import json, sys\n"
        "def rss():\n"
        "    return int(open('/proc/self/statm').read().split()[1]) * 4096 >> 20\n"
        "def hwm():\n"
        "    line = next(line for line in open('/proc/self/status') if line.startswith('VmHWM:'))\n"
        "    return int(line.split()[1]) >> 10\n"
        f"text = open({str(source)!r}, encoding='utf-8').read()\n"
        "assert len(text) > 200_000\n"
    )
    result = subprocess.run([sys.executable, "-c", prelude + code], capture_output=True, text=True, cwd=tmp_path, check=True)
    return json.loads(result.stdout)


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_parsing_in_pieces_keeps_the_peak_far_below_a_whole_parse(tmp_path: Path) -> None:
    # VmHWM, not ru_maxrss: a child's ru_maxrss starts at its parent's size (a large pytest process).
    peak = "print(json.dumps({'peak': hwm(), 'base': base}))\n"
    setup = "from flasklint import source\nsource.parse_python('x = 1\\n')\nbase = rss()\n"
    whole = _run(setup + "import libcst\ntree = libcst.parse_module(text)\n" + peak, tmp_path)
    pieces = _run(setup + "tree = source.parse_python(text).tree\n" + peak, tmp_path)
    whole_growth, pieces_growth = whole["peak"] - whole["base"], pieces["peak"] - pieces["base"]
    assert pieces_growth < whole_growth / 2, (pieces, whole)


@pytest.mark.skipif(not GLIBC, reason="malloc_trim is glibc's")
def test_freed_memory_goes_back_to_the_system(tmp_path: Path) -> None:
    figures = _run(
        "import libcst\n"
        "from flasklint.memory import release_freed_memory\n"
        "tree = libcst.parse_module(text)\n"
        "del tree\n"
        "kept = rss()\n"
        "release_freed_memory()\n"
        "print(json.dumps({'kept': kept, 'released': rss()}))\n",
        tmp_path,
    )
    assert figures["released"] < figures["kept"] - 10, figures


def test_no_digest_loads_openssl(tmp_path: Path) -> None:
    """flake8's processes compute text digests and the builder cache keys: `hashlib` would load
    libcrypto into each (3.7 MiB), which flake8 alone never loads."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n", encoding="utf-8")
    code = (
        "import sys\n"
        "from flasklint.flake8_text import text_digest\n"
        "from flasklint.cli import main\n"
        "text_digest('x')\n"
        f"status = main(['check', {str(project)!r}])\n"
        "print('_hashlib' in sys.modules, 'hashlib' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True)
    assert result.stdout.splitlines()[-1] == "False False", result.stdout + result.stderr
    assert (project / ".flasklint_cache").is_dir()  # the cache's keys and entries were digested too
