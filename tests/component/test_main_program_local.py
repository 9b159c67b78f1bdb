"""__main__.py with the try-out stack's config (Pulumi.local.yaml), under mocks."""

from __future__ import annotations

import yaml

DEPLOYMENT_TYPE = "pulumi-python:dynamic/aoai:CrossTenantDeployment"
OWNER_KEY_TYPE = "pulumi-python:dynamic/aoai:OwnerKey"
COMPONENT_TYPE = "aoai:index:FineTunedModelDeployment"
STACK_FILE = "Pulumi.local.yaml"


def _run(pulumi_runtime, stack_config, run_main):
    runtime = pulumi_runtime(
        project="aoai-deploy-example", stack="local", config=stack_config(STACK_FILE)
    )
    run_main(runtime)
    return runtime


def test_local_stack_registers_one_component_and_no_native_resources(
    pulumi_runtime, stack_config, run_main
):
    runtime = _run(pulumi_runtime, stack_config, run_main)

    assert sorted((r.type, r.name) for r in runtime.registrations) == [
        (COMPONENT_TYPE, "fine-tuned"),
        (DEPLOYMENT_TYPE, "fine-tuned-ft-gpt-4o-mini"),
        (OWNER_KEY_TYPE, "aoai-deploy-owner-key"),
    ]


def test_local_stack_copies_the_seeded_model_from_contoso_into_fabrikam(
    pulumi_runtime, stack_config, run_main, seed
):
    runtime = _run(pulumi_runtime, stack_config, run_main)

    inputs = runtime.named("fine-tuned-ft-gpt-4o-mini").inputs
    assert {k: v for k, v in inputs.items() if k != "__provider"} == {
        "account_id": seed.destination_account,
        "deployment_name": "ft-gpt-4o-mini",
        "model_name": seed.model,
        "model_version": "1",
        "sku_name": "Standard",
        "sku_capacity": 1,
        "source_account_id": seed.source_account,
        "source_tenant_id": seed.contoso,
        "tenant_id": seed.fabrikam,
        "role_propagation_timeout_seconds": 0,
        "owner": "organization/aoai-deploy-example/local/fine-tuned-ft-gpt-4o-mini",
        "owner_key": "0123456789abcdef",  # the mocks' key of the stack's OwnerKey
    }


def test_local_stack_exports_what_a_stack_reference_reads(
    pulumi_runtime, stack_config, run_main, seed
):
    runtime = _run(pulumi_runtime, stack_config, run_main)

    assert runtime.stack_outputs() == {
        "accountId": seed.destination_account,
        "endpoint": "https://fabrikam-aoai-eus.openai.azure.com/",
        "deploymentIds": {
            "ft-gpt-4o-mini": f"{seed.destination_account}/deployments/ft-gpt-4o-mini"
        },
        "deploymentNames": {"ft-gpt-4o-mini": "ft-gpt-4o-mini"},
    }


def test_local_stack_uses_static_tokens_set_at_run_time(repo_file):
    config = yaml.safe_load(repo_file(STACK_FILE))["config"]

    assert config["aoai-deploy:credential"] == "static"
    # The emulator's address, certificate and tokens change with every start: the try-out
    # script sets them, and the file says so.
    for key in ("aoai-deploy:armEndpoint", "aoai-deploy:caBundle", "aoai-deploy:staticTokens"):
        assert key not in config
        assert key in repo_file(STACK_FILE)
