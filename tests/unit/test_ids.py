"""ARM ids: strict parsing, one canonical format, case-insensitive identity."""

from __future__ import annotations

import pytest

from aoai_deploy.providers.core.ids import (
    ACCOUNT_ID_SHAPE,
    DEPLOYMENT_ID_SHAPE,
    AccountId,
    ArmIdError,
    DeploymentId,
    is_guid,
    validate_deployment_name,
)
from aoai_deploy.providers.errors import InputError

SUB = "bbbbbbbb-0000-4000-8000-000000000002"
PREFIX = f"/subscriptions/{SUB}/resourceGroups/rg-inference/providers/Microsoft.CognitiveServices"
ACCOUNT = f"{PREFIX}/accounts/fabrikam-aoai-eus"
DEPLOYMENT = f"{ACCOUNT}/deployments/ft-1"
CYRILLIC_A = "\u0430"


# -- valid account ids ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "subscription", "group", "name"),
    [
        pytest.param(ACCOUNT, SUB, "rg-inference", "fabrikam-aoai-eus", id="canonical"),
        pytest.param(
            ACCOUNT.replace("resourceGroups", "resourcegroups")
            .replace("Microsoft.CognitiveServices", "microsoft.cognitiveservices")
            .replace("subscriptions", "SUBSCRIPTIONS")
            .replace("accounts", "Accounts"),
            SUB,
            "rg-inference",
            "fabrikam-aoai-eus",
            id="fixed-segments-in-any-case",
        ),
        pytest.param(
            ACCOUNT.replace(SUB, SUB.upper()),
            SUB.upper(),
            "rg-inference",
            "fabrikam-aoai-eus",
            id="upper-case-subscription",
        ),
        pytest.param(
            f"/subscriptions/{SUB}/resourceGroups/My_RG.(prod)-1/providers/"
            "Microsoft.CognitiveServices/accounts/ab",
            SUB,
            "My_RG.(prod)-1",
            "ab",
            id="group-with-parentheses-and-two-char-account",
        ),
        pytest.param(
            f"{PREFIX}/accounts/{'a' * 64}", SUB, "rg-inference", "a" * 64, id="64-char-account"
        ),
        pytest.param(
            f"{PREFIX}/accounts/A1_b.c-d", SUB, "rg-inference", "A1_b.c-d", id="account-punctuation"
        ),
    ],
)
def test_account_id_parses_valid_forms(text: str, subscription: str, group: str, name: str) -> None:
    account = AccountId.parse(text)
    assert (account.subscription_id, account.resource_group, account.name) == (
        subscription,
        group,
        name,
    )


def test_account_id_formats_one_way_whatever_the_fixed_segments_casing() -> None:
    lowered = ACCOUNT.replace("resourceGroups", "resourcegroups").replace(
        "Microsoft.CognitiveServices", "microsoft.cognitiveservices"
    )
    assert str(AccountId.parse(lowered)) == ACCOUNT
    assert str(AccountId(SUB, "rg-inference", "fabrikam-aoai-eus")) == ACCOUNT


def test_account_ids_compare_and_hash_ignoring_case() -> None:
    upper = AccountId.parse(ACCOUNT.upper())
    lower = AccountId.parse(ACCOUNT)
    assert upper == lower
    assert hash(upper) == hash(lower)
    assert len({upper, lower}) == 1


@pytest.mark.parametrize(
    "other",
    [
        f"{PREFIX}/accounts/fabrikam-aoai-wus",
        ACCOUNT.replace("rg-inference", "rg-lab"),
        ACCOUNT.replace(SUB, "aaaaaaaa-0000-4000-8000-000000000001"),
    ],
    ids=["other-name", "other-group", "other-subscription"],
)
def test_account_ids_differ_when_any_part_differs(other: str) -> None:
    assert AccountId.parse(ACCOUNT) != AccountId.parse(other)


def test_account_id_is_not_equal_to_its_string() -> None:
    assert AccountId.parse(ACCOUNT) != ACCOUNT


def test_account_id_is_immutable() -> None:
    account = AccountId.parse(ACCOUNT)
    with pytest.raises(AttributeError):
        account.name = "other"  # type: ignore[misc]


def test_account_id_makes_its_deployment_ids() -> None:
    deployment = AccountId.parse(ACCOUNT).deployment("ft-1")
    assert deployment == DeploymentId.parse(DEPLOYMENT)
    assert str(deployment) == DEPLOYMENT


