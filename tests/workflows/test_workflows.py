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
from test_preview_comment import comment
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
def test_pulumi_runs_only_what_scripts_install_pulumi_checked_against_the_pins(
    name: str, workflows: dict[str, dict[str, Any]]
) -> None:
    # scripts/install-pulumi installs the CLI release of scripts/pulumi-versions.env (the one
    # the end-to-end tests run) and the azure-native plugin, each only if its SHA-256 is the
    # pinned one (tests/workflows/test_install_pulumi.py).
    assert rules.unchecked_downloads(workflows[name]) == []
    assert any(rules.runs_pulumi(job) for _, job in rules.jobs(workflows[name]))


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


# -- other stacks read the published outputs, never the state ----------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_nothing_but_the_stacks_outputs_is_handed_out(
    name: str, workflows: dict[str, dict[str, Any]]
) -> None:
    assert rules.published_beyond_outputs(workflows[name]) == []


def test_up_publishes_its_outputs_after_the_deploy_without_the_passphrase(
    workflows: dict[str, dict[str, Any]],
) -> None:
    up_steps = workflows["up.yml"]["jobs"]["up"]["steps"]
    names = [step.get("name") for step in up_steps]
    deploy = names.index("pulumi up --yes --refresh")
    publish = names.index("Publish the stack's outputs for other stacks")
    assert publish == deploy + 1
    assert rules.OUTPUTS_FILE in up_steps[deploy]["run"]
    step = up_steps[publish]
    assert step["if"] == "vars.STACK_OUTPUTS_ACCOUNT != ''"
    assert "PULUMI_CONFIG_PASSPHRASE" not in step.get("env", {})
    assert "--auth-mode login" in step["run"]
    assert '--name "$PULUMI_STACK.json"' in step["run"]


# -- concurrency: a preview never cancels a deploy ------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_no_job_that_writes_the_state_can_be_cancelled(
    name: str, workflows: dict[str, dict[str, Any]]
) -> None:
    assert rules.cancellable_deploys(workflows[name]) == []


def test_no_concurrency_group_is_shared_between_workflows(
    workflows: dict[str, dict[str, Any]],
) -> None:
    assert rules.shared_groups(workflows) == []


@pytest.mark.parametrize("name", NAMES)
def test_a_group_that_cancels_names_its_own_pull_request_or_ref(
    name: str, workflows: dict[str, dict[str, Any]]
) -> None:
    assert rules.cancels_beyond_its_pull_request(workflows[name]) == []


def test_previews_cancel_their_own_pull_requests_older_previews_and_deploys_queue(
    workflows: dict[str, dict[str, Any]],
) -> None:
    preview, up = workflows["preview.yml"], workflows["up.yml"]
    assert rules.concurrency_groups(preview) == [
        (
            "workflow",
            {
                "group": "preview-pr-${{ github.event.pull_request.number }}",
                "cancel-in-progress": True,
            },
        )
    ]
    assert rules.concurrency_groups(up) == [
        (
            "up",
            {
                "group": "deploy-${{ vars.PULUMI_STACK || 'example-azure' }}",
                "cancel-in-progress": False,
                "queue": "max",
            },
        )
    ]


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
    assert rules.writers_running_the_branchs_code(workflows[name]) == []


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


def test_the_comment_job_runs_only_the_base_commits_comment_script(
    workflows: dict[str, dict[str, Any]],
) -> None:
    comment = workflows["preview.yml"]["jobs"]["comment"]
    assert comment["needs"] == "preview"
    (checkout,) = [s for s in comment["steps"] if "checkout" in str(s.get("uses", ""))]
    assert checkout["with"] == {
        "ref": rules.BASE_COMMIT,
        "persist-credentials": False,
        "sparse-checkout": "scripts/preview_comment.py\nfleet/markdown.py\n",
        "sparse-checkout-cone-mode": False,
    }
    assert rules.branch_checkouts(comment) == []
    assert rules.permissions(workflows["preview.yml"], comment) == {
        "contents": "read",
        "pull-requests": "write",
    }


@pytest.mark.parametrize("name", NAMES)
def test_every_comment_body_is_fenced_by_scripts_preview_comment(
    name: str, workflows: dict[str, dict[str, Any]]
) -> None:
    assert rules.unfenced_comments(workflows[name]) == []


