"""The reads a preflight makes, and the rules behind them: the region's usages
(``Usages_List``), the account's models (``Accounts_ListModels``), and the quota, SKU and
retirement rules a write meets.

Shapes are checked against the REST spec's examples (azure-rest-api-specs,
``specification/cognitiveservices/resource-manager/Microsoft.CognitiveServices/stable/
2024-10-01/examples/``): ``ListUsages.json`` and ``ListAccountModels.json`` /
``ListLocationModels.json``; Azure's error texts are cited where the emulator words them
(``emulator/armerrors.py``).
"""

from __future__ import annotations

import datetime
import json

import pytest

from aoai_deploy.emulator import Emulator, SeedError
from aoai_deploy.emulator.seed import DEFAULT_SEED_PATH

STANDARD_MINI = "OpenAI.Standard.gpt-4o-mini"
SUB = "bbbbbbbb-0000-4000-8000-000000000002"
#: One item of ListUsages.json, as the spec's example has it.
SPEC_USAGE_ITEM = {
    "name": {"value": "AccountCount", "localizedValue": "Cognitive Services total account limit"},
    "currentValue": 3,
    "limit": 200,
    "unit": "Count",
}
#: The members ListLocationModels.json shows for a model SKU.
SPEC_SKU_KEYS = {"name", "usageName", "capacity"}


def usages_path(location: str = "eastus", subscription: str = SUB) -> str:
    provider = "providers/Microsoft.CognitiveServices"
    return f"/subscriptions/{subscription}/{provider}/locations/{location}/usages"


def usages(arm, location: str = "eastus", **kw) -> dict[str, dict]:
    response = arm.get(usages_path(location), **kw)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"value"}
    return {item["name"]["value"]: item for item in body["value"]}


def models(arm, account: str | None = None, **kw) -> list[dict]:
    response = arm.get(f"{arm.emu.account_id(account or arm.DEST)}/models", **kw)
    assert response.status_code == 200, response.text
    return response.json()["value"]


