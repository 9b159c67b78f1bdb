"""Per-tenant tokens: the cache, static tokens, JWT claims, cross-tenant preflight, the
auxiliary header, and which azure-identity credential each configuration builds."""

from __future__ import annotations

import base64
import io
import json
import logging
import pickle
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import azure.identity as identity
import pytest
import requests
import requests.adapters
import urllib3
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError

from aoai_deploy.providers.azure.config import ProviderConfig
from aoai_deploy.providers.azure.credentials import (
    FederatedTokenFile,
    FederatedTokenFileCredential,
    build_credential,
    credential_spec,
)
from aoai_deploy.providers.azure.tokens import (
    EXPIRY_MARGIN_SECONDS,
    REFRESH_BEFORE_SECONDS,
    TokenProvider,
    auxiliary_header,
    preflight_cross_tenant,
    token_claims,
)
from aoai_deploy.providers.errors import AuthError, ConfigError

HOME = "1111aaaa-1111-4111-8111-11111111111a"  # the credential's own tenant (source)
OTHER = "2222bbbb-2222-4222-8222-22222222222b"  # the destination tenant
APP = "3333cccc-3333-4333-8333-33333333333c"
OTHER_APP = "6666dddd-6666-4666-8666-66666666666d"
SECRET = "s3cr3t-Client~Secret.Value"
NOW = 1_700_000_000.0


