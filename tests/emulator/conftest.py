"""A thin ``requests`` client for the emulator's own tests (fixtures ``arm`` and ``clocked_arm``).

Everything a test needs hangs off the client (body builders, seed names, error parsing), so
test modules import nothing from here.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from aoai_deploy.emulator import Emulator, ManualClock


class ArmClient:
    """Requests against one emulator; every call passes ``verify=`` and a timeout."""

    API = "2024-10-01"
    DEST = "fabrikam-aoai-eus"
    SOURCE = "contoso-ft-src"
    LAB = "fabrikam-ft-lab"
    FT_MODEL = "gpt-4o-mini-2024-07-18.ft-0123456789abcdef0123456789abcdef"
    LAB_MODEL = "gpt-4o-mini-2024-07-18.ft-fedcba9876543210fedcba9876543210"
    CONTRIBUTOR = "a001fd3d-188f-4b5d-821b-7da978bf7442"

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.session = requests.Session()

    # -- bodies --------------------------------------------------------------------------

    @staticmethod
    def base_body(
        model: str = "gpt-4o-mini",
        version: str | None = "2024-07-18",
        sku: str = "Standard",
        capacity: Any = 1,
    ) -> dict[str, Any]:
        """A PUT body deploying a base model the destination account holds."""
        model_part: dict[str, Any] = {"format": "OpenAI", "name": model}
        if version is not None:
            model_part["version"] = version
        return {"sku": {"name": sku, "capacity": capacity}, "properties": {"model": model_part}}

    def copy_body(
        self, source: str | None = None, model: str | None = None, field: str = "sourceAccount"
    ) -> dict[str, Any]:
        """A PUT body copying a fine-tuned model (default: the contoso one) from ``source``."""
        return {
            "sku": {"name": "standard", "capacity": 1},
            "properties": {
                "model": {
                    "format": "OpenAI",
                    "name": model or self.FT_MODEL,
                    "version": "1",
                    field: self.emu.account_id(source or self.SOURCE),
                }
            },
        }

    @staticmethod
    def error(response: requests.Response) -> tuple[str, str]:
        """``(code, message)`` of an ARM error body (and the body has ARM's shape)."""
        body = response.json()
        assert set(body) == {"error"}, body
        return body["error"]["code"], body["error"]["message"]

    # -- requests ------------------------------------------------------------------------

    def deployment_path(self, name: str, account: str | None = None) -> str:
        return f"{self.emu.account_id(account or self.DEST)}/deployments/{name}"

    def call(
        self,
        method: str,
        path_or_url: str,
        *,
        tenant: str = "fabrikam",
        principal: str = "deployer",
        token: str | None = None,
        auth: bool = True,
        aux: list[str] | None = None,
        body: Any = None,
        data: bytes | None = None,
        api_version: str | None = API,
        headers: dict[str, str] | None = None,
        timeout: float = 5.0,
    ) -> requests.Response:
        """One request; ``path_or_url`` is an ARM path or a full emulator URL (a nextLink)."""
        url = path_or_url if path_or_url.startswith("https://") else self.emu.base_url + path_or_url
        params = {"api-version": api_version} if api_version and "api-version=" not in url else None
        sent: dict[str, str] = {}
        if auth:
            sent["Authorization"] = f"Bearer {token or self.emu.token(tenant, principal)}"
        if aux is not None:
            sent["x-ms-authorization-auxiliary"] = ", ".join(f"Bearer {t}" for t in aux)
        sent.update(headers or {})
        return self.session.request(
            method,
            url,
            params=params,
            json=body,
            data=data,
            headers=sent,
            verify=self.emu.ca_path,
            timeout=timeout,
        )

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.call("GET", path, **kw)

    def put(self, name: str, body: Any, account: str | None = None, **kw: Any) -> requests.Response:
        return self.call("PUT", self.deployment_path(name, account), body=body, **kw)

    def patch(
        self, name: str, body: Any, account: str | None = None, **kw: Any
    ) -> requests.Response:
        return self.call("PATCH", self.deployment_path(name, account), body=body, **kw)

    def delete(self, name: str, account: str | None = None, **kw: Any) -> requests.Response:
        return self.call("DELETE", self.deployment_path(name, account), **kw)

    def get_deployment(self, name: str, account: str | None = None, **kw: Any) -> requests.Response:
        return self.call("GET", self.deployment_path(name, account), **kw)

    def put_copy(self, name: str, **kw: Any) -> requests.Response:
        """The documented cross-tenant copy: fabrikam bearer, contoso auxiliary, sourceAccount."""
        kw.setdefault("aux", [self.emu.token("contoso")])
        return self.put(name, self.copy_body(), **kw)


@pytest.fixture
def arm(emulator: Emulator) -> ArmClient:
    """A client for the ``emulator`` fixture (real clock)."""
    return ArmClient(emulator)


@pytest.fixture
def clocked_arm(clocked_emulator: Emulator, manual_clock: ManualClock) -> ArmClient:
    """A client for ``clocked_emulator``; advance ``manual_clock`` to finish operations."""
    return ArmClient(clocked_emulator)
