"""fleet.yml and fleet-preview.yml keep what docs/security.md and the README promise: one job
per customer in the protected environment, rings that wait for the gate before them,
max-parallel from the fleet file, no deploy a pull request can start, and a preview comment
rendered by the base commit's code. The rules shared with the other workflows are in
test_workflows.py (pins, permissions, passphrase, concurrency, the identities table)."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
import workflow_rules as rules
from workflow_rules import NAMES, REPO

from aoai_deploy.fleet.github import RING_JOBS

DOCS = (REPO / "docs" / "security.md").read_text()
README = (REPO / "README.md").read_text()


def _ring_jobs(workflow: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(job_id, job) for job_id, job in rules.jobs(workflow) if job_id.startswith("ring-")]


@pytest.mark.parametrize("name", NAMES)
def test_no_job_that_writes_state_runs_in_a_workflow_a_pull_request_starts(
    name: str, workflows: dict[str, dict[str, Any]]
) -> None:
    assert rules.deploys_on_pull_requests(workflows[name]) == []


def test_the_rule_catches_a_deploy_a_pull_request_could_start(
    workflows: dict[str, dict[str, Any]],
) -> None:
    workflow = copy.deepcopy(workflows["fleet.yml"])
    workflow["on"]["pull_request"] = None
    assert rules.deploys_on_pull_requests(workflow) == [f"ring-{ring}" for ring in RING_JOBS]


def test_fleet_deploys_from_the_default_branch_only_one_customer_per_job_in_its_environment(
    workflows: dict[str, dict[str, Any]],
) -> None:
    workflow = workflows["fleet.yml"]
    assert rules.triggers(workflow) == ["push", "workflow_dispatch"]
    assert workflow["jobs"]["matrix"]["if"] == (
        "github.ref == format('refs/heads/{0}', github.event.repository.default_branch)"
    )
    rings = _ring_jobs(workflow)
    assert [job_id for job_id, _ in rings] == [f"ring-{ring}" for ring in RING_JOBS]
    for job_id, job in rings:
        assert rules.environment_name(job) == "fleet", job_id
        assert rules.identity(job) == "AZURE_CLIENT_ID", job_id
        assert rules.state_access(job) == "read, write", job_id
        strategy = job["strategy"]
        assert strategy["fail-fast"] is False  # a failed customer never cancels the others
        assert strategy["max-parallel"] == "${{ fromJSON(needs.matrix.outputs.max-parallel) }}"
        assert (
            strategy["matrix"]["customer"] == f"${{{{ fromJSON(needs.matrix.outputs.{job_id}) }}}}"
        )
        (deploy,) = [s for s in job["steps"] if "aoai-deploy fleet up" in s.get("run", "")]
        assert '--only "$CUSTOMER"' in deploy["run"]
        assert deploy["env"] == {
            "PULUMI_CONFIG_PASSPHRASE": "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}"
        }
        assert job["env"]["CUSTOMER"] == "${{ matrix.customer }}"
        assert job["concurrency"] == {
            "group": "fleet-deploy-${{ matrix.customer }}",
            "cancel-in-progress": False,
            "queue": "max",
        }


def test_each_ring_waits_for_the_gate_before_it_and_each_gate_for_the_one_before(
    workflows: dict[str, dict[str, Any]],
) -> None:
    jobs = workflows["fleet.yml"]["jobs"]
    previous_gate = None
    for ring in RING_JOBS:
        job, gate = jobs[f"ring-{ring}"], jobs[f"gate-{ring}"]
        if previous_gate is None:
            assert job["needs"] == "matrix"
        else:
            assert job["needs"] == ["matrix", previous_gate]
            assert f"needs.{previous_gate}.result == 'success'" in job["if"]
            assert gate["env"]["PREVIOUS"] == f"${{{{ needs.{previous_gate}.result }}}}"
        assert f"ring-{ring}" in gate["needs"]
        assert rules.oidc_jobs({"jobs": {"gate": gate}, "permissions": {}}) == []
        script = gate["steps"][-1]["run"]
        assert 'aoai-deploy fleet gate "$FLEET_FILE" --ring "$RING"' in script
        assert '[ "$PREVIOUS" != success ]' in script
        previous_gate = f"gate-{ring}"
    summary = jobs["summary"]
    assert summary["needs"] == ["matrix", *(f"gate-{ring}" for ring in RING_JOBS)]
    assert "always()" in summary["if"]
    assert any("GITHUB_STEP_SUMMARY" in s.get("run", "") for s in summary["steps"])


def test_the_matrix_outputs_are_the_ring_jobs_the_fleet_command_writes(
    workflows: dict[str, dict[str, Any]],
) -> None:
    outputs = workflows["fleet.yml"]["jobs"]["matrix"]["outputs"]
    assert set(outputs) == {"max-parallel", *(f"ring-{ring}" for ring in RING_JOBS)}


def test_the_fleet_preview_signs_in_as_the_read_only_app_and_comments_from_the_base_commit(
    workflows: dict[str, dict[str, Any]],
) -> None:
    workflow = workflows["fleet-preview.yml"]
    assert rules.triggers(workflow) == ["pull_request"]
    preview, comment = workflow["jobs"]["preview"], workflow["jobs"]["comment"]
    assert rules.identity(preview) == "AZURE_PREVIEW_CLIENT_ID"
    assert "environment" not in preview
    assert rules.state_access(preview) == "read"
    (checkout,) = [s for s in comment["steps"] if "checkout" in str(s.get("uses", ""))]
    assert checkout["with"]["ref"] == rules.BASE_COMMIT
    assert checkout["with"]["sparse-checkout"].split() == [
        "scripts/preview_comment.py",
        "fleet/markdown.py",
    ]
    (post,) = [s for s in comment["steps"] if "gh api" in s.get("run", "")]
    assert "python3 scripts/preview_comment.py --fleet" in post["run"]
    assert "marker='<!-- aoai-deploy fleet preview -->'" in post["run"]


def test_githubs_limits_and_what_to_do_past_them_are_in_the_readme() -> None:
    section = README.split("## Fleet rollout", 1)[1].split("\n## ", 1)[0]
    assert "256" in section
    assert "max-parallel" in section
    assert "Pulumi Deployments" in section
    assert re.search(r"repo:<owner>/<repo>:environment:fleet", section)
    assert "repo:<owner>/<repo>:environment:fleet" in DOCS
