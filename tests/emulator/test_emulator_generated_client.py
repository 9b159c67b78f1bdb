"""Microsoft's generated client (azure-mgmt-cognitiveservices) against the emulator.

Create, get, list, update and delete go through the client's own pollers
(``begin_create_or_update(...).result()`` and so on), over HTTPS on loopback with the
emulator's CA, in every polling style the emulator serves: whatever the emulator answers must
be something Microsoft's client for this resource provider completes without help.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.cognitiveservices import CognitiveServicesManagementClient
from azure.mgmt.cognitiveservices.models import (
    Deployment,
    DeploymentModel,
    DeploymentProperties,
    PatchResourceTagsAndSku,
    Sku,
)

from aoai_deploy.emulator import ASYNC_STYLES, UPDATE_HEADERS, Emulator

DEST = "fabrikam-aoai-eus"
POLL = {"polling_interval": 0.01}


class EmulatorCredential:
    """The emulator's token for the deployer in fabrikam, as azure-core asks for one."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(self.emu.token("fabrikam"), int(time.time()) + 3600)


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        emulator.settings.retry_after = None  # the client then polls every POLL seconds
        yield emulator


def client_for(emu: Emulator, api_version: str = "2024-10-01") -> CognitiveServicesManagementClient:
    subscription = emu.account_id(DEST).split("/")[2]
    return CognitiveServicesManagementClient(
        EmulatorCredential(emu),  # type: ignore[arg-type]
        subscription,
        base_url=emu.base_url,
        api_version=api_version,
        # Verified against the emulator's CA on every request (REQUESTS_CA_BUNDLE aside).
        connection_verify=emu.ca_path,
    )


def group_of(emu: Emulator) -> str:
    return emu.account_id(DEST).split("/")[4]


def base_deployment(capacity: int = 1) -> Deployment:
    return Deployment(
        sku=Sku(name="Standard", capacity=capacity),
        properties=DeploymentProperties(
            model=DeploymentModel(format="OpenAI", name="gpt-4o-mini", version="2024-07-18")
        ),
    )


@pytest.mark.parametrize("update_header", UPDATE_HEADERS)
@pytest.mark.parametrize("style", ASYNC_STYLES)
def test_generated_client_creates_reads_lists_updates_and_deletes_in_every_style(
    emu: Emulator, style: str, update_header: str
) -> None:
    emu.settings.async_style = style
    emu.settings.update_header = update_header
    client, group = client_for(emu), group_of(emu)
    ops = client.deployments

    created = ops.begin_create_or_update(group, DEST, "d", base_deployment(), **POLL).result()
    assert created.properties.provisioning_state == "Succeeded"
    assert ops.get(group, DEST, "d").sku.capacity == 1
    assert [d.name for d in ops.list(group, DEST)] == ["d"]

    patch = PatchResourceTagsAndSku(sku=Sku(name="Standard", capacity=3), tags={"team": "ml"})
    ops.begin_update(group, DEST, "d", patch, **POLL).result()
    updated = ops.get(group, DEST, "d")
    assert (updated.sku.capacity, updated.tags) == (3, {"team": "ml"})
    assert updated.properties.provisioning_state == "Succeeded"

    ops.begin_delete(group, DEST, "d", **POLL).result()
    with pytest.raises(ResourceNotFoundError):
        ops.get(group, DEST, "d")
    # The delete was over when the poller returned: another one finds nothing to delete
    # (it met a 409 RequestConflict while the `none` style answered 200 and kept deleting).
    ops.begin_delete(group, DEST, "d", **POLL).result()
    assert emu.internal_errors == []


def test_generated_client_reads_the_etag_the_spec_and_the_2025_recording_spell_etag(
    emu: Emulator,
) -> None:
    client, group = client_for(emu), group_of(emu)
    created = client.deployments.begin_create_or_update(
        group, DEST, "d", base_deployment(), **POLL
    ).result()
    assert created.etag is not None
    assert created.etag == emu.deployment(DEST, "d")["etag"]


def test_generated_client_drops_the_etag_spelled_etag_with_a_capital_t(emu: Emulator) -> None:
    # The 2021 recording's spelling: Microsoft's client reads only `etag` (its model's key).
    # The provider reads either (tests/provider/test_provider_api_versions.py).
    emu.settings.etag_key = "eTag"
    client, group = client_for(emu), group_of(emu)
    client.deployments.begin_create_or_update(group, DEST, "d", base_deployment(), **POLL).result()
    assert client.deployments.get(group, DEST, "d").etag is None


def test_generated_client_update_at_an_api_version_without_it_gets_405(emu: Emulator) -> None:
    client, group = client_for(emu, "2023-05-01"), group_of(emu)
    client.deployments.begin_create_or_update(group, DEST, "d", base_deployment(), **POLL).result()

    with pytest.raises(HttpResponseError) as raised:
        client.deployments.begin_update(
            group, DEST, "d", PatchResourceTagsAndSku(sku=Sku(name="Standard", capacity=2))
        )
    assert raised.value.status_code == 405
    assert "does not support http method 'PATCH'" in str(raised.value)
    # A full PUT is the way to change the capacity at that version.
    client.deployments.begin_create_or_update(
        group, DEST, "d", base_deployment(capacity=2), **POLL
    ).result()
    assert client.deployments.get(group, DEST, "d").sku.capacity == 2


@pytest.mark.parametrize("api_version", ["2023-05-01", "2024-10-01", "2025-09-01"])
def test_generated_client_reads_the_account_models_and_the_region_usages(
    emu: Emulator, api_version: str
) -> None:
    # The two reads of the preflight, deserialized by Microsoft's own models (AccountModel,
    # ModelSku, ModelDeprecationInfo, Usage), at the oldest, the default and the newest
    # stable api-version.
    emu.set_model_version(
        DEST, "gpt-4o", "2024-05-13", skus=["Standard"], retires="2099-06-30T00:00:00Z"
    )
    emu.settings.page_size = 2  # the client follows nextLink
    client, group = client_for(emu, api_version), group_of(emu)
    client.deployments.begin_create_or_update(
        group, DEST, "d", base_deployment(capacity=4), **POLL
    ).result()

    listed = {(m.name, m.version): m for m in client.accounts.list_models(group, DEST)}
    old = listed[("gpt-4o", "2024-05-13")]
    assert [(s.name, s.usage_name) for s in old.skus] == [("Standard", "OpenAI.Standard.gpt-4o")]
    assert old.deprecation.inference == "2099-06-30T00:00:00Z"
    assert old.is_default_version is False
    assert ("gpt-4o-mini", "2024-07-18") in listed

    found = {u.name.value: u for u in client.usages.list("eastus")}
    mini = found["OpenAI.Standard.gpt-4o-mini"]
    assert (mini.current_value, mini.limit, mini.unit) == (4, 1000, "Count")
    assert found["AccountCount"].name.localized_value == "Cognitive Services total account limit"
