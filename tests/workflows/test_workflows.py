"""The workflows keep the properties docs/security.md promises (issue 12).

Each rule lives in workflow_rules.py as a function returning what it found; every test here
runs one on the real workflows, and the last section runs each on a broken copy to show that
it can fail.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
import workflow_rules as rules
from workflow_rules import NAMES, REPO, load

DOCS = (REPO / "docs" / "security.md").read_text()
DEFAULT_BRANCH_GUARD = (
    "github.ref == format('refs/heads/{0}', github.event.repository.default_branch)"
)


# -- the supply chain ------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_every_action_is_pinned_by_commit_with_its_tag(name: str, texts: dict[str, str]) -> None:
    assert rules.unpinned_uses(texts[name]) == []


def test_each_action_is_pinned_to_one_commit_everywhere(texts: dict[str, str]) -> None:
    pins: dict[str, set[str]] = {}
    for text in texts.values():
        for action, sha, tag in re.findall(r"uses:\s*(\S+)@([0-9a-f]{40})\s+#\s+(\S+)", text):
            pins.setdefault(action, set()).add(f"{sha} {tag}")
    assert pins, "no pinned action found"
    assert {action: len(found) for action, found in pins.items() if len(found) > 1} == {}


def test_dependabot_keeps_the_actions_current() -> None:
    config = load((REPO / ".github" / "dependabot.yml").read_text())
    ecosystems = {update["package-ecosystem"]: update for update in config["updates"]}
    assert ecosystems["github-actions"]["directory"] == "/"


@pytest.mark.parametrize("name", NAMES)
def test_checkout_never_leaves_the_token_behind(
    name: str, workflows: dict[str, dict[str, Any]]
) -> None:
    assert rules.checkouts_keeping_credentials(workflows[name]) == []


@pytest.mark.parametrize("name", NAMES)
def test_the_passphrase_is_only_on_the_steps_that_run_pulumi(
    name: str, workflows: dict[str, dict[str, Any]]
) -> None:
    assert rules.passphrase_outside_steps(workflows[name]) == []


@pytest.mark.parametrize("name", ["preview.yml", "up.yml"])
def test_the_passphrase_reaches_the_pulumi_step(
    name: str, workflows: dict[str, dict[str, Any]]
) -> None:
    holders = [
        step
        for _, step in rules.steps(workflows[name])
        if "PULUMI_CONFIG_PASSPHRASE" in step.get("env", {})
    ]
    assert len(holders) == 1
    assert (
        holders[0]["env"]["PULUMI_CONFIG_PASSPHRASE"] == "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}"
    )


@pytest.mark.parametrize("name", NAMES)
def test_no_token_on_a_command_line(name: str, workflows: dict[str, dict[str, Any]]) -> None:
    assert rules.tokens_on_a_command_line(workflows[name]) == []


@pytest.mark.parametrize("name", NAMES)
def test_no_pull_request_target(name: str, workflows: dict[str, dict[str, Any]]) -> None:
    assert "pull_request_target" not in rules.triggers(workflows[name])
    assert "workflow_run" not in rules.triggers(workflows[name])


@pytest.mark.parametrize("name", NAMES)
def test_no_expression_is_pasted_into_a_script(
    name: str, workflows: dict[str, dict[str, Any]]
) -> None:
    # ${{ github.event.* }} above all (a branch name or title is the pull request's to choose),
    # but any expression: values reach scripts through `env:`.
    assert rules.expressions_in_run(workflows[name]) == []


@pytest.mark.parametrize("name", ["preview.yml", "up.yml"])
def test_the_pulumi_cli_installed_is_the_release_the_end_to_end_tests_run(
    name: str, workflows: dict[str, dict[str, Any]]
) -> None:
    pinned = re.search(
        r"^PULUMI_CLI_VERSION=v(\S+)$",
        (REPO / "scripts" / "pulumi-versions.env").read_text(),
        re.MULTILINE,
    )
    assert pinned is not None
    installs = [
        s
        for _, s in rules.steps(workflows[name])
        if s.get("uses", "").startswith("pulumi/actions@")
    ]
    assert installs
    for step in installs:
        assert step.get("with", {}).get("pulumi-version") == pinned[1]


@pytest.mark.parametrize("name", ["preview.yml", "up.yml"])
def test_installs_are_hash_checked_from_the_runtime_lock(
    name: str, workflows: dict[str, dict[str, Any]]
) -> None:
    scripts = [
        s["run"] for _, s in rules.steps(workflows[name]) if "pip install" in s.get("run", "")
    ]
    assert scripts
    for script in scripts:
        assert "--require-hashes --only-binary :all:" in script
        assert "-r requirements/runtime.txt" in script
        assert "--no-deps --no-build-isolation -e ." in script


@pytest.mark.parametrize("name", NAMES)
def test_queued_concurrency_is_what_github_accepts(
    name: str, workflows: dict[str, dict[str, Any]]
) -> None:
    assert rules.bad_queues(workflows[name]) == []


def test_actionlint_ignores_the_queue_key_and_nothing_else() -> None:
    config = load((REPO / ".github" / "actionlint.yaml").read_text())
    assert config == {
        "paths": {
            ".github/workflows/*.yml": {
                "ignore": ['unexpected key "queue" for "concurrency" section']
            }
        }
    }


# -- least privilege ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_every_job_names_its_own_permissions(
    name: str, workflows: dict[str, dict[str, Any]]
) -> None:
    for job_id, job in rules.jobs(workflows[name]):
        assert isinstance(job.get("permissions"), dict), job_id
    # Nothing beyond reading the code for a job that forgets to say.
    assert workflows[name]["permissions"] in ({}, {"contents": "read"})


@pytest.mark.parametrize("name", NAMES)
def test_jobs_that_run_the_branchs_code_cannot_write_to_github(
    name: str, workflows: dict[str, dict[str, Any]]
) -> None:
    workflow = workflows[name]
    for job_id, job in rules.jobs(workflow):
        runs_code = any(
            str(step.get("uses", "")).startswith("actions/checkout@") for step in job["steps"]
        )
        if runs_code:
            granted = rules.permissions(workflow, job)
            writes = {s: v for s, v in granted.items() if v == "write" and s != "id-token"}
            assert writes == {}, job_id


def test_the_preview_signs_in_as_the_read_only_app_without_an_environment(
    workflows: dict[str, dict[str, Any]], texts: dict[str, str]
) -> None:
    preview = workflows["preview.yml"]["jobs"]["preview"]
    assert rules.identity(preview) == "AZURE_PREVIEW_CLIENT_ID"
    assert "environment" not in preview  # its OIDC subject stays `pull_request`
    assert "vars.AZURE_CLIENT_ID" not in texts["preview.yml"]
    assert rules.oidc_subject(workflows["preview.yml"], preview) == (
        "repo:<owner>/<repo>:pull_request"
    )


def test_the_comment_job_runs_none_of_the_pull_requests_code(
    workflows: dict[str, dict[str, Any]],
) -> None:
    comment = workflows["preview.yml"]["jobs"]["comment"]
    assert comment["needs"] == "preview"
    assert not any("checkout" in str(step.get("uses", "")) for step in comment["steps"])
    assert rules.permissions(workflows["preview.yml"], comment) == {"pull-requests": "write"}


def test_up_deploys_from_the_default_branch_only_in_its_environment(
    workflows: dict[str, dict[str, Any]], texts: dict[str, str]
) -> None:
    workflow = workflows["up.yml"]
    up = workflow["jobs"]["up"]
    assert rules.triggers(workflow) == ["push", "workflow_dispatch"]
    assert workflow["on"]["push"] == {"branches": ["main"]}
    assert up["if"] == DEFAULT_BRANCH_GUARD
    assert rules.environment_name(up) == "example-azure"
    assert rules.identity(up) == "AZURE_CLIENT_ID"
    assert "vars.AZURE_PREVIEW_CLIENT_ID" not in texts["up.yml"]
    assert up["concurrency"]["cancel-in-progress"] is False


def test_the_oidc_subjects_are_written_where_users_set_the_apps_up(
    workflows: dict[str, dict[str, Any]], texts: dict[str, str]
) -> None:
    readme = (REPO / "README.md").read_text()
    for name, job_id in (("preview.yml", "preview"), ("up.yml", "up")):
        subject = rules.oidc_subject(workflows[name], workflows[name]["jobs"][job_id])
        assert subject in texts[name], name
        assert subject in DOCS
        assert subject in readme


def test_ci_runs_dot_ci_run_with_python_and_go_and_caches_the_pinned_builds(
    workflows: dict[str, dict[str, Any]],
) -> None:
    workflow = workflows["ci.yml"]
    assert rules.triggers(workflow) == ["push", "pull_request"]
    (job,) = workflow["jobs"].values()
    assert rules.permissions(workflow, job) == {"contents": "read"}
    by_action = {str(s.get("uses", "")).split("@")[0]: s for s in job["steps"] if "uses" in s}
    assert by_action["actions/setup-python"]["with"]["python-version"] == "3.11"
    go = tuple(int(p) for p in str(by_action["actions/setup-go"]["with"]["go-version"]).split("."))
    assert go >= (1, 26)
    keys = [
        s["with"]["key"]
        for s in job["steps"]
        if str(s.get("uses", "")).startswith("actions/cache@")
    ]
    assert any("hashFiles('scripts/pulumi-versions.env')" in key for key in keys)
    assert any("hashFiles('.ci/actionlint')" in key for key in keys)
    assert job["steps"][-1]["run"] == "bash .ci/run"


# -- docs/security.md agrees with the workflows ---------------------------------------------------


def _docs_table(heading: str) -> list[list[str]]:
    section = DOCS.split(heading, 1)[1]
    rows = []
    for line in section.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if not set("".join(cells)) <= set("-: "):
                rows.append(cells)
        elif rows:
            break
    return rows[1:]


def test_the_identities_table_is_what_the_workflows_declare(
    workflows: dict[str, dict[str, Any]],
) -> None:
    declared = [
        rules.table_row(name, workflows[name], job_id)
        for name in NAMES
        for job_id, _ in rules.jobs(workflows[name])
    ]
    assert _docs_table("## Identities and permissions") == declared


# -- each rule can fail ----------------------------------------------------------------------------


def _broken(workflows: dict[str, dict[str, Any]], name: str) -> dict[str, Any]:
    return copy.deepcopy(workflows[name])


def test_rules_catch_a_tag_pin_a_branch_pin_and_a_sha_without_its_tag() -> None:
    text = (
        "    - uses: actions/checkout@v5\n"
        "    - uses: actions/checkout@main # v5.0.0\n"
        "    - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8\n"
        "    - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0\n"
    )
    assert len(rules.unpinned_uses(text)) == 3


def test_rules_catch_a_job_level_passphrase_and_a_passphrase_on_another_step(
    workflows: dict[str, dict[str, Any]],
) -> None:
    workflow = _broken(workflows, "up.yml")
    workflow["jobs"]["up"]["env"]["PULUMI_CONFIG_PASSPHRASE"] = "${{ secrets.X }}"
    workflow["jobs"]["up"]["steps"][2]["env"] = {"PULUMI_CONFIG_PASSPHRASE": "x"}
    assert rules.passphrase_outside_steps(workflow) == [
        "up: job env",
        "up: step Install the project",
    ]


def test_rules_catch_an_event_expression_in_a_script(workflows: dict[str, dict[str, Any]]) -> None:
    workflow = _broken(workflows, "preview.yml")
    workflow["jobs"]["comment"]["steps"][1]["run"] += (
        '\necho "${{ github.event.pull_request.title }}"\n'
    )
    assert rules.expressions_in_run(workflow) == ["comment: Post or update the preview comment"]


def test_rules_catch_a_checkout_that_keeps_credentials(
    workflows: dict[str, dict[str, Any]],
) -> None:
    workflow = _broken(workflows, "ci.yml")
    del workflow["jobs"]["ci"]["steps"][0]["with"]["persist-credentials"]
    assert rules.checkouts_keeping_credentials(workflow) == ["ci"]


def test_rules_catch_the_request_token_in_a_curl_argument(
    workflows: dict[str, dict[str, Any]],
) -> None:
    workflow = _broken(workflows, "up.yml")
    step = next(s for _, s in rules.steps(workflow) if "ACTIONS_ID_TOKEN" in s.get("run", ""))
    step["run"] = (
        'curl --header "Authorization: Bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" '
        '"$ACTIONS_ID_TOKEN_REQUEST_URL"'
    )
    assert rules.tokens_on_a_command_line(workflow) == [
        "up: Federated token for the aoai-deploy provider"
    ]


def test_rules_catch_a_queue_github_refuses(workflows: dict[str, dict[str, Any]]) -> None:
    workflow = _broken(workflows, "up.yml")
    workflow["jobs"]["up"]["concurrency"]["cancel-in-progress"] = True
    workflow["concurrency"] = {"group": "g", "queue": "unbounded"}
    assert rules.bad_queues(workflow) == [
        "workflow: queue 'unbounded'",
        "up: queue max with cancel-in-progress",
    ]


def test_the_table_check_sees_an_environment_given_to_the_preview(
    workflows: dict[str, dict[str, Any]],
) -> None:
    workflow = _broken(workflows, "preview.yml")
    workflow["jobs"]["preview"]["environment"] = "example-azure"
    row = rules.table_row("preview.yml", workflow, "preview")
    assert row[5] == "repo:<owner>/<repo>:environment:example-azure"
    assert row not in _docs_table("## Identities and permissions")
