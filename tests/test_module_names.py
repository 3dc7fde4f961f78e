"""Module names as Python gives them: packages up to the import root, symlinks resolved, one pass
over a project's files (ModuleNames) naming each module as one call for the file (module_name_for) does."""

from __future__ import annotations

from pathlib import Path

import pytest

from flasklint.model.imports import ModuleNames, module_name_for


def _tree(root: Path, package_root: bool) -> list[Path]:
    files = ["app.py", "pkg/__init__.py", "pkg/views.py", "pkg/sub/__init__.py", "pkg/sub/m.py", "notpkg/x.py"]
    if package_root:
        files.append("__init__.py")
    for name in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("", encoding="utf-8")
    (root / "pkg" / "link.py").symlink_to(root / "notpkg" / "x.py")  # a symlinked module: its target names it
    (root / "linkdir").symlink_to(root / "pkg", target_is_directory=True)
    return [root / name for name in files] + [root / "pkg" / "link.py", root / "linkdir" / "views.py", root / "gone.py"]


@pytest.mark.parametrize(
    ("package_root", "expected"),
    [
        (False, ["app", "pkg", "pkg.views", "pkg.sub", "pkg.sub.m", "x", "x", "pkg.views", "gone"]),
        (True, ["project.app", "project.pkg", "project.pkg.views", "project.pkg.sub", "project.pkg.sub.m", "x", "project", "x", "project.pkg.views", "project.gone"]),
    ],
)
def test_module_names_match_module_name_for(tmp_path: Path, package_root: bool, expected: list[str]) -> None:
    root = (tmp_path / "project").resolve()
    root.mkdir()
    files = _tree(root, package_root)
    names = ModuleNames(root)
    assert [names.of(path) for path in files] == [module_name_for(path, root) for path in files] == expected
