"""__main__.py stops on config it cannot use with one line per problem, naming the YAML key.

Each case runs the example program under mocks with the try-out stack's config
(Pulumi.local.yaml) changed in one place, as ``pulumi config set`` or an edit of the stack file
would change it. The error is a ``pulumi.RunError``, whose message the Python language host
prints as it is, without a traceback (pulumi-language-python-exec: ``except pulumi.RunError``),
and nothing is made before it.
"""

from __future__ import annotations

import json

import pulumi
import pytest

STACK_FILE = "Pulumi.local.yaml"
DEPLOYMENTS = "aoai-deploy-example:deployments"
A_DEPLOYMENT = {"deploymentName": "ft", "modelName": "gpt-4o-mini-2024-07-18.ft-0123"}


def _error(pulumi_runtime, stack_config, run_main, **changes):
    """The error the program stops with once ``changes`` (config key → value as the stack file
    would hold it) are made to the try-out stack's config."""
    config = stack_config(STACK_FILE)
    for key, value in changes.items():
        full = f"aoai-deploy-example:{key}"
        config[full] = value if isinstance(value, str) else json.dumps(value)
    runtime = pulumi_runtime(project="aoai-deploy-example", stack="local", config=config)

    with pytest.raises(pulumi.RunError) as caught:
        run_main(runtime)

    # Nothing is made: at most the source tenant's provider is registered (which calls no API).
    registered = {r.type for r in runtime.registrations}
    assert registered <= {"pulumi:providers:azure-native"}, registered
    return str(caught.value)


def test_one_deployment_written_as_a_mapping_is_named_in_one_line(
    pulumi_runtime, stack_config, run_main
):
    message = _error(pulumi_runtime, stack_config, run_main, deployments=A_DEPLOYMENT)

    assert message == (
        "aoai-deploy-example:deployments: is one deployment written as a mapping; it must be a "
        "list: start the entry with '- ' (`- deploymentName: ...`), and each further deployment "
        "likewise"
    )


def test_deployments_keyed_by_name_are_named_in_one_line(pulumi_runtime, stack_config, run_main):
    message = _error(pulumi_runtime, stack_config, run_main, deployments={"ft": A_DEPLOYMENT})

    assert message == (
        "aoai-deploy-example:deployments: is a mapping; it must be a list of deployments, each "
        "starting with '- ' and holding deploymentName and modelName"
    )


def test_a_single_string_where_the_list_belongs_is_named(pulumi_runtime, stack_config, run_main):
    message = _error(pulumi_runtime, stack_config, run_main, deployments="ft-gpt-4o-mini")

    assert message == (
        "aoai-deploy-example:deployments: must be a list of deployments, each starting with "
        "'- ' and "
        'holding deploymentName and modelName, not the string "ft-gpt-4o-mini"'
    )


def test_an_entry_that_is_not_an_object_is_named(pulumi_runtime, stack_config, run_main):
    message = _error(
        pulumi_runtime, stack_config, run_main, deployments=[A_DEPLOYMENT, "ft-gpt-4o-mini", 3]
    )

    assert message.splitlines() == [
        "aoai-deploy-example:deployments[1]: must be an object with deploymentName and modelName, "
        'not the string "ft-gpt-4o-mini"',
        "aoai-deploy-example:deployments[2]: must be an object with deploymentName and modelName, "
        "not the number 3",
    ]


@pytest.mark.parametrize("missing", ["modelName", "deploymentName"])
def test_an_entry_missing_a_required_key_is_named(missing, pulumi_runtime, stack_config, run_main):
    entry = {k: v for k, v in A_DEPLOYMENT.items() if k != missing}
    message = _error(pulumi_runtime, stack_config, run_main, deployments=[entry])

    assert message == (
        f"aoai-deploy-example:deployments[0].{missing}: missing; every deployment needs "
        "deploymentName and modelName"
    )


def test_a_misspelt_key_is_named_with_the_key_it_resembles(pulumi_runtime, stack_config, run_main):
    message = _error(
        pulumi_runtime, stack_config, run_main, deployments=[{**A_DEPLOYMENT, "skuCapcity": 2}]
    )

    assert message.startswith(
        "aoai-deploy-example:deployments[0].skuCapcity: unknown key; did you mean skuCapacity? "
        "A deployment takes deploymentName, modelName, modelVersion, "
    )
    assert "\n" not in message


