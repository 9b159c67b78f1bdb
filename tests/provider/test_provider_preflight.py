"""``aoai-deploy:preflight`` against the emulator: what is read, when, how often, and what a
run that would fail at Azure's write does instead (fails before any write, one line per
problem), in process over HTTPS on loopback with the emulator's manual clock."""

from __future__ import annotations

import datetime
import json
import logging
import threading
from collections.abc import Callable
from typing import Any

import pytest
from pulumi.output import Unknown
from pulumi.provider.experimental.provider import CheckRequest, CreateRequest

from aoai_deploy.emulator import Emulator, Fault, ManualClock
from aoai_deploy.providers import ArmAuthorizationError, ArmError
from aoai_deploy.providers.azure.config import ProviderConfig
from aoai_deploy.providers.errors import PreflightError
from aoai_deploy.providers.lifecycle import Runtime
from aoai_deploy.providers.package import DeploymentFront, PackageError, check, from_core
from aoai_deploy.providers.provider import CrossTenantDeploymentProvider
from provider_kit import arm_writes, base_model_inputs, checked, cross_tenant_inputs
from seed_ids import (
    DEST_ACCOUNT,
    DEST_SUB,
    DEST_TENANT,
    LAB_ACCOUNT,
    LAB_MODEL,
    OTHER_DEST_ACCOUNTS,
    SOURCE_TENANT,
)

STANDARD_MINI = "OpenAI.Standard.gpt-4o-mini"
READS = ("account", "account-models", "usages")

Make = Callable[..., CrossTenantDeploymentProvider]


@pytest.fixture
def make(emu: Emulator, clock: ManualClock) -> Make:
    """A provider (a plugin process: one run) with ``aoai-deploy:preflight`` set to ``mode``;
    the preflight's date is the emulator's."""

    def build(mode: str = "up", principal: str = "deployer") -> CrossTenantDeploymentProvider:
        tokens = {
            tenant: emu.token(tenant, principal=principal, expires_in=7 * 24 * 3600)
            for tenant in (SOURCE_TENANT, DEST_TENANT)
        }
        settings = {
            "aoai-deploy:armEndpoint": emu.base_url,
            "aoai-deploy:caBundle": emu.ca_path,
            "aoai-deploy:credential": "static",
            "aoai-deploy:staticTokens": json.dumps(tokens),
            "aoai-deploy:preflight": mode,
        }
        runtime = Runtime.build(
            ProviderConfig.from_getter(settings.get),
            clock=clock,
            today=lambda: datetime.datetime.fromtimestamp(clock.now(), datetime.UTC),
        )
        return CrossTenantDeploymentProvider(runtime)

    return build


def reads(emu: Emulator) -> dict[str, int]:
    """How many times each of the preflight's reads was sent."""
    counts = dict.fromkeys(READS, 0)
    for entry in emu.request_log:
        if entry.route in counts:
            counts[entry.route] += 1
    return counts


def chat(name: str = "chat", **changes: Any) -> dict[str, Any]:
    return base_model_inputs(deployment_name=name, model_version="2024-07-18", **changes)


