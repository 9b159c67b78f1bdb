"""The exact inputs each CrossTenantDeployment is handed."""

from __future__ import annotations

import base64

import dill
import pulumi

from aoai_deploy.components import (
    FineTunedModelDeployment,
    FineTunedModelDeploymentArgs,
    ModelDeploymentArgs,
)
from aoai_deploy.providers import CrossTenantDeploymentProvider

DEPLOYMENT_TYPE = "pulumi-python:dynamic/aoai:CrossTenantDeployment"
MOCK_OWNER_KEY = "0123456789abcdef"  # the mocks' key of the stack's OwnerKey


def _without_provider(inputs):
    return {key: value for key, value in inputs.items() if key != "__provider"}


def test_every_deployment_setting_reaches_its_resource(pulumi_runtime, seed):
    runtime = pulumi_runtime(project="models", stack="prod")
    runtime.run(
        lambda: FineTunedModelDeployment(
            "copy",
            FineTunedModelDeploymentArgs(
                deployments=[
                    ModelDeploymentArgs(
                        deployment_name="support-bot",
                        model_name=seed.model,
                        model_version="1",
                        model_format="OpenAI",
                        sku_name="GlobalStandard",
                        sku_capacity=25,
                        rai_policy_name="Microsoft.DefaultV2",
                        version_upgrade_option="NoAutoUpgrade",
                        tags={"team": "support"},
                        adopt_existing=True,
                        api_version="2025-09-01",
                        operation_timeout_seconds=600,
                    )
                ],
                account_id=seed.destination_account,
                source_account_id=seed.source_account,
                source_tenant_id=seed.contoso,
                destination_tenant_id=seed.fabrikam,
            ),
        )
    )

    (deployment,) = runtime.of_type(DEPLOYMENT_TYPE)
    assert deployment.name == "copy-support-bot"
    assert _without_provider(deployment.inputs) == {
        "account_id": seed.destination_account,
        "deployment_name": "support-bot",
        "model_name": seed.model,
        "model_version": "1",
        "model_format": "OpenAI",
        "source_account_id": seed.source_account,
        "source_tenant_id": seed.contoso,
        "tenant_id": seed.fabrikam,
        "sku_name": "GlobalStandard",
        "sku_capacity": 25,
        "rai_policy_name": "Microsoft.DefaultV2",
        "version_upgrade_option": "NoAutoUpgrade",
        "tags": {"team": "support"},
        "adopt_existing": True,
        "api_version": "2025-09-01",
        "operation_timeout_seconds": 600,
        "role_propagation_timeout_seconds": 0,
        "owner": "organization/models/prod/copy-support-bot",
        "owner_key": MOCK_OWNER_KEY,
    }


def test_unset_settings_are_left_to_the_provider_defaults(pulumi_runtime, seed):
    runtime = pulumi_runtime()
    runtime.run(
        lambda: FineTunedModelDeployment(
            "base",
            FineTunedModelDeploymentArgs(
                deployments=[ModelDeploymentArgs(deployment_name="mini", model_name="gpt-4o-mini")],
                account_id=seed.destination_account,
            ),
        )
    )

    (deployment,) = runtime.of_type(DEPLOYMENT_TYPE)
    assert _without_provider(deployment.inputs) == {
        "account_id": seed.destination_account,
        "deployment_name": "mini",
        "model_name": "gpt-4o-mini",
        "role_propagation_timeout_seconds": 0,
        "owner": "organization/project/stack/base-mini",
        "owner_key": MOCK_OWNER_KEY,
    }


def test_each_deployment_gets_its_own_settings_and_the_shared_ones(pulumi_runtime, seed):
    runtime = pulumi_runtime()
    runtime.run(
        lambda: FineTunedModelDeployment(
            "copy",
            FineTunedModelDeploymentArgs(
                deployments=[
                    ModelDeploymentArgs(deployment_name="a", model_name=seed.model, sku_capacity=1),
                    ModelDeploymentArgs(deployment_name="b", model_name=seed.model, sku_capacity=5),
                ],
                account_id=seed.destination_account,
                source_account_id=seed.source_account,
                source_tenant_id=seed.contoso,
                destination_tenant_id=seed.fabrikam,
            ),
        )
    )

    by_name = {r.inputs["deployment_name"]: r.inputs for r in runtime.of_type(DEPLOYMENT_TYPE)}
    assert (by_name["a"]["sku_capacity"], by_name["b"]["sku_capacity"]) == (1, 5)
    for inputs in by_name.values():
        assert inputs["source_account_id"] == seed.source_account
        assert inputs["source_tenant_id"] == seed.contoso
        assert inputs["tenant_id"] == seed.fabrikam


def test_inputs_given_as_outputs_are_passed_on(pulumi_runtime, seed):
    runtime = pulumi_runtime()
    runtime.run(
        lambda: FineTunedModelDeployment(
            "copy",
            FineTunedModelDeploymentArgs(
                deployments=[
                    ModelDeploymentArgs(
                        deployment_name="ft",
                        model_name=pulumi.Output.from_input(seed.model),
                        sku_capacity=pulumi.Output.from_input(3),
                    )
                ],
                account_id=pulumi.Output.from_input(seed.destination_account),
            ),
        )
    )

    (deployment,) = runtime.of_type(DEPLOYMENT_TYPE)
    assert deployment.inputs["model_name"] == seed.model
    assert deployment.inputs["sku_capacity"] == 3
    assert deployment.inputs["account_id"] == seed.destination_account


def test_the_provider_travels_pickled_by_reference(pulumi_runtime, seed):
    runtime = pulumi_runtime()
    runtime.run(
        lambda: FineTunedModelDeployment(
            "copy",
            FineTunedModelDeploymentArgs(
                deployments=[ModelDeploymentArgs(deployment_name="ft", model_name=seed.model)],
                account_id=seed.destination_account,
            ),
        )
    )

    (deployment,) = runtime.of_type(DEPLOYMENT_TYPE)
    pickled = base64.b64decode(deployment.inputs["__provider"])
    # By reference: the module path is in the pickle, the class's code is not.
    assert b"aoai_deploy.providers.provider" in pickled
    assert isinstance(dill.loads(pickled), CrossTenantDeploymentProvider)  # noqa: S301
