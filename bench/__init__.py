"""Benchmarks of aoai-deploy, run as ``python -m bench`` from the repository root.

Everything goes through the engine protocol: real ``python -m pulumi.dynamic`` plugin
processes driven over gRPC (the test suite's ``engine_harness``) against the local ARM
emulator over HTTPS on loopback. Not part of pytest; prints a table, asserts no timings.
"""

from __future__ import annotations

import sys
from pathlib import Path

# The engine harness and the seed's identities are the test suite's shared helpers in
# tests/support, which is not a package (pytest puts it on sys.path). The bench drives that
# same harness instead of keeping a second copy of it, so it puts the folder on the path too.
_SUPPORT = Path(__file__).resolve().parent.parent / "tests" / "support"
if str(_SUPPORT) not in sys.path:
    sys.path.insert(0, str(_SUPPORT))
