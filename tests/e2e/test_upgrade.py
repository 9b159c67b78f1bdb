"""Upgrades proven: a stack written by the previous release, refreshed, previewed, updated and
destroyed by this code, through both fronts, with nothing replaced and nothing lost; and the
way back, the previous release reading the state this code wrote (CHANGELOG.md's State line).

The previous release is the commit pyproject.toml records (``[tool.aoai-deploy]
previous-release``), checked out into a throw-away ``git worktree`` outside the checkout
(removed afterwards) and built into its wheel. That wheel goes into a fresh environment that
borrows this test environment's dependencies (pulumi and the rest, through a ``.pth`` file:
tests/support/packaging_env.py) but not its editable install, so the old half really runs the
old ``aoai_deploy``: the tests check where it was imported from. The new half is this
checkout's code, as installed in the test environment.

- dynamic resource: a Python consumer (tests/support/python_consumer.py) through the Automation
  API; ``refresh`` and ``destroy`` start the dynamic provider from the project's ``.venv``,
  which unpickles the provider that the old code pickled into the state
  (``aoai_deploy.providers.provider.CrossTenantDeploymentProvider``). This release adds one
  resource to such a stack, its key for the owner tags (``aoai-deploy-owner-key``), which
  the previous release cannot load: the way back removes it from the state first;
- package resource: the old release's examples/yaml, served by the old wheel's
  ``pulumi-resource-aoai-deploy`` on PATH, then by this code's.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from aoai_deploy.emulator import Emulator
from cli_harness import REPO
from package_project import PackageProject
from packaging_env import FreshVenv, build_wheel, fresh_venv
from python_consumer import DEPLOYMENT, python_consumer, use_environment
from seed_ids import DEST_ACCOUNT, SOURCE_ACCOUNT

pytestmark = pytest.mark.timeout(1200)

PREVIOUS = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["aoai-deploy"][
    "previous-release"
]
CURRENT = Path(sys.prefix)
PROVIDER_CLASS = (b"aoai_deploy.providers.provider", b"CrossTenantDeploymentProvider")
#: The stack's key for the owner tags that this release adds to dynamic stacks.
OWNER_KEY_TYPE = "pulumi-python:dynamic/aoai:OwnerKey"
FT_DEPLOYMENT = f"{DEST_ACCOUNT}/deployments/support-bot"
BASE_DEPLOYMENT = f"{SOURCE_ACCOUNT}/deployments/gpt-4o-mini"


@dataclass(frozen=True)
class Release:
    """The previous release, installed."""

    version: str
    checkout: Path
    """Its files (the worktree)."""
    venv: FreshVenv


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Release]:
    work = tmp_path_factory.mktemp("previous-release")
    checkout = work / "checkout"
    git = ["git", "-C", str(REPO)]
    known = subprocess.run(
        [*git, "cat-file", "-e", f"{PREVIOUS['commit']}^{{commit}}"], check=False
    )
    if known.returncode != 0:
        pytest.fail(
            f"commit {PREVIOUS['commit']} (release {PREVIOUS['version']}) is not in this "
            "clone: the upgrade test needs the history (a full clone)"
        )
    subprocess.run(
        [*git, "worktree", "add", "--detach", str(checkout), PREVIOUS["commit"]],
        check=True,
        capture_output=True,
    )
    try:
        wheel = build_wheel(work / "build", checkout)
        assert wheel.name == f"aoai_deploy-{PREVIOUS['version']}-py3-none-any.whl"
        venv = fresh_venv(work / "venv")
        venv.pip("install", "--no-deps", "--no-index", str(wheel), cwd=work)
        # The old code, not this checkout's: from the new environment's own site-packages.
        origin = venv.probe(
            "import json, aoai_deploy.providers.provider as p; print(json.dumps(p.__file__))",
            cwd=work,
        )
        assert Path(origin).is_relative_to(venv.site_packages), origin
        yield Release(PREVIOUS["version"], checkout, venv)
    finally:
        subprocess.run(
            [*git, "worktree", "remove", "--force", str(checkout)], check=False, capture_output=True
        )
        subprocess.run([*git, "worktree", "prune"], check=False, capture_output=True)


def _writes(emulator: Emulator) -> list[tuple[str, str]]:
    return [(e.method, e.path) for e in emulator.request_log if e.method != "GET"]


def _resources(state: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The state's resources by URN, with what a lost or replaced resource would change."""
    return {
        r["urn"]: {"id": r.get("id"), "type": r["type"], "parent": r.get("parent")}
        for r in state["deployment"]["resources"]
    }


def _pickled_provider_classes(state: dict[str, Any]) -> list[bytes]:
    found = []
    for resource in state["deployment"]["resources"]:
        pickled = resource.get("inputs", {}).get("__provider")
        if pickled:
            found.append(base64.b64decode(pickled))
    return found


