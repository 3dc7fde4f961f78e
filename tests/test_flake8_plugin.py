"""The flake8 plugin, run by real flake8 in a subprocess: same codes, rows and columns as the CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_cli import PYPROJECT, SECRET_APP, flasklint

from conftest import write_project
from flasklint import __version__
from flasklint.flake8_build import TRACE_BUILDS_VARIABLE
from flasklint.flake8_plugin import Flake8Plugin

REPOSITORY = Path(__file__).resolve().parent.parent

# Every quickstart pitfall, so the comparison covers each rule as it lands.
PITFALLS = '''\
import os

from flask import Flask, flash, redirect, request, session, url_for
from werkzeug.utils import secure_filename

app = Flask(__name__)
app.secret_key = "dev"


@app.route("/")
def index():
    return "Index"


@app.route("/hello")
def hello():
    name = request.args.get("name", "")
    return f"<p>Hello, {name}!</p>"


@app.route("/upload", methods=["POST"])
def upload():
    f = request.files["file"]
    f.save(os.path.join("/uploads", f.filename))
    safe = secure_filename(f.filename)
    return redirect("/")


@app.route("/login", methods=["POST"])
def login():
    session["user"] = request.form["user"]
    flash("welcome")
    return redirect(url_for("indx"))


if __name__ == "__main__":
    app.run(host="0.0.0.0", debug=True)
'''
BLUEPRINT = '''\
from flask import Blueprint, redirect, url_for

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
def dashboard():
    return redirect(url_for(".dashboard"))


@bp.get("/users/<int:user_id>")
def user(user_id):
    return redirect("/admin/")
'''
FORMAT = "%(path)s|%(row)d|%(col)d|%(code)s"


def flake8(
    *args: str, cwd: Path, stdin: str | None = None, trace: Path | None = None, start_method: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Real flake8 in a subprocess; with `trace`, every project build appends a line to that file;
    with `start_method` (spawn: macOS, Windows; forkserver: Linux from Python 3.14), how its workers start."""
    argv = ["--select", "FLK", f"--format={FORMAT}", *args]
    start = ["-m", "flake8", *argv]
    if start_method:
        start = ["-c", "import multiprocessing, sys\nfrom flake8.main.cli import main\n"
                 f"multiprocessing.set_start_method({start_method!r})\nsys.exit(main({argv!r}))"]
    env = {**os.environ, TRACE_BUILDS_VARIABLE: str(trace)} if trace else None
    result = subprocess.run(
        [sys.executable, *start],
        cwd=cwd, input=stdin, capture_output=True, text=True, timeout=300, env=env,
    )
    assert "Traceback" not in result.stderr + result.stdout, result.stderr + result.stdout
    return result


def flake8_findings(*args: str, cwd: Path, stdin: str | None = None, **options: object) -> set[tuple[str, int, int, str]]:
    result = flake8(*args, cwd=cwd, stdin=stdin, **options)  # type: ignore[arg-type]
    assert result.returncode in (0, 1), result.stdout + result.stderr
    found = set()
    for line in result.stdout.splitlines():
        path, row, col, code = line.split("|")
        found.add((str((cwd / path).resolve()) if path != "stdin" else path, int(row), int(col), code))
    return found


def flasklint_findings(cwd: Path, *args: str) -> set[tuple[str, int, int, str]]:
    """`flasklint check` on the same files: Python files only (flake8 does not read templates)."""
    result = flasklint("check", "--output-format", "json", *args, cwd=cwd)
    assert result.returncode in (0, 1), result.stderr
    return {
        (d["filename"], d["location"]["row"], d["location"]["column"], d["code"])
        for d in json.loads(result.stdout)
        if d["filename"].endswith(".py")
    }


def make(tmp_path: Path) -> Path:
    return write_project(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT,
            "app.py": PITFALLS,
            "admin/__init__.py": "",
            "admin/views.py": BLUEPRINT,
            "templates/index.html": "<a href=\"{{ url_for('index') }}\">home</a>\n",
        },
    )


