"""The fleet as `pip install aoai-deploy` gives it: the wheel in a fresh environment (the
default install, no checkout on any path), its `aoai-deploy` command running a small fleet
with the real CLI against the emulator (`make release-check` runs this on the wheel in dist/).
The stacks' program, the schema and the dynamic provider all come from the wheel."""

from __future__ import annotations

import pytest
from test_fleet import RINGS, small_fleet

from packaging_env import FreshVenv

pytestmark = [pytest.mark.release, pytest.mark.timeout(900)]


def test_the_wheels_fleet_command_deploys_and_destroys_with_its_own_program(
    release_venv: FreshVenv, fleet_cli
) -> None:
    run = fleet_cli(small_fleet(RINGS[:2]))
    run.command = release_venv.root / "bin" / "aoai-deploy"
    schema = list(release_venv.site_packages.glob("aoai_deploy/fleet/fleet.schema.json"))
    assert len(schema) == 1

    out = run("up")
    assert "up: 2 succeeded, 0 failed, 0 not started" in out
    assert [run.capacity(key) for key in ("acme", "globex")] == [1, 1]
    run("destroy", "--yes")
    assert [run.capacity(key) for key in ("acme", "globex")] == [None, None]
    assert run.leaked() == []
