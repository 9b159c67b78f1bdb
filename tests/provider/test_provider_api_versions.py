"""The provider at each api-version: the write each version defines, the versions ``check``
refuses, and every polling form the emulator serves (emulator/apiversions.py,
providers/core/apiversions.py)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from aoai_deploy.emulator import ASYNC_STYLES, UPDATE_HEADERS, Emulator
from aoai_deploy.providers.core import apiversions
from aoai_deploy.providers.provider import CrossTenantDeploymentProvider
from provider_kit import MakeProvider, base_model_inputs, checked, cross_tenant_inputs
from seed_ids import DEST_ACCOUNT, LAB_ACCOUNT, LAB_MODEL, SOURCE_TENANT

CHAT_ID = DEST_ACCOUNT + "/deployments/chat"
FT_ID = DEST_ACCOUNT + "/deployments/ft"


def writes(emu: Emulator) -> list[Any]:
    return [
        e for e in emu.request_log if e.method in ("PUT", "PATCH") and "/deployments/" in e.path
    ]


def failures(provider: CrossTenantDeploymentProvider, raw: dict[str, Any]) -> dict[str, str]:
    return {f.property: f.reason for f in provider.check({}, raw).failures}


def test_capacity_change_at_2023_05_01_is_a_full_put(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    # stable/2023-05-01 defines no Deployments_Update: a PATCH there gets 405.
    inputs = base_model_inputs(api_version="2023-05-01", model_version="2024-07-18")
    olds = provider.create(checked(provider, inputs)).outs or {}
    news = checked(provider, {**inputs, "sku_capacity": 4})

    outs = provider.update(CHAT_ID, olds, news).outs or {}

    assert outs["sku_capacity"] == 4
    assert emu.deployment(DEST_ACCOUNT, "chat")["sku"]["capacity"] == 4  # type: ignore[index]
    assert [e.method for e in writes(emu)] == ["PUT", "PUT"]


def test_same_tenant_copy_at_2023_05_01_is_put_again_with_its_source(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    inputs = base_model_inputs(
        deployment_name="lab",
        model_name=LAB_MODEL,
        model_version="1",
        source_account_id=LAB_ACCOUNT,
        api_version="2023-05-01",
    )
    olds = provider.create(checked(provider, inputs)).outs or {}

    provider.update(
        DEST_ACCOUNT + "/deployments/lab", olds, checked(provider, {**inputs, "sku_capacity": 2})
    )

    stored = emu.deployment(DEST_ACCOUNT, "lab")
    assert stored is not None
    assert stored["sku"]["capacity"] == 2
    assert stored["properties"]["model"]["source"].lower() == LAB_ACCOUNT.lower()
    assert [e.method for e in writes(emu)] == ["PUT", "PUT"]


def test_model_and_capacity_change_at_2023_05_01_is_two_puts(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    emu.add_model(DEST_ACCOUNT, "gpt-4o-mini", version="2025-01-01")
    inputs = base_model_inputs(api_version="2023-05-01", model_version="2024-07-18")
    olds = provider.create(checked(provider, inputs)).outs or {}
    news = checked(provider, {**inputs, "model_version": "2025-01-01", "sku_capacity": 3})

    provider.update(CHAT_ID, olds, news)

    stored = emu.deployment(DEST_ACCOUNT, "chat")
    assert stored is not None
    assert (stored["properties"]["model"]["version"], stored["sku"]["capacity"]) == (
        "2025-01-01",
        3,
    )
    assert [e.method for e in writes(emu)] == ["PUT", "PUT", "PUT"]


def test_a_copy_at_a_version_without_patch_is_put_with_the_source_tenants_token(
    provider: CrossTenantDeploymentProvider, emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No listed version has sourceAccount but no PATCH; a later row may. Pretend 2024-10-01
    # had no PATCH: the capacity change must then be the full PUT, auxiliary token and all.
    olds = provider.create(checked(provider, cross_tenant_inputs())).outs or {}
    monkeypatch.setattr(apiversions, "defines_update", lambda version: False)

    provider.update(FT_ID, olds, checked(provider, cross_tenant_inputs(sku_capacity=2)))

    _create, update = writes(emu)
    assert update.method == "PUT"
    assert [tid for tid, _ in update.aux] == [SOURCE_TENANT]
    assert emu.deployment(DEST_ACCOUNT, "ft")["sku"]["capacity"] == 2  # type: ignore[index]


def test_create_at_2023_05_01_sends_no_tags(
    provider: CrossTenantDeploymentProvider, emu: Emulator
) -> None:
    # 2023-05-01's Deployment has no tags: not even the owner tag is sent.
    provider.create(checked(provider, base_model_inputs(api_version="2023-05-01")))
    assert "tags" not in emu.deployment(DEST_ACCOUNT, "chat")  # type: ignore[operator]


@pytest.mark.parametrize("version", ["2022-12-01", "2021-10-01", "2023-04-30-preview"])
def test_check_refuses_api_versions_older_than_the_tested_range(
    provider: CrossTenantDeploymentProvider, version: str
) -> None:
    reason = failures(provider, base_model_inputs(api_version=version))["api_version"]
    assert version in reason
    assert "2023-05-01 to 2026-09-01" in reason


@pytest.mark.parametrize("version", [r.version for r in apiversions.ROWS])
def test_check_accepts_every_tested_api_version(
    provider: CrossTenantDeploymentProvider, version: str
) -> None:
    assert failures(provider, base_model_inputs(api_version=version)) == {}


def test_check_accepts_a_newer_api_version_and_warns_with_the_tested_range(
    provider: CrossTenantDeploymentProvider, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="aoai_deploy"):
        assert failures(provider, base_model_inputs(api_version="2027-03-01")) == {}
    assert any(
        "2027-03-01" in r.getMessage() and "2023-05-01 to 2026-09-01" in r.getMessage()
        for r in caplog.records
    )


def test_check_refuses_tags_where_a_deployment_has_none(
    provider: CrossTenantDeploymentProvider,
) -> None:
    raw = base_model_inputs(api_version="2023-05-01", tags={"team": "ml"})
    assert "2023-10-01-preview or newer" in failures(provider, raw)["tags"]


def test_check_refuses_a_cross_tenant_copy_before_source_account_exists(
    provider: CrossTenantDeploymentProvider,
) -> None:
    reason = failures(provider, cross_tenant_inputs(api_version="2023-10-01-preview"))
    assert "sourceAccount" in reason["api_version"]
    assert "2024-10-01 or newer" in reason["api_version"]


@pytest.mark.parametrize("etag_key", ["etag", "eTag"])
def test_outputs_carry_the_etag_in_either_spelling(
    provider: CrossTenantDeploymentProvider, emu: Emulator, etag_key: str
) -> None:
    emu.settings.etag_key = etag_key
    created = provider.create(checked(provider, cross_tenant_inputs()))
    outs = created.outs or {}
    assert outs["etag"] == emu.deployment(DEST_ACCOUNT, "ft")[etag_key]  # type: ignore[index]
    read = provider.read(FT_ID, outs)
    assert (read.outs or {})["etag"] == outs["etag"]


@pytest.mark.parametrize("update_header", UPDATE_HEADERS)
@pytest.mark.parametrize("style", ASYNC_STYLES)
def test_create_update_and_delete_in_every_polling_form(
    make_provider: MakeProvider, emu: Emulator, style: str, update_header: str
) -> None:
    emu.settings.async_style = style
    emu.settings.update_header = update_header
    up = make_provider()
    olds = up.create(checked(up, cross_tenant_inputs())).outs or {}
    news = checked(up, cross_tenant_inputs(sku_capacity=2))
    outs = up.update(FT_ID, olds, news).outs or {}
    assert (outs["sku_capacity"], outs["provisioning_state"]) == (2, "Succeeded")
    assert [e.method for e in writes(emu)] == ["PUT", "PATCH"]

    make_provider().delete(FT_ID, outs)  # `pulumi destroy`: another plugin process

    assert emu.deployment(DEST_ACCOUNT, "ft") is None
    assert emu.internal_errors == []
