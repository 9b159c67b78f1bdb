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
NAMES = ("ci.yml", "preview.yml", "up.yml", "release.yml")

#: `owner/repo[/path]@<40 hex> # vX[.Y[.Z]]`: a commit no one can move, and the tag it was.
_PINNED_USES = re.compile(
    r"\s*-?\s*uses:\s*[\w.-]+/[\w./-]+@[0-9a-f]{40}\s+#\s+v\d+(?:\.\d+){0,2}\s*"
)
_EXPRESSION = re.compile(r"\$\{\{")
_VAR = re.compile(r"\$\{\{\s*vars\.(\w+)\s*\}\}")
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
            r"(?m)^\s*pulumi\s+(preview|up|refresh|destroy)\b", step.get("run", "")
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
    # Commands only: a line that starts with `pulumi`, not the word in a message.
    if re.search(r"(?m)^\s*pulumi\s+(up|refresh|destroy|import|state)\b", scripts):
        return "read, write"
    if re.search(r"(?m)^\s*pulumi\s+preview\b", scripts):
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