def test_plugin_metadata() -> None:
    assert (Flake8Plugin.name, Flake8Plugin.version) == ("flasklint", __version__)


def test_flake8_reports_what_flasklint_check_reports(tmp_path: Path) -> None:
    make(tmp_path)
    expected = flasklint_findings(tmp_path)
    assert ("FLK104" in {code for *_, code in expected})  # the comparison is not vacuous
    assert flake8_findings(".", cwd=tmp_path) == expected
    assert flake8_findings(".", "--jobs", "2", cwd=tmp_path) == expected  # warm cache, two workers
    assert flake8_findings("app.py", "--jobs", "1", cwd=tmp_path) == {f for f in expected if f[0].endswith("/app.py")}


def test_flake8_on_a_cold_cache_with_parallel_workers(tmp_path: Path) -> None:
    make(tmp_path)
    cold = flake8_findings(".", "--jobs", "2", cwd=tmp_path)
    assert cold == flasklint_findings(tmp_path, "--no-cache")


def test_flake8_on_the_bundled_example(tmp_path: Path) -> None:
    example = REPOSITORY / "examples" / "quickstart"
    if not example.is_dir():
        pytest.skip("examples/quickstart is not there yet")
    copy = tmp_path / "quickstart"
    shutil.copytree(example, copy, ignore=shutil.ignore_patterns(".flasklint_cache", "__pycache__"))
    expected = flasklint_findings(copy)
    assert ("FLK301" in {code for *_, code in expected})
    assert flake8_findings(".", cwd=copy) == expected


def test_nested_projects_match_from_the_top(tmp_path: Path) -> None:
    make(tmp_path / "blog")
    make(tmp_path / "shop")
    (tmp_path / "shop" / "app.py").write_text(SECRET_APP, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    expected = flasklint_findings(tmp_path)
    assert {Path(path).parent.name for path, *_ in expected} >= {"blog", "shop"}
    assert flake8_findings(".", cwd=tmp_path) == expected


def test_undecodable_file_is_flk001_in_both(tmp_path: Path) -> None:
    write_project(tmp_path, {"pyproject.toml": PYPROJECT, "app.py": SECRET_APP})
    (tmp_path / "legacy.py").write_bytes(b"from flask import request\n\nname = 'caf\xe9'\n")
    expected = flasklint_findings(tmp_path)
    assert (str(tmp_path.resolve() / "legacy.py"), 3, 1, "FLK001") in expected
    assert flake8_findings(".", cwd=tmp_path) == expected  # flake8 read it as latin-1; we still say FLK001


def test_stdin_is_linted_in_its_project(tmp_path: Path) -> None:
    write_project(tmp_path, {"pyproject.toml": PYPROJECT, "app.py": SECRET_APP})
    shifted = "\n\n" + SECRET_APP
    found = flake8_findings("--stdin-display-name", "app.py", "-", cwd=tmp_path, stdin=shifted)
    assert found == {(str(tmp_path.resolve() / "app.py"), 6, 18, "FLK104")}  # rows of the stdin text
    # A file that exists only on stdin still joins the project: a `flask.py` next to a Flask app.
    shadow = flake8_findings("--stdin-display-name", "flask.py", "-", cwd=tmp_path, stdin="x = 1\n")
    assert shadow == {(str(tmp_path.resolve() / "flask.py"), 1, 1, "FLK301")}


def test_flasklint_configuration_applies_then_flake8_options(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT + '[tool.flasklint]\nignore = ["FLK104"]\nexclude = ["legacy"]\n',
            "app.py": SECRET_APP,
            "flask.py": "x = 1\n",
            "legacy/old.py": SECRET_APP.replace("dev", "old"),
        },
    )
    found = flake8_findings(".", cwd=tmp_path)
    assert found == {(str(tmp_path.resolve() / "flask.py"), 1, 1, "FLK301")} == flasklint_findings(tmp_path)
    assert flake8_findings(".", "--extend-ignore", "FLK301", cwd=tmp_path) == set()


