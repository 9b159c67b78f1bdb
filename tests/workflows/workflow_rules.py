"""Checks of a GitHub Actions workflow: each returns the problems it finds, empty when clean.

They are plain functions of the parsed workflow (and its text, where comments matter), so the
tests can run them on the real workflows and on broken copies, to see that each one can fail.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"
NAMES = ("ci.yml", "preview.yml", "up.yml", "release.yml", "fleet.yml", "fleet-preview.yml")

#: `owner/repo[/path]@<40 hex> # vX[.Y[.Z]]`: a commit no one can move, and the tag it was.
_PINNED_USES = re.compile(
    r"\s*-?\s*uses:\s*[\w.-]+/[\w./-]+@[0-9a-f]{40}\s+#\s+v\d+(?:\.\d+){0,2}\s*"
)
_EXPRESSION = re.compile(r"\$\{\{")
_VAR = re.compile(r"\$\{\{\s*vars\.(\w+)\s*\}\}")
#: A command that runs a stack operation: `pulumi <op>`, or `aoai-deploy fleet <op>` (which
#: runs the same operation on each customer's stack, fleet/stacks.py).
_STATE_COMMAND = (
    r"(?m)^\s*(?:pulumi\s+(?P<pulumi>preview|up|update|refresh|destroy|import|state)"
    r"|\S*aoai-deploy\s+fleet\s+(?P<fleet>preview|up|destroy))\b"
)
#: The OIDC subject each app trusts (docs/security.md); `<owner>/<repo>` stands for the repo.
REPO_SUBJECT = "repo:<owner>/<repo>"


def load(text: str) -> dict[str, Any]:
    """A workflow as GitHub reads it. YAML 1.1 (PyYAML) reads the key ``on`` as ``True``."""
    data: dict[str, Any] = yaml.safe_load(text)
    if True in data:
        data["on"] = data.pop(True)
    return data


def jobs(workflow: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    yield from workflow.get("jobs", {}).items()


def steps(workflow: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for job_id, job in jobs(workflow):
        for step in job.get("steps", []):
            yield job_id, step


def triggers(workflow: dict[str, Any]) -> list[str]:
    on = workflow["on"]
    if isinstance(on, str):
        return [on]
    return list(on)


def permissions(workflow: dict[str, Any], job: dict[str, Any]) -> dict[str, str]:
    """The GITHUB_TOKEN's permissions in ``job``: its own, else the workflow's."""
    granted = job.get("permissions", workflow.get("permissions"))
    assert isinstance(granted, dict), "permissions must be a mapping (never read-all/write-all)"
    return dict(granted)


def unpinned_uses(text: str) -> list[str]:
    """``uses:`` lines not pinned by full commit SHA with the tag in a comment."""
    return [
        line.strip()
        for line in text.splitlines()
        if re.match(r"\s*-?\s*uses:", line) and not _PINNED_USES.fullmatch(line)
    ]


def expressions_in_run(workflow: dict[str, Any]) -> list[str]:
    """``run:`` scripts with a ``${{ }}`` expression pasted into them (values belong in env)."""
    return [
        f"{job_id}: {step.get('name', step['run'].splitlines()[0])}"
        for job_id, step in steps(workflow)
        if "run" in step and _EXPRESSION.search(step["run"])
    ]


def passphrase_outside_steps(workflow: dict[str, Any]) -> list[str]:
    """Where PULUMI_CONFIG_PASSPHRASE is set for more than one step, or for a step that does
    not run pulumi."""
    found = []
    if "PULUMI_CONFIG_PASSPHRASE" in workflow.get("env", {}):
        found.append("workflow env")
    for job_id, job in jobs(workflow):
        if "PULUMI_CONFIG_PASSPHRASE" in job.get("env", {}):
            found.append(f"{job_id}: job env")
    for job_id, step in steps(workflow):
        if "PULUMI_CONFIG_PASSPHRASE" in step.get("env", {}) and not re.search(
            _STATE_COMMAND, step.get("run", "")
        ):
            found.append(f"{job_id}: step {step.get('name') or step.get('uses')}")
    return found


def checkouts_keeping_credentials(workflow: dict[str, Any]) -> list[str]:
    return [
        job_id
        for job_id, step in steps(workflow)
        if str(step.get("uses", "")).startswith("actions/checkout@")
        and step.get("with", {}).get("persist-credentials") is not False
    ]


def tokens_on_a_command_line(workflow: dict[str, Any]) -> list[str]:
    """Scripts that put the OIDC request token in a command's arguments rather than on stdin
    (``curl --config -``)."""
    found = []
    for job_id, step in steps(workflow):
        script = step.get("run", "")
        if "ACTIONS_ID_TOKEN_REQUEST_TOKEN" not in script:
            continue
        if re.search(r"(--header|-H)\s+\S*\$ACTIONS_ID_TOKEN_REQUEST_TOKEN", script) or (
            "curl --config -" not in script
        ):
            found.append(f"{job_id}: {step.get('name')}")
    return found


def bad_queues(workflow: dict[str, Any]) -> list[str]:
    """`concurrency.queue` values GitHub refuses, which actionlint v1.7.12 cannot check."""
    blocks = [("workflow", workflow.get("concurrency"))]
    blocks += [(job_id, job.get("concurrency")) for job_id, job in jobs(workflow)]
    found = []
    for where, block in blocks:
        if not isinstance(block, dict) or "queue" not in block:
            continue
        if block["queue"] not in ("single", "max"):
            found.append(f"{where}: queue {block['queue']!r}")
        elif block["queue"] == "max" and block.get("cancel-in-progress") is True:
            found.append(f"{where}: queue max with cancel-in-progress")
    return found


def oidc_jobs(workflow: dict[str, Any]) -> list[str]:
    """The jobs that may ask GitHub for an OIDC token (``id-token: write``)."""
    return [
        job_id
        for job_id, job in jobs(workflow)
        if permissions(workflow, job).get("id-token") == "write"
    ]


def secrets_named(text: str) -> list[str]:
    """The ``secrets.`` a workflow reads (``github.token`` is not one: GitHub makes it)."""
    return sorted(set(re.findall(r"secrets\.(\w+)", text)))


def identity(job: dict[str, Any]) -> str:
    """The ``vars.`` name of the Entra app the job signs in as, or ``none``.

    Every place that names a client id (ARM_CLIENT_ID, AZURE_CLIENT_ID, azure/login's
    client-id) must name the same one.
    """
    named = {
        match
        for value in (
            job.get("env", {}).get("ARM_CLIENT_ID"),
            job.get("env", {}).get("AZURE_CLIENT_ID"),
            *(step.get("with", {}).get("client-id") for step in job.get("steps", [])),
        )
        if value
        for match in _VAR.findall(str(value))
    }
    assert len(named) <= 1, f"one job, several identities: {sorted(named)}"
    return named.pop() if named else "none"


def environment_name(job: dict[str, Any]) -> str | None:
    """The environment a job enters, with the stack's default name for ``vars.PULUMI_STACK``."""
    environment = job.get("environment")
    if environment is None:
        return None
    if isinstance(environment, dict):
        environment = environment["name"]
    default = re.fullmatch(r"\$\{\{\s*vars\.\w+\s*\|\|\s*'([\w.-]+)'\s*\}\}", environment)
    return default[1] if default else str(environment)


