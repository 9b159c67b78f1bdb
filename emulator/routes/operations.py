"""The URLs a long-running deployment write hands out, polled until it ends.

``.../locations/{l}/operationResults/{id}``
    Handed out as ``Azure-AsyncOperation`` (the default style, as Azure's recording of an
    account PUT shows): 200 with the operation's ``status`` (``error`` once it failed),
    ``Retry-After`` while it runs. Handed out as ``Location``: 202 with ``Location`` while it
    runs; then the operation's result: its error with the failure status, 204 after a delete,
    else 200 with the deployment. Each operation remembers which of the two it was handed out
    as (:attr:`~aoai_deploy.emulator.state.Operation.handed_as`).
``.../locations/{l}/operationStatuses/{id}``
    The ``operation-statuses`` style's ``Azure-AsyncOperation``: the operation's status, as
    above.

An id from another subscription is not found (404).
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from aoai_deploy.emulator.armerrors import ArmError, arm_time
from aoai_deploy.emulator.exchange import Context, Response, Route
from aoai_deploy.emulator.routes.common import Arm
from aoai_deploy.emulator.settings import Settings
from aoai_deploy.emulator.state import Operation

__all__ = ["operation_result", "operation_status"]


def _find_operation(arm: Arm, route: Route, ctx: Context) -> Operation:
    assert route.operation is not None
    op = arm.world.operations.get(route.operation.lower())
    if op is None or op.subscription_id != route.subscription.lower():
        raise ArmError.not_found(route.operation)
    ctx.account = op.account_id
    arm.world.settle()
    return op


def operation_status(arm: Arm, route: Route, settings: Settings, ctx: Context) -> Response:
    return _status(arm, _find_operation(arm, route, ctx), settings, "operationStatuses")


def _status(arm: Arm, op: Operation, settings: Settings, kind: str) -> Response:
    # The recorded status body: {id, name, status, startTime, endTime}.
    body: dict[str, Any] = {
        "id": urllib.parse.urlsplit(arm.operation_url(op, kind)).path,
        "name": op.id,
        "status": op.status(settings.running_status),
        "startTime": arm_time(op.started_wall),
    }
    headers: dict[str, str] = {}
    if op.applied:
        body["endTime"] = arm_time(op.ends_wall)
        if op.error is not None:
            body["error"] = dict(op.error)
    elif settings.retry_after is not None:
        headers["Retry-After"] = str(settings.retry_after)
    return Response(200, body, headers)


def operation_result(arm: Arm, route: Route, settings: Settings, ctx: Context) -> Response:
    op = _find_operation(arm, route, ctx)
    if op.handed_as == "status":
        return _status(arm, op, settings, "operationResults")
    if not op.applied:
        headers = {"Location": arm.operation_url(op, "operationResults")}
        if settings.retry_after is not None:
            headers["Retry-After"] = str(settings.retry_after)
        return Response(202, None, headers)
    if op.error is not None:
        return Response(op.fail_status, {"error": dict(op.error)})
    if op.kind == "delete":
        return Response(204)
    found = arm.world.deployment(op.account_key, op.deployment_name)
    if found is None:
        return Response(204)
    return arm.deployment_answer(200, found, settings, op.api_version)
