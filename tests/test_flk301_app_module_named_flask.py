"""FLK301: a project module or package named `flask` shadows the library."""

from __future__ import annotations

APP = "from flask import Flask\n\napp = Flask(__name__)\n"


def test_top_level_flask_py_is_reported_at_its_first_line(project) -> None:
    found = project({"flask.py": "# scratch file\n", "app.py": APP}, select="FLK301")
    assert [(d.path, d.start.row, d.start.column) for d in found] == [("flask.py", 1, 0)]
    assert "shadows the Flask library" in found[0].message
    assert found[0].fix is None


def test_a_flask_package_is_reported_on_its_init(project) -> None:
    found = project({"flask/__init__.py": "", "app.py": APP}, select="FLK301")
    assert [d.path for d in found] == ["flask/__init__.py"]
    assert found[0].message.startswith("package `flask/`")


def test_a_script_directory_with_a_sibling_that_imports_flask(project) -> None:
    found = project({"tools/flask.py": "x = 1\n", "tools/run.py": APP, "setup.py": ""}, select="FLK301")
    assert [d.path for d in found] == ["tools/flask.py"]


def test_nested_modules_look_alikes_and_vendored_flask_are_not_reported(project) -> None:
    found = project(
        {
            "pkg/__init__.py": "",
            "pkg/integrations/__init__.py": "",
            "pkg/integrations/flask.py": APP,
            "flask_app.py": APP,
            "flask_utils.py": "from flask import request\n",
        },
        select="FLK301",
    )
    assert found == []


def test_a_vendored_copy_of_flask_is_the_library_itself(project) -> None:
    found = project(
        {
            "flask/__init__.py": "from .app import Flask as Flask\n",
            "flask/app.py": "class Flask:\n    pass\n",
            "flask/blueprints.py": "class Blueprint:\n    pass\n",
            "app.py": APP,
        },
        select="FLK301",
    )
    assert found == []


def test_a_project_that_does_not_use_flask_is_not_reported(project) -> None:
    assert project({"flask.py": "print('hello')\n", "main.py": "import json\n"}, select="FLK301") == []


SCRIPT = "from flask import Flask\n\napp = Flask(__name__)\n"


def test_a_flask_py_run_as_a_script_in_any_folder(project) -> None:
    files = {
        "examples/flask.py": SCRIPT + "\nif __name__ == '__main__':\n    app.run(debug=True)\n",
        "demo/nested/flask.py": SCRIPT + "app.run()\n",
        "other/flask.py": "import flask\n\nif '__main__' == __name__:\n    flask.Flask(__name__).run()\n",
        "setup.py": "",
    }
    found = project(files, select="FLK301")
    assert [(d.path, d.start.row, d.start.column) for d in found] == [
        ("demo/nested/flask.py", 1, 0),
        ("examples/flask.py", 1, 0),
        ("other/flask.py", 1, 0),
    ]


def test_a_nested_flask_py_that_is_not_a_script_or_not_flask_is_not_reported(project) -> None:
    files = {
        "examples/flask.py": SCRIPT + "\ndef main():\n    app.run()\n",  # run only inside a function
        "docs/flask.py": "if __name__ == '__main__':\n    print('no flask here')\n",
        "ext/flask.py": SCRIPT + "\nif __name__ != '__main__':\n    pass\n",
        "pkg/__init__.py": "",
        "pkg/flask.py": SCRIPT + "\nif __name__ == '__main__':\n    app.run()\n",  # `python -m pkg.flask` works
        "setup.py": "",
    }
    assert project(files, select="FLK301") == []
