"""The index at scale: what views of the same apps share, and the string joins that replace pathlib's."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from conftest import write_project
from flasklint.engine import Project
from flasklint.model.app_scope import AppTable, AppView, TablesCache
from flasklint.model.index import ProjectIndex

APP = """
    from flask import Flask, render_template

    from shop.area0 import bp as area0
    from shop.area1 import bp as area1

    app = Flask(__name__)
    app.register_blueprint(area0)
    app.register_blueprint(area1)
"""
AREA = """
    from flask import Blueprint, render_template, url_for

    bp = Blueprint("{name}", __name__, url_prefix="/{name}", template_folder="templates")

    @bp.route("/")
    def index():
        return render_template("{name}/list.html", next=url_for(".index"))
"""


def build(tmp_path: Path) -> ProjectIndex:
    files = {"shop/__init__.py": APP}
    for name in ("area0", "area1"):
        files[f"shop/{name}/__init__.py"] = AREA.format(name=name)
        files[f"shop/{name}/templates/{name}/list.html"] = "<p>{{ next }}</p>\n"
    write_project(tmp_path, files)
    project = Project(tmp_path, use_cache=False)
    project.discover()
    project.analyse()
    return project.index


def test_views_of_one_app_from_different_files_share_their_merged_tables(tmp_path: Path) -> None:
    """A view is made per importing file; merging every endpoint once per file was quadratic."""
    index = build(tmp_path)
    first = index.view_for(index.files["shop/area0/__init__.py"])
    second = index.view_for(index.files["shop/area1/__init__.py"])
    assert first is not second
    assert first.endpoints is second.endpoints
    assert first.template_folders is second.template_folders
    assert sorted(first.endpoints) == ["area0.index", "area1.index", "static"]
    assert first.template_files("area1/list.html") == ["shop/area1/templates/area1/list.html"]
    assert second.cache.template_files == {"area1/list.html": ["shop/area1/templates/area1/list.html"]}


def test_a_templates_apps_and_jinja_are_worked_out_once(tmp_path: Path) -> None:
    index = build(tmp_path)
    path = "shop/area0/templates/area0/list.html"
    assert index.template_apps(path) == ["shop.app"]
    assert index.template_jinja(path) is index.template_jinja(path)


def test_template_files_joins_every_spelling_of_folder_and_name_as_pathlib_does(tmp_path: Path) -> None:
    folders = {"templates/", "./other", "plain", "plain/deep", ".", "", "/absolute", "a//b"}
    names = ["x.html", "sub/y.html", "./x.html", "sub//y.html", "/etc/hostname", ".", "sub/./y.html", "sub/"]
    for relative in ("templates/x.html", "other/sub/y.html", "plain/x.html", "plain/deep/sub/y.html", "x.html"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("<p></p>\n", encoding="utf-8")
    (tmp_path / "a" / "b" / "sub").mkdir(parents=True)
    (tmp_path / "a" / "b" / "sub" / "y.html").write_text("", encoding="utf-8")
    analysed = {"a/b/x.html"}  # in the index's files though not on disk

    def view() -> AppView:
        table = AppTable("app", "app.py", template_folders=set(folders))
        return AppView([table], True, str(tmp_path), lambda relative: relative in analysed, lambda refs: None, TablesCache())

    def by_pathlib(folder: str, name: str) -> str | None:
        relative = str(PurePosixPath(folder) / name) if folder not in ("", ".") else name
        return relative if relative in analysed or (tmp_path / relative).is_file() else None

    for name in names:
        expected = [found for folder in sorted(folders) if (found := by_pathlib(folder, name)) is not None]
        assert view().template_files(name) == expected, name
    assert view().template_files("sub/y.html") == ["other/sub/y.html", "a/b/sub/y.html", "plain/deep/sub/y.html"]
    for name in [*names, "missing.html", "x.html/"]:
        assert view().has_template_file(name) is bool(view().template_files(name)), name


def test_has_template_file_needs_no_disk_check_once_an_analysed_file_answers(tmp_path: Path, monkeypatch) -> None:
    """FLK401 asks each name in every template folder: an analysed file settles it without a `stat`
    of the other folders; a name no analysed file answers is looked for on disk, as template_files does."""
    from flasklint.model import app_scope

    (tmp_path / "f3").mkdir()
    (tmp_path / "f3" / "excluded.html").write_text("", encoding="utf-8")
    table = AppTable("app", "app.py", template_folders={"f1", "f2", "f3"})
    view = AppView([table], True, str(tmp_path), lambda relative: relative == "f2/x.html", lambda refs: None, TablesCache())
    checked: list[str] = []
    real_is_file = app_scope._is_file
    monkeypatch.setattr(app_scope, "_is_file", lambda path: checked.append(path) or real_is_file(path))
    assert view.has_template_file("x.html") is True
    assert checked == []
    assert view.has_template_file("excluded.html") is True
    assert view.has_template_file("nowhere.html") is False
    assert len(checked) == 6  # each folder for each of the two names
    assert view.has_template_file("nowhere.html") is False and len(checked) == 6  # answered once per view's tables


def test_a_views_merged_jinja_settings_are_worked_out_once(tmp_path: Path) -> None:
    index = build(tmp_path)
    view = index.view_for(index.files["shop/area0/__init__.py"])
    assert view.jinja is view.jinja
    assert view.jinja.opaque is False


def test_the_template_names_of_a_view_are_worked_out_once_and_handed_out_as_copies(tmp_path: Path) -> None:
    index = build(tmp_path)
    view = index.view_for(index.files["shop/area0/__init__.py"])
    names = index.templates_of(view)
    assert names == {"area0/list.html", "area1/list.html"}
    names.add("mutated.html")
    assert view.cache.template_names == {"area0/list.html", "area1/list.html"}
    assert index.templates_of(index.view_for(index.files["shop/area1/__init__.py"])) == {"area0/list.html", "area1/list.html"}


def test_matching_a_literal_path_skips_only_rules_whose_pattern_could_not_match() -> None:
    """match_rule rules a rule out by the literal text before its first variable before building
    the rule's pattern: the answer is the pattern's own for every rule and path."""
    from flasklint.model.routing import HOLE, _match_regex, match_rule

    rules = ["", "/", "/a", "/a/", "/a/<int:id>", "/<name>", "/<name>/x", "<x>", "/a/<b>/<c>", "/a<b>",
             "/a/<int:id>/<int:id>", "/a/<bad", "/a/<path:p>", "/a/<any(x, y):k>", "/static/<path:filename>", "/a.b/<x>"]
    paths = ["", "/", "/a", "/a/", "/a/1", "/a/x", "/b", "/a/1/2", f"/a/{HOLE}", f"/{HOLE}", f"/{HOLE}/x", "/ab",
             "/a/<bad", "/a/x/y/z", "/static/app.css", "/a.b/1", "/axb/1", "x"]

    def by_pattern(rule: str, path: str) -> dict[str, str] | None:
        pattern = _match_regex(rule)
        match = pattern.match(path) if pattern is not None else None
        return dict(match.groupdict()) if match else None

    for rule in rules:
        for path in paths:
            assert match_rule(rule, path) == by_pattern(rule, path), (rule, path)


def test_the_apps_behind_route_owners_are_resolved_once_per_owners_and_file(tmp_path: Path, monkeypatch) -> None:
    """url_for and template loads ask `apps_of` for the owners of their view, once per call site."""
    index = build(tmp_path)
    builder = index._builder
    assert builder is not None
    facts = index.files["shop/area0/__init__.py"]
    owners = [facts.routes[0].owner]
    resolved: list[str | None] = []
    real_resolve = builder.resolve
    monkeypatch.setattr(builder, "resolve", lambda ref, origin, depth=0: resolved.append(ref) or real_resolve(ref, origin, depth))
    first = builder.apps_of(owners, facts)
    assert first == ["shop.app"] and resolved == owners
    first.append("mutated")
    assert builder.apps_of(list(owners), facts) == ["shop.app"]
    assert resolved == owners  # answered from the first call
    assert builder.apps_of(owners, index.files["shop/area1/__init__.py"]) == ["shop.app"]
    assert resolved == owners * 2  # another importing file: resolved for it
    assert builder.apps_of([], facts) is None