def test_noqa_is_flake8s(tmp_path: Path) -> None:
    base = SECRET_APP.rstrip("\n")
    write_project(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT,
            "a.py": base + "  # noqa: FLK104\n",
            "b.py": base + "  # noqa:FLK1\n",
            "c.py": base + "  # noqa: FLK301\n",
            "d.py": "# flasklint: noqa\n" + SECRET_APP,
            "e.py": base + "  #noqa\n",  # ruff's spelling: flasklint honours it, flake8 does not
        },
    )
    on_disk = {Path(path).name: row for path, row, _, _ in flake8_findings(".", cwd=tmp_path)}
    assert on_disk == {"c.py": 4, "e.py": 4}
    assert {Path(path).name for path, *_ in flasklint_findings(tmp_path)} == {"c.py"}


def test_bad_configuration_is_a_clean_flake8_error(tmp_path: Path) -> None:
    write_project(tmp_path, {"pyproject.toml": PYPROJECT + '[tool.flasklint]\nselct = ["FLK"]\n', "app.py": SECRET_APP})
    for jobs in ("1", "2"):
        result = flake8(".", "--jobs", jobs, cwd=tmp_path)
        assert result.returncode == 1
        assert "There was a critical error during execution of Flake8:" in result.stdout
        assert "flasklint: " in result.stdout and "'selct' (did you mean 'select'?)" in result.stdout


def builds(trace: Path) -> list[str]:
    """The project roots built, one line per build (in whichever process)."""
    return sorted(line.split(" ", 1)[1] for line in trace.read_text(encoding="utf-8").splitlines()) if trace.exists() else []


def make_many(tmp_path: Path) -> Path:
    """A project with enough files that both of flake8's workers get some."""
    make(tmp_path)
    for number in range(6):
        (tmp_path / f"view{number}.py").write_text(SECRET_APP, encoding="utf-8")
    return tmp_path


def age(root: Path) -> None:
    """Every file's mtime a minute back: a run right after writing them is racy, and not saved."""
    back = time.time() - 60
    for path in root.rglob("*"):
        os.utime(path, (back, back), follow_symlinks=False)


def test_each_project_is_built_once_per_run_not_per_worker(tmp_path: Path) -> None:
    project = make_many(tmp_path / "app")
    expected = flasklint_findings(project, "--no-cache")
    for run in ("cold", "warm"):
        trace = tmp_path / f"{run}.trace"
        assert flake8_findings(".", "--jobs", "2", cwd=project, trace=trace) == expected
        assert builds(trace) == [str(project.resolve())]
        saved = project / ".flasklint_cache" / "runs"  # absent when the run was racy (files just written)
        if saved.exists():
            saved.rename(tmp_path / f"{run}.runs")  # the next run builds


def test_a_run_over_unchanged_projects_reuses_the_last_table(tmp_path: Path) -> None:
    project = make_many(tmp_path / "app")
    age(project)
    expected = flasklint_findings(project, "--no-cache")
    trace = tmp_path / "trace"
    assert flake8_findings(".", "--jobs", "2", cwd=project, trace=trace) == expected
    assert builds(trace) == [str(project.resolve())]
    # Nothing changed: no build, in any process, and the same findings (also in spawned workers).
    assert flake8_findings(".", "--jobs", "2", cwd=project, trace=trace) == expected
    assert flake8_findings(".", "--jobs", "2", cwd=project, trace=trace, start_method="spawn") == expected
    assert builds(trace) == [str(project.resolve())]
    # Another list of files is another table.
    assert flake8_findings("app.py", cwd=project, trace=trace) == {f for f in expected if f[0].endswith("/app.py")}
    assert builds(trace) == [str(project.resolve())] * 2


