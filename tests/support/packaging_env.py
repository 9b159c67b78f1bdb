"""Wheels and fresh virtual environments for the packaging tests (tests/packaging/).

- :func:`build_wheel` copies the repository's source (what a clone holds, without the
  virtual environment, caches and stale ``build/`` output) to a temporary folder and builds
  the wheel there with ``python -m build``, as ``pip install git+<repo>`` builds it from a
  fresh clone; the repository itself is left untouched.
- :func:`locked_venv` makes a self-contained one as a user would (the hash-locked
  requirements from the package index, then a wheel), for the release checks (tests/e2e).
- :func:`fresh_venv` makes a new virtual environment outside the repository. Installing
  pulumi and pulumi-azure-native into every such environment would download hundreds of
  megabytes per run, so, unless told otherwise, the new environment sees this test
  environment's site-packages through a ``.pth`` file. ``site`` adds the directories a
  ``.pth`` file lists to ``sys.path`` without scanning them for ``.pth`` files of their own, so
  the editable install of this repository (a ``.pth`` file in that directory that hooks in a
  finder) does not come along: ``aoai_deploy`` is importable in the new environment only
  once a wheel is installed there. The tests assert exactly that, before and after.

Every subprocess runs with a timeout and without the ``PYTHON*`` variables of the test run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Final

REPO: Final = Path(__file__).resolve().parents[2]

#: Longest any one step (building, installing, running a program) may take.
SUBPROCESS_TIMEOUT_SECONDS: Final = 300

#: What a clone of the repository does not hold, or what building must not see: stale
#: ``build/`` output in particular would be packed into the wheel by setuptools.
_NOT_SOURCE: Final = (
    ".git",
    ".venv",
    "venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".pulumi",
    ".emulator",
)

#: The build backend pyproject.toml asks for; below it the build needs its own environment.
_SETUPTOOLS_MINIMUM: Final = (69,)


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without what would steer another interpreter's imports."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PYTHON") and key not in {"VIRTUAL_ENV", "PIP_REQUIRE_VIRTUALENV"}
    }
    env["PYTHONNOUSERSITE"] = "1"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env.update(extra)
    return env


def run(args: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run a command to completion (or fail the test on its timeout); its stdout."""
    completed = subprocess.run(
        args,
        cwd=cwd,
        env=env if env is not None else clean_env(),
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT_SECONDS,
        check=False,
    )
    if completed.returncode != 0:
        raise AssertionError(
            f"{' '.join(args)} exited {completed.returncode}\n"
            f"--- stdout\n{completed.stdout[-4000:]}\n--- stderr\n{completed.stderr[-4000:]}"
        )
    return completed.stdout


def copy_source(destination: Path, source: Path = REPO) -> Path:
    """The repository's source (or another checkout's), copied to ``destination`` as a clone
    would hold it."""
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns(*_NOT_SOURCE))
    return destination


def _has_build_backend() -> bool:
    try:
        version = metadata.version("setuptools")
    except metadata.PackageNotFoundError:
        return False
    release = tuple(int(part) for part in re.findall(r"\d+", version)[:1])
    return release >= _SETUPTOOLS_MINIMUM


def build_wheel(workdir: Path, checkout: Path = REPO) -> Path:
    """Build the project's wheel from a copy of its source (or of ``checkout``, another
    release's) under ``workdir``; its path.

    Without build isolation when this environment already has the build backend
    pyproject.toml asks for (no network), else in an isolated build environment as pip does.
    """
    source = copy_source(workdir / "source", checkout)
    dist = workdir / "dist"
    isolation = ["--no-isolation"] if _has_build_backend() else []
    run(
        [sys.executable, "-m", "build", "--wheel", *isolation, "--outdir", str(dist), str(source)],
        cwd=workdir,
    )
    (wheel,) = dist.glob("*.whl")
    return wheel


@dataclass(frozen=True)
class FreshVenv:
    """A virtual environment made for one test, outside the repository."""

    root: Path
    """The environment's folder."""
    python: Path
    """Its interpreter."""
    site_packages: Path
    """Its own site-packages (where a wheel installed into it goes)."""

    def run(self, args: list[str], *, cwd: Path) -> str:
        """Run its interpreter with ``args`` from ``cwd``, isolated from the test run; stdout."""
        return run([str(self.python), *args], cwd=cwd)

    def pip(self, *args: str, cwd: Path) -> str:
        """Its own pip (``python -m pip``)."""
        return self.run(["-m", "pip", *args], cwd=cwd)

    def probe(self, code: str, *, cwd: Path) -> Any:
        """Run ``code`` in isolated mode (``-I``: no script or current folder on ``sys.path``);
        the JSON it prints."""
        return json.loads(self.run(["-I", "-c", code], cwd=cwd))


def fresh_venv(path: Path, *, see_outer_site_packages: bool = True) -> FreshVenv:
    """A new virtual environment at ``path`` (with pip), made from this interpreter.

    With ``see_outer_site_packages``, a ``.pth`` file puts this test environment's
    site-packages on the new one's ``sys.path``, after its own (see the module docstring).
    """
    run([sys.executable, "-m", "venv", str(path)], cwd=path.parent)
    python = path / "bin" / "python"
    site_packages = Path(
        run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            cwd=path.parent,
        ).strip()
    )
    if see_outer_site_packages:
        outer = dict.fromkeys(sysconfig.get_path(kind) for kind in ("purelib", "platlib"))
        (site_packages / "_outer_site_packages.pth").write_text("".join(f"{p}\n" for p in outer))
    return FreshVenv(root=path, python=python, site_packages=site_packages)


def locked_venv(path: Path, wheel: Path, lock: Path) -> FreshVenv:
    """A self-contained environment at ``path`` as a user's would be: ``lock``'s packages from
    the package index, each checked against its hash, then ``wheel`` without dependencies,
    then ``pip check``. Nothing of this test environment is visible in it."""
    venv = fresh_venv(path, see_outer_site_packages=False)
    # Only the index, and only files whose hash the lock names (as the Makefile installs).
    env = {k: v for k, v in clean_env().items() if k != "PIP_FIND_LINKS"}
    pip = [str(venv.python), "-m", "pip", "install", "--quiet"]
    run([*pip, "--require-hashes", "--only-binary", ":all:", "-r", str(lock)], cwd=path, env=env)
    run([*pip, "--no-deps", "--no-index", str(wheel)], cwd=path, env=env)
    venv.pip("check", cwd=path)
    return venv


def size_on_disk(path: Path) -> int:
    """Bytes ``path`` takes on disk, as ``du`` counts them."""
    return int(run(["du", "-s", "--block-size=1", str(path)], cwd=path.parent).split()[0])


#: Run by :meth:`FreshVenv.probe`: where the package's modules come from in that environment.
IMPORT_PROBE: Final = """
import importlib, importlib.util, json, sys
found = {}
for name in ("aoai_deploy.providers", "aoai_deploy.components", "aoai_deploy.emulator"):
    try:
        found[name] = importlib.import_module(name).__file__
    except ImportError as error:
        found[name] = "ImportError: " + str(error)
print(json.dumps({
    "modules": found,
    "bare": {name: importlib.util.find_spec(name) is not None
             for name in ("providers", "components", "emulator")},
    "editable_finders": sorted(
        name for name in sys.modules if name.startswith("__editable__")
    ),
    "prefix": sys.prefix,
}))
"""
