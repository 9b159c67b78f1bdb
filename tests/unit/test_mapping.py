"""Inputs to the ARM body, ARM responses to outputs, drift on read, the owner tag."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from aoai_deploy.providers.core.inputs import DeploymentSpec, check_inputs, spec_from_inputs
from aoai_deploy.providers.core.mapping import (
    deployment_body,
    is_cross_tenant,
    live_inputs,
    model_change,
    outputs_from_arm,
    owner_of,
    patch_body,
    refreshed_outputs,
    version_to_send,
)
from aoai_deploy.providers.core.schema import INPUTS, OUTPUTS, OWNER_TAG

DEST = (
    "/subscriptions/bbbbbbbb-0000-4000-8000-000000000002/resourceGroups/rg-inference"
    "/providers/Microsoft.CognitiveServices/accounts/fabrikam-aoai-eus"
)
SOURCE = (
    "/subscriptions/aaaaaaaa-0000-4000-8000-000000000001/resourceGroups/rg-models"
    "/providers/Microsoft.CognitiveServices/accounts/contoso-ft-src"
)
SAME_TENANT_SOURCE = (
    "/subscriptions/bbbbbbbb-0000-4000-8000-000000000002/resourceGroups/rg-lab"
    "/providers/Microsoft.CognitiveServices/accounts/fabrikam-ft-lab"
)
# Tenant GUIDs with letters in them, so that case-insensitive comparison is tested.
SOURCE_TENANT = "c0ffee00-aaaa-4bbb-8ccc-dddddddddddd"
DEST_TENANT = "fab00000-eeee-4fff-8aaa-bbbbbbbbbbbb"
FT_MODEL = "gpt-4o-mini-2024-07-18.ft-0123456789abcdef0123456789abcdef"
PROVIDER_BLOB = "pickled-provider-blob-with-a-marker-0xDEADBEEF"

BASE: dict[str, Any] = {
    "account_id": DEST,
    "deployment_name": "ft-1",
    "model_name": FT_MODEL,
    "__provider": PROVIDER_BLOB,
}


def spec(**changes: Any) -> DeploymentSpec:
    return spec_from_inputs({**BASE, **changes})


def arm_deployment(**overrides: Any) -> dict[str, Any]:
    """A deployment as ARM returns it (2024-10-01)."""
    body: dict[str, Any] = {
        "id": DEST + "/deployments/ft-1",
        "name": "ft-1",
        "type": "Microsoft.CognitiveServices/accounts/deployments",
        "sku": {"name": "Standard", "capacity": 1},
        "tags": {"team": "ml", OWNER_TAG: "proj/dev/ft"},
        "etag": '"0x1"',
        "systemData": {"createdAt": "2025-01-01T00:00:00Z"},
        "properties": {
            "model": {
                "format": "OpenAI",
                "name": FT_MODEL,
                "version": "1",
                "sourceAccount": SOURCE,
                "callRateLimit": {"count": 1},
            },
            "raiPolicyName": "Microsoft.DefaultV2",
            "versionUpgradeOption": "NoAutoUpgrade",
            "provisioningState": "Succeeded",
            "capabilities": {"chatCompletion": "true"},
            "rateLimits": [{"key": "request", "renewalPeriod": 10, "count": 1}],
            "currentCapacity": 1,
        },
    }
    body.update(overrides)
    return body


# -- cross-tenant or not ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "destination_tenant", "expected"),
    [
        pytest.param({}, DEST_TENANT, False, id="no-source"),
        pytest.param({"source_account_id": SOURCE}, DEST_TENANT, False, id="source-without-tenant"),
        pytest.param(
            {"source_account_id": SOURCE, "source_tenant_id": SOURCE_TENANT},
            DEST_TENANT,
            True,
            id="source-in-another-tenant",
        ),
        pytest.param(
            {"source_account_id": SOURCE, "source_tenant_id": DEST_TENANT.upper()},
            DEST_TENANT,
            False,
            id="source-tenant-is-destination-any-case",
        ),
        pytest.param(
            {"source_account_id": DEST.upper(), "source_tenant_id": SOURCE_TENANT},
            DEST_TENANT,
            False,
            id="source-is-the-destination-account",
        ),
    ],
)
def test_is_cross_tenant(changes: dict[str, Any], destination_tenant: str, expected: bool) -> None:
    assert is_cross_tenant(spec(**changes), destination_tenant) is expected


# -- the PUT body -----------------------------------------------------------------------------


def test_cross_tenant_body_is_the_documented_request() -> None:
    the_spec = spec(
        source_account_id=SOURCE,
        source_tenant_id=SOURCE_TENANT,
        sku_name="standard",
        owner="proj/dev/ft",
    )
    assert deployment_body(the_spec, cross_tenant=True) == {
        "sku": {"name": "standard", "capacity": 1},
        "tags": {OWNER_TAG: "proj/dev/ft"},
        "properties": {"model": {"format": "OpenAI", "name": FT_MODEL, "sourceAccount": SOURCE}},
    }


def test_a_version_left_unset_is_left_out_of_the_body() -> None:
    # Azure then deploys the model's default version (FACTS.md); "1" exists only for
    # fine-tuned models, and a base model sent "1" fails with DeploymentModelNotSupported.
    assert "version" not in deployment_body(spec(), cross_tenant=False)["properties"]["model"]
    pinned = deployment_body(spec(model_version="1"), cross_tenant=False)
    assert pinned["properties"]["model"]["version"] == "1"


@pytest.mark.parametrize(
    ("changes", "cross_tenant", "source_key"),
    [
        pytest.param({}, False, None, id="no-source-account"),
        pytest.param({"source_account_id": SAME_TENANT_SOURCE}, False, "source", id="same-tenant"),
        pytest.param(
            {"source_account_id": SOURCE, "source_tenant_id": SOURCE_TENANT},
            True,
            "sourceAccount",
            id="cross-tenant",
        ),
        pytest.param(
            {"source_account_id": SOURCE, "source_tenant_id": DEST_TENANT},
            False,
            "source",
            id="source-tenant-equals-destination",
        ),
        pytest.param({"source_account_id": DEST}, False, None, id="source-is-destination"),
        pytest.param(
            {"source_account_id": DEST.replace("fabrikam-aoai-eus", "FABRIKAM-AOAI-EUS")},
            False,
            None,
            id="source-is-destination-other-case",
        ),
    ],
)
def test_body_model_source(
    changes: dict[str, Any], cross_tenant: bool, source_key: str | None
) -> None:
    model = deployment_body(spec(**changes), cross_tenant=cross_tenant)["properties"]["model"]
    source_keys = {key for key in model if key in {"source", "sourceAccount"}}
    if source_key is None:
        assert source_keys == set()
    else:
        assert source_keys == {source_key}
        assert model[source_key] == changes["source_account_id"]


def test_body_source_account_is_formatted_canonically() -> None:
    lowered = SOURCE.replace("resourceGroups", "resourcegroups")
    body = deployment_body(spec(source_account_id=lowered), cross_tenant=False)
    assert body["properties"]["model"]["source"] == SOURCE


@pytest.mark.parametrize(
    ("changes", "tags"),
    [
        pytest.param({}, None, id="no-tags-no-owner"),
        pytest.param({"tags": {}}, None, id="empty-tags-no-owner"),
        pytest.param({"tags": {"team": "ml"}}, {"team": "ml"}, id="user-tags"),
        pytest.param({"owner": "p/s/r"}, {OWNER_TAG: "p/s/r"}, id="owner-only"),
        pytest.param(
            {"tags": {"team": "ml"}, "owner": "p/s/r"},
            {"team": "ml", OWNER_TAG: "p/s/r"},
            id="user-tags-and-owner",
        ),
    ],
)
def test_body_tags(changes: dict[str, Any], tags: dict[str, str] | None) -> None:
    body = deployment_body(spec(**changes), cross_tenant=False)
    assert body.get("tags") == tags
    assert ("tags" in body) is (tags is not None)


def test_body_does_not_change_the_spec_tags() -> None:
    the_spec = spec(tags={"team": "ml"}, owner="p/s/r")
    deployment_body(the_spec, cross_tenant=False)
    assert the_spec.tags == {"team": "ml"}


@pytest.mark.parametrize(
    ("changes", "key", "value"),
    [
        ({"rai_policy_name": "strict"}, "raiPolicyName", "strict"),
        ({"version_upgrade_option": "noautoupgrade"}, "versionUpgradeOption", "noautoupgrade"),
    ],
)
def test_body_optional_properties_only_when_set(
    changes: dict[str, Any], key: str, value: str
) -> None:
    assert deployment_body(spec(**changes), cross_tenant=False)["properties"][key] == value
    assert key not in deployment_body(spec(), cross_tenant=False)["properties"]


def test_body_sku_and_model_as_the_user_wrote_them() -> None:
    body = deployment_body(
        spec(sku_name="globalstandard", sku_capacity=5.0, model_format="OpenAI", model_version="2"),
        cross_tenant=False,
    )
    assert body["sku"] == {"name": "globalstandard", "capacity": 5}
    assert type(body["sku"]["capacity"]) is int
    assert body["properties"]["model"] == {"format": "OpenAI", "name": FT_MODEL, "version": "2"}


def test_minimal_body_has_only_sku_and_properties() -> None:
    body = deployment_body(spec(), cross_tenant=False)
    assert set(body) == {"sku", "properties"}
    assert set(body["properties"]) == {"model"}


def test_body_never_carries_the_property_bag() -> None:
    props = {
        **BASE,
        "source_account_id": SOURCE,
        "source_tenant_id": SOURCE_TENANT,
        "tags": {"team": "ml"},
        "owner": "p/s/r",
        "adopt_existing": True,
        "operation_timeout_seconds": 60.0,
        "provisioning_state": "Succeeded",
    }
    text = json.dumps(deployment_body(spec_from_inputs(props), cross_tenant=True))
    for leaked in (
        "__provider",
        PROVIDER_BLOB,
        "adopt_existing",
        "operation_timeout",
        "provisioning_state",
        "account_id",
        "tenant",
    ):
        assert leaked not in text


# -- outputs of create / update ---------------------------------------------------------------


def created_outputs(arm: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    inputs, failures = check_inputs({**BASE, "owner": "proj/dev/ft", **changes})
    assert failures == []
    return outputs_from_arm(
        inputs,
        arm if arm is not None else arm_deployment(),
        tenant_id=DEST_TENANT,
        cross_tenant=True,
    )


def test_outputs_echo_every_input_with_defaults_and_resolved_tenant() -> None:
    outputs = created_outputs(
        source_account_id=SOURCE,
        source_tenant_id=SOURCE_TENANT,
        sku_capacity=3.0,
        tags={"team": "ml"},
    )
    assert set(outputs) == {*INPUTS, "owner", *OUTPUTS}
    assert outputs["account_id"] == DEST
    assert outputs["deployment_name"] == "ft-1"
    assert outputs["model_name"] == FT_MODEL
    assert outputs["model_format"] == "OpenAI"
    assert outputs["model_version"] is None  # not set: Azure's choice is in `model`
    assert outputs["source_account_id"] == SOURCE
    assert outputs["source_tenant_id"] == SOURCE_TENANT
    assert outputs["tenant_id"] == DEST_TENANT
    assert outputs["sku_name"] == "Standard"
    assert outputs["sku_capacity"] == 3
    assert outputs["rai_policy_name"] is None
    assert outputs["version_upgrade_option"] is None
    assert outputs["tags"] == {"team": "ml"}
    assert outputs["adopt_existing"] is False
    assert outputs["api_version"] == "2024-10-01"
    assert outputs["operation_timeout_seconds"] == 1800
    assert outputs["role_propagation_timeout_seconds"] == 0
    assert outputs["owner"] == "proj/dev/ft"
    assert "__provider" not in outputs


def test_outputs_carry_what_azure_reports() -> None:
    outputs = created_outputs()
    assert outputs["provisioning_state"] == "Succeeded"
    assert outputs["capabilities"] == {"chatCompletion": "true"}
    assert outputs["rate_limits"] == [{"key": "request", "renewalPeriod": 10, "count": 1}]
    assert outputs["model"] == arm_deployment()["properties"]["model"]
    assert outputs["current_capacity"] == 1
    assert outputs["etag"] == '"0x1"'
    assert outputs["cross_tenant"] is True


@pytest.mark.parametrize("etag_key", ["etag", "eTag", "ETag"])
def test_outputs_read_the_etag_in_any_casing(etag_key: str) -> None:
    arm = arm_deployment()
    del arm["etag"]
    arm[etag_key] = '"0x2"'
    assert created_outputs(arm)["etag"] == '"0x2"'


def test_outputs_read_property_keys_in_any_casing() -> None:
    arm = arm_deployment()
    props = arm.pop("properties")
    arm["Properties"] = {"ProvisioningState": props["provisioningState"], "currentcapacity": 4.0}
    outputs = created_outputs(arm)
    assert outputs["provisioning_state"] == "Succeeded"
    assert outputs["current_capacity"] == 4


def test_outputs_when_optional_arm_fields_are_missing() -> None:
    outputs = created_outputs({"id": DEST + "/deployments/ft-1", "properties": {}})
    assert outputs["provisioning_state"] is None
    assert outputs["capabilities"] == {}
    assert outputs["rate_limits"] == []
    assert outputs["model"] == {}
    assert outputs["current_capacity"] is None
    assert outputs["etag"] is None


def test_outputs_when_the_arm_body_has_no_properties_at_all() -> None:
    outputs = created_outputs({})
    assert outputs["provisioning_state"] is None
    assert outputs["model"] == {}


def test_outputs_do_not_share_objects_with_the_response_or_the_inputs() -> None:
    arm = arm_deployment()
    inputs, _ = check_inputs({**BASE, "tags": {"a": "b"}})
    outputs = outputs_from_arm(inputs, arm, tenant_id=DEST_TENANT, cross_tenant=False)
    outputs["model"]["name"] = "changed"
    outputs["capabilities"]["x"] = "y"
    outputs["tags"]["a"] = "changed"
    assert arm["properties"]["model"]["name"] == FT_MODEL
    assert "x" not in arm["properties"]["capabilities"]
    assert inputs["tags"] == {"a": "b"}


# -- read: drift ------------------------------------------------------------------------------


def old_outputs(**changes: Any) -> dict[str, Any]:
    """Outputs of an earlier create that match arm_deployment() exactly."""
    inputs: dict[str, Any] = {
        "source_account_id": SOURCE,
        "source_tenant_id": SOURCE_TENANT,
        "model_version": "1",
        "rai_policy_name": "Microsoft.DefaultV2",
        "version_upgrade_option": "NoAutoUpgrade",
        "tags": {"team": "ml"},
    }
    return created_outputs(**{**inputs, **changes})


def live(**changes: Any) -> dict[str, Any]:
    """arm_deployment() with some properties / model / sku fields changed."""
    arm = arm_deployment()
    for path, value in changes.items():
        *parents, key = path.split("__")
        target = arm
        for parent in parents:
            target = target[parent]
        if value is ...:
            target.pop(key, None)
        else:
            target[key] = value
    return arm


def test_refresh_without_drift_keeps_the_inputs() -> None:
    old = old_outputs()
    assert refreshed_outputs(old, arm_deployment()) == old


def test_refresh_keeps_the_user_spelling_when_equal_ignoring_case() -> None:
    old = old_outputs(sku_name="standard", version_upgrade_option="noautoupgrade")
    arm = live(
        sku__name="Standard",
        properties__versionUpgradeOption="NoAutoUpgrade",
        properties__model__sourceAccount=SOURCE.upper(),
    )
    refreshed = refreshed_outputs(old, arm)
    assert refreshed["sku_name"] == "standard"
    assert refreshed["version_upgrade_option"] == "noautoupgrade"
    assert refreshed["source_account_id"] == SOURCE


@pytest.mark.parametrize(
    ("arm_change", "field", "value"),
    [
        pytest.param({"sku__capacity": 7}, "sku_capacity", 7, id="capacity"),
        pytest.param({"sku__capacity": 7.0}, "sku_capacity", 7, id="capacity-float"),
        pytest.param({"sku__name": "GlobalStandard"}, "sku_name", "GlobalStandard", id="sku"),
        pytest.param({"properties__model__version": "2"}, "model_version", "2", id="version"),
        pytest.param({"properties__model__name": "gpt-4o"}, "model_name", "gpt-4o", id="model"),
        pytest.param({"properties__model__format": "Other"}, "model_format", "Other", id="format"),
        pytest.param(
            {"properties__model__sourceAccount": SAME_TENANT_SOURCE},
            "source_account_id",
            SAME_TENANT_SOURCE,
            id="source-account",
        ),
        pytest.param(
            {
                "properties__model__sourceAccount": ...,
                "properties__model__source": SAME_TENANT_SOURCE,
            },
            "source_account_id",
            SAME_TENANT_SOURCE,
            id="source",
        ),
        pytest.param(
            {"properties__raiPolicyName": "strict"}, "rai_policy_name", "strict", id="rai-policy"
        ),
        pytest.param(
            {"properties__raiPolicyName": ...}, "rai_policy_name", None, id="rai-policy-removed"
        ),
        pytest.param(
            {"properties__versionUpgradeOption": "OnceCurrentVersionExpired"},
            "version_upgrade_option",
            "OnceCurrentVersionExpired",
            id="upgrade-option",
        ),
        pytest.param(
            {"tags": {"team": "data", OWNER_TAG: "proj/dev/ft"}},
            "tags",
            {"team": "data"},
            id="tag-value",
        ),
        pytest.param({"tags": {OWNER_TAG: "proj/dev/ft"}}, "tags", {}, id="tags-removed"),
        pytest.param({"tags": ...}, "tags", {}, id="no-tags-at-all"),
        pytest.param(
            {"tags": {"team": "ml", "extra": "x"}},
            "tags",
            {"team": "ml", "extra": "x"},
            id="tag-added",
        ),
    ],
)
def test_refresh_shows_drift(arm_change: dict[str, Any], field: str, value: Any) -> None:
    old = old_outputs()
    refreshed = refreshed_outputs(old, live(**arm_change))
    assert refreshed[field] == value
    assert {k: v for k, v in refreshed.items() if k != field and k not in OUTPUTS} == {
        k: v for k, v in old.items() if k != field and k not in OUTPUTS
    }


def test_refresh_keeps_the_source_account_azure_does_not_report() -> None:
    old = old_outputs()
    assert (
        refreshed_outputs(old, live(properties__model__sourceAccount=...))["source_account_id"]
        == SOURCE
    )


def test_refresh_never_touches_the_source_tenant() -> None:
    assert refreshed_outputs(old_outputs(), arm_deployment())["source_tenant_id"] == SOURCE_TENANT


@pytest.mark.parametrize("field", ["model_version", "rai_policy_name", "version_upgrade_option"])
def test_refresh_leaves_azure_defaults_alone_when_the_user_set_nothing(field: str) -> None:
    old = old_outputs(**{field: None})
    assert refreshed_outputs(old, arm_deployment())[field] is None


def test_refresh_keeps_old_tag_name_spelling_and_drops_the_owner_tag_in_any_case() -> None:
    old = old_outputs(tags={"Team": "ml"})
    arm = live(tags={"team": "ml", OWNER_TAG.upper(): "proj/dev/ft"})
    assert refreshed_outputs(old, arm)["tags"] == {"Team": "ml"}


def test_refresh_keeps_no_tags_as_none_when_only_the_owner_tag_is_there() -> None:
    old = old_outputs(tags=None)
    assert refreshed_outputs(old, live(tags={OWNER_TAG: "proj/dev/ft"}))["tags"] is None


def test_refresh_updates_the_computed_outputs() -> None:
    arm = live(
        etag='"0x9"',
        properties__provisioningState="Failed",
        properties__currentCapacity=3,
        properties__capabilities={"a": "b"},
        properties__rateLimits=[],
    )
    refreshed = refreshed_outputs(old_outputs(), arm)
    assert refreshed["etag"] == '"0x9"'
    assert refreshed["provisioning_state"] == "Failed"
    assert refreshed["current_capacity"] == 3
    assert refreshed["capabilities"] == {"a": "b"}
    assert refreshed["rate_limits"] == []
    assert refreshed["model"]["name"] == FT_MODEL
    assert refreshed["cross_tenant"] is True


def test_refresh_does_not_modify_the_old_outputs() -> None:
    old = old_outputs()
    before = copy.deepcopy(old)
    refreshed_outputs(old, live(sku__capacity=9, tags={}))
    assert old == before


# -- the owner tag ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arm", "owner"),
    [
        pytest.param({"tags": {OWNER_TAG: "p/s/r"}}, "p/s/r", id="tagged"),
        pytest.param({"tags": {OWNER_TAG.upper(): "p/s/r"}}, "p/s/r", id="tag-name-any-case"),
        pytest.param({"Tags": {OWNER_TAG: "p/s/r"}}, "p/s/r", id="tags-key-any-case"),
        pytest.param({"tags": {"team": "ml"}}, None, id="other-tags"),
        pytest.param({"tags": None}, None, id="tags-null"),
        pytest.param({}, None, id="no-tags"),
        pytest.param({"tags": {OWNER_TAG: 5}}, None, id="not-a-string"),
    ],
)
def test_owner_of(arm: dict[str, Any], owner: str | None) -> None:
    assert owner_of(arm) == owner


# -- model_change: what Azure refuses to change in place ------------------------------------


def _live_model(**model: Any) -> dict[str, Any]:
    return {"properties": {"model": model}}


@pytest.mark.parametrize(
    ("live", "changed"),
    [
        (_live_model(format="OpenAI", name=FT_MODEL, version="1", sourceAccount=SOURCE), None),
        (_live_model(format="openai", name=FT_MODEL.upper(), sourceAccount=SOURCE.upper()), None),
        (_live_model(format="OpenAI", name=FT_MODEL, version="2", sourceAccount=SOURCE), None),
        (_live_model(format="OpenAI", name=FT_MODEL), None),  # source not reported: unknowable
        (_live_model(format="OpenAI", name="gpt-4o", sourceAccount=SOURCE), "model 'gpt-4o'"),
        (_live_model(format="Other", name=FT_MODEL, sourceAccount=SOURCE), "model format"),
        (_live_model(format="OpenAI", name=FT_MODEL, source=SAME_TENANT_SOURCE), "its model from"),
    ],
)
def test_model_change_names_what_azure_would_refuse(
    live: dict[str, Any], changed: str | None
) -> None:
    wanted = spec(source_account_id=SOURCE, source_tenant_id=SOURCE_TENANT)

    found = model_change(wanted, live)

    if changed is None:
        assert found is None
    else:
        assert found is not None
        assert changed in found


# -- the PATCH body, the version sent, the inputs read returns ----------------------------


def test_patch_body_is_the_sku_and_every_tag_and_names_no_source() -> None:
    the_spec = spec(
        source_account_id=SOURCE,
        source_tenant_id=SOURCE_TENANT,
        sku_capacity=4,
        tags={"team": "ml"},
        owner="proj/dev/ft",
    )
    assert patch_body(the_spec) == {
        "sku": {"name": "Standard", "capacity": 4},
        "tags": {"team": "ml", OWNER_TAG: "proj/dev/ft"},
    }


@pytest.mark.parametrize(
    ("changes", "live_model", "expected"),
    [
        pytest.param({"model_version": "2"}, {"name": FT_MODEL, "version": "1"}, "2", id="set"),
        pytest.param({}, {"name": FT_MODEL.upper(), "version": "7"}, "7", id="unset-same-model"),
        pytest.param({}, {"name": "gpt-4o", "version": "2024-08-06"}, None, id="another-model"),
        pytest.param(
            {}, {"name": FT_MODEL, "format": "Other", "version": "1"}, None, id="another-format"
        ),
        pytest.param({}, None, None, id="no-live-model"),
        pytest.param({}, {"name": FT_MODEL}, None, id="no-live-version"),
    ],
)
def test_the_version_sent_keeps_the_running_one_of_the_same_model(
    changes: dict[str, Any], live_model: Any, expected: str | None
) -> None:
    assert version_to_send(spec(**changes), live_model) == expected


def test_live_inputs_are_the_echoed_inputs_without_outputs_or_nones() -> None:
    refreshed = refreshed_outputs(old_outputs(), live(sku__capacity=9))
    inputs = live_inputs(refreshed)
    assert inputs["sku_capacity"] == 9
    assert inputs["owner"] == refreshed["owner"]
    assert set(inputs) <= {*INPUTS, "owner"}
    assert "rai_policy_name" in inputs
    assert not any(value is None for value in inputs.values())
    inputs["tags"]["team"] = "changed"
    assert refreshed["tags"] == {"team": "ml"}  # a copy