def edit_keeping_size_and_mtime(path: Path, text: str) -> None:
    """New content of the same length, its mtime put back: only the ctime tells the edit."""
    status = path.stat()
    old = path.read_text(encoding="utf-8")
    assert len(text) == len(old)
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))


@pytest.mark.parametrize(
    "change",
    ["an edit of a file flake8 lints", "the same size and mtime", "a template", "a new module", "the configuration"],
)
def test_the_saved_table_is_not_used_once_a_file_changed(tmp_path: Path, change: str) -> None:
    project = make(tmp_path / "app")
    (project / "views.py").write_text(
        "from flask import render_template\n\n\ndef page():\n    return render_template('page.html')\n",
        encoding="utf-8",
    )
    (project / "templates" / "page.html").write_text("<p>{{ url_for('missing') }}</p>\n", encoding="utf-8")
    age(project)
    trace = tmp_path / "trace"
    before = flake8_findings(".", cwd=project, trace=trace)
    if change == "an edit of a file flake8 lints":
        (project / "app.py").write_text(SECRET_APP.replace('"dev"', '"another"'), encoding="utf-8")
    elif change == "the same size and mtime":
        edit_keeping_size_and_mtime(project / "app.py", PITFALLS.replace("app.secret_key", "app.secret_kez"))
    elif change == "a template":  # FLK401 on views.py's render_template
        (project / "templates" / "page.html").unlink()
    elif change == "a new module":  # a `flask.py` beside the app shadows Flask: FLK301 on it
        (project / "flask.py").write_text("x = 1\n", encoding="utf-8")
    else:
        (project / "pyproject.toml").write_text(PYPROJECT + '[tool.flasklint]\nignore = ["FLK104"]\n', encoding="utf-8")
    after = flake8_findings(".", cwd=project, trace=trace)
    assert builds(trace) == [str(project.resolve())] * 2
    assert after == flasklint_findings(project, "--no-cache") != before


@pytest.mark.parametrize("start_method", ["spawn", "forkserver"])
def test_workers_that_do_not_fork_use_the_main_process_build(tmp_path: Path, start_method: str) -> None:
    project = make_many(tmp_path / "app")
    trace = tmp_path / "trace"
    found = flake8_findings(".", "--jobs", "2", cwd=project, trace=trace, start_method=start_method)
    assert found == flasklint_findings(project)
    assert builds(trace) == [str(project.resolve())]


