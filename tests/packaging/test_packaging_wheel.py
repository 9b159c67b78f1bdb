"""The wheel: built from the repository, installed into a fresh virtual environment outside
it, and imported there as ``aoai_deploy.providers`` and ``aoai_deploy.components``.

What ``pip install git+<repo>`` gives another project, checked without the network: the fresh
environment sees this test environment's site-packages (pulumi, pulumi-azure-native) through
a ``.pth`` file, but not its editable install of this repository, as a test here proves.
"""

from __future__ import annotations

import email
import re
import zipfile
from email.message import Message
from pathlib import Path

import pytest

from packaging_env import IMPORT_PROBE, REPO, fresh_venv

pytestmark = pytest.mark.slow

PACKAGES = ("aoai_deploy/providers", "aoai_deploy/components", "aoai_deploy/emulator")


def _metadata(wheel: Path) -> Message:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return email.message_from_bytes(archive.read(name))


def test_wheel_holds_only_the_aoai_deploy_import_root(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()

    top_level = {name.split("/")[0] for name in names}
    (dist_info,) = top_level - {"aoai_deploy"}
    assert re.fullmatch(r"aoai_deploy-[^-]+\.dist-info", dist_info)
    # Typed packages, and the emulator's default seed, travel with the code.
    for package in PACKAGES:
        assert f"{package}/__init__.py" in names
        assert f"{package}/py.typed" in names
    assert "aoai_deploy/emulator/seed.json" in names
    # Nothing of a checkout's working files: no tests, no certificate or key the emulator made,
    # no Pulumi state, no caches.
    for name in names:
        assert not name.endswith((".pem", ".key", ".crt", ".pyc")), name
        assert not any(part in name.split("/") for part in ("tests", ".pulumi", ".emulator")), name


def test_wheel_metadata_names_the_runtime_dependencies(wheel):
    metadata = _metadata(wheel)

    assert metadata["Name"] == "aoai-deploy"
    assert metadata["Requires-Python"] == ">=3.11"
    requires = metadata.get_all("Requires-Dist") or []
    required = {re.match(r"[\w.-]+", r)[0] for r in requires if "extra ==" not in r}
    assert {"pulumi", "azure-identity"} <= required
    # Only with the extra (pip install "aoai-deploy[azure-native]").
    assert "pulumi-azure-native" not in required
    assert "azure-native" in (metadata.get_all("Provides-Extra") or [])
    assert any(
        r.startswith("pulumi-azure-native") and 'extra == "azure-native"' in r for r in requires
    ), requires


def test_fresh_venv_does_not_see_the_repositorys_editable_install(tmp_path):
    venv = fresh_venv(tmp_path / "venv")

    probe = venv.probe(IMPORT_PROBE, cwd=tmp_path)

    # The outer site-packages is on sys.path, but its editable-install .pth file is not run.
    assert probe["editable_finders"] == []
    assert all(found.startswith("ImportError") for found in probe["modules"].values()), probe


def test_installed_wheel_imports_from_the_fresh_venv_outside_the_repository(wheel, tmp_path):
    venv = fresh_venv(tmp_path / "venv")
    venv.pip("install", "--no-deps", "--no-index", str(wheel), cwd=tmp_path)

    probe = venv.probe(IMPORT_PROBE, cwd=tmp_path)

    assert probe["prefix"] == str(venv.root)
    for module, origin in probe["modules"].items():
        assert Path(origin).is_relative_to(venv.site_packages), (module, origin)
        assert not Path(origin).is_relative_to(REPO), (module, origin)
    assert probe["editable_finders"] == []
    # The top-level folders are packaged under aoai_deploy only, never under their own names.
    assert probe["bare"] == {"providers": False, "components": False, "emulator": False}


def test_installed_wheels_dependencies_are_satisfied(wheel, tmp_path):
    venv = fresh_venv(tmp_path / "venv")
    venv.pip("install", "--no-deps", "--no-index", str(wheel), cwd=tmp_path)

    output = venv.pip("check", cwd=tmp_path)

    assert "No broken requirements found" in output
