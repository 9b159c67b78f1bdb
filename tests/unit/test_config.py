"""The ``aoai-deploy:*`` provider configuration: every rule, and every message it gives."""

from __future__ import annotations

import base64
import json
import logging
import pickle
from pathlib import Path

import pytest

from aoai_deploy.providers.azure.clouds import CLOUDS
from aoai_deploy.providers.azure.config import ProviderConfig
from aoai_deploy.providers.errors import ConfigError

TENANT_A = "1111aaaa-1111-4111-8111-11111111111a"
TENANT_B = "2222bbbb-2222-4222-8222-22222222222b"
APP = "3333cccc-3333-4333-8333-33333333333c"
SECRET = "s3cr3t-Client~Secret.Value"


def jwt(claims: dict[str, object]) -> str:
    def seg(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{seg({'alg': 'none', 'typ': 'JWT'})}.{seg(claims)}.c2lnbmF0dXJl"


TOKEN_A = jwt({"tid": TENANT_A, "appid": APP, "exp": 2_000_000_000})
TOKEN_B = jwt({"tid": TENANT_B, "appid": APP, "exp": 2_000_000_000})


def config(**values: str) -> ProviderConfig:
    """The configuration from keys given without their namespace (``cloud=...``)."""
    keyed = {f"aoai-deploy:{k}": v for k, v in values.items()}
    return ProviderConfig.from_getter(keyed.get)


def config_error(**values: str) -> str:
    with pytest.raises(ConfigError) as info:
        config(**values)
    return str(info.value)


@pytest.fixture
def ca_file(tmp_path: Path) -> Path:
    path = tmp_path / "ca.pem"
    path.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    return path


# -- cloud ---------------------------------------------------------------------------------


def test_nothing_set_means_azure_public_cloud_and_the_default_credential() -> None:
    cfg = config()
    assert cfg.cloud == "AzureCloud"
    assert cfg.arm_endpoint == "https://management.azure.com"
    assert cfg.authority_host == "login.microsoftonline.com"
    assert cfg.token_scope == "https://management.azure.com/.default"
    assert cfg.host == "management.azure.com"
    assert cfg.credential == "default"
    assert cfg.ca_bundle is None
    assert cfg.verify is True


@pytest.mark.parametrize(
    ("value", "name", "arm", "authority"),
    [
        ("AzureCloud", "AzureCloud", "https://management.azure.com", "login.microsoftonline.com"),
        (
            "azureusgovernment",
            "AzureUSGovernment",
            "https://management.usgovcloudapi.net",
            "login.microsoftonline.us",
        ),
        (
            "AZURECHINACLOUD",
            "AzureChinaCloud",
            "https://management.chinacloudapi.cn",
            "login.chinacloudapi.cn",
        ),
    ],
)
def test_cloud_sets_endpoint_authority_and_scope_case_insensitively(
    value: str, name: str, arm: str, authority: str
) -> None:
    cfg = config(cloud=value)
    assert (cfg.cloud, cfg.arm_endpoint, cfg.authority_host) == (name, arm, authority)
    assert cfg.token_scope == f"{arm}/.default"
    assert cfg.host == arm.removeprefix("https://")


def test_unknown_cloud_names_the_key_and_the_choices() -> None:
    message = config_error(cloud="AzureGermanCloud")
    assert "aoai-deploy:cloud" in message
    assert "AzureGermanCloud" in message
    for cloud in CLOUDS.values():
        assert cloud.name in message


def test_empty_value_counts_as_unset() -> None:
    assert config(cloud="", credential="  ").credential == "default"


# -- armEndpoint ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "normalized", "host"),
    [
        ("https://127.0.0.1:8443/", "https://127.0.0.1:8443", "127.0.0.1:8443"),
        ("https://ARM.Example.COM", "https://arm.example.com", "arm.example.com"),
        ("HTTPS://arm.example.com:443/", "https://arm.example.com", "arm.example.com"),
        ("https://[::1]:9000", "https://[::1]:9000", "[::1]:9000"),
    ],
)
def test_arm_endpoint_is_normalized_without_trailing_slash(
    value: str, normalized: str, host: str
) -> None:
    cfg = config(armEndpoint=value, allowCustomEndpoint="true")
    assert cfg.arm_endpoint == normalized
    assert cfg.host == host


def test_arm_endpoint_override_keeps_the_clouds_token_scope() -> None:
    cfg = config(cloud="AzureUSGovernment", armEndpoint="https://127.0.0.1:8443")
    assert cfg.token_scope == "https://management.usgovcloudapi.net/.default"
    assert cfg.authority_host == "login.microsoftonline.us"


