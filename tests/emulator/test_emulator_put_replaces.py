"""A PUT replaces the deployment: what it leaves out takes Azure's default, not the old value.

Sources (FACTS.md, "Learned in review (turn 3)"):

* ``versionUpgradeOption``: Azure fills an omitted one with ``OnceNewDefaultVersionAvailable``
  (the azurerm provider's review of ``version_upgrade_option``,
  hashicorp/terraform-provider-azurerm#22520: "the API defaults this value to
  OnceNewDefaultVersionAvailable").
* ``raiPolicyName``: a deployment written without one gets the service's default content
  filter, ``Microsoft.DefaultV2`` (hashicorp/terraform-provider-azurerm#32061, "rai_policy
  default is no longer the default": the policy the service assigns when the PUT names none
  changed under the provider; azurerm's own update GETs the deployment and PUTs it back with
  only the changed fields, so that nothing it did not set is reset).
* ``properties.model.version``: "If version is not specified, a default version will be
  assigned" (azure-rest-api-specs, ``DeploymentModel.version``, stable/2023-05-01 on).

Each test gives ``gpt-4o`` a second version, ``2024-05-13``; ``2024-08-06`` stays its
default (the seed's first).
"""

from __future__ import annotations


def _custom_body(clocked_arm):
    clocked_arm.emu.add_model(clocked_arm.emu.account_id(clocked_arm.DEST), "gpt-4o", "2024-05-13")
    body = clocked_arm.base_body(model="gpt-4o", version="2024-05-13")
    body["properties"]["raiPolicyName"] = "strict-filter"
    body["properties"]["versionUpgradeOption"] = "NoAutoUpgrade"
    return body


def _settle(clocked_arm, manual_clock):
    manual_clock.advance(60)
    return clocked_arm.get_deployment("chat").json()["properties"]


def test_a_put_without_the_settings_resets_them_to_azures_defaults(clocked_arm, manual_clock):
    assert clocked_arm.put("chat", _custom_body(clocked_arm)).status_code == 201
    before = _settle(clocked_arm, manual_clock)
    assert before["versionUpgradeOption"] == "NoAutoUpgrade"
    assert before["raiPolicyName"] == "strict-filter"
    assert before["model"]["version"] == "2024-05-13"

    # An unrelated change (the capacity), sent as a whole-body PUT that names none of them.
    body = clocked_arm.base_body(model="gpt-4o", version=None, capacity=1)
    assert clocked_arm.put("chat", body).status_code == 200
    after = _settle(clocked_arm, manual_clock)

    assert after["versionUpgradeOption"] == "OnceNewDefaultVersionAvailable"
    assert after["raiPolicyName"] == "Microsoft.DefaultV2"
    assert after["model"]["version"] == "2024-08-06"


def test_a_put_that_names_the_settings_keeps_them(clocked_arm, manual_clock):
    assert clocked_arm.put("chat", _custom_body(clocked_arm)).status_code == 201
    _settle(clocked_arm, manual_clock)

    assert clocked_arm.put("chat", _custom_body(clocked_arm)).status_code == 200
    after = _settle(clocked_arm, manual_clock)

    assert after["versionUpgradeOption"] == "NoAutoUpgrade"
    assert after["raiPolicyName"] == "strict-filter"
    assert after["model"]["version"] == "2024-05-13"


def test_a_patch_of_sku_and_tags_leaves_the_settings_alone(clocked_arm, manual_clock):
    assert clocked_arm.put("chat", _custom_body(clocked_arm)).status_code == 201
    _settle(clocked_arm, manual_clock)

    assert clocked_arm.patch("chat", {"sku": {"name": "Standard", "capacity": 3}}).status_code in (
        200,
        202,
    )
    after = _settle(clocked_arm, manual_clock)

    assert after["versionUpgradeOption"] == "NoAutoUpgrade"
    assert after["raiPolicyName"] == "strict-filter"
    assert after["model"]["version"] == "2024-05-13"