def test_the_preview_is_posted_as_a_comment(workflows: dict[str, dict[str, Any]]) -> None:
    posts = [s for _, s in rules.steps(workflows["preview.yml"]) if "gh api" in s.get("run", "")]
    assert len(posts) == 1
    # The comment it edits is found by the marker the script writes first.
    assert f"marker='{comment.MARKER}'" in posts[0]["run"]
    command = 'python3 scripts/preview_comment.py "$RUNNER_TEMP/preview/preview.txt"'
    assert command in posts[0]["run"]


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
    workflow["jobs"]["comment"]["steps"][-1]["run"] += (
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


def test_rules_catch_a_writer_that_checks_out_the_pull_requests_code(
    workflows: dict[str, dict[str, Any]],
) -> None:
    workflow = _broken(workflows, "preview.yml")
    del workflow["jobs"]["comment"]["steps"][0]["with"]["ref"]
    assert rules.writers_running_the_branchs_code(workflow) == ["comment: pull-requests"]


def test_rules_catch_a_comment_fenced_by_hand(workflows: dict[str, dict[str, Any]]) -> None:
    workflow = _broken(workflows, "preview.yml")
    step = workflow["jobs"]["comment"]["steps"][-1]
    step["run"] = re.sub(
        r'python3 scripts/preview_comment.py[^>]*> "\$body"',
        lambda _: (
            "{ echo '```'; cat \"$RUNNER_TEMP/preview/preview.txt\"; echo '```'; } > \"$body\""
        ),
        step["run"],
    )
    assert "scripts/preview_comment.py" not in step["run"]
    assert rules.unfenced_comments(workflow) == ["comment: Post or update the preview comment"]


def test_rules_catch_an_unchecked_cli_an_unchecked_plugin_and_acquisition_left_on(
    workflows: dict[str, dict[str, Any]],
) -> None:
    workflow = _broken(workflows, "up.yml")
    up = workflow["jobs"]["up"]
    install = next(i for i, s in enumerate(up["steps"]) if "install-pulumi" in s.get("run", ""))
    up["steps"][install] = {
        "uses": "pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d",
        "with": {"pulumi-version": "3.274.1"},
    }
    up["steps"].insert(install + 1, {"run": "pulumi plugin install resource azure-native 3.29.0"})
    del up["env"]["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"]
    assert rules.unchecked_downloads(workflow) == [
        "up: pulumi/actions (checks no hash)",
        "up: plugin install without --checksum",
        "up: no scripts/install-pulumi before pulumi runs",
        "up: automatic plugin acquisition left on",
    ]


def test_rules_catch_a_preview_back_in_the_deploys_group_and_a_deploy_that_can_be_cancelled(
    workflows: dict[str, dict[str, Any]],
) -> None:
    preview, up = _broken(workflows, "preview.yml"), _broken(workflows, "up.yml")
    # As before: the preview job joined the deploy's group.
    preview["jobs"]["preview"]["concurrency"] = {
        "group": "deploy-${{ vars.PULUMI_STACK || 'example-azure' }}",
        "cancel-in-progress": False,
        "queue": "max",
    }
    up["concurrency"] = {"group": "up-${{ github.ref }}", "cancel-in-progress": True}
    assert rules.shared_groups({"preview.yml": preview, "up.yml": up}) == [
        "preview.yml preview / up.yml up"
    ]
    assert rules.cancellable_deploys(up) == ["up: the workflow's group cancels whole runs"]
    up["jobs"]["up"]["concurrency"]["cancel-in-progress"] = True
    del up["jobs"]["up"]["concurrency"]["queue"]
    assert rules.cancellable_deploys(up)[0] == "up: not in a group that never cancels"
    preview["concurrency"]["group"] = "preview-${{ vars.PULUMI_STACK }}"
    assert rules.cancels_beyond_its_pull_request(preview) == [
        "workflow: preview-${{ vars.PULUMI_STACK }}"
    ]


def test_rules_catch_the_state_or_its_secrets_handed_to_other_stacks(
    workflows: dict[str, dict[str, Any]],
) -> None:
    workflow = _broken(workflows, "up.yml")
    up_steps = workflow["jobs"]["up"]["steps"]
    deploy = next(s for s in up_steps if s.get("name") == "pulumi up --yes --refresh")
    deploy["run"] = deploy["run"].replace("pulumi stack output", "pulumi stack export")
    assert rules.published_beyond_outputs(workflow) == [
        "up: pulumi up --yes --refresh: the state or its secrets",
        "up: pulumi up --yes --refresh: the outputs file written by something else",
    ]
    deploy["run"] = deploy["run"].replace("pulumi stack export", "pulumi stack output")
    deploy["run"] = deploy["run"].replace("--json", "--json --show-secrets")
    assert rules.published_beyond_outputs(workflow) == [
        "up: pulumi up --yes --refresh: the state or its secrets"
    ]