def oidc_subject(workflow: dict[str, Any], job: dict[str, Any]) -> str:
    """The ``sub`` claim of the job's GitHub OIDC token (GitHub's default subject format),
    or ``none`` when the job cannot ask for one."""
    if permissions(workflow, job).get("id-token") != "write":
        return "none"
    environment = environment_name(job)
    if environment is not None:
        return f"{REPO_SUBJECT}:environment:{environment}"
    if triggers(workflow) == ["pull_request"]:
        return f"{REPO_SUBJECT}:pull_request"
    raise AssertionError("an OIDC token without an environment outside pull requests")


def state_access(job: dict[str, Any]) -> str:
    """What the job does to the stack's state, from the pulumi commands it runs."""
    scripts = "\n".join(step.get("run", "") for step in job.get("steps", []))
    # Commands only: a line that starts with the command, not the word in a message.
    operations = {m["pulumi"] or m["fleet"] for m in re.finditer(_STATE_COMMAND, scripts)}
    if operations - {"preview"}:
        return "read, write"
    if operations:
        return "read"
    return "none"


def table_row(file: str, workflow: dict[str, Any], job_id: str) -> list[str]:
    """The row docs/security.md's identities table must hold for a job."""
    job = workflow["jobs"][job_id]
    granted = permissions(workflow, job)
    return [
        file,
        job_id,
        ", ".join(triggers(workflow)),
        ", ".join(f"{scope}: {level}" for scope, level in granted.items()) or "none",
        identity(job),
        oidc_subject(workflow, job),
        state_access(job),
    ]