def test_snake_case_keys_are_named_with_their_camel_case_spelling(
    pulumi_runtime, stack_config, run_main
):
    entry = {"deployment_name": "ft", "model_name": A_DEPLOYMENT["modelName"]}
    message = _error(pulumi_runtime, stack_config, run_main, deployments=[entry])

    lines = message.splitlines()
    assert lines[0].startswith(
        "aoai-deploy-example:deployments[0].deployment_name: unknown key; "
        "did you mean deploymentName?"
    )
    assert lines[1].startswith(
        "aoai-deploy-example:deployments[0].model_name: unknown key; did you mean modelName?"
    )
    assert lines[2:] == [
        "aoai-deploy-example:deployments[0].deploymentName: missing; every deployment needs "
        "deploymentName and modelName",
        "aoai-deploy-example:deployments[0].modelName: missing; every deployment needs "
        "deploymentName and modelName",
    ]


def test_a_bad_value_in_a_deployment_is_named_by_its_yaml_key(
    pulumi_runtime, stack_config, run_main
):
    message = _error(
        pulumi_runtime,
        stack_config,
        run_main,
        deployments=[{**A_DEPLOYMENT, "skuCapacity": 0, "versionUpgradeOption": "Sometimes"}],
    )

    lines = message.splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == [
        "aoai-deploy-example:deployments[0].skuCapacity",
        "aoai-deploy-example:deployments[0].versionUpgradeOption",
    ]
    assert lines[0] == (
        "aoai-deploy-example:deployments[0].skuCapacity: "
        "must be a whole number of at least 1, got 0"
    )


def test_a_repeated_deployment_name_points_at_the_first_entry_by_its_yaml_key(
    pulumi_runtime, stack_config, run_main
):
    twice = [A_DEPLOYMENT, {**A_DEPLOYMENT, "deploymentName": "FT"}]
    message = _error(pulumi_runtime, stack_config, run_main, deployments=twice)

    assert message == (
        "aoai-deploy-example:deployments[1].deploymentName: 'FT' is the name of "
        "aoai-deploy-example:deployments[0] again (Azure compares deployment names ignoring case)"
    )


def test_top_level_values_are_named_by_their_keys(pulumi_runtime, stack_config, run_main):
    message = _error(
        pulumi_runtime,
        stack_config,
        run_main,
        destinationTenantId="fabrikam.onmicrosoft.com",
        newAccountName="fabrikam-ft",
        newAccountResourceGroup="rg-new",
        newAccountLocation="eastus",
    )

    assert message.splitlines() == [
        "aoai-deploy-example:destinationAccountId: give either "
        "aoai-deploy-example:destinationAccountId (an existing account) or "
        "aoai-deploy-example:newAccountName (a new one), not both",
        "aoai-deploy-example:destinationTenantId: must be a tenant GUID such as "
        "11111111-1111-4111-8111-111111111111 (the tenant's id, not its domain name), got "
        "'fabrikam.onmicrosoft.com'",
    ]


def test_a_missing_principal_is_named_by_its_key_with_the_way_out(
    pulumi_runtime, stack_config, run_main
):
    message = _error(
        pulumi_runtime,
        stack_config,
        run_main,
        createRoleAssignments="true",
        destinationPrincipalObjectId="55555555-5555-4555-8555-555555555555",
    )

    assert message == (
        "aoai-deploy-example:sourcePrincipalObjectId: the deploying principal's object id in the "
        "source tenant is needed to create its role assignment (or set "
        "aoai-deploy-example:sourceRoleAssignmentManagedElsewhere where another stack grants it)"
    )


def test_a_bad_source_account_id_is_named_once(pulumi_runtime, stack_config, run_main):
    # The program needs the id's subscription for the source tenant's provider; an id that does
    # not parse is left to the component, which names it under its key.
    message = _error(
        pulumi_runtime,
        stack_config,
        run_main,
        sourceAccountId="contoso-ft-src",
        createRoleAssignments="true",
        sourcePrincipalObjectId="44444444-4444-4444-8444-444444444444",
        destinationPrincipalObjectId="55555555-5555-4555-8555-555555555555",
    )

    assert message.startswith("aoai-deploy-example:sourceAccountId: ")
    assert "\n" not in message


