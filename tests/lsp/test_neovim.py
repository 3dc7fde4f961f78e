"""A real editor as the client: Neovim's built-in LSP client against `flasklint server`.

Neovim opens a file of examples/quickstart, receives the diagnostics, applies a quick fix through
its own workspace-edit code (UTF-16 positions, as Neovim computes them) and writes the buffer; the
test then checks the file on disk and lints it again.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flasklint.engine import Project
from flasklint.source import SourceError, parse_source

NVIM = shutil.which("nvim")
HERE = Path(__file__).resolve().parent
QUICKSTART = HERE.parents[1] / "examples" / "quickstart"

# A local run without Neovim may skip; CI installs it (.ci/run) and must run this test.
pytestmark = pytest.mark.skipif(
    NVIM is None and not os.environ.get("CI"),
    reason="nvim is not installed (apt-get install -y --no-install-recommends neovim)",
)


def run_neovim(root: Path, relative: str, code: str, tmp_path: Path) -> tuple[list[dict], list[dict]]:
    out = tmp_path / "nvim-out"
    out.mkdir()
    env = {
        **os.environ,
        "FLASKLINT": str(Path(sys.executable).parent / "flasklint"),
        "OUT_DIR": str(out),
        "FIX_CODE": code,
        "XDG_STATE_HOME": str(tmp_path / "state"),  # nvim's LSP log, kept out of $HOME
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [NVIM, "--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", f"luafile {HERE / 'nvim_quickfix.lua'}", relative],
        cwd=root,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    error = out / "error.txt"
    assert done.returncode == 0, (error.read_text() if error.exists() else "", done.stdout, done.stderr)
    return json.loads((out / "diagnostics.json").read_text()), json.loads((out / "actions.json").read_text())


def relint(root: Path, relative: str) -> list[tuple[str, int]]:
    project = Project(root, use_cache=False)
    project.discover()
    project.analyse()
    return [(d.code, d.start.row) for d in project.diagnostics(relative)]


@pytest.mark.parametrize("prefix", ["", 'farewell = "再见 👋🏽"; '])
def test_neovim_applies_a_quick_fix_from_the_server(tmp_path: Path, prefix: str) -> None:
    root = tmp_path / "quickstart"
    shutil.copytree(QUICKSTART, root)
    app = root / "app.py"
    broken_line = '    return redirect(url_for("indx"))'
    # Optionally put Chinese text and an emoji (with a skin-tone modifier) before the finding.
    text = app.read_text(encoding="utf-8").replace(broken_line, f"    {prefix}{broken_line.lstrip()}")
    app.write_text(text, encoding="utf-8")
    before = relint(root, "app.py")

    diagnostics, actions = run_neovim(root, "app.py", "FLK201", tmp_path)

    expected = {(code, row - 1) for code, row in before}
    assert {(d["code"], d["range"]["start"]["line"]) for d in diagnostics} == expected
    assert all(d["source"] == "flasklint" for d in diagnostics)
    assert any(a["title"].startswith("FLK201: ") for a in actions)
    fixed = app.read_text(encoding="utf-8")
    assert fixed == text.replace(f'{prefix}return redirect(url_for("indx"))', f'{prefix}return redirect(url_for("index"))')
    assert not isinstance(parse_source(fixed), SourceError)
    after = relint(root, "app.py")
    assert "FLK201" not in [code for code, _ in after]
    assert len(after) == len(before) - 1
