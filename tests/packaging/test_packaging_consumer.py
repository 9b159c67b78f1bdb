"""examples/consumer, another team's stack, run from the wheel in a fresh virtual environment.

The wheel is installed with the consumer's requirements.txt (its aoai-deploy line, a Git URL,
pointed at the wheel just built) into a new environment outside the repository, and the
consumer's program runs there under Pulumi mocks, from a copy of its folder: with its own
package named ``components`` beside ``aoai_deploy.components``, and the example stack's
outputs as its deploy job publishes them in the file the consumer's config names.

By default the new environment sees this test environment's packages (see
tests/support/packaging_env.py) and installs offline. ``AOAI_DEPLOY_PACKAGING_FULL_INSTALL=1``
makes it a self-contained environment that installs every requirement from the package
index instead (about 500 MB).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

import aoai_deploy
from packaging_env import REPO, fresh_venv

CONSUMER = REPO / "examples" / "consumer"
RUNNER = REPO / "tests" / "support" / "run_program_under_mocks.py"
PROJECT = "aoai-consumer"
STACK_FILE = "Pulumi.example.yaml"

COMPONENT_TYPE = "aoai:index:FineTunedModelDeployment"
DEPLOYMENT_TYPE = "pulumi-python:dynamic/aoai:CrossTenantDeployment"
STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"

#: An aoai-deploy requirement line: the distribution's name (any spelling pip accepts).
_AOAI_DEPLOY_LINE = re.compile(r"^\s*aoai[-_.]deploy\b", re.IGNORECASE)

EXAMPLE_ACCOUNT = (
    "/subscriptions/0f0f0f0f-5b5b-4000-8000-000000000002/resourceGroups/rg-inference"
    "/providers/Microsoft.CognitiveServices/accounts/fabrikam-aoai-ft-eus"
)
#: What the example stack exports (__main__.py), as its deploy job publishes them.
EXAMPLE_OUTPUTS = {
    "accountId": EXAMPLE_ACCOUNT,
    "endpoint": "https://fabrikam-aoai-ft-eus.openai.azure.com/",
    "deploymentIds": {"support-bot": f"{EXAMPLE_ACCOUNT}/deployments/support-bot"},
    "deploymentNames": {"support-bot": "support-bot"},
}


def _requirement_lines() -> list[str]:
    lines = (CONSUMER / "requirements.txt").read_text().splitlines()
    return [line for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _stack_config() -> dict[str, str]:
    """The consumer stack's config as the CLI hands it to the program: the stack file's values
    and the project's declared defaults, each a string."""
    project = yaml.safe_load((CONSUMER / "Pulumi.yaml").read_text())
    values: dict[str, Any] = dict(yaml.safe_load((CONSUMER / STACK_FILE).read_text())["config"])
    for key, declaration in project.get("config", {}).items():
        full = f"{PROJECT}:{key}"
        if full not in values:
            assert "default" in declaration, f"{STACK_FILE} lacks required config {full}"
            values[full] = declaration["default"]
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}


def test_consumer_requirements_pin_this_release_of_aoai_deploy() -> None:
    (line,) = [line for line in _requirement_lines() if _AOAI_DEPLOY_LINE.match(line)]

    # Pinned to this release, from the package index; no extra: it creates no account.
    assert line.strip() == f"aoai-deploy=={aoai_deploy.__version__}", line
    assert (
        f"pip install aoai-deploy=={aoai_deploy.__version__}"
        in (CONSUMER / "README.md").read_text()
    )