# -- what a job runs, and what it downloads -----------------------------------------------------

#: The pull request's base commit: what a job checks out to run trusted code on a pull request.
BASE_COMMIT = "${{ github.event.pull_request.base.sha }}"
_PULUMI_COMMAND = re.compile(_STATE_COMMAND)


def branch_checkouts(job: dict[str, Any]) -> list[dict[str, Any]]:
    """Checkout steps of the ref that started the run (the branch's or pull request's code),
    as opposed to the pull request's base commit."""
    return [
        step
        for step in job.get("steps", [])
        if str(step.get("uses", "")).startswith("actions/checkout@")
        and step.get("with", {}).get("ref") != BASE_COMMIT
    ]


def writers_running_the_branchs_code(workflow: dict[str, Any]) -> list[str]:
    """Jobs that check out the branch's code and hold a GitHub write permission (an OIDC
    token aside: what it is worth is decided in Entra, per subject)."""
    found = []
    for job_id, job in jobs(workflow):
        writes = sorted(
            scope
            for scope, level in permissions(workflow, job).items()
            if level == "write" and scope != "id-token"
        )
        if writes and branch_checkouts(job):
            found.append(f"{job_id}: {', '.join(writes)}")
    return found


def unfenced_comments(workflow: dict[str, Any]) -> list[str]:
    """Steps that post a comment whose body scripts/preview_comment.py did not write, or that
    write a code fence themselves (the output could close it)."""
    found = []
    for job_id, step in steps(workflow):
        script = step.get("run", "")
        if not re.search(r"gh api .*comments", script):
            continue
        if "scripts/preview_comment.py" not in script or "```" in script:
            found.append(f"{job_id}: {step.get('name')}")
    return found


def runs_pulumi(job: dict[str, Any]) -> bool:
    return any(_PULUMI_COMMAND.search(step.get("run", "")) for step in job.get("steps", []))


def unchecked_downloads(workflow: dict[str, Any]) -> list[str]:
    """What lets a job that runs pulumi execute code nobody pinned: the CLI from an action
    that checks no hash, a plugin installed without --checksum, no install by
    scripts/install-pulumi before the first pulumi command, or the engine left free to
    download plugins itself."""
    found = []
    for job_id, job in jobs(workflow):
        job_steps = job.get("steps", [])
        for step in job_steps:
            if str(step.get("uses", "")).startswith("pulumi/actions@"):
                found.append(f"{job_id}: pulumi/actions (checks no hash)")
            for line in step.get("run", "").splitlines():
                if re.search(r"\bpulumi plugin install\b", line) and "--checksum" not in line:
                    found.append(f"{job_id}: plugin install without --checksum")
        if not runs_pulumi(job):
            continue
        first = next(i for i, s in enumerate(job_steps) if _PULUMI_COMMAND.search(s.get("run", "")))
        if not any("scripts/install-pulumi" in s.get("run", "") for s in job_steps[:first]):
            found.append(f"{job_id}: no scripts/install-pulumi before pulumi runs")
        acquisition = {**workflow.get("env", {}), **job.get("env", {})}.get(
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"
        )
        if acquisition != "true":
            found.append(f"{job_id}: automatic plugin acquisition left on")
    return found


def deploys_on_pull_requests(workflow: dict[str, Any]) -> list[str]:
    """Jobs that write a stack's state in a workflow a pull request can start: a pull
    request runs its own code, so it may preview (read) and nothing more."""
    if not {"pull_request", "pull_request_target"} & set(triggers(workflow)):
        return []
    return [job_id for job_id, job in jobs(workflow) if state_access(job) == "read, write"]


