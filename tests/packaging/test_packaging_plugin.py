"""The ``aoai-deploy`` package's plugin from the installed wheel: the command
``pulumi-resource-aoai-deploy`` that the wheel puts on the environment's PATH, which is how a
Pulumi CLI finds the plugin when no project names a plugin folder (tests/e2e/
test_package_wheel.py has the real CLI find it)."""

from __future__ import annotations

import json
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from google.protobuf import empty_pb2
from pulumi.runtime import proto
from pulumi.runtime.proto import provider_pb2_grpc

import aoai_deploy
from packaging_env import FreshVenv, clean_env, fresh_venv

pytestmark = pytest.mark.slow

COMMAND = "pulumi-resource-aoai-deploy"


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> FreshVenv:
    """A fresh environment outside the repository with the wheel installed."""
    workdir = tmp_path_factory.mktemp("plugin-venv")
    venv = fresh_venv(workdir / "venv")
    venv.pip("install", "--no-deps", "--no-index", str(wheel), cwd=workdir)
    return venv


@pytest.fixture
def served(
    installed: FreshVenv, tmp_path: Path
) -> Iterator[provider_pb2_grpc.ResourceProviderStub]:
    """The installed command, started as the engine starts a plugin (its address as the
    argument; the plugin prints the port it serves on)."""
    process = subprocess.Popen(
        [str(installed.root / "bin" / COMMAND), "127.0.0.1:1"],
        cwd=tmp_path,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        port = process.stdout.readline().strip()
        assert port.isdigit(), f"the plugin printed {port!r} instead of its port"
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            grpc.channel_ready_future(channel).result(timeout=60)
            yield provider_pb2_grpc.ResourceProviderStub(channel)
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()


def test_wheel_ships_the_plugin_and_its_command(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        scripts = archive.read(entry_points).decode()
    for module in ("__init__", "__main__", "serve", "package_schema", "component", "typeinfo"):
        assert f"aoai_deploy/plugin/{module}.py" in names
    assert f"{COMMAND} = aoai_deploy.plugin.__main__:main" in scripts


def test_installed_command_serves_the_schema_and_its_version(
    served: provider_pb2_grpc.ResourceProviderStub,
) -> None:
    info = served.GetPluginInfo(empty_pb2.Empty())
    schema = json.loads(served.GetSchema(proto.GetSchemaRequest(version=0)).schema)

    assert info.version == schema["version"] == aoai_deploy.__version__
    assert set(schema["resources"]) == {
        "aoai-deploy:index:CrossTenantDeployment",
        "aoai-deploy:index:FineTunedModelDeployment",
    }
    assert all(r["description"] for r in schema["resources"].values())