def test_plain_http_arm_endpoint_is_refused_with_the_reason() -> None:
    message = config_error(armEndpoint="http://127.0.0.1:8080")
    assert "aoai-deploy:armEndpoint" in message
    assert "plain http is refused" in message
    assert "https://" in message


@pytest.mark.parametrize(
    "value",
    [
        "https://arm.example.com/subscriptions",
        "https://arm.example.com/?x=1",
        "https://arm.example.com#frag",
        "https://arm.example.com/?",
    ],
)
def test_arm_endpoint_with_path_query_or_fragment_is_refused(value: str) -> None:
    message = config_error(armEndpoint=value)
    assert "aoai-deploy:armEndpoint" in message
    assert "path, query or fragment" in message


@pytest.mark.parametrize("value", ["ftp://arm.example.com", "arm.example.com", "https://"])
def test_arm_endpoint_that_is_not_an_https_url_is_refused(value: str) -> None:
    message = config_error(armEndpoint=value)
    assert "aoai-deploy:armEndpoint" in message
    assert "not an https:// URL" in message


def test_arm_endpoint_with_bad_port_is_refused() -> None:
    assert "not a valid URL" in config_error(armEndpoint="https://arm.example.com:99999")


def test_arm_endpoint_with_user_info_is_refused_without_echoing_it() -> None:
    message = config_error(armEndpoint="https://user:hunter2pass@arm.example.com")
    assert "aoai-deploy:armEndpoint" in message
    assert "user info" in message
    assert "hunter2pass" not in message


def test_is_arm_url_pins_scheme_host_and_port() -> None:
    cfg = config(armEndpoint="https://127.0.0.1:8443")
    assert cfg.is_arm_url("https://127.0.0.1:8443/subscriptions/x?api-version=1")
    assert not cfg.is_arm_url("http://127.0.0.1:8443/subscriptions/x")
    assert not cfg.is_arm_url("https://127.0.0.1:9443/subscriptions/x")
    assert not cfg.is_arm_url("https://evil.example.com/subscriptions/x")
    assert not cfg.is_arm_url("https://127.0.0.1:8443@evil.example.com/")
    assert not cfg.is_arm_url("https://127.0.0.1:bad/")
    public = config()
    assert public.is_arm_url("https://MANAGEMENT.azure.com:443/providers")
    assert not public.is_arm_url("https://management.azure.com.evil.example.com/")


# -- a custom armEndpoint gets real tokens only when that is meant ---------------------------

CUSTOM = "https://arm.example.test"
TOKEN_KINDS = ["default", "cli", "workload-identity", "managed-identity"]


@pytest.mark.parametrize("kind", TOKEN_KINDS)
def test_custom_endpoint_with_a_credential_that_mints_real_tokens_is_refused(kind: str) -> None:
    message = config_error(credential=kind, armEndpoint=CUSTOM + ":8443")
    assert message == (
        "aoai-deploy:armEndpoint is 'https://arm.example.test:8443', which is not the ARM "
        f"endpoint of an Azure cloud: credential '{kind}' would send it real Entra tokens. "
        "For a local emulator use a loopback address (https://127.0.0.1:<port>); with "
        "unsigned tokens minted for it, use `aoai-deploy:credential static`; to send them to "
        "arm.example.test:8443 on purpose, run `pulumi config set "
        "aoai-deploy:allowCustomEndpoint true`"
    )


def test_custom_endpoint_with_client_secret_is_refused_without_echoing_the_secret() -> None:
    message = config_error(
        credential="client-secret",
        clientId=APP,
        clientSecret=SECRET,
        tenantId=TENANT_A,
        armEndpoint=CUSTOM,
    )
    assert "credential 'client-secret' would send it real Entra tokens" in message
    assert SECRET not in message


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://127.0.0.1:8443",
        "https://127.0.0.2",
        "https://127.255.0.9:1",
        "https://[::1]:9000",
        "https://localhost:8443",
        "https://LOCALHOST",
    ],
)
def test_loopback_endpoint_needs_no_opt_in_and_warns_nothing(
    endpoint: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="aoai_deploy")
    assert config(credential="cli", armEndpoint=endpoint).arm_endpoint == endpoint.lower()
    assert caplog.records == []


