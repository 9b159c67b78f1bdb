"""`make fleet` as a newcomer runs it: the example fleet (12 customers in 3 rings) with the real
CLI, in a clean checkout, leaving it clean."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_make_up import checkout_copy


@pytest.mark.timeout(900)
def test_make_fleet_runs_the_example_fleet_end_to_end_and_leaves_the_checkout_as_it_was(
    pulumi_cli: Path, tmp_path: Path
) -> None:
    checkout = tmp_path / "checkout"
    checkout_copy(checkout)
    # `make fleet` makes .venv before it runs the script; this one is the suite's own.
    (checkout / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    env = {**os.environ, "PATH": f"{pulumi_cli.parent}{os.pathsep}{os.environ['PATH']}"}

    done = subprocess.run(
        [sys.executable, "scripts/fleet_tryout.py"],
        cwd=checkout,
        capture_output=True,
        text=True,
        env=env,
        timeout=880,
        check=False,
    )

    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-3000:]
    last = done.stdout.strip().splitlines()[-1]
    assert re.match(r"make fleet: done in \d+s with the real pulumi CLI: 12 customers", last), last
    for proven in (
        "preview sent no request",
        "failed hooli alone with AuthorizationFailed",
        "--only-failed finished hooli",
        "a re-run wrote nothing",
        "destroy removed everything",
    ):
        assert proven in last
    # The rings in order, and the failed customer's line with Azure's code.
    out = done.stdout
    assert out.index("canary: 2 customers") < out.index("ring 1: 5 customers")
    assert re.search(
        r"hooli \(ring 1\): failed in [\d.]+s, not finished: updating .*AuthorizationFailed", out
    )
    assert "eyJ" not in out + done.stderr  # no token: JWTs start with eyJ
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=checkout, capture_output=True, text=True, check=True
    )
    assert status.stdout == ""
