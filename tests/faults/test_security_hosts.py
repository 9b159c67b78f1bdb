"""Tokens go to the configured ARM endpoint over https, and nowhere else.

ARM hands back absolute URLs to poll (``Azure-AsyncOperation``, ``Location``). Each test wraps
the emulator's answers so that those URLs point elsewhere, at a listener that would record a
token if one arrived:

* ``localhost`` instead of ``127.0.0.1``: the emulator itself (its certificate covers both
  names), so a client that followed the URL would pass TLS and be logged;
* another port on the same address, and ``127.0.0.2``: other emulators whose CA the provider
  is told to trust as well, so again TLS would not stop a token;
* ``http://``: a plain HTTP listener that records any ``Authorization`` header.

Each must end in a clear refusal that names the operation and the ARM id, with nothing
received on the other side.

A token that ends in a line break (a static token pasted with one, or a credential that
returns one) is refused before any request: in a header it would end the line early, and
http.client's refusal of such a header quotes the whole value, token included.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from azure.core.credentials import AccessToken

from aoai_deploy.emulator import Emulator
from aoai_deploy.emulator.exchange import Context, Request, Response
from aoai_deploy.providers import ArmError, AuthError, ConfigError, TransportError
from aoai_deploy.providers.azure.config import ProviderConfig
from aoai_deploy.providers.azure.tokens import TokenProvider
from aoai_deploy.providers.provider import CrossTenantDeploymentProvider, Runtime
from fault_lab import Lab
from provider_kit import cross_tenant_inputs
from secret_scan import find_secrets, needles
from seed_ids import DEST_ACCOUNT, DEST_TENANT, SOURCE_TENANT

OWNER = "aoai-deploy/hosts/ft"
DEPLOYMENT_ID = DEST_ACCOUNT + "/deployments/ft"


class _Recorder(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        server: RecordingServer = self.server  # type: ignore[assignment]
        server.seen.append((self.command, self.path, dict(self.headers)))
        payload = json.dumps({"status": "Succeeded"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_PUT = do_DELETE = _answer  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:
        """Silent."""


class RecordingServer(ThreadingHTTPServer):
    """Plain HTTP on loopback that answers 200 ``Succeeded`` and records every request."""

    daemon_threads = True

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        super().__init__(("127.0.0.1", 0), _Recorder)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def http_listener() -> Iterator[RecordingServer]:
    server = RecordingServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def other_arm() -> Iterator[Emulator]:
    """Another HTTPS server on 127.0.0.1, another port."""
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def far_arm() -> Iterator[Emulator]:
    """Another HTTPS server on another loopback address."""
    with Emulator(host="127.0.0.2") as emulator:
        yield emulator


def rebase(base_url: str) -> Callable[[str], str]:
    """Keep a URL's path and query, move it to ``base_url``."""

    def move(url: str) -> str:
        old, new = urlsplit(url), urlsplit(base_url)
        return urlunsplit((new.scheme, new.netloc, old.path, old.query, ""))

    return move


def redirect_polls(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch, move: Callable[[str], str]
) -> None:
    """Wrap the emulator's answers: its polling URLs point wherever ``move`` says."""
    app = emu._app  # the emulator has no switch for this; wrapping its handler is enough
    original = app.handle

    def handle(request: Request) -> tuple[Response, Any]:
        response, context = original(request)
        for header in ("Azure-AsyncOperation", "Location"):
            if header in response.headers:
                response.headers[header] = move(response.headers[header])
        return response, context

    monkeypatch.setattr(app, "handle", handle)


def _polls(emu: Emulator) -> list[str]:
    return [e.path for e in emu.request_log if e.route in ("operation", "location")]


