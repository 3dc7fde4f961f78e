"""flasklint defers importing libcst and Jinja (a warm run needs neither); code sharing the process
(another flake8 plugin, a test tool) must still import their submodules first, in any order."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
import flasklint.cli
assert "libcst._nodes.module" not in sys.modules and "jinja2.environment" not in sys.modules
from libcst._nodes.expression import Name
import libcst.matchers
import jinja2.nodes
import libcst, jinja2
assert Name is libcst.Name and libcst.matchers.Name is not None
assert jinja2.nodes.Name is jinja2.Environment().parse("{{ x }}").body[0].nodes[0].__class__
from flasklint.engine import analyse_python
facts = analyse_python("app.py", "app", False, b"from flask import Flask\\napp = Flask(__name__)\\napp.secret_key = 'dev'\\n")
print(sorted(d.code for d in facts.diagnostics))
"""


def test_a_submodule_imported_first_loads_its_package_first() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["['FLK104']"]


LOAD_EVERY_RULE = """
import pkgutil, importlib, sys
import flasklint.cli, flasklint.rules, flasklint_lsp.server
for module in pkgutil.iter_modules(flasklint.rules.__path__):
    importlib.import_module("flasklint.rules." + module.name)
print("libcst._nodes.module" in sys.modules, "jinja2.environment" in sys.modules)
"""


def test_loading_every_rule_and_the_server_loads_neither_libcst_nor_jinja() -> None:
    """A warm run parses nothing: a rule or model module naming libcst's or Jinja's classes at import
    time (a node tuple, a type alias) would load them anyway (each such slip cost ~0.1 s per run)."""
    loaded = subprocess.run([sys.executable, "-c", LOAD_EVERY_RULE], capture_output=True, text=True, check=True)
    assert loaded.stdout.split() == ["False", "False"]


SMALL_COLD_RUN = """
import sys
from flasklint.cli import main
main(["check", "--no-cache", "--exit-zero", sys.argv[1]])
print(sorted(name for name in ("multiprocessing", "multiprocessing.pool", "concurrent.futures.process") if name in sys.modules))
"""


def test_a_run_too_small_for_a_pool_does_not_import_multiprocessing(tmp_path) -> None:
    """Below the engine's parallel threshold no worker starts: multiprocessing's modules (~45 ms of
    a cold run) are imported only when a pool is built."""
    (tmp_path / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    (tmp_path / "util.py").write_text("def helper():\n    return 1\n")
    run = subprocess.run([sys.executable, "-c", SMALL_COLD_RUN, str(tmp_path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1] == "[]"


ONCE_LOADED = """
import sys, types
import flasklint.model.positions, flasklint.source
from flasklint.engine import analyse_python
from flasklint.model import templates
stand_in = flasklint.source.cst
assert type(stand_in) is not types.ModuleType  # deferred: a warm run never loads libcst
analyse_python("app.py", "app", False, b"from flask import Flask\\napp = Flask(__name__)\\n")
templates.jinja2.Environment
import libcst.codemod  # a submodule the package had not loaded
print(type(flasklint.source.cst) is types.ModuleType, type(templates.jinja2) is types.ModuleType)
print(stand_in.Name is sys.modules["libcst"].Name, stand_in.codemod is sys.modules["libcst.codemod"])
"""


def test_once_loaded_the_stand_ins_are_plain_modules() -> None:
    """The modules that imported a stand-in read its attributes on every node they look at; CPython
    specialises those reads only on plain modules (a module subclass cost 7 % of each file's analysis).
    What the package gains afterwards (a submodule imported later) is still read through it."""
    result = subprocess.run([sys.executable, "-c", ONCE_LOADED], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["True True", "True True"]


EXPORTS_ON_FIRST_READ = """
import importlib.metadata, sys
from flasklint.engine import analyse_python, analyse_template
analyse_python("app.py", "app", False, b"from flask import Flask, url_for\\napp = Flask(__name__)\\nurl_for('x')\\n")
analyse_template("templates/index.html", b"<a href='{{ url_for(\\"index\\") }}'>{{ x|e }}</a>")
print(sorted(name for name in ("libcst.metadata", "libcst.helpers", "jinja2.loaders", "jinja2.bccache") if name in sys.modules))
import libcst, jinja2
from libcst import MetadataWrapper
from libcst.metadata.wrapper import MetadataWrapper as defined
print(MetadataWrapper is defined, "libcst.metadata" in sys.modules)
print(libcst.LIBCST_VERSION == importlib.metadata.version("libcst"), jinja2.__version__ == importlib.metadata.version("jinja2"))
print(hasattr(libcst, "NoSuchNode"), hasattr(jinja2, "no_such_name"), jinja2.FileSystemLoader.__module__)
import json  # a package the import system loaded: its spec says so, and C code importing a package reads it
print(libcst.__spec__._initializing is jinja2.__spec__._initializing is json.__spec__._initializing is False)
namespace = {}
exec("from libcst import *", namespace)
print(set(libcst.__all__) <= set(namespace))
"""


def test_a_package_s_exports_are_imported_when_first_read() -> None:
    """libcst's and Jinja's `__init__` do not run when flasklint loads them: analysing a module and a
    template imports neither `libcst.metadata` nor Jinja's loaders and bytecode caches (about a tenth
    of each package's import). An export is imported from its submodule on first read; a name
    defined otherwise (`LIBCST_VERSION` in a `try:`, `__version__`, `__all__`) runs the whole
    `__init__` once, so every name the package has is there, and only those."""
    result = subprocess.run([sys.executable, "-c", EXPORTS_ON_FIRST_READ], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["[]", "True True", "True True", "False False jinja2.loaders", "True", "True"]


THREADS_AT_ONCE = """
import sys, threading
import flasklint
sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter allows
import jinja2, libcst
names = [(jinja2, "Environment"), (jinja2, "TemplateSyntaxError"), (libcst, "Name"), (libcst, "Module")] * 8
start = threading.Barrier(len(names))
failures = []

def read(module, name):
    start.wait()
    try:
        getattr(module, name)
    except Exception as exc:
        failures.append(repr(exc))

threads = [threading.Thread(target=read, args=pair) for pair in names]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(failures)
"""


def test_threads_reading_a_deferred_package_at_once_all_find_their_names() -> None:
    """The language server analyses in threads: the first reads of jinja2 and libcst may come at
    once, while the stand-in is being made the package."""
    for _ in range(5):
        result = subprocess.run([sys.executable, "-c", THREADS_AT_ONCE], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines() == ["[]"]
