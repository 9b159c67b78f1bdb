"""check: every validation rule, defaults, number normalization, unknowns; the typed spec."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.output import Unknown

from aoai_deploy.providers.core.ids import AccountId
from aoai_deploy.providers.core.inputs import (
    DeploymentSpec,
    Failure,
    check_inputs,
    has_unknown,
    spec_from_inputs,
    whole_number,
)
from aoai_deploy.providers.core.schema import DEFAULTS, INPUTS, OWNER_TAG
from aoai_deploy.providers.errors import InputError

DEST = (
    "/subscriptions/bbbbbbbb-0000-4000-8000-000000000002/resourceGroups/rg-inference"
    "/providers/Microsoft.CognitiveServices/accounts/fabrikam-aoai-eus"
)
SOURCE = (
    "/subscriptions/aaaaaaaa-0000-4000-8000-000000000001/resourceGroups/rg-models"
    "/providers/Microsoft.CognitiveServices/accounts/contoso-ft-src"
)
# Tenant GUIDs with letters in them, so that case-insensitive comparison is tested.
SOURCE_TENANT = "c0ffee00-aaaa-4bbb-8ccc-dddddddddddd"
DEST_TENANT = "fab00000-eeee-4fff-8aaa-bbbbbbbbbbbb"
FT_MODEL = "gpt-4o-mini-2024-07-18.ft-0123456789abcdef0123456789abcdef"

# Every input set, as the engine sends it (numbers as floats), plus keys check must keep.
FULL: dict[str, Any] = {
    "account_id": DEST,
    "deployment_name": "ft-1",
    "model_name": FT_MODEL,
    "model_format": "OpenAI",
    "model_version": "1",
    "source_account_id": SOURCE,
    "source_tenant_id": SOURCE_TENANT,
    "tenant_id": DEST_TENANT,
    "sku_name": "Standard",
    "sku_capacity": 2.0,
    "rai_policy_name": "Microsoft.DefaultV2",
    "version_upgrade_option": "NoAutoUpgrade",
    "tags": {"team": "ml", "env": "prod"},
    "adopt_existing": True,
    "api_version": "2025-10-01-preview",
    "operation_timeout_seconds": 600.0,
    "role_propagation_timeout_seconds": 0.0,
    "owner": "proj/dev/ft",
    "__provider": "pickled-provider-blob",
}

MINIMAL: dict[str, Any] = {"account_id": DEST, "deployment_name": "ft-1", "model_name": FT_MODEL}


def with_(**changes: Any) -> dict[str, Any]:
    """FULL with some inputs replaced; a value of ... removes the key."""
    inputs = dict(FULL)
    for key, value in changes.items():
        if value is ...:
            inputs.pop(key, None)
        else:
            inputs[key] = value
    return inputs


# -- a valid input passes ---------------------------------------------------------------------


def test_full_valid_input_passes_and_is_kept_as_written() -> None:
    inputs, failures = check_inputs(FULL)
    assert failures == []
    expected = dict(
        FULL, sku_capacity=2, operation_timeout_seconds=600, role_propagation_timeout_seconds=0
    )
    assert inputs == expected


def test_minimal_input_passes_and_gets_the_defaults() -> None:
    inputs, failures = check_inputs(MINIMAL)
    assert failures == []
    assert inputs == {**MINIMAL, **DEFAULTS}


def test_none_values_get_the_defaults_too() -> None:
    inputs, _ = check_inputs({**MINIMAL, **dict.fromkeys(DEFAULTS)})
    assert {key: inputs[key] for key in DEFAULTS} == DEFAULTS


def test_given_values_win_over_defaults() -> None:
    inputs, _ = check_inputs(FULL)
    assert inputs["sku_capacity"] == 2
    assert inputs["api_version"] == "2025-10-01-preview"
    assert inputs["adopt_existing"] is True


def test_tenant_id_has_no_default_it_is_resolved_at_create() -> None:
    inputs, _ = check_inputs(MINIMAL)
    assert "tenant_id" not in inputs


def test_check_does_not_modify_its_argument() -> None:
    news = dict(FULL)
    check_inputs(news)
    assert news == FULL


def test_keys_it_does_not_know_are_kept_untouched() -> None:
    blob = object()
    inputs, failures = check_inputs(
        {**MINIMAL, "__provider": blob, "owner": "p/s/r", "provisioning_state": None, "etag": "x"}
    )
    assert failures == []
    assert inputs["__provider"] is blob
    assert inputs["owner"] == "p/s/r"
    assert inputs["provisioning_state"] is None
    assert inputs["etag"] == "x"


# -- number normalization ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "sent", "kept"),
    [
        ("sku_capacity", 2.0, 2),
        ("sku_capacity", 1, 1),
        ("operation_timeout_seconds", 60.0, 60),
        ("role_propagation_timeout_seconds", 0.0, 0),
        ("role_propagation_timeout_seconds", 300.0, 300),
    ],
)
def test_whole_floats_become_ints(field: str, sent: float, kept: int) -> None:
    inputs, failures = check_inputs(with_(**{field: sent}))
    assert failures == []
    assert inputs[field] == kept
    assert type(inputs[field]) is int


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2, 2),
        (2.0, 2),
        (-1.0, -1),
        (2.5, None),
        (True, None),
        (False, None),
        ("2", None),
        (None, None),
        (float("nan"), None),
        (float("inf"), None),
    ],
)
def test_whole_number(value: object, expected: int | None) -> None:
    assert whole_number(value) == expected


# -- case-insensitive values keep their spelling ----------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sku_name", "standard"),
        ("sku_name", "GLOBALSTANDARD"),
        ("sku_name", "datazonestandard"),
        ("version_upgrade_option", "noautoupgrade"),
        ("version_upgrade_option", "ONCECURRENTVERSIONEXPIRED"),
        ("tenant_id", DEST_TENANT.upper()),
        ("account_id", DEST.lower()),
    ],
)
def test_case_insensitive_values_pass_and_keep_their_spelling(field: str, value: str) -> None:
    inputs, failures = check_inputs(with_(**{field: value}))
    assert failures == []
    assert inputs[field] == value


# -- every rule: one failing case each --------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        # account_id
        pytest.param("account_id", ..., "account_id is required", id="account-id-missing"),
        pytest.param("account_id", None, "account_id is required", id="account-id-none"),
        pytest.param(
            "account_id",
            DEST.replace("Microsoft.CognitiveServices", "Microsoft.Storage"),
            "account_id: ",
            id="account-id-wrong-provider",
        ),
        pytest.param("account_id", DEST + "/", "ends with '/'", id="account-id-trailing-slash"),
        pytest.param(
            "account_id",
            DEST.replace("fabrikam", "f\u0430brikam"),
            "CYRILLIC",
            id="account-id-look-alike",
        ),
        pytest.param("account_id", 5.0, "must be an ARM account id", id="account-id-number"),
        # deployment_name
        pytest.param("deployment_name", ..., "deployment_name is required", id="name-missing"),
        pytest.param(
            "deployment_name", "my ft", "deployment_name contains a space", id="name-space"
        ),
        pytest.param("deployment_name", "a/b", "deployment_name contains '/'", id="name-slash"),
        pytest.param("deployment_name", "..", "deployment_name must not start", id="name-dot-dot"),
        pytest.param("deployment_name", "", "deployment_name must not be empty", id="name-empty"),
        pytest.param("deployment_name", "x" * 65, "at most 64", id="name-too-long"),
        # model_name
        pytest.param("model_name", ..., "model_name is required", id="model-missing"),
        pytest.param("model_name", "", "model_name must not be empty", id="model-empty"),
        pytest.param("model_name", "gpt 4o", "model_name contains a space", id="model-space"),
        pytest.param(
            "model_name", "gpt-4o\n", "model_name contains the control", id="model-newline"
        ),
        pytest.param("model_name", "gpt\x00", "model_name contains the control", id="model-nul"),
        pytest.param("model_name", 4.0, "model_name must be a string", id="model-number"),
        # model_format / model_version
        pytest.param("model_format", "", "model_format must not be empty", id="format-empty"),
        pytest.param("model_format", "Open AI", "model_format contains", id="format-space"),
        pytest.param("model_version", 1.0, "model_version must be a string", id="version-number"),
        pytest.param("model_version", " 1", "model_version contains a space", id="version-space"),
        # source_account_id / tenants
        pytest.param(
            "source_account_id",
            SOURCE.replace("aaaaaaaa-0000-4000-8000-000000000001", "sub"),
            "source_account_id: ",
            id="source-subscription-not-guid",
        ),
        pytest.param(
            "source_tenant_id",
            "contoso.onmicrosoft.com",
            "source_tenant_id must be a tenant GUID",
            id="source-tenant-domain",
        ),
        pytest.param("tenant_id", "fabrikam", "tenant_id must be a tenant GUID", id="tenant-name"),
        pytest.param(
            "tenant_id",
            DEST_TENANT + " ",
            "tenant_id must be a tenant GUID",
            id="tenant-trailing-space",
        ),
        # sku_name
        pytest.param("sku_name", "S0", "sku_name 'S0' is an account SKU", id="sku-account-s0"),
        pytest.param("sku_name", "f0", "is an account SKU", id="sku-account-f0"),
        pytest.param(
            "sku_name",
            "Premium",
            "sku_name must be one of Standard, GlobalStandard",
            id="sku-unknown",
        ),
        pytest.param("sku_name", "", "sku_name must be one of", id="sku-empty"),
        pytest.param("sku_name", 1.0, "sku_name must be one of", id="sku-number"),
        # sku_capacity
        pytest.param(
            "sku_capacity",
            0.0,
            "sku_capacity must be a whole number of at least 1, got 0.0",
            id="capacity-zero",
        ),
        pytest.param("sku_capacity", -1.0, "at least 1, got -1.0", id="capacity-negative"),
        pytest.param(
            "sku_capacity",
            2.5,
            "sku_capacity must be a whole number of at least 1, got 2.5",
            id="capacity-fractional",
        ),
        pytest.param("sku_capacity", True, "got bool True", id="capacity-true"),
        pytest.param("sku_capacity", False, "got bool False", id="capacity-false"),
        pytest.param("sku_capacity", "2", "got '2'", id="capacity-string"),
        # rai_policy_name / version_upgrade_option
        pytest.param("rai_policy_name", "", "rai_policy_name must not be empty", id="rai-empty"),
        pytest.param("rai_policy_name", " p", "rai_policy_name has leading", id="rai-space"),
        pytest.param("rai_policy_name", "p\x07", "rai_policy_name contains", id="rai-control"),
        pytest.param(
            "version_upgrade_option",
            "Always",
            "version_upgrade_option must be one of OnceNewDefaultVersionAvailable",
            id="upgrade-unknown",
        ),
        # adopt_existing
        pytest.param(
            "adopt_existing", "yes", "adopt_existing must be true or false", id="adopt-string"
        ),
        pytest.param(
            "adopt_existing", 1.0, "adopt_existing must be true or false", id="adopt-number"
        ),
        # api_version
        pytest.param(
            "api_version", "2024-10", "api_version must look like YYYY-MM-DD", id="api-short"
        ),
        pytest.param("api_version", "latest", "api_version must look like", id="api-word"),
        pytest.param("api_version", "2024-13-01", "api_version must look like", id="api-month-13"),
        pytest.param("api_version", "2024-02-30", "api_version must look like", id="api-feb-30"),
        pytest.param("api_version", "2024-10-01-beta", "api_version must look like", id="api-beta"),
        pytest.param("api_version", "2024-10-01 ", "api_version must look like", id="api-space"),
        # timeouts
        pytest.param(
            "operation_timeout_seconds",
            0.0,
            "operation_timeout_seconds must be a whole number of at least 1",
            id="op-timeout-zero",
        ),
        pytest.param(
            "operation_timeout_seconds", 1.5, "at least 1, got 1.5", id="op-timeout-fractional"
        ),
        pytest.param(
            "role_propagation_timeout_seconds",
            -1.0,
            "role_propagation_timeout_seconds must be a whole number of at least 0",
            id="role-timeout-negative",
        ),
        pytest.param(
            "role_propagation_timeout_seconds", True, "got bool True", id="role-timeout-bool"
        ),
        # tags
        pytest.param("tags", ["a"], "tags must be a map of strings to strings", id="tags-list"),
        pytest.param("tags", {"a": 1.0}, "tags['a'] must be a string, got 1.0", id="tags-number"),
        pytest.param("tags", {"a": True}, "tags['a'] must be a string", id="tags-bool"),
        pytest.param(
            "tags",
            {f"t{i}": "v" for i in range(50)},
            "tags has 50 entries; at most 49",
            id="tags-50-plus-owner",
        ),
        pytest.param("tags", {"n" * 513: "v"}, "at most 512", id="tags-name-too-long"),
        pytest.param(
            "tags",
            {"a": "v" * 257},
            "tags['a'] is 257 characters; at most 256",
            id="tags-value-too-long",
        ),
        pytest.param(
            "tags", {OWNER_TAG: "me"}, f"tags must not set {OWNER_TAG!r}", id="tags-owner-key"
        ),
        pytest.param(
            "tags", {OWNER_TAG.upper(): "me"}, "tags must not set", id="tags-owner-key-case"
        ),
        pytest.param("tags", {"a/b": "v"}, "tags name 'a/b' contains '/'", id="tags-name-slash"),
        pytest.param("tags", {"a%b": "v"}, "contains '%'", id="tags-name-percent"),
        pytest.param("tags", {"": "v"}, "tag names must be non-empty", id="tags-name-empty"),
    ],
)
def test_rule_rejects(field: str, value: Any, reason: str) -> None:
    _, failures = check_inputs(with_(**{field: value}))
    assert [failure.field for failure in failures] == [field]
    assert reason in failures[0].reason
    assert field in failures[0].reason


def test_tags_limit_is_50_without_an_owner() -> None:
    tags = {f"t{i}": "v" for i in range(51)}
    _, failures = check_inputs(with_(tags=tags, owner=...))
    assert [f.reason for f in failures] == ["tags has 51 entries; at most 50 are allowed"]
    _, failures = check_inputs(with_(tags=dict(list(tags.items())[:50]), owner=...))
    assert failures == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sku_capacity", 1.0),
        ("role_propagation_timeout_seconds", 0.0),
        ("operation_timeout_seconds", 1.0),
        ("api_version", "2024-10-01"),
        ("api_version", "2025-10-01-preview"),
        ("tags", {}),
        ("tags", {f"t{i}": "v" for i in range(49)}),
        ("tags", {"n" * 512: "v" * 256}),
        ("tags", {"Cost Center": ""}),
        ("deployment_name", "d" * 64),
        ("adopt_existing", False),
        ("rai_policy_name", "My Policy"),
    ],
)
def test_boundary_values_pass(field: str, value: Any) -> None:
    _, failures = check_inputs(with_(**{field: value}))
    assert failures == []


def test_source_tenant_needs_a_source_account() -> None:
    _, failures = check_inputs(with_(source_account_id=...))
    assert failures == [
        Failure(
            "source_tenant_id",
            "source_tenant_id is set without source_account_id; set source_account_id to the "
            "account that holds the model, or remove source_tenant_id",
        )
    ]


def test_source_account_without_tenant_is_fine() -> None:
    _, failures = check_inputs(with_(source_tenant_id=...))
    assert failures == []


def test_owner_too_long_for_a_tag_value_is_reported() -> None:
    _, failures = check_inputs(with_(owner="p/s/" + "r" * 300))
    assert [f.field for f in failures] == ["owner"]
    assert "shorten the resource name" in failures[0].reason


def test_every_failure_is_reported_in_inputs_order() -> None:
    _, failures = check_inputs(
        with_(tags={"a": 1.0}, sku_capacity=0.0, account_id="x", model_name="")
    )
    assert [f.field for f in failures] == ["account_id", "model_name", "sku_capacity", "tags"]


# -- unknowns (preview) -----------------------------------------------------------------------


@pytest.mark.parametrize("field", INPUTS)
def test_unknown_values_pass_through_unvalidated_and_unchanged(field: str) -> None:
    unknown = Unknown()
    inputs, failures = check_inputs(with_(**{field: unknown}))
    assert failures == []
    assert inputs[field] is unknown


def test_tags_with_an_unknown_value_pass_and_known_entries_are_still_checked() -> None:
    unknown = Unknown()
    inputs, failures = check_inputs(with_(tags={"a": unknown, "b": "ok"}))
    assert failures == []
    assert inputs["tags"]["a"] is unknown
    _, failures = check_inputs(with_(tags={"a": unknown, "b": 1.0}))
    assert [f.reason for f in failures] == ["tags['b'] must be a string, got 1.0"]


def test_source_tenant_with_unknown_source_account_passes() -> None:
    _, failures = check_inputs(with_(source_account_id=Unknown()))
    assert failures == []


def test_unknown_source_tenant_without_source_account_passes() -> None:
    _, failures = check_inputs(with_(source_account_id=..., source_tenant_id=Unknown()))
    assert failures == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Unknown(), True),
        ({"a": Unknown()}, True),
        ([1, Unknown()], True),
        ({"a": "b"}, False),
        ("x", False),
        (None, False),
    ],
)
def test_has_unknown(value: object, expected: bool) -> None:
    assert has_unknown(value) is expected


# -- the typed spec ---------------------------------------------------------------------------


def test_spec_from_full_inputs() -> None:
    spec = spec_from_inputs(FULL)
    assert spec == DeploymentSpec(
        account=AccountId.parse(DEST),
        deployment_name="ft-1",
        model_name=FT_MODEL,
        model_format="OpenAI",
        model_version="1",
        source_account=AccountId.parse(SOURCE),
        source_tenant_id=SOURCE_TENANT,
        tenant_id=DEST_TENANT,
        sku_name="Standard",
        sku_capacity=2,
        rai_policy_name="Microsoft.DefaultV2",
        version_upgrade_option="NoAutoUpgrade",
        tags={"team": "ml", "env": "prod"},
        adopt_existing=True,
        api_version="2025-10-01-preview",
        operation_timeout_seconds=600,
        role_propagation_timeout_seconds=0,
        owner="proj/dev/ft",
    )
    assert type(spec.sku_capacity) is int
    assert str(spec.deployment_id) == DEST + "/deployments/ft-1"


def test_spec_from_minimal_inputs_uses_defaults() -> None:
    spec = spec_from_inputs(MINIMAL)
    assert (spec.model_format, spec.model_version, spec.sku_name, spec.sku_capacity) == (
        "OpenAI",
        None,  # Azure picks the model's default version
        "Standard",
        1,
    )
    assert spec.source_account is None
    assert spec.tenant_id is None
    assert spec.tags is None
    assert spec.owner is None
    assert spec.adopt_existing is False
    assert (spec.operation_timeout_seconds, spec.role_propagation_timeout_seconds) == (1800, 0)


def test_spec_accepts_old_outputs_with_extra_keys() -> None:
    spec = spec_from_inputs({**FULL, "provisioning_state": "Succeeded", "model": {"name": "x"}})
    assert spec.model_name == FT_MODEL


def test_spec_tags_are_a_copy() -> None:
    props = with_(tags={"a": "b"})
    spec = spec_from_inputs(props)
    props["tags"]["a"] = "changed"
    assert spec.tags == {"a": "b"}


def test_spec_refuses_bad_inputs_naming_every_field() -> None:
    with pytest.raises(InputError) as caught:
        spec_from_inputs(with_(sku_capacity=0.0, deployment_name="a b"))
    message = str(caught.value)
    assert "deployment_name contains a space" in message
    assert "sku_capacity must be a whole number of at least 1" in message


@pytest.mark.parametrize("field", [*INPUTS, "owner"])
def test_spec_refuses_unknown_values(field: str) -> None:
    with pytest.raises(InputError, match=f"{field} is not known yet"):
        spec_from_inputs(with_(**{field: Unknown()}))


def test_spec_refuses_an_owner_that_is_not_a_string() -> None:
    with pytest.raises(InputError, match="owner must be a non-empty string"):
        spec_from_inputs(with_(owner=5.0))
