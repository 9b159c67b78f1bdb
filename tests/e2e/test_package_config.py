"""The package's provider configuration with the real CLI and a YAML program (examples/yaml).

Issue 15: a misspelt key (``aoai-deploy:credentail``) passed preview (item 2); a secret setting
set without ``--secret`` sat in plain text in the state, as an input of the provider resource
(item 9); the plugin took any number of Configure calls (item 8), which is safe to refuse only
because the engine sends one per plugin process, also for a program with an explicit provider
beside the default one; and a secret nested in an input (one tag) lost its secrecy on the way
to the state when only top-level secrets were kept (item 14).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from aoai_deploy.emulator import Emulator
from package_project import PackageProject
from seed_ids import DEST_ACCOUNT, DEST_TENANT, FT_MODEL, SOURCE_ACCOUNT, SOURCE_TENANT

pytestmark = pytest.mark.timeout(900)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "yaml"
PROVIDER_TYPE = "pulumi:providers:aoai-deploy"
CLIENT_SECRET = "plain-text-client-secret-0123"


@pytest.fixture
def project(tmp_path: Path, e2e_emulator: Emulator, pulumi_cli: Path) -> Iterator[PackageProject]:
    project = PackageProject.from_example(EXAMPLE, tmp_path, pulumi_cli, e2e_emulator)
    project.cli.config(
        {
            "fineTunedModel": FT_MODEL,
            "sourceAccountId": SOURCE_ACCOUNT,
            "sourceTenantId": SOURCE_TENANT,
            "destinationAccountId": DEST_ACCOUNT,
            "destinationTenantId": DEST_TENANT,
            "baseModelAccountId": SOURCE_ACCOUNT,
            "baseModelTenantId": SOURCE_TENANT,
        }
    )
    yield project
    assert project.secrets_found() == []


def edit_program(project: PackageProject, edit: Any) -> None:
    program = yaml.safe_load((project.directory / "Pulumi.yaml").read_text())
    edit(program)
    (project.directory / "Pulumi.yaml").write_text(yaml.safe_dump(program, sort_keys=False))


def test_a_misspelt_key_fails_preview_with_the_setting_it_resembles(
    project: PackageProject, e2e_emulator: Emulator
) -> None:
    project.cli("config", "set", "aoai-deploy:credentail", "static")
    e2e_emulator.clear_log()

    result = project.cli("preview", check=False)

    assert result.code != 0
    said = "aoai-deploy:credentail is not a setting of the aoai-deploy provider: did you mean "
    # Once in the diagnostics (the CLI's non-interactive rows repeat its first line above).
    diagnostics = result.output.split("Diagnostics:", 1)[1]
    assert diagnostics.count(said + "aoai-deploy:credential?") == 1, result.output
    assert "Traceback" not in result.output
    assert e2e_emulator.request_log == []


@pytest.mark.parametrize("key", ["clientSecret", "staticTokens"])
def test_a_secret_setting_in_plain_text_is_refused_and_never_reaches_the_state(
    project: PackageProject, e2e_emulator: Emulator, key: str
) -> None:
    if key == "clientSecret":
        secret = CLIENT_SECRET
        project.cli("config", "rm", "aoai-deploy:staticTokens")
        project.cli.config(
            {
                "aoai-deploy:credential": "client-secret",
                "aoai-deploy:clientId": "3333cccc-3333-4333-8333-33333333333c",
                "aoai-deploy:tenantId": DEST_TENANT,
            }
        )
    else:
        secret = json.dumps(project.tokens)
    # Without --secret; --plaintext, since the CLI refuses a key named like a secret otherwise.
    project.cli("config", "set", "--plaintext", f"aoai-deploy:{key}", stdin=secret)
    e2e_emulator.clear_log()

    preview = project.cli("preview", check=False)
    up = project.cli("up", "--yes", check=False)

    for result in (preview, up):
        assert result.code != 0
        assert f"aoai-deploy:{key} is not a secret" in result.output, result.output
        assert f"`pulumi config set --secret aoai-deploy:{key} " in result.output
        assert secret not in result.output
    exported = project.cli.export()
    assert secret not in exported
    assert PROVIDER_TYPE not in exported
    assert e2e_emulator.request_log == []


def test_an_explicit_provider_beside_the_default_one_is_configured_once_each(
    project: PackageProject, e2e_emulator: Emulator
) -> None:
    # Its own tokens: a configuration that differs from the default provider's, so that a
    # second Configure of one plugin process would be refused.
    tokens = {
        tenant: e2e_emulator.token(tenant, expires_in=3 * 3600)
        for tenant in (SOURCE_TENANT, DEST_TENANT)
    }
    project.tokens.update({f"explicit {t}": token for t, token in tokens.items()})

    def add_provider(program: dict[str, Any]) -> None:
        program["resources"]["explicit"] = {
            "type": PROVIDER_TYPE,
            "properties": {
                "armEndpoint": e2e_emulator.base_url,
                "caBundle": e2e_emulator.ca_path,
                "credential": "static",
                "staticTokens": {"fn::secret": json.dumps(tokens)},
            },
        }
        program["resources"]["base-model"]["options"] = {"provider": "${explicit}"}

    edit_program(project, add_provider)

    project.cli("up", "--yes")

    state = project.export()
    providers = [r for r in state["deployment"]["resources"] if r["type"] == PROVIDER_TYPE]
    assert sorted(r["urn"].rpartition("::")[2] for r in providers) == ["default", "explicit"]
    assert e2e_emulator.deployment(SOURCE_ACCOUNT, "gpt-4o-mini") is not None
    assert e2e_emulator.deployment(DEST_ACCOUNT, "support-bot") is not None
    project.cli("destroy", "--yes")


def test_a_secret_tag_of_a_deployment_reaches_the_state_encrypted(
    project: PackageProject, e2e_emulator: Emulator
) -> None:
    secret_tag = "cost-center-4711-is-secret"

    def tag(program: dict[str, Any]) -> None:
        program["resources"]["base-model"]["properties"]["tags"] = {
            "team": "support",
            "costCenter": {"fn::secret": secret_tag},
        }

    edit_program(project, tag)

    project.cli("up", "--yes")

    deployed = e2e_emulator.deployment(SOURCE_ACCOUNT, "gpt-4o-mini")
    assert deployed is not None
    assert deployed["tags"]["costCenter"] == secret_tag  # Azure gets the value itself
    exported = project.cli.export()
    assert secret_tag not in exported
    (base,) = [
        r
        for r in json.loads(exported)["deployment"]["resources"]
        if r["urn"].endswith("::base-model")
    ]
    for where in ("inputs", "outputs"):
        assert "ciphertext" in json.dumps(base[where]["tags"]), where
    project.cli("destroy", "--yes")
