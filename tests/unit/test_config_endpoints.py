"""Where tokens may go: the configured cloud's own ARM, loopback, and nowhere else unless told.

``aoai-deploy:cloud`` decides whose tokens the credential mints (its authority and scope), so
another cloud's ARM endpoint is as foreign to them as any other host. A static token is exempt
only when it is what the emulator mints: unsigned (``alg: none``, no signature). A token
shaped like Entra's (signed, with a key id) is a real credential wherever it came from.
"""

from __future__ import annotations

import base64
import json
import logging

import pytest
from test_config import TENANT_A, TENANT_B

from aoai_deploy.emulator.tokens import mint
from aoai_deploy.providers.azure.clouds import CLOUDS
from aoai_deploy.providers.azure.config import ProviderConfig
from aoai_deploy.providers.errors import ConfigError

CUSTOM = "https://arm.example.test"
LOOPBACK = "https://127.0.0.1:8443"
CLAIMS = {"tid": TENANT_A, "appid": "app", "exp": 2_000_000_000}


def _segment(obj: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def token(
    header: dict[str, object], signature: str = "", claims: dict[str, object] = CLAIMS
) -> str:
    return f"{_segment(header)}.{_segment(claims)}.{signature}"


#: What Entra issues: RS256, a key id, a signature.
ENTRA_SHAPED = token({"typ": "JWT", "alg": "RS256", "kid": "k1"}, "c2lnbmF0dXJlLWJ5dGVz")
#: Token shapes that are not the emulator's unsigned ones, each a credential to protect.
NOT_UNSIGNED = {
    "RS256 with kid": ENTRA_SHAPED,
    "RS256 without kid": token({"typ": "JWT", "alg": "RS256"}, "c2ln"),
    "kid and alg none": token({"alg": "none", "kid": "k1"}, ""),
    "alg none with a signature": token({"alg": "none", "typ": "JWT"}, "c2ln"),
    "ES256": token({"alg": "ES256", "kid": "k"}, "c2ln"),
    "alg NONE": token({"alg": "NONE"}, ""),
    "no alg": token({"typ": "JWT"}, ""),
}
#: What emulator/tokens.py mints.
EMULATOR = mint(CLAIMS)


def config(**values: str) -> ProviderConfig:
    keyed = {f"aoai-deploy:{k}": v for k, v in values.items()}
    return ProviderConfig.from_getter(keyed.get)


def refused(**values: str) -> str:
    with pytest.raises(ConfigError) as info:
        config(**values)
    return str(info.value)


def static(tok: str, **values: str) -> dict[str, str]:
    return {"credential": "static", "staticTokens": json.dumps({TENANT_A: tok}), **values}


# -- another cloud's ARM -------------------------------------------------------------------

OTHER_CLOUDS = [
    ("AzureCloud", "https://management.usgovcloudapi.net"),
    ("AzureCloud", "https://management.chinacloudapi.cn"),
    ("AzureUSGovernment", "https://management.azure.com"),
    ("AzureChinaCloud", "https://management.usgovcloudapi.net"),
]


@pytest.mark.parametrize(("cloud", "endpoint"), OTHER_CLOUDS)
def test_another_clouds_arm_endpoint_is_refused_without_the_opt_in(
    cloud: str, endpoint: str
) -> None:
    message = refused(cloud=cloud, credential="cli", armEndpoint=endpoint)
    owner = next(c.name for c in CLOUDS.values() if c.arm_endpoint == endpoint)
    assert f"aoai-deploy:armEndpoint is '{endpoint}', the ARM endpoint of {owner}" in message
    assert f"aoai-deploy:cloud is {cloud}" in message
    assert f"`pulumi config set aoai-deploy:cloud {owner}`" in message


@pytest.mark.parametrize(("cloud", "endpoint"), OTHER_CLOUDS)
def test_another_clouds_arm_endpoint_is_refused_for_signed_static_tokens_too(
    cloud: str, endpoint: str
) -> None:
    message = refused(cloud=cloud, armEndpoint=endpoint, **static(ENTRA_SHAPED))
    assert "the ARM endpoint of" in message


@pytest.mark.parametrize(("cloud", "endpoint"), OTHER_CLOUDS)
def test_another_clouds_arm_endpoint_with_the_opt_in_is_accepted_with_a_warning(
    cloud: str, endpoint: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="aoai_deploy")
    cfg = config(cloud=cloud, credential="cli", armEndpoint=endpoint, allowCustomEndpoint="true")
    assert cfg.arm_endpoint == endpoint
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert endpoint.removeprefix("https://") in caplog.records[0].getMessage()


@pytest.mark.parametrize("cloud", [c.name for c in CLOUDS.values()])
def test_the_configured_clouds_own_endpoint_needs_no_opt_in(
    cloud: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="aoai_deploy")
    own = CLOUDS[cloud.lower()].arm_endpoint
    for tok in (ENTRA_SHAPED, EMULATOR):
        assert config(cloud=cloud, armEndpoint=own + ":443/", **static(tok)).arm_endpoint == own
    assert config(cloud=cloud, credential="cli", armEndpoint=own.upper()).arm_endpoint == own
    assert caplog.records == []


# -- static tokens: only the emulator's unsigned ones go anywhere without the opt-in -------


@pytest.mark.parametrize("shape", list(NOT_UNSIGNED))
def test_a_static_token_that_is_not_unsigned_is_not_sent_to_a_custom_host(shape: str) -> None:
    message = refused(armEndpoint=CUSTOM, **static(NOT_UNSIGNED[shape]))
    assert "aoai-deploy:armEndpoint is 'https://arm.example.test'" in message
    assert "signed" in message
    assert "`pulumi config set aoai-deploy:allowCustomEndpoint true`" in message
    assert NOT_UNSIGNED[shape] not in message


def test_one_signed_token_among_unsigned_ones_is_enough_to_refuse() -> None:
    tokens = {TENANT_A: EMULATOR, TENANT_B: token({"alg": "RS256", "kid": "k"}, "c2ln", {})}
    message = refused(credential="static", staticTokens=json.dumps(tokens), armEndpoint=CUSTOM)
    assert "signed" in message


def test_the_emulators_unsigned_tokens_go_to_a_custom_host_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="aoai_deploy")
    assert config(armEndpoint=CUSTOM, **static(EMULATOR)).arm_endpoint == CUSTOM
    assert [r.getMessage() for r in caplog.records] == [
        "aoai-deploy:armEndpoint: ARM requests and their tokens go to arm.example.test, "
        "which is not an Azure cloud's ARM endpoint (allowed: unsigned static tokens)"
    ]


@pytest.mark.parametrize("shape", list(NOT_UNSIGNED))
def test_any_static_token_goes_to_loopback(shape: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="aoai_deploy")
    assert config(armEndpoint=LOOPBACK, **static(NOT_UNSIGNED[shape])).arm_endpoint == LOOPBACK
    assert caplog.records == []


@pytest.mark.parametrize("shape", list(NOT_UNSIGNED))
def test_a_signed_static_token_goes_to_a_custom_host_with_the_opt_in(shape: str) -> None:
    cfg = config(armEndpoint=CUSTOM, allowCustomEndpoint="true", **static(NOT_UNSIGNED[shape]))
    assert cfg.arm_endpoint == CUSTOM