def in_days(clock: ManualClock, days: float) -> str:
    moment = datetime.datetime.fromtimestamp(clock.now(), datetime.UTC)
    return (moment + datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- off: nothing is read -----------------------------------------------------------------


def test_off_reads_nothing_and_azure_refuses_the_write_itself(make: Make, emu: Emulator) -> None:
    emu.set_quota(DEST_ACCOUNT, STANDARD_MINI, limit=20)
    provider = make("off")

    with pytest.raises(ArmError) as raised:
        provider.create(checked(provider, chat(sku_capacity=50)))

    assert raised.value.code == "InsufficientQuota"
    assert reads(emu) == {"account": 0, "account-models": 0, "usages": 0}
    assert [method for method, _ in arm_writes(emu)] == ["PUT"]


# -- up: quota -------------------------------------------------------------------------------


def test_a_create_short_of_quota_fails_before_any_write(make: Make, emu: Emulator) -> None:
    emu.set_quota(DEST_ACCOUNT, STANDARD_MINI, limit=1000, used=980)
    provider = make("up")

    with pytest.raises(PreflightError) as raised:
        provider.create(checked(provider, chat(sku_capacity=50)))

    assert str(raised.value).splitlines()[0] == (
        f"creating {DEST_ACCOUNT}/deployments/chat: PreflightFailed: needs 50 of Standard "
        "gpt-4o-mini in eastus, 20 free: lower sku_capacity or request quota "
        f"({STANDARD_MINI} in subscription {DEST_SUB}: limit 1000, 980 in use)"
    )
    assert arm_writes(emu) == []
    assert emu.deployment(DEST_ACCOUNT, "chat") is None


def test_the_reads_happen_once_per_account_and_run(make: Make, emu: Emulator) -> None:
    provider = make("up")
    for name in ("a", "b", "c"):
        provider.create(checked(provider, chat(name)))
    # Another account in the same region: its own account and models, the same usages.
    other = base_model_inputs(
        account_id=LAB_ACCOUNT, deployment_name="lab", model_name=LAB_MODEL, model_version="1"
    )
    provider.create(checked(provider, other))

    assert reads(emu) == {"account": 2, "account-models": 2, "usages": 1}
    assert len(arm_writes(emu)) == 4
    # The next run (a new plugin process) reads again.
    make("up").create(checked(provider, chat("d")))
    assert reads(emu) == {"account": 3, "account-models": 3, "usages": 2}


def test_a_run_adds_up_what_its_creates_need_against_one_quota(make: Make, emu: Emulator) -> None:
    emu.set_quota(DEST_ACCOUNT, STANDARD_MINI, limit=1000)
    provider = make("up")
    provider.create(checked(provider, chat("a", sku_capacity=600)))

    with pytest.raises(PreflightError) as raised:
        provider.create(checked(provider, chat("b", sku_capacity=600)))

    assert raised.value.problems == [
        "needs 1200 of Standard gpt-4o-mini in eastus (600 for b, 600 for a earlier in this "
        f"run), 1000 free: lower sku_capacity or request quota ({STANDARD_MINI} in subscription "
        f"{DEST_SUB}: limit 1000, 0 in use)"
    ]
    assert [path.rsplit("/", 1)[-1] for _, path in arm_writes(emu)] == ["a"]
    # 400 still fit: the run knows what it already added since it read the quota.
    provider.create(checked(provider, chat("c", sku_capacity=400)))
    assert emu.quota(DEST_ACCOUNT, STANDARD_MINI)["currentValue"] == 1000


def test_a_write_that_fails_gives_back_what_it_was_admitted_with(make: Make, emu: Emulator) -> None:
    provider = make("up")
    emu.set_quota(DEST_ACCOUNT, STANDARD_MINI, limit=100)
    emu.inject(Fault(kind="failed-provisioning", method="PUT"))
    with pytest.raises(Exception, match="InternalServerError"):
        provider.create(checked(provider, chat("a", sku_capacity=80)))

    provider.create(checked(provider, chat("b", sku_capacity=80)))
    assert emu.deployment(DEST_ACCOUNT, "b") is not None


def test_an_update_short_of_quota_fails_before_the_patch(make: Make, emu: Emulator) -> None:
    emu.set_quota(DEST_ACCOUNT, STANDARD_MINI, limit=30)
    created = make("up").create(checked(make("up"), chat(sku_capacity=10)))
    emu.clear_log()
    provider = make("up")  # the next run

    with pytest.raises(PreflightError) as raised:
        provider.update(created.id, created.outs, checked(provider, chat(sku_capacity=50)))

    assert raised.value.problems[0].startswith(
        "needs 40 more of Standard gpt-4o-mini in eastus (sku_capacity 10 -> 50), 20 free"
    )
    assert arm_writes(emu) == []
    provider.update(created.id, created.outs, checked(provider, chat(sku_capacity=30)))
    assert [method for method, _ in arm_writes(emu)] == ["PATCH"]


def test_a_delete_of_the_run_frees_what_a_later_create_needs(make: Make, emu: Emulator) -> None:
    emu.set_quota(DEST_ACCOUNT, STANDARD_MINI, limit=1000)
    old = make("up").create(checked(make("up"), chat("old", sku_capacity=700)))
    provider = make("up")  # one run: reads the quota (700 in use), deletes, creates
    provider.create(checked(provider, chat("small", sku_capacity=100)))
    provider.delete(old.id, old.outs)

    provider.create(checked(provider, chat("new", sku_capacity=800)))

    assert emu.quota(DEST_ACCOUNT, STANDARD_MINI)["currentValue"] == 900


def test_worker_threads_share_one_read_and_one_sum(make: Make, emu: Emulator) -> None:
    # The plugin serves resources from several threads: the reads happen once, and the
    # quota admits three of four deployments of 300 against 1000 free, whatever the order.
    emu.set_quota(DEST_ACCOUNT, STANDARD_MINI, limit=1000)
    provider = make("up")
    inputs = [checked(provider, chat(f"t{n}", sku_capacity=300)) for n in range(4)]
    failures: list[BaseException] = []
    start = threading.Barrier(4)

    def create(props: dict[str, Any]) -> None:
        start.wait()
        try:
            provider.create(props)
        except PreflightError as exc:
            failures.append(exc)

    threads = [threading.Thread(target=create, args=(props,)) for props in inputs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert len(failures) == 1
    assert "needs 1200 of Standard gpt-4o-mini in eastus (300 for" in str(failures[0])
    assert reads(emu) == {"account": 1, "account-models": 1, "usages": 1}
    assert emu.quota(DEST_ACCOUNT, STANDARD_MINI)["currentValue"] == 900


# -- up: models, versions, retirement ------------------------------------------------------


def test_a_version_not_offered_in_the_sku_fails_before_any_write(make: Make, emu: Emulator) -> None:
    emu.set_model_version(DEST_ACCOUNT, "gpt-4o", "2024-05-13", skus=["Standard"])
    provider = make("up")
    inputs = base_model_inputs(
        model_name="gpt-4o", model_version="2024-05-13", sku_name="GlobalStandard"
    )

    with pytest.raises(PreflightError) as raised:
        provider.create(checked(provider, inputs))

    assert raised.value.problems == [
        "model gpt-4o version 2024-05-13 is not available for GlobalStandard in eastus; "
        "versions that are: 2024-08-06: set model_version to one of them"
    ]
    assert arm_writes(emu) == []


def test_a_version_retiring_within_30_days_is_warned_of_with_its_date(
    make: Make, emu: Emulator, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    emu.set_model_version(DEST_ACCOUNT, "gpt-4o-mini", "2024-07-18", retires=in_days(clock, 12.5))
    caplog.set_level(logging.WARNING, logger="aoai_deploy")
    provider = make("up")

    provider.create(checked(provider, chat()))

    date = in_days(clock, 12.5)[:10]
    assert [r.getMessage() for r in caplog.records if "preflight" in r.getMessage()] == [
        f"{DEST_ACCOUNT}/deployments/chat: preflight: model gpt-4o-mini version 2024-07-18 "
        f"retires for Standard in eastus on {date} (in 12 days): plan the move to another version"
    ]
    assert emu.deployment(DEST_ACCOUNT, "chat") is not None


def test_a_retired_version_fails_before_azure_refuses_it(
    make: Make, emu: Emulator, clock: ManualClock
) -> None:
    emu.set_model_version(DEST_ACCOUNT, "gpt-4o-mini", "2024-07-18", retires=in_days(clock, -1))
    provider = make("up")

    with pytest.raises(PreflightError, match="was retired for Standard in eastus"):
        provider.create(checked(provider, chat()))
    assert arm_writes(emu) == []
    # Without the preflight, Azure's own answer to the write.
    with pytest.raises(ArmError) as raised:
        make("off").create(checked(provider, chat()))
    assert raised.value.code == "ServiceModelDeprecated"


def test_a_fine_tuned_model_copied_from_another_tenant_is_not_refused(
    make: Make, emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    # The destination's models list does not name the source tenant's fine-tuned model: the
    # preflight cannot judge its SKU, version or quota, and must not refuse the copy.
    caplog.set_level(logging.INFO, logger="aoai_deploy")
    provider = make("up")

    provider.create(checked(provider, cross_tenant_inputs(sku_capacity=900)))

    assert emu.deployment(DEST_ACCOUNT, "ft") is not None
    assert any(
        "is not in the models list of account fabrikam-aoai-eus" in r.getMessage()
        for r in caplog.records
    )
    assert reads(emu) == {"account": 1, "account-models": 1, "usages": 1}


# -- permissions ------------------------------------------------------------------------------


def test_an_identity_that_cannot_read_the_quota_is_told_which_role_reads_it(
    make: Make, emu: Emulator
) -> None:
    # The outsider holds OpenAI Contributor on the resource group, nothing on the subscription.
    provider = make("up", principal="outsider")

    with pytest.raises(ArmAuthorizationError) as raised:
        provider.create(checked(provider, chat()))

    message = str(raised.value)
    assert message.startswith(f"creating {DEST_ACCOUNT}/deployments/chat: AuthorizationFailed:")
    assert "Microsoft.CognitiveServices/locations/usages/read" in message
    assert "'Cognitive Services Usages Reader' (bba48692-92b0-4667-a9ad-c31c7b334ac2)" in message
    assert f"/subscriptions/{DEST_SUB}" in message.splitlines()[1]
    assert arm_writes(emu) == []


# -- always: at check time, so in previews too -------------------------------------------------


def test_always_reports_the_problems_as_check_failures(make: Make, emu: Emulator) -> None:
    emu.set_quota(DEST_ACCOUNT, STANDARD_MINI, limit=1000, used=980)
    provider = make("always")

    result = provider.check({}, chat(sku_capacity=50))

    assert [(f.property, f.reason) for f in result.failures] == [
        (
            "sku_capacity",
            "preflight: needs 50 of Standard gpt-4o-mini in eastus, 20 free: lower sku_capacity "
            f"or request quota ({STANDARD_MINI} in subscription {DEST_SUB}: limit 1000, 980 in "
            "use)",
        )
    ]
    assert reads(emu) == {"account": 1, "account-models": 1, "usages": 1}
    assert arm_writes(emu) == []


@pytest.mark.parametrize("mode", ["off", "up"])
def test_check_reads_nothing_unless_always(make: Make, emu: Emulator, mode: str) -> None:
    emu.set_quota(DEST_ACCOUNT, STANDARD_MINI, limit=0)
    provider = make(mode)

    assert provider.check({}, chat(sku_capacity=50)).failures == []
    assert emu.request_log == []


def test_always_judges_an_update_by_its_old_inputs(make: Make, emu: Emulator) -> None:
    emu.set_quota(DEST_ACCOUNT, STANDARD_MINI, limit=30)
    make("up").create(checked(make("up"), chat(sku_capacity=25)))
    provider = make("always")

    assert provider.check(chat(sku_capacity=25), chat(sku_capacity=30)).failures == []
    (failure,) = provider.check(chat(sku_capacity=25), chat(sku_capacity=40)).failures
    assert failure.reason.startswith(
        "preflight: needs 15 more of Standard gpt-4o-mini in eastus (sku_capacity 25 -> 40), 5 free"
    )


def test_always_passes_over_inputs_not_known_yet(make: Make, emu: Emulator) -> None:
    provider = make("always")
    result = provider.check({}, chat(account_id=Unknown()))  # type: ignore[no-untyped-call]

    assert result.failures == []
    assert emu.request_log == []


def test_other_regions_are_read_when_written_to(make: Make, emu: Emulator) -> None:
    provider = make("up")
    west = base_model_inputs(account_id=OTHER_DEST_ACCOUNTS[0], deployment_name="w")
    provider.create(checked(provider, chat()))
    provider.create(checked(provider, west))

    paths = [e.path for e in emu.request_log if e.route == "usages"]
    assert [p.split("/locations/")[1] for p in paths] == ["eastus/usages", "westus/usages"]


# -- the package's front ----------------------------------------------------------------------


def test_the_package_front_reports_the_preflight_in_the_schemas_words(
    emu: Emulator, clock: ManualClock
) -> None:
    tokens = {t: emu.token(t, expires_in=7 * 24 * 3600) for t in (SOURCE_TENANT, DEST_TENANT)}

    def front(mode: str) -> DeploymentFront:
        settings = {
            "aoai-deploy:armEndpoint": emu.base_url,
            "aoai-deploy:caBundle": emu.ca_path,
            "aoai-deploy:credential": "static",
            "aoai-deploy:staticTokens": json.dumps(tokens),
            "aoai-deploy:preflight": mode,
        }
        return DeploymentFront(Runtime.build(ProviderConfig.from_getter(settings.get), clock=clock))

    emu.set_quota(DEST_ACCOUNT, STANDARD_MINI, limit=1000, used=980)
    urn = "urn:pulumi:dev::shop::aoai-deploy:index:CrossTenantDeployment::chat"
    inputs = from_core({k: v for k, v in chat(sku_capacity=50).items() if k != "owner"})

    checked_always = check(CheckRequest(urn, {}, inputs, b""), front("always"))
    assert [(f.property, f.reason) for f in checked_always.failures] == [
        (
            "skuCapacity",
            "preflight: needs 50 of Standard gpt-4o-mini in eastus, 20 free: lower skuCapacity "
            f"or request quota ({STANDARD_MINI} in subscription {DEST_SUB}: limit 1000, 980 in "
            "use)",
        )
    ]
    up = front("up")
    checked_up = check(CheckRequest(urn, {}, inputs, b""), up)
    assert checked_up.failures == []
    with pytest.raises(PackageError) as raised:
        up.create(CreateRequest(urn, checked_up.inputs, 60.0, False))
    assert str(raised.value).startswith(
        f"creating {DEST_ACCOUNT}/deployments/chat: PreflightFailed: needs 50 of Standard "
        "gpt-4o-mini in eastus, 20 free: lower skuCapacity or request quota"
    )
    assert arm_writes(emu) == []
