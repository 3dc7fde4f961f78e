from __future__ import annotations

from pathlib import PurePosixPath
from typing import Iterable

import libcst as cst

from flasklint.diagnostics import Diagnostic, Severity
from flasklint.model.facts import FileFacts
from flasklint.model.index import ProjectIndex
from flasklint.model.module import ModuleModel
from flasklint.rule import Case, Finding, ProjectRule


class AppModuleNamedFlask(ProjectRule):
    """
    ## What it does
    Reports a module `flask.py`, or a package `flask/`, that shadows the Flask library: one at the
    project root (or under `src/`), one next to a module that imports Flask, or a `flask.py` in
    any folder outside a package that imports Flask and runs as a script (an
    `if __name__ == "__main__":` block, or `app.run()` at module level): `python tools/flask.py`
    puts `tools/` first on the path.

    ## Why is this bad?
    Python puts the script's directory first on `sys.path`, so `from flask import Flask` imports
    *your* file instead of the library and fails with `ImportError: cannot import name 'Flask' from
    partially initialized module 'flask' (most likely due to a circular import)`. The `flask`
    command may still work (it imports the library before your directory is on the path), which
    makes the failure under gunicorn, `python app.py` or `python -m flask` all the more confusing.
    The Flask quickstart warns: never call your application `flask.py`.

    ## Example
    ```python
    # flask.py
    from flask import Flask

    app = Flask(__name__)
    ```

    ## Use instead
    ```python
    # hello.py
    from flask import Flask

    app = Flask(__name__)
    ```

    ## Fix safety
    There is no automatic fix in the CLI: renaming a module touches every import of it. The
    language server offers the rename as a workspace edit.
    """

    code = "FLK301"
    name = "app-module-named-flask"
    summary = "Module `flask.py` or package `flask/` shadows the Flask library"
    severity = Severity.ERROR
    data_shape = bool  # the module runs as a script (collect)
    invalid = [
        Case(
            {"flask.py": "from flask import Flask\n\napp = Flask(__name__)\n"},
            Finding(
                (1, 0, 1, 0),
                "module `flask.py` shadows the Flask library: `from flask import Flask` will import this "
                "file; rename it",
                path="flask.py",
            ),
        ),
        Case(
            {"flask.py": "print('hello')\n", "app.py": "from flask import Flask\n\napp = Flask(__name__)\n"},
            Finding(
                (1, 0, 1, 0),
                "module `flask.py` shadows the Flask library: `from flask import Flask` will import this "
                "file; rename it",
                path="flask.py",
            ),
        ),
        Case(
            {"flask/__init__.py": "", "app.py": "from flask import Flask\n\napp = Flask(__name__)\n"},
            Finding(
                (1, 0, 1, 0),
                "package `flask/` shadows the Flask library: `from flask import Flask` will import this "
                "file; rename it",
                path="flask/__init__.py",
            ),
        ),
        Case(
            {"flask.py": '''
# flask.py
from flask import Flask

app = Flask(__name__)
'''},
            Finding(
                (1, 0, 1, 0),
                "module `flask.py` shadows the Flask library: `from flask import Flask` will import this "
                "file; rename it",
                path="flask.py",
            ),
        ),
        Case(
            {
                "examples/flask.py": "from flask import Flask\n\napp = Flask(__name__)\n\n"
                "if __name__ == \"__main__\":\n    app.run()\n",
                "setup.py": "",
            },
            Finding(
                (1, 0, 1, 0),
                "module `flask.py` shadows the Flask library: `from flask import Flask` will import this "
                "file; rename it",
                path="examples/flask.py",
            ),
        ),
    ]
    valid = [
        {"flask_app.py": "from flask import Flask\n\napp = Flask(__name__)\n"},
        {"flask_utils.py": "from flask import request\n"},
        {
            "pkg/__init__.py": "",
            "pkg/integrations/__init__.py": "",
            "pkg/integrations/flask.py": "from flask import Flask\n",
        },
        {"flask/static/readme.py": "x = 1\n", "app.py": "from flask import Flask\n"},
        {"examples/flask.py": "from flask import Flask\n\napp = Flask(__name__)\n", "setup.py": ""},
        {
            "pkg/__init__.py": "",
            "pkg/flask.py": "from flask import Flask\n\napp = Flask(__name__)\n\n"
            "if __name__ == \"__main__\":\n    app.run()\n",
        },
        {
            "flask/__init__.py": "from .app import Flask as Flask\n",
            "flask/app.py": "class Flask:\n    pass\n",
            "flask/blueprints.py": "class Blueprint:\n    pass\n",
        },
        {"hello.py": '''
# hello.py
from flask import Flask

app = Flask(__name__)
'''},
    ]

    def collect(self, model: ModuleModel) -> bool | None:
        """Whether a `flask.py` outside a package runs as a script (`python tools/flask.py`)."""
        if model.module_name != "flask" or model.is_package or not model.facts.imports_flask:
            return None
        return _runs_as_script(model) or None

    def check(self, index: ProjectIndex, facts: FileFacts) -> Iterable[Diagnostic]:
        if facts.kind != "python" or facts.module != "flask" or _is_vendored_flask(index):
            return
        path = PurePosixPath(facts.path)
        module_dir = path.parent.parent if path.name == "__init__.py" else path.parent
        top_level = str(module_dir) in (".", "src")
        sibling_imports_flask = any(
            other.imports_flask and PurePosixPath(other.path).parent == module_dir and other.path != facts.path
            for other in index.files.values()
            if other.kind == "python"
        )
        shadowing_at_top = top_level and (facts.imports_flask or _project_uses_flask(index))
        if not (shadowing_at_top or sibling_imports_flask or self.data(facts)):
            return
        what = "package `flask/`" if path.name == "__init__.py" else "module `flask.py`"
        yield self.diagnostic(
            facts.path,
            (1, 0, 1, 0),
            f"{what} shadows the Flask library: `from flask import Flask` will import this file; rename it",
            suggested_name="app.py" if path.name != "__init__.py" else None,
        )


def _is_vendored_flask(index: ProjectIndex) -> bool:
    """A copy of Flask itself (flask/app.py next to flask/__init__.py) is the library, not a shadow."""
    modules = {f.module for f in index.files.values() if f.kind == "python"}
    return {"flask.app", "flask.blueprints"} <= modules


def _project_uses_flask(index: ProjectIndex) -> bool:
    return any(f.imports_flask for f in index.files.values() if f.module != "flask")


def _runs_as_script(model: ModuleModel) -> bool:
    """A module-level `if __name__ == "__main__":` block, or a module-level `app.run()` of an app made here."""
    if any(isinstance(statement, cst.If) and _is_main_guard(statement.test) for statement in model.tree.body):
        return True
    apps = {app.ref for app in model.facts.apps}
    return any(
        call.function is None
        and isinstance(call.node.func, cst.Attribute)
        and call.node.func.attr.value == "run"
        and model.ref_of(call.node.func.value, call.scope) in apps
        for call in model.calls
    )


def _is_main_guard(test: cst.BaseExpression) -> bool:
    """`__name__ == "__main__"`, either way round."""
    if not (isinstance(test, cst.Comparison) and len(test.comparisons) == 1):
        return False
    target = test.comparisons[0]
    sides = [test.left, target.comparator]
    names = [side for side in sides if isinstance(side, cst.Name) and side.value == "__name__"]
    strings = [side for side in sides if isinstance(side, cst.SimpleString) and side.evaluated_value == "__main__"]
    return isinstance(target.operator, cst.Equal) and len(names) == 1 and len(strings) == 1
