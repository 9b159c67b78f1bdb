"""The emulator's behaviour switches, changeable while it runs (``emu.settings.x = ...``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from aoai_deploy.emulator.tokens import ARM_AUDIENCES

__all__ = ["ASYNC_STYLES", "UPDATE_HEADERS", "Settings"]

#: How a long-running write tells the client where to poll (see :class:`Settings`).
ASYNC_STYLES: Final = ("azure-async-operation", "operation-statuses", "location", "none")
#: Which header a ``PATCH`` answered 202 carries (see :attr:`Settings.update_header`).
UPDATE_HEADERS: Final = ("azure-async-operation", "location")


@dataclass
class Settings:
    """Behaviour switches; each assignment is checked, so a typo fails where it is made.

    The defaults are what Azure's recordings of this resource provider show; the other values
    are variants seen elsewhere, kept so that clients are tested against each:

    ``async_style``
        ``azure-async-operation`` (default): writes carry ``Azure-AsyncOperation`` pointing at
        ``.../locations/{l}/operationResults/{id}``, which answers the operation's ``status``:
        the only recording of a long-running write of this resource provider, an account PUT
        (Azure/azure-cli ``src/azure-cli/azure/cli/command_modules/cognitiveservices/tests/
        latest/recordings/test_cognitiveservices_crud.yaml`` and ``..._deployment.yaml``).
        ``operation-statuses``: the same header pointing at ``.../operationStatuses/{id}``, the
        form most ARM resource providers use. ``location``: ``Location`` instead (202 while it
        runs, then the result). ``none``: no header at all, as a 2021 recording of a deployment
        PUT shows (201 with ``Creating``: poll the resource); a DELETE then answers 200 once the
        deployment is gone (the same recording lists no deployment right after it).
    ``running_status``
        ``Creating`` (default; the recorded account PUT's state while it runs), ``InProgress``,
        ``Accepted``...
    ``update_header``
        What a ``PATCH`` (``Deployments_Update``) answered 202 carries: ``azure-async-operation``
        (default; the spec's own ``UpdateDeployment.json`` example) or ``location`` (the header
        the spec's 202 response declares).
    ``etag_key``
        ``etag`` (default; the spec, and the 2025 recording of a deployment) or ``eTag`` (the
        2021 recording). Either way the answer carries an ``ETag`` header, as both recordings do.
    """

    async_style: str = "azure-async-operation"
    """``azure-async-operation`` | ``operation-statuses`` | ``location`` | ``none``."""
    etag_key: str | None = "etag"
    """The key the etag is sent under in bodies: ``etag`` or ``eTag``; ``None`` sends no etag
    in the body (the 2024-10-01 examples of the REST spec carry none)."""
    running_status: str = "Creating"
    """``status`` of a running operation at its ``Azure-AsyncOperation`` URL."""
    update_header: str = "azure-async-operation"
    """``azure-async-operation`` | ``location``: the polling header of a PATCH answered 202."""
    creating_state: str = "Creating"
    """``provisioningState`` of a deployment while a PUT or PATCH runs (``Accepted`` also seen)."""
    retry_after: int | None = 1
    """``Retry-After`` seconds on 201/202 and on running polls; ``None`` sends no header."""
    provisioning_seconds: float = 0.05
    """How long a PUT or PATCH runs, on the emulator's clock."""
    deprovisioning_seconds: float = 0.05
    """How long a DELETE runs, on the emulator's clock."""
    absent_delete_status: int = 204
    """What a DELETE of a deployment that does not exist answers: ``204`` or ``404`` (ARM's
    guidelines allow both; Cognitive Services has been seen sending either)."""
    page_size: int = 10
    """Deployments per LIST page; more pages are linked by ``nextLink``."""
    audiences: tuple[str, ...] = field(default=ARM_AUDIENCES)
    """Token audiences accepted (``aud``); others get 401."""
    default_audience: str = "https://management.azure.com/"
    """The ``aud`` minted tokens carry unless told otherwise."""

    def __setattr__(self, name: str, value: Any) -> None:
        _check(name, value)
        super().__setattr__(name, value)


def _check(name: str, value: Any) -> None:
    def fail(expected: str) -> ValueError:
        return ValueError(f"Settings.{name} must be {expected}, got {value!r}")

    if name == "async_style" and value not in ASYNC_STYLES:
        raise fail(" | ".join(ASYNC_STYLES))
    if name == "update_header" and value not in UPDATE_HEADERS:
        raise fail(" | ".join(UPDATE_HEADERS))
    if name == "etag_key" and value not in ("etag", "eTag", None):
        raise fail("'etag', 'eTag' or None")
    if name == "absent_delete_status" and value not in (204, 404):
        raise fail("204 or 404")
    if name in ("running_status", "creating_state", "default_audience") and (
        not isinstance(value, str) or not value
    ):
        raise fail("a non-empty string")
    if name == "running_status" and value.lower() in ("succeeded", "failed", "canceled"):
        raise fail("a non-terminal status")
    if (
        name == "retry_after"
        and value is not None
        and (isinstance(value, bool) or not isinstance(value, int) or value < 0)
    ):
        raise fail("None or an int >= 0")
    if name in ("provisioning_seconds", "deprovisioning_seconds") and (
        isinstance(value, bool) or not isinstance(value, int | float) or value < 0
    ):
        raise fail("a number >= 0")
    if name == "page_size" and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise fail("an int >= 1")
    if name == "audiences" and (
        not isinstance(value, tuple) or not all(isinstance(v, str) for v in value)
    ):
        raise fail("a tuple of strings")
