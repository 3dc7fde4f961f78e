"""The VS Code extension packaged as a new user does it: README.md's command on a clean copy of the extension.

test_vscode_extension.py builds the .vsix in the working tree after `npm test`, which leaves build/ and dist/
behind; a fresh clone has neither (`npm run package` once failed there for want of build/). Here the tracked
files of vscode-extension/ are copied to an empty folder (no node_modules, build or dist), the packaging
command is read from README.md (so the README and this test cannot drift apart) and run there, and the .vsix
is checked: the files .vscodeignore lets through, a bundle that needs nothing the .vsix lacks, a README whose
links point at files of this repository. `vsce package`, as extension authors type it, must work the same.

Needs git, node and npm (npm ci downloads into npm's own cache, outside the repository). A local run without
them skips; CI (`CI` set) must run this test, so it fails instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
EXTENSION = "vscode-extension"
MANIFEST = json.loads((REPO / EXTENSION / "package.json").read_text(encoding="utf-8"))
# README.md's block "build and install the .vsix": the build command (run from the repository root) and the
# install command, whose .vsix path is relative to vscode-extension/ (the build command cd's there).
BUILD_COMMAND = re.compile(r"^(cd vscode-extension && [^#\n]*npm run package)[ \t]*(?:#.*)?$", re.MULTILINE)
INSTALL_COMMAND = re.compile(r"^code --install-extension (\S+\.vsix)[ \t]*(?:#.*)?$", re.MULTILINE)
# vsce's own parts of a .vsix, and what it names the manifest's files inside extension/.
VSIX_METADATA = {"extension.vsixmanifest", "[Content_Types].xml"}
VSCE_NAMES = {"README.md": "readme.md", "CHANGELOG.md": "changelog.md", "LICENSE": "LICENSE.txt"}
# A file of the repository the manifest names, by URL: vsce turns the README's relative links into these.
REPOSITORY_FILE_URL = re.compile(re.escape(MANIFEST["repository"]["url"]) + r"/(?:raw|blob|tree)/[^/]+/([^)\s#?]+)")
COMMAND_TIMEOUT_S = 600
TOOLS_PRESENT = all(shutil.which(tool) for tool in ("git", "node", "npm"))

pytestmark = [
    pytest.mark.vscode,  # the first step of the VS Code end-to-end tests, deselected with them by -m "not vscode"
    pytest.mark.skipif(
        not TOOLS_PRESENT and not os.environ.get("CI"), reason="git, node and npm are needed to package the extension"
    ),
]


@dataclass(frozen=True)
class Packaged:
    """A clean copy of the extension's tracked files, after README.md's packaging command ran in it."""

    root: Path  # the copy's repository root, where the README's command starts
    vsix: Path  # the file README.md's install command names

    @property
    def extension(self) -> Path:
        return self.root / EXTENSION


def readme_commands() -> tuple[str, str]:
    """README.md's build command and the .vsix path its install command gives (relative to vscode-extension/)."""
    text = README.read_text(encoding="utf-8")
    build, install = BUILD_COMMAND.search(text), INSTALL_COMMAND.search(text)
    assert build and install, "README.md no longer shows how to build and install the .vsix"
    return build.group(1), install.group(1)


def copy_tracked_files(target: Path) -> None:
    """The extension's files as git tracks them (their working-tree contents): what a fresh clone has."""
    listed = run(["git", "ls-files", "-z", "--", EXTENSION], cwd=REPO)
    names = [name for name in listed.split("\0") if name]
    assert f"{EXTENSION}/package.json" in names, listed
    for name in names:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, target / name)


def run(command: list[str], cwd: Path) -> str:
    # npm's cache is reused (prefer-offline), the folder it installs into is not: it starts empty.
    env = {**os.environ, "npm_config_prefer_offline": "true", "npm_config_audit": "false", "npm_config_fund": "false"}
    done = subprocess.run(
        command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S
    )
    assert done.returncode == 0, f"{command} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout


def expected_files(manifest: dict) -> set[str]:
    """What .vscodeignore lets into the .vsix: the manifest, its bundled entry point and icon, the docs."""
    shipped = ["package.json", manifest["main"], manifest["icon"], "images/screenshot.png", *VSCE_NAMES.values()]
    return VSIX_METADATA | {f"extension/{os.path.normpath(name)}" for name in shipped}


def node_builtins() -> set[str]:
    return set(run(["node", "-p", "require('module').builtinModules.join('\\n')"], cwd=REPO).split())


def check_vsix(vsix: Path) -> None:
    """The .vsix holds exactly the shipped files, this manifest, and a bundle that needs only vscode and node."""
    assert zipfile.is_zipfile(vsix), f"{vsix} is not a zip"
    with zipfile.ZipFile(vsix) as archive:
        assert set(archive.namelist()) == expected_files(MANIFEST)
        assert json.loads(archive.read("extension/package.json")) == MANIFEST
        bundle = archive.read(f"extension/{os.path.normpath(MANIFEST['main'])}").decode("utf-8")
    assert "sourceMappingURL" not in bundle, "the shipped bundle points at a source map the .vsix does not have"
    required = {name.removeprefix("node:") for name in re.findall(r"\brequire\(\"([^\"]+)\"\)", bundle)}
    assert "vscode" in required, "not the extension's bundle"
    assert required - node_builtins() == {"vscode"}, "the bundle needs modules the .vsix does not ship"


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Packaged:
    build_command, vsix = readme_commands()
    root = tmp_path_factory.mktemp("clean-checkout")
    copy_tracked_files(root)
    assert not any((root / EXTENSION / folder).exists() for folder in ("node_modules", "build", "dist"))
    run(["bash", "-c", f"set -euo pipefail; {build_command}"], cwd=root)
    return Packaged(root, root / EXTENSION / vsix)


def test_the_readme_command_builds_on_a_clean_copy_the_vsix_its_install_command_names(packaged: Packaged) -> None:
    assert packaged.vsix.is_file(), f"README.md's command did not write {packaged.vsix}"
    check_vsix(packaged.vsix)


def test_the_packaged_readme_links_to_files_of_this_repository(packaged: Packaged) -> None:
    """vsce rewrites the README's relative links to URLs of the manifest's repository: they must name real files."""
    with zipfile.ZipFile(packaged.vsix) as archive:
        readme = archive.read("extension/readme.md").decode("utf-8")
    linked = REPOSITORY_FILE_URL.findall(readme)
    assert "vscode-extension/images/screenshot.png" in linked, linked
    assert [path for path in linked if not (REPO / path).exists()] == []


def test_plain_vsce_package_builds_the_bundle_itself(packaged: Packaged) -> None:
    """`vsce package` (no npm script) from a checkout with only `npm ci` done: vscode:prepublish builds dist/."""
    for folder in ("build", "dist"):
        shutil.rmtree(packaged.extension / folder, ignore_errors=True)
    run(["npx", "--no", "vsce", "package"], cwd=packaged.extension)
    check_vsix(packaged.extension / f"{MANIFEST['name']}-{MANIFEST['version']}.vsix")
