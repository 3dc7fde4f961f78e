"""The methods dataclasses compiles for libcst's and flasklint's classes, kept across runs
(flasklint/method_code_cache.py): the same code as compiling them, read only when whole and trusted,
never in the way of a run. Each case runs fresh interpreters with their own cache directory."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CACHE_FILE = Path("flasklint") / f"dataclass-methods-{sys.implementation.cache_tag}.bin"

# Every method dataclasses compiled ("<string>") for a class of libcst or flasklint, by qualified
# name, marshalled to stdout; then whether this process compiled any text itself.
DUMP_METHODS = """
import marshal, sys
import flasklint.engine, flasklint.rules
from flasklint.source import parse_python
parse_python("x = 1\\n")
import libcst, libcst.metadata
from flasklint import method_code_cache
codes = {}
for name, module in list(sys.modules.items()):
    if not name.startswith(("libcst", "flasklint")) or module is None:
        continue
    for value in list(vars(module).values()):
        if isinstance(value, type) and value.__module__ == name and "__dataclass_fields__" in vars(value):
            for attribute, method in vars(value).items():
                code = getattr(method, "__code__", None)
                if code is not None and code.co_filename == "<string>":
                    codes[f"{name}.{value.__qualname__}.{attribute}"] = code
sys.stdout.buffer.write(marshal.dumps({"codes": codes, "compiled_here": method_code_cache._added}))
"""


def _environment(cache: Path, **settings: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name != "FLASKLINT_NO_METHOD_CACHE"}
    return {**env, "XDG_CACHE_HOME": str(cache), **settings}


def _run(code: str, cache: Path, **settings: str) -> subprocess.CompletedProcess[bytes]:
    env = _environment(cache, **settings)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, cwd=ROOT, check=True)


def _methods(cache: Path, **settings: str) -> dict:
    return marshal.loads(_run(DUMP_METHODS, cache, **settings).stdout)


def test_kept_methods_are_the_code_python_compiles(tmp_path: Path) -> None:
    without = _methods(tmp_path / "off", FLASKLINT_NO_METHOD_CACHE="1")
    first = _methods(tmp_path / "on")  # compiles every text, writes the file at exit
    assert (tmp_path / "on" / CACHE_FILE).is_file()
    second = _methods(tmp_path / "on")  # reads every text from the file
    assert not (tmp_path / "off" / "flasklint").exists()
    assert first["compiled_here"] and not second["compiled_here"]
    assert len(without["codes"]) > 600  # libcst's node classes and flasklint's records
    assert any(name.startswith("flasklint.") for name in without["codes"])
    # Code objects compare by bytecode, constants, names, line table and exception table.
    assert first["codes"] == without["codes"]
    assert second["codes"] == without["codes"]


def test_only_libcst_and_flasklint_classes_are_served(tmp_path: Path) -> None:
    script = (
        "import dataclasses, sys, types\n"
        "from flasklint import records, method_code_cache\n"
        "def define(name):\n"
        "    module = sys.modules[name] = types.ModuleType(name)\n"
        "    module.dataclasses = dataclasses\n"
        "    exec('@dataclasses.dataclass\\nclass Made:\\n    quite_unusual_field_name: int\\n', vars(module))\n"
        "    assert module.Made(quite_unusual_field_name=3).quite_unusual_field_name == 3\n"
        "    return len(method_code_cache._new)\n"
        "before = len(method_code_cache._new)\n"
        "print(define('someone_else.models') - before, define('flasklint.models') - before)\n"
    )
    theirs, ours = map(int, _run(script, tmp_path).stdout.split())
    assert theirs == 0 and ours > 0  # `__init__`, `__repr__`, `__eq__` of a class of flasklint's


@pytest.mark.parametrize("damage", ["flip a byte", "truncate", "not marshal", "empty"])
def test_a_damaged_file_is_ignored_and_replaced(tmp_path: Path, damage: str) -> None:
    _methods(tmp_path)
    path = tmp_path / CACHE_FILE
    data = bytearray(path.read_bytes())
    if damage == "flip a byte":
        data[len(data) // 2] ^= 0x55
    elif damage == "truncate":
        data = data[: len(data) // 3]
    elif damage == "not marshal":
        data = data[:20] + b"\x00garbage"
    else:
        data = bytearray()
    path.write_bytes(bytes(data))
    reread = _methods(tmp_path)
    assert reread["compiled_here"]  # nothing taken from the damaged file
    assert reread["codes"] == _methods(tmp_path / "off", FLASKLINT_NO_METHOD_CACHE="1")["codes"]
    assert not _methods(tmp_path)["compiled_here"]  # rewritten whole at the damaged run's exit


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
@pytest.mark.parametrize("what", ["file", "directory"])
def test_a_file_others_can_write_is_not_read(tmp_path: Path, what: str) -> None:
    _methods(tmp_path)
    path = tmp_path / CACHE_FILE
    (path if what == "file" else path.parent).chmod(0o666 if what == "file" else 0o777)
    assert _methods(tmp_path)["compiled_here"]


def test_an_unusable_cache_directory_changes_nothing_of_a_check(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "templates").mkdir(parents=True)
    (project / ".git").mkdir()
    (project / "app.py").write_text(
        "from flask import Flask, render_template\napp = Flask(__name__)\napp.run(debug=True, host='0.0.0.0')\n"
        "@app.route('/')\ndef index():\n    return render_template('missing.html')\n",
        encoding="utf-8",
    )
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("", encoding="utf-8")
    check = f"import sys\nfrom flasklint.cli import main\nsys.exit(main(['check', '--no-cache', {str(project)!r}]))\n"
    outputs = []
    for cache in (blocker, tmp_path / "cache", tmp_path / "cache"):
        result = subprocess.run(
            [sys.executable, "-c", check], capture_output=True, text=True, env=_environment(cache), cwd=ROOT
        )
        assert result.returncode == 1 and result.stderr == "", result.stderr
        outputs.append(result.stdout)
    assert "FLK304" in outputs[0] and "FLK103" in outputs[0]
    assert outputs[0] == outputs[1] == outputs[2]
    assert (tmp_path / "cache" / CACHE_FILE).is_file()


def test_release_writes_what_was_compiled_and_unmaps_the_file(tmp_path: Path) -> None:
    script = (
        "from pathlib import Path\n"
        "from flasklint import method_code_cache\n"
        "from flasklint.engine import load_parsers\n"
        "load_parsers({'python', 'template'})\n"
        "compiled = method_code_cache._added\n"
        "method_code_cache.release()\n"
        "print(compiled, method_code_cache._kept is None, Path(method_code_cache.cache_path()).is_file())\n"
        "import libcst.metadata\n"  # classes made after the release: served from the file read again
        "print(method_code_cache._kept is not None)\n"
    )
    assert _run(script, tmp_path).stdout.split() == [b"True", b"True", b"True", b"True"]
    assert _run(script, tmp_path).stdout.split() == [b"False", b"True", b"True", b"True"]


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX home directories")
@pytest.mark.parametrize("xdg", ["", "relative/cache", "."])
def test_the_file_is_never_under_the_working_directory(tmp_path: Path, xdg: str) -> None:
    """A relative `XDG_CACHE_HOME` (or no home at all) could name the repository being analysed."""
    script = "from flasklint import method_code_cache\nprint(method_code_cache.cache_path())\n"
    home = {"HOME": str(tmp_path / "home")}
    shown = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, check=True,
        env={**_environment(tmp_path, **home), "XDG_CACHE_HOME": xdg},
    ).stdout.strip()
    assert shown == str(tmp_path / "home" / ".cache" / CACHE_FILE)
    without_home = {name: value for name, value in _environment(tmp_path).items() if name != "HOME"}
    without_home["XDG_CACHE_HOME"] = xdg
    script += "import flasklint.engine, flasklint.rules, sys\nflasklint.engine.load_parsers({'python'})\n"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, env=without_home, check=True
    )
    import pwd  # without HOME, the home directory is the password database's

    assert result.stdout.strip() in ("None", str(Path(pwd.getpwuid(os.getuid()).pw_dir, ".cache", CACHE_FILE)))
    assert not any(tmp_path.rglob("*.bin"))


def test_a_killed_writers_temporary_file_is_removed_by_the_next_save(tmp_path: Path) -> None:
    """A writer killed between its temporary file and the rename leaves `FILE.<pid>.tmp`: the next
    save removes it once it is over a minute old (a live writer's never is)."""
    folder = tmp_path / CACHE_FILE.parent
    folder.mkdir(mode=0o700)
    stale, fresh, other = (folder / f"{CACHE_FILE.name}.{n}.tmp" for n in (11, 12, 13))
    for path in (stale, fresh, other):
        path.write_bytes(b"half a file")
    os.utime(stale, (0, 0))
    os.utime(other, (0, 0))
    other.rename(folder / "unrelated.tmp")  # not one of ours: left alone
    _run("import flasklint.engine\nflasklint.engine.load_parsers({'python'})\n", tmp_path)
    assert (tmp_path / CACHE_FILE).is_file()
    assert sorted(path.name for path in folder.iterdir()) == sorted([CACHE_FILE.name, fresh.name, "unrelated.tmp"])


def test_classes_made_in_threads_at_once_share_one_opened_file(tmp_path: Path) -> None:
    """The language server makes classes in several threads: the file is opened once, and every
    method compiled by any thread is written."""
    script = (
        "import dataclasses, sys, threading, time, types\n"
        "from flasklint import method_code_cache\n"
        "method_code_cache.install()\n"
        "opened = []\n"
        "real = method_code_cache._KeptFile\n"
        "def slow_open(path):  # a slow disk: every thread would find the file not opened yet\n"
        "    opened.append(path)\n"
        "    time.sleep(0.05)\n"
        "    return real(path)\n"
        "method_code_cache._KeptFile = slow_open\n"
        "def make(n):\n"
        "    module = sys.modules[f'flasklint.threaded{n}'] = types.ModuleType(f'flasklint.threaded{n}')\n"
        "    module.dataclasses = dataclasses\n"
        "    exec(f'@dataclasses.dataclass\\nclass C{n}:\\n    a{n}: int = {n}\\n', module.__dict__)\n"
        "threads = [threading.Thread(target=make, args=(n,)) for n in range(8)]\n"
        "[t.start() for t in threads]\n"
        "[t.join() for t in threads]\n"
        "print(len(opened), len(method_code_cache._new))\n"
    )
    opened, compiled = _run(script, tmp_path).stdout.split()
    assert int(opened) == 1 and int(compiled) >= 8 * 3  # __init__, __repr__, __eq__ of each class
