"""Pulumi.yaml and the stack files agree with what __main__.py reads, as the CLI checks them."""

from __future__ import annotations

import ast
import re

import pytest
import yaml

from aoai_deploy.providers.core.schema import CONFIG_FIELDS

STACK_FILES = ("Pulumi.local.yaml", "Pulumi.example-azure.yaml")
# Read by the provider's configure(), not by the program (DESIGN.md, provider configuration).
PROVIDER_KEYS = {field.name for field in CONFIG_FIELDS}
CONFIG_TYPES = {"string": str, "boolean": bool, "integer": int, "array": list}


def _keys_read(program: str) -> set[str]:
    """Config keys __main__.py reads: config.<getter>("key"), optional("key") and
    read_deployments(config, "key")."""
    return set(
        re.findall(r'(?:config\.\w+\(|optional\(|read_deployments\(config, )"(\w+)"\)', program)
    )


def test_project_runs_python_in_its_virtualenv(project_file):
    # Its own name: `aoai-deploy` is the provider's namespace (issue 15, item 2).
    assert project_file["name"] == "aoai-deploy-example"
    assert project_file["description"].strip()
    assert project_file["runtime"] == {
        "name": "python",
        "options": {"toolchain": "pip", "virtualenv": ".venv"},
    }


def test_every_key_the_program_reads_is_declared_and_every_declared_key_is_read(
    project_file, repo_file
):
    read = _keys_read(repo_file("__main__.py"))

    assert read == set(project_file["config"])
    assert not read & PROVIDER_KEYS


def test_declarations_are_typed_and_described_as_the_cli_accepts_them(project_file):
    required = []
    for key, declaration in project_file["config"].items():
        assert declaration["description"].strip(), key
        if "type" in declaration:
            assert declaration["type"] in CONFIG_TYPES, key
            if "default" in declaration:
                assert isinstance(declaration["default"], CONFIG_TYPES[declaration["type"]]), key
        if "default" not in declaration:
            required.append(key)

    # Without a default a declared key is required: only these two may be.
    assert sorted(required) == ["deployments", "sourceAccountId"]
    # The CLI cannot type a list of objects; it stays untyped.
    assert "type" not in project_file["config"]["deployments"]


@pytest.mark.parametrize("stack_file", STACK_FILES)
def test_example_stacks_set_only_known_keys_of_the_declared_types(
    stack_file, project_file, repo_file
):
    declared = project_file["config"]
    for full_key, value in yaml.safe_load(repo_file(stack_file))["config"].items():
        namespace, key = full_key.split(":", 1)
        if namespace == "aoai-deploy":
            assert key in PROVIDER_KEYS, f"{stack_file}: not a provider setting: {full_key}"
            continue
        if namespace != project_file["name"]:
            assert namespace == "azure-native", full_key
            continue
        assert key in declared, f"{stack_file}: unknown key {full_key}"
        if "type" in declared[key]:
            assert isinstance(value, CONFIG_TYPES[declared[key]["type"]]), full_key


@pytest.mark.parametrize("stack_file", STACK_FILES)
def test_example_deployments_use_only_known_settings(stack_file, repo_file):
    known = {
        "deploymentName",
        "modelName",
        "modelVersion",
        "modelFormat",
        "skuName",
        "skuCapacity",
        "raiPolicyName",
        "versionUpgradeOption",
        "tags",
        "adoptExisting",
        "apiVersion",
        "operationTimeoutSeconds",
    }
    deployments = yaml.safe_load(repo_file(stack_file))["config"]["aoai-deploy-example:deployments"]

    assert deployments
    for deployment in deployments:
        assert {"deploymentName", "modelName"} <= set(deployment) <= known


def test_program_imports_the_package_by_its_one_import_root(repo_file):
    tree = ast.parse(repo_file("__main__.py"))
    modules = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    modules |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}

    assert "aoai_deploy.components" in modules
    bare = {m for m in modules if m.split(".")[0] in {"providers", "components", "emulator"}}
    assert bare == set(), "the program must import the package as aoai_deploy.*"