def iso(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def settle(arm, manual_clock) -> None:
    manual_clock.advance(60)


# -- Usages_List --------------------------------------------------------------------------


def test_usages_list_has_the_shape_of_the_specs_example(clocked_arm):
    found = usages(clocked_arm)

    account_count = found["AccountCount"]
    assert set(account_count) == set(SPEC_USAGE_ITEM)
    assert set(account_count["name"]) == set(SPEC_USAGE_ITEM["name"])
    assert account_count["name"] == SPEC_USAGE_ITEM["name"]
    # fabrikam holds two accounts in eastus (fabrikam-ft-lab, fabrikam-aoai-eus).
    assert (account_count["currentValue"], account_count["limit"]) == (2, 200)
    quota = found[STANDARD_MINI]
    assert set(quota) == set(SPEC_USAGE_ITEM)
    assert quota == {
        "name": {
            "value": STANDARD_MINI,
            "localizedValue": "Tokens Per Minute (thousands) - gpt-4o-mini",
        },
        "currentValue": 0,
        "limit": 1000,
        "unit": "Count",
    }


def test_usage_counts_the_deployments_of_that_subscription_and_region(clocked_arm, manual_clock):
    assert clocked_arm.put("chat", clocked_arm.base_body(capacity=7)).status_code == 201
    assert clocked_arm.put("west", clocked_arm.base_body(capacity=5), "fabrikam-aoai-wus").ok
    settle(clocked_arm, manual_clock)  # one write at a time per account
    assert clocked_arm.put("global", clocked_arm.base_body(sku="GlobalStandard", capacity=3)).ok
    settle(clocked_arm, manual_clock)

    eastus, westus = usages(clocked_arm), usages(clocked_arm, "westus")
    assert eastus[STANDARD_MINI]["currentValue"] == 7
    assert eastus["OpenAI.GlobalStandard.gpt-4o-mini"]["currentValue"] == 3
    assert westus[STANDARD_MINI]["currentValue"] == 5

    clocked_arm.emu.set_quota(clocked_arm.DEST, STANDARD_MINI, used=100)
    assert usages(clocked_arm)[STANDARD_MINI]["currentValue"] == 107
    assert clocked_arm.delete("chat").status_code == 202
    settle(clocked_arm, manual_clock)
    assert usages(clocked_arm)[STANDARD_MINI]["currentValue"] == 100
    assert clocked_arm.emu.quota(clocked_arm.DEST, STANDARD_MINI) == {
        "limit": 1000,
        "currentValue": 100,
    }


def test_usages_read_is_authorized_at_the_subscription(clocked_arm):
    # The outsider holds OpenAI Contributor on the resource group: not enough for a
    # subscription-level read (Cognitive Services Usages Reader, or Reader, is).
    response = clocked_arm.get(usages_path(), principal="outsider")
    assert response.status_code == 403
    code, message = clocked_arm.error(response)
    assert code == "AuthorizationFailed"
    assert "Microsoft.CognitiveServices/locations/usages/read" in message
    assert f"'/subscriptions/{SUB}'" in message


# -- InsufficientQuota from the numbers --------------------------------------------------


def test_a_put_needing_more_than_is_free_gets_insufficient_quota_with_azures_numbers(clocked_arm):
    clocked_arm.emu.set_quota(clocked_arm.DEST, STANDARD_MINI, limit=10, used=4)

    refused = clocked_arm.put("chat", clocked_arm.base_body(capacity=7))

    assert refused.status_code == 400
    assert clocked_arm.error(refused) == (
        "InsufficientQuota",
        "This operation require 7 new capacity in quota Tokens Per Minute (thousands) - "
        "gpt-4o-mini, which is bigger than the current available capacity 6. The current quota "
        "usage is 4 and the quota limit is 10 for quota Tokens Per Minute (thousands) - "
        "gpt-4o-mini.",
    )
    assert clocked_arm.emu.deployment(clocked_arm.DEST, "chat") is None
    assert clocked_arm.put("chat", clocked_arm.base_body(capacity=6)).status_code == 201


def test_a_write_needs_only_what_it_adds_to_its_own_deployment(clocked_arm, manual_clock):
    clocked_arm.emu.set_quota(clocked_arm.DEST, STANDARD_MINI, limit=10)
    assert clocked_arm.put("chat", clocked_arm.base_body(capacity=8)).status_code == 201
    settle(clocked_arm, manual_clock)

    # The same capacity again needs nothing new; 2 more fit, 3 more do not.
    assert clocked_arm.put("chat", clocked_arm.base_body(capacity=8)).status_code == 200
    settle(clocked_arm, manual_clock)
    refused = clocked_arm.patch("chat", {"sku": {"name": "Standard", "capacity": 11}})
    assert refused.status_code == 400
    code, message = clocked_arm.error(refused)
    assert code == "InsufficientQuota"
    assert message.startswith("This operation require 3 new capacity in quota")
    assert "available capacity 2." in message
    assert clocked_arm.patch("chat", {"sku": {"name": "Standard", "capacity": 10}}).ok


def test_a_usage_without_a_quota_is_not_limited(clocked_arm):
    # No quota is seeded for a fine-tuned model's usage: the copy is not refused.
    assert clocked_arm.put_copy("ft").status_code == 201


# -- Accounts_ListModels -----------------------------------------------------------------


def test_account_models_list_has_the_shape_of_the_specs_examples(clocked_arm):
    listed = models(clocked_arm)

    by_name = {(m["name"], m["version"]): m for m in listed}
    mini = by_name[("gpt-4o-mini", "2024-07-18")]
    assert {"format", "name", "version", "skus", "capabilities", "maxCapacity"} <= set(mini)
    assert mini["format"] == "OpenAI"
    assert mini["isDefaultVersion"] is True
    skus = {sku["name"]: sku for sku in mini["skus"]}
    assert {"Standard", "GlobalStandard"} <= set(skus)
    assert set(skus["GlobalStandard"]) >= SPEC_SKU_KEYS
    assert skus["GlobalStandard"]["usageName"] == "OpenAI.GlobalStandard.gpt-4o-mini"
    assert set(skus["Standard"]["capacity"]) == {"minimum", "maximum", "step", "default"}
    assert "deprecation" not in mini  # the seed says nothing of its retirement


def test_a_fine_tuned_model_is_listed_with_its_base_model(clocked_arm):
    (listed,) = models(clocked_arm, clocked_arm.LAB)

    assert listed["name"] == clocked_arm.LAB_MODEL
    assert listed["version"] == "1"
    # As ListAccountModels.json lists its fine-tuned "ada.1".
    assert listed["baseModel"] == {
        "format": "OpenAI",
        "name": "gpt-4o-mini",
        "version": "2024-07-18",
    }


def test_a_versions_skus_and_retirement_dates_are_listed(clocked_arm):
    emu = clocked_arm.emu
    emu.set_model_version(
        clocked_arm.DEST,
        "gpt-4o",
        "2024-05-13",
        skus=["Standard"],
        retires="2099-06-30T00:00:00Z",
        fine_tune_retires="2099-03-31T00:00:00Z",
        sku_retires={"Standard": "2099-05-31T00:00:00Z"},
    )

    old = next(
        m for m in models(clocked_arm) if (m["name"], m["version"]) == ("gpt-4o", "2024-05-13")
    )

    assert old["isDefaultVersion"] is False
    assert old["deprecation"] == {
        "fineTune": "2099-03-31T00:00:00Z",
        "inference": "2099-06-30T00:00:00Z",
    }
    assert old["skus"] == [
        {
            "name": "Standard",
            "usageName": "OpenAI.Standard.gpt-4o",
            "capacity": {"minimum": 1, "maximum": 1000, "step": 1, "default": 1},
            "deprecationDate": "2099-05-31T00:00:00Z",
        }
    ]


def test_account_models_list_pages_by_next_link(clocked_arm):
    clocked_arm.emu.settings.page_size = 1
    first = clocked_arm.get(f"{clocked_arm.emu.account_id(clocked_arm.DEST)}/models").json()
    assert len(first["value"]) == 1
    second = clocked_arm.get(first["nextLink"]).json()
    assert len(second["value"]) == 1
    assert "nextLink" not in second
    assert first["value"][0]["name"] != second["value"][0]["name"]


# -- what a PUT meets because of the models list -------------------------------------------


def test_a_version_not_offered_in_the_sku_is_refused_as_azure_refuses_an_unknown_sku(clocked_arm):
    clocked_arm.emu.set_model_version(clocked_arm.DEST, "gpt-4o", "2024-05-13", skus=["Standard"])

    refused = clocked_arm.put(
        "old", clocked_arm.base_body("gpt-4o", "2024-05-13", sku="GlobalStandard")
    )

    assert refused.status_code == 400
    assert clocked_arm.error(refused) == (
        "InvalidResourceProperties",
        "The specified SKU 'GlobalStandard' for model 'gpt-4o 2024-05-13' is not supported in "
        "this region 'eastus'.",
    )
    assert clocked_arm.put("old", clocked_arm.base_body("gpt-4o", "2024-05-13")).status_code == 201


def test_a_retired_version_is_refused_with_service_model_deprecated(clocked_arm, manual_clock):
    now = datetime.datetime.fromtimestamp(manual_clock.now(), datetime.UTC)
    emu = clocked_arm.emu
    emu.set_model_version(clocked_arm.DEST, "gpt-4o", "2024-05-13", retires="2024-02-13T00:00:00Z")
    emu.set_model_version(
        clocked_arm.DEST, "gpt-4o", "2024-11-20", retires=iso(now + datetime.timedelta(days=3))
    )

    refused = clocked_arm.put("old", clocked_arm.base_body("gpt-4o", "2024-05-13"))

    assert refused.status_code == 400
    assert clocked_arm.error(refused) == (
        "ServiceModelDeprecated",
        "The model 'Publisher: , Format: OpenAI, Name: gpt-4o, Version: 2024-05-13, Source: , "
        "SourceAccount: ' has been deprecated since 02/13/2024 00:00:00.",
    )
    # Retiring in three days: still deployable, until the date passes.
    assert clocked_arm.put("soon", clocked_arm.base_body("gpt-4o", "2024-11-20")).ok
    manual_clock.advance(4 * 24 * 3600)
    again = clocked_arm.put("later", clocked_arm.base_body("gpt-4o", "2024-11-20"))
    assert clocked_arm.error(again)[0] == "ServiceModelDeprecated"


@pytest.mark.parametrize("value", ["tomorrow", 20250101])
def test_a_seed_date_that_is_not_iso_8601_is_refused_with_its_path(value):
    seed = json.loads(DEFAULT_SEED_PATH.read_text())
    seed["accounts"][2]["models"][1]["versions"].append(
        {"version": "2024-05-13", "inference": value}
    )

    with pytest.raises(SeedError, match=r"accounts\[2\]\.models\[1\]\.versions\[1\]\.inference"):
        Emulator(seed)
