"""End to end: the real `pulumi` CLI against the emulator (tests/support/cli_harness.py).

The CLI comes from scripts/pulumi-cli (on PATH, cached, or built from the Go module proxy the
first time, before any test's clock starts). Where none can be had, every test here is skipped
with one line saying why; .ci/run sets AOAI_DEPLOY_REQUIRE_E2E=1, which turns that skip into a
failure. Each test gets its own emulator (in this process, so the test reads its state and
request log), project directory and file backend.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from aoai_deploy.emulator import Emulator
from aoai_deploy.fleet.emulator_seed import fleet_seed
from aoai_deploy.fleet.spec import parse_fleet
from cli_harness import REPO, REQUIRE_ENV, PulumiCli, find_cli
from e2e_project import Project, tokens_for
from fleet_harness import FleetCli
from packaging_env import FreshVenv, build_wheel, locked_venv

HERE = Path(__file__).resolve().parent
#: Set by `make release-check`: the dist/ folder whose wheel the release tests install.
DIST_ENV = "AOAI_DEPLOY_DIST"

MakeProject = Callable[..., Project]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)
            # Several CLI runs per test; the default (300 s) is for in-process tests.
            if item.get_closest_marker("timeout") is None:
                item.add_marker(pytest.mark.timeout(600))


@pytest.fixture(scope="session")
def pulumi_cli() -> Path:
    cli, why = find_cli()
    if cli is None:
        message = f"no Pulumi CLI: {why}"
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{message} ({REQUIRE_ENV}=1: the end-to-end layer must run)")
        pytest.skip(message)
    return cli


@pytest.fixture
def e2e_emulator() -> Iterator[Emulator]:
    emu = Emulator()
    # Long enough that the provider polls at least once, short enough to keep the layer quick.
    emu.settings.provisioning_seconds = 0.5
    emu.settings.deprovisioning_seconds = 0.2
    with emu:
        yield emu
    assert emu.internal_errors == [], emu.internal_errors


@pytest.fixture
def make_project(pulumi_cli: Path, e2e_emulator: Emulator, tmp_path: Path) -> Iterator[MakeProject]:
    """``make_project(program=None, name="project")``: a project running the example stack
    (its Pulumi.yaml and __main__.py), or ``program`` in a project called ``name``; its stack
    is not created yet."""
    made: list[Project] = []

    def make(program: str | None = None, name: str = "project") -> Project:
        directory = tmp_path / name
        directory.mkdir()
        if program is None:
            shutil.copy(REPO / "Pulumi.yaml", directory / "Pulumi.yaml")
            shutil.copy(REPO / "__main__.py", directory / "__main__.py")
        else:
            (directory / "Pulumi.yaml").write_text(
                f"name: {name}\nruntime:\n  name: python\n  options:\n    virtualenv: .venv\n"
            )
            (directory / "__main__.py").write_text(program)
        # The project's virtualenv, as Pulumi.yaml names it: the CLI starts the dynamic
        # provider from it on refresh and destroy, which run no program.
        (directory / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
        cli = PulumiCli(pulumi_cli, directory, tmp_path / f"{name}-home")
        project = Project(cli, e2e_emulator, tokens_for(e2e_emulator))
        made.append(project)
        return project

    yield make
    # Whatever a test did, nothing the CLI printed may carry a token.
    for project in made:
        assert project.secrets_found() == []


@pytest.fixture(scope="session")
def released_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel the release tests install: ``make release-check``'s (``$AOAI_DEPLOY_DIST``),
    else one built now from this checkout."""
    dist = os.environ.get(DIST_ENV)
    if dist:
        (wheel,) = Path(dist).glob("aoai_deploy-*-py3-none-any.whl")
        return wheel
    return build_wheel(tmp_path_factory.mktemp("release-wheel"))


@pytest.fixture(scope="session")
def release_venv(released_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> FreshVenv:
    """A user's environment after ``pip install aoai-deploy``: the default install's locked
    requirements (requirements/base.txt, no extra) from the package index, then the wheel."""
    root = tmp_path_factory.mktemp("release-venv") / "venv"
    return locked_venv(root, released_wheel, REPO / "requirements" / "base.txt")


@pytest.fixture
def fleet_cli(pulumi_cli: Path, tmp_path: Path) -> Iterator[Callable[..., FleetCli]]:
    """``fleet_cli(data, provisioning_seconds=0.5)``: an emulator seeded from ``data``
    (running in this process) and the console script pointed at it."""
    emulators: list[Emulator] = []

    def make(data: dict[str, Any], provisioning_seconds: float = 0.5) -> FleetCli:
        emu = Emulator(seed=fleet_seed(parse_fleet(data)))
        emu.settings.provisioning_seconds = provisioning_seconds
        emu.settings.deprovisioning_seconds = 0.2
        emu.start()
        emulators.append(emu)
        return FleetCli(pulumi_cli, emu, tmp_path, data)

    yield make
    for emu in emulators:
        emu.stop()
        assert emu.internal_errors == [], emu.internal_errors