@pytest.fixture(scope="module")
def consumer_run(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The consumer program's registrations and exports, run in a fresh environment."""
    work = tmp_path_factory.mktemp("consumer")
    full_install = os.environ.get("AOAI_DEPLOY_PACKAGING_FULL_INSTALL") == "1"
    venv = fresh_venv(work / "venv", see_outer_site_packages=not full_install)

    requirements = work / "requirements.txt"
    requirements.write_text(
        "\n".join(
            f"aoai-deploy @ {wheel.as_uri()}" if _AOAI_DEPLOY_LINE.match(line) else line
            for line in _requirement_lines()
        )
        + "\n"
    )
    # Offline unless asked otherwise: the wheel is a file, and every other requirement must
    # already be satisfied.
    venv.pip(
        "install", *([] if full_install else ["--no-index"]), "-r", str(requirements), cwd=work
    )

    program = shutil.copytree(
        CONSUMER, work / "program", ignore=shutil.ignore_patterns("__pycache__", ".venv")
    )
    published = _stack_config()[f"{PROJECT}:exampleOutputs"]
    (program / published).write_text(json.dumps(EXAMPLE_OUTPUTS))
    request = work / "request.json"
    request.write_text(
        json.dumps(
            {
                "program": str(program),
                "project": PROJECT,
                "stack": "example",
                "config": _stack_config(),
                "stack_outputs": {},  # it reads no other stack's state
            }
        )
    )
    result = work / "result.json"
    venv.run(["-I", str(RUNNER), str(request), str(result)], cwd=work)
    return {
        **json.loads(result.read_text()),
        "venv": venv,
        "program_dir": program,
    }


def _of_type(run: dict[str, Any], type_: str) -> list[dict[str, Any]]:
    return [r for r in run["registrations"] if r["type"] == type_]


@pytest.mark.slow
def test_consumer_registers_the_component_and_its_deployment_beneath_it(consumer_run):
    (component,) = _of_type(consumer_run, COMPONENT_TYPE)
    (deployment,) = _of_type(consumer_run, DEPLOYMENT_TYPE)

    assert component["name"] == "support-model"
    assert deployment["name"] == "support-model-support-chat"
    assert deployment["parent"] == component["urn"]
    assert deployment["custom"] is True


@pytest.mark.slow
def test_consumer_deploys_into_the_account_the_example_stack_exports(consumer_run):
    (deployment,) = _of_type(consumer_run, DEPLOYMENT_TYPE)
    inputs = deployment["inputs"]

    assert _of_type(consumer_run, STACK_REFERENCE_TYPE) == []  # published outputs, no state
    assert inputs["account_id"] == EXAMPLE_ACCOUNT
    assert inputs["deployment_name"] == "support-chat"
    assert inputs["model_name"] == "gpt-4o-mini-2024-07-18.ft-0123456789abcdef0123456789abcdef"
    assert inputs["source_tenant_id"] == "0c0c0c0c-0000-4000-8000-000000000001"
    assert inputs["tenant_id"] == "0f0f0f0f-0000-4000-8000-000000000002"
    assert inputs["tags"] == {"owner": "support", "managed-by": "pulumi"}


@pytest.mark.slow
def test_consumer_exports_what_it_read_from_the_example_stack(consumer_run):
    assert consumer_run["outputs"] == {
        "accountId": EXAMPLE_ACCOUNT,
        "endpoint": EXAMPLE_OUTPUTS["endpoint"],
        "exampleDeploymentNames": EXAMPLE_OUTPUTS["deploymentNames"],
        "exampleDeploymentIds": EXAMPLE_OUTPUTS["deploymentIds"],
        "deploymentIds": {"support-chat": f"{EXAMPLE_ACCOUNT}/deployments/support-chat"},
    }


@pytest.mark.slow
def test_consumer_uses_its_own_components_package_and_aoai_deploy_from_the_wheel(consumer_run):
    modules = {name: Path(origin) for name, origin in consumer_run["modules"].items()}
    site_packages = consumer_run["venv"].site_packages

    assert modules["components"] == consumer_run["program_dir"] / "components" / "__init__.py"
    assert modules["aoai_deploy.components"].is_relative_to(site_packages)
    assert modules["aoai_deploy.providers"].is_relative_to(site_packages)
    assert consumer_run["prefix"] == str(consumer_run["venv"].root)


@pytest.mark.slow
def test_pickled_provider_refers_to_aoai_deploy_providers_by_its_stable_path(consumer_run):
    # The engine stores this pickle in the stack's state; the plugin process unpickles it by
    # importing these modules, so they must be the aoai_deploy.* names an install provides.
    pickles = consumer_run["provider_pickles"]
    deployments = {r["name"] for r in _of_type(consumer_run, DEPLOYMENT_TYPE)}
    assert set(pickles) == {"aoai-deploy-owner-key", *deployments}
    for name, modules in pickles.items():
        ours = [m for m in modules if "providers" in m or "components" in m]
        expected = "owner_key" if name == "aoai-deploy-owner-key" else "provider"
        assert f"aoai_deploy.providers.{expected}" in ours, (name, ours)
        assert all(m.startswith("aoai_deploy.") for m in ours), ours
