"""scripts/install-pulumi: the workflows run only a Pulumi CLI and an azure-native plugin
whose SHA-256 is pinned in the repository.

The script runs from a copy beside a pins file of the test's, with a fake ``curl`` first on
PATH that serves a fake CLI archive (its ``pulumi`` records how it was called), so nothing
is downloaded. The real pins file is checked for what can be checked without a download.
"""

from __future__ import annotations

import hashlib
import io
import platform
import re
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_requirements_lock import read_lock
from workflow_rules import REPO

VERSIONS = REPO / "scripts" / "pulumi-versions.env"
#: The pins are for GitHub's ubuntu runners; the script refuses any other platform first.
on_linux_x64 = pytest.mark.skipif(
    (platform.system(), platform.machine()) != ("Linux", "x86_64"),
    reason="scripts/install-pulumi serves Linux x86_64 only",
)
PLUGIN_SHA = "ab" * 32

FAKE_CURL = r"""#!/usr/bin/env bash
# Serves $SERVED/<file name> for any URL; records the URLs asked for.
set -euo pipefail
out=""; url=""
while [ $# -gt 0 ]; do
    case "$1" in --output|-o) out=$2; shift ;; https://*) url=$1 ;; esac; shift
done
echo "$url" >> "$RECORDS/urls"
cp "$SERVED/$(basename "$url")" "$out"
"""
FAKE_PULUMI = '#!/bin/sh\necho "$*" >> "$RECORDS/pulumi"\n'


def pins() -> dict[str, str]:
    return dict(re.findall(r"^([A-Z0-9_]+)=(.*)$", VERSIONS.read_text(), flags=re.MULTILINE))


