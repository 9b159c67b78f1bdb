"""The ``aoai-deploy`` namespace belongs to the provider: what it refuses in it, all at once.

* a key that is no setting of the provider (a misspelt one above all) is refused with the
  nearest setting; the settings are those of the one table that documents them
  (``core.schema.CONFIG_FIELDS``, which the README and the package schema are checked against);
* ``clientSecret`` and ``staticTokens`` that did not arrive as secrets are refused with the
  ``pulumi config set --secret`` command, where the caller can tell;
* ids are GUIDs as a whole, not a GUID followed by anything;
* every problem is named in the one error of one run.
"""

from __future__ import annotations

import json
from collections.abc import Collection

import pytest
from test_config import APP, SECRET, TENANT_A, TOKEN_A

from aoai_deploy.providers.azure.config import CONFIG_KEYS, ProviderConfig
from aoai_deploy.providers.core.schema import CONFIG_FIELDS
from aoai_deploy.providers.errors import ConfigError

STATIC = {"credential": "static", "staticTokens": json.dumps({TENANT_A: TOKEN_A})}


def build(
    values: dict[str, str],
    *,
    also: dict[str, str] | None = None,
    plaintext: Collection[str] | None = None,
) -> ProviderConfig:
    """The configuration as a front builds it: ``values`` are ``aoai-deploy:*`` keys given
    without the namespace, ``also`` keys of other namespaces, all of them listed as present."""
    keyed = {f"aoai-deploy:{k}": v for k, v in values.items()} | (also or {})
    return ProviderConfig.from_getter(
        keyed.get,
        keys=keyed,
        plaintext=None if plaintext is None else {f"aoai-deploy:{k}" for k in plaintext},
    )


def refused(values: dict[str, str], **kwargs: object) -> str:
    with pytest.raises(ConfigError) as info:
        build(values, **kwargs)  # type: ignore[arg-type]
    return str(info.value)


# -- unknown keys --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("armEndpont", "armEndpoint"),
        ("credentail", "credential"),
        ("tenantID", "tenantId"),
        ("clientsecret", "clientSecret"),
        ("staticToken", "staticTokens"),
        ("allowCustomEndpoints", "allowCustomEndpoint"),
    ],
)
def test_a_misspelt_key_is_refused_with_the_setting_it_resembles(typo: str, meant: str) -> None:
    message = refused({**STATIC, typo: "x"})
    assert f"aoai-deploy:{typo} is not a setting of the aoai-deploy provider" in message
    assert f"did you mean aoai-deploy:{meant}?" in message
    assert f"pulumi config rm aoai-deploy:{typo}" in message


def test_a_key_like_no_setting_lists_the_settings_and_says_whose_namespace_it_is() -> None:
    message = refused({**STATIC, "sourceAccountId": "/subscriptions/x"})
    assert "aoai-deploy:sourceAccountId is not a setting of the aoai-deploy provider" in message
    assert "did you mean" not in message
    for field in CONFIG_FIELDS:
        assert field.name in message
    # A program's own keys live under its project's name, which is not the provider's.
    assert "project" in message


def test_the_value_of_an_unknown_key_is_never_repeated() -> None:
    assert SECRET not in refused({**STATIC, "clientSecrett": SECRET})


def test_every_documented_setting_is_known() -> None:
    # The settings are the documented table's, in its order; none of them is refused as
    # unknown (each is refused, if at all, for its value).
    assert [f"aoai-deploy:{f.name}" for f in CONFIG_FIELDS] == list(CONFIG_KEYS)
    values = {f.name: "x" for f in CONFIG_FIELDS}
    assert "is not a setting" not in refused(values)


def test_keys_of_other_namespaces_are_not_the_providers_business() -> None:
    other = {
        "my-project:deployments": "[]",
        "aoai-deploy-example:sourceAccountId": "/subscriptions/x",
        "azure-native:location": "eastus",
        "aoai-deployment:credentail": "x",  # another namespace that starts alike
    }
    assert build(STATIC, also=other).credential == "static"


def test_without_the_list_of_keys_nothing_is_refused_as_unknown() -> None:
    keyed = {"aoai-deploy:credential": "cli", "aoai-deploy:armEndpont": "https://x"}
    assert ProviderConfig.from_getter(keyed.get).credential == "cli"


# -- all at once ---------------------------------------------------------------------------


