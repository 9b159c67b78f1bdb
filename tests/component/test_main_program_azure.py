"""__main__.py with the annotated two-tenant Azure example (Pulumi.example-azure.yaml)."""

from __future__ import annotations

import yaml

from aoai_deploy.components import role_assignment_name

DEPLOYMENT_TYPE = "pulumi-python:dynamic/aoai:CrossTenantDeployment"
OWNER_KEY_TYPE = "pulumi-python:dynamic/aoai:OwnerKey"
ROLE_ASSIGNMENT_TYPE = "azure-native:authorization:RoleAssignment"
STACK_FILE = "Pulumi.example-azure.yaml"


def _example(repo_file):
    return yaml.safe_load(repo_file(STACK_FILE))["config"]


def _run(pulumi_runtime, stack_config, run_main, preview=False):
    runtime = pulumi_runtime(
        project="aoai-deploy-example",
        stack="example-azure",
        config=stack_config(STACK_FILE),
        preview=preview,
    )
    run_main(runtime)
    return runtime


def _created_account(runtime, example):
    return _created_account_in(runtime.subscription, example)


def _created_account_in(subscription, example):
    return (
        f"/subscriptions/{subscription}/resourceGroups/"
        f"{example['aoai-deploy-example:newAccountResourceGroup']}/providers/"
        f"Microsoft.CognitiveServices/accounts/{example['aoai-deploy-example:newAccountName']}"
    )


def test_azure_example_creates_account_roles_and_chained_deployments(
    pulumi_runtime, stack_config, run_main, repo_file
):
    runtime = _run(pulumi_runtime, stack_config, run_main)

    example = _example(repo_file)
    source_grant = role_assignment_name(
        example["aoai-deploy-example:sourceAccountId"],
        example["aoai-deploy-example:sourcePrincipalObjectId"],
    )
    assert sorted((r.type, r.name) for r in runtime.registrations) == sorted(
        [
            ("pulumi:providers:azure-native", "source-tenant"),
            ("aoai:index:FineTunedModelDeployment", "fine-tuned"),
            ("azure-native:cognitiveservices:Account", "fine-tuned-account"),
            # The program's, shareable; the new account's grant is the component's own.
            (ROLE_ASSIGNMENT_TYPE, f"openai-contributor-{source_grant}"),
            (ROLE_ASSIGNMENT_TYPE, "fine-tuned-destination-role"),
            (DEPLOYMENT_TYPE, "fine-tuned-support-bot"),
            (DEPLOYMENT_TYPE, "fine-tuned-support-bot-canary"),
            # The stack's key for the owner tags, one for both deployments.
            (OWNER_KEY_TYPE, "aoai-deploy-owner-key"),
        ]
    )
    canary = runtime.named("fine-tuned-support-bot-canary")
    assert runtime.named("fine-tuned-support-bot").urn in canary.dependencies


def test_azure_example_signs_in_to_the_source_tenant_for_the_source_grant(
    pulumi_runtime, stack_config, run_main, repo_file
):
    example = _example(repo_file)
    runtime = _run(pulumi_runtime, stack_config, run_main)

    provider = runtime.named("source-tenant")
    source_subscription = example["aoai-deploy-example:sourceAccountId"].split("/")[2]
    assert provider.inputs["tenantId"] == example["aoai-deploy-example:sourceTenantId"]
    assert provider.inputs["subscriptionId"] == source_subscription
    grant = runtime.grant_on(example["aoai-deploy-example:sourceAccountId"])
    assert grant.provider == f"{provider.urn}::{provider.id}"
    assert grant.inputs["scope"] == example["aoai-deploy-example:sourceAccountId"]
    assert grant.inputs["principalId"] == example["aoai-deploy-example:sourcePrincipalObjectId"]
    destination_grant = runtime.named("fine-tuned-destination-role")
    assert destination_grant.provider == ""
    destination_principal = example["aoai-deploy-example:destinationPrincipalObjectId"]
    assert destination_grant.inputs["principalId"] == destination_principal


