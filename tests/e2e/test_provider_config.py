"""The provider checks its own namespace, with the real CLI (issue 15, items 2 and 9).

A user's own Python program (not the example, whose program checks its keys itself) with a
misspelt ``aoai-deploy`` key, or with ``staticTokens`` set without ``--secret``: preview fails
before anything is planned, naming the key and what to do, and nothing reaches the emulator.

The engine records the whole stack config (every namespace) as the inputs of the dynamic
resources' default provider (``pulumi:providers:pulumi-python``) in the state: a secret setting
stays encrypted there only if it was set as a secret. The dynamic provider's ``configure``
cannot tell (the SDK's plugin unwraps every value first), so the program refuses it before the
default provider is ever registered.
"""

from __future__ import annotations

import json

from e2e_project import Project
from seed_ids import DEST_ACCOUNT, DEST_TENANT

PROGRAM = """\
import pulumi
from aoai_deploy.providers import CrossTenantDeployment, CrossTenantDeploymentArgs

config = pulumi.Config()
chat = CrossTenantDeployment(
    "chat",
    CrossTenantDeploymentArgs(
        account_id=config.require("accountId"),
        deployment_name="chat",
        model_name="gpt-4o-mini",
        model_version="2024-07-18",
        tenant_id=config.require("tenantId"),
    ),
)
pulumi.export("id", chat.id)
"""


def own_program(project: Project, **provider: str) -> Project:
    """The program above in a project of the user's, with ``provider`` settings added."""
    config = {
        "aoai-deploy:credential": "static",
        "aoai-deploy:armEndpoint": project.emu.base_url,
        "aoai-deploy:caBundle": project.emu.ca_path,
        "mine:accountId": DEST_ACCOUNT,
        "mine:tenantId": DEST_TENANT,
        **{f"aoai-deploy:{key}": value for key, value in provider.items()},
    }
    project.init(config)
    return project


def test_a_misspelt_provider_key_fails_preview_with_the_setting_it_resembles(make_project):
    project = own_program(make_project(PROGRAM, name="mine"), caBundel="/tmp/ca.pem")
    project.emu.clear_log()

    result = project.cli("preview", check=False)

    assert result.code != 0
    assert result.output.count("aoai-deploy:caBundel is not a setting of the aoai-deploy") == 1
    assert "did you mean aoai-deploy:caBundle?" in result.output
    assert "Traceback" not in result.output
    assert project.emu.request_log == []


def test_static_tokens_set_without_secret_stop_the_program_with_the_command(make_project):
    project = own_program(make_project(PROGRAM, name="mine"))
    tokens = json.dumps(project.tokens)
    project.cli("config", "set", "aoai-deploy:staticTokens", stdin=tokens)  # no --secret
    project.emu.clear_log()

    result = project.cli("preview", check=False)

    assert result.code != 0
    assert result.output.count("aoai-deploy:staticTokens is not a secret") == 1, result.output
    assert (
        "`pulumi config set --secret aoai-deploy:staticTokens "
        '\'{"<tenant-id>": "<access token>", ...}\'`'
    ) in result.output
    assert "Traceback" not in result.output
    assert project.emu.request_log == []
    assert project.cli("up", "--yes", check=False).code != 0
    exported = project.cli.export()
    assert "pulumi:providers:pulumi-python" not in exported
    assert project.secrets_found(result.output, exported) == []


def test_the_whole_stack_config_reaches_the_state_and_secrets_only_encrypted(make_project):
    project = own_program(make_project(PROGRAM, name="mine"))

    project.cli("up", "--yes")

    exported = project.cli.export()
    resources = json.loads(exported)["deployment"]["resources"]
    (default,) = [r for r in resources if r["type"] == "pulumi:providers:pulumi-python"]
    assert default["inputs"]["aoai-deploy:credential"] == "static"
    assert set(default["inputs"]["aoai-deploy:staticTokens"]) >= {"ciphertext"}
    assert project.secrets_found(exported) == []
