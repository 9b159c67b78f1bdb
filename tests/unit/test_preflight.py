"""The preflight's arithmetic and its lines (``providers/core/preflight.py``), without a
network: what a write needs against what the usages and the models list said, and what each
problem and warning says to the user."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from aoai_deploy.providers.azure.config import ProviderConfig
from aoai_deploy.providers.core.preflight import (
    Target,
    Usage,
    assess,
    model_offers,
    usage_name,
    usages,
)
from aoai_deploy.providers.errors import ConfigError, PreflightError

NOW = datetime.datetime(2025, 3, 1, tzinfo=datetime.UTC)
SUB = "bbbbbbbb-0000-4000-8000-000000000002"
ACCOUNT = (
    f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/eus"
)
GLOBAL_MINI = "OpenAI.GlobalStandard.gpt-4o-mini"


def dep(name: str) -> str:
    return f"{ACCOUNT}/deployments/{name}"


def sku(name: str, usage: str | None = None, retires: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"name": name, "capacity": {"minimum": 1, "maximum": 1000}}
    if usage is not None:
        item["usageName"] = usage
    if retires is not None:
        item["deprecationDate"] = retires
    return item


def model(
    name: str,
    version: str,
    skus: list[dict[str, Any]] | None = None,
    default: bool = False,
    retires: str | None = None,
) -> dict[str, Any]:
    item: dict[str, Any] = {"format": "OpenAI", "name": name, "version": version}
    item["isDefaultVersion"] = default
    if skus is not None:
        item["skus"] = skus
    if retires is not None:
        item["deprecation"] = {"inference": retires}
    return item


#: gpt-4o-mini 2024-07-18 in Standard and GlobalStandard; gpt-4o 2024-08-06 (default) in both,
#: 2024-05-13 in Standard only.
CATALOG = model_offers(
    [
        model(
            "gpt-4o-mini",
            "2024-07-18",
            [sku("Standard", "OpenAI.Standard.gpt-4o-mini"), sku("GlobalStandard", GLOBAL_MINI)],
            default=True,
        ),
        model("gpt-4o", "2024-08-06", [sku("Standard"), sku("GlobalStandard")], default=True),
        model("gpt-4o", "2024-05-13", [sku("Standard")]),
    ]
)


def region(used: float = 980, limit: float = 1000) -> dict[str, Usage]:
    return {GLOBAL_MINI.lower(): Usage(GLOBAL_MINI, used, limit)}


def target(**changes: Any) -> Target:
    values: dict[str, Any] = {
        "deployment_id": dep("chat"),
        "account": "eus",
        "subscription_id": SUB,
        "location": "eastus",
        "model_format": "OpenAI",
        "model_name": "gpt-4o-mini",
        "model_version": "2024-07-18",
        "sku_name": "GlobalStandard",
        "capacity": 50,
    }
    values.update(changes)
    return Target(**values)


def lines(result: Any) -> list[str]:
    return [p.text for p in result.problems]


# -- reading Azure's answers -------------------------------------------------------------


def test_usages_are_read_from_the_shape_of_the_specs_example() -> None:
    # ListUsages.json (2024-10-01): name {value, localizedValue}, currentValue, limit, unit.
    found = usages(
        [
            {
                "name": {"value": "AccountCount", "localizedValue": "Cognitive Services total"},
                "currentValue": 3,
                "limit": 200,
                "unit": "Count",
            },
            {"name": {"value": GLOBAL_MINI}, "currentValue": 980.0, "limit": 1000.0},
            {"name": {"value": "broken"}, "currentValue": "many", "limit": 1},
            "not an object",
        ]
    )

    assert set(found) == {"accountcount", GLOBAL_MINI.lower()}
    assert found[GLOBAL_MINI.lower()].free == 20
    assert Usage("x", 1200, 1000).free == 0


def test_models_list_items_are_read_with_skus_usage_names_and_dates() -> None:
    (offer,) = model_offers(
        [
            model(
                "gpt-4o",
                "2024-05-13",
                [sku("Standard", "OpenAI.Standard.gpt-4o", "2025-05-31T00:00:00Z")],
                retires="2025-06-30T00:00:00Z",
            ),
            {"name": "no version"},
        ]
    )

    assert (offer.name, offer.version, offer.is_default) == ("gpt-4o", "2024-05-13", False)
    assert offer.retires == datetime.datetime(2025, 6, 30, tzinfo=datetime.UTC)
    standard = offer.sku("standard")
    assert standard is not None
    assert standard.usage_name == "OpenAI.Standard.gpt-4o"
    assert standard.retires == datetime.datetime(2025, 5, 31, tzinfo=datetime.UTC)
    assert offer.sku("GlobalStandard") is None


def test_the_usage_name_without_a_models_list_is_azures_convention() -> None:
    assert usage_name("globalstandard", "gpt-4o-mini") == GLOBAL_MINI


# -- quota ---------------------------------------------------------------------------------


def test_a_create_needing_more_than_is_free_says_what_is_needed_free_and_where() -> None:
    result = assess(target(), CATALOG, region(), {}, NOW)

    assert [p.field for p in result.problems] == ["sku_capacity"]
    assert lines(result) == [
        "needs 50 of GlobalStandard gpt-4o-mini in eastus, 20 free: lower sku_capacity or "
        f"request quota ({GLOBAL_MINI} in subscription {SUB}: limit 1000, 980 in use)"
    ]
    assert result.adds == 0


def test_a_create_that_fits_is_admitted_with_what_it_adds() -> None:
    result = assess(target(capacity=20), CATALOG, region(), {}, NOW)

    assert result.problems == []
    assert (result.usage, result.adds) == (GLOBAL_MINI, 20)


def test_the_run_adds_up_what_it_admitted_earlier_against_the_same_quota() -> None:
    earlier = {GLOBAL_MINI.lower(): {dep("a").lower(): 300, dep("b").lower(): 200}}

    result = assess(target(capacity=50), CATALOG, region(used=500), earlier, NOW)

    assert lines(result) == [
        "needs 550 of GlobalStandard gpt-4o-mini in eastus (50 for chat, 500 for a, b earlier "
        f"in this run), 500 free: lower sku_capacity or request quota ({GLOBAL_MINI} in "
        f"subscription {SUB}: limit 1000, 500 in use)"
    ]
    fits = assess(target(capacity=1), CATALOG, region(used=499), earlier, NOW)
    assert (fits.problems, fits.adds) == ([], 1)


def test_a_deployment_is_not_counted_twice_against_itself() -> None:
    # Checked in a preview's check, then created: the second judgement replaces the first.
    earlier = {GLOBAL_MINI.lower(): {dep("chat").lower(): 20}}

    result = assess(target(capacity=20), CATALOG, region(), earlier, NOW)

    assert (result.problems, result.adds) == ([], 20)


def test_capacity_freed_by_a_delete_of_this_run_counts_as_free() -> None:
    earlier = {GLOBAL_MINI.lower(): {dep("old").lower() + "#deleted": -40}}

    assert assess(target(capacity=60), CATALOG, region(), earlier, NOW).problems == []
    short = assess(target(capacity=61), CATALOG, region(), earlier, NOW)
    assert lines(short)[0].startswith(
        "needs 21 of GlobalStandard gpt-4o-mini in eastus (61 for chat, 40 freed earlier in "
        "this run), 20 free"
    )


def test_an_update_needs_only_what_it_adds_and_says_from_what_to_what() -> None:
    fits = assess(target(capacity=30, held=10, sets_model=False), CATALOG, region(), {}, NOW)
    assert (fits.problems, fits.adds) == ([], 20)

    short = assess(target(capacity=50, held=10, sets_model=False), CATALOG, region(), {}, NOW)
    assert lines(short) == [
        "needs 40 more of GlobalStandard gpt-4o-mini in eastus (sku_capacity 10 -> 50), 20 free: "
        f"lower sku_capacity or request quota ({GLOBAL_MINI} in subscription {SUB}: limit "
        "1000, 980 in use)"
    ]


def test_lowering_capacity_needs_nothing_even_with_no_quota_free() -> None:
    result = assess(target(capacity=5, held=10), CATALOG, region(used=1000), {}, NOW)

    assert (result.problems, result.adds) == ([], 0)


def test_a_quota_the_region_does_not_list_is_not_judged() -> None:
    result = assess(target(sku_name="Standard", capacity=5000), CATALOG, region(), {}, NOW)

    assert result.problems == []
    assert result.notes == [
        "no quota named OpenAI.Standard.gpt-4o-mini is listed in eastus: not checked"
    ]


def test_the_usage_name_the_models_list_gives_wins_over_the_convention() -> None:
    offers = model_offers(
        [model("gpt-4o", "2024-08-06", [sku("ProvisionedManaged", "OpenAI.Provisioned.Class1")])]
    )
    provisioned = {"openai.provisioned.class1": Usage("OpenAI.Provisioned.Class1", 100, 150)}

    result = assess(
        target(
            model_name="gpt-4o",
            model_version="2024-08-06",
            sku_name="ProvisionedManaged",
            capacity=60,
        ),
        offers,
        provisioned,
        {},
        NOW,
    )

    assert lines(result)[0].startswith("needs 60 of ProvisionedManaged gpt-4o in eastus, 50 free")
    assert "(OpenAI.Provisioned.Class1 in subscription" in lines(result)[0]


# -- models, versions, SKUs ------------------------------------------------------------------


def test_a_version_not_offered_in_the_sku_fails_with_the_versions_that_are() -> None:
    result = assess(
        target(model_name="gpt-4o", model_version="2024-05-13", capacity=1),
        CATALOG,
        region(),
        {},
        NOW,
    )

    assert [(p.field, p.text) for p in result.problems] == [
        (
            "model_version",
            "model gpt-4o version 2024-05-13 is not available for GlobalStandard in eastus; "
            "versions that are: 2024-08-06: set model_version to one of them",
        )
    ]


def test_a_sku_no_version_of_the_model_is_offered_in_fails_on_sku_name() -> None:
    result = assess(target(sku_name="DataZoneStandard", capacity=1), CATALOG, region(), {}, NOW)

    assert [(p.field, p.text) for p in result.problems] == [
        (
            "sku_name",
            "model gpt-4o-mini version 2024-07-18 is not available for DataZoneStandard in "
            "eastus, nor is any version of it; SKUs offered for it there: GlobalStandard, "
            "Standard: set sku_name to one of them",
        )
    ]


def test_an_unset_version_is_judged_as_the_default_azure_would_deploy() -> None:
    offers = model_offers(
        [
            model("gpt-4o", "2024-05-13", [sku("Standard")], default=True),
            model("gpt-4o", "2024-08-06", [sku("Standard"), sku("GlobalStandard")]),
        ]
    )

    result = assess(target(model_name="gpt-4o", model_version=None), offers, {}, {}, NOW)

    assert lines(result) == [
        "the default version (2024-05-13) of model gpt-4o is not available for GlobalStandard "
        "in eastus; versions that are: 2024-08-06: set model_version to one of them"
    ]


def test_a_version_not_offered_at_all_fails_with_the_versions_offered() -> None:
    result = assess(target(model_version="2023-01-01"), CATALOG, region(), {}, NOW)

    assert lines(result) == [
        "model gpt-4o-mini version 2023-01-01 is not offered to account eus in eastus; versions "
        "offered: 2024-07-18: set model_version to one of them"
    ]


def test_a_base_model_the_account_is_not_offered_fails_with_the_models_that_are() -> None:
    result = assess(target(model_name="gpt-5"), CATALOG, region(), {}, NOW)

    assert [(p.field, p.text) for p in result.problems] == [
        (
            "model_name",
            "model gpt-5 is not offered to account eus in eastus; models offered there: gpt-4o, "
            "gpt-4o-mini: check model_name and model_format",
        )
    ]


@pytest.mark.parametrize(
    ("name", "copy"),
    [
        ("gpt-4o-mini-2024-07-18.ft-0123456789abcdef0123456789abcdef", True),
        ("gpt-4o-mini-2024-07-18.ft-0123456789abcdef0123456789abcdef", False),
        ("my-custom-model", True),
    ],
)
def test_a_copied_or_fine_tuned_model_the_destination_does_not_list_is_left_to_azure(
    name: str, copy: bool
) -> None:
    # The destination's models list need not name a model held by the source account (a
    # fine-tuned model copied from another tenant): refusing it would refuse a valid copy.
    result = assess(
        target(model_name=name, model_version="1", sku_name="Standard", copy=copy, capacity=999),
        CATALOG,
        region(used=1000),
        {},
        NOW,
    )

    assert result.problems == []
    assert result.usage is None
    assert "is not in the models list of account eus" in result.notes[0]


# -- retirement -----------------------------------------------------------------------------


def retiring(days: float, on_sku: bool = False) -> list[Any]:
    when = (NOW + datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return model_offers(
        [
            model(
                "gpt-4o-mini",
                "2024-07-18",
                [sku("GlobalStandard", GLOBAL_MINI, when if on_sku else None)],
                retires=None if on_sku else when,
            ),
            model("gpt-4o-mini", "2025-04-14", [sku("GlobalStandard", GLOBAL_MINI)]),
        ]
    )


@pytest.mark.parametrize("on_sku", [False, True], ids=["inference", "sku-deprecation-date"])
def test_a_version_retiring_within_30_days_is_a_warning_with_its_date(on_sku: bool) -> None:
    result = assess(target(capacity=1), retiring(12, on_sku), region(), {}, NOW)

    assert result.problems == []
    assert result.warnings == [
        "model gpt-4o-mini version 2024-07-18 retires for GlobalStandard in eastus on "
        "2025-03-13 (in 12 days): plan the move to another version (offered: 2025-04-14)"
    ]
    assert result.adds == 1


def test_the_warning_starts_30_days_before_the_date() -> None:
    assert assess(target(capacity=1), retiring(30), region(), {}, NOW).warnings
    assert assess(target(capacity=1), retiring(30.5), region(), {}, NOW).warnings == []


def test_a_retired_version_fails_a_write_that_deploys_it() -> None:
    result = assess(target(capacity=1), retiring(-3), region(), {}, NOW)

    assert [(p.field, p.text) for p in result.problems] == [
        (
            "model_version",
            "model gpt-4o-mini version 2024-07-18 was retired for GlobalStandard in eastus on "
            "2025-02-26, and Azure refuses to deploy it (ServiceModelDeprecated): choose another "
            "version (offered: 2025-04-14)",
        )
    ]


def test_a_retired_version_only_warns_a_write_that_keeps_it() -> None:
    result = assess(target(capacity=11, held=10, sets_model=False), retiring(-3), region(), {}, NOW)

    assert result.problems == []
    assert result.warnings[0].startswith("model gpt-4o-mini version 2024-07-18 was retired")


# -- configuration and the error -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "mode"), [(None, "off"), ("off", "off"), ("UP", "up"), ("always", "always")]
)
def test_preflight_mode_is_read_from_config(value: str | None, mode: str) -> None:
    settings = {} if value is None else {"aoai-deploy:preflight": value}
    assert ProviderConfig.from_getter(settings.get).preflight == mode


def test_an_unknown_preflight_mode_is_refused_with_the_modes() -> None:
    with pytest.raises(ConfigError) as raised:
        ProviderConfig.from_getter({"aoai-deploy:preflight": "true"}.get)

    assert str(raised.value) == (
        "aoai-deploy:preflight is 'true', which is not a preflight mode: set it to off (the "
        "default), up (read quota and models before the first write of `pulumi up`) or always "
        "(in `pulumi preview` too): `pulumi config set aoai-deploy:preflight up`"
    )


def test_the_error_puts_one_problem_on_each_line_after_the_operation_and_id() -> None:
    error = PreflightError("creating", dep("chat"), ["first problem", "second problem"])

    assert str(error).splitlines() == [
        f"creating {dep('chat')}: PreflightFailed: first problem",
        "second problem",
        "Nothing was written: aoai-deploy:preflight read the account's models and the "
        "subscription's quota before the first write.",
    ]
    assert error.code == "PreflightFailed"