def test_azure_example_account_and_deployments_follow_the_config(
    pulumi_runtime, stack_config, run_main, repo_file
):
    example = _example(repo_file)
    runtime = _run(pulumi_runtime, stack_config, run_main)

    account = runtime.named("fine-tuned-account").inputs
    assert account["accountName"] == example["aoai-deploy-example:newAccountName"]
    assert account["location"] == example["aoai-deploy-example:newAccountLocation"]
    assert account["kind"] == example["aoai-deploy-example:newAccountKind"]
    assert account["properties"] == {
        "customSubDomainName": example["aoai-deploy-example:newAccountSubdomain"],
        "publicNetworkAccess": example["aoai-deploy-example:newAccountPublicNetworkAccess"],
        "disableLocalAuth": example["aoai-deploy-example:newAccountDisableLocalAuth"],
    }
    first = example["aoai-deploy-example:deployments"][0]
    inputs = runtime.named("fine-tuned-support-bot").inputs
    assert inputs["account_id"] == _created_account(runtime, example)
    assert inputs["model_name"] == first["modelName"]
    assert inputs["sku_name"] == first["skuName"]
    assert inputs["sku_capacity"] == first["skuCapacity"]
    assert inputs["rai_policy_name"] == first["raiPolicyName"]
    assert inputs["version_upgrade_option"] == first["versionUpgradeOption"]
    assert inputs["tags"] == first["tags"]
    assert inputs["tenant_id"] == example["aoai-deploy-example:destinationTenantId"]
    assert inputs["source_tenant_id"] == example["aoai-deploy-example:sourceTenantId"]
    assert inputs["role_propagation_timeout_seconds"] == 300


def test_azure_example_exports_the_new_account_and_its_deployments(
    pulumi_runtime, stack_config, run_main, repo_file
):
    example = _example(repo_file)
    runtime = _run(pulumi_runtime, stack_config, run_main)
    account = _created_account(runtime, example)

    assert runtime.stack_outputs() == {
        "accountId": account,
        "endpoint": f"https://{example['aoai-deploy-example:newAccountSubdomain']}.openai.azure.com/",
        "deploymentIds": {
            "support-bot": f"{account}/deployments/support-bot",
            "support-bot-canary": f"{account}/deployments/support-bot-canary",
        },
        "deploymentNames": {
            "support-bot": "support-bot",
            "support-bot-canary": "support-bot-canary",
        },
    }


def test_azure_example_previews_before_the_account_exists(pulumi_runtime, stack_config, run_main):
    runtime = _run(pulumi_runtime, stack_config, run_main, preview=True)

    assert len(runtime.of_type(DEPLOYMENT_TYPE)) == 2
    outputs = runtime.stack_outputs_known()
    assert outputs == {
        "accountId": False,
        "endpoint": False,
        "deploymentIds": False,
        "deploymentNames": True,
    }


def test_azure_example_restores_a_soft_deleted_account_when_told(
    pulumi_runtime, stack_config, run_main, repo_file, mock_subscription
):
    config = stack_config(STACK_FILE)
    config["aoai-deploy-example:newAccountRestore"] = "true"
    runtime = pulumi_runtime(
        project="aoai-deploy-example",
        stack="example-azure",
        config=config,
        soft_deleted=(_created_account_in(mock_subscription, _example(repo_file)),),
    )
    run_main(runtime)

    assert runtime.named("fine-tuned-account").inputs["properties"]["restore"] is True
    assert len(runtime.of_type(DEPLOYMENT_TYPE)) == 2


def test_azure_example_leaves_a_source_grant_managed_elsewhere_to_its_owner(
    pulumi_runtime, stack_config, run_main, repo_file
):
    example = _example(repo_file)
    config = stack_config(STACK_FILE)
    config["aoai-deploy-example:sourceRoleAssignmentManagedElsewhere"] = "true"
    runtime = pulumi_runtime(project="aoai-deploy-example", stack="example-azure", config=config)
    run_main(runtime)

    # No grant on the source, nor the provider for the source tenant that only it needed.
    (grant,) = runtime.of_type(ROLE_ASSIGNMENT_TYPE)
    assert grant.name == "fine-tuned-destination-role"
    assert (
        grant.inputs["principalId"] == example["aoai-deploy-example:destinationPrincipalObjectId"]
    )
    assert [r for r in runtime.registrations if r.name == "source-tenant"] == []
