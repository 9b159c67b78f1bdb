"""diff: every row of DESIGN.md's table, unknowns, and how values are compared."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.output import Unknown

from aoai_deploy.providers.core.diff import (
    DELETE_FIRST_FIELDS,
    IGNORED_FIELDS,
    NEW_ID_FIELDS,
    UPDATE_FIELDS,
    FieldDiff,
    diff_inputs,
)
from aoai_deploy.providers.core.inputs import check_inputs
from aoai_deploy.providers.core.mapping import outputs_from_arm
from aoai_deploy.providers.core.schema import INPUTS

DEST = (
    "/subscriptions/bbbbbbbb-0000-4000-8000-000000000002/resourceGroups/rg-inference"
    "/providers/Microsoft.CognitiveServices/accounts/fabrikam-aoai-eus"
)
OTHER_DEST = DEST.replace("fabrikam-aoai-eus", "fabrikam-aoai-wus")
SOURCE = (
    "/subscriptions/aaaaaaaa-0000-4000-8000-000000000001/resourceGroups/rg-models"
    "/providers/Microsoft.CognitiveServices/accounts/contoso-ft-src"
)
OTHER_SOURCE = SOURCE.replace("contoso-ft-src", "contoso-ft-src2")
# Tenant GUIDs with letters in them, so that case-insensitive comparison is tested.
SOURCE_TENANT = "c0ffee00-aaaa-4bbb-8ccc-dddddddddddd"
DEST_TENANT = "fab00000-eeee-4fff-8aaa-bbbbbbbbbbbb"
OTHER_TENANT = "abcd0000-0000-4000-8000-000000000000"
FT_MODEL = "gpt-4o-mini-2024-07-18.ft-0123456789abcdef0123456789abcdef"

# What the user wrote at create (before check): the old outputs echo it.
WRITTEN: dict[str, Any] = {
    "account_id": DEST,
    "deployment_name": "ft-1",
    "model_name": FT_MODEL,
    "source_account_id": SOURCE,
    "source_tenant_id": SOURCE_TENANT,
    "tags": {"team": "ml"},
    "owner": "proj/dev/ft",
    "__provider": "blob-1",
}


def olds() -> dict[str, Any]:
    """Old outputs after a create of WRITTEN (tenant_id resolved to the home tenant)."""
    inputs, failures = check_inputs(WRITTEN)
    assert failures == []
    model = {"format": "OpenAI", "name": FT_MODEL, "version": "1"}
    arm = {"properties": {"provisioningState": "Succeeded", "model": model}, "etag": '"1"'}
    return outputs_from_arm(inputs, arm, tenant_id=DEST_TENANT, cross_tenant=True)


def news(**changes: Any) -> dict[str, Any]:
    """Checked new inputs: WRITTEN with some inputs changed (... removes one)."""
    written = dict(WRITTEN)
    for key, value in changes.items():
        if value is ...:
            written.pop(key, None)
        else:
            written[key] = value
    inputs, failures = check_inputs(written)
    assert failures == []
    return inputs


NO_DIFF = FieldDiff(changes=[], replaces=[], delete_before_replace=False)


def test_the_field_groups_cover_every_input_exactly_once() -> None:
    groups = [NEW_ID_FIELDS, DELETE_FIRST_FIELDS, UPDATE_FIELDS, IGNORED_FIELDS]
    assert sorted(f for group in groups for f in group) == sorted(INPUTS)


def test_same_inputs_no_diff() -> None:
    assert diff_inputs(olds(), news()) == NO_DIFF


# -- the table, row by row --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # replace with a new ARM id: create first, then delete
        pytest.param(
            {"account_id": OTHER_DEST},
            FieldDiff(["account_id"], ["account_id"], False),
            id="account_id",
        ),
        pytest.param(
            {"deployment_name": "ft-2"},
            FieldDiff(["deployment_name"], ["deployment_name"], False),
            id="deployment_name",
        ),
        # replace under the same ARM id: delete first
        pytest.param(
            {"model_name": "gpt-4o"},
            FieldDiff(["model_name"], ["model_name"], True),
            id="model_name",
        ),
        pytest.param(
            {"model_format": "Other"},
            FieldDiff(["model_format"], ["model_format"], True),
            id="model_format",
        ),
        pytest.param(
            {"source_account_id": OTHER_SOURCE},
            FieldDiff(["source_account_id"], ["source_account_id"], True),
            id="source_account_id",
        ),
        pytest.param(
            {"source_account_id": ..., "source_tenant_id": ...},
            FieldDiff(
                ["source_account_id", "source_tenant_id"],
                ["source_account_id", "source_tenant_id"],
                True,
            ),
            id="source-removed",
        ),
        # what is sent to Azure decides: cross-tenant before and after is an update
        # (another auxiliary token, the same body), a change of cross-tenant-ness a replace
        pytest.param(
            {"source_tenant_id": OTHER_TENANT},
            FieldDiff(["source_tenant_id"], [], False),
            id="source_tenant_id-still-cross-tenant",
        ),
        pytest.param(
            {"source_tenant_id": DEST_TENANT},
            FieldDiff(["source_tenant_id"], ["source_tenant_id"], True),
            id="source_tenant_id-now-the-destination-tenant",
        ),
        pytest.param(
            {"source_tenant_id": ...},
            FieldDiff(["source_tenant_id"], ["source_tenant_id"], True),
            id="source_tenant_id-removed",
        ),
        pytest.param(
            {"sku_name": "GlobalStandard"},
            FieldDiff(["sku_name"], ["sku_name"], True),
            id="sku_name",
        ),
        # update in place
        pytest.param(
            {"model_version": "2"}, FieldDiff(["model_version"], [], False), id="model_version"
        ),
        pytest.param(
            {"model_name": "gpt-4o", "sku_name": "ProvisionedManaged"},
            FieldDiff(["model_name", "sku_name"], ["sku_name"], True),
            id="model_name-with-a-move-to-provisioned",
        ),
        pytest.param(
            {"sku_capacity": 5.0}, FieldDiff(["sku_capacity"], [], False), id="sku_capacity"
        ),
        pytest.param(
            {"rai_policy_name": "strict"},
            FieldDiff(["rai_policy_name"], [], False),
            id="rai_policy_name",
        ),
        pytest.param(
            {"version_upgrade_option": "NoAutoUpgrade"},
            FieldDiff(["version_upgrade_option"], [], False),
            id="version_upgrade_option",
        ),
        pytest.param({"tags": {"team": "data"}}, FieldDiff(["tags"], [], False), id="tags"),
        pytest.param({"tags": ...}, FieldDiff(["tags"], [], False), id="tags-removed"),
        pytest.param(
            {"api_version": "2025-09-01"}, FieldDiff(["api_version"], [], False), id="api_version"
        ),
        pytest.param(
            {"tenant_id": OTHER_TENANT}, FieldDiff(["tenant_id"], [], False), id="tenant_id"
        ),
        # an update that sends nothing to Azure: later reads and deletes need the new value
        pytest.param(
            {"operation_timeout_seconds": 60.0},
            FieldDiff(["operation_timeout_seconds"], [], False),
            id="operation_timeout",
        ),
        # no diff at all
        pytest.param({"adopt_existing": True}, NO_DIFF, id="adopt_existing"),
        pytest.param({"role_propagation_timeout_seconds": 600.0}, NO_DIFF, id="role_timeout"),
        pytest.param({"owner": "proj/prod/ft"}, NO_DIFF, id="owner"),
        pytest.param({"__provider": "blob-2"}, NO_DIFF, id="__provider"),
    ],
)
def test_diff_table(changes: dict[str, Any], expected: FieldDiff) -> None:
    assert diff_inputs(olds(), news(**changes)) == expected


def test_a_new_arm_id_is_created_first_whatever_else_changed() -> None:
    diff = diff_inputs(olds(), news(deployment_name="ft-2", model_name="gpt-4o"))
    assert diff == FieldDiff(
        ["deployment_name", "model_name"], ["deployment_name", "model_name"], False
    )


def test_a_new_arm_id_not_known_yet_deletes_first_whatever_else_changed() -> None:
    diff = diff_inputs(olds(), news(deployment_name=Unknown(), model_name="gpt-4o"))
    assert diff.delete_before_replace is True


def test_changes_are_listed_in_inputs_order() -> None:
    diff = diff_inputs(
        olds(),
        news(
            tags={},
            sku_capacity=3.0,
            model_version="2",
            account_id=OTHER_DEST,
            sku_name="DeveloperTier",
        ),
    )
    assert diff.changes == ["account_id", "model_version", "sku_name", "sku_capacity", "tags"]
    assert diff.replaces == ["account_id", "sku_name"]
    assert diff.delete_before_replace is False  # another account: a new ARM id


# -- what counts as the same value ------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"account_id": DEST.upper()}, id="account_id-case"),
        pytest.param(
            {"account_id": DEST.replace("resourceGroups", "resourcegroups")},
            id="account_id-segment-case",
        ),
        pytest.param({"deployment_name": "FT-1"}, id="deployment_name-case"),
        pytest.param({"source_account_id": SOURCE.lower()}, id="source_account_id-case"),
        pytest.param({"source_tenant_id": SOURCE_TENANT.upper()}, id="source_tenant_id-case"),
        pytest.param({"tenant_id": DEST_TENANT.upper()}, id="tenant_id-case"),
        pytest.param({"tenant_id": ...}, id="tenant_id-absent-means-the-resolved-one"),
        pytest.param({"sku_name": "standard"}, id="sku_name-case"),
        pytest.param({"sku_name": "STANDARD"}, id="sku_name-upper"),
        pytest.param({"sku_capacity": 1.0}, id="capacity-float-equals-int"),
        pytest.param({"sku_capacity": 1}, id="capacity-int"),
        pytest.param({"model_version": "1"}, id="model_version-the-one-azure-chose-written"),
        pytest.param({"model_version": ...}, id="model_version-unset"),
        pytest.param({"model_format": "OpenAI"}, id="model_format-default-written"),
        pytest.param({"api_version": "2024-10-01"}, id="api_version-default-written"),
        pytest.param({"tags": {"team": "ml"}}, id="same-tags"),
    ],
)
def test_equal_values_are_no_change(changes: dict[str, Any]) -> None:
    assert diff_inputs(olds(), news(**changes)) == NO_DIFF


@pytest.mark.parametrize(
    "sku", ["ProvisionedManaged", "GlobalProvisionedManaged", "datazoneprovisionedmanaged"]
)
@pytest.mark.parametrize("field", ["model_name", "model_format"])
def test_a_new_model_on_a_provisioned_sku_is_an_update(sku: str, field: str) -> None:
    old = olds() | {"sku_name": sku}
    diff = diff_inputs(old, news(sku_name=sku, **{field: "gpt-4o"}))
    assert diff == FieldDiff([field], [], False)


def test_a_new_model_on_an_unknown_sku_is_a_replace() -> None:
    old = olds() | {"sku_name": "ProvisionedManaged"}
    diff = diff_inputs(old, news(sku_name=Unknown(), model_name="gpt-4o"))
    assert "model_name" in diff.replaces


@pytest.mark.parametrize(
    ("old", "new"),
    [(None, DEST_TENANT), (DEST_TENANT, None), (DEST_TENANT.upper(), None)],
    ids=["set-to-destination", "unset", "unset-from-upper-case"],
)
def test_source_tenant_unset_and_the_destination_tenant_are_one_copy(
    old: str | None, new: str | None
) -> None:
    written = {"source_tenant_id": old, "tenant_id": DEST_TENANT}
    before = outputs_from_arm(news(**written), {}, tenant_id=DEST_TENANT, cross_tenant=False)
    diff = diff_inputs(before, news(source_tenant_id=new if new else ..., tenant_id=DEST_TENANT))
    assert diff.replaces == []
    assert diff.changes == ["source_tenant_id"]


def test_a_source_tenant_not_known_yet_is_a_replace() -> None:
    diff = diff_inputs(olds(), news(source_tenant_id=Unknown()))
    assert diff.replaces == ["source_tenant_id"]


def test_a_version_written_down_that_azure_did_not_choose_is_an_update() -> None:
    old = olds() | {"model_version": None}
    assert diff_inputs(old, news(model_version="2")).changes == ["model_version"]


def test_version_upgrade_option_compares_ignoring_case() -> None:
    old = olds() | {"version_upgrade_option": "NoAutoUpgrade"}
    assert diff_inputs(old, news(version_upgrade_option="noautoupgrade")) == NO_DIFF


def test_absent_values_in_old_outputs_equal_their_defaults() -> None:
    old = {
        key: value
        for key, value in olds().items()
        if key not in {"model_format", "model_version", "sku_name", "sku_capacity", "api_version"}
    }
    assert diff_inputs(old, news()) == NO_DIFF


def test_old_float_capacity_equals_new_int() -> None:
    assert diff_inputs(olds() | {"sku_capacity": 1.0}, news()) == NO_DIFF


@pytest.mark.parametrize(("old", "new"), [(None, {}), ({}, None), (None, None)])
def test_no_tags_equals_empty_tags(old: Any, new: Any) -> None:
    old_outputs = olds() | {"tags": old}
    new_inputs = news(tags=...) | {"tags": new}
    assert diff_inputs(old_outputs, new_inputs) == NO_DIFF


def test_model_name_and_format_compare_ignoring_case() -> None:
    assert diff_inputs(olds(), news(model_name=FT_MODEL.upper())) == NO_DIFF
    assert diff_inputs(olds(), news(model_format="openai")) == NO_DIFF


def test_output_keys_are_ignored() -> None:
    new_inputs = news() | {"provisioning_state": "Failed", "etag": "other", "model": {}}
    assert diff_inputs(olds(), new_inputs) == NO_DIFF


def test_tenant_id_set_for_the_first_time_to_the_resolved_one_is_no_change() -> None:
    assert diff_inputs(olds(), news(tenant_id=DEST_TENANT)) == NO_DIFF


# -- unknowns (preview) -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "replace", "delete_first"),
    [
        ("account_id", True, True),
        ("deployment_name", True, True),
        ("model_name", True, True),
        ("model_format", True, True),
        ("source_account_id", True, True),
        ("source_tenant_id", True, True),
        ("sku_name", True, True),
        ("model_version", False, False),
        ("sku_capacity", False, False),
        ("rai_policy_name", False, False),
        ("version_upgrade_option", False, False),
        ("tags", False, False),
        ("api_version", False, False),
        ("tenant_id", False, False),
        ("operation_timeout_seconds", False, False),
    ],
)
def test_an_unknown_value_is_a_change(field: str, replace: bool, delete_first: bool) -> None:
    diff = diff_inputs(olds(), news(**{field: Unknown()}))
    assert diff == FieldDiff([field], [field] if replace else [], delete_first)


@pytest.mark.parametrize(
    "field",
    ["adopt_existing", "role_propagation_timeout_seconds", "owner"],
)
def test_an_unknown_value_of_a_field_without_diff_is_no_change(field: str) -> None:
    assert diff_inputs(olds(), news(**{field: Unknown()})) == NO_DIFF


def test_tags_with_an_unknown_value_are_a_change() -> None:
    assert diff_inputs(olds(), news(tags={"team": Unknown()})) == FieldDiff(["tags"], [], False)


def test_an_unknown_provider_is_no_change() -> None:
    assert diff_inputs(olds(), news(__provider=Unknown())) == NO_DIFF