def test_several_roots_and_files_outside_the_working_directory(tmp_path: Path) -> None:
    make_many(tmp_path / "blog")
    make(tmp_path / "shop")
    (tmp_path / "shop" / "app.py").write_text(SECRET_APP, encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    trace = tmp_path / "trace"
    found = flake8_findings("../blog", "../shop/app.py", "--jobs", "2", cwd=elsewhere, trace=trace)
    shop_app = str((tmp_path / "shop" / "app.py").resolve())
    assert found == flasklint_findings(tmp_path / "blog") | {f for f in flasklint_findings(tmp_path / "shop") if f[0] == shop_app}
    assert builds(trace) == sorted(str((tmp_path / name).resolve()) for name in ("blog", "shop"))


@pytest.mark.parametrize("selection", [["--select", "E9"], ["--select", "E,W,F", "--extend-ignore", "FLK"]])
def test_nothing_is_built_when_flake8_selects_no_flk_code(tmp_path: Path, selection: list[str]) -> None:
    project = make_many(tmp_path / "app")
    trace = tmp_path / "trace"
    result = subprocess.run(
        [sys.executable, "-m", "flake8", *selection, "--jobs", "2", "."],
        cwd=project, capture_output=True, text=True, timeout=300, env={**os.environ, TRACE_BUILDS_VARIABLE: str(trace)},
    )
    assert result.returncode in (0, 1) and result.stderr == "" and "FLK" not in result.stdout  # E,W,F: its own findings
    assert builds(trace) == []



def test_pyflakes_f_selects_flk_too_as_flake8_matches_by_prefix(tmp_path: Path) -> None:
    """README: `--select E,W,F` runs the plugin (`F` is a prefix of `FLK`); `F401` does not."""
    make(tmp_path)
    assert {code.split()[0] for *_, code in flake8_findings(".", "--select", "E,W,F", cwd=tmp_path)} >= {"FLK104"}
    assert not any(code.startswith("FLK") for *_, code in flake8_findings(".", "--select", "E,W,F401", cwd=tmp_path))

# flake8's API in one process, as an editor integration drives it: options parsed for the project
# (the builder runs), then the plugin handed a buffer whose text differs from the file on disk.
BUFFER_SCRIPT = """
import json, sys
from flake8.options.parse_args import parse_args
from flasklint.flake8_plugin import Flake8Plugin

parse_args(["--select", "FLK", sys.argv[1]])
lines = open(sys.argv[2], encoding="utf-8").read().splitlines(keepends=True)
edited = open(sys.argv[3], encoding="utf-8").read().splitlines(keepends=True)
print(json.dumps([[row, column, text[:6]] for row, column, text, _ in Flake8Plugin(None, sys.argv[2], lines).run()]))
print(json.dumps([[row, column, text[:6]] for row, column, text, _ in Flake8Plugin(None, sys.argv[2], edited).run()]))
"""


def test_a_buffer_that_differs_from_the_disk_is_linted_as_the_buffer(tmp_path: Path) -> None:
    buffer = "\n\n" + SECRET_APP + "app.run(debug=True)\n"
    # What flasklint reports when the disk holds the buffer's text.
    saved = write_project(tmp_path / "saved", {"pyproject.toml": PYPROJECT, "app.py": buffer, "other.py": "x = 1\n"})
    expected = sorted([row, column - 1, code] for _, row, column, code in flasklint_findings(saved))
    assert {code for *_, code in expected} >= {"FLK104", "FLK304"}
    project = write_project(tmp_path / "open", {"pyproject.toml": PYPROJECT, "app.py": SECRET_APP, "other.py": "x = 1\n"})
    trace = tmp_path / "trace"
    result = subprocess.run(
        [sys.executable, "-c", BUFFER_SCRIPT, str(project), str(project / "app.py"), str(saved / "app.py")],
        cwd=project, capture_output=True, text=True, timeout=300, env={**os.environ, TRACE_BUILDS_VARIABLE: str(trace)},
    )
    assert result.returncode == 0, result.stderr
    on_disk, edited = (json.loads(line) for line in result.stdout.splitlines())
    assert on_disk == [[4, 17, "FLK104"]]
    assert sorted(edited) == expected
    # The builder's build, then this process's own for the edited text.
    assert builds(trace) == [str(project.resolve())] * 2


LEGACY_SCRIPT = """
import sys
from flake8.api import legacy

guide = legacy.get_style_guide(select=["FLK"])
for path in sys.argv[1:]:
    print(guide.check_files([path]).get_statistics("FLK"))
"""


def test_the_legacy_api_builds_only_the_projects_it_lints(tmp_path: Path) -> None:
    blog, shop = make(tmp_path / "blog"), make(tmp_path / "shop")
    trace = tmp_path / "trace"
    result = subprocess.run(
        [sys.executable, "-c", LEGACY_SCRIPT, str(blog / "app.py"), str(blog / "admin" / "views.py")],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, env={**os.environ, TRACE_BUILDS_VARIABLE: str(trace)},
    )
    assert result.returncode == 0, result.stderr
    assert "FLK104" in result.stdout
    assert builds(trace) == [str(blog.resolve())]  # not the shop, nor the blog once per call
    assert shop.is_dir()


def test_the_builder_writes_each_project_as_soon_as_it_is_built(tmp_path: Path) -> None:
    """One line per project, in the order flake8 lints the files, so a worker waits for its own
    project only; the whole table is saved under the key given (flake8_table.py, flake8_cache.py)."""
    from flasklint import flake8_cache, flake8_table

    shop, blog = make(tmp_path / "shop"), make_many(tmp_path / "blog")
    (blog / "flask.py").write_text("x = 1\n", encoding="utf-8")
    age(tmp_path)
    paths = [shop / "app.py", blog / "view1.py", blog / "app.py", shop / "admin" / "views.py", blog / "flask.py"]
    names = [str(path) for path in paths]
    key = flake8_cache.table_key(flake8_cache.project_roots(paths), paths)
    assert key is not None and not key.racy
    name, descriptor = flake8_table.create()
    try:
        flake8_table.write_header(descriptor, {"paths": names, "key": [str(key.path), key.inputs, key.racy]})
        builder = subprocess.run(
            [sys.executable, "-m", "flasklint.flake8_build", name, str(descriptor)],
            pass_fds=(descriptor,), input="go\n", capture_output=True, text=True, timeout=300,
        )
    finally:
        os.close(descriptor)
    assert (builder.returncode, builder.stderr) == (0, "")
    header, *chunks = (json.loads(line) for line in Path(name).read_bytes().splitlines())
    os.unlink(name)
    assert header["paths"] == names
    assert [list(chunk["files"]) for chunk in chunks] == [[names[0], names[3]], [names[1], names[2], names[4]]]
    found = {
        (path, row, column + 1, text.split()[0])
        for chunk in chunks
        for path, (_, entries) in chunk["files"].items()
        for row, column, text in entries
    }
    expected = flasklint_findings(shop) | flasklint_findings(blog)
    assert found == {finding for finding in expected if finding[0] in names}
    saved = json.loads(flake8_cache.load(key) or b"null")
    assert saved == {"files": {**chunks[0]["files"], **chunks[1]["files"]}}


def test_a_builder_not_told_to_start_writes_nothing(tmp_path: Path) -> None:
    """flake8's main process starts the builder before it knows whether the last run's table will
    do; a builder whose stdin closes without `go` builds nothing, writes nothing and exits."""
    from flasklint import flake8_table

    shop = make(tmp_path / "shop")
    trace = tmp_path / "builds.txt"
    name, descriptor = flake8_table.create()
    try:
        flake8_table.write_header(descriptor, {"paths": [str(shop / "app.py")], "key": None})
        builder = subprocess.run(
            [sys.executable, "-m", "flasklint.flake8_build", name, str(descriptor)],
            pass_fds=(descriptor,), input="", capture_output=True, text=True, timeout=300,
            env={**os.environ, TRACE_BUILDS_VARIABLE: str(trace)},
        )
    finally:
        os.close(descriptor)
    lines = Path(name).read_bytes().splitlines()
    os.unlink(name)
    assert (builder.returncode, builder.stderr, len(lines), trace.exists()) == (0, "", 1, False)
    assert not (shop / ".flasklint_cache").exists()


def test_the_builder_frees_each_project_before_the_next(tmp_path: Path) -> None:
    """A project's facts hang in reference cycles: the builder collects them before it builds the
    next project (with the collector off here, as the analysis keeps it, nothing else would)."""
    for name in ("first", "second"):
        write_project(tmp_path / name, {"pyproject.toml": "", f"{name}_app.py": SECRET_APP})
    script = (
        "import gc, sys\n"
        "from pathlib import Path\n"
        "from flasklint.flake8_build import build\n"
        "from flasklint.model.facts import FileFacts\n"
        "gc.disable()\n"
        f"root = Path({str(tmp_path)!r})\n"
        "built = build([root / 'first' / 'first_app.py', root / 'second' / 'second_app.py'])\n"
        "for files in built:\n"
        "    alive = sorted(o.path for o in gc.get_objects() if isinstance(o, FileFacts))\n"
        "    print(next(iter(files)).rsplit('/', 1)[-1], alive)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines() == ["first_app.py ['first_app.py']", "second_app.py ['second_app.py']"]
