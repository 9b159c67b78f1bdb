"""The package's ``CrossTenantDeployment`` front (providers/package.py), in process.

Its requests and responses are the SDK's provider types, its names the schema's camelCase:
checked here against the same core behaviour the dynamic front shows, over real HTTPS to the
emulator for the calls that reach ARM.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.provider import (
    CheckRequest,
    CreateRequest,
    DeleteRequest,
    DiffRequest,
    PropertyDiffKind,
    ReadRequest,
    UpdateRequest,
)
from pulumi.runtime import rpc

from aoai_deploy.emulator import Emulator, ManualClock
from aoai_deploy.providers.lifecycle import Runtime
from aoai_deploy.providers.package import (
    RESOURCE_TYPE,
    DeploymentFront,
    PackageError,
    check,
    diff,
    from_core,
    owner_from_urn,
    schema_words,
    to_core,
)
from package_harness import put_legacy_deployment
from provider_fixtures import static_config
from provider_kit import cross_tenant_inputs
from seed_ids import DEST_ACCOUNT, DEST_TENANT, FT_MODEL, SOURCE_ACCOUNT, SOURCE_TENANT

URN = f"urn:pulumi:dev::shop::{RESOURCE_TYPE}::ft"
CHILD_URN = (
    f"urn:pulumi:dev::shop::aoai-deploy:index:FineTunedModelDeployment${RESOURCE_TYPE}::bot-ft"
)


def _props(**values: Any) -> dict[str, PropertyValue]:
    return from_core(values)


def _inputs(**overrides: Any) -> dict[str, PropertyValue]:
    """The flagship inputs in the schema's names, without an owner (the program sets none)."""
    values = from_core({k: v for k, v in cross_tenant_inputs().items() if k != "owner"})
    values.update({key: _value(value) for key, value in overrides.items()})
    return values


def _value(value: Any) -> PropertyValue:
    return value if isinstance(value, PropertyValue) else from_core({"v": value})["v"]


def _plain(properties: dict[str, PropertyValue]) -> dict[str, Any]:
    return {key: value for key, value in to_core(properties).items()}


@pytest.fixture
def new_front(emu: Emulator, clock: ManualClock) -> Callable[[], DeploymentFront]:
    """Fronts as plugin processes have them: one per `pulumi` command."""
    tokens = {
        tenant: emu.token(tenant, expires_in=7 * 24 * 3600)
        for tenant in (SOURCE_TENANT, DEST_TENANT)
    }
    return lambda: DeploymentFront(Runtime.build(static_config(emu, tokens), clock=clock))


@pytest.fixture
def front(new_front: Callable[[], DeploymentFront]) -> DeploymentFront:
    return new_front()


def _checked(inputs: dict[str, PropertyValue]) -> dict[str, PropertyValue]:
    response = check(CheckRequest(URN, {}, inputs, b""))
    assert not response.failures, [(f.property, f.reason) for f in response.failures or []]
    assert response.inputs is not None
    return response.inputs


# -- check and diff: no network -------------------------------------------------------------


def test_check_fills_defaults_and_the_owner_from_the_urn_in_the_schemas_names() -> None:
    response = check(CheckRequest(CHILD_URN, {}, _inputs(), b""))

    assert response.failures == []
    checked = _plain(response.inputs or {})
    assert checked["sku_name"] == "Standard"
    assert checked["sku_capacity"] == 1
    assert checked["owner"] == "organization/shop/dev/bot-ft"
    assert set(response.inputs or {}) >= {"skuName", "skuCapacity", "apiVersion", "owner"}


def test_check_keeps_an_owner_the_program_set() -> None:
    inputs = _inputs(owner="team-a/shop/dev/ft")
    checked = _plain(check(CheckRequest(URN, {}, inputs, b"")).inputs or {})
    assert checked["owner"] == "team-a/shop/dev/ft"


def test_check_failures_name_the_schema_property_and_say_what_to_do() -> None:
    response = check(
        CheckRequest(URN, {}, _inputs(skuCapacity=0.0, sourceTenantId="contoso.com"), b"")
    )

    found = {failure.property: failure.reason for failure in response.failures or []}
    assert set(found) == {"sourceTenantId", "skuCapacity"}
    assert found["skuCapacity"].startswith("skuCapacity must be a whole number of at least 1")
    assert "sku_capacity" not in found["skuCapacity"]
    assert "tenant GUID" in found["sourceTenantId"]


def test_check_passes_values_not_known_yet_through_as_unknown() -> None:
    response = check(CheckRequest(URN, {}, _inputs(accountId=PropertyValue(rpc.UNKNOWN)), b""))

    assert response.failures == []
    assert (response.inputs or {})["accountId"].value == rpc.UNKNOWN
    # And what comes back marshals: the SDK's own Computed would not (3.272).
    for value in (response.inputs or {}).values():
        value.marshal()


def test_check_keeps_secret_inputs_secret() -> None:
    secret_tags = PropertyValue({"cost": PropertyValue("cc-1")}, is_secret=True)
    response = check(CheckRequest(URN, {}, _inputs(tags=secret_tags), b""))
    assert (response.inputs or {})["tags"].is_secret