def test_every_problem_of_the_namespace_is_named_in_one_run() -> None:
    message = refused(
        {
            "cloud": "Mars",
            "credential": "password",
            "armEndpont": "https://127.0.0.1:8443",
            "tenantId": "not-a-guid",
            "caBundle": "/nonexistent/ca.pem",
        }
    )
    assert message.startswith("the aoai-deploy provider configuration has problems:\n")
    for said in (
        "aoai-deploy:cloud is 'Mars'",
        "aoai-deploy:credential is 'password'",
        "did you mean aoai-deploy:armEndpoint?",
        "aoai-deploy:tenantId is not a GUID",
        "aoai-deploy:caBundle is '/nonexistent/ca.pem'",
    ):
        assert said in message, said


def test_an_unknown_credential_kind_does_not_make_up_problems_of_the_keys_it_would_use() -> None:
    message = refused({"credential": "clientsecret", "clientId": APP, "tenantId": TENANT_A})
    assert message.startswith("aoai-deploy:credential is 'clientsecret'")
    assert "clientId" not in message.split("\n", 1)[0].split("which is not")[1]
    assert "is set but" not in message


# -- secrets must arrive as secrets --------------------------------------------------------

CLIENT_SECRET = {
    "credential": "client-secret",
    "clientId": APP,
    "tenantId": TENANT_A,
    "clientSecret": SECRET,
}


def test_a_client_secret_in_plain_text_is_refused_with_the_command_that_stores_it_secret() -> None:
    message = refused(CLIENT_SECRET, plaintext={"clientSecret"})
    assert message.startswith("aoai-deploy:clientSecret is not a secret")
    assert "`pulumi config set --secret aoai-deploy:clientSecret <value>`" in message
    assert SECRET not in message


def test_static_tokens_in_plain_text_are_refused_with_the_command_that_stores_them_secret() -> None:
    message = refused(STATIC, plaintext={"staticTokens", "credential"})
    assert message.startswith("aoai-deploy:staticTokens is not a secret")
    assert (
        "`pulumi config set --secret aoai-deploy:staticTokens "
        '\'{"<tenant-id>": "<access token>", ...}\'`'
    ) in message
    assert TOKEN_A not in message


def test_secrets_that_arrived_as_secrets_and_plain_settings_in_plain_text_are_accepted() -> None:
    plain = {"credential", "clientId", "tenantId"}
    assert build(CLIENT_SECRET, plaintext=plain).client_secret == SECRET
    assert build(STATIC, plaintext={"credential"}).static_tokens == ((TENANT_A, TOKEN_A),)


def test_where_the_caller_cannot_tell_secrecy_nothing_is_refused_for_it() -> None:
    assert build(CLIENT_SECRET, plaintext=None).client_secret == SECRET


def test_a_plain_text_secret_is_reported_with_the_other_problems() -> None:
    message = refused({**CLIENT_SECRET, "clientld": APP}, plaintext={"clientSecret"})
    assert "aoai-deploy:clientSecret is not a secret" in message
    assert "did you mean aoai-deploy:clientId?" in message


# -- ids are whole GUIDs -------------------------------------------------------------------

# A GUID followed by anything: what a prefix match (re.match, str.startswith) lets through.
TAILS = ["0", "-0", "x", "}", "/other", " extra", "\textra", "%0a", TENANT_A]


@pytest.mark.parametrize("tail", TAILS)
def test_a_tenant_id_that_only_starts_with_a_guid_is_refused(tail: str) -> None:
    message = refused({"credential": "cli", "tenantId": TENANT_A + tail})
    assert "aoai-deploy:tenantId is not a GUID" in message


@pytest.mark.parametrize("tail", TAILS)
def test_a_client_id_that_only_starts_with_a_guid_is_refused(tail: str) -> None:
    message = refused({"credential": "managed-identity", "clientId": APP + tail})
    assert "aoai-deploy:clientId is not a GUID" in message


@pytest.mark.parametrize("tail", TAILS)
def test_a_static_token_key_that_only_starts_with_a_guid_is_refused(tail: str) -> None:
    tokens = json.dumps({TENANT_A + tail: TOKEN_A})
    message = refused({"credential": "static", "staticTokens": tokens})
    assert "key number 1 is not a tenant id (a GUID)" in message


@pytest.mark.parametrize("head", ["x", "0", "{", " x"])
def test_a_tenant_id_that_only_ends_with_a_guid_is_refused(head: str) -> None:
    message = refused({"credential": "cli", "tenantId": head + TENANT_A})
    assert "aoai-deploy:tenantId is not a GUID" in message
