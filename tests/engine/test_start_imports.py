"""A preview imports no network library: not in either plugin, not in the program.

Every `pulumi preview` and `up` starts the plugin afresh, and a preview only sends Configure,
Check and Diff, which never touch Azure. ``requests``, azure-identity, azure-core, msal and
cryptography cost a plugin start a few hundred milliseconds between them
(docs/performance.md), so they are imported by the first request, and only then. Each plugin
runs here in a fresh interpreter under an import watch (tests/support/import_watch.py) and
is driven over gRPC as the engine drives it; the watch's own proof that it sees imports is
the first real request, which must import ``requests`` and still succeed.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from aoai_deploy.emulator import Emulator
from engine_harness import PluginProcess, secret
from import_watch import network_imports, watched_command
from package_harness import PackagePluginProcess
from seed_ids import DEST_ACCOUNT, DEST_TENANT, FT_MODEL, SOURCE_ACCOUNT, SOURCE_TENANT

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
RUNNER = REPO / "tests" / "support" / "run_program_under_mocks.py"


class WatchedDynamicPlugin(PluginProcess):
    """``python -m pulumi.dynamic``, the dynamic provider's plugin, under the import watch."""

    command = watched_command("pulumi.dynamic")


class WatchedPackagePlugin(PackagePluginProcess):
    """``python -m aoai_deploy.plugin``, the package's plugin, under the import watch."""

    command = watched_command("aoai_deploy.plugin", *PackagePluginProcess.command[4:])


FRONTS: dict[str, tuple[Callable[[], PluginProcess], Callable[[], PluginProcess]]] = {
    "dynamic": (PluginProcess, WatchedDynamicPlugin),
    "package": (PackagePluginProcess, WatchedPackagePlugin),
}


def stack_config(emulator: Emulator, credential: str) -> dict[str, Any]:
    """The provider's stack config, with the credential a real stack uses (``default``:
    azure-identity's chain) or the static tokens the emulator mints."""
    config: dict[str, Any] = {
        "aoai-deploy:armEndpoint": emulator.base_url,
        "aoai-deploy:caBundle": emulator.ca_path,
        "aoai-deploy:credential": credential,
    }
    if credential == "static":
        tokens = {tenant: emulator.token(tenant) for tenant in (SOURCE_TENANT, DEST_TENANT)}
        config["aoai-deploy:staticTokens"] = secret(json.dumps(tokens))
    return config


def inputs(name: str, **overrides: Any) -> dict[str, Any]:
    """A cross-tenant copy of the seed's fine-tuned model, as a program registers it."""
    return {
        "account_id": DEST_ACCOUNT,
        "deployment_name": name,
        "model_name": FT_MODEL,
        "source_account_id": SOURCE_ACCOUNT,
        "source_tenant_id": SOURCE_TENANT,
        "tenant_id": DEST_TENANT,
        "owner": f"aoai-deploy/local/{name}",
        **overrides,
    }


@pytest.fixture
def deployed(emulator: Emulator, request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    """The id and outputs of a deployment an earlier `pulumi up` created, through the front
    under test (in a plugin of its own, unwatched, as that earlier run was)."""
    plain, _ = FRONTS[request.param]
    with plain() as process:
        process.configure(stack_config(emulator, "static"))
        return process.create("ft", inputs("ft"))


def preview(process: PluginProcess, id_: str, outputs: dict[str, Any]) -> None:
    """What `pulumi preview` sends for a stack of one deployment after `up`: Check and Diff
    of the unchanged inputs, and of a capacity change and a replacing model change."""
    for news, expected_changes in (
        (inputs("ft"), False),
        (inputs("ft", sku_capacity=5), True),
        (inputs("ft", model_name="gpt-4o-mini", model_version="2024-07-18"), True),
    ):
        checked, failures = process.check("ft", news, inputs("ft"))
        assert failures == []
        assert process.diff("ft", id_, outputs, checked).has_changes is expected_changes


@pytest.mark.parametrize("credential", ["static", "default"])
@pytest.mark.parametrize("deployed", list(FRONTS), indirect=True)
def test_preview_imports_no_network_library_in_the_plugin(
    deployed: tuple[str, dict[str, Any]],
    emulator: Emulator,
    credential: str,
    request: pytest.FixtureRequest,
) -> None:
    front = request.node.callspec.params["deployed"]
    _, watched = FRONTS[front]
    emulator.clear_log()
    with watched() as process:
        process.configure(stack_config(emulator, credential))
        preview(process, *deployed)
        stderr = process.stderr()

    assert emulator.request_log == []
    assert network_imports(stderr) == [], stderr


@pytest.mark.parametrize("front", list(FRONTS))
def test_first_request_imports_requests_and_succeeds(emulator: Emulator, front: str) -> None:
    _, watched = FRONTS[front]
    with watched() as process:
        process.configure(stack_config(emulator, "static"))
        checked, _ = process.check("fresh", inputs("fresh"))
        assert network_imports(process.stderr()) == []

        id_, outputs = process.create("fresh", checked)
        imported = network_imports(process.stderr())

    assert id_ == f"{DEST_ACCOUNT}/deployments/fresh"
    assert outputs["provisioning_state"] == "Succeeded"
    assert "requests" in imported
    # Static tokens are never acquired: azure-identity is not needed even for a request.
    assert "azure" not in imported


def test_the_example_program_imports_no_network_library(tmp_path: Path) -> None:
    """The program side: __main__.py with the try-out stack's config (Pulumi.local.yaml),
    which imports aoai_deploy.components and aoai_deploy.providers and declares a
    CrossTenantDeployment, run under the SDK's mocks in a fresh interpreter."""
    project = yaml.safe_load((REPO / "Pulumi.yaml").read_text())
    name = project["name"]
    config: dict[str, Any] = dict(
        yaml.safe_load((REPO / "Pulumi.local.yaml").read_text())["config"]
    )
    for key, declaration in project.get("config", {}).items():
        config.setdefault(f"{name}:{key}", declaration.get("default", ""))
    request = tmp_path / "request.json"
    result = tmp_path / "result.json"
    request.write_text(
        json.dumps(
            {
                "program": str(REPO),
                "project": name,
                "stack": "local",
                "config": {
                    k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()
                },
                "stack_outputs": {},
            }
        )
    )

    done = subprocess.run(
        watched_command(str(RUNNER), str(request), str(result)),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    registered = json.loads(result.read_text())["registrations"]
    assert "pulumi-python:dynamic/aoai:CrossTenantDeployment" in {r["type"] for r in registered}
    assert network_imports(done.stderr) == [], done.stderr
