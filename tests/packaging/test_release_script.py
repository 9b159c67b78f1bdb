"""scripts/release.py: the release workflow's tag check and notes, and the step that turns
CHANGELOG.md's [Unreleased] into a dated release (docs/releasing.md)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from types import ModuleType

import pytest

import aoai_deploy
from packaging_env import REPO

SCRIPT = REPO / "scripts" / "release.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("release_script", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


release = _load()

CHANGELOG = """# Changelog

Intro.

## [Unreleased]

**State:** readable by 1.1.0.

### Added

- a new thing

### Changed

### Fixed

- a fix

### Security

## [1.1.0] - 2026-01-02

**State:** readable by 1.0.0.

### Added

- the old thing
"""
VERSION_FILE = '"""Doc."""\n\n__version__ = "1.1.0"\n'


def test_the_script_reads_the_version_aoai_deploy_has() -> None:
    printed = subprocess.run(
        [sys.executable, str(SCRIPT), "version"], capture_output=True, text=True, check=True
    ).stdout

    assert printed == f"{aoai_deploy.__version__}\n"


def test_cut_dates_unreleased_as_the_release_and_starts_an_empty_one() -> None:
    version_file, changelog = release.cut("1.2.0", "2026-03-04", VERSION_FILE, CHANGELOG)

    assert release.read_version(version_file) == "1.2.0"
    assert [(s.name, s.date) for s in release.sections(changelog)] == [
        ("Unreleased", None),
        ("1.2.0", "2026-03-04"),
        ("1.1.0", "2026-01-02"),
    ]
    # The empty kinds go; a new [Unreleased] has them all again, and nothing else.
    assert release.notes(changelog, "1.2.0") == (
        "**State:** readable by 1.1.0.\n\n### Added\n\n- a new thing\n\n### Fixed\n\n- a fix\n"
    )
    unreleased = release.section_of(changelog, "Unreleased")
    assert changelog[unreleased.body_start : unreleased.end].split() == [
        "###", "Added", "###", "Changed", "###", "Fixed", "###", "Security",
    ]  # fmt: skip


def test_the_tag_must_name_the_version_and_the_changelog_must_have_its_notes() -> None:
    _, changelog = release.cut("1.2.0", "2026-03-04", VERSION_FILE, CHANGELOG)

    release.check_tag("v1.2.0", "1.2.0", changelog)
    with pytest.raises(
        release.ReleaseError, match=r"tag 'v1\.2\.1' does not name this commit's version, v1\.2\.0"
    ):
        release.check_tag("v1.2.1", "1.2.0", changelog)
    with pytest.raises(release.ReleaseError, match=r"tag '1\.2\.0' does not name"):
        release.check_tag("1.2.0", "1.2.0", changelog)
    # A version bumped without its changelog section (the cut was skipped) is refused.
    with pytest.raises(release.ReleaseError, match=r"no section ## \[1\.3\.0\]"):
        release.check_tag("v1.3.0", "1.3.0", changelog)


def test_unreleased_is_never_published_as_notes() -> None:
    with pytest.raises(release.ReleaseError, match="has no date: cut it first"):
        release.notes(CHANGELOG, "Unreleased")


def test_cut_refuses_a_release_that_does_not_say_whether_its_state_reads_back() -> None:
    without_state = CHANGELOG.replace("**State:** readable by 1.1.0.\n\n", "", 1)

    with pytest.raises(release.ReleaseError, match=r"no \*\*State:\*\* line"):
        release.cut("1.2.0", "2026-03-04", VERSION_FILE, without_state)


def test_cut_refuses_a_version_twice_and_a_version_that_is_not_semver() -> None:
    with pytest.raises(release.ReleaseError, match="already has"):
        release.cut("1.1.0", "2026-03-04", VERSION_FILE, CHANGELOG)
    with pytest.raises(release.ReleaseError, match="not a semantic version"):
        release.cut("1.2", "2026-03-04", VERSION_FILE, CHANGELOG)


def test_every_release_in_the_changelog_says_whether_its_state_reads_back() -> None:
    changelog = (REPO / "CHANGELOG.md").read_text()
    dated = [s for s in release.sections(changelog) if s.date is not None]

    assert dated
    for section in dated:
        assert release.STATE_LINE in release.notes(changelog, section.name), section.name
    # What the next release will say: cut refuses an [Unreleased] without it.
    unreleased = release.section_of(changelog, "Unreleased")
    assert release.STATE_LINE in changelog[unreleased.body_start : unreleased.end]
