"""Waiting for a long-running ARM write to end.

:meth:`ArmClient.write <.arm.ArmClient.write>` sends the PUT, PATCH or DELETE on the one HTTP
path (:mod:`.arm`) and hands its first answer to :func:`wait_for_operation`, which polls in the
three styles ARM uses: ``Azure-AsyncOperation``, ``Location``, or the resource's own
``provisioningState`` until it is terminal (Succeeded, Failed, Canceled, Disabled). Every poll
is a request on that same path (same host pinning, tokens and retries); the waits between
polls honour ``Retry-After``, else grow with the operation's age, and sleep on the client's
injectable clock, never past the operation's deadline. After a PUT or PATCH a final GET reads
the resource.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from aoai_deploy.providers.azure.calls import MAX_MESSAGE, ArmResponse, Call
from aoai_deploy.providers.azure.logs import redact_error
from aoai_deploy.providers.core.hints import hint_for
from aoai_deploy.providers.errors import AoaiDeployError, ArmError, OperationFailedError

if TYPE_CHECKING:
    from aoai_deploy.providers.azure.arm import ArmClient

__all__ = ["wait_for_operation"]

# Terminal provisioning states and operation statuses (DeploymentProvisioningState in the
# REST spec; Disabled is a deployment's state, never an operation's, but ends a wait as well).
_TERMINAL = {
    "succeeded": "Succeeded",
    "failed": "Failed",
    "canceled": "Canceled",
    "disabled": "Disabled",
}
_UNSUCCESSFUL = frozenset({"failed", "canceled", "disabled"})


def wait_for_operation(
    client: ArmClient, call: Call, method: str, first: ArmResponse, url: str, started: float
) -> ArmResponse | None:
    """Wait until the write that ``first`` answered ends; raise when it failed.

    Returns the resource as a GET shows it afterwards for PUT and PATCH, ``None`` for DELETE.
    """
    if method == "DELETE":
        if first.status not in (404, 204):
            _wait(client, call, first, url, started, deleting=True)
        return None
    _wait(client, call, first, url, started, deleting=False)
    final = client.request(call, "GET", url)
    state = _provisioning_state(final.body)
    if state is not None and state.lower() in _UNSUCCESSFUL:
        raise OperationFailedError(
            call.operation,
            call.resource_id,
            state,
            state,
            "the deployment's provisioningState is " + state,
        )
    return final


def _wait(
    client: ArmClient, call: Call, first: ArmResponse, url: str, started: float, *, deleting: bool
) -> None:
    async_url = first.header("Azure-AsyncOperation")
    location = first.header("Location")
    delay = client.retry_after(first)
    if async_url:
        _wait_async(client, call, async_url, delay, started)
    elif location:
        _wait_location(client, call, location, url, delay, started)
    elif deleting:
        # 202, or a 200 that some services send while the delete still runs: either way
        # the deployment is gone only once a GET says 404.
        _wait_gone(client, call, url, delay, started, look_first=first.status == 200)
    else:
        _wait_state(client, call, first, url, delay, started)


def _wait_async(
    client: ArmClient, call: Call, url: str, delay: float | None, started: float
) -> None:
    client.check_target(call, url)
    while True:
        _sleep(client, call, _poll_delay(client, delay, started))
        poll = client.request(call, "GET", url)
        body = poll.body or {}
        status = str(body.get("status", ""))
        _report(client, call, status or "InProgress", started)
        terminal = _TERMINAL.get(status.lower())
        if terminal == "Succeeded":
            return
        if terminal is not None:
            raw_error = body.get("error")
            error: dict[str, Any] = redact_error(raw_error) if isinstance(raw_error, dict) else {}
            code = str(error.get("code") or terminal)
            message = str(error.get("message") or "")[:MAX_MESSAGE]
            raise OperationFailedError(
                call.operation,
                call.resource_id,
                terminal,
                code,
                message,
                hint_for(code, call.context),
            )
        delay = client.retry_after(poll)


def _wait_location(
    client: ArmClient, call: Call, url: str, resource_url: str, delay: float | None, started: float
) -> None:
    client.check_target(call, url)
    while True:
        _sleep(client, call, _poll_delay(client, delay, started))
        try:
            poll = client.request(call, "GET", url, allow=(202,))
        except ArmError as exc:
            raise _location_failure(client, call, exc, resource_url) from None
        if poll.status != 202:
            _report(client, call, "Done", started)
            return
        _report(client, call, "InProgress", started)
        delay = client.retry_after(poll)


def _location_failure(
    client: ArmClient, call: Call, exc: ArmError, resource_url: str
) -> AoaiDeployError:
    """What an error status at a ``Location`` URL means for the operation.

    That URL answers with the operation's own result, so a client error there is the
    operation failing. A server error (still there after retries) may be the operation's
    result or the polling endpoint's trouble: the resource's own state tells which.
    Auth errors and 404 say nothing about the operation.
    """
    if exc.status in (401, 403, 404):
        return exc
    if exc.status >= 500:
        live = client.request(call, "GET", resource_url, allow=(404,))
        state = _provisioning_state(live.body) if live.status != 404 else None
        if state is None or state.lower() not in _UNSUCCESSFUL:
            return exc
    return OperationFailedError(
        call.operation, call.resource_id, "Failed", exc.code, exc.message, exc.hint
    )


def _wait_state(
    client: ArmClient, call: Call, first: ArmResponse, url: str, delay: float | None, started: float
) -> None:
    state = _provisioning_state(first.body)
    while state is None or state.lower() not in _TERMINAL:
        _sleep(client, call, _poll_delay(client, delay, started))
        poll = client.request(call, "GET", url)
        state = _provisioning_state(poll.body)
        _report(client, call, state or "unknown", started)
        delay = client.retry_after(poll)


def _wait_gone(
    client: ArmClient,
    call: Call,
    url: str,
    delay: float | None,
    started: float,
    *,
    look_first: bool,
) -> None:
    while True:
        if not look_first:
            _sleep(client, call, _poll_delay(client, delay, started))
        look_first = False
        poll = client.request(call, "GET", url, allow=(404,))
        if poll.status == 404:
            return
        state = _provisioning_state(poll.body) or "Deleting"
        if state.lower() in _UNSUCCESSFUL:
            raise OperationFailedError(
                call.operation,
                call.resource_id,
                state,
                state,
                f"the deployment is still there with provisioningState {state}",
            )
        _report(client, call, state, started)
        delay = client.retry_after(poll)


def _report(client: ArmClient, call: Call, state: str, started: float) -> None:
    elapsed = client.clock.now() - started
    client.progress(f"{call.operation} {call.resource_id}: {state} after {elapsed:.0f}s")


def _sleep(client: ArmClient, call: Call, seconds: float) -> None:
    client.check_deadline(call)
    client.clock.sleep(min(seconds, max(0.0, call.deadline - client.clock.now())))
    client.check_deadline(call)


def _poll_delay(client: ArmClient, delay: float | None, started: float) -> float:
    if delay is not None:
        return max(client.policy.min_poll_interval, delay)
    # No Retry-After: look soon, then wait about as long as the operation has run so far
    # (roughly doubling), up to the default interval.
    elapsed = client.clock.now() - started
    policy = client.policy
    return min(policy.default_poll_interval, max(policy.first_poll_interval, elapsed))


def _provisioning_state(body: Mapping[str, Any] | None) -> str | None:
    if not body:
        return None
    props = body.get("properties")
    if not isinstance(props, dict):
        return None
    for key, value in props.items():
        if key.lower() == "provisioningstate" and isinstance(value, str):
            return value
    return None