@pytest.mark.parametrize("style", ["azure-async-operation", "location"])
def test_poll_url_on_another_name_for_the_same_host_gets_no_token(
    style: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Lab() as lab:
        lab.emu.settings.async_style = style
        redirect_polls(lab.emu, monkeypatch, rebase(f"https://localhost:{lab.emu.port}"))

        with pytest.raises(TransportError) as caught:
            lab.engine.create("ft", cross_tenant_inputs(owner=OWNER))

        message = str(caught.value)
        assert message.startswith(f"creating {DEPLOYMENT_ID}: refusing to send a token to ")
        assert "https://localhost/" in message
        assert lab.emu.base_url in message  # names the endpoint it does trust
        assert _polls(lab.emu) == []
        # The PUT was accepted: what it left carries the owner tag for the next run.
        assert lab.check_state(OWNER).leftovers == [DEPLOYMENT_ID.lower()]


@pytest.mark.parametrize("style", ["azure-async-operation", "location"])
@pytest.mark.parametrize("where", ["other_arm", "far_arm"])
def test_poll_url_on_another_trusted_https_server_gets_no_token(
    style: str, where: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    other: Emulator = request.getfixturevalue(where)
    with Lab(trust=[other.ca_path]) as lab:
        lab.emu.settings.async_style = style
        redirect_polls(lab.emu, monkeypatch, rebase(other.base_url))

        with pytest.raises(TransportError, match="refusing to send a token") as caught:
            lab.engine.create("ft", cross_tenant_inputs(owner=OWNER))

        assert str(caught.value).startswith(f"creating {DEPLOYMENT_ID}: ")
        assert other.host in str(caught.value)
        assert other.request_log == []


@pytest.mark.parametrize("style", ["azure-async-operation", "location"])
def test_delete_poll_url_over_plain_http_gets_no_token(
    style: str, http_listener: RecordingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Lab() as lab:
        lab.emu.settings.async_style = style
        lab.engine.create("ft", cross_tenant_inputs(owner=OWNER))
        redirect_polls(lab.emu, monkeypatch, rebase(http_listener.base_url))

        with pytest.raises(TransportError) as caught:
            lab.engine.delete("ft")

        message = str(caught.value)
        assert message.startswith(f"deleting {DEPLOYMENT_ID}: refusing to send a token to http://")
        assert http_listener.seen == []
        assert "ft" in lab.engine.state  # a failed delete keeps the resource
        lab.check_state(OWNER)


def test_a_redirect_to_another_host_is_not_followed(
    other_arm: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Lab(trust=[other_arm.ca_path]) as lab:
        app = lab.emu._app
        original = app.handle

        def handle(request: Request) -> tuple[Response, Any]:
            if request.method == "PUT":
                target = rebase(other_arm.base_url)(lab.emu.base_url + request.path)
                return Response(307, None, {"Location": target}), Context(route="deployment")
            return original(request)

        monkeypatch.setattr(app, "handle", handle)

        with pytest.raises(ArmError) as caught:
            lab.engine.create("ft", cross_tenant_inputs(owner=OWNER))

        assert str(caught.value).startswith(f"creating {DEPLOYMENT_ID}: HTTP307")
        assert other_arm.request_log == []
        assert lab.emu.deployments(DEST_ACCOUNT) == []
        assert find_secrets({"the error": str(caught.value)}, needles(lab.tokens.values())) == []


# -- tokens that end in a line break ----------------------------------------------------------


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


def test_a_static_token_ending_in_a_line_break_is_refused_at_configure(emu: Emulator) -> None:
    tokens = {tenant: emu.token(tenant) for tenant in (SOURCE_TENANT, DEST_TENANT)}
    # The emulator's tokens are unsigned (header.payload.); a signature makes the pasted one
    # look exactly like an Entra token copied with its line break.
    signed = tokens[DEST_TENANT].removesuffix(".") + ".c2lnbmF0dXJl"
    pasted = {**tokens, DEST_TENANT: signed + "\n"}
    settings = {
        "aoai-deploy:armEndpoint": emu.base_url,
        "aoai-deploy:caBundle": emu.ca_path,
        "aoai-deploy:credential": "static",
        "aoai-deploy:staticTokens": json.dumps(pasted),
    }

    with pytest.raises(ConfigError) as caught:
        ProviderConfig.from_getter(settings.get)

    message = str(caught.value)
    assert (
        f"aoai-deploy:staticTokens: the value for tenant {DEST_TENANT} is not an access token"
        in message
    )
    assert emu.request_log == []
    assert find_secrets({"the error": message}, needles([*tokens.values(), signed])) == []


class _TrailingLineBreak:
    """A credential whose tokens are valid for the emulator but end in a line break."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.issued: list[str] = []

    def get_token(self, *scopes: str, tenant_id: str | None = None) -> AccessToken:
        token = self.emu.token(tenant_id or DEST_TENANT, expires_in=3600)
        self.issued.append(token)
        return AccessToken(token + "\n", int(time.time()) + 3600)


def test_a_credential_token_ending_in_a_line_break_is_refused_and_nothing_is_sent(
    emu: Emulator,
) -> None:
    settings = {
        "aoai-deploy:armEndpoint": emu.base_url,
        "aoai-deploy:caBundle": emu.ca_path,
        "aoai-deploy:credential": "cli",
    }
    config = ProviderConfig.from_getter(settings.get)
    credential = _TrailingLineBreak(emu)
    tokens = TokenProvider(config, credential_factory=lambda _: credential)
    provider = CrossTenantDeploymentProvider(Runtime.build(config, tokens=tokens))
    inputs = provider.check({}, cross_tenant_inputs(owner=OWNER)).inputs

    with pytest.raises(AuthError) as caught:
        provider.create(inputs)

    message = str(caught.value)
    assert "returned an access token for tenant" in message
    assert "nothing was sent" in message
    assert emu.request_log == []
    assert credential.issued
    assert find_secrets({"the error": message}, needles(credential.issued)) == []
