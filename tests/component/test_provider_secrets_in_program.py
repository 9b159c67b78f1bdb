"""A secret provider setting stored in plain text stops the program that would use it.

The dynamic provider's ``configure`` gets every config value unwrapped (the SDK's plugin drops
the secret flag first), so it cannot tell ``aoai-deploy:clientSecret`` set with ``--secret``
from one set without. The program can: the CLI tells it which config keys are secrets, and
``CrossTenantDeployment`` refuses to be declared while a secret setting is in plain text
(issue 15, item 9), with the command that stores it as a secret.
"""

from __future__ import annotations

import json

import pulumi
import pytest

from aoai_deploy.providers import CrossTenantDeployment, CrossTenantDeploymentArgs
from seed_ids import DEST_ACCOUNT, DEST_TENANT, FT_MODEL

TOKENS = json.dumps({DEST_TENANT: "eyJhbGciOiJub25lIn0.eyJ0aWQiOiJ4In0."})
STATIC = {"aoai-deploy:credential": "static", "aoai-deploy:staticTokens": TOKENS}
CLIENT_SECRET = {
    "aoai-deploy:credential": "client-secret",
    "aoai-deploy:clientSecret": "plain-text-client-secret",
}


def declare() -> CrossTenantDeployment:
    return CrossTenantDeployment(
        "ft", CrossTenantDeploymentArgs(DEST_ACCOUNT, "ft", FT_MODEL, tenant_id=DEST_TENANT)
    )


@pytest.mark.parametrize(
    ("config", "key", "placeholder"),
    [
        (STATIC, "aoai-deploy:staticTokens", '\'{"<tenant-id>": "<access token>", ...}\''),
        (CLIENT_SECRET, "aoai-deploy:clientSecret", "<value>"),
    ],
)
def test_a_secret_setting_in_plain_text_stops_the_program_with_the_command(
    pulumi_runtime, config, key, placeholder
) -> None:
    runtime = pulumi_runtime(config=config)

    with pytest.raises(pulumi.RunError) as caught:
        runtime.run(declare)

    assert str(caught.value).startswith(f"{key} is not a secret")
    assert f"`pulumi config set --secret {key} {placeholder}`" in str(caught.value)
    assert config[key] not in str(caught.value)
    assert runtime.of_type("pulumi-python:dynamic/aoai:CrossTenantDeployment") == []


@pytest.mark.parametrize(
    ("config", "key"),
    [(STATIC, "aoai-deploy:staticTokens"), (CLIENT_SECRET, "aoai-deploy:clientSecret")],
)
def test_a_secret_setting_stored_as_a_secret_is_accepted(pulumi_runtime, config, key) -> None:
    runtime = pulumi_runtime(config=config, secret_keys=(key,))

    runtime.run(declare)

    assert len(runtime.of_type("pulumi-python:dynamic/aoai:CrossTenantDeployment")) == 1


def test_without_secret_settings_nothing_is_asked_of_the_config(pulumi_runtime) -> None:
    runtime = pulumi_runtime(config={"aoai-deploy:credential": "cli"})

    runtime.run(declare)

    assert len(runtime.of_type("pulumi-python:dynamic/aoai:CrossTenantDeployment")) == 1
