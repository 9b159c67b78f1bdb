"""What every route handler shares: :class:`Arm` (the world, the fault book, the base URL, and
the checks ARM applies to more than one resource), and ARM's case-insensitive reading of JSON."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aoai_deploy.emulator.apiversions import row
from aoai_deploy.emulator.armerrors import ArmError
from aoai_deploy.emulator.auth import Caller
from aoai_deploy.emulator.exchange import MAX_BODY_BYTES, Request, Response, Route
from aoai_deploy.emulator.faults import FaultBook
from aoai_deploy.emulator.quota import shortfall
from aoai_deploy.emulator.settings import Settings
from aoai_deploy.emulator.state import Account, Deployment, Operation, World

__all__ = ["Arm", "Failure", "canonical", "member", "same"]


def member(obj: Mapping[str, Any], key: str, default: Any = None) -> Any:
    """A JSON member by case-insensitive name (ARM deserializes case-insensitively)."""
    if key in obj:
        return obj[key]
    for name, value in obj.items():
        if name.lower() == key.lower():
            return value
    return default


def canonical(value: str, known: tuple[str, ...]) -> str | None:
    for item in known:
        if item.lower() == value.lower():
            return item
    return None


def same(a: Any, b: Any) -> bool:
    """Case-insensitive equality of optional strings (absent and empty are the same)."""
    return str(a or "").lower() == str(b or "").lower()


@dataclass(frozen=True)
class Failure:
    """How an injected ``failed-provisioning`` fault makes a write end (no error: it succeeds)."""

    error: dict[str, str] | None = None
    status: int = 400
    outcome: str = "Failed"


class Arm:
    """The state the route handlers share, and ARM's checks common to its resources.

    Handlers run under the world's lock (the dispatcher holds it).
    """

    def __init__(self, world: World, faults: FaultBook, base_url: Callable[[], str]) -> None:
        self.world = world
        self.faults = faults
        self.base_url = base_url

    def authorize(self, caller: Caller, action: str, scope: str, route: Route, method: str) -> None:
        window = self.faults.propagation_window(route.name, method)
        oid = caller.token.object_id
        if not self.world.permitted(oid, action, scope, window):
            raise ArmError.authorization_failed(caller.token.client, oid or "", action, scope)

    def parent(self, route: Route) -> Account:
        assert route.resource_group is not None
        assert route.account is not None
        if not self.world.has_resource_group(route.subscription, route.resource_group):
            raise ArmError.resource_group_not_found(route.resource_group)
        account = self.world.account(route.subscription, route.resource_group, route.account)
        if account is None:
            raise ArmError.parent_not_found(route.account)
        return account

    @staticmethod
    def read_json(request: Request) -> Any:
        if len(request.body) > MAX_BODY_BYTES:
            raise ArmError.body_too_large()
        if not request.body.strip():
            raise ArmError.invalid_content("The request content is empty.")
        try:
            return json.loads(request.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ArmError.invalid_content(str(exc)) from None

    @staticmethod
    def preconditions(request: Request, existing: Deployment | None) -> None:
        if_match = request.headers.get("if-match")
        if if_match is not None:
            wanted = if_match.strip()
            if existing is None or (wanted != "*" and wanted.removeprefix("W/") != existing.etag):
                raise ArmError.precondition_failed("If-Match", wanted)
        if_none_match = request.headers.get("if-none-match")
        if if_none_match is not None and if_none_match.strip() == "*" and existing is not None:
            raise ArmError.precondition_failed("If-None-Match", "*")

    def check_conflict(self, account: Account) -> None:
        if self.world.running_operation(account.key) is not None:
            self.world.conflicts += 1
            raise ArmError.conflict(account.id)

    def operation_url(self, op: Operation, kind: str) -> str:
        return (
            f"{self.base_url()}/subscriptions/{op.subscription_id}/providers/Microsoft.CognitiveServices"
            f"/locations/{op.location}/{kind}/{op.id}?api-version={op.api_version}"
        )

    def async_headers(self, op: Operation, settings: Settings) -> dict[str, str]:
        """The polling header of a long-running write in the configured style (and marks how
        the operation's URL answers)."""
        if settings.async_style == "none":
            return {}
        return self.polling_header(op, settings, settings.async_style)

    def polling_header(self, op: Operation, settings: Settings, style: str) -> dict[str, str]:
        if style == "location":
            op.handed_as = "result"
            headers = {"Location": self.operation_url(op, "operationResults")}
        else:
            op.handed_as = "status"
            # The recorded account PUT points Azure-AsyncOperation at operationResults; most
            # other resource providers (and the emulator before) at operationStatuses.
            kind = "operationStatuses" if style == "operation-statuses" else "operationResults"
            headers = {"Azure-AsyncOperation": self.operation_url(op, kind)}
        if settings.retry_after is not None:
            headers["Retry-After"] = str(settings.retry_after)
        return headers

    def deployment_answer(
        self,
        status: int,
        deployment: Deployment,
        settings: Settings,
        api_version: str,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """A deployment as ``api_version`` serializes it, with its ``ETag`` header (the az CLI
        recordings of deployment PUT and GET carry one, as the body carries the etag)."""
        body = self.world.render(deployment, settings.etag_key, row(api_version))
        return Response(status, body, {"ETag": deployment.etag, **(headers or {})})

    def failure(self, method: str) -> Failure:
        fault = self.faults.take(frozenset({"failed-provisioning"}), "deployment", method)
        if fault is None:
            return Failure()
        if fault.outcome == "Canceled":
            # Worded by the emulator: no recorded Azure answer for a canceled deployment write.
            code, message = "OperationCanceled", "The operation was canceled."
        else:
            code, message = (
                "InternalServerError",
                "The deployment operation failed because of an internal error.",
            )
        error = {"code": fault.code or code, "message": fault.message or message}
        return Failure(error, fault.status or 400, fault.outcome)

    def check_quota(
        self,
        method: str,
        account: Account,
        usage: str,
        model: str,
        capacity: int,
        existing: Deployment | None,
    ) -> None:
        """Refuse a write that needs more of ``usage`` than is free (:mod:`..quota`), or that
        an injected ``insufficient-quota`` fault hits whatever the numbers."""
        fault = self.faults.take(frozenset({"insufficient-quota"}), "deployment", method)
        if fault is not None:
            raise ArmError.insufficient_quota(
                model, capacity, message=fault.message, code=fault.code
            )
        short = shortfall(self.world, account, usage, capacity, existing)
        if short is not None:
            raise ArmError.insufficient_quota(
                model, short.needed, short.available, short.used, short.limit
            )