def _archive(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o755
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@dataclass
class Setup:
    root: Path
    env: dict[str, str]
    archive_sha: str

    def run(self, cli_sha: str, plugin_version: str = "3.29.0", python: str = "") -> str | None:
        """Run the script with these pins; its stderr if it failed, else None."""
        pinned = VERSIONS.read_text()
        pinned = re.sub(
            r"(?m)^PULUMI_CLI_SHA256_LINUX_X64=.*$",
            f"PULUMI_CLI_SHA256_LINUX_X64={cli_sha}",
            pinned,
        )
        pinned = re.sub(
            r"(?m)^AZURE_NATIVE_PLUGIN_VERSION=.*$",
            f"AZURE_NATIVE_PLUGIN_VERSION={plugin_version}",
            pinned,
        )
        pinned = re.sub(
            r"(?m)^AZURE_NATIVE_PLUGIN_SHA256_LINUX_AMD64=.*$",
            f"AZURE_NATIVE_PLUGIN_SHA256_LINUX_AMD64={PLUGIN_SHA}",
            pinned,
        )
        (self.root / "scripts" / "pulumi-versions.env").write_text(pinned)
        done = subprocess.run(
            ["bash", "scripts/install-pulumi", str(self.root / "out"), python or self.fake_python],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return None if done.returncode == 0 else done.stderr

    @property
    def fake_python(self) -> str:
        return str(self.root / "bin" / "python-with-azure-native-3.29.0")

    def recorded(self, name: str) -> list[str]:
        path = self.root / "records" / name
        return path.read_text().splitlines() if path.exists() else []


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    (tmp_path / "scripts").mkdir()
    shutil.copy(REPO / "scripts" / "install-pulumi", tmp_path / "scripts")
    for name in ("bin", "records", "served"):
        (tmp_path / name).mkdir()
    (tmp_path / "bin" / "curl").write_text(FAKE_CURL)
    (tmp_path / "bin" / "python-with-azure-native-3.29.0").write_text("#!/bin/sh\necho 3.29.0\n")
    for tool in (tmp_path / "bin").iterdir():
        tool.chmod(0o755)
    archive = _archive({"pulumi/pulumi": FAKE_PULUMI})
    version = pins()["PULUMI_CLI_VERSION"]
    (tmp_path / "served" / f"pulumi-{version}-linux-x64.tar.gz").write_bytes(archive)
    env = {
        "PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "RECORDS": str(tmp_path / "records"),
        "SERVED": str(tmp_path / "served"),
        "GITHUB_PATH": str(tmp_path / "records" / "github_path"),
    }
    return Setup(tmp_path, env, hashlib.sha256(archive).hexdigest())


@on_linux_x64
def test_the_cli_and_the_plugin_install_when_their_hashes_match_the_pins(setup: Setup) -> None:
    assert setup.run(setup.archive_sha) is None

    (url,) = setup.recorded("urls")
    assert (
        url
        == f"https://get.pulumi.com/releases/sdk/pulumi-{pins()['PULUMI_CLI_VERSION']}-linux-x64.tar.gz"
    )
    assert setup.recorded("pulumi") == [
        "plugin install resource azure-native 3.29.0 --exact"
        f" --checksum {PLUGIN_SHA} --non-interactive"
    ]
    assert setup.recorded("github_path") == [str(setup.root / "out" / "pulumi")]


@on_linux_x64
def test_an_archive_that_differs_from_the_pin_is_refused_before_it_is_unpacked(
    setup: Setup,
) -> None:
    error = setup.run("0" * 64)

    assert error is not None
    assert f"SHA-256 {setup.archive_sha}, not the pinned {'0' * 64}" in error
    assert not (setup.root / "out").exists()
    assert setup.recorded("pulumi") == []
    assert setup.recorded("github_path") == []


@on_linux_x64
@pytest.mark.parametrize("pin", ["", "not-a-hash", "AB" * 32])
def test_an_empty_or_malformed_pin_stops_before_any_download(setup: Setup, pin: str) -> None:
    error = setup.run(pin)

    assert error is not None
    assert "PULUMI_CLI_SHA256_LINUX_X64" in error
    assert setup.recorded("urls") == []


@on_linux_x64
def test_a_plugin_version_other_than_the_pinned_one_is_refused(setup: Setup) -> None:
    error = setup.run(setup.archive_sha, plugin_version="3.30.0")

    assert error is not None
    assert "asks for plugin 3.29.0" in error
    assert "pins 3.30.0" in error
    assert setup.recorded("urls") == []
    assert setup.recorded("pulumi") == []


@on_linux_x64
def test_the_plugin_version_is_read_from_the_installed_pulumi_azure_native(
    setup: Setup,
) -> None:
    lock = read_lock(REPO / "requirements" / "runtime.txt")
    installed = str(lock["pulumi-azure-native"].version)

    assert setup.run(setup.archive_sha, plugin_version=installed, python=sys.executable) is None
    assert f"resource azure-native {installed} --exact" in setup.recorded("pulumi")[0]


# -- the real pins ------------------------------------------------------------------------------


def test_the_pinned_plugin_version_is_the_pulumi_azure_native_of_the_runtime_lock() -> None:
    lock = read_lock(REPO / "requirements" / "runtime.txt")
    assert pins()["AZURE_NATIVE_PLUGIN_VERSION"] == str(lock["pulumi-azure-native"].version)


@pytest.mark.parametrize(
    "name", ["PULUMI_CLI_SHA256_LINUX_X64", "AZURE_NATIVE_PLUGIN_SHA256_LINUX_AMD64"]
)
def test_each_pin_is_a_sha256_or_empty_and_an_empty_one_says_so(name: str) -> None:
    # Empty = not pinned yet (nothing here can reach Pulumi's downloads): the install step
    # then stops (tested above), and the file says so above the line.
    value = pins()[name]
    assert re.fullmatch(r"[0-9a-f]{64}|", value)
    if not value:
        text = VERSIONS.read_text()
        assert "NOT PINNED YET" in text.split(f"\n{name}=")[0].rsplit("\n\n", 1)[-1]
