"""Which files discovery keeps: the built-in folder excludes (folders only: never the `.env` file FLK103
reads) and the sources of cookiecutter/copier project templates (never reported as FLK001)."""

from __future__ import annotations

import json
from pathlib import Path

from test_cli import APP, PYPROJECT, flasklint

from conftest import write_project
from flasklint.config import Config
from flasklint.engine import Project, find_project_root

DEBUG_ENV = "FLASK_APP=app\nFLASK_DEBUG=1\nFLASK_RUN_HOST=0.0.0.0\n"


def discovered(root: Path) -> dict[str, str]:
    project = Project(root, config=Config(), use_cache=False)
    project.discover()
    return {relative: source.kind for relative, source in project.files.items()}


def reported(root: Path, *args: str) -> tuple[int, list[tuple[str, int, int, str]], str]:
    result = flasklint("check", "--no-cache", "--output-format", "json", *args, cwd=root)
    base = root.resolve()
    found = [
        (Path(d["filename"]).relative_to(base).as_posix(), d["location"]["row"], d["location"]["column"], d["code"])
        for d in json.loads(result.stdout)
    ]
    return result.returncode, found, result.stderr


def test_the_env_file_is_read_but_an_env_folder_is_not(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "app.py": APP, ".env": DEBUG_ENV, "deploy/.env": DEBUG_ENV, "env/lib/flask/app.py": APP,
            "web/.env/bin/activate.sh": "", "build/lib/app.py": APP, "node_modules/x/Dockerfile": "",
        },
    )  # fmt: skip
    assert discovered(tmp_path) == {"app.py": "python", ".env": "other", "deploy/.env": "other"}


def test_flk103_reads_the_env_file_through_the_cli(tmp_path: Path) -> None:
    """`flask run` loads `.env` as it loads `.flaskenv` (python-dotenv): the same finding."""
    write_project(tmp_path, {"pyproject.toml": PYPROJECT, "app.py": APP, ".env": DEBUG_ENV})
    assert reported(tmp_path) == (1, [(".env", 3, 16, "FLK103")], "")


COOKIECUTTER = {
    "pyproject.toml": PYPROJECT,
    "hooks/post_gen_project.py": "import os\n",
    "{{cookiecutter.app_name}}/pyproject.toml": '[project]\nname = "{{cookiecutter.app_name}}"\n'
    "{% if cookiecutter.use_mypy %}[tool.mypy]{% endif %}\n",
    "{{cookiecutter.app_name}}/autoapp.py": "from {{cookiecutter.app_name}}.app import create_app\n",
    "{{cookiecutter.app_name}}/{{cookiecutter.app_name}}/app.py": (
        "from flask import Flask\n\nfrom {{cookiecutter.app_name}} import public\n\n\n"
        "def create_app():\n    app = Flask(__name__)\n    app.register_blueprint(public.views.blueprint)\n"
        "    return app\n"
    ),
    "{{cookiecutter.app_name}}/{{cookiecutter.app_name}}/templates/layout.html": (
        "<a href=\"{{ url_for('public.home') }}\">{{ cookiecutter.app_name }}</a>\n"
    ),
    "{% if cookiecutter.use_docker == 'y' %}Dockerfile{% endif %}": "CMD flask run --debug --host=0.0.0.0\n",
}


def test_project_template_sources_are_not_analysed(tmp_path: Path) -> None:
    """cookiecutter-flask's layout: Python with Jinja in it is not Python yet (11 FLK001 false alarms)."""
    write_project(tmp_path, COOKIECUTTER)
    assert discovered(tmp_path) == {"hooks/post_gen_project.py": "python"}
    assert reported(tmp_path) == (0, [], "")  # and no warning about the templated pyproject.toml


def test_a_project_template_source_named_on_the_command_line_is_not_analysed_either(tmp_path: Path) -> None:
    """Unlike other excluded files (checked when named, as ruff does): it cannot be analysed. Its
    project is the template's repository, not the templated folder holding a pyproject.toml."""
    write_project(tmp_path, COOKIECUTTER)
    for args in ([], ["--force-exclude"]):
        assert reported(tmp_path, *args, "{{cookiecutter.app_name}}/autoapp.py") == (0, [], "")
    assert reported(tmp_path / "{{cookiecutter.app_name}}") == (0, [], "")


def test_a_project_template_folder_is_not_a_project_root(tmp_path: Path) -> None:
    write_project(tmp_path, COOKIECUTTER)
    nested = tmp_path / "{{cookiecutter.app_name}}" / "{{cookiecutter.app_name}}" / "app.py"
    assert find_project_root(nested) == tmp_path.resolve()
