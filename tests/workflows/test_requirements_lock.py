"""The hash-locked requirements agree with pyproject.toml.

``requirements/runtime.txt`` (what the deploy workflows install: the example stack needs the
azure-native extra), ``requirements/base.txt`` (the default install, ``pip install aoai-deploy``,
which ``make release-check`` installs the wheel with) and ``requirements/dev.txt`` (``make test``,
``make lint`` and CI) are written by ``make lock``. Each must hold a pinned,
hashed line satisfying every dependency pyproject.toml asks of it, and nothing that nothing
asks for: after a dependency is added, changed or dropped, these tests fail until ``make lock``
has been run.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]
GROUPS = PYPROJECT["dependency-groups"]

#: What each lock must satisfy: (extras, dependency groups) besides the project's dependencies.
LOCKS = {
    "requirements/runtime.txt": (("azure-native",), ("build",)),
    "requirements/base.txt": ((), ()),
    "requirements/dev.txt": (("azure-native", "test", "lint"), ("build", "lock")),
}
ROOT = "aoai-deploy (pyproject.toml"  # how uv's "# via" names pyproject's own requirements


@dataclass
class Pin:
    """One locked package."""

    version: Version
    hashes: list[str] = field(default_factory=list)
    via: list[str] = field(default_factory=list)


def read_lock(path: Path) -> dict[str, Pin]:
    """``name -> Pin`` of a requirements file as uv writes it (continuation lines, hashes,
    ``# via`` annotations)."""
    pins: dict[str, Pin] = {}
    current: Pin | None = None
    for line in path.read_text().splitlines():
        entry = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", line)
        if entry:
            current = pins.setdefault(canonicalize_name(entry[1]), Pin(Version(entry[2])))
        elif current is not None and (digest := re.search(r"--hash=sha256:([0-9a-f]{64})", line)):
            current.hashes.append(digest[1])
        elif current is not None and (via := re.match(r"\s+#\s+(?:via\s+)?(\S.*)", line)):
            if via[1] != "via":
                current.via.append(via[1].strip())
        elif line.strip() and not line.startswith(("#", " ")):
            raise AssertionError(f"{path.name}: a line that is not a pin: {line!r}")
    return pins


def wanted(extras: tuple[str, ...], groups: tuple[str, ...]) -> list[Requirement]:
    lines = [*PROJECT["dependencies"]]
    for extra in extras:
        lines += PROJECT["optional-dependencies"][extra]
    for group in groups:
        lines += GROUPS[group]
    return [Requirement(line) for line in lines]


def unmet(pins: dict[str, Pin], requirements: list[Requirement]) -> list[str]:
    """Requirements without a pin, or whose pin does not satisfy them."""
    problems = []
    for requirement in requirements:
        pin = pins.get(canonicalize_name(requirement.name))
        if pin is None:
            problems.append(f"{requirement} has no pin")
        elif not requirement.specifier.contains(pin.version, prereleases=True):
            problems.append(f"{requirement} is pinned at {pin.version}")
    return problems


def left_over(pins: dict[str, Pin], requirements: list[Requirement]) -> list[str]:
    """Pins that pyproject.toml no longer asks for, or that nothing in the lock needs."""
    direct = {canonicalize_name(r.name) for r in requirements}
    stale = []
    for name, pin in pins.items():
        roots = [v for v in pin.via if v.startswith(ROOT)]
        parents = [v for v in pin.via if not v.startswith((ROOT, "-c "))]
        if roots and name not in direct:
            stale.append(f"{name} (pyproject.toml no longer asks for it)")
        elif not roots and not any(canonicalize_name(p) in pins for p in parents):
            stale.append(f"{name} (nothing in the lock needs it)")
    return stale


@pytest.mark.parametrize("lock", list(LOCKS))
def test_every_requirement_of_pyproject_has_a_pin_that_satisfies_it(lock: str) -> None:
    problems = unmet(read_lock(REPO / lock), wanted(*LOCKS[lock]))
    assert problems == [], f"{lock} is out of date, run `make lock`: {problems}"


@pytest.mark.parametrize("lock", list(LOCKS))
def test_nothing_in_the_lock_is_left_over(lock: str) -> None:
    stale = left_over(read_lock(REPO / lock), wanted(*LOCKS[lock]))
    assert stale == [], f"{lock} is out of date, run `make lock`: {stale}"


@pytest.mark.parametrize("lock", list(LOCKS))
def test_every_pin_carries_its_hashes(lock: str) -> None:
    unhashed = [name for name, pin in read_lock(REPO / lock).items() if not pin.hashes]
    assert unhashed == []


def test_the_locks_pin_shared_packages_alike() -> None:
    base = read_lock(REPO / "requirements/base.txt")
    runtime = read_lock(REPO / "requirements/runtime.txt")
    dev = read_lock(REPO / "requirements/dev.txt")
    assert set(base) <= set(runtime) <= set(dev)
    assert {n: dev[n].version for n in runtime} == {n: p.version for n, p in runtime.items()}
    assert {n: runtime[n].version for n in base} == {n: p.version for n, p in base.items()}


def test_the_default_install_leaves_azure_native_to_its_extra() -> None:
    assert "pulumi-azure-native" not in read_lock(REPO / "requirements/base.txt")
    assert "pulumi-azure-native" in read_lock(REPO / "requirements/runtime.txt")


def test_the_build_group_is_the_build_system_requirement() -> None:
    # The project is installed without build isolation, from the lock's setuptools.
    assert GROUPS["build"] == PYPROJECT["build-system"]["requires"]


def test_installs_use_the_lock_with_hash_checking() -> None:
    makefile = (REPO / "Makefile").read_text()
    recipe = makefile.split("$(VENV)/.installed:", 1)[1].split("\n\n", 1)[0]
    assert "--require-hashes" in recipe
    assert "-r requirements/dev.txt" in recipe
    assert "--no-deps --no-build-isolation -e ." in recipe
    assert "--upgrade" not in recipe  # nothing from the index that the lock does not name


# -- the checks themselves catch a lock that disagrees ----------------------------------------


def test_a_low_pin_a_missing_pin_a_dropped_dependency_and_an_orphan_are_all_reported(
    tmp_path: Path,
) -> None:
    lock = tmp_path / "lock.txt"
    hashed = " \\\n    --hash=sha256:" + "a" * 64 + "\n"
    lock.write_text(
        "requests==2.0.0" + hashed + "    # via aoai-deploy (pyproject.toml)\n"
        "dropped==1.0" + hashed + "    # via aoai-deploy (pyproject.toml)\n"
        "orphan==1.0" + hashed + "    # via gone-package\n"
        "urllib3==2.0" + hashed + "    # via\n    #   -c requirements/runtime.txt\n"
        "    #   requests\n"
    )
    pins = read_lock(lock)
    requirements = [Requirement("requests>=2.32"), Requirement("pyyaml>=6")]

    assert unmet(pins, requirements) == [
        "requests>=2.32 is pinned at 2.0.0",
        "pyyaml>=6 has no pin",
    ]
    assert left_over(pins, requirements) == [
        "dropped (pyproject.toml no longer asks for it)",
        "orphan (nothing in the lock needs it)",
    ]
