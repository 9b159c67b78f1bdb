"""The fault matrix's preflight rows (``aoai-deploy:preflight``): what Azure would refuse at
the write (quota short, a version not offered in the SKU) fails before any write when the
preflight is on, with the emulator's request log showing no PUT or PATCH; a version retiring
soon is a warning; and, for contrast, the same short quota with the preflight off is refused
by Azure at the write (the emulator's quota, from the same table its usages list reports).

Each runs on a base model the destination account lists (``gpt-4o-mini`` 2024-07-18,
``Standard``): a fine-tuned model copied from another tenant is not in the destination's
models list, and the preflight leaves it to Azure (see ``providers/core/preflight.py``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Final

from aoai_deploy.providers import AoaiDeployError
from aoai_deploy.providers.errors import PreflightError
from fault_lab import Lab
from fault_row import Row
from seed_ids import DEST_ACCOUNT

__all__ = ["PREFLIGHT_EXPECTED", "PREFLIGHT_ROWS"]

USAGE: Final = "OpenAI.Standard.gpt-4o-mini"
SEEDED_LIMIT: Final = 1000
_BASE_MODEL: Final = {
    "model_name": "gpt-4o-mini",
    "model_version": "2024-07-18",
    "source_account_id": None,
    "source_tenant_id": None,
}
_UP: Final = {"aoai-deploy:preflight": "up"}


def _writes(lab: Lab) -> list[str]:
    return [
        e.method
        for e in lab.emu.request_log
        if e.method in ("PUT", "PATCH", "DELETE") and "/deployments/" in e.path
    ]


def _no_quota_left(lab: Lab, _verb: str) -> None:
    in_use = lab.emu.quota(DEST_ACCOUNT, USAGE)["currentValue"]
    lab.emu.set_quota(DEST_ACCOUNT, USAGE, limit=in_use)


def _quota_back(lab: Lab) -> None:
    lab.emu.set_quota(DEST_ACCOUNT, USAGE, limit=SEEDED_LIMIT)


def _refused_before_any_write(lab: Lab, _verb: str, error: AoaiDeployError | None) -> bool:
    return isinstance(error, PreflightError) and _writes(lab) == []


def _refused_by_azure(lab: Lab, _verb: str, error: AoaiDeployError | None) -> bool:
    sent = [e for e in lab.emu.request_log if e.error_code == "InsufficientQuota"]
    return getattr(error, "code", None) == "InsufficientQuota" and len(sent) == 1


def _not_offered_in_standard(lab: Lab, _verb: str) -> None:
    lab.emu.set_model_version(DEST_ACCOUNT, "gpt-4o-mini", "2024-07-18", skus=["GlobalStandard"])


def _offered_again(lab: Lab) -> None:
    lab.emu.set_model_version(DEST_ACCOUNT, "gpt-4o-mini", "2024-07-18")


def _retiring(days: float) -> Callable[[Lab, str], None]:
    def arrange(lab: Lab, _verb: str) -> None:
        when = lab.today() + datetime.timedelta(days=days)
        lab.emu.set_model_version(
            DEST_ACCOUNT, "gpt-4o-mini", "2024-07-18", retires=when.strftime("%Y-%m-%dT%H:%M:%SZ")
        )

    return arrange


def _warned(lab: Lab, _verb: str, error: AoaiDeployError | None) -> bool:
    return error is None and any(
        "preflight: model gpt-4o-mini version 2024-07-18 retires for Standard" in line
        for line in lab.warnings
    )


PREFLIGHT_ROWS: Final[tuple[Row, ...]] = (
    Row(
        "preflight-quota-short",
        "preflight on, quota short",
        "`aoai-deploy:preflight up`; the quota of `OpenAI.Standard.gpt-4o-mini` in the account's "
        "region set to what is in use (none free, `set_quota`); the request log must show no "
        "PUT or PATCH",
        ("create", "update"),
        _no_quota_left,
        _refused_before_any_write,
        inputs=_BASE_MODEL,
        restore=_quota_back,
        config=_UP,
    ),
    Row(
        "preflight-off-quota-short",
        "quota short, preflight off",
        "the same quota with `aoai-deploy:preflight off` (the default): Azure refuses the "
        "write itself, 400 `InsufficientQuota` with its numbers",
        ("create", "update"),
        _no_quota_left,
        _refused_by_azure,
        inputs=_BASE_MODEL,
        restore=_quota_back,
    ),
    Row(
        "preflight-model-unavailable",
        "preflight on, version not offered in the SKU",
        "`aoai-deploy:preflight up`; the account's models list offers gpt-4o-mini 2024-07-18 "
        "in GlobalStandard only (`set_model_version`), the deployment asks for Standard; the "
        "request log must show no PUT",
        ("create",),
        _not_offered_in_standard,
        _refused_before_any_write,
        inputs=_BASE_MODEL,
        restore=_offered_again,
        config=_UP,
    ),
    Row(
        "preflight-retiring",
        "preflight on, version retiring in 12 days",
        "`aoai-deploy:preflight up`; the models list gives gpt-4o-mini 2024-07-18 a "
        "`deprecation.inference` 12 days ahead of the emulator's clock: the write goes ahead "
        "and the provider logs a warning with the date",
        ("create", "update"),
        _retiring(12.5),
        _warned,
        inputs=_BASE_MODEL,
        config=_UP,
        ok="ok, warned",
    ),
)

#: What each preflight cell must show (merged into ``fault_matrix.EXPECTED``).
PREFLIGHT_EXPECTED: Final[dict[str, dict[str, str]]] = {
    "preflight-quota-short": {
        "create": "fails: PreflightFailed",
        "update": "fails: PreflightFailed",
    },
    "preflight-off-quota-short": {
        "create": "fails: InsufficientQuota",
        "update": "fails: InsufficientQuota",
    },
    "preflight-model-unavailable": {"create": "fails: PreflightFailed"},
    "preflight-retiring": {"create": "ok, warned", "update": "ok, warned"},
}
