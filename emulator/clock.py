"""A clock that only moves when told to, for tests that share time between emulator and client.

The emulator reads time through a plain ``Callable[[], float]``. Passing one
:class:`ManualClock` to both the emulator and the client under test (as its clock and its
``sleep``) lets a test walk a long-running operation from ``Creating`` to ``Succeeded`` without
waiting on the wall clock: every ``sleep`` the client makes advances the shared time at once.
"""

from __future__ import annotations

import threading
import time

__all__ = ["ManualClock"]


class ManualClock:
    """Thread-safe manual time in seconds; callable, so it can be passed as ``clock=``.

    It starts at the current wall time (whole seconds) unless told otherwise, so that token
    ``exp`` claims minted against it look like ordinary epoch timestamps.
    """

    def __init__(self, start: float | None = None) -> None:
        self._now = float(int(time.time())) if start is None else float(start)
        self._lock = threading.Lock()

    def now(self) -> float:
        """The current manual time."""
        with self._lock:
            return self._now

    def __call__(self) -> float:
        return self.now()

    def sleep(self, seconds: float) -> None:
        """Advance the time by ``seconds`` and return at once (the client's injected sleep)."""
        self.advance(seconds)

    def advance(self, seconds: float) -> float:
        """Advance the time by ``seconds`` (never backwards) and return the new time."""
        if seconds < 0:
            raise ValueError(f"cannot move a clock backwards (got {seconds} seconds)")
        with self._lock:
            self._now += seconds
            return self._now

    def __repr__(self) -> str:
        return f"ManualClock(now={self.now()!r})"
