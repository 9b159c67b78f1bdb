"""One version everywhere: ``aoai_deploy.__version__`` is the only place it is written, and
everything that shows a version shows that one (item 1 of the release issue).

The wheel's metadata, the package schema, the plugin's ``GetPluginInfo``
(tests/packaging/test_packaging_plugin.py) and the ``--version`` of every command the wheel
installs are each compared with it; CHANGELOG.md's released sections may not be ahead of it.
"""

from __future__ import annotations

import email
import re
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.version import Version

import aoai_deploy
from aoai_deploy.plugin import package_schema
from packaging_env import REPO, fresh_venv, run

VERSION = aoai_deploy.__version__
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?")


def test_the_version_is_a_semantic_version() -> None:
    assert SEMVER.fullmatch(VERSION), VERSION


def test_pyproject_reads_the_version_from_aoai_deploy_and_writes_none_of_its_own() -> None:
    project = PYPROJECT["project"]

    assert "version" not in project
    assert project["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "aoai_deploy.__version__"
    }


def test_no_other_file_of_the_package_writes_the_version() -> None:
    # Anything shown to a user with a version in it reads __version__ instead.
    written = re.compile(rf"[\"'/ ]{re.escape(VERSION)}[\"' ]")
    offenders = [
        str(path.relative_to(REPO))
        for folder in ("providers", "components", "plugin", "emulator")
        for path in (REPO / folder).rglob("*.py")
        if written.search(path.read_text())
    ]
    assert offenders == []


def test_no_file_of_the_package_writes_any_version_of_its_own() -> None:
    # A version written by hand goes stale at the next release (the ARM client's User-Agent
    # said 0.1.0 after the move to 0.2.0): "aoai-deploy/<version>" is built from __version__.
    written = re.compile(r"aoai-deploy/\d+\.\d+")
    offenders = [
        str(path.relative_to(REPO))
        for folder in ("providers", "components", "plugin", "emulator")
        for path in (REPO / folder).rglob("*.py")
        if written.search(path.read_text())
    ]
    assert offenders == []


def test_the_arm_clients_user_agent_carries_the_version() -> None:
    from aoai_deploy.providers.azure.arm import USER_AGENT

    assert f"aoai-deploy/{VERSION}" == USER_AGENT


def test_the_package_schema_carries_the_version() -> None:
    assert package_schema()["version"] == VERSION


@pytest.mark.slow
def test_the_wheels_metadata_carries_the_version(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = email.message_from_bytes(archive.read(name))

    assert metadata["Version"] == VERSION
    assert wheel.name == f"aoai_deploy-{VERSION}-py3-none-any.whl"


@pytest.mark.slow
def test_every_command_the_wheel_installs_prints_the_version(wheel: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt")]
        entry_points = archive.read(name).decode()
    section = entry_points.split("[console_scripts]", 1)[1].split("\n[", 1)[0]
    commands = [line.split("=")[0].strip() for line in section.splitlines() if "=" in line]
    venv = fresh_venv(tmp_path / "venv")
    venv.pip("install", "--no-deps", "--no-index", str(wheel), cwd=tmp_path)

    assert commands, entry_points
    for command in commands:
        printed = run([str(venv.root / "bin" / command), "--version"], cwd=tmp_path)
        assert printed == f"{command} {VERSION}\n", command


def _released() -> list[tuple[str, str]]:
    changelog = (REPO / "CHANGELOG.md").read_text()
    return re.findall(r"^## \[(\d[^\]]*)\] - (\d{4}-\d{2}-\d{2})$", changelog, re.MULTILINE)


def test_the_changelog_is_not_ahead_of_the_version() -> None:
    versions = [Version(version) for version, _ in _released()]

    assert versions, "CHANGELOG.md has no released section"
    assert versions == sorted(versions, reverse=True), "newest first"
    assert versions[0] <= Version(VERSION)


def test_the_previous_release_is_the_newest_older_section_of_the_changelog() -> None:
    previous = PYPROJECT["tool"]["aoai-deploy"]["previous-release"]
    older = [v for v, _ in _released() if Version(v) < Version(VERSION)]

    assert older[0] == previous["version"]
    assert re.fullmatch(r"[0-9a-f]{40}", previous["commit"])


def test_the_readmes_install_lines_name_this_version() -> None:
    readme = (REPO / "README.md").read_text()
    install = readme.split("## Install", 1)[1].split("\n## ", 1)[0]

    for line in (
        f"pip install aoai-deploy=={VERSION}",
        f'pip install "aoai-deploy[azure-native]=={VERSION}"',
        f"pipx install aoai-deploy=={VERSION}",
    ):
        assert line in install, line
    assert "git+https://" not in readme