def jwt(**claims: object) -> str:
    def seg(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{seg({'alg': 'none', 'typ': 'JWT'})}.{seg(claims)}.c2lnbmF0dXJl"


class Clock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class FakeCredential:
    """Issues a fresh JWT per call for the tenant asked (its home tenant when none), valid
    ``lifetime`` seconds from the clock; records every call."""

    def __init__(
        self,
        clock: Clock,
        *,
        home: str = HOME,
        lifetime: int = 3600,
        app: str = APP,
        gate: Callable[[], object] | None = None,
    ) -> None:
        self.clock = clock
        self.home = home
        self.lifetime = lifetime
        self.app = app
        self.gate = gate
        self.calls: list[tuple[tuple[str, ...], str | None]] = []
        self.failure: Exception | None = None
        self.ignore_tenant = False
        self.issued: list[str] = []
        self._lock = threading.Lock()

    def get_token(self, *scopes: str, tenant_id: str | None = None) -> AccessToken:
        with self._lock:
            self.calls.append((scopes, tenant_id))
            number = len(self.calls)
        if self.gate is not None:
            self.gate()
        if self.failure is not None:
            raise self.failure
        tenant = self.home if tenant_id is None or self.ignore_tenant else tenant_id
        exp = int(self.clock()) + self.lifetime
        token = jwt(tid=tenant, appid=self.app, exp=exp, n=number)
        with self._lock:
            self.issued.append(token)
        return AccessToken(token, exp)


def make_config(**values: str) -> ProviderConfig:
    keyed = {f"aoai-deploy:{k}": v for k, v in values.items()}
    return ProviderConfig.from_getter(keyed.get)


def provider(
    fake: FakeCredential, clock: Clock, **values: str
) -> tuple[TokenProvider, list[ProviderConfig]]:
    built: list[ProviderConfig] = []

    def factory(cfg: ProviderConfig) -> FakeCredential:
        built.append(cfg)
        return fake

    return TokenProvider(make_config(**values), clock=clock, credential_factory=factory), built


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cred(clock: Clock) -> FakeCredential:
    return FakeCredential(clock)


# -- the cache -----------------------------------------------------------------------------


def test_second_request_for_a_tenant_is_served_from_the_cache(
    cred: FakeCredential, clock: Clock
) -> None:
    tokens, _ = provider(cred, clock)
    first = tokens.token(OTHER)
    clock.now += 3600 - REFRESH_BEFORE_SECONDS - 1
    assert tokens.token(OTHER) == first
    assert tokens.acquisitions == {OTHER: 1}
    assert cred.calls == [(("https://management.azure.com/.default",), OTHER)]


def test_token_is_refreshed_when_less_than_five_minutes_are_left(
    cred: FakeCredential, clock: Clock
) -> None:
    tokens, _ = provider(cred, clock)
    first = tokens.token(OTHER)
    clock.now += 3600 - REFRESH_BEFORE_SECONDS + 1
    second = tokens.token(OTHER)
    assert second != first
    assert tokens.acquisitions == {OTHER: 2}


def test_each_tenant_has_its_own_cache_entry(cred: FakeCredential, clock: Clock) -> None:
    tokens, _ = provider(cred, clock)
    to_home, to_other = tokens.token(HOME), tokens.token(OTHER.upper())
    assert token_claims(to_home)["tid"] == HOME
    assert token_claims(to_other)["tid"] == OTHER
    assert tokens.token(HOME) == to_home
    assert tokens.token(OTHER) == to_other
    assert tokens.acquisitions == {HOME: 1, OTHER: 1}
    assert [tenant for _, tenant in cred.calls] == [HOME, OTHER]


def test_scope_follows_the_cloud(cred: FakeCredential, clock: Clock) -> None:
    tokens, _ = provider(cred, clock, cloud="AzureChinaCloud")
    tokens.token(OTHER)
    assert cred.calls == [(("https://management.chinacloudapi.cn/.default",), OTHER)]


def test_concurrent_first_requests_for_one_tenant_make_one_acquisition(clock: Clock) -> None:
    # get_token holds until eight calls are inside it, or 0.3 s: with the per-tenant lock only
    # one ever gets in; without it all eight would.
    inside = threading.Semaphore(0)
    all_in = threading.Event()
    count = [0]
    count_lock = threading.Lock()

    def gate() -> None:
        with count_lock:
            count[0] += 1
            if count[0] == 8:
                all_in.set()
        inside.release()
        all_in.wait(timeout=0.3)

    cred = FakeCredential(clock, gate=gate)
    tokens, _ = provider(cred, clock)
    start = threading.Barrier(8)
    results: list[str] = []
    results_lock = threading.Lock()

    def worker() -> None:
        start.wait()
        token = tokens.token(OTHER)
        with results_lock:
            results.append(token)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert len(results) == 8
    assert len(set(results)) == 1
    assert len(cred.calls) == 1
    assert tokens.acquisitions == {OTHER: 1}


def test_different_tenants_acquire_in_parallel(clock: Clock) -> None:
    # Each get_token waits for the other: that only succeeds when both run at once.
    both_in = threading.Barrier(2, timeout=5)
    cred = FakeCredential(clock, gate=both_in.wait)
    tokens, _ = provider(cred, clock)
    threads = [threading.Thread(target=tokens.token, args=(t,)) for t in (HOME, OTHER)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert not both_in.broken
    assert tokens.acquisitions == {HOME: 1, OTHER: 1}


def test_failed_refresh_falls_back_to_the_still_valid_cached_token(
    cred: FakeCredential, clock: Clock
) -> None:
    tokens, _ = provider(cred, clock)
    first = tokens.token(OTHER)
    clock.now += 3600 - REFRESH_BEFORE_SECONDS + 10
    cred.failure = ClientAuthenticationError("AADSTS700082: expired refresh token")
    assert tokens.token(OTHER) == first
    clock.now += REFRESH_BEFORE_SECONDS - EXPIRY_MARGIN_SECONDS
    with pytest.raises(AuthError, match="AADSTS700082"):
        tokens.token(OTHER)


def test_invalidate_forces_a_new_acquisition(cred: FakeCredential, clock: Clock) -> None:
    tokens, _ = provider(cred, clock)
    first = tokens.token(OTHER)
    tokens.invalidate(OTHER.upper())
    assert tokens.token(OTHER) != first
    assert tokens.acquisitions == {OTHER: 2}


def test_credential_is_built_once_and_only_when_a_token_is_needed(
    cred: FakeCredential, clock: Clock
) -> None:
    tokens, built = provider(cred, clock)
    assert built == []
    tokens.token(HOME)
    tokens.token(OTHER)
    assert len(built) == 1


def test_acquisitions_are_logged_with_tenant_and_expiry_only(
    cred: FakeCredential, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    tokens, _ = provider(cred, clock)
    with caplog.at_level(logging.DEBUG, logger="aoai_deploy"):
        token = tokens.token(OTHER)
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("aoai_deploy")]
    assert any(OTHER in line and "2023-11-14T23:13:20Z" in line for line in lines)
    assert all(token not in line and token.split(".")[1] not in line for line in lines)


# -- the home tenant -----------------------------------------------------------------------


def test_home_tenant_comes_from_the_tid_of_a_token_asked_without_tenant(
    cred: FakeCredential, clock: Clock
) -> None:
    tokens, _ = provider(cred, clock)
    token = tokens.token(None)
    assert tokens.home_tenant() == HOME
    assert token_claims(token)["tid"] == HOME
    assert tokens.token(HOME) == token  # the home token is cached under its tenant
    assert cred.calls == [(("https://management.azure.com/.default",), None)]
    assert tokens.acquisitions == {HOME: 1}


def test_configured_tenant_id_is_the_home_tenant_without_asking(
    cred: FakeCredential, clock: Clock
) -> None:
    tokens, _ = provider(cred, clock, credential="cli", tenantId=OTHER)
    assert tokens.home_tenant() == OTHER
    assert cred.calls == []


def test_home_tenant_needs_a_tid_claim(clock: Clock) -> None:
    class Opaque:
        def get_token(self, *scopes: str, tenant_id: str | None = None) -> AccessToken:
            return AccessToken("opaque-token-value", int(clock()) + 3600)

    tokens = TokenProvider(make_config(), clock=clock, credential_factory=lambda _: Opaque())
    with pytest.raises(AuthError, match="set `tenant_id` on the resource") as info:
        tokens.token(None)
    assert "opaque-token-value" not in str(info.value)


# -- what credentials return ----------------------------------------------------------------


def test_token_for_the_wrong_tenant_is_refused(cred: FakeCredential, clock: Clock) -> None:
    cred.ignore_tenant = True
    tokens, _ = provider(cred, clock)
    with pytest.raises(AuthError) as info:
        tokens.token(OTHER)
    message = str(info.value)
    assert f"token for tenant {OTHER} and got one for tenant {HOME}" in message
    assert "AZURE_IDENTITY_DISABLE_MULTITENANTAUTH" in message
    assert tokens.acquisitions == {}


@pytest.mark.parametrize("tail", ["\n", "\r\n", " ", "\nX-Evil: 1"])
def test_token_with_a_trailing_line_break_or_space_is_refused(
    tail: str, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A `$` anchor would let "token\n" through: the header would then end early.
    class Trailing(FakeCredential):
        def get_token(self, *scopes: str, tenant_id: str | None = None) -> AccessToken:
            access = super().get_token(*scopes, tenant_id=tenant_id)
            return AccessToken(access.token + tail, access.expires_on)

    cred = Trailing(clock)
    tokens, _ = provider(cred, clock)
    with pytest.raises(AuthError) as info:
        tokens.token(OTHER)
    assert str(info.value) == (
        f"credential 'default' returned an access token for tenant {OTHER} that holds "
        "characters a bearer token cannot (a line break, a space or a comma): nothing was "
        "sent; check what produces the token"
    )
    assert cred.issued[0] not in str(info.value)
    assert tokens.acquisitions == {}


def test_managed_identity_asked_for_another_tenant_explains_the_route(
    cred: FakeCredential, clock: Clock
) -> None:
    cred.ignore_tenant = True  # what ManagedIdentityCredential does with tenant_id
    tokens, _ = provider(cred, clock, credential="managed-identity")
    with pytest.raises(AuthError, match="federated credential"):
        tokens.token(OTHER)


def test_credential_failure_becomes_an_auth_error_without_secrets(
    cred: FakeCredential, clock: Clock
) -> None:
    leaked = jwt(tid=OTHER, exp=1)
    cred.failure = ClientAuthenticationError(
        f"AADSTS7000215: Invalid client secret provided: {SECRET} (last token {leaked})"
    )
    tokens, _ = provider(
        cred, clock, credential="client-secret", clientId=APP, clientSecret=SECRET, tenantId=HOME
    )
    with pytest.raises(AuthError) as info:
        tokens.token(OTHER)
    message = str(info.value)
    assert f"credential 'client-secret' could not get an ARM token for tenant {OTHER}" in message
    assert "AADSTS7000215" in message
    assert SECRET not in message
    assert leaked not in message
    assert info.value.__suppress_context__


# -- static tokens -------------------------------------------------------------------------


def static_provider(clock: Clock, tokens: dict[str, str]) -> TokenProvider:
    def no_credential(_: ProviderConfig) -> FakeCredential:
        raise AssertionError("static tokens need no credential")

    cfg = make_config(credential="static", staticTokens=json.dumps(tokens))
    return TokenProvider(cfg, clock=clock, credential_factory=no_credential)


def test_static_tokens_are_looked_up_by_tenant(clock: Clock) -> None:
    home, other = jwt(tid=HOME, exp=NOW + 600), jwt(tid=OTHER, exp=NOW + 600)
    tokens = static_provider(clock, {HOME: home, OTHER: other})
    assert tokens.token(OTHER.upper()) == other
    assert tokens.token(HOME) == home
    assert tokens.acquisitions == {}


def test_static_tokens_are_never_refreshed(clock: Clock) -> None:
    token = jwt(tid=OTHER, exp=NOW + 200)  # inside the refresh window: served as is
    tokens = static_provider(clock, {OTHER: token})
    assert tokens.token(OTHER) == token


def test_one_static_token_makes_its_tenant_the_home_tenant(clock: Clock) -> None:
    token = jwt(tid=OTHER, exp=NOW + 600)
    tokens = static_provider(clock, {OTHER: token})
    assert tokens.home_tenant() == OTHER
    assert tokens.token(None) == token


def test_several_static_tokens_and_no_tenant_asks_for_tenant_id(clock: Clock) -> None:
    home, other = jwt(tid=HOME, exp=NOW + 600), jwt(tid=OTHER, exp=NOW + 600)
    tokens = static_provider(clock, {HOME: home, OTHER: other})
    with pytest.raises(AuthError, match="set `tenant_id` on the resource") as info:
        tokens.token(None)
    assert home not in str(info.value)
    assert other not in str(info.value)


def test_static_token_for_an_unknown_tenant_names_the_configured_ones(clock: Clock) -> None:
    tokens = static_provider(clock, {HOME: jwt(tid=HOME, exp=NOW + 600)})
    with pytest.raises(AuthError, match=f"no token for tenant {OTHER}.*{HOME}"):
        tokens.token(OTHER)


@pytest.mark.parametrize("left", [-10, 0, EXPIRY_MARGIN_SECONDS - 1])
def test_expired_static_token_says_to_mint_a_new_one(clock: Clock, left: float) -> None:
    token = jwt(tid=OTHER, exp=NOW + left)
    tokens = static_provider(clock, {OTHER: token})
    with pytest.raises(AuthError, match="mint a new one") as info:
        tokens.token(OTHER)
    assert "aoai-deploy:staticTokens" in str(info.value)
    assert token not in str(info.value)


# -- JWT claims ----------------------------------------------------------------------------


@pytest.mark.parametrize("filler", ["", "x", "xy", "xyz"])
def test_claims_are_read_whatever_the_padding(filler: str) -> None:
    token = jwt(tid=OTHER, exp=123, f=filler)
    assert token_claims(token) == {"tid": OTHER, "exp": 123, "f": filler}
    header, payload, sig = token.split(".")
    padded = payload + "=" * (-len(payload) % 4)
    assert token_claims(f"{header}.{padded}.{sig}")["f"] == filler


def test_claims_of_an_unsigned_token_are_read() -> None:
    header, payload, _ = jwt(tid=OTHER).split(".")
    assert token_claims(f"{header}.{payload}.")["tid"] == OTHER


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "totally-not-a-token",
        "aaaa.bbbb",
        "aaaa.bbbb.cccc.dddd.eeee",
        "eyJhbGciOiJub25lIn0.!!!notbase64!!!.c2ln",
        "eyJhbGciOiJub25lIn0.bm90IGpzb24.c2ln",  # "not json"
        "eyJhbGciOiJub25lIn0.WzEsIDJd.c2ln",  # [1, 2]
    ],
)
def test_garbage_is_not_a_jwt_and_is_not_echoed(garbage: str) -> None:
    with pytest.raises(AuthError, match="not a JWT") as info:
        token_claims(garbage)
    if garbage:
        assert garbage not in str(info.value)
        for part in garbage.split("."):
            assert part not in str(info.value)


# -- cross-tenant preflight ----------------------------------------------------------------


def preflight(
    *,
    dest: str | None = None,
    src: str | None = None,
    kind: str | None = "client-secret",
) -> None:
    preflight_cross_tenant(
        destination_tenant=OTHER,
        destination_token=dest or jwt(tid=OTHER, appid=APP, exp=NOW + 3600),
        source_tenant=HOME,
        source_token=src or jwt(tid=HOME, appid=APP, exp=NOW + 3600),
        now=NOW,
        credential_kind=kind,
    )


def refusal(**kwargs: Any) -> str:
    with pytest.raises(AuthError) as info:
        preflight(**kwargs)
    return str(info.value)


def test_preflight_passes_two_good_tokens_of_one_app() -> None:
    preflight()
    preflight(
        dest=jwt(tid=OTHER.upper(), azp=APP, exp=NOW + 3600),
        src=jwt(tid=HOME, azp=APP.upper(), exp=NOW + 3600),
    )


def test_preflight_refuses_a_destination_token_from_the_wrong_tenant() -> None:
    token = jwt(tid=HOME, appid=APP, exp=NOW + 3600)
    message = refusal(dest=token)
    assert f"destination token (sent in Authorization) must be for tenant {OTHER}" in message
    assert f"issued by tenant {HOME}" in message
    assert token not in message


def test_preflight_refuses_a_source_token_from_the_wrong_tenant() -> None:
    message = refusal(src=jwt(tid=OTHER, appid=APP, exp=NOW + 3600))
    assert "source token (sent in x-ms-authorization-auxiliary)" in message
    assert f"must be for tenant {HOME}" in message


def test_preflight_refuses_a_token_without_tid() -> None:
    assert "has no tid claim" in refusal(src=jwt(appid=APP, exp=NOW + 3600))


def test_preflight_refuses_an_expired_token() -> None:
    message = refusal(src=jwt(tid=HOME, appid=APP, exp=NOW - 1))
    assert f"source token for tenant {HOME} expired at" in message


def test_preflight_refuses_a_token_about_to_expire() -> None:
    message = refusal(dest=jwt(tid=OTHER, appid=APP, exp=NOW + EXPIRY_MARGIN_SECONDS - 1))
    assert f"destination token for tenant {OTHER} expires within a minute" in message


def test_preflight_refuses_a_token_without_exp() -> None:
    assert "has no exp claim" in refusal(dest=jwt(tid=OTHER, appid=APP))


def test_preflight_refuses_tokens_of_two_different_apps() -> None:
    message = refusal(src=jwt(tid=HOME, appid=OTHER_APP, exp=NOW + 3600))
    assert f"issued to app {APP}" in message
    assert f"to app {OTHER_APP}" in message
    assert "one identity in both tenants" in message
    assert "Cognitive Services OpenAI Contributor" in message


def test_preflight_refuses_a_token_that_is_not_a_jwt() -> None:
    message = refusal(src="opaque-secret-token")
    assert f"source token (for tenant {HOME}, sent in x-ms-authorization-auxiliary)" in message
    assert "opaque-secret-token" not in message


def test_preflight_refuses_a_managed_identity_across_tenants() -> None:
    message = refusal(kind="managed-identity")
    assert "a managed identity lives in one tenant" in message
    assert "multi-tenant app" in message
    assert "federated credential" in message
    assert "workload-identity" in message
    assert "Cognitive Services OpenAI Contributor" in message
    assert "both the source and the destination account" in message


def test_cross_tenant_tokens_refuses_managed_identity_before_asking_for_tokens(
    cred: FakeCredential, clock: Clock
) -> None:
    tokens, built = provider(cred, clock, credential="managed-identity")
    with pytest.raises(AuthError, match="federated credential"):
        tokens.cross_tenant_tokens(OTHER, HOME)
    assert cred.calls == []
    assert built == []


def test_cross_tenant_tokens_returns_checked_destination_and_source_tokens(
    cred: FakeCredential, clock: Clock
) -> None:
    tokens, _ = provider(cred, clock)
    destination, source = tokens.cross_tenant_tokens(OTHER, HOME)
    assert token_claims(destination)["tid"] == OTHER
    assert token_claims(source)["tid"] == HOME


def test_cross_tenant_tokens_refuses_an_expired_static_source(clock: Clock) -> None:
    tokens = static_provider(
        clock, {OTHER: jwt(tid=OTHER, exp=NOW + 600), HOME: jwt(tid=HOME, exp=NOW - 5)}
    )
    with pytest.raises(AuthError, match=f"static token for tenant {HOME} expired"):
        tokens.cross_tenant_tokens(OTHER, HOME)


# -- the auxiliary header ------------------------------------------------------------------


def test_auxiliary_header_joins_up_to_three_bearer_tokens() -> None:
    a, b, c = (jwt(tid=t) for t in (HOME, OTHER, APP))
    assert auxiliary_header([a]) == f"Bearer {a}"
    assert auxiliary_header([a, b]) == f"Bearer {a}, Bearer {b}"
    assert auxiliary_header((a, b, c)) == f"Bearer {a}, Bearer {b}, Bearer {c}"


def test_auxiliary_header_refuses_a_fourth_token() -> None:
    tokens = [jwt(n=i) for i in range(4)]
    with pytest.raises(AuthError, match="at most 3 tokens and 4 were given") as info:
        auxiliary_header(tokens)
    assert all(t not in str(info.value) for t in tokens)


def test_auxiliary_header_refuses_no_token() -> None:
    with pytest.raises(AuthError, match="at least one token"):
        auxiliary_header([])


@pytest.mark.parametrize(
    "bad", ["", "abc, Bearer injected", "abc\r\nX-Evil: 1", "abc def", "abc\n", "abc=\n"]
)
def test_auxiliary_header_refuses_tokens_that_would_corrupt_it(bad: str) -> None:
    with pytest.raises(AuthError, match="number 2") as info:
        auxiliary_header([jwt(tid=HOME), bad])
    if bad:
        assert bad not in str(info.value)


def test_auxiliary_header_refuses_a_bare_string() -> None:
    with pytest.raises(TypeError):
        auxiliary_header(jwt(tid=HOME))


# -- which credential each configuration builds --------------------------------------------

ALLOW_ANY = {"additionally_allowed_tenants": ["*"]}


@pytest.mark.parametrize(
    ("values", "cls", "kwargs"),
    [
        (
            {},
            identity.DefaultAzureCredential,
            {"authority": "login.microsoftonline.com", **ALLOW_ANY},
        ),
        (
            {"cloud": "AzureUSGovernment", "clientId": APP},
            identity.DefaultAzureCredential,
            {
                "authority": "login.microsoftonline.us",
                "managed_identity_client_id": APP,
                **ALLOW_ANY,
            },
        ),
        ({"credential": "cli"}, identity.AzureCliCredential, ALLOW_ANY),
        (
            {"credential": "cli", "tenantId": HOME, "cloud": "AzureChinaCloud"},
            identity.AzureCliCredential,
            {"tenant_id": HOME, **ALLOW_ANY},
        ),
        (
            {
                "credential": "client-secret",
                "clientId": APP,
                "clientSecret": SECRET,
                "tenantId": HOME,
                "cloud": "AzureChinaCloud",
            },
            identity.ClientSecretCredential,
            {
                "tenant_id": HOME,
                "client_id": APP,
                "client_secret": SECRET,
                "authority": "login.chinacloudapi.cn",
                **ALLOW_ANY,
            },
        ),
        (
            {"credential": "workload-identity"},
            FederatedTokenFileCredential,
            {"authority": "login.microsoftonline.com", **ALLOW_ANY},
        ),
        (
            {"credential": "workload-identity", "clientId": APP, "tenantId": HOME},
            FederatedTokenFileCredential,
            {
                "authority": "login.microsoftonline.com",
                "tenant_id": HOME,
                "client_id": APP,
                **ALLOW_ANY,
            },
        ),
        ({"credential": "managed-identity"}, identity.ManagedIdentityCredential, {}),
        (
            {"credential": "managed-identity", "clientId": APP, "cloud": "AzureUSGovernment"},
            identity.ManagedIdentityCredential,
            {"client_id": APP},
        ),
    ],
)
def test_credential_class_and_arguments_per_kind_and_cloud(
    values: dict[str, str], cls: type, kwargs: dict[str, Any]
) -> None:
    assert credential_spec(make_config(**values)) == (cls, kwargs)


def test_credential_spec_has_no_answer_for_static() -> None:
    cfg = make_config(credential="static", staticTokens=json.dumps({HOME: jwt(tid=HOME)}))
    with pytest.raises(ConfigError):
        credential_spec(cfg)


@pytest.mark.parametrize(
    ("values", "cls"),
    [
        ({}, identity.DefaultAzureCredential),
        ({"credential": "cli"}, identity.AzureCliCredential),
        (
            {
                "credential": "client-secret",
                "clientId": APP,
                "clientSecret": SECRET,
                "tenantId": HOME,
            },
            identity.ClientSecretCredential,
        ),
        ({"credential": "managed-identity", "clientId": APP}, identity.ManagedIdentityCredential),
    ],
)
def test_real_credentials_are_built_without_network(values: dict[str, str], cls: type) -> None:
    assert isinstance(build_credential(make_config(**values)), cls)


def test_workload_identity_is_built_from_its_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token_file = tmp_path / "federated-token"
    token_file.write_text("federated")
    monkeypatch.setenv("AZURE_FEDERATED_TOKEN_FILE", str(token_file))
    monkeypatch.setenv("AZURE_TENANT_ID", HOME)
    monkeypatch.setenv("AZURE_CLIENT_ID", APP)
    credential = build_credential(make_config(credential="workload-identity"))
    assert isinstance(credential, FederatedTokenFileCredential)
    assert credential.token_file == FederatedTokenFile(str(token_file))


def test_workload_identity_without_its_environment_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("AZURE_FEDERATED_TOKEN_FILE", "AZURE_TENANT_ID", "AZURE_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError) as info:
        build_credential(make_config(credential="workload-identity"))
    assert str(info.value) == (
        "aoai-deploy:credential 'workload-identity': FederatedTokenFileCredential cannot be "
        "built: workload identity needs AZURE_FEDERATED_TOKEN_FILE (the path of the federated "
        "token), a tenant id (aoai-deploy:tenantId or AZURE_TENANT_ID), a client id "
        "(aoai-deploy:clientId or AZURE_CLIENT_ID)"
    )


# -- the federated token file is read for every token request ------------------------------


class FakeEntra:
    """Entra's token endpoint, answered in process: any HTTP request azure-identity sends
    lands here instead of on the network. Records the ``client_assertion`` of each request and
    issues a JWT for the tenant named in the URL (``/<tenant>/oauth2/v2.0/token``)."""

    def __init__(self) -> None:
        self.assertions: list[str] = []
        self.tenants: list[str] = []

    def send(
        self, _adapter: requests.adapters.HTTPAdapter, request: requests.PreparedRequest, **_: Any
    ) -> requests.Response:
        url = urlsplit(request.url or "")
        tenant, *rest = url.path.strip("/").split("/")
        assert rest == ["oauth2", "v2.0", "token"], f"unexpected request to {request.url}"
        body = request.body.decode() if isinstance(request.body, bytes) else str(request.body)
        form = parse_qs(body)
        self.assertions.append(form["client_assertion"][0])
        self.tenants.append(tenant)
        issued = {
            "token_type": "Bearer",
            "expires_in": 3600,
            "access_token": jwt(tid=tenant, appid=APP, exp=int(time.time()) + 3600),
        }
        payload = json.dumps(issued).encode()
        headers = {"Content-Type": "application/json", "Content-Length": str(len(payload))}
        response = requests.Response()
        response.status_code = 200
        response.headers.update(headers)
        # azure-core reads the urllib3 response underneath, as from a real connection.
        response.raw = urllib3.HTTPResponse(
            body=io.BytesIO(payload), headers=headers, status=200, preload_content=False
        )
        response.url = request.url or ""
        response.request = request
        return response


@pytest.fixture
def entra(monkeypatch: pytest.MonkeyPatch) -> FakeEntra:
    fake = FakeEntra()

    def send(
        adapter: requests.adapters.HTTPAdapter, request: requests.PreparedRequest, **kwargs: Any
    ) -> requests.Response:
        return fake.send(adapter, request, **kwargs)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)
    return fake


@pytest.fixture
def federated_token_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The environment GitHub Actions (or the AKS webhook) gives a workload identity."""
    for name in (
        "AZURE_CLIENT_SECRET",
        "AZURE_CLIENT_CERTIFICATE_PATH",
        "AZURE_USERNAME",
        "AZURE_TOKEN_CREDENTIALS",
        "AZURE_AUTHORITY_HOST",
    ):
        monkeypatch.delenv(name, raising=False)
    token_file = tmp_path / "azure-federated-token"
    token_file.write_text("github-oidc-token-1")
    monkeypatch.setenv("AZURE_FEDERATED_TOKEN_FILE", str(token_file))
    monkeypatch.setenv("AZURE_TENANT_ID", HOME)
    monkeypatch.setenv("AZURE_CLIENT_ID", APP)
    return token_file


@pytest.mark.parametrize("kind", ["workload-identity", "default"])
def test_each_token_request_reads_the_federated_token_file_afresh(
    kind: str, entra: FakeEntra, federated_token_file: Path
) -> None:
    # GitHub's OIDC tokens live minutes and the workflows renew the file every 240 s; the
    # source tenant's token is often first asked for minutes into a run. azure-identity's own
    # WorkloadIdentityCredential keeps what it read for 600 s (TokenFileMixin in
    # azure/identity/_credentials/workload_identity.py), so it would send an expired token.
    tokens = TokenProvider(make_config(credential=kind))

    tokens.token(OTHER)
    federated_token_file.write_text("github-oidc-token-2")
    tokens.token(HOME)

    assert entra.tenants == [OTHER, HOME]
    assert entra.assertions == ["github-oidc-token-1", "github-oidc-token-2"]


def test_the_line_break_jq_leaves_is_not_part_of_the_assertion(
    entra: FakeEntra, federated_token_file: Path
) -> None:
    federated_token_file.write_text("github-oidc-token-3\n")
    TokenProvider(make_config(credential="workload-identity")).token(OTHER)
    assert entra.assertions == ["github-oidc-token-3"]


def test_default_credential_keeps_its_order_with_the_fresh_reader_in_place(
    federated_token_file: Path,
) -> None:
    credential = build_credential(make_config(clientId=APP))
    assert isinstance(credential, identity.DefaultAzureCredential)
    steps = [type(step) for step in credential.credentials]
    assert steps[:3] == [
        identity.EnvironmentCredential,
        FederatedTokenFileCredential,
        identity.ManagedIdentityCredential,
    ]
    assert identity.WorkloadIdentityCredential not in steps


def test_default_credential_without_a_workload_identity_is_left_as_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AZURE_FEDERATED_TOKEN_FILE", raising=False)
    credential = build_credential(make_config())
    assert isinstance(credential, identity.DefaultAzureCredential)
    assert not any(isinstance(s, FederatedTokenFileCredential) for s in credential.credentials)


def test_a_missing_federated_token_file_is_named_in_the_error(
    entra: FakeEntra, federated_token_file: Path
) -> None:
    federated_token_file.unlink()
    with pytest.raises(AuthError) as info:
        TokenProvider(make_config(credential="workload-identity")).token(OTHER)
    assert str(info.value) == (
        f"cannot read the federated token file {federated_token_file} "
        "(AZURE_FEDERATED_TOKEN_FILE): No such file or directory"
    )
    assert entra.assertions == []


def test_an_empty_federated_token_file_says_nothing_wrote_it_yet(
    entra: FakeEntra, federated_token_file: Path
) -> None:
    federated_token_file.write_text("\n")
    with pytest.raises(AuthError, match="is empty: whatever writes it"):
        TokenProvider(make_config(credential="workload-identity")).token(OTHER)
    assert entra.assertions == []


# -- secrets stay out ----------------------------------------------------------------------


def test_token_provider_repr_carries_no_token_or_secret(cred: FakeCredential, clock: Clock) -> None:
    tokens, _ = provider(
        cred, clock, credential="client-secret", clientId=APP, clientSecret=SECRET, tenantId=HOME
    )
    token = tokens.token(OTHER)
    text = repr(tokens)
    assert OTHER in text
    assert token not in text
    assert SECRET not in text


def test_token_provider_refuses_to_be_pickled(cred: FakeCredential, clock: Clock) -> None:
    tokens, _ = provider(cred, clock)
    tokens.token(OTHER)
    with pytest.raises(TypeError, match="never pickled"):
        pickle.dumps(tokens)
