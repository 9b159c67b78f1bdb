"""What each api-version defines, served as its REST spec says (emulator/apiversions.py), and
the parts of an answer that the az CLI recordings show (ETag header, DELETE 200 = deleted)."""

from __future__ import annotations

import pytest

from aoai_deploy.emulator import API_VERSIONS, Fault
from aoai_deploy.emulator.apiversions import ROWS
from aoai_deploy.providers.core import apiversions as provider_table

NEWER = {
    "raiPolicyName": "Microsoft.DefaultV2",
    "parentDeploymentName": "parent",
    "serviceTier": "Priority",
    "deploymentState": "Running",
}


def put_with_newer_fields(arm, name: str, api_version: str):
    body = arm.base_body()
    body["tags"] = {"team": "ml"}
    body["properties"].update(NEWER)
    return arm.put(name, body, api_version=api_version)


def test_patch_at_an_api_version_without_deployments_update_is_405(clocked_arm, manual_clock):
    # stable/2023-05-01/cognitiveservices.json defines GET, PUT and DELETE of a deployment only.
    clocked_arm.put("chat", clocked_arm.base_body(), api_version="2023-05-01")
    manual_clock.advance(1)

    response = clocked_arm.patch("chat", {"sku": {"capacity": 2}}, api_version="2023-05-01")

    assert response.status_code == 405
    assert clocked_arm.error(response) == (
        "MethodNotAllowed",
        "The requested resource does not support http method 'PATCH'.",
    )
    assert clocked_arm.get_deployment("chat").json()["sku"]["capacity"] == 1


def test_patch_exists_from_2023_10_01_preview_on(clocked_arm, manual_clock):
    clocked_arm.put("chat", clocked_arm.base_body())
    manual_clock.advance(1)
    for version in ("2023-10-01-preview", "2024-10-01", "2025-09-01", "2025-10-01-preview"):
        response = clocked_arm.patch("chat", {"sku": {"capacity": 2}}, api_version=version)
        assert response.status_code == 202, version
        manual_clock.advance(1)


def test_a_get_shows_only_what_its_api_version_defines(clocked_arm, manual_clock):
    put_with_newer_fields(clocked_arm, "chat", "2025-10-01-preview")
    manual_clock.advance(1)

    def shown(version: str) -> dict:
        return clocked_arm.get_deployment("chat", api_version=version).json()

    preview = shown("2025-10-01-preview")["properties"]
    assert {k: preview[k] for k in NEWER} == NEWER
    stable = shown("2025-09-01")["properties"]
    assert stable["parentDeploymentName"] == "parent"
    assert "serviceTier" not in stable
    assert "deploymentState" not in stable
    for key in ("parentDeploymentName", "serviceTier", "deploymentState"):
        assert key not in shown("2023-10-01-preview")["properties"]
    oldest = shown("2023-05-01")
    assert "tags" not in oldest
    assert "currentCapacity" not in oldest["properties"]
    assert "dynamicThrottlingEnabled" not in oldest["properties"]


def test_a_put_takes_only_what_its_api_version_defines(clocked_arm, manual_clock):
    put_with_newer_fields(clocked_arm, "chat", "2023-10-01-preview")
    manual_clock.advance(1)
    stored = clocked_arm.emu.deployment(clocked_arm.DEST, "chat")
    assert stored["tags"] == {"team": "ml"}
    for key in ("parentDeploymentName", "serviceTier", "deploymentState"):
        assert key not in stored["properties"]

    put_with_newer_fields(clocked_arm, "old", "2023-05-01")
    manual_clock.advance(1)
    assert "tags" not in clocked_arm.emu.deployment(clocked_arm.DEST, "old")


def test_a_put_at_an_older_version_keeps_what_that_version_cannot_name(clocked_arm, manual_clock):
    put_with_newer_fields(clocked_arm, "chat", "2025-10-01-preview")
    manual_clock.advance(1)

    clocked_arm.put("chat", clocked_arm.base_body(capacity=2), api_version="2023-05-01")
    manual_clock.advance(1)

    stored = clocked_arm.emu.deployment(clocked_arm.DEST, "chat")
    assert stored["sku"]["capacity"] == 2
    assert stored["tags"] == {"team": "ml"}
    assert stored["properties"]["serviceTier"] == "Priority"


def test_source_account_is_not_taken_before_the_api_versions_that_define_it(clocked_arm):
    # 2023-05-01 and 2023-10-01-preview's DeploymentModel has no sourceAccount: the copy is
    # read as the destination's own model, which it does not hold.
    response = clocked_arm.put_copy("ft", api_version="2023-10-01-preview")
    assert response.status_code == 400
    assert clocked_arm.error(response)[0] == "DeploymentModelNotSupported"
    assert clocked_arm.put_copy("ft2").status_code == 201


@pytest.mark.parametrize("etag_key", ["etag", "eTag"])
def test_answers_carry_the_etag_header_the_recordings_show(clocked_arm, manual_clock, etag_key):
    clocked_arm.emu.settings.etag_key = etag_key
    put = clocked_arm.put("chat", clocked_arm.base_body())
    manual_clock.advance(1)
    got = clocked_arm.get_deployment("chat")
    assert put.headers["ETag"] == put.json()[etag_key]
    assert got.headers["ETag"] == got.json()[etag_key]
    assert got.headers["ETag"].startswith('"')


def test_delete_answered_200_means_deleted(clocked_arm, manual_clock):
    # The az CLI recordings (2021 and 2025) list no deployment right after a DELETE
    # answered 200 without a polling header.
    clocked_arm.put("chat", clocked_arm.base_body())
    manual_clock.advance(1)
    clocked_arm.emu.settings.async_style = "none"
    clocked_arm.emu.settings.deprovisioning_seconds = 30

    assert clocked_arm.delete("chat").status_code == 200

    assert clocked_arm.get_deployment("chat").status_code == 404
    assert clocked_arm.delete("chat").status_code == 204  # no 409: nothing is still running


def test_delete_without_a_polling_header_that_fails_answers_the_error(clocked_arm, manual_clock):
    clocked_arm.put("chat", clocked_arm.base_body())
    manual_clock.advance(1)
    clocked_arm.emu.settings.async_style = "none"
    clocked_arm.emu.inject(Fault(kind="failed-provisioning", method="DELETE"))

    response = clocked_arm.delete("chat")

    assert response.status_code == 400
    assert clocked_arm.error(response)[0] == "InternalServerError"
    kept = clocked_arm.get_deployment("chat").json()
    assert kept["properties"]["provisioningState"] == "Failed"


def test_the_emulator_answers_every_version_of_its_table():
    assert tuple(r.version for r in ROWS) == API_VERSIONS


def test_the_provider_and_the_emulator_tables_agree():
    # Each keeps its own copy (the emulator stands for Azure, the provider must not import
    # it); the rows both list must say the same.
    emulator = {r.version: r for r in ROWS}
    provider = {r.version: r for r in provider_table.ROWS}
    assert set(provider) == set(emulator)
    for version, theirs in emulator.items():
        ours = provider[version]
        assert (ours.update, ours.tags, ours.source) == (theirs.update, theirs.tags, theirs.source)
        assert ours.model == theirs.model, version
        assert ours.properties == theirs.properties, version