# -- rejected account ids ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param(ACCOUNT + "/", "ends with '/'", id="trailing-slash"),
        pytest.param(ACCOUNT.replace("rg-inference", "rg..x"), "'..'", id="double-dot"),
        pytest.param(f"{PREFIX}/accounts/../accounts/other", "'..'", id="dot-dot-segment"),
        pytest.param(ACCOUNT + "?api-version=2024-10-01", "'?'", id="query"),
        pytest.param(ACCOUNT + "#x", "'#'", id="fragment"),
        pytest.param(ACCOUNT.replace("rg-inference", "rg%2Fother"), "'%'", id="encoded-slash"),
        pytest.param(ACCOUNT.replace("rg-inference", "rg%2e%2e"), "'%'", id="encoded-dots"),
        pytest.param(ACCOUNT.replace("fabrikam-aoai-eus", "fabrikam aoai"), "a space", id="space"),
        pytest.param(" " + ACCOUNT, "a space", id="leading-space"),
        pytest.param(ACCOUNT + "\n", "U+000A", id="trailing-newline"),
        pytest.param(ACCOUNT.replace("-eus", "\t"), "U+0009", id="tab"),
        pytest.param(ACCOUNT.replace("-eus", "\x00"), "U+0000", id="nul"),
        pytest.param(ACCOUNT.replace("-eus", "\x7f"), "U+007F", id="delete-char"),
        pytest.param(
            ACCOUNT.replace("fabrikam", f"f{CYRILLIC_A}brikam"),
            "CYRILLIC SMALL LETTER A",
            id="cyrillic-look-alike",
        ),
        pytest.param(
            ACCOUNT.replace("fabrikam", "\uff46abrikam"), "FULLWIDTH", id="fullwidth-look-alike"
        ),
        pytest.param(ACCOUNT.replace("-eus", "\u00a0eus"), "NO-BREAK SPACE", id="no-break-space"),
        pytest.param(
            ACCOUNT.replace("/resourceGroups", "//resourceGroups"),
            "empty segment",
            id="empty-segment",
        ),
        pytest.param(ACCOUNT[1:], "must start with '/subscriptions/'", id="no-leading-slash"),
        pytest.param("", "empty", id="empty"),
        pytest.param(
            ACCOUNT.replace("Microsoft.CognitiveServices", "Microsoft.Storage"),
            "the resource provider is 'Microsoft.Storage'",
            id="wrong-provider",
        ),
        pytest.param(
            ACCOUNT.replace("/accounts/", "/workspaces/"),
            "the resource type is 'workspaces'",
            id="wrong-type",
        ),
        pytest.param(
            ACCOUNT.replace("resourceGroups", "resourceGroup"),
            "expected 'resourceGroups'",
            id="wrong-group-key",
        ),
        pytest.param(
            ACCOUNT.replace("subscriptions", "subscription"),
            "expected 'subscriptions'",
            id="wrong-subscription-key",
        ),
        pytest.param(
            ACCOUNT.replace("/providers", "/provider"), "expected 'providers'", id="wrong-providers"
        ),
        pytest.param(f"/subscriptions/{SUB}", "resource group is missing", id="no-group"),
        pytest.param(f"{PREFIX}/accounts", "account name is missing", id="no-account-name"),
        pytest.param(f"/subscriptions/{SUB}/resourceGroups/rg", "missing", id="group-id-only"),
        pytest.param(
            DEPLOYMENT, "it is a deployment id; drop '/deployments/ft-1'", id="deployment"
        ),
        pytest.param(ACCOUNT + "/projects/p", "extra segments '/projects/p'", id="extra-segments"),
        pytest.param(
            ACCOUNT.replace(SUB, "not-a-guid"),
            "subscription 'not-a-guid' is not a GUID",
            id="subscription-not-guid",
        ),
        pytest.param(ACCOUNT.replace(SUB, SUB[:-1]), "not a GUID", id="subscription-short"),
        pytest.param(
            ACCOUNT.replace("rg-inference", "r" * 91), "resource group", id="group-too-long"
        ),
        pytest.param(
            ACCOUNT.replace("rg-inference", "rg."),
            "must not end with '.'",
            id="group-ends-with-dot",
        ),
        pytest.param(ACCOUNT.replace("rg-inference", "rg!"), "resource group", id="group-bang"),
        pytest.param(f"{PREFIX}/accounts/a", "account name 'a'", id="account-one-char"),
        pytest.param(f"{PREFIX}/accounts/{'a' * 65}", "account name", id="account-65-chars"),
        pytest.param(f"{PREFIX}/accounts/-abc", "account name '-abc'", id="account-leading-dash"),
        pytest.param(f"{PREFIX}/accounts/.abc", "account name '.abc'", id="account-leading-dot"),
        pytest.param(f"{PREFIX}/accounts/ab!c", "account name 'ab!c'", id="account-bang"),
        pytest.param(f"{PREFIX}/accounts/a\\b", "account name", id="account-backslash"),
    ],
)
def test_account_id_rejects(text: str, problem: str) -> None:
    with pytest.raises(ArmIdError) as caught:
        AccountId.parse(text)
    message = str(caught.value)
    assert problem in message
    assert message.endswith(f"Expected {ACCOUNT_ID_SHAPE}")


@pytest.mark.parametrize("value", [None, 5, ["/subscriptions"]], ids=["none", "int", "list"])
def test_account_id_rejects_non_strings(value: object) -> None:
    with pytest.raises(ArmIdError, match="must be a string"):
        AccountId.parse(value)


