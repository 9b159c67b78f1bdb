"""`make up` (scripts/tryout.py) when it cannot run: no CLI to be had, or a step that fails.

Its normal run, with the real CLI against the emulator, is tests/e2e/test_make_up.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "tryout.py"


def run_tryout(tmp_path: Path, path: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PATH": path,
        "AOAI_DEPLOY_CACHE": str(tmp_path / "empty-cache"),
        "PULUMI_INSTALL": "",
    }
    return subprocess.run(
        [sys.executable, str(SCRIPT)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_without_a_cli_or_go_it_says_so_and_how_to_get_one(tmp_path: Path) -> None:
    before = (REPO / "Pulumi.local.yaml").read_bytes()

    done = run_tryout(tmp_path, "/usr/bin:/bin")  # neither pulumi nor go there

    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert lines == [
        "pulumi-cli: no pulumi on PATH and no Go toolchain to build one: install the Pulumi CLI "
        "(https://www.pulumi.com/docs/iac/download-install/), or Go 1.26+, or run with "
        "PULUMI_INSTALL=1 to use Pulumi's installer",
        "make up: no Pulumi CLI could be had (scripts/pulumi-cli said why above)",
    ]
    assert "Traceback" not in done.stdout + done.stderr
    assert (REPO / "Pulumi.local.yaml").read_bytes() == before


def test_a_failing_step_stops_with_one_line_and_restores_the_stack_file(tmp_path: Path) -> None:
    # A `pulumi` that knows its version and fails everything else.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "pulumi"
    fake.write_text(
        textwrap.dedent(
            """\
            #!/bin/sh
            [ "$1" = version ] && { echo v3.274.1; exit 0; }
            echo "error: no, not today" >&2
            exit 1
            """
        )
    )
    fake.chmod(0o755)
    before = (REPO / "Pulumi.local.yaml").read_bytes()

    done = run_tryout(tmp_path, f"{bin_dir}:/usr/bin:/bin")

    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        "make up: `pulumi stack init local` failed (exit 1)"
    )
    assert (REPO / "Pulumi.local.yaml").read_bytes() == before
