"""The stack's key for the owner tags of dynamic deployments (providers/owner_key.py).

One ``OwnerKey`` per stack, registered by the first ``CrossTenantDeployment``; every
deployment (bare, or a component's) takes its key as the hidden ``owner_key`` input, which
the SDK sends only once the key resource is created.
"""

from __future__ import annotations

import re

import dill
import pulumi

from aoai_deploy.components import FineTunedModelDeployment, FineTunedModelDeploymentArgs
from aoai_deploy.components.args import ModelDeploymentArgs
from aoai_deploy.providers import CrossTenantDeployment, CrossTenantDeploymentArgs
from aoai_deploy.providers.owner_key import RESOURCE_NAME, OwnerKeyProvider

DEPLOYMENT_TYPE = "pulumi-python:dynamic/aoai:CrossTenantDeployment"
OWNER_KEY_TYPE = "pulumi-python:dynamic/aoai:OwnerKey"
MOCK_OWNER_KEY = "0123456789abcdef"  # what the mocks' OwnerKey create answers


def _program(seed):
    def run():
        for name in ("chat", "chat-2"):
            CrossTenantDeployment(
                name,
                CrossTenantDeploymentArgs(
                    account_id=seed.destination_account,
                    deployment_name=name,
                    model_name="gpt-4o-mini",
                ),
            )
        FineTunedModelDeployment(
            "copy",
            FineTunedModelDeploymentArgs(
                deployments=[ModelDeploymentArgs(deployment_name="ft", model_name=seed.model)],
                account_id=seed.destination_account,
                source_account_id=seed.source_account,
                source_tenant_id=seed.contoso,
                destination_tenant_id=seed.fabrikam,
            ),
        )

    return run


def test_one_key_per_stack_goes_into_every_deployment(pulumi_runtime, seed):
    runtime = pulumi_runtime()
    runtime.run(_program(seed))

    (key,) = runtime.of_type(OWNER_KEY_TYPE)
    assert key.name == RESOURCE_NAME
    deployments = runtime.of_type(DEPLOYMENT_TYPE)
    assert len(deployments) == 3
    for deployment in deployments:
        assert deployment.inputs["owner_key"] == MOCK_OWNER_KEY
        # Sent once the key resource is created, but not recorded as a dependency, so that
        # the way back to a release without it can drop it from the state alone.
        assert key.urn not in deployment.dependencies
        assert key.urn not in deployment.property_dependencies.get("owner_key", [])


def test_each_program_run_has_its_own_key_resource(pulumi_runtime, seed):
    """Another run (an Automation API process runs several) registers its own."""
    for _ in range(2):
        runtime = pulumi_runtime()
        runtime.run(_program(seed))
        assert len(runtime.of_type(OWNER_KEY_TYPE)) == 1


def test_the_key_is_made_once_and_never_changes() -> None:
    provider = OwnerKeyProvider()

    created = provider.create({"key": None})

    assert re.fullmatch("[0-9a-f]{16}", created.id)
    assert created.outs == {"key": created.id}
    assert provider.create({"key": None}).id != created.id  # random per stack
    assert provider.diff(created.id, created.outs, {"key": None}).changes is False
    read = provider.read(created.id, created.outs)
    assert (read.id, read.outs) == (created.id, {"key": created.id})


def test_the_key_provider_is_pickled_by_reference_and_holds_nothing() -> None:
    blob = dill.dumps(OwnerKeyProvider(), recurse=True)

    assert b"aoai_deploy.providers.owner_key" in blob
    assert b"OwnerKeyProvider" in blob
    assert dill.loads(blob).__dict__ == {}  # noqa: S301 (our own blob)
    assert pulumi.dynamic.ResourceProvider in OwnerKeyProvider.__mro__
