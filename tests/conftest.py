"""Fixtures shared by every test folder: the local ARM emulator and a manual clock.

- ``emulator``: a fresh :class:`~aoai_deploy.emulator.Emulator` (default seed, port 0) per
  test, stopped afterwards. Teardown fails the test if the emulator hit an internal error.
- ``manual_clock``: a :class:`~aoai_deploy.emulator.ManualClock` to share with the client
  under test (its clock and its sleep).
- ``clocked_emulator``: like ``emulator``, but running on ``manual_clock``: long-running
  operations finish only when the test (or the client's sleep) advances that clock.

Clients must pass ``verify=emulator.ca_path`` on each request (``REQUESTS_CA_BUNDLE`` is set
on these machines and makes ``requests`` ignore ``Session.verify``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from aoai_deploy.emulator import Emulator, ManualClock


def _run(emu: Emulator) -> Iterator[Emulator]:
    emu.start()
    try:
        yield emu
    finally:
        emu.stop()
    assert emu.internal_errors == [], "the emulator failed on a request:\n" + "\n".join(
        emu.internal_errors
    )


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """A running emulator with the default seed, on the real (monotonic) clock."""
    yield from _run(Emulator())


@pytest.fixture
def manual_clock() -> ManualClock:
    """A clock that moves only when advanced (or slept on)."""
    return ManualClock()


@pytest.fixture
def clocked_emulator(manual_clock: ManualClock) -> Iterator[Emulator]:
    """A running emulator with the default seed whose time is ``manual_clock``."""
    yield from _run(Emulator(clock=manual_clock))
