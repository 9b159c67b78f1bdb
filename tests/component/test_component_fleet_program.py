"""The fleet's program under mocks: one customer's stack config in, the component out.

The runner writes the config (fleet/stacks.py, customer_config); here the program reads it as
a stack would and the mocked engine records what it registers.
"""

from __future__ import annotations

import json

from aoai_deploy.fleet.program import CONFIG_KEYS, customer_program
from aoai_deploy.fleet.spec import parse_fleet
from aoai_deploy.fleet.stacks import customer_config
from fleet_files import MODEL, SOURCE_ACCOUNT, SOURCE_TENANT, small_fleet

COMPONENT_TYPE = "aoai:index:FineTunedModelDeployment"
DEPLOYMENT_TYPE = "pulumi-python:dynamic/aoai:CrossTenantDeployment"
ACCOUNT_TYPE = "azure-native:cognitiveservices:Account"
ROLE_ASSIGNMENT_TYPE = "azure-native:authorization:RoleAssignment"


def config_of(data) -> dict[str, str]:
    fleet = parse_fleet(data)
    values = customer_config(fleet, fleet.customers[0])
    assert {key.split(":", 1)[1] for key in values} <= set(CONFIG_KEYS)
    # As the engine hands config to a program: strings, objects as JSON.
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}


def test_a_customer_becomes_one_component_named_by_its_key_copying_from_the_source(
    pulumi_runtime,
):
    data = small_fleet([("acme", "canary")])
    data["customers"][0]["deployments"] = [{"deploymentName": "support-bot", "skuCapacity": 7}]
    runtime = pulumi_runtime(project="test-fleet", stack="acme", config=config_of(data))
    runtime.run(customer_program)

    (component,) = runtime.of_type(COMPONENT_TYPE)
    assert component.name == "acme"
    (deployment,) = runtime.of_type(DEPLOYMENT_TYPE)
    assert deployment.name == "acme-support-bot"
    inputs = deployment.inputs
    assert inputs["account_id"].endswith(
        "/resourceGroups/rg-aoai/providers/Microsoft.CognitiveServices/accounts/acme-aoai"
    )
    assert inputs["source_account_id"] == SOURCE_ACCOUNT
    assert inputs["source_tenant_id"] == SOURCE_TENANT
    assert inputs["tenant_id"] == data["customers"][0]["tenantId"]
    assert inputs["model_name"] == MODEL
    assert inputs["sku_capacity"] == 7
    assert runtime.of_type(ROLE_ASSIGNMENT_TYPE) == []
    assert set(runtime.stack_outputs()) == {"accountId", "deploymentIds", "deploymentNames"}


def test_an_account_to_create_and_the_destination_grant_only_the_source_is_the_source_stacks(
    pulumi_runtime,
):
    data = small_fleet([("acme", "canary")])
    data["customers"][0]["account"].update({"create": True, "location": "swedencentral"})
    principal = "99999999-9999-4999-8999-999999999999"
    data["customers"][0]["roleAssignment"] = {"principalObjectId": principal}
    runtime = pulumi_runtime(project="test-fleet", stack="acme", config=config_of(data))
    runtime.run(customer_program)

    (account,) = runtime.of_type(ACCOUNT_TYPE)
    assert account.inputs["accountName"] == "acme-aoai"
    assert account.inputs["location"] == "swedencentral"
    (grant,) = runtime.of_type(ROLE_ASSIGNMENT_TYPE)
    assert grant.inputs["principalId"] == principal
    assert grant.name == "acme-destination-role"
