"""Property test: generated Python (hypothesmith), mixed with Flask snippets so every rule has
something to find, through the whole engine and its cache and fixer:

- no exception escapes (the engine logs a rule's internal error: that counts as a failure too);
- a warm run reads every file from the cache and reports exactly what the cold run reported;
- every fix leaves a file CPython accepts, and fixing twice changes nothing more than fixing once.

CI runs a bounded, derandomized sample; `benchmarks/fuzz_engine.py --modules 10000` runs the same
check on as many fresh examples as asked.
"""

from __future__ import annotations

import ast
import logging
import tempfile
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flasklint.cache import Cache
from flasklint.engine import Project
from flasklint.fix import fix_file
from flasklint.model.facts import FileFacts

HEADER = (
    "from flask import Flask, flash, redirect, render_template, request, session, url_for\n"
    "from werkzeug.utils import secure_filename\n\n"
    "app = Flask(__name__)\n"
)
# One pitfall (or a near miss) per rule, each a module-level statement.
SNIPPETS = (
    'app.secret_key = "dev"\n',
    'app.config["SECRET_KEY"] = "changeme"\n',
    '@app.route("/hello/<name>")\ndef hello(name):\n    return f"<p>Hello, {name}!</p>"\n',
    '@app.route("/search")\ndef search():\n    return "<b>" + request.args.get("q", "") + "</b>"\n',
    '@app.route("/upload", methods=["POST"])\ndef upload():\n    f = request.files["file"]\n'
    '    f.save("/srv/uploads/" + f.filename)\n    return redirect("/hello/you")\n',
    '@app.route("/login", methods=["POST"])\ndef login():\n    session["user"] = request.form["user"]\n'
    '    flash("welcome")\n    return redirect(url_for("indx"))\n',
    '@app.get("/")\ndef index():\n    return render_template("index.html", link=url_for("search"))\n',
    'if __name__ == "__main__":\n    app.run(host="0.0.0.0", debug=True)\n',
)
PROJECT = {
    "pyproject.toml": '[project]\nname = "fuzzed"\n',
    "templates/index.html": "<a href=\"{{ url_for('index') }}\">home</a> <a href=\"/search\">search</a>\n",
}
MODULE = "generated.py"



def modules() -> st.SearchStrategy[str]:
    """The header, then generated modules and Flask snippets in any order; half of them with form
    feeds starting some lines (which CPython reads as blanks, libcst did not)."""
    parts = st.lists(st.one_of(hypothesmith.from_grammar(), st.sampled_from(SNIPPETS)), min_size=1, max_size=4)
    plain = parts.map(lambda chosen: HEADER + "\n".join(part if part.endswith("\n") else part + "\n" for part in chosen))
    return st.one_of(plain, st.builds(_with_form_feeds, plain, st.lists(st.integers(0, 100), min_size=1, max_size=5)))


def _with_form_feeds(source: str, lines: list[int]) -> str:
    split = source.splitlines(keepends=True)
    return "".join("\f" + line if number in lines else line for number, line in enumerate(split))


class _RecordingCache(Cache):
    """The disk cache, noting each key it could not serve."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.misses: list[str] = []

    def get(self, key: str) -> FileFacts | None:
        facts = super().get(key)
        if facts is None:
            self.misses.append(key)
        return facts


class _ErrorLog(logging.Handler):
    """Collects the engine's error records (a rule's internal error is logged, not raised)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _run(root: Path) -> tuple[list[dict], _RecordingCache]:
    project = Project(root, jobs=1)
    cache = project.cache = _RecordingCache(project.root)
    project.discover()
    project.analyse()
    found = [d.to_dict() for relative in sorted(project.facts) for d in project.diagnostics(relative)]
    return found, cache


def _fixed(root: Path, text: str) -> str:
    """The module after `--fix --unsafe-fixes`, checked to parse; the fixer may reject nothing."""
    project = Project(root, use_cache=False, jobs=1)
    project.discover()
    project.analyse()
    result = fix_file(project, MODULE, text, unsafe=True)
    assert result.rejected == [], [d.to_dict() for d in result.rejected]
    if result.changed:
        ast.parse(result.text)
    return result.text


def check_module(source: str) -> list[str]:
    """Every property, on one module in a throwaway project; the codes reported in it. Raises
    AssertionError on a violation."""
    errors = _ErrorLog()
    logging.getLogger("flasklint").addHandler(errors)
    try:
        with tempfile.TemporaryDirectory(prefix="flasklint-fuzz-") as directory:
            root = Path(directory)
            for relative, text in {**PROJECT, MODULE: source}.items():
                (root / relative).parent.mkdir(parents=True, exist_ok=True)
                (root / relative).write_bytes(text.encode("utf-8", "surrogatepass"))
            cold, _ = _run(root)
            warm, cache = _run(root)
            assert cache.misses == [], "a warm run could not read its own cache entries"
            assert warm == cold
            if any(d["fix"] for d in cold if d["path"] == MODULE):
                once = _fixed(root, source)
                (root / MODULE).write_text(once, encoding="utf-8")
                assert _fixed(root, once) == once, "fixing a fixed file changed it again"
    finally:
        logging.getLogger("flasklint").removeHandler(errors)
    assert errors.messages == []
    return sorted(d["code"] for d in cold if d["path"] == MODULE)


@pytest.mark.filterwarnings("ignore::SyntaxWarning")  # hypothesmith compiles what it generates
@settings(
    max_examples=400,
    deadline=None,
    derandomize=True,  # the same sample on every CI run: a failure here is reproducible
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
@given(modules())
def test_generated_modules_through_the_engine_cache_and_fixer(source: str) -> None:
    check_module(source)