def _old_outputs(**overrides: Any) -> dict[str, PropertyValue]:
    checked = _plain(check(CheckRequest(URN, {}, _inputs(), b"")).inputs or {})
    checked.update(provisioning_state="Succeeded", etag='"1"', cross_tenant=True)
    checked.update(overrides)
    return from_core(checked)


def _diff(olds: dict[str, PropertyValue], **changes: Any) -> Any:
    news = check(CheckRequest(URN, {}, _inputs(**changes), b"")).inputs or {}
    return diff(DiffRequest(URN, "id", olds, news, []))


def test_diff_of_a_capacity_change_is_a_detailed_update_in_place() -> None:
    diff = _diff(_old_outputs(), skuCapacity=2.0)

    assert diff.changes is True
    assert diff.replaces == []
    assert list(diff.detailed_diff) == ["skuCapacity"]
    assert diff.detailed_diff["skuCapacity"].kind == PropertyDiffKind.UPDATE
    assert diff.detailed_diff["skuCapacity"].input_diff is True


def test_diff_of_a_model_change_replaces_deleting_first() -> None:
    diff = _diff(_old_outputs(), modelName="gpt-4o-mini-2024-07-18.ft-other")

    assert diff.replaces == ["modelName"]
    assert diff.delete_before_replace is True
    assert diff.detailed_diff["modelName"].kind == PropertyDiffKind.UPDATE_REPLACE


def test_diff_of_an_unchanged_deployment_is_no_change() -> None:
    diff = _diff(_old_outputs())
    assert diff.changes is False
    assert diff.detailed_diff == {}


def test_diff_of_a_failed_deployment_names_its_state() -> None:
    diff = _diff(_old_outputs(provisioning_state="Failed"))
    assert diff.changes is True
    assert list(diff.detailed_diff) == ["provisioningState"]


def test_owner_from_urn_reads_project_stack_and_name() -> None:
    assert owner_from_urn(CHILD_URN) == "organization/shop/dev/bot-ft"
    assert owner_from_urn(URN, "team-a") == "team-a/shop/dev/ft"


def test_schema_words_rename_fields_and_leave_other_words() -> None:
    assert schema_words("set adopt_existing, or tenant_id; tags and model stay") == (
        "set adoptExisting, or tenantId; tags and model stay"
    )


# -- create, read, update, delete: the emulator --------------------------------------------


def test_lifecycle_through_the_front(
    front: DeploymentFront, new_front: Callable[[], DeploymentFront], emu: Emulator
) -> None:
    inputs = _checked(_inputs())
    created = front.create(CreateRequest(URN, inputs, 60, False))
    deployment_id = f"{DEST_ACCOUNT}/deployments/ft"
    assert created.resource_id == deployment_id
    outputs = created.properties
    assert _plain(outputs)["provisioning_state"] == "Succeeded"
    assert _plain(outputs)["cross_tenant"] is True
    assert "provisioningState" in outputs
    assert "skuCapacity" in outputs

    news = _checked(_inputs(skuCapacity=3.0))
    updated = front.update(UpdateRequest(URN, deployment_id, outputs, news, 60, [], False))
    assert _plain(updated.properties)["sku_capacity"] == 3
    found = emu.deployment(DEST_ACCOUNT, "ft")
    assert found is not None
    assert found["sku"]["capacity"] == 3

    read = front.read(ReadRequest(URN, deployment_id, updated.properties, news))
    assert read.resource_id == deployment_id
    assert _plain(read.inputs)["sku_capacity"] == 3

    # A later `pulumi destroy`: another plugin process (one that created the deployment
    # leaves it alone, as a replace that keeps the ARM id needs).
    new_front().delete(DeleteRequest(URN, deployment_id, updated.properties, 60))
    assert emu.deployment(DEST_ACCOUNT, "ft") is None
    gone = front.read(ReadRequest(URN, deployment_id, updated.properties, news))
    assert gone.resource_id is None


def test_import_reads_inputs_from_the_id_and_the_tenant_arm_names_for_the_subscription(
    front: DeploymentFront, emu: Emulator
) -> None:
    # A deployment made outside any stack, in fabrikam; the static credential holds tokens
    # for contoso too, so it has no home tenant. ARM answers a request without a token for
    # the subscription with a challenge naming its tenant (ArmClient.subscription_tenant).
    deployment_id = put_legacy_deployment(emu, DEST_ACCOUNT)

    read = front.read(ReadRequest(URN, deployment_id, {}, {}))

    inputs = _plain(read.inputs)
    assert read.resource_id == deployment_id
    assert inputs["account_id"] == DEST_ACCOUNT
    assert inputs["deployment_name"] == "legacy"
    assert inputs["tenant_id"] == DEST_TENANT
    assert inputs["sku_name"] == "GlobalStandard"
    assert inputs["sku_capacity"] == 4
    assert inputs["tags"] == {"env": "legacy"}  # never another stack's owner tag
    assert "owner" not in inputs
    # The next preview of exactly these inputs is no change.
    news = _checked(read.inputs)
    planned = diff(DiffRequest(URN, deployment_id, read.properties, news, []))
    assert planned.changes is False, planned.detailed_diff


