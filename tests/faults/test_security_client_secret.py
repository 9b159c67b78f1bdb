"""A client secret never shows: not in an error, not on stderr, not in the pickle.

The plugin runs with ``aoai-deploy:credential=client-secret`` and a fake secret. Nothing may
reach the network, so the plugin's ``HTTPS_PROXY`` (which azure-identity's transport honours)
points at a loopback listener that records the ``CONNECT`` line and refuses the tunnel: the
token request fails at once, on this machine, and the test sees where it was headed. Then the
configuration mistakes that put a secret where it does not belong are refused when the
provider is configured, without repeating it.
"""

from __future__ import annotations

import base64
import socketserver
import threading
from collections.abc import Iterator
from typing import Any

import grpc
import pytest

from aoai_deploy.emulator import Emulator
from engine_harness import PluginProcess, secret
from provider_kit import cross_tenant_inputs
from secret_scan import find_secrets, needles
from seed_ids import DEST_TENANT

pytestmark = pytest.mark.slow

SECRET = "Fake~Secret.0123456789-abcdefABCDEF_zz"
CLIENT_ID = "33333333-3333-4333-8333-333333333333"


class _RefuseTunnel(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        server: RefusingProxy = self.server  # type: ignore[assignment]
        server.seen.append(self.rfile.readline(4096).decode("latin-1").strip())
        while self.rfile.readline(4096).strip():
            pass  # the rest of the request head
        self.wfile.write(
            b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )


class RefusingProxy(socketserver.ThreadingTCPServer):
    """An HTTP proxy on loopback that records each request line and refuses every tunnel."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        self.seen: list[str] = []
        super().__init__(("127.0.0.1", 0), _RefuseTunnel)

    def env(self) -> dict[str, str]:
        url = f"http://127.0.0.1:{self.server_address[1]}"
        proxies = {name: url for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY")}
        proxies |= {name.lower(): url for name in proxies}
        # Nothing bypasses it; the emulator is not reached either way (no token, no request).
        return {**proxies, "NO_PROXY": "", "no_proxy": "", "AOAI_DEPLOY_LOG_LEVEL": "DEBUG"}


@pytest.fixture
def proxy() -> Iterator[RefusingProxy]:
    server = RefusingProxy()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


def _client_secret_config(emu: Emulator, **changes: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "aoai-deploy:armEndpoint": emu.base_url,
        "aoai-deploy:caBundle": emu.ca_path,
        "aoai-deploy:credential": "client-secret",
        "aoai-deploy:clientId": CLIENT_ID,
        "aoai-deploy:tenantId": DEST_TENANT,
        "aoai-deploy:clientSecret": secret(SECRET),
    }
    config.update(changes)
    return {key: value for key, value in config.items() if value is not None}


def test_client_secret_stays_out_of_the_error_and_stderr_when_its_token_request_fails(
    proxy: RefusingProxy, emu: Emulator
) -> None:
    with PluginProcess(env=proxy.env()) as plugin:
        plugin.configure(_client_secret_config(emu))
        checked, failures = plugin.check("ft", cross_tenant_inputs())
        assert failures == []

        with pytest.raises(grpc.RpcError) as caught:
            plugin.create("ft", checked)
        stderr = plugin.stderr()
        pickled = plugin.provider

    details = caught.value.details() or ""
    assert "credential 'client-secret' could not get an ARM token for tenant" in details
    # The only connection attempted went to the loopback proxy, bound for the authority.
    assert proxy.seen
    assert set(proxy.seen) == {"CONNECT login.microsoftonline.com:443 HTTP/1.0"}
    assert emu.request_log == []  # no token, no request to ARM
    haystacks = {
        "the error": details,
        "the plugin's stderr": stderr,
        "the pickled provider": base64.b64decode(pickled).decode("latin-1"),
    }
    assert find_secrets(haystacks, needles(secrets=[SECRET])) == []


MISPLACED: dict[str, dict[str, Any]] = {
    # (key the refusal must name) -> config changes that put the secret where it is wrong
    "aoai-deploy:clientSecret": {"aoai-deploy:credential": "cli", "aoai-deploy:clientId": None},
    "aoai-deploy:clientId": {"aoai-deploy:clientId": SECRET},
    "aoai-deploy:staticTokens": {
        "aoai-deploy:credential": "static",
        "aoai-deploy:clientId": None,
        "aoai-deploy:tenantId": None,
        "aoai-deploy:clientSecret": None,
        "aoai-deploy:staticTokens": secret(SECRET),
    },
    "aoai-deploy:armEndpoint": {"aoai-deploy:armEndpoint": f"https://app:{SECRET}@127.0.0.1"},
}


@pytest.mark.parametrize("key", list(MISPLACED))
def test_a_secret_in_the_wrong_config_key_is_refused_without_repeating_it(
    key: str, proxy: RefusingProxy, emu: Emulator
) -> None:
    with PluginProcess(env=proxy.env()) as plugin:
        plugin.configure(_client_secret_config(emu, **MISPLACED[key]))

        # Reported by check, without a traceback; raised by any operation.
        _, failures = plugin.check("ft", cross_tenant_inputs())
        with pytest.raises(grpc.RpcError) as caught:
            plugin.create("ft", cross_tenant_inputs())
        stderr = plugin.stderr()

    assert [field for field, _ in failures] == [""]
    assert key in failures[0][1]
    details = caught.value.details() or ""
    assert "ConfigError" in details
    assert key in details
    assert proxy.seen == []
    assert emu.request_log == []
    haystacks = {"the error": details, "the failure": str(failures), "the plugin's stderr": stderr}
    assert find_secrets(haystacks, needles(secrets=[SECRET])) == []


# -- a custom armEndpoint: real tokens go there only when that is meant ----------------------

CUSTOM_ENDPOINT = "https://arm.example.test"


def test_a_custom_endpoint_without_the_opt_in_is_refused_before_any_token_is_asked(
    proxy: RefusingProxy, emu: Emulator
) -> None:
    # Today's sign-in would otherwise hand that host a token of the app, in both tenants.
    with PluginProcess(env=proxy.env()) as plugin:
        plugin.configure(_client_secret_config(emu, **{"aoai-deploy:armEndpoint": CUSTOM_ENDPOINT}))

        _, failures = plugin.check("ft", cross_tenant_inputs())
        with pytest.raises(grpc.RpcError) as caught:
            plugin.create("ft", cross_tenant_inputs())
        stderr = plugin.stderr()

    details = caught.value.details() or ""
    said = "aoai-deploy:armEndpoint is 'https://arm.example.test', which is not the ARM"
    assert said in failures[0][1]
    assert said in details
    assert "aoai-deploy:allowCustomEndpoint true" in details
    assert proxy.seen == []  # no token request to Entra, no connection to the host
    assert emu.request_log == []
    haystacks = {"the error": details, "the plugin's stderr": stderr}
    assert find_secrets(haystacks, needles(secrets=[SECRET])) == []


def test_a_custom_endpoint_with_the_opt_in_is_named_on_stderr_before_any_token_is_asked(
    proxy: RefusingProxy, emu: Emulator
) -> None:
    config = _client_secret_config(
        emu,
        **{
            "aoai-deploy:armEndpoint": CUSTOM_ENDPOINT,
            "aoai-deploy:allowCustomEndpoint": "true",
        },
    )
    with PluginProcess(env=proxy.env()) as plugin:
        plugin.configure(config)
        # The SDK's plugin calls the provider's configure() with the first request that
        # carries the pickled provider: here, check.
        checked, failures = plugin.check("ft", cross_tenant_inputs())
        assert failures == []
        configured = plugin.stderr()
        assert proxy.seen == []
        with pytest.raises(grpc.RpcError):
            plugin.create("ft", checked)  # the token request goes to the refusing proxy

    assert (
        "aoai-deploy: WARNING: aoai-deploy:armEndpoint: ARM requests and their tokens go to "
        "arm.example.test, which is not an Azure cloud's ARM endpoint (allowed: "
        "aoai-deploy:allowCustomEndpoint true)"
    ) in configured.splitlines()
    assert set(proxy.seen) == {"CONNECT login.microsoftonline.com:443 HTTP/1.0"}