@pytest.mark.parametrize(
    ("cloud", "endpoint"),
    [
        ("AzureCloud", "https://management.azure.com"),
        ("AzureUSGovernment", "https://management.usgovcloudapi.net:443/"),
        ("AzureChinaCloud", "https://MANAGEMENT.chinacloudapi.cn"),
    ],
)
def test_the_clouds_own_endpoint_is_not_custom(
    cloud: str, endpoint: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Another cloud's endpoint is: tests/unit/test_config_endpoints.py.
    caplog.set_level(logging.DEBUG, logger="aoai_deploy")
    config(cloud=cloud, credential="cli", armEndpoint=endpoint)
    assert caplog.records == []


@pytest.mark.parametrize(
    "lookalike",
    [
        "https://management.azure.com.evil.example",
        "https://127.0.0.1.nip.io",
        "https://localhost.example.test",
        "https://[::ffff:127.0.0.1]",
        "https://0.0.0.0:8443",
    ],
)
def test_hosts_that_only_look_loopback_or_azure_need_the_opt_in(lookalike: str) -> None:
    assert "is not the ARM endpoint of an Azure cloud" in config_error(armEndpoint=lookalike)


def test_custom_endpoint_with_unsigned_static_tokens_is_accepted_with_a_warning_naming_the_host(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="aoai_deploy")
    unsigned = TOKEN_A.rpartition(".")[0] + "."  # as the emulator mints them: no signature
    cfg = config(
        credential="static", staticTokens=json.dumps({TENANT_A: unsigned}), armEndpoint=CUSTOM
    )
    assert cfg.arm_endpoint == CUSTOM
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (
            logging.WARNING,
            "aoai-deploy:armEndpoint: ARM requests and their tokens go to arm.example.test, "
            "which is not an Azure cloud's ARM endpoint (allowed: unsigned static tokens)",
        )
    ]


def test_custom_endpoint_with_the_opt_in_is_accepted_with_a_warning_naming_the_host(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="aoai_deploy")
    cfg = config(credential="cli", armEndpoint=CUSTOM + ":9443", allowCustomEndpoint="True")
    assert cfg.arm_endpoint == CUSTOM + ":9443"
    assert [r.getMessage() for r in caplog.records] == [
        "aoai-deploy:armEndpoint: ARM requests and their tokens go to arm.example.test:9443, "
        "which is not an Azure cloud's ARM endpoint (allowed: "
        "aoai-deploy:allowCustomEndpoint true)"
    ]


def test_the_opt_in_set_to_false_still_refuses() -> None:
    message = config_error(credential="cli", armEndpoint=CUSTOM, allowCustomEndpoint="false")
    assert "is not the ARM endpoint of an Azure cloud" in message


@pytest.mark.parametrize("value", ["yes", "1", "true\nfalse"])
def test_the_opt_in_takes_true_or_false_only(value: str) -> None:
    message = config_error(credential="cli", armEndpoint=CUSTOM, allowCustomEndpoint=value)
    assert "aoai-deploy:allowCustomEndpoint must be true or false" in message


def test_the_opt_in_without_an_endpoint_is_refused_as_doing_nothing() -> None:
    assert config_error(allowCustomEndpoint="true") == (
        "aoai-deploy:allowCustomEndpoint is set but aoai-deploy:armEndpoint is not, so it does "
        "nothing: remove it (`pulumi config rm aoai-deploy:allowCustomEndpoint`)"
    )


# -- caBundle ------------------------------------------------------------------------------


def test_ca_bundle_is_checked_and_made_absolute(
    ca_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ca_file.parent)
    cfg = config(caBundle="ca.pem")
    assert cfg.ca_bundle == str(ca_file)
    assert cfg.verify == str(ca_file)


def test_missing_ca_bundle_is_refused(tmp_path: Path) -> None:
    message = config_error(caBundle=str(tmp_path / "nope.pem"))
    assert "aoai-deploy:caBundle" in message
    assert "not an existing file" in message


def test_ca_bundle_that_is_a_directory_is_refused(tmp_path: Path) -> None:
    assert "not an existing file" in config_error(caBundle=str(tmp_path))


def test_ca_bundle_without_a_certificate_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "key.pem"
    path.write_text("-----BEGIN PRIVATE KEY-----\n")
    message = config_error(caBundle=str(path))
    assert "aoai-deploy:caBundle" in message
    assert "no PEM certificate" in message


# -- credential ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", ["default", "cli", "workload-identity", "managed-identity", "Managed-Identity"]
)
def test_credential_kinds_without_required_keys(kind: str) -> None:
    assert config(credential=kind).credential == kind.lower()


