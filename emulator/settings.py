"""The emulator's behaviour switches, changeable while it runs (``emu.settings.x = ...``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from aoai_deploy.emulator.tokens import ARM_AUDIENCES

__all__ = ["ASYNC_STYLES", "Settings"]

#: How a long-running write tells the client where to poll.
ASYNC_STYLES: Final = ("azure-async-operation", "location", "none")


@dataclass
class Settings:
    """Behaviour switches; each assignment is checked, so a typo fails where it is made.

    The variants seen in real sessions are combinations of these: ``async_style="none"`` (PUT
    201 with ``Creating`` and no header: poll the resource), ``"location"`` (``Location``
    instead of ``Azure-AsyncOperation``), ``etag_key="eTag"``, ``running_status="Creating"``.
    """

    async_style: str = "azure-async-operation"
    """``azure-async-operation`` | ``location`` | ``none``: which polling header writes carry."""
    etag_key: str | None = "etag"
    """The key the etag is sent under in bodies: ``etag`` or ``eTag``; ``None`` sends no etag
    at all (the 2024-10-01 examples of the REST spec carry none)."""
    running_status: str = "InProgress"
    """``status`` of a running operation at its ``Azure-AsyncOperation`` URL."""
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