def test_dynamic_resource_stack_of_the_previous_release_upgrades_without_a_replace(
    previous: Release, pulumi_cli: Path, e2e_emulator: Emulator, tmp_path: Path
) -> None:
    project = python_consumer(pulumi_cli, tmp_path / "dynamic", e2e_emulator, previous.venv.root)
    project.cli("up", "--yes")
    written = json.loads(project.cli.export())
    outputs = json.loads(project.cli("stack", "output", "--json").output)
    assert Path(outputs["componentsFile"]).is_relative_to(previous.venv.site_packages)
    (pickle,) = _pickled_provider_classes(written)
    assert all(name in pickle for name in PROVIDER_CLASS)
    live = project.deployments()["support-bot"]

    # This code: refresh finds nothing to do; the preview plans one thing, the stack's key
    # for the owner tags (issue 15, item 3: a resource that holds nothing but a random
    # value), and nothing for the deployments. Neither sends a write.
    use_environment(project, CURRENT)
    e2e_emulator.clear_log()
    refresh = project.cli("refresh", "--yes", "--diff").output
    preview = project.cli("preview", "--diff").output
    assert _writes(e2e_emulator) == []
    for change in ("to create", "to update", "to replace", "to delete", "updated"):
        assert change not in refresh, refresh
    for change in ("to update", "to replace", "to delete"):
        assert change not in preview, preview
    assert f"+ {OWNER_KEY_TYPE}: (create)" in preview, preview
    assert "+ 1 to create" in preview, preview
    refreshed = json.loads(project.cli.export())
    assert _resources(refreshed) == _resources(written)
    assert (
        json.loads(project.cli("stack", "output", "--json").output)["deploymentIds"]
        == (outputs["deploymentIds"])
    )
    assert project.deployments()["support-bot"] == live

    # A capacity change: one PATCH, in place.
    project.cli("config", "set", "consumer:capacity", "2")
    e2e_emulator.clear_log()
    update = project.cli("up", "--yes").output
    assert "1 updated" in update, update
    assert "1 created" in update, update  # the stack's key
    assert "replace" not in update, update
    assert _writes(e2e_emulator) == [("PATCH", DEPLOYMENT)]
    assert project.deployments()["support-bot"]["sku"]["capacity"] == 2
    upgraded = _resources(json.loads(project.cli.export()))
    (key_urn,) = [urn for urn, r in upgraded.items() if r["type"] == OWNER_KEY_TYPE]
    assert {urn: r for urn, r in upgraded.items() if urn != key_urn} == _resources(written)

    # The way back: the previous release reads what this code wrote, once the key resource,
    # whose provider it does not have, is out of the state (CHANGELOG.md's State line).
    project.cli("state", "delete", key_urn, "--yes")
    use_environment(project, previous.venv.root)
    e2e_emulator.clear_log()
    project.cli("refresh", "--yes")
    project.cli("preview", "--expect-no-changes")
    assert _writes(e2e_emulator) == []

    use_environment(project, CURRENT)
    project.cli("destroy", "--yes")
    assert project.deployments() == {}
    assert project.secrets_found(project.cli.export()) == []


def test_package_stack_of_the_previous_release_upgrades_without_a_replace(
    previous: Release, pulumi_cli: Path, e2e_emulator: Emulator, tmp_path: Path
) -> None:
    old_bin, new_bin = previous.venv.root / "bin", CURRENT / "bin"
    project = PackageProject.from_example_on_path(
        previous.checkout / "examples" / "yaml",
        tmp_path / "yaml",
        pulumi_cli,
        e2e_emulator,
        old_bin,
    )
    project.output("up", "--yes")
    written = project.export()
    outputs = json.loads(project.output("stack", "output", "--json"))
    assert outputs["deploymentIds"] == {"support-bot": FT_DEPLOYMENT}
    live = e2e_emulator.deployment(DEST_ACCOUNT, "support-bot")
    # The old release's command constructed the component (the engine records where).
    command = f"/{old_bin.parent.parent.name}/venv/bin/pulumi-resource-aoai-deploy#"
    assert command in json.dumps(written)

    project.use_bin(new_bin)
    e2e_emulator.clear_log()
    refresh = project.output("refresh", "--yes", "--diff")
    preview = project.output("preview", "--diff", "--expect-no-changes")
    assert _writes(e2e_emulator) == []
    for shown in (refresh, preview):
        for change in ("to create", "to update", "to replace", "to delete", "updated"):
            assert change not in shown, shown
    assert _resources(project.export()) == _resources(written)
    assert json.loads(project.output("stack", "output", "--json")) == outputs
    assert e2e_emulator.deployment(DEST_ACCOUNT, "support-bot") == live

    project.output("config", "set", "capacity", "2")
    e2e_emulator.clear_log()
    update = project.output("up", "--yes")
    assert "1 updated" in update, update
    assert "replace" not in update, update
    assert _writes(e2e_emulator) == [("PATCH", FT_DEPLOYMENT)]
    assert _resources(project.export()) == _resources(written)

    # The way back.
    project.use_bin(old_bin)
    e2e_emulator.clear_log()
    project.output("refresh", "--yes")
    project.output("preview", "--expect-no-changes")
    assert _writes(e2e_emulator) == []

    project.use_bin(new_bin)
    project.output("destroy", "--yes")
    assert e2e_emulator.deployment(DEST_ACCOUNT, "support-bot") is None
    assert e2e_emulator.deployment(SOURCE_ACCOUNT, "gpt-4o-mini") is None
    assert project.secrets_found() == []