def test_account_id_construction_validates_parts() -> None:
    with pytest.raises(ArmIdError, match="not a GUID"):
        AccountId("sub", "rg", "account")
    with pytest.raises(ArmIdError, match="account name"):
        AccountId(SUB, "rg", f"f{CYRILLIC_A}b")


def test_arm_id_error_is_an_input_error_and_a_value_error() -> None:
    with pytest.raises(InputError):
        AccountId.parse("x")
    with pytest.raises(ValueError, match="not a valid account id"):
        AccountId.parse("x")


# -- deployment ids ---------------------------------------------------------------------------


def test_deployment_id_parses_and_formats_one_way() -> None:
    deployment = DeploymentId.parse(DEPLOYMENT.replace("/deployments/", "/Deployments/"))
    assert deployment.account == AccountId.parse(ACCOUNT)
    assert deployment.name == "ft-1"
    assert str(deployment) == DEPLOYMENT


def test_deployment_ids_compare_and_hash_ignoring_case() -> None:
    lower = DeploymentId.parse(DEPLOYMENT)
    upper = DeploymentId.parse(
        DEPLOYMENT.replace("fabrikam-aoai-eus", "FABRIKAM-AOAI-EUS").replace("ft-1", "FT-1")
    )
    assert lower == upper
    assert hash(lower) == hash(upper)
    assert lower != DeploymentId.parse(DEPLOYMENT.replace("ft-1", "ft-2"))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param(
            ACCOUNT, "it is an account id; add '/deployments/<deployment name>'", id="account-id"
        ),
        pytest.param(ACCOUNT + "/deployments", "deployment name is missing", id="no-name"),
        pytest.param(DEPLOYMENT + "/", "ends with '/'", id="trailing-slash"),
        pytest.param(ACCOUNT + "/deployment/ft-1", "expected 'deployments'", id="wrong-key"),
        pytest.param(ACCOUNT + "/deployments/.hidden", "must not start with '.'", id="dot-first"),
        pytest.param(ACCOUNT + "/deployments/-x", "must not start with '-'", id="dash-first"),
        pytest.param(ACCOUNT + "/deployments/..", "'..'", id="dot-dot"),
        pytest.param(ACCOUNT + "/deployments/ft-1/extra", "extra segments", id="extra"),
        pytest.param(ACCOUNT + "/deployments/ft%2F1", "'%'", id="encoded-slash"),
        pytest.param(ACCOUNT + "/deployments/ft 1", "a space", id="space"),
        pytest.param(ACCOUNT + f"/deployments/ft{CYRILLIC_A}", "CYRILLIC", id="cyrillic"),
        pytest.param(ACCOUNT + "/deployments/ft!", "contains '!'", id="bang"),
        pytest.param(ACCOUNT + "/deployments/" + "d" * 65, "65 characters", id="too-long"),
        pytest.param(
            DEPLOYMENT.replace(SUB, "nope"), "subscription 'nope' is not a GUID", id="bad-account"
        ),
    ],
)
def test_deployment_id_rejects(text: str, problem: str) -> None:
    with pytest.raises(ArmIdError) as caught:
        DeploymentId.parse(text)
    assert problem in str(caught.value)
    assert str(caught.value).endswith(f"Expected {DEPLOYMENT_ID_SHAPE}")


# -- deployment names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["a", "ft-1", "gpt-4o-mini_ft.v2", "A" * 64, "9lives", "_x"],
)
def test_deployment_name_accepts_url_safe_names(name: str) -> None:
    assert validate_deployment_name(name) is None


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "must not be empty"),
        (".", "must not start with '.'"),
        ("..", "must not start with '.'"),
        (".x", "must not start with '.'"),
        ("-x", "must not start with '-'"),
        ("a..b", "must not contain '..'"),
        ("a/b", "contains '/'"),
        ("a b", "contains a space"),
        ("a?b", "contains '?'"),
        ("a#b", "contains '#'"),
        ("a%2Fb", "contains '%'"),
        ("a:b", "contains ':'"),
        (f"ft{CYRILLIC_A}", "non-ASCII"),
        ("ft\n", "control character"),
        ("d" * 65, "at most 64"),
        (5, "must be a string"),
    ],
)
def test_deployment_name_rejects(name: object, reason: str) -> None:
    found = validate_deployment_name(name)
    assert found is not None
    assert reason in found


# -- GUIDs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11111111-1111-4111-8111-111111111111", True),
        ("ABCDEF01-2345-6789-abcd-ef0123456789", True),
        ("11111111111141118111111111111111", False),
        ("{11111111-1111-4111-8111-111111111111}", False),
        ("11111111-1111-4111-8111-11111111111", False),
        ("g1111111-1111-4111-8111-111111111111", False),
        ("11111111-1111-4111-8111-111111111111\n", False),
        (" 11111111-1111-4111-8111-111111111111", False),
        ("\uff11" + "1111111-1111-4111-8111-111111111111", False),
        ("", False),
        (None, False),
        (11111111, False),
    ],
)
def test_is_guid(text: object, expected: bool) -> None:
    assert is_guid(text) is expected
