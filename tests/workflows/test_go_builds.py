"""The two Go builds (.ci/actionlint, scripts/pulumi-cli) keep the module checks on whatever
`go env -w` wrote.

`go env -w` stores settings in a file ($GOENV) that go reads for every setting the process
environment leaves unset or empty, so ``env -u GONOSUMDB`` alone lets a stored
``GONOSUMDB=*`` through. Each build runs here with ``GOENV`` pointing at a hostile file, a
hostile environment besides, and a fake ``go`` first on PATH that records the environment it
was given (and makes stand-in binaries, so no build runs). Then the real Go toolchain reads
each recorded environment with ``go env``: what it resolves is what a real build would use.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from workflow_rules import REPO

REAL_GO = shutil.which("go")
needs_go = pytest.mark.skipif(REAL_GO is None, reason="no Go toolchain to read the settings")

#: What `go env -w` could have written: checks off, modules exempted, another proxy, and
#: GOFLAGS that swap source files at build time.
HOSTILE_GOENV = {
    "GOSUMDB": "off",
    "GONOSUMDB": "*",
    "GONOSUMCHECK": "1",
    "GOPRIVATE": "*",
    "GOINSECURE": "*",
    "GONOPROXY": "*",
    "GOPROXY": "http://127.0.0.1:9/evil",
    "GOFLAGS": "-overlay=/tmp/evil-overlay.json",
}
#: The same again in the environment, except GONOSUMDB: left for the GOENV file alone.
HOSTILE_ENV = {k: v for k, v in HOSTILE_GOENV.items() if k != "GONOSUMDB"}
SETTINGS = ["GOSUMDB", "GONOSUMDB", "GOPRIVATE", "GOINSECURE", "GONOPROXY", "GOPROXY", "GOFLAGS"]

FAKE_GO = r"""#!/usr/bin/env bash
# Records its environment, then stands in for the few go commands the scripts run.
set -euo pipefail
n=$(ls "$RECORDS" | wc -l)
env -0 > "$RECORDS/$n.env"
case "$1" in
    install) mkdir -p "$GOBIN"
             printf '#!/bin/sh\necho fake actionlint "$@"\n' > "$GOBIN/actionlint"
             chmod +x "$GOBIN/actionlint" ;;
    build) out=""; while [ $# -gt 0 ]; do [ "$1" = -o ] && out=$2; shift; done
           mkdir -p "$(dirname "$out")"
           printf "#!/bin/sh\\necho %s\\n" "$FAKE_VERSION" > "$out"; chmod +x "$out" ;;
    mod) printf '{\n\t"Dir": "%s",\n}\n' "$FAKE_SDK" ;;
esac
"""


def _versions() -> dict[str, str]:
    text = (REPO / "scripts" / "pulumi-versions.env").read_text()
    return dict(
        line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#")
    )


@pytest.fixture
def hostile(tmp_path: Path) -> dict[str, str]:
    """The environment to run a script in: the hostile GOENV file and variables, a fresh
    cache, and the fake go first on PATH."""
    goenv = tmp_path / "goenv"
    goenv.write_text("".join(f"{k}={v}\n" for k, v in HOSTILE_GOENV.items()))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "go").write_text(FAKE_GO)
    (bin_dir / "go").chmod(0o755)
    sdk = tmp_path / "sdk"
    for script in (
        "python/dist/pulumi-resource-pulumi-python",
        "python/cmd/pulumi-language-python-exec",
    ):
        (sdk / script).parent.mkdir(parents=True, exist_ok=True)
        (sdk / script).write_text("#!/bin/sh\n")
    records = tmp_path / "records"
    records.mkdir()
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GO", "AOAI_DEPLOY"))}
    return {
        **base,
        **HOSTILE_ENV,
        "GOENV": str(goenv),
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "RECORDS": str(records),
        "FAKE_SDK": str(sdk),
        "FAKE_VERSION": _versions()["PULUMI_CLI_VERSION"],
        "AOAI_DEPLOY_CACHE": str(tmp_path / "cache"),
        "AOAI_DEPLOY_IGNORE_PATH_PULUMI": "1",
    }


def _recorded(env: dict[str, str]) -> list[dict[str, str]]:
    records = sorted(Path(env["RECORDS"]).iterdir(), key=lambda p: int(p.stem))
    found = []
    for record in records:
        pairs = [e.split("=", 1) for e in record.read_text().split("\0") if "=" in e]
        found.append(dict(pairs))
    assert found, "the fake go was never run"
    return found


def _resolved(environment: dict[str, str]) -> dict[str, str]:
    """What the real go resolves in ``environment`` (its own PATH aside)."""
    assert REAL_GO is not None
    done = subprocess.run(
        [REAL_GO, "env", "-json", *SETTINGS],
        env={**environment, "PATH": f"{Path(REAL_GO).parent}:/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    settings: dict[str, str] = json.loads(done.stdout)
    return settings


def _checked(flags: str) -> dict[str, str]:
    return {
        "GOSUMDB": "sum.golang.org",
        "GONOSUMDB": "",
        "GOPRIVATE": "",
        "GOINSECURE": "",
        "GONOPROXY": "",
        "GOPROXY": "https://proxy.golang.org",
        "GOFLAGS": flags,
    }


BUILDS = {
    ".ci/actionlint": (["bash", ".ci/actionlint", "-version"], "-buildvcs=false"),
    "scripts/pulumi-cli": (["bash", "scripts/pulumi-cli"], "-mod=mod -buildvcs=false"),
}


@needs_go
@pytest.mark.parametrize("build", BUILDS)
def test_a_hostile_go_env_file_and_environment_do_not_reach_the_build(
    build: str, hostile: dict[str, str]
) -> None:
    command, flags = BUILDS[build]
    done = subprocess.run(
        command, cwd=REPO, env=hostile, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr

    for recorded in _recorded(hostile):
        assert recorded["GOENV"] == "off"
        assert not {"GONOSUMDB", "GONOSUMCHECK", "GOPRIVATE", "GOINSECURE"} & set(recorded)
        assert _resolved(recorded) == _checked(flags)


@needs_go
def test_the_hostile_file_reaches_go_when_only_the_environment_is_cleaned(
    hostile: dict[str, str],
) -> None:
    # What the scripts did before: unset the exemptions, set GOSUMDB, and leave GOENV alone.
    cleaned = {k: v for k, v in hostile.items() if k not in HOSTILE_ENV}
    resolved = _resolved({**cleaned, "GOSUMDB": "sum.golang.org"})

    assert resolved["GONOSUMDB"] == "*"  # every module exempt from the checksum database
    assert resolved["GOFLAGS"] == HOSTILE_GOENV["GOFLAGS"]
    assert resolved["GOPROXY"] == HOSTILE_GOENV["GOPROXY"]


def test_a_company_mirror_is_a_variable_of_this_project_and_keeps_the_checks(
    hostile: dict[str, str],
) -> None:
    env = {**hostile, "AOAI_DEPLOY_GOPROXY": "https://goproxy.example.test"}
    subprocess.run(
        ["bash", ".ci/actionlint", "-version"], cwd=REPO, env=env, check=True, capture_output=True
    )
    (recorded,) = _recorded(env)
    assert recorded["GOPROXY"] == "https://goproxy.example.test"
    assert recorded["GOSUMDB"] == "sum.golang.org"