def test_the_subdomain_of_an_existing_account_is_refused_for_a_new_one(
    pulumi_runtime, stack_config, run_main
):
    message = _error(
        pulumi_runtime,
        stack_config,
        run_main,
        destinationAccountId="",
        newAccountName="fabrikam-ft",
        newAccountResourceGroup="rg-new",
        newAccountLocation="eastus",
    )

    assert message == (
        "aoai-deploy-example:destinationAccountSubdomain: only describes an existing account "
        "(aoai-deploy-example:destinationAccountId); "
        "for a new one set aoai-deploy-example:newAccountSubdomain"
    )


def test_an_empty_value_where_the_list_belongs_is_named(pulumi_runtime, stack_config, run_main):
    message = _error(pulumi_runtime, stack_config, run_main, deployments="")

    assert message == (
        "aoai-deploy-example:deployments: must be a list of deployments, each starting with "
        "'- ' and holding deploymentName and modelName, not an empty value"
    )


def test_a_misspelt_key_of_the_stack_is_named_with_the_key_it_was_meant_to_be(
    pulumi_runtime, stack_config, run_main
):
    # The CLI checks only the keys Pulumi.yaml declares; one it does not know goes unread.
    message = _error(
        pulumi_runtime, stack_config, run_main, destinationAcountSubdomain="fabrikam-aoai-eus"
    )

    assert message == (
        "aoai-deploy-example:destinationAcountSubdomain: not a setting of this stack; did you "
        "mean aoai-deploy-example:destinationAccountSubdomain? Pulumi.yaml and the README list "
        "the settings"
    )


def test_a_provider_setting_under_the_stacks_name_is_sent_to_the_providers_namespace(
    pulumi_runtime, stack_config, run_main
):
    message = _error(pulumi_runtime, stack_config, run_main, credential="cli")

    assert message == (
        "aoai-deploy-example:credential: not a setting of this stack; it is a setting of the "
        "aoai-deploy provider, in its own namespace: set aoai-deploy:credential instead"
    )


def test_a_setting_of_the_stack_still_under_the_old_project_name_says_where_it_goes(
    pulumi_runtime, stack_config, run_main
):
    # A stack file from before the example project had a name of its own.
    config = stack_config(STACK_FILE)
    config["aoai-deploy:sourceTenantId"] = config.pop("aoai-deploy-example:sourceTenantId")
    runtime = pulumi_runtime(project="aoai-deploy-example", stack="local", config=config)

    with pytest.raises(pulumi.RunError) as caught:
        run_main(runtime)

    assert str(caught.value) == (
        "aoai-deploy:sourceTenantId: a setting of this stack under the provider's namespace, "
        "from before the project was renamed: move it to aoai-deploy-example:sourceTenantId "
        '(README, "Migrating a stack of the example")'
    )


def test_the_providers_own_keys_are_settings_of_the_stack(pulumi_runtime, stack_config, run_main):
    config = stack_config(STACK_FILE)
    config["aoai-deploy:cloud"] = "AzureCloud"
    config["aoai-deploy:armEndpoint"] = "https://127.0.0.1:8443"
    runtime = pulumi_runtime(project="aoai-deploy-example", stack="local", config=config)

    run_main(runtime)

    assert any(r.type.endswith("CrossTenantDeployment") for r in runtime.registrations)


def test_the_program_under_the_old_project_name_says_to_rename_it(
    pulumi_runtime, stack_config, run_main
):
    config = {
        key.replace("aoai-deploy-example:", "aoai-deploy:"): value
        for key, value in stack_config(STACK_FILE).items()
    }
    runtime = pulumi_runtime(project="aoai-deploy", stack="local", config=config)

    with pytest.raises(pulumi.RunError) as caught:
        run_main(runtime)

    assert str(caught.value).startswith(
        "Pulumi.yaml: the project is named aoai-deploy, the provider's own namespace"
    )
    assert runtime.registrations == []
