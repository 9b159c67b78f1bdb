"""release.yml: a pushed `v*` tag builds once, without secrets; only the protected `pypi` job
can get an OIDC token, with which it attests and publishes; the GitHub release carries the
files and the CHANGELOG section (docs/releasing.md, docs/security.md).

The rules every workflow keeps (SHA pins, no expression in a script, checkout without
credentials, the identities table) run on it in test_workflows.py; these are its own, and the
last ones show that they can fail.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import workflow_rules as rules

NAME = "release.yml"


@pytest.fixture
def release(workflows: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return copy.deepcopy(workflows[NAME])


def _uses(job: dict[str, Any]) -> list[str]:
    return [str(step["uses"]).split("@")[0] for step in job["steps"] if "uses" in step]


def _script(job: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def test_only_a_pushed_version_tag_starts_a_release(release: dict[str, Any]) -> None:
    assert rules.triggers(release) == ["push"]
    assert release["on"]["push"] == {"tags": ["v*"]}


def test_only_the_pypi_job_can_get_an_oidc_token_and_only_in_its_environment(
    release: dict[str, Any],
) -> None:
    assert rules.oidc_jobs(release) == ["pypi"]
    pypi = release["jobs"]["pypi"]
    assert rules.environment_name(pypi) == "pypi"
    assert rules.permissions(release, pypi) == {"id-token": "write", "attestations": "write"}
    assert rules.oidc_subject(release, pypi) == "repo:<owner>/<repo>:environment:pypi"


def test_no_secret_is_read_anywhere_and_pypi_is_reached_by_trusted_publishing(
    release: dict[str, Any], texts: dict[str, str]
) -> None:
    assert rules.secrets_named(texts[NAME]) == []
    (publish,) = [
        s for s in release["jobs"]["pypi"]["steps"] if "pypi-publish" in s.get("uses", "")
    ]
    assert set(publish.get("with", {})) == {"packages-dir"}  # no password, no token


def test_the_build_checks_the_tag_then_builds_once_without_identity(
    release: dict[str, Any],
) -> None:
    build = release["jobs"]["build"]
    assert rules.permissions(release, build) == {"contents": "read"}
    assert "environment" not in build
    script = _script(build)
    assert script.index('scripts/release.py check-tag "$GITHUB_REF_NAME"') < script.index(
        "make dist"
    )
    assert 'scripts/release.py notes "${GITHUB_REF_NAME#v}"' in script
    # Nobody else builds: the later jobs take the build's artifacts and run no code of ours.
    for job_id in ("pypi", "github-release"):
        job = release["jobs"][job_id]
        assert "build" in job["needs"]
        assert "actions/checkout" not in _uses(job), job_id
        assert "make" not in _script(job), job_id


def test_provenance_is_attested_for_every_file_users_install_or_read(
    release: dict[str, Any],
) -> None:
    (attest,) = [
        s
        for s in release["jobs"]["pypi"]["steps"]
        if "attest-build-provenance" in s.get("uses", "")
    ]
    subjects = attest["with"]["subject-path"].split()
    assert subjects == ["dist/*.whl", "dist/*.tar.gz", "release-files/*.schema.json"]


def test_the_github_release_carries_the_files_the_sums_and_the_changelog_section(
    release: dict[str, Any],
) -> None:
    job = release["jobs"]["github-release"]
    assert rules.permissions(release, job) == {"contents": "write"}
    assert job["needs"] == ["build", "pypi"]  # nothing is released that PyPI refused
    script = _script(job)
    assert "sha256sum --check --strict SHA256SUMS" in script
    assert "cp dist/* release-files/*.schema.json release-files/SHA256SUMS assets/" in script
    assert "--notes-file release-files/notes.md" in script
    assert "--verify-tag" in script


# -- the rules can fail ------------------------------------------------------------------------


def test_rules_catch_an_oidc_token_in_the_build_job(release: dict[str, Any]) -> None:
    release["jobs"]["build"]["permissions"]["id-token"] = "write"
    assert rules.oidc_jobs(release) == ["build", "pypi"]


def test_rules_catch_a_stored_pypi_token() -> None:
    text = (
        "      - uses: pypa/gh-action-pypi-publish@x\n"
        "        with:\n"
        "          password: ${{ secrets.PYPI_API_TOKEN }}\n"
    )
    assert rules.secrets_named(text) == ["PYPI_API_TOKEN"]
