"""`[tool.flasklint]`: defaults, ruff's selection semantics, globs, and clear errors for mistakes."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from flasklint.config import (
    DEFAULT_EXCLUDE,
    Config,
    ConfigError,
    UnreadableConfigError,
    config_from_mapping,
    load_config,
    validate_selectors,
    with_overrides,
)


def write(root: Path, text: str) -> Path:
    (root / "pyproject.toml").write_text(text, encoding="utf-8")
    return root


def test_missing_file_or_section_means_defaults(tmp_path: Path) -> None:
    assert load_config(tmp_path) == Config()
    assert load_config(write(tmp_path, '[project]\nname = "x"\n')) == Config()
    assert load_config(write(tmp_path, "tool = 1\n")) == Config()


def test_every_key(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            "[tool.flasklint]\n"
            'select = ["FLK1", "FLK3"]\n'
            'ignore = ["flk104"]\n'
            'extend-select = ["FLK403"]\n'
            'exclude = ["migrations"]\n'
            'extend-exclude = ["legacy/*.py"]\n'
            '[tool.flasklint.per-file-ignores]\n"tests/*" = ["FLK203"]\n',
        )
    )
    assert config == Config(
        select=["FLK1", "FLK3"],
        ignore=["FLK104"],
        extend_select=["FLK403"],
        per_file_ignores={"tests/*": ["FLK203"]},
        exclude=["migrations"],
        extend_exclude=["legacy/*.py"],
    )


def test_selection_longest_prefix_wins() -> None:
    config = Config(select=["FLK1", "FLK301"], ignore=["FLK10", "FLK3"])
    assert config.is_selected("FLK201") is False  # not selected at all
    assert config.is_selected("FLK104") is False  # FLK10 (ignore) is longer than FLK1 (select)
    assert config.is_selected("FLK110") is True
    assert config.is_selected("FLK301") is True  # FLK301 (select) is longer than FLK3 (ignore)
    assert config.is_selected("FLK302") is False
    assert Config(select=["ALL"]).is_selected("FLK001") is True
    assert Config(extend_select=["FLK9"], select=[]).is_selected("FLK999") is True


def test_per_file_ignores_globs() -> None:
    config = Config(per_file_ignores={"tests/*": ["FLK2"], "app.py": ["FLK104"]})
    assert not config.is_selected("FLK203", "tests/test_views.py")
    assert not config.is_selected("FLK203", "tests/unit/test_views.py")  # fnmatch's * crosses directories
    assert config.is_selected("FLK104", "tests/test_views.py")
    assert not config.is_selected("FLK104", "app.py")
    assert config.is_selected("FLK104", "pkg/app.py")


def test_exclude_matches_paths_and_any_path_part() -> None:
    config = Config(exclude=["migrations", "legacy/*.py"], extend_exclude=["app/old"])
    assert config.is_excluded(PurePosixPath("migrations"))
    assert config.is_excluded(PurePosixPath("migrations"), directory=True)
    assert config.is_excluded(PurePosixPath("app/migrations/versions/1.py"))
    assert config.is_excluded(PurePosixPath("legacy/old.py"))
    assert config.is_excluded(PurePosixPath("app/old"), directory=True)
    assert config.is_excluded(PurePosixPath("app/old/views.py"))
    assert not config.is_excluded(PurePosixPath("app/older/views.py"))
    assert not config.is_excluded(PurePosixPath("app/views.py"))
    assert config.is_excluded(PurePosixPath(".venv/lib/flask/app.py"))  # default excludes stay on
    assert config.is_excluded(PurePosixPath("pkg.egg-info/PKG-INFO"))


@pytest.mark.parametrize("name", [name.replace("*", "pkg") for name in DEFAULT_EXCLUDE])
def test_default_excludes_are_folders_only(name: str) -> None:
    """`.env/` is a virtualenv, the `.env` file is what `flask run` (and FLK103) reads."""
    config = Config()
    assert config.is_excluded(PurePosixPath(name), directory=True)
    assert config.is_excluded(PurePosixPath(f"app/{name}/x.py"))
    assert not config.is_excluded(PurePosixPath(name))
    assert not config.is_excluded(PurePosixPath(f"app/{name}"))


def test_a_users_pattern_matches_files_and_folders() -> None:
    config = Config(extend_exclude=[".env"])
    assert config.is_excluded(PurePosixPath(".env"))
    assert config.is_excluded(PurePosixPath("deploy/.env"))


@pytest.mark.parametrize(
    "path",
    [
        "{{cookiecutter.app_name}}/app.py",
        "{{cookiecutter.app_name}}/{{cookiecutter.app_name}}/public/views.py",
        "template/{{ project_slug }}.py",
        "{% if cookiecutter.use_docker == 'y' %}Dockerfile{% endif %}",
    ],
)
def test_project_template_sources_are_excluded(path: str) -> None:
    """A name that is a Jinja expression or tag: the source of a cookiecutter/copier project, not Python yet."""
    assert Config().is_excluded(PurePosixPath(path))
    assert Config().is_excluded(PurePosixPath(path), directory=True)


def test_a_project_template_folder_is_excluded_as_a_folder() -> None:
    assert Config().is_excluded(PurePosixPath("contrib/{{cookiecutter.project}}"), directory=True)


@pytest.mark.parametrize("path", ["app/views.py", "templates/{name}.html", "a{{b.py", "templates/x}}{{y.html"])
def test_braces_alone_are_not_a_project_template(path: str) -> None:
    assert not Config().is_excluded(PurePosixPath(path))


def test_command_line_exclude_replaces_the_projects_and_extend_exclude_adds() -> None:
    config = Config(exclude=["migrations"], extend_exclude=["legacy"])
    replaced = with_overrides(config, exclude=["vendor"], extend_exclude=["tmp"])
    assert (replaced.exclude, replaced.extend_exclude) == (["vendor"], ["legacy", "tmp"])
    assert not replaced.is_excluded(PurePosixPath("migrations/v1.py"))
    assert replaced.is_excluded(PurePosixPath("venv/lib/x.py"))  # the built-in folders stay excluded
    kept = with_overrides(config, extend_exclude=["tmp"])
    assert (kept.exclude, kept.extend_exclude) == (["migrations"], ["legacy", "tmp"])


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"selct": ["FLK"]}, "unknown key(s) in [tool.flasklint]: 'selct' (did you mean 'select'?)"),
        ({"max-line-length": 3}, "unknown key(s) in [tool.flasklint]: 'max-line-length'; known keys: exclude"),
        ({"select": "FLK"}, "select must be a list of strings"),
        ({"exclude": [1]}, "exclude must be a list of strings"),
        ({"ignore": ["FLK9"]}, "ignore: unknown rule code or prefix 'FLK9'"),
        ({"ignore": [""]}, "unknown rule code or prefix ''"),
        ({"extend-select": ["E501"]}, "extend-select: unknown rule code or prefix 'E501'"),
        ({"per-file-ignores": {"a.py": ["W1"]}}, "per-file-ignores 'a.py': unknown rule code or prefix 'W1'"),
        ({"per-file-ignores": ["a.py"]}, "per-file-ignores must map globs to lists of codes"),
    ],
)
def test_mistakes_are_errors(section: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        config_from_mapping(section, "pyproject.toml")
    assert message in str(error.value)
    assert str(error.value).startswith("pyproject.toml: ")


def test_section_must_be_a_table() -> None:
    with pytest.raises(ConfigError, match="must be a table"):
        config_from_mapping(["FLK"], "pyproject.toml")


def test_unreadable_toml_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(UnreadableConfigError, match="cannot read TOML"):
        load_config(write(tmp_path, "[tool.flasklint\n"))
    (tmp_path / "pyproject.toml").write_bytes(b"[tool.flasklint]\nselect = ['\xff']\n")
    with pytest.raises(UnreadableConfigError, match="cannot read TOML"):
        load_config(tmp_path)
    template = '[project]\nname = "{{ cookiecutter.project }}"\ndeps = [{% for d in deps %}"{{ d }}"{% endfor %}]\n'
    with pytest.raises(UnreadableConfigError, match="cannot read TOML"):
        load_config(write(tmp_path, template))


def test_a_mistake_in_a_readable_section_is_not_an_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, '[tool.flasklint]\nselec = ["FLK"]\n'))
    assert not isinstance(error.value, UnreadableConfigError)


def test_validate_selectors_normalises_case_and_space() -> None:
    assert validate_selectors([" flk104 ", "ALL", "FLK"], "--select") == ["FLK104", "ALL", "FLK"]


def test_overrides_merge_as_ruffs_flags_do() -> None:
    project = Config(select=["FLK1"], ignore=["FLK104"], extend_select=["FLK3"])
    assert with_overrides(project) == project
    merged = with_overrides(project, select=["flk2"], extend_select=["FLK403"], ignore=["FLK201"])
    assert merged == Config(select=["FLK2"], ignore=["FLK104", "FLK201"], extend_select=["FLK3", "FLK403"])
    assert project == Config(select=["FLK1"], ignore=["FLK104"], extend_select=["FLK3"])  # left as it was


def test_an_override_with_an_unknown_code_names_its_origin() -> None:
    with pytest.raises(ConfigError, match=r"^--extend-select: unknown rule code or prefix 'FLK9' "):
        with_overrides(Config(), extend_select=["FLK9"])
    with pytest.raises(ConfigError, match=r"^setting 'ignore': unknown rule code or prefix 'X' "):
        with_overrides(Config(), ignore=["x"], origin="setting {!r}")