def test_import_declares_every_live_setting_so_that_the_next_put_keeps_them(
    front: DeploymentFront, emu: Emulator
) -> None:
    """Issue 15, item 1: the imported program left out versionUpgradeOption, raiPolicyName
    and the model version; the first change sent as a PUT then reset all three."""
    emu.add_model(DEST_ACCOUNT, "gpt-4o", version="2024-05-13")
    emu.put_deployment_direct(
        DEST_ACCOUNT,
        "legacy",
        {
            "sku": {"name": "Standard", "capacity": 1},
            "properties": {
                "model": {"format": "OpenAI", "name": "gpt-4o", "version": "2024-05-13"},
                "versionUpgradeOption": "NoAutoUpgrade",
                "raiPolicyName": "strict-filter",
            },
        },
    )
    deployment_id = f"{DEST_ACCOUNT}/deployments/legacy"

    read = front.read(ReadRequest(URN, deployment_id, {}, {}))

    inputs = _plain(read.inputs)
    assert inputs["model_version"] == "2024-05-13"
    assert inputs["version_upgrade_option"] == "NoAutoUpgrade"
    assert inputs["rai_policy_name"] == "strict-filter"
    news = _checked(read.inputs)
    assert diff(DiffRequest(URN, deployment_id, read.properties, news, [])).changes is False
    # An unrelated change that needs a PUT (another api-version) keeps them all.
    news = _checked({**read.inputs, "apiVersion": _value("2025-09-01")})
    front.update(UpdateRequest(URN, deployment_id, read.properties, news, 60, [], False))
    stored = emu.deployment(DEST_ACCOUNT, "legacy")
    assert stored is not None
    assert stored["properties"]["versionUpgradeOption"] == "NoAutoUpgrade"
    assert stored["properties"]["raiPolicyName"] == "strict-filter"
    assert stored["properties"]["model"]["version"] == "2024-05-13"


def test_import_of_a_cross_tenant_copy_declares_the_source_tenant_so_a_put_still_copies(
    front: DeploymentFront, emu: Emulator
) -> None:
    """Azure does not report the source's tenant; without it, the imported program's next
    PUT named the source as a same-tenant one, which Azure refuses."""
    emu.put_deployment_direct(
        DEST_ACCOUNT,
        "copied",
        {
            "sku": {"name": "Standard", "capacity": 1},
            "properties": {
                "model": {
                    "format": "OpenAI",
                    "name": FT_MODEL,
                    "version": "1",
                    "sourceAccount": SOURCE_ACCOUNT,
                }
            },
        },
    )
    deployment_id = f"{DEST_ACCOUNT}/deployments/copied"

    read = front.read(ReadRequest(URN, deployment_id, {}, {}))

    inputs = _plain(read.inputs)
    assert inputs["source_account_id"] == SOURCE_ACCOUNT
    assert inputs["source_tenant_id"] == SOURCE_TENANT
    assert _plain(read.properties)["cross_tenant"] is True
    news = _checked(read.inputs)
    assert diff(DiffRequest(URN, deployment_id, read.properties, news, [])).changes is False
    news = _checked({**read.inputs, "apiVersion": _value("2025-09-01")})
    updated = front.update(UpdateRequest(URN, deployment_id, read.properties, news, 60, [], False))
    assert _plain(updated.properties)["provisioning_state"] == "Succeeded"


def test_import_of_an_id_that_is_no_deployment_says_so(front: DeploymentFront) -> None:
    with pytest.raises(PackageError, match="deployments"):
        front.read(ReadRequest(URN, DEST_ACCOUNT, {}, {}))


def test_import_of_a_deployment_that_does_not_exist_finds_nothing(front: DeploymentFront) -> None:
    read = front.read(ReadRequest(URN, f"{DEST_ACCOUNT}/deployments/nothing", {}, {}))
    assert read.resource_id is None


def test_core_errors_come_out_in_the_schemas_words(front: DeploymentFront, emu: Emulator) -> None:
    emu.put_deployment_direct(
        DEST_ACCOUNT, "ft", {"properties": {"model": {"name": FT_MODEL, "version": "1"}}}
    )
    with pytest.raises(PackageError) as raised:
        front.create(CreateRequest(URN, _checked(_inputs()), 60, False))
    message = str(raised.value)
    assert "adoptExisting" in message
    assert "adopt_existing" not in message
    assert "dynamic" not in message
    assert f"`pulumi import {RESOURCE_TYPE} <name> <its ARM id>`" in message
    assert raised.value.__traceback__ is not None  # raised, but with nothing chained
    assert raised.value.__cause__ is None


def test_a_bad_configuration_is_named_by_its_key() -> None:
    settings = {"aoai-deploy:credential": "client-secret"}
    with pytest.raises(PackageError, match=r"aoai-deploy:clientId is not set: run `pulumi config"):
        DeploymentFront.configured(settings.get)