def test_unknown_credential_kind_lists_the_kinds() -> None:
    message = config_error(credential="password")
    assert "aoai-deploy:credential is 'password'" in message
    for kind in ("default", "cli", "client-secret", "workload-identity", "managed-identity"):
        assert kind in message
    assert "static" in message


def test_client_secret_credential_with_everything_set() -> None:
    cfg = config(
        credential="client-secret", clientId=APP.upper(), clientSecret=SECRET, tenantId=TENANT_A
    )
    assert (cfg.credential, cfg.client_id, cfg.tenant_id) == ("client-secret", APP, TENANT_A)
    assert cfg.client_secret == SECRET


def test_client_secret_credential_without_secret_says_how_to_set_it() -> None:
    message = config_error(credential="client-secret", clientId=APP, tenantId=TENANT_A)
    assert message == (
        "aoai-deploy:credential is 'client-secret' but aoai-deploy:clientSecret is not set: "
        "run `pulumi config set --secret aoai-deploy:clientSecret <value>`"
    )


def test_client_secret_credential_without_client_id_says_how_to_set_it() -> None:
    message = config_error(credential="client-secret", clientSecret=SECRET, tenantId=TENANT_A)
    assert "aoai-deploy:clientId is not set" in message
    assert "pulumi config set aoai-deploy:clientId" in message
    assert SECRET not in message


def test_client_secret_credential_without_tenant_id_says_how_to_set_it() -> None:
    message = config_error(credential="client-secret", clientId=APP, clientSecret=SECRET)
    assert "aoai-deploy:tenantId is not set" in message
    assert "pulumi config set aoai-deploy:tenantId" in message


def test_every_problem_is_reported_at_once() -> None:
    message = config_error(cloud="Mars", credential="client-secret")
    assert "aoai-deploy:cloud" in message
    assert "aoai-deploy:clientId is not set" in message
    assert "aoai-deploy:clientSecret is not set" in message
    assert "aoai-deploy:tenantId is not set" in message


def test_client_secret_set_for_another_credential_is_refused_without_echoing_it() -> None:
    message = config_error(credential="cli", clientSecret=SECRET)
    assert "aoai-deploy:clientSecret is set but aoai-deploy:credential is 'cli'" in message
    assert "pulumi config rm aoai-deploy:clientSecret" in message
    assert SECRET not in message


def test_client_id_that_is_not_a_guid_is_refused_without_echoing_it() -> None:
    message = config_error(credential="managed-identity", clientId=SECRET)
    assert "aoai-deploy:clientId is not a GUID" in message
    assert SECRET not in message


@pytest.mark.parametrize("kind", ["cli", "static"])
def test_client_id_with_a_credential_that_ignores_it_is_refused(kind: str) -> None:
    assert "aoai-deploy:clientId is set but" in config_error(credential=kind, clientId=APP)


@pytest.mark.parametrize("kind", ["managed-identity", "workload-identity", "default"])
def test_client_id_is_optional_for_identities_that_use_it(kind: str) -> None:
    assert config(credential=kind, clientId=APP).client_id == APP


@pytest.mark.parametrize("kind", ["default", "managed-identity"])
def test_tenant_id_with_a_credential_that_ignores_it_is_refused(kind: str) -> None:
    assert "aoai-deploy:tenantId is set but" in config_error(credential=kind, tenantId=TENANT_A)


def test_tenant_id_must_be_a_guid() -> None:
    assert "aoai-deploy:tenantId is not a GUID" in config_error(credential="cli", tenantId="x")


def test_tenant_id_is_lower_cased() -> None:
    assert config(credential="cli", tenantId=TENANT_A.upper()).tenant_id == TENANT_A


# -- staticTokens --------------------------------------------------------------------------


def test_static_tokens_are_read_per_tenant() -> None:
    cfg = config(
        credential="static", staticTokens=json.dumps({TENANT_A.upper(): TOKEN_A, TENANT_B: TOKEN_B})
    )
    assert cfg.static_tenants == (TENANT_A, TENANT_B)
    assert cfg.static_token(TENANT_A.upper()) == TOKEN_A
    assert cfg.static_token(TENANT_B) == TOKEN_B
    assert cfg.static_token("99999999-9999-4999-8999-999999999999") is None


def test_static_credential_without_tokens_says_how_to_set_them() -> None:
    message = config_error(credential="static")
    assert "aoai-deploy:credential is 'static' but aoai-deploy:staticTokens is not set" in message
    assert "pulumi config set --secret aoai-deploy:staticTokens" in message


