"""`make up` as a newcomer runs it: the real CLI, in a clean checkout, leaving it clean."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from cli_harness import REPO


def checkout_copy(destination: Path) -> None:
    """The repository's files as a fresh clone has them (the working tree's versions), in a
    git repository of their own, committed."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git = ["git", "-c", "user.name=e2e", "-c", "user.email=e2e@example.invalid"]
    subprocess.run([*git, "init", "-q"], cwd=destination, check=True)
    subprocess.run([*git, "add", "-A"], cwd=destination, check=True)
    subprocess.run([*git, "commit", "-qm", "checkout"], cwd=destination, check=True)


def test_make_up_runs_the_whole_tryout_and_leaves_the_checkout_as_it_was(
    pulumi_cli: Path, tmp_path: Path
) -> None:
    checkout = tmp_path / "checkout"
    checkout_copy(checkout)
    # `make up` makes .venv before it runs the script; this one is the suite's own.
    (checkout / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    before = (checkout / "Pulumi.local.yaml").read_bytes()
    env = {**os.environ, "PATH": f"{pulumi_cli.parent}{os.pathsep}{os.environ['PATH']}"}

    done = subprocess.run(
        [sys.executable, "scripts/tryout.py"],
        cwd=checkout,
        capture_output=True,
        text=True,
        env=env,
        timeout=500,
        check=False,
    )

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    last = done.stdout.strip().splitlines()[-1]
    assert re.match(r"make up: done in \d+s with pulumi v3\.\d+\.\d+: up created", last), last
    assert "preview --diff showed sku_capacity 1 => 2 as an update" in last
    assert "destroy removed it" in last
    # The CLI's own output is shown, step by step.
    for shown in ("$ pulumi up --yes", "~ sku_capacity", "$ pulumi destroy --yes"):
        assert shown in done.stdout
    # Nothing a token could be found in: JWTs start with "eyJ".
    assert "eyJ" not in done.stdout + done.stderr
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=checkout, capture_output=True, text=True, check=True
    )
    assert status.stdout == ""  # no stray files: .pulumi/ is ignored, the stack file restored
    assert (checkout / "Pulumi.local.yaml").read_bytes() == before
    # Offline: the program imports pulumi-azure-native, whose plugin the local stack never
    # needs; none was fetched (the try-out's PULUMI_HOME is .pulumi/home).
    plugins = checkout / ".pulumi" / "home" / "plugins"
    assert not plugins.exists() or not [p for p in plugins.iterdir() if "azure-native" in p.name]
