"""409 RequestConflict answered with ``Retry-After: 0`` must not become a hot loop.

``ArmClient.request`` takes ``Retry-After`` as the whole delay of a RequestConflict retry
(``_first(retry_after, backoff)``), with no floor, and bounds those retries by time only
(``conflict_budget``, 900 s), not by count. ``Retry-After: 0`` (or any sub-second value)
therefore re-sends the write back to back for up to 15 minutes; and ``_backoff`` is
evaluated for every retry even when ``Retry-After`` wins, so after 1024 conflicts
``2.0 ** 1024`` overflows and the operation dies with a bare ``OverflowError`` (no
operation, ARM id or ARM code; not an ``AoaiDeployError``).

Fixed: a RequestConflict retry waits at least the backoff whatever ``Retry-After`` says, and
the backoff's exponent stops growing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from aoai_deploy.providers import AoaiDeployError


def _always_busy(method: str, url: str, count: int) -> tuple[int, dict[str, str], Any]:
    return (
        409,
        {"Retry-After": "0"},
        {"error": {"code": "RequestConflict", "message": "Another operation is running."}},
    )


def test_conflict_with_zero_retry_after_backs_off_and_fails_cleanly(
    scripted: Callable[..., Any],
) -> None:
    arm = scripted(_always_busy, limit=2000)

    with pytest.raises(AoaiDeployError) as caught:
        arm.client.request(arm.call(), "PUT", arm.url(), body={"sku": {"name": "Standard"}})

    assert "RequestConflict" in str(caught.value)
    # The same budget without Retry-After takes about 100 requests (7.5-15 s apart).
    assert len(arm.session.sent) <= 200, f"{len(arm.session.sent)} PUTs in one conflict budget"
