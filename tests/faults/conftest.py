"""Fixtures of the fault matrix and the security checks.

- ``lab``: a :class:`~fault_lab.Lab` (emulator on a manual clock, configured provider in
  process, Pulumi's record of the stack), closed afterwards.
- ``provider_logs``: every record of the ``aoai_deploy`` loggers at DEBUG, for secret scans.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from fault_lab import Lab


@pytest.fixture
def lab() -> Iterator[Lab]:
    with Lab() as running:
        yield running


@pytest.fixture
def provider_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, logger="aoai_deploy")
    return caplog
