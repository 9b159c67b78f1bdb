"""A plugin process takes one configuration, and the configuration it takes is checked whole.

Issue 15, item 8: the package's plugin accepted any number of Configure calls, each replacing
the last; another local user (plugins listen on loopback without authentication) pointed it
at a server of theirs and caught the bearer token of the next request. Items 2 and 9: a
misspelt key was ignored, and a secret set without ``--secret`` was taken as it came.

Both plugins run as the engine starts them and are driven over gRPC. The "attacker" is a
second emulator standing in for a server of someone else: nothing may reach it. The real CLI
sends one Configure per plugin process, also for a program with an explicit provider beside
the default one (each provider gets a process of its own): tests/e2e/test_package_config.py.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import dill
import grpc
import pytest

from aoai_deploy.emulator import Emulator
from aoai_deploy.providers import CrossTenantDeploymentProvider
from engine_harness import PluginProcess, secret
from package_harness import PackagePluginProcess
from provider_kit import cross_tenant_inputs
from seed_ids import DEST_ACCOUNT, DEST_TENANT, SOURCE_TENANT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        emulator.settings.retry_after = 0
        emulator.settings.provisioning_seconds = 0
        yield emulator


@pytest.fixture(scope="module")
def attacker() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


def settings(emu: Emulator, **extra: Any) -> dict[str, Any]:
    tokens = {tenant: emu.token(tenant) for tenant in (SOURCE_TENANT, DEST_TENANT)}
    return {
        "aoai-deploy:armEndpoint": emu.base_url,
        "aoai-deploy:caBundle": emu.ca_path,
        "aoai-deploy:credential": "static",
        "aoai-deploy:staticTokens": secret(json.dumps(tokens)),
        **extra,
    }


def refusal(call: Any, *args: Any) -> str:
    with pytest.raises(grpc.RpcError) as caught:
        call(*args)
    return caught.value.details() or ""


# -- the package's plugin ------------------------------------------------------------------


def test_the_package_plugin_refuses_a_second_configuration_that_differs(
    emu: Emulator, attacker: Emulator
) -> None:
    with PackagePluginProcess() as plugin:
        plugin.configure(settings(emu))
        plugin.configure(settings(emu))  # the same again is harmless

        details = refusal(plugin.configure, settings(attacker))

        assert "configured already, with other settings: a second configuration is refused" in (
            details
        )
        assert "Traceback" not in details
        attacker.clear_log()
        name = "pkg-once"
        checked, failures = plugin.check(name, cross_tenant_inputs(deployment_name=name))
        assert failures == []
        id_, _ = plugin.create(name, checked)
        assert id_ == f"{DEST_ACCOUNT}/deployments/{name}"
        assert emu.deployment(DEST_ACCOUNT, name) is not None
        assert attacker.request_log == []


def test_the_package_plugin_names_every_configuration_problem_in_one_refusal(
    emu: Emulator,
) -> None:
    with PackagePluginProcess() as plugin:
        details = refusal(
            plugin.configure,
            settings(emu, **{"aoai-deploy:credentail": "static", "aoai-deploy:cloud": "Mars"}),
        )
    assert "did you mean aoai-deploy:credential?" in details
    assert "aoai-deploy:cloud is 'Mars'" in details
    assert "Traceback" not in details


@pytest.mark.parametrize(
    ("key", "value", "extra"),
    [
        (
            "aoai-deploy:clientSecret",
            "plain-text-client-secret",
            {
                "aoai-deploy:credential": "client-secret",
                "aoai-deploy:clientId": "3333cccc-3333-4333-8333-33333333333c",
                "aoai-deploy:tenantId": DEST_TENANT,
                "aoai-deploy:staticTokens": None,
            },
        ),
        ("aoai-deploy:staticTokens", None, {}),
    ],
)
def test_the_package_plugin_refuses_a_secret_setting_that_arrived_in_plain_text(
    emu: Emulator, key: str, value: str | None, extra: dict[str, Any]
) -> None:
    config = settings(emu, **extra)
    config[key] = value if value is not None else config[key]["value"]  # unwrapped
    config = {k: v for k, v in config.items() if v is not None}
    with PackagePluginProcess() as plugin:
        details = refusal(plugin.configure, config)
    assert f"{key} is not a secret" in details
    assert f"`pulumi config set --secret {key} " in details
    assert str(config[key]) not in details


# -- the dynamic provider's plugin (the SDK's) ---------------------------------------------


def _another_pickle() -> str:
    """The same provider pickled with another protocol: equal in effect, different as text,
    so the SDK's plugin unpickles and configures a second instance for it."""
    return base64.b64encode(
        dill.dumps(CrossTenantDeploymentProvider(), protocol=3, recurse=True)
    ).decode()


def test_the_dynamic_plugin_refuses_a_second_configuration_for_instances_it_makes_later(
    emu: Emulator, attacker: Emulator
) -> None:
    with PluginProcess() as plugin:
        plugin.configure(settings(emu))
        name = "dyn-once"
        inputs = cross_tenant_inputs(deployment_name=name, owner=f"aoai-deploy/local/{name}")
        checked, failures = plugin.check(name, inputs)
        assert failures == []

        plugin.configure(settings(attacker))  # the SDK's plugin takes it: it is theirs
        attacker.clear_log()
        late = {**inputs, "__provider": _another_pickle()}
        _, late_failures = plugin.check(name, late)
        details = refusal(plugin.create, name, {**checked, "__provider": late["__provider"]})

        assert [reason for _, reason in late_failures] == [
            "the aoai-deploy provider of this process is configured already, with other "
            "settings: a second configuration is refused (the engine configures a provider "
            "once; another local process may be trying to redirect its requests and tokens: "
            'see docs/security.md, "Plugins listen on loopback")'
        ]
        assert "configured already" in details
        # The instance configured first keeps its configuration.
        id_, _ = plugin.create(name, checked)
        assert emu.deployment(DEST_ACCOUNT, name) is not None
        assert id_.endswith(f"/deployments/{name}")
        assert attacker.request_log == []


def test_the_dynamic_plugin_reports_a_misspelt_key_as_a_check_failure_without_a_traceback(
    emu: Emulator,
) -> None:
    with PluginProcess() as plugin:
        plugin.configure(
            settings(emu, **{"aoai-deploy:armEndpont": emu.base_url, "other:key": "x"})
        )
        name = "dyn-typo"
        inputs = cross_tenant_inputs(deployment_name=name, owner=f"aoai-deploy/local/{name}")

        _, failures = plugin.check(name, inputs)
        details = refusal(plugin.create, name, inputs)

    assert len(failures) == 1
    assert failures[0][0] == ""
    assert failures[0][1].startswith("aoai-deploy:armEndpont is not a setting of the aoai-deploy")
    assert "did you mean aoai-deploy:armEndpoint?" in failures[0][1]
    assert "did you mean aoai-deploy:armEndpoint?" in details
    assert "other:key" not in failures[0][1]
