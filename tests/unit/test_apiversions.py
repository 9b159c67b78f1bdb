"""The provider's api-version table (providers/core/apiversions.py): which row serves which
version, and what a body at each version may carry."""

from __future__ import annotations

import pytest

from aoai_deploy.providers.core import apiversions


@pytest.mark.parametrize(
    ("version", "row"),
    [
        ("2023-05-01", "2023-05-01"),
        ("2023-06-01-preview", "2023-05-01"),  # between rows: the nearest older one
        ("2023-10-01-preview", "2023-10-01-preview"),
        ("2023-10-01", "2023-10-01-preview"),  # a stable version comes after its preview
        ("2024-06-01-preview", "2023-10-01-preview"),
        ("2025-09-01", "2025-09-01"),
        ("2025-10-01", "2025-10-01-preview"),
        ("2026-03-01", "2025-12-01"),  # a stable version defining what 2025-12-01 does
        ("2026-09-01", "2026-09-01"),
        ("2027-01-01", "2026-09-01"),  # newer than tested: the newest row
    ],
)
def test_a_version_is_served_by_its_own_row_or_the_nearest_older_one(
    version: str, row: str
) -> None:
    found = apiversions.row_for(version)
    assert found is not None
    assert found.version == row


@pytest.mark.parametrize("version", ["2023-04-30", "2023-05-01-preview", "2017-04-18"])
def test_versions_older_than_the_oldest_row_have_none(version: str) -> None:
    assert apiversions.row_for(version) is None


def test_patch_exists_from_2023_10_01_preview_on() -> None:
    assert not apiversions.defines_update("2023-05-01")
    assert apiversions.defines_update("2023-10-01-preview")
    assert apiversions.defines_update("2024-10-01")
    assert apiversions.first_with("update") == "2023-10-01-preview"


def test_only_versions_past_the_newest_row_are_newer_than_tested() -> None:
    assert apiversions.is_newer_than_tested("2026-09-02")
    assert not apiversions.is_newer_than_tested("2026-09-01")
    assert not apiversions.is_newer_than_tested("2026-03-01")
    assert apiversions.supported_range() == "2023-05-01 to 2026-09-01"


def test_a_body_leaves_out_what_its_version_does_not_define() -> None:
    body = {
        "sku": {"name": "Standard", "capacity": 1},
        "tags": {"aoai-deploy-owner": "o"},
        "properties": {
            "model": {"format": "OpenAI", "name": "m", "sourceAccount": "/subscriptions/x"},
            "raiPolicyName": "p",
            "spilloverDeploymentName": "s",
        },
    }
    old = apiversions.body_for("2023-05-01", body)
    assert "tags" not in old
    assert old["properties"] == {"model": {"format": "OpenAI", "name": "m"}, "raiPolicyName": "p"}
    assert apiversions.body_for("2025-09-01", body) == body
    assert "sourceAccount" in body["properties"]["model"]  # the input is not changed