def test_static_tokens_for_another_credential_are_refused_without_echoing_them() -> None:
    message = config_error(staticTokens=json.dumps({TENANT_A: TOKEN_A}))
    assert "aoai-deploy:staticTokens is set but aoai-deploy:credential is 'default'" in message
    assert TOKEN_A not in message


def test_static_tokens_that_are_not_json_are_refused_without_echoing_them() -> None:
    raw = '{"' + TENANT_A + '": ' + TOKEN_A + "}"
    message = config_error(credential="static", staticTokens=raw)
    assert "aoai-deploy:staticTokens is not valid JSON" in message
    assert TOKEN_A not in message
    assert TOKEN_A.split(".")[1] not in message


@pytest.mark.parametrize("raw", ["[]", "{}", '"token"'])
def test_static_tokens_must_be_a_non_empty_object(raw: str) -> None:
    assert "non-empty JSON object" in config_error(credential="static", staticTokens=raw)


def test_static_token_keys_must_be_tenant_ids_and_are_not_echoed() -> None:
    # Keys and values swapped: the key is a token, which must not show up in the message.
    message = config_error(credential="static", staticTokens=json.dumps({TOKEN_A: TENANT_A}))
    assert "key number 1 is not a tenant id" in message
    assert TOKEN_A not in message


@pytest.mark.parametrize("value", ["not-a-jwt", "a.b", "YWJj.!!!.c2ln", "YWJj.YWJj.c2ln", 42])
def test_static_token_values_must_look_like_jwts_and_are_not_echoed(value: object) -> None:
    message = config_error(credential="static", staticTokens=json.dumps({TENANT_A: value}))
    assert f"the value for tenant {TENANT_A} is not an access token" in message
    assert str(value) not in message


def test_static_token_under_the_wrong_tenant_is_refused() -> None:
    message = config_error(credential="static", staticTokens=json.dumps({TENANT_A: TOKEN_B}))
    assert f"the token under tenant {TENANT_A} was issued by tenant {TENANT_B}" in message
    assert TOKEN_B not in message


def test_static_token_named_twice_is_refused() -> None:
    raw = json.dumps({TENANT_A: TOKEN_A, TENANT_A.upper(): TOKEN_A})
    assert f"names tenant {TENANT_A} twice" in config_error(credential="static", staticTokens=raw)


# -- whole strings only: a trailing line break is refused ---------------------------------
# `$` also matches before a string's final line break, so `re.match("^...$", "x\n")` accepts
# "x\n"; the values inside staticTokens are not stripped, so each must match as a whole.


def test_static_token_with_a_trailing_line_break_is_refused_without_echoing_it() -> None:
    message = config_error(credential="static", staticTokens=json.dumps({TENANT_A: TOKEN_A + "\n"}))
    assert f"the value for tenant {TENANT_A} is not an access token" in message
    assert TOKEN_A not in message


def test_static_token_tenant_with_a_trailing_line_break_is_refused() -> None:
    message = config_error(credential="static", staticTokens=json.dumps({TENANT_A + "\n": TOKEN_A}))
    assert "aoai-deploy:staticTokens: key number 1 is not a tenant id (a GUID)" in message


def test_top_level_values_are_trimmed_so_a_line_break_never_reaches_use() -> None:
    cfg = config(credential="cli", tenantId=TENANT_A + "\n")
    assert cfg.tenant_id == TENANT_A


# -- secrets stay out ----------------------------------------------------------------------


def test_repr_and_str_carry_no_secret() -> None:
    secret_cfg = config(
        credential="client-secret", clientId=APP, clientSecret=SECRET, tenantId=TENANT_A
    )
    static_cfg = config(credential="static", staticTokens=json.dumps({TENANT_A: TOKEN_A}))
    for text in (repr(secret_cfg), str(secret_cfg), repr(static_cfg), str(static_cfg)):
        assert SECRET not in text
        assert TOKEN_A not in text
    assert APP in repr(secret_cfg)


def test_config_refuses_to_be_pickled() -> None:
    cfg = config(credential="client-secret", clientId=APP, clientSecret=SECRET, tenantId=TENANT_A)
    with pytest.raises(TypeError, match="never pickled") as info:
        pickle.dumps(cfg)
    assert SECRET not in str(info.value)


def test_configs_compare_and_hash_by_value() -> None:
    assert config(cloud="azurecloud") == config()
    assert hash(config(cloud="azurecloud")) == hash(config())
    assert config(cloud="AzureChinaCloud") != config()