# -- concurrency --------------------------------------------------------------------------------


def concurrency_groups(workflow: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """``(where, block)`` for the workflow's and each job's ``concurrency`` (a bare string
    is a group without cancel-in-progress)."""
    blocks = [("workflow", workflow.get("concurrency"))]
    blocks += [(job_id, job.get("concurrency")) for job_id, job in jobs(workflow)]
    return [
        (where, {"group": block} if isinstance(block, str) else dict(block))
        for where, block in blocks
        if block is not None
    ]


def group_prefix(group: str) -> str:
    """The literal start of a group name, before its first expression: two groups whose
    prefixes are not prefixes of one another can never be the same group."""
    return group.split("${{", 1)[0]


def shared_groups(workflows: dict[str, dict[str, Any]]) -> list[str]:
    """Pairs of groups in different workflow files that could name the same group."""
    named = [
        (name, where, str(block["group"]))
        for name, workflow in workflows.items()
        for where, block in concurrency_groups(workflow)
    ]
    found = []
    for i, (name_a, where_a, group_a) in enumerate(named):
        for name_b, where_b, group_b in named[i + 1 :]:
            a, b = group_prefix(group_a), group_prefix(group_b)
            if name_a != name_b and (a.startswith(b) or b.startswith(a)):
                found.append(f"{name_a} {where_a} / {name_b} {where_b}")
    return found


def cancellable_deploys(workflow: dict[str, Any]) -> list[str]:
    """Jobs that write the state (pulumi up, refresh, destroy, ...) but could be cancelled by
    a later run: no group of their own with cancel-in-progress false and a queue, or a
    workflow-level group that cancels whole runs."""
    found = []
    workflow_block = workflow.get("concurrency")
    for job_id, job in jobs(workflow):
        if state_access(job) != "read, write":
            continue
        block = job.get("concurrency")
        if not isinstance(block, dict) or block.get("cancel-in-progress") is not False:
            found.append(f"{job_id}: not in a group that never cancels")
        elif block.get("queue") != "max":
            found.append(f"{job_id}: waiting deploys are not queued (GitHub keeps one)")
        if isinstance(workflow_block, dict) and workflow_block.get("cancel-in-progress"):
            found.append(f"{job_id}: the workflow's group cancels whole runs")
    return found


def cancels_beyond_its_pull_request(workflow: dict[str, Any]) -> list[str]:
    """Groups that cancel in progress without naming the pull request or ref they belong to
    (they would cancel other pull requests' runs)."""
    return [
        f"{where}: {block['group']}"
        for where, block in concurrency_groups(workflow)
        if block.get("cancel-in-progress")
        and not re.search(r"github\.(event\.pull_request\.number|ref|head_ref)\b", block["group"])
    ]


# -- what the deploy hands to other stacks ------------------------------------------------------

#: The file up.yml publishes for other stacks (examples/consumer): the stack's outputs alone.
OUTPUTS_FILE = '"$RUNNER_TEMP/stack-outputs.json"'


def published_beyond_outputs(workflow: dict[str, Any]) -> list[str]:
    """Steps that hand out more than the stack's outputs: the state (`pulumi stack export`,
    pickles included), secrets in plaintext (`--show-secrets`), an upload of another file, or
    the outputs file written by anything but `pulumi stack output --json`."""
    found = []
    for job_id, step in steps(workflow):
        script = step.get("run", "")
        where = f"{job_id}: {step.get('name')}"
        if re.search(r"\bpulumi\s+stack\s+export\b", script) or "--show-secrets" in script:
            found.append(f"{where}: the state or its secrets")
        if "az storage blob upload" in script and f"--file {OUTPUTS_FILE}" not in script:
            found.append(f"{where}: uploads another file")
        for line in script.splitlines():
            writes = re.search(rf">\s*{re.escape(OUTPUTS_FILE)}", line)
            if writes and not re.match(r"\s*pulumi stack output\b.*--json\b", line):
                found.append(f"{where}: the outputs file written by something else")
    return found
